# common.sh - helpers of the apps/www tests (sourced, never run).
#   www_site DIR [BIG_KB] [small]   the test site (make-site.sh) in DIR
#   www_build TARGET DIR [KEY=VALUE...]   ./mica build apps/www with SITE=DIR; prints the image
WWW_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../../.." && pwd)

www_site() {
	bash "$WWW_ROOT/tests/integration/www/make-site.sh" "$@" || { echo "FAIL: cannot make the test site"; exit 1; }
}

www_build() {
	local target=$1 site=$2 img
	shift 2
	img=$(cd "$WWW_ROOT" && ./mica build apps/www -t "$target" SITE="$site" "$@" | tail -1)
	if [ -z "$img" ] || [ ! -x "$img" ]; then
		echo "FAIL: ./mica build apps/www -t $target SITE=$site $* failed" >&2
		return 1
	fi
	echo "$img"
}

# wait_http HOST PORT [SECONDS] [NETNS-PREFIX...]: until a GET / answers.
wait_http() {
	local host=$1 port=$2 secs=${3:-10} i
	shift 3 || shift $#
	for ((i = 0; i < secs * 10; i++)); do
		"$@" curl -s -o /dev/null --max-time 1 "http://$host:$port/" && return 0
		sleep 0.1
	done
	return 1
}
