#!/usr/bin/env bash
# lint.sh - style and static checks: clang-format (the tree must match
# .clang-format) and cppcheck (warnings are errors). `tools/lint.sh --fix`
# reformats in place instead of checking.
set -euo pipefail
cd "$(dirname "$0")/.."
mapfile -t files < <(git ls-files '*.c' '*.h' | grep -v '^tests/.*/corpus/')
if [ "${1:-}" = --fix ]; then
	clang-format -i "${files[@]}"
	exit 0
fi
bad=()
for f in "${files[@]}"; do
	clang-format --dry-run --Werror "$f" >/dev/null 2>&1 || bad+=("$f")
done
if [ ${#bad[@]} -gt 0 ]; then
	echo "lint: not formatted per .clang-format (run tools/lint.sh --fix):" >&2
	printf '  %s\n' "${bad[@]}" >&2
	exit 1
fi
cppcheck --quiet --error-exitcode=1 --enable=warning,portability --inline-suppr \
	--suppress=missingIncludeSystem --std=c11 "-D_Noreturn=__attribute__((noreturn))" -Iinclude -j2 \
	lib platform apps monitor tools 2>&1
echo "lint: ${#files[@]} files formatted; cppcheck clean"
