#!/usr/bin/python3
"""impair.py - a netem-like impairment bridge between Linux and Mica.

  impair.py LINUX_TAP MICA_IF [--loss P] [--delay MS] [--jitter MS]
            [--reorder P] [--dup P] [--seed N] [--max-seconds S]
            [--tcp-only]

The kernel here may lack sch_netem, so the impairment is done in user
space: this program owns the file side of LINUX_TAP (whose interface holds
Linux's address) and bridges it to MICA_IF, a second tap whose file side
Mica owns, through a packet socket. Every frame in either direction is
dropped with probability P (--loss), duplicated (--dup), delayed by
DELAY +- JITTER ms, and with probability --reorder held back an extra
DELAY+5 ms so that later frames overtake it. Percentages are 0..100.
With --tcp-only, only TCP segments without SYN are dropped (ARP and the
handshake pass, as with bench/tcp-loss.sh's nftables rule): a lost SYN or
ARP costs a second-long timer in either stack, noise in a timed run.
The counters on exit split the drops into TCP segments with data
(dropped_data) and without (dropped_ack, pure ACKs and FINs).
Runs until killed or --max-seconds; prints its counters on exit."""
import argparse, fcntl, heapq, os, random, select, signal, socket, struct, sys, time

TUNSETIFF = 0x400454CA
IFF_TAP, IFF_NO_PI = 0x0002, 0x1000
ETH_P_ALL = 0x0003
PACKET_OUTGOING = 4
SOL_PACKET, PACKET_STATISTICS = 263, 6
SO_RCVBUFFORCE = 33


def tcp_kind(frame):
    """ "syn", "data" or "ack" (no payload) for an IPv4 TCP frame, else None."""
    if len(frame) < 34 or frame[12:14] != b"\x08\x00" or frame[23] != 6:
        return None
    ihl = (frame[14] & 15) * 4
    tcp = 14 + ihl
    if len(frame) < tcp + 20:
        return None
    if frame[tcp + 13] & 0x02:
        return "syn"
    total = struct.unpack("!H", frame[16:18])[0]
    return "data" if total > ihl + (frame[tcp + 12] >> 4) * 4 else "ack"


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("linux_tap")
    ap.add_argument("mica_if")
    ap.add_argument("--loss", type=float, default=0)
    ap.add_argument("--delay", type=float, default=0)
    ap.add_argument("--jitter", type=float, default=0)
    ap.add_argument("--reorder", type=float, default=0)
    ap.add_argument("--dup", type=float, default=0)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--max-seconds", type=float, default=300)
    ap.add_argument("--tcp-only", action="store_true")
    o = ap.parse_args()
    rnd = random.Random(o.seed)

    fd = os.open("/dev/net/tun", os.O_RDWR | os.O_NONBLOCK)
    fcntl.ioctl(fd, TUNSETIFF, struct.pack("16sH", o.linux_tap.encode(), IFF_TAP | IFF_NO_PI))
    ps = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, socket.htons(ETH_P_ALL))
    ps.bind((o.mica_if, 0))
    ps.setblocking(False)
    # Frames from Mica must not be lost in this socket when they come in
    # bursts (Linux's side queues in its tap instead): a large buffer.
    try:
        ps.setsockopt(socket.SOL_SOCKET, SO_RCVBUFFORCE, 16 << 20)
    except OSError:
        ps.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 16 << 20)

    stats = {"frames": 0, "dropped": 0, "dropped_data": 0, "dropped_ack": 0, "duplicated": 0,
             "reordered": 0, "oversize": 0}
    queue = []      # (release time, n, to_mica, frame)
    n = 0
    stop = [False]
    signal.signal(signal.SIGTERM, lambda *a: stop.__setitem__(0, True))
    signal.signal(signal.SIGINT, lambda *a: stop.__setitem__(0, True))
    print("bridging %s <-> %s" % (o.linux_tap, o.mica_if), flush=True)
    end = time.monotonic() + o.max_seconds

    def schedule(frame, to_mica):
        nonlocal n
        stats["frames"] += 1
        if len(frame) > 1514:
            stats["oversize"] += 1  # a super-frame: the interface's offloads are on
        kind = tcp_kind(frame)
        droppable = not o.tcp_only or kind in ("data", "ack")
        if droppable and rnd.random() * 100 < o.loss:
            stats["dropped"] += 1
            if kind in ("data", "ack"):
                stats["dropped_" + kind] += 1
            return
        copies = 2 if rnd.random() * 100 < o.dup else 1
        stats["duplicated"] += copies - 1
        for _ in range(copies):
            d = o.delay + (rnd.uniform(-o.jitter, o.jitter) if o.jitter else 0)
            if rnd.random() * 100 < o.reorder:
                d += o.delay + 5
                stats["reordered"] += 1
            n += 1
            heapq.heappush(queue, (time.monotonic() + max(d, 0) / 1000, n, to_mica, frame))

    def release():
        now = time.monotonic()
        while queue and queue[0][0] <= now:
            _, _, to_mica, frame = heapq.heappop(queue)
            try:
                if to_mica:
                    ps.send(frame)
                else:
                    os.write(fd, frame)
            except OSError:
                stats["dropped"] += 1

    while not stop[0] and time.monotonic() < end:
        timeout = max(0, queue[0][0] - time.monotonic()) if queue else 0.2
        try:
            r, _, _ = select.select([fd, ps], [], [], min(timeout, 0.2))
        except InterruptedError:
            continue
        if fd in r:
            for _ in range(64):
                try:
                    schedule(os.read(fd, 65536), True)
                except BlockingIOError:
                    break
        if ps in r:
            for _ in range(64):
                try:
                    frame, addr = ps.recvfrom(65536)
                except BlockingIOError:
                    break
                if addr[2] != PACKET_OUTGOING:
                    schedule(frame, False)
        release()
    _, stats["socket_drops"] = struct.unpack("II", ps.getsockopt(SOL_PACKET, PACKET_STATISTICS, 8))
    print("impair: " + " ".join("%s=%d" % kv for kv in stats.items()), flush=True)


if __name__ == "__main__":
    main()
