/* printf.c - snprintf and vsnprintf of the guest C library.
 *
 * Conversions: %d %i %u %x %X %o %s %c %p %%; length modifiers hh h l ll z
 * t j; flags '-' '0' '+' ' ' '#'; width and precision, also as '*'. Output
 * is always NUL-terminated when size > 0; the return value is the length
 * the full output would have had, as in C. */
#include "libc_impl.h"

struct out {
	char *buf;
	size_t size, len;
};

static void put(struct out *o, char c)
{
	if (o->len + 1 < o->size)
		o->buf[o->len] = c;
	o->len++;
}

static void put_n(struct out *o, char c, int n)
{
	while (n-- > 0)
		put(o, c);
}

struct spec {
	bool left, zero, plus, space, alt;
	int width, prec; /* prec < 0: none */
	char len;        /* 'H' hh, 'h', 'l', 'L' ll/j, 'z' size_t/ptrdiff */
	char conv;
};

/* Emit prefix + digits with width, precision and padding rules. */
static void emit_number(struct out *o, const struct spec *sp, const char *prefix, const char *digits,
                        int ndigits)
{
	int plen = (int)LIBC_NAME(strlen)(prefix);
	int zeros = sp->prec > ndigits ? sp->prec - ndigits : 0;
	if (sp->prec == 0 && ndigits == 1 && digits[0] == '0')
		ndigits = 0; /* "%.0d" of 0 prints nothing */
	int total = plen + zeros + ndigits;
	int pad = sp->width > total ? sp->width - total : 0;
	if (!sp->left && !(sp->zero && sp->prec < 0))
		put_n(o, ' ', pad);
	for (int i = 0; i < plen; i++)
		put(o, prefix[i]);
	if (!sp->left && sp->zero && sp->prec < 0)
		put_n(o, '0', pad);
	put_n(o, '0', zeros);
	for (int i = 0; i < ndigits; i++)
		put(o, digits[i]);
	if (sp->left)
		put_n(o, ' ', pad);
}

static void fmt_unsigned(struct out *o, const struct spec *sp, unsigned long long v, bool neg)
{
	char tmp[24];
	int n = 0;
	unsigned base = sp->conv == 'o'                                           ? 8
	                : (sp->conv == 'x' || sp->conv == 'X' || sp->conv == 'p') ? 16
	                                                                          : 10;
	const char *dig = sp->conv == 'X' ? "0123456789ABCDEF" : "0123456789abcdef";
	do {
		tmp[sizeof(tmp) - 1 - n++] = dig[v % base];
		v /= base;
	} while (v);
	const char *prefix = "";
	if (neg)
		prefix = "-";
	else if (sp->plus && (sp->conv == 'd' || sp->conv == 'i'))
		prefix = "+";
	else if (sp->space && (sp->conv == 'd' || sp->conv == 'i'))
		prefix = " ";
	else if (sp->conv == 'p' || (sp->alt && base == 16 && !(n == 1 && tmp[sizeof(tmp) - 1] == '0')))
		prefix = sp->conv == 'X' ? "0X" : "0x";
	else if (sp->alt && base == 8 && tmp[sizeof(tmp) - n] != '0')
		prefix = "0";
	emit_number(o, sp, prefix, tmp + sizeof(tmp) - n, n);
}

static void fmt_string(struct out *o, const struct spec *sp, const char *s)
{
	if (!s)
		s = "(null)";
	int n = 0;
	while (s[n] && (sp->prec < 0 || n < sp->prec))
		n++;
	int pad = sp->width > n ? sp->width - n : 0;
	if (!sp->left)
		put_n(o, ' ', pad);
	for (int i = 0; i < n; i++)
		put(o, s[i]);
	if (sp->left)
		put_n(o, ' ', pad);
}

static const char *parse_spec(const char *f, struct spec *sp, va_list *ap)
{
	*sp = (struct spec){.prec = -1};
	for (;; f++) {
		if (*f == '-')
			sp->left = true;
		else if (*f == '0')
			sp->zero = true;
		else if (*f == '+')
			sp->plus = true;
		else if (*f == ' ')
			sp->space = true;
		else if (*f == '#')
			sp->alt = true;
		else
			break;
	}
	if (*f == '*') {
		sp->width = va_arg(*ap, int);
		if (sp->width < 0) {
			sp->left = true;
			sp->width = -sp->width;
		}
		f++;
	}
	for (; *f >= '0' && *f <= '9'; f++)
		sp->width = sp->width * 10 + (*f - '0');
	if (*f == '.') {
		f++;
		sp->prec = 0;
		if (*f == '*') {
			sp->prec = va_arg(*ap, int);
			f++;
		}
		for (; *f >= '0' && *f <= '9'; f++)
			sp->prec = sp->prec * 10 + (*f - '0');
	}
	if (f[0] == 'h' && f[1] == 'h')
		sp->len = 'H', f += 2;
	else if (f[0] == 'l' && f[1] == 'l')
		sp->len = 'L', f += 2;
	else if (*f == 'h' || *f == 'l')
		sp->len = *f++;
	else if (*f == 'j')
		sp->len = 'L', f++;
	else if (*f == 'z' || *f == 't')
		sp->len = 'z', f++;
	sp->conv = *f;
	return *f ? f + 1 : f;
}

static void fmt_int(struct out *o, const struct spec *sp, va_list *ap)
{
	long long v;
	switch (sp->len) {
	case 'L': v = va_arg(*ap, long long); break;
	case 'l': v = va_arg(*ap, long); break;
	case 'z': v = (long long)va_arg(*ap, ptrdiff_t); break;
	case 'h': v = (short)va_arg(*ap, int); break;
	case 'H': v = (signed char)va_arg(*ap, int); break;
	default: v = va_arg(*ap, int); break;
	}
	unsigned long long u = v < 0 ? 0ull - (unsigned long long)v : (unsigned long long)v;
	fmt_unsigned(o, sp, u, v < 0);
}

static void fmt_uint(struct out *o, const struct spec *sp, va_list *ap)
{
	unsigned long long v;
	switch (sp->len) {
	case 'L': v = va_arg(*ap, unsigned long long); break;
	case 'l': v = va_arg(*ap, unsigned long); break;
	case 'z': v = va_arg(*ap, size_t); break;
	case 'h': v = (unsigned short)va_arg(*ap, unsigned); break;
	case 'H': v = (unsigned char)va_arg(*ap, unsigned); break;
	default: v = va_arg(*ap, unsigned); break;
	}
	fmt_unsigned(o, sp, v, false);
}

int LIBC_NAME(vsnprintf)(char *restrict buf, size_t size, const char *restrict fmt, va_list ap)
{
	struct out o = {buf, size, 0};
	va_list args;
	va_copy(args, ap);
	while (*fmt) {
		if (*fmt != '%') { /* a run of plain characters: one pass */
			size_t len = o.len, lim = size ? size - 1 : 0;
			char c;
			while ((c = *fmt) != '\0' && c != '%') {
				if (len < lim)
					buf[len] = c;
				len++;
				fmt++;
			}
			o.len = len;
			continue;
		}
		struct spec sp;
		fmt = parse_spec(fmt + 1, &sp, &args);
		switch (sp.conv) {
		case 'd':
		case 'i': fmt_int(&o, &sp, &args); break;
		case 'u':
		case 'x':
		case 'X':
		case 'o': fmt_uint(&o, &sp, &args); break;
		case 'p': fmt_unsigned(&o, &sp, (uintptr_t)va_arg(args, void *), false); break;
		case 's': fmt_string(&o, &sp, va_arg(args, const char *)); break;
		case 'c': {
			char c[2] = {(char)va_arg(args, int), 0};
			sp.prec = -1;
			if (c[0] == '\0') { /* a NUL char still counts */
				put_n(&o, ' ', sp.width > 1 && !sp.left ? sp.width - 1 : 0);
				put(&o, '\0');
				put_n(&o, ' ', sp.width > 1 && sp.left ? sp.width - 1 : 0);
			} else {
				fmt_string(&o, &sp, c);
			}
			break;
		}
		case '%': put(&o, '%'); break;
		case '\0': break;
		default: /* unknown conversion: print it as it was */
			put(&o, '%');
			put(&o, sp.conv);
			break;
		}
	}
	va_end(args);
	if (size > 0)
		buf[o.len < size ? o.len : size - 1] = '\0';
	return o.len > 0x7fffffff ? -1 : (int)o.len;
}

int LIBC_NAME(snprintf)(char *restrict buf, size_t size, const char *restrict fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int n = LIBC_NAME(vsnprintf)(buf, size, fmt, ap);
	va_end(ap);
	return n;
}
