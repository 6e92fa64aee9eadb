/* abi_note.c - the image's ABI note (struct mica_hvt_abi_note in
 * hvt_abi.h): which hvt ABI version this image was built for, checked by
 * mica-hvt before boot. An ELF note (SHT_NOTE, `readelf -n` shows it),
 * kept in the image by guest.ld, never loaded into guest memory. Written
 * in assembly because C cannot give a section the note type. */
#include <mica/hvt_abi.h>

#define STR(x) #x
#define XSTR(x) STR(x)

/* clang-format off */
__asm__(".pushsection .note.mica.abi, \"\", @note\n"
        ".balign 4\n"
        ".long 5\n" /* namesz: "Mica" and its NUL */
        ".long 8\n" /* descsz */
        ".long " XSTR(MICA_HVT_NOTE_ABI) "\n"
        ".asciz \"" MICA_HVT_NOTE_NAME "\"\n"
        ".balign 4\n"
        ".long " XSTR(MICA_HVT_ABI_VERSION) "\n"
        ".long " XSTR(MICA_HVT_TARGET_HVT) "\n"
        ".popsection\n");
/* clang-format on */

_Static_assert(sizeof(MICA_HVT_NOTE_NAME) == 5, "the note above hard-codes namesz 5");
