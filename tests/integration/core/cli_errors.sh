#!/usr/bin/env bash
# Bad input to ./mica and to boot arguments: one clear line, documented exit code.
# timeout: 120
. "$(dirname "$0")/../lib.sh"
expect() {  # expect CODE PATTERN CMD...
	local code=$1 pat=$2; shift 2
	set +e; out=$("$@" 2>&1); rc=$?; set -e
	[ "$rc" -eq "$code" ] || fail "'$*' exited $rc, want $code: $out"
	grep -qi -- "$pat" <<<"$out" || fail "'$*' said '$out', want /$pat/"
	echo "ok: $* -> $rc: $(tail -1 <<<"$out")"
}
expect 2 "unknown target 'vax'" ./mica build apps/hello -t vax
expect 2 "no app directory 'apps/nope'" ./mica build apps/nope -t unix
expect 2 "not an app" ./mica build docs -t unix
expect 2 "unknown key 'COLOR'" ./mica build apps/hello -t unix COLOR=red
expect 2 "bad key 'lower'" ./mica build apps/hello -t unix lower=1
expect 2 "missing -t" ./mica build apps/hello
expect 2 "unknown command" ./mica frobnicate apps/hello
expect 64 "bad boot argument '--nope=1': unknown argument" ./mica run apps/hello -t unix -- --nope=1
expect 64 "'--exit=x': expected an integer" ./mica run apps/hello -t unix -- --exit=x
expect 64 "'--exit=300': out of range" ./mica run apps/hello -t unix -- --exit=300
expect 64 "bad boot argument '--log=loud'" ./mica run apps/hello -t unix -- --log=loud
expect 64 "expected --key=value" ./mica run apps/hello -t unix -- stray
expect 0 "--exit=N" ./mica run apps/hello -t unix -- --help
# The image path is the last line of a build.
img=$(./mica build apps/hello -t unix | tail -1)
[ -x "$img" ] || fail "last line of build is not an image: $img"
