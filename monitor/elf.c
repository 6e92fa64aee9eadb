/* elf.c - load a guest image: a static ELF64 x86-64 executable.
 *
 * Everything in the file is checked before a byte is trusted; each kind of
 * bad image gets its own message: not ELF, wrong class/byte order/machine/
 * type, truncated headers or segment data, a segment outside the guest's
 * usable memory, W+X segments, overlapping segments, an entry point outside
 * text, an ABI note missing or for another version. Every range is checked
 * with overflow-safe arithmetic (inside()). The device manifest is read
 * from the section ".mica.manifest", the address of the guest's exception
 * stubs from ".mica.traps", the ABI version from the note ".note.mica.abi". */
#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "hvt.h"

#define IMAGE_MAX_BYTES (256u << 20)
#define PAGE 4096ull

struct file {
	const char *path;
	uint8_t *data;
	size_t size;
};

/* [start, start + len) lies inside [lo, hi), without overflow. */
static bool inside(uint64_t start, uint64_t len, uint64_t lo, uint64_t hi)
{
	return lo <= hi && start >= lo && start <= hi && len <= hi - start;
}

static int bad(const struct file *f, const char *what)
{
	hvt_err("%s: %s", f->path, what);
	return -1;
}

static int read_file(struct file *f)
{
	int fd = open(f->path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		hvt_err("%s: cannot open image: %s", f->path, strerror(errno));
		return -1;
	}
	struct stat st;
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode) || st.st_size > IMAGE_MAX_BYTES) {
		close(fd);
		return bad(f, "not a regular file of at most 256 MiB");
	}
	f->size = (size_t)st.st_size;
	f->data = malloc(f->size ? f->size : 1);
	size_t got = 0;
	while (f->data && got < f->size) {
		ssize_t n = read(fd, f->data + got, f->size - got);
		if (n <= 0)
			break;
		got += (size_t)n;
	}
	close(fd);
	if (!f->data || got != f->size)
		return bad(f, "cannot read image");
	return 0;
}

static int check_header(const struct file *f, const Elf64_Ehdr *eh)
{
	if (f->size < SELFMAG || memcmp(f->data, ELFMAG, SELFMAG) != 0)
		return bad(f, "not an ELF file (no ELF magic number; is it a text file?)");
	if (f->size > EI_CLASS && f->data[EI_CLASS] == ELFCLASS32)
		return bad(f, "is a 32-bit ELF (ELFCLASS32); mica-hvt runs 64-bit x86-64 images only");
	if (f->size < sizeof(*eh))
		return bad(f, "truncated ELF: file is shorter than the ELF header");
	if (eh->e_ident[EI_CLASS] != ELFCLASS64)
		return bad(f, "unknown ELF class; mica-hvt runs 64-bit x86-64 images only");
	if (eh->e_ident[EI_DATA] != ELFDATA2LSB)
		return bad(f, "not a little-endian ELF");
	if (eh->e_machine != EM_X86_64)
		return bad(f, "not an x86-64 ELF (wrong e_machine)");
	if (eh->e_type != ET_EXEC)
		return bad(f, "not a static executable (ET_EXEC); PIE and shared objects are refused");
	if (eh->e_phentsize != sizeof(Elf64_Phdr) || eh->e_phnum == 0)
		return bad(f, "ELF has no usable program headers");
	if (!inside(eh->e_phoff, (uint64_t)eh->e_phnum * sizeof(Elf64_Phdr), 0, f->size))
		return bad(f, "truncated ELF: program headers extend past the end of the file");
	return 0;
}

static enum hvt_perm seg_perm(uint32_t flags)
{
	if (flags & PF_X)
		return PERM_RX;
	return (flags & PF_W) ? PERM_RW : PERM_R;
}

/* Check one PT_LOAD header and add it to the image. */
static int add_segment(struct hvt *h, const struct file *f, const Elf64_Phdr *ph, unsigned idx)
{
	struct hvt_image *img = &h->img;
	uint64_t limit = h->heap_end;
	char msg[256];
	if (img->nsegs == HVT_MAX_SEGS)
		return bad(f, "too many loadable segments");
	if (ph->p_filesz > ph->p_memsz)
		return bad(f, "segment file size larger than its memory size");
	if (!inside(ph->p_offset, ph->p_filesz, 0, f->size)) {
		snprintf(msg, sizeof(msg),
		         "truncated ELF: segment %u data (offset 0x%llx, 0x%llx bytes) "
		         "extends past the end of the file (0x%zx bytes)",
		         idx, (unsigned long long)ph->p_offset, (unsigned long long)ph->p_filesz, f->size);
		return bad(f, msg);
	}
	if ((ph->p_flags & PF_W) && (ph->p_flags & PF_X)) {
		snprintf(msg, sizeof(msg), "segment %u is both writable and executable (W^X refused)", idx);
		return bad(f, msg);
	}
	if (!inside(ph->p_vaddr, ph->p_memsz, MICA_HVT_IMAGE_BASE, limit)) {
		snprintf(msg, sizeof(msg),
		         "segment %u at 0x%llx (0x%llx bytes) is outside guest memory "
		         "(the image must fit in [0x%llx, 0x%llx) with --mem=%llu MiB)",
		         idx, (unsigned long long)ph->p_vaddr, (unsigned long long)ph->p_memsz,
		         (unsigned long long)MICA_HVT_IMAGE_BASE, (unsigned long long)limit,
		         (unsigned long long)(h->mem_size >> 20));
		return bad(f, msg);
	}
	struct hvt_seg s = {
	    .start = ph->p_vaddr & ~(PAGE - 1),
	    .end = (ph->p_vaddr + ph->p_memsz + PAGE - 1) & ~(PAGE - 1),
	    .vaddr = ph->p_vaddr,
	    .filesz = ph->p_filesz,
	    .memsz = ph->p_memsz,
	    .offset = ph->p_offset,
	    .perm = seg_perm(ph->p_flags),
	};
	for (unsigned i = 0; i < img->nsegs; i++) {
		if (s.start < img->segs[i].end && img->segs[i].start < s.end) {
			snprintf(msg, sizeof(msg),
			         "segments overlap: segment %u [0x%llx, 0x%llx) shares "
			         "pages with an earlier one [0x%llx, 0x%llx)",
			         idx, (unsigned long long)s.vaddr, (unsigned long long)(s.vaddr + s.memsz),
			         (unsigned long long)img->segs[i].vaddr,
			         (unsigned long long)(img->segs[i].vaddr + img->segs[i].memsz));
			return bad(f, msg);
		}
	}
	img->segs[img->nsegs++] = s;
	if (s.end > img->end)
		img->end = s.end;
	return 0;
}

/* [addr, addr + len) inside one executable segment (segments were
 * checked to lie in guest memory, so vaddr + memsz does not wrap). */
static bool in_text(const struct hvt_image *img, uint64_t addr, uint64_t len)
{
	for (unsigned i = 0; i < img->nsegs; i++) {
		const struct hvt_seg *s = &img->segs[i];
		if (s->perm == PERM_RX && inside(addr, len, s->vaddr, s->vaddr + s->memsz))
			return true;
	}
	return false;
}

static int check_entry(const struct file *f, const struct hvt_image *img)
{
	if (in_text(img, img->entry, 1))
		return 0;
	char msg[128];
	snprintf(msg, sizeof(msg), "entry point 0x%llx is outside the text (no executable segment holds it)",
	         (unsigned long long)img->entry);
	return bad(f, msg);
}

/* Parse "net:NAME\0block:NAME\0\0" from the .mica.manifest section. */
static int parse_manifest(struct hvt_image *img, const struct file *f, const uint8_t *p, size_t n)
{
	size_t i = 0;
	while (i < n && p[i] != '\0') {
		size_t len = strnlen((const char *)p + i, n - i);
		if (i + len >= n)
			return bad(f, "malformed .mica.manifest (unterminated entry)");
		if (img->nmanifest == MICA_HVT_MAX_DEVICES || len >= sizeof(img->manifest[0]))
			return bad(f, "malformed .mica.manifest (too many devices or name too long)");
		memcpy(img->manifest[img->nmanifest++], p + i, len + 1);
		i += len + 1;
	}
	return 0;
}

/* Find a section by name; 0 with *data = NULL if absent, -1 if broken. */
static int find_section(const struct file *f, const Elf64_Ehdr *eh, const char *name, const uint8_t **data,
                        size_t *size)
{
	*data = NULL;
	if (eh->e_shoff == 0 || eh->e_shnum == 0)
		return 0;
	if (eh->e_shentsize != sizeof(Elf64_Shdr) ||
	    !inside(eh->e_shoff, (uint64_t)eh->e_shnum * sizeof(Elf64_Shdr), 0, f->size) ||
	    eh->e_shstrndx >= eh->e_shnum)
		return bad(f, "truncated ELF: section headers extend past the end of the file");
	Elf64_Shdr sh, strs;
	memcpy(&strs, f->data + eh->e_shoff + eh->e_shstrndx * sizeof(Elf64_Shdr), sizeof(strs));
	if (!inside(strs.sh_offset, strs.sh_size, 0, f->size))
		return bad(f, "truncated ELF: section names extend past the end of the file");
	size_t want = strlen(name) + 1;
	for (unsigned i = 0; i < eh->e_shnum; i++) {
		memcpy(&sh, f->data + eh->e_shoff + i * sizeof(Elf64_Shdr), sizeof(sh));
		if (!inside(sh.sh_name, want, 0, strs.sh_size) ||
		    memcmp(f->data + strs.sh_offset + sh.sh_name, name, want) != 0)
			continue;
		if (sh.sh_type == SHT_NOBITS || !inside(sh.sh_offset, sh.sh_size, 0, f->size))
			return bad(f, "truncated ELF: a section extends past the end of the file");
		*data = f->data + sh.sh_offset;
		*size = sh.sh_size;
		return 0;
	}
	return 0;
}

/* The ABI note (hvt_abi.h): present, well-formed, for hvt and for the
 * ABI version this monitor runs. */
static int check_abi_note(const struct file *f, const Elf64_Ehdr *eh)
{
	const uint8_t *p;
	size_t n;
	struct mica_hvt_abi_note note;
	char msg[320];
	if (find_section(f, eh, ".note.mica.abi", &p, &n) < 0)
		return -1;
	if (!p)
		return bad(f, "no Mica ABI note (section .note.mica.abi): not a Mica hvt image, or one "
		              "built before images carried it; rebuild it with ./mica build -t hvt");
	if (n < sizeof(note))
		return bad(f, "malformed Mica ABI note (.note.mica.abi too short)");
	memcpy(&note, p, sizeof(note));
	if (note.namesz != sizeof(MICA_HVT_NOTE_NAME) || note.descsz < 8 || note.type != MICA_HVT_NOTE_ABI ||
	    memcmp(note.name, MICA_HVT_NOTE_NAME, sizeof(MICA_HVT_NOTE_NAME)) != 0)
		return bad(f, "malformed Mica ABI note (.note.mica.abi: wrong owner, type or size)");
	if (note.target != MICA_HVT_TARGET_HVT) {
		snprintf(msg, sizeof(msg), "built for another Mica target (ABI note target %u), not hvt",
		         note.target);
		return bad(f, msg);
	}
	if (note.abi_version != MICA_HVT_ABI_VERSION) {
		snprintf(msg, sizeof(msg),
		         "built for hvt ABI version %u, but this mica-hvt runs version %u: rebuild the "
		         "image with this Mica tree, or run it with the monitor of its own tree",
		         note.abi_version, (unsigned)MICA_HVT_ABI_VERSION);
		return bad(f, msg);
	}
	return 0;
}

/* Sections for the monitor: the device manifest and the exception stubs. */
static int read_sections(struct hvt_image *img, const struct file *f, const Elf64_Ehdr *eh)
{
	const uint8_t *p;
	size_t n;
	if (find_section(f, eh, ".mica.manifest", &p, &n) < 0)
		return -1;
	if (p && parse_manifest(img, f, p, n) < 0)
		return -1;
	if (find_section(f, eh, ".mica.traps", &p, &n) < 0)
		return -1;
	if (p) {
		if (n != sizeof(uint64_t))
			return bad(f, "malformed .mica.traps (expected one 64-bit address)");
		memcpy(&img->trap_stubs, p, sizeof(uint64_t));
		if (!in_text(img, img->trap_stubs, 32 * 16)) {
			char msg[160];
			snprintf(msg, sizeof(msg),
			         ".mica.traps: the exception stubs [0x%llx, +512) are not inside the text",
			         (unsigned long long)img->trap_stubs);
			return bad(f, msg);
		}
	}
	return 0;
}

int hvt_elf_load(struct hvt *h)
{
	struct file f = {.path = h->image_path};
	Elf64_Ehdr eh;
	int rc = read_file(&f);
	if (rc == 0) {
		memcpy(&eh, f.data, f.size < sizeof(eh) ? f.size : sizeof(eh));
		rc = check_header(&f, &eh);
	}
	if (rc == 0) /* first: a mismatch would make the other checks misleading */
		rc = check_abi_note(&f, &eh);
	for (unsigned i = 0; rc == 0 && i < eh.e_phnum; i++) {
		Elf64_Phdr ph;
		memcpy(&ph, f.data + eh.e_phoff + i * sizeof(ph), sizeof(ph));
		if (ph.p_type == PT_INTERP || ph.p_type == PT_DYNAMIC)
			rc = bad(&f, "dynamically linked images are refused (PT_INTERP/PT_DYNAMIC)");
		else if (ph.p_type == PT_LOAD && ph.p_memsz > 0)
			rc = add_segment(h, &f, &ph, i);
	}
	if (rc == 0 && h->img.nsegs == 0)
		rc = bad(&f, "ELF has no loadable segments");
	if (rc == 0) {
		h->img.entry = eh.e_entry;
		rc = check_entry(&f, &h->img);
	}
	if (rc == 0)
		rc = read_sections(&h->img, &f, &eh);
	for (unsigned i = 0; rc == 0 && i < h->img.nsegs; i++) {
		const struct hvt_seg *s = &h->img.segs[i];
		memcpy(h->mem + s->vaddr, f.data + s->offset, s->filesz);
	}
	free(f.data);
	return rc;
}
