/* csprng.c - ChaCha20 block function and a fast-key-erasure generator
 * (see include/mica/csprng.h). One block per 32 bytes of output: about
 * 1,400 guest instructions for the block and 300 around it, which matters
 * on software-emulated guests, so callers draw what they need in few calls
 * (e.g. a 16-byte secret once, then SipHash under it). */
#include <mica/csprng.h>

static inline uint32_t rotl(uint32_t v, int n)
{
	return v << n | v >> (32 - n);
}

#define QR(a, b, c, d)                           \
	do {                                     \
		a += b, d ^= a, d = rotl(d, 16); \
		c += d, b ^= c, b = rotl(b, 12); \
		a += b, d ^= a, d = rotl(d, 8);  \
		c += d, b ^= c, b = rotl(b, 7);  \
	} while (0)

/* The 16 output words of one block (before serialisation). */
static void block_words(const uint32_t key[8], uint32_t counter, const uint32_t nonce[3], uint32_t x[16])
{
	const uint32_t in[16] = {0x61707865, 0x3320646e, 0x79622d32, 0x6b206574, key[0], key[1],
	                         key[2],     key[3],     key[4],     key[5],     key[6], key[7],
	                         counter,    nonce[0],   nonce[1],   nonce[2]};
	for (int i = 0; i < 16; i++)
		x[i] = in[i];
	for (int round = 0; round < 10; round++) {
		QR(x[0], x[4], x[8], x[12]);
		QR(x[1], x[5], x[9], x[13]);
		QR(x[2], x[6], x[10], x[14]);
		QR(x[3], x[7], x[11], x[15]);
		QR(x[0], x[5], x[10], x[15]);
		QR(x[1], x[6], x[11], x[12]);
		QR(x[2], x[7], x[8], x[13]);
		QR(x[3], x[4], x[9], x[14]);
	}
	for (int i = 0; i < 16; i++)
		x[i] += in[i];
}

/* Little-endian bytes of n words. */
static void put_words(uint8_t *out, const uint32_t *w, int n)
{
	for (int i = 0; i < n; i++) {
		out[4 * i] = (uint8_t)w[i];
		out[4 * i + 1] = (uint8_t)(w[i] >> 8);
		out[4 * i + 2] = (uint8_t)(w[i] >> 16);
		out[4 * i + 3] = (uint8_t)(w[i] >> 24);
	}
}

static void wipe_words(uint32_t *w, int n)
{
	volatile uint32_t *v = w;
	for (int i = 0; i < n; i++)
		v[i] = 0;
}

static void wipe_bytes(uint8_t *p, size_t n)
{
	volatile uint8_t *v = p;
	for (size_t i = 0; i < n; i++)
		v[i] = 0;
}

void mica_chacha20_block(const uint32_t key[8], uint32_t counter, const uint32_t nonce[3], uint8_t out[64])
{
	uint32_t x[16];
	block_words(key, counter, nonce, x);
	put_words(out, x, 16);
	wipe_words(x, 16);
}

/* One block under the current key: the first half is the next key, the
 * second half (when out is given) fresh output. */
static void rekey(struct mica_csprng *g, const uint32_t nonce[3], uint8_t *out)
{
	uint32_t x[16];
	block_words(g->key, 0, nonce, x);
	for (int i = 0; i < 8; i++)
		g->key[i] = x[i];
	if (out)
		put_words(out, x + 8, 8);
	wipe_words(x, 16);
}

void mica_csprng_seed(struct mica_csprng *g, const uint8_t seed[MICA_CSPRNG_SEED_LEN])
{
	for (int i = 0; i < 8; i++)
		g->key[i] = (uint32_t)seed[4 * i] | (uint32_t)seed[4 * i + 1] << 8 |
		            (uint32_t)seed[4 * i + 2] << 16 | (uint32_t)seed[4 * i + 3] << 24;
	wipe_bytes(g->out, sizeof(g->out));
	g->avail = 0;
	g->seeded = 1;
}

void mica_csprng_mix(struct mica_csprng *g, const uint32_t input[3])
{
	rekey(g, input, NULL);
	wipe_bytes(g->out, sizeof(g->out));
	g->avail = 0;
}

void mica_csprng_fill(struct mica_csprng *g, void *buf, size_t len)
{
	static const uint32_t zero_nonce[3] = {0, 0, 0};
	uint8_t *p = buf;
	while (len > 0) {
		if (g->avail == 0) {
			rekey(g, zero_nonce, g->out);
			g->avail = sizeof(g->out);
		}
		size_t n = len < g->avail ? len : g->avail;
		volatile uint8_t *src = g->out + sizeof(g->out) - g->avail;
		for (size_t i = 0; i < n; i++) {
			p[i] = src[i];
			src[i] = 0; /* handed out: gone from the state */
		}
		g->avail -= (uint32_t)n;
		p += n;
		len -= n;
	}
}
