/* console.c - the serial console, the exit path and crash reports of a
 * virtio guest.
 *
 * Console: the 16550 UART at 0x3f8 (COM1), which QEMU and Firecracker
 * emulate with a transmitter that is always ready, so bytes go out with
 * one string instruction per write (`rep outsb`: one VM exit per write,
 * not per byte) and no status polling.
 *
 * Exit: QEMU's isa-debug-exit device (port 0xf4, 4 bytes wide) ends QEMU
 * with status code * 2 + 1, which tools/run-virtio.sh maps back. Where the
 * port does nothing (Firecracker has no such device), an i8042 reset
 * ends a Firecracker VM; under QEMU (detected by its fw_cfg signature)
 * that would reboot the guest, so it says so and halts instead. */
#include <mica/app.h>
#include <mica/libc.h>
#include <stdarg.h>
#include "virtio.h"

#define COM1 0x3f8
#define DEBUG_EXIT_PORT 0xf4
#define FW_CFG_SELECTOR 0x510
#define FW_CFG_DATA 0x511

void virtio_console_write(const char *s, size_t len)
{
	__asm__ volatile("rep outsb" : "+S"(s), "+c"(len) : "d"((uint16_t)COM1) : "memory");
}

void mica_plat_console_write(const char *s, size_t len)
{
	virtio_console_write(s, len);
}

void virtio_say(const char *fmt, ...)
{
	char line[256];
	va_list ap;
	va_start(ap, fmt);
	int n = snprintf(line, sizeof(line) - 1, "mica: ");
	int m = vsnprintf(line + n, sizeof(line) - 1 - (size_t)n, fmt, ap);
	va_end(ap);
	size_t len = (size_t)n + (m < 0 ? 0 : (size_t)m);
	if (len > sizeof(line) - 2)
		len = sizeof(line) - 2;
	line[len++] = '\n';
	virtio_console_write(line, len);
}

static bool under_qemu(void)
{
	guest_outb(FW_CFG_SELECTOR, 0); /* signature */
	guest_outb(FW_CFG_SELECTOR + 1, 0);
	char sig[4];
	for (int i = 0; i < 4; i++)
		sig[i] = (char)guest_inb(FW_CFG_DATA);
	return sig[0] == 'Q' && sig[1] == 'E' && sig[2] == 'M' && sig[3] == 'U';
}

_Noreturn void virtio_exit(int code)
{
	guest_outl(DEBUG_EXIT_PORT, (uint32_t)code & 0xff);
	if (under_qemu()) {
		virtio_say("exit code %d: no isa-debug-exit device (iobase=0xf4) to end QEMU with; halted",
		           code);
	} else {
		guest_outb(0x64, 0xfe); /* i8042 reset: Firecracker stops the VM */
	}
	for (;;)
		__asm__ volatile("cli; hlt");
}

_Noreturn void mica_plat_exit(int code)
{
	net_flush_all();
	virtio_exit(code);
}

/* A CPU exception: the report every Mica guest gives (trapdesc.c), then
 * exit code 255, as mica-hvt does for hvt guests. */
_Noreturn void guest_plat_trap(const struct guest_trap_frame *f)
{
	extern const char _stack_guard[];
	char line[256];
	guest_trap_describe(f, (uintptr_t)_stack_guard, line, sizeof(line));
	virtio_say("%s", line);
	for (unsigned i = 0; i < GUEST_TRAP_REG_LINES; i++) {
		guest_trap_regs(f, i, line, sizeof(line));
		virtio_say("%s", line);
	}
	virtio_exit(VIRTIO_EXIT_FAULT);
}
