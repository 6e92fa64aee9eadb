/* entropy.c - a test guest for mica_plat_random on hvt
 * (tests/integration/hvt/entropy.sh). Prints:
 *   cpuid-rdrand=0|1     what the monitor's CPUID says
 *   rdrand=ok|fail HEX   RDRAND run directly (only when CPUID shows it:
 *                        proves this KVM runs the instruction)
 *   random=HEX           64 bytes of mica_plat_random
 *   seed=wiped|left      whether the boot seed was erased after use
 * and exits 0, or 1 when mica_plat_random failed. */
#include <mica/app.h>
#include <mica/hvt_abi.h>
#include <mica/log.h>
#include <mica/platform.h>

static void print_hex(const char *label, const uint8_t *p, size_t n)
{
	char hex[2 * 64 + 1];
	for (size_t i = 0; i < n && i < 64; i++) {
		hex[2 * i] = "0123456789abcdef"[p[i] >> 4];
		hex[2 * i + 1] = "0123456789abcdef"[p[i] & 15];
	}
	hex[2 * (n < 64 ? n : 64)] = '\0';
	mica_printf("%s=%s\n", label, hex);
}

static void try_rdrand(void)
{
	uint32_t a = 1, b, c = 0, d;
	__asm__ volatile("cpuid" : "+a"(a), "=b"(b), "+c"(c), "=d"(d));
	bool has = (c >> 30) & 1;
	mica_printf("cpuid-rdrand=%d\n", has);
	if (!has)
		return;
	uint64_t v = 0;
	uint8_t ok = 0;
	__asm__ volatile("rdrand %0; setc %1" : "=r"(v), "=qm"(ok) : : "cc");
	mica_printf("rdrand=%s %llx\n", ok ? "ok" : "fail", (unsigned long long)v);
}

static int start(struct mica_loop *loop)
{
	(void)loop;
	try_rdrand();
	uint8_t buf[64];
	int rc = mica_plat_random(buf, sizeof(buf));
	if (rc < 0) {
		mica_printf("random: error %d\n", rc);
		return 1;
	}
	print_hex("random", buf, sizeof(buf));
	const struct mica_hvt_boot_info *bi = (const void *)(uintptr_t)MICA_HVT_BOOT_INFO_ADDR;
	const volatile uint8_t *seed = (const volatile uint8_t *)(uintptr_t)bi->seed;
	bool wiped = seed != 0;
	for (int i = 0; seed && i < MICA_HVT_SEED_LEN; i++)
		wiped = wiped && seed[i] == 0;
	mica_printf("seed=%s\n", wiped ? "wiped" : "left");
	mica_plat_exit(0);
}

const struct mica_app mica_app = {
    .name = "entropy",
    .summary = "print what mica_plat_random and RDRAND give (hvt tests)",
    .start = start,
};
