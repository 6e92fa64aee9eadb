#!/usr/bin/env bash
# bad-images.sh - mica-hvt refuses malformed images, each with its own
# message, before creating a VM (exit code 2): also field values chosen to
# wrap 64-bit arithmetic, and a missing or mismatched ABI note.
# timeout: 60
. "$(dirname "$0")/common.sh"
set -e
img=$(build_guest apps/hello)

# patch FILE OFFSET FORMAT VALUE: overwrite a field (little-endian).
patch() {
	python3 -c 'import struct,sys; f=open(sys.argv[1],"r+b"); f.seek(int(sys.argv[2])); f.write(struct.pack(sys.argv[3], int(sys.argv[4],0)))' "$@"
}
# phdr FILE N FIELD-OFFSET: file offset of a field of program header N.
phdr() { python3 -c 'import struct,sys; d=open(sys.argv[1],"rb").read(); off=struct.unpack_from("<Q",d,32)[0]; print(off+56*int(sys.argv[2])+int(sys.argv[3]))' "$@"; }

echo "this is not an image" > "$TMP/text"
run_mon "$TMP/text"
expect 2 'not an ELF file'

cp "$img" "$TMP/elf32"; patch "$TMP/elf32" 4 '<B' 1
run_mon "$TMP/elf32"
expect 2 'is a 32-bit ELF'

head -c 300 "$img" > "$TMP/trunc"
run_mon "$TMP/trunc"
expect 2 'truncated ELF'
head -c 40 "$img" > "$TMP/trunc2"
run_mon "$TMP/trunc2"
expect 2 'truncated ELF: file is shorter than the ELF header'

cp "$img" "$TMP/far"; patch "$TMP/far" "$(phdr "$TMP/far" 2 16)" '<Q' 0x40000000
run_mon --mem=16 "$TMP/far"
expect 2 'segment 2 at 0x40000000 \(0x[0-9a-f]+ bytes\) is outside guest memory'

cp "$img" "$TMP/overlap"; patch "$TMP/overlap" "$(phdr "$TMP/overlap" 1 16)" '<Q' 0x100800
run_mon "$TMP/overlap"
expect 2 'segments overlap'

cp "$img" "$TMP/entry"; patch "$TMP/entry" 24 '<Q' "$(python3 -c 'import struct,sys; d=open(sys.argv[1],"rb").read(); off=struct.unpack_from("<Q",d,32)[0]; print(struct.unpack_from("<Q",d,off+56*1+16)[0])' "$img")"
run_mon "$TMP/entry"
expect 2 'entry point 0x[0-9a-f]+ is outside the text'

cp "$img" "$TMP/wx"; patch "$TMP/wx" "$(phdr "$TMP/wx" 2 4)" '<I' 7
run_mon "$TMP/wx"
expect 2 'both writable and executable'

# section FILE NAME: file offset of section NAME's data.
section() {
	python3 - "$@" <<'PY'
import struct, sys
d = open(sys.argv[1], "rb").read()
shoff, = struct.unpack_from("<Q", d, 40)
shnum, shstrndx = struct.unpack_from("<HH", d, 60)
def sh(i):
    return struct.unpack_from("<IIQQQQ", d, shoff + 64 * i)
strs = sh(shstrndx)[4]
for i in range(shnum):
    name, _, _, _, off, _ = sh(i)
    if d[strs + name:].split(b"\0")[0].decode() == sys.argv[2]:
        print(off)
PY
}

# Exception stubs far above the text: "stubs - end of text" must not wrap
# into a large unsigned number and pass.
for addr in 0xffffffffffff0000 0xfffffffffffffff0 0x7fffffffffffffff; do
	cp "$img" "$TMP/traps"; patch "$TMP/traps" "$(section "$TMP/traps" .mica.traps)" '<Q' $addr
	run_mon "$TMP/traps"
	expect 2 'mica.traps: the exception stubs .* are not inside the text'
done
# Stubs that start in the text but run past its end.
end=$(python3 -c 'import struct,sys; d=open(sys.argv[1],"rb").read(); off=struct.unpack_from("<Q",d,32)[0]; v,m=struct.unpack_from("<QQ",d,off+16)[0],struct.unpack_from("<Q",d,off+40)[0]; print(v+m)' "$img")
cp "$img" "$TMP/traps"; patch "$TMP/traps" "$(section "$TMP/traps" .mica.traps)" '<Q' $((end - 256))
run_mon "$TMP/traps"
expect 2 'mica.traps: the exception stubs .* are not inside the text'
# A segment whose end wraps around 2^64.
cp "$img" "$TMP/wrap"; patch "$TMP/wrap" "$(phdr "$TMP/wrap" 2 40)" '<Q' 0xffffffffffffff00
run_mon "$TMP/wrap"
expect 2 'segment 2 at 0x[0-9a-f]+ \(0xffffffffffffff00 bytes\) is outside guest memory'

# The ABI note: missing, another version, another target, malformed.
cp "$img" "$TMP/nonote"; objcopy --remove-section .note.mica.abi "$TMP/nonote"
run_mon "$TMP/nonote"
expect 2 'no Mica ABI note \(section .note.mica.abi\)'
note=$(section "$img" .note.mica.abi)
cp "$img" "$TMP/abi1"; patch "$TMP/abi1" $((note + 20)) '<I' 1
run_mon "$TMP/abi1"
expect 2 'built for hvt ABI version 1, but this mica-hvt runs version [0-9]+: rebuild the image'
cp "$img" "$TMP/target"; patch "$TMP/target" $((note + 24)) '<I' 9
run_mon "$TMP/target"
expect 2 'built for another Mica target \(ABI note target 9\), not hvt'
cp "$img" "$TMP/owner"; patch "$TMP/owner" $((note + 12)) '<I' 0x61636978
run_mon "$TMP/owner"
expect 2 'malformed Mica ABI note'
readelf -n "$img" | grep -q 'Mica' || fail "readelf -n does not show the ABI note"

run_mon "$TMP/no-such-file"
expect 2 'cannot open image'
echo PASS
