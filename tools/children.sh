# children.sh - sourced, not run: signal only this shell's own children,
# and only while they run. Bash reaps a child the moment it exits, and with
# pid_max at 32768 (as on these machines) its PID soon belongs to another
# process - once, a fuzzer in the other test lane. So a script never
# signals a PID it merely remembers.
#   child_running PID        PID is a background job of this shell that has
#                            not ended (bash's job table, not the PID)
#   kill_child PID [SIGNAL]  send SIGNAL (default TERM) if it is
# Both work in the shell that started the child, not in a subshell of it.

child_running() {
	local running
	[ -n "$1" ] || return 1
	running=$(jobs -pr)
	[[ $'\n'$running$'\n' == *$'\n'"$1"$'\n'* ]]
}

kill_child() {
	if child_running "$1"; then kill -"${2:-TERM}" "$1" 2>/dev/null || true; fi
}
