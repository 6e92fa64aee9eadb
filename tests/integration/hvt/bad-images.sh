#!/usr/bin/env bash
# bad-images.sh - mica-hvt refuses malformed images, each with its own
# message, before creating a VM (exit code 2).
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
expect 2 'segment 2 \[0x40000000, .*\) is outside guest memory'

cp "$img" "$TMP/overlap"; patch "$TMP/overlap" "$(phdr "$TMP/overlap" 1 16)" '<Q' 0x100800
run_mon "$TMP/overlap"
expect 2 'segments overlap'

cp "$img" "$TMP/entry"; patch "$TMP/entry" 24 '<Q' "$(python3 -c 'import struct,sys; d=open(sys.argv[1],"rb").read(); off=struct.unpack_from("<Q",d,32)[0]; print(struct.unpack_from("<Q",d,off+56*1+16)[0])' "$img")"
run_mon "$TMP/entry"
expect 2 'entry point 0x[0-9a-f]+ is outside the text'

cp "$img" "$TMP/wx"; patch "$TMP/wx" "$(phdr "$TMP/wx" 2 4)" '<I' 7
run_mon "$TMP/wx"
expect 2 'both writable and executable'

run_mon "$TMP/no-such-file"
expect 2 'cannot open image'
echo PASS
