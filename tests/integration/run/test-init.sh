#!/bin/bash
# Init=yes: cell's reaper is PID 1, the payload PID 2; orphans are reaped;
# the reaper (cell's own binary) cannot be reached through /proc/1/exe.
. "$(dirname "$0")/lib.sh"

u=$(unit init "[Root]" "Directory=$root" "[Exec]" "Exec=/bin/probe" "Init=yes")

run_cell none "$u"
[ "$status" -eq 0 ] || { cat "$work/err" >&2; fail "cell run exited $status"; }
expect pid "$(field pid)" 2
expect ppid "$(field ppid)" 1
expect NoNewPrivs "$(field NoNewPrivs)" 1

run_cell none "$u" -- /bin/probe orphans 10
expect "orphans status" "$status" 0
expect "orphans" "$(cat "$work/out")" '{"pid": 2, "zombies": 0}'

# CVE-2019-5736: PID 1 runs cell's binary; it must be neither writable nor
# readable (nor its link readable) from the payload, even as root.
run_cell none "$u" -- /bin/probe exe
expect "exe status" "$status" 0
expect "/proc/1/exe" "$(cat "$work/out")" \
        '{"/proc/1/exe": {"write": 13, "read": 13, "link": null}, "/proc/1/exe": {"write": 13, "read": 13, "link": null}}'

# The payload cannot kill the reaper (the kernel drops a SIGKILL sent to
# PID 1 from inside its namespace; other signals are forwarded back).
run_cell none "$u" -- /bin/sh -c 'kill -KILL 1; sleep 0.2; echo alive'
expect "kill 1" "$status" 0
expect "kill 1 output" "$(cat "$work/out")" alive
echo ok
