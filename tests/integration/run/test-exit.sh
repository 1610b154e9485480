#!/bin/bash
# Exit status: the payload's own; 128+N when it died of signal N; the same
# through the Init=yes reaper; ARGS after "--" replace Exec=.
. "$(dirname "$0")/lib.sh"

u=$(unit exit "[Root]" "Directory=$root" "[Exec]" "Exec=/bin/probe exit 3")
run_cell none "$u"
expect "Exec= status" "$status" 3

run_cell none "$u" -- /bin/sh -c 'exit 42'
expect "status of ARGS" "$status" 42

run_cell none "$u" -- /bin/true
expect "status 0" "$status" 0

# A SIGCHLD its caller ignores would have the kernel reap the payload behind
# cell's back (SIG_IGN means no zombie): its status comes back all the same.
# (Through a bash -c of its own: timeout(1) sets a handler, dash refuses.)
status=0
timeout 20 bash -c 'trap "" CHLD; exec "$0" run --cgroup-manager=none "$1"' "$CELL" "$u" \
        >"$work/out" 2>"$work/err" || status=$?
[ "$status" -eq 3 ] || cat "$work/err" >&2
expect "Exec= status, SIGCHLD ignored by the caller" "$status" 3

# A real fault kills even a PID 1.
run_cell none "$u" -- /bin/probe kill 11
expect "SIGSEGV" "$status" 139

ui=$(unit exit-init "[Root]" "Directory=$root" "[Exec]" "Exec=/bin/probe exit 5" "Init=yes")
run_cell none "$ui"
expect "Init=yes status" "$status" 5
run_cell none "$ui" -- /bin/probe kill 9
expect "Init=yes SIGKILL" "$status" 137
run_cell none "$ui" -- /bin/probe kill 15
expect "Init=yes SIGTERM" "$status" 143
echo ok
