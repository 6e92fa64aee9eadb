#!/usr/bin/python3
"""qmp-stats.py - KVM's per-vCPU counters of a running QEMU (its QMP
`query-stats`, QEMU >= 7.1), summed over vCPUs, as NAME=VALUE words.
(debugfs offers the same counters, but kernel lockdown may refuse them.)

usage: qmp-stats.py QMP-SOCKET [NAME ...]     default: exits and kinds"""
import json
import socket
import sys

NAMES = ['exits', 'io_exits', 'mmio_exits', 'halt_exits', 'irq_exits', 'irq_injections', 'insn_emulation']


def main():
    s = socket.socket(socket.AF_UNIX)
    s.connect(sys.argv[1])
    f = s.makefile('rw')
    f.readline()  # greeting

    def cmd(name, **args):
        f.write(json.dumps({'execute': name, 'arguments': args}) + '\n')
        f.flush()
        while True:
            r = json.loads(f.readline())
            if 'error' in r:
                sys.exit('qmp %s: %s' % (name, r['error']))
            if 'return' in r:
                return r['return']

    cmd('qmp_capabilities')
    total = {}
    for vcpu in cmd('query-stats', target='vcpu'):
        for st in vcpu['stats']:
            if isinstance(st['value'], int) and not isinstance(st['value'], bool):
                total[st['name']] = total.get(st['name'], 0) + st['value']
    print(' '.join('%s=%d' % (n, total.get(n, 0)) for n in (sys.argv[2:] or NAMES)))


if __name__ == '__main__':
    main()
