#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# cell exec of a cell whose PID 1 exits between its lookup and the join (the
# kernel's ESRCH, injected with strace): the cell is not running (exit 3,
# cell(1), LIFECYCLE EXIT STATUS), as cell kill says of a PID 1 that ended
# meanwhile; it was cell's failure (2): "pidfd_open(N): No such process",
# "Joining the namespaces of PID N: No such process"; the message names the
# step that found it out. Rootless for the
# pidfd; the reads of /proc that follow (to see cell exec's fds) and the join
# (a PID 1 with a root and a UTS namespace of its own) need root, and skip
# without.
#
#   test-exec-gone.sh CELL
set -u

cell=$1
. "$(dirname "$0")/lib.sh"

if ! command -v strace >/dev/null || ! strace -o /dev/null -e inject=getpid:retval=1 true 2>/dev/null; then
        echo "SKIP: no strace that injects errors here"
        exit 77
fi
# (LeakSanitizer cannot run under ptrace: off, in the ASan build.)
export ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0"
# No seccomp cache of the host's written by a test.
export CELL_SECCOMP_CACHE=0

mkdir -p "$tmp/root"
printf '[Root]\nDirectory=%s\n[Exec]\nExec=/bin/true\n' "$tmp/root" > "$CELL_UNIT_PATH/web.cell"
fake_running web "$CELL_UNIT_PATH/web.cell"

# kill_sleeper_when TRACER TRIES TEST: polls, every 50 ms, TRIES times at
# most, the processes strace (PID TRACER) runs; once "TEST PID" holds for one,
# kills the stand-in PID 1 and reaps it, and sets killed=1.
kill_sleeper_when() {
        local pid
        killed=
        for _ in $(seq "$2"); do
                for pid in $(cat "/proc/$1/task/$1/children" 2>/dev/null); do
                        if "$3" "$pid"; then
                                kill "$sleeper"
                                wait "$sleeper" 2>/dev/null
                                killed=1
                        fi
                done
                [ -n "$killed" ] && return
                sleep 0.05
        done
}

# exec_gone SYSCALL STEP: cell exec web, SYSCALL failing with ESRCH, exits 3,
# saying so and naming the step.
exec_gone() {
        expect 3 "exec web, $1 failing with ESRCH" -- \
                strace -o /dev/null -e trace="$1" -e inject="$1":error=ESRCH "$cell" exec web /bin/true
        grep -qF "exited meanwhile ($2: No such process)." "$tmp/err" &&
        grep -q "cell web is not running: its PID 1 ([0-9]*) exited meanwhile" "$tmp/err" ||
                fail "exec web, $1 failing with ESRCH: $(cat "$tmp/err")"
}
exec_gone pidfd_open pidfd_open

# Its PID 1 exits after it is pinned and its start time read, before its
# namespaces, root and cgroups are: each close of its /proc/PID/stat held
# for 3 s (strace), the PID 1 killed and reaped during the one after the
# pidfd_open. It was cell's failure (2): "Reading the namespaces of PID N:
# No such file or directory".
# (cell exec is not dumpable: only root sees its fds, which say when.)
if [ "$(id -u)" != 0 ]; then
        echo "skipped in part: exec web whose PID 1 ends after its start time is read (not root)"
else
        strace -f -o /dev/null -P "/proc/$sleeper/stat" -e trace=close -e inject=close:delay_enter=5000000 \
                "$cell" exec web /bin/true >"$tmp/out" 2>"$tmp/err" &
        tracer=$!
        # cell exec holds its PID 1's pidfd and /proc/PID/stat.
        holds_stat() {
                local links
                links=$(ls -l "/proc/$1/fd" 2>/dev/null)
                grep -qF "[pidfd]" <<<"$links" && grep -qF -- "-> /proc/$sleeper/stat" <<<"$links"
        }
        kill_sleeper_when "$tracer" 300 holds_stat
        wait "$tracer"
        got=$?
        if [ -z "$killed" ]; then
                fail "exec web: never saw it hold its PID 1's pidfd and /proc/PID/stat: exit $got: $(cat "$tmp/err")"
        elif [ "$got" != 3 ] ||
             ! grep -q "cell web is not running: its PID 1 ([0-9]*) exited meanwhile" "$tmp/err"; then
                fail "exec web, its PID 1 exiting after its start time is read: exit $got: $(cat "$tmp/err")"
        fi
        sleeper=
        fake_running web "$CELL_UNIT_PATH/web.cell"
fi

if [ "$(id -u)" != 0 ] || ! unshare -u true 2>/dev/null; then
        echo "skipped in part: exec web whose PID 1 ends before the join (not root)"
        exit $failed
fi
# A PID 1 as a container's: its own root and UTS namespace, so that cell exec
# gets as far as joining it.
kill "$sleeper"
wait "$sleeper" 2>/dev/null
unshare -u python3 -c 'import os, sys, time
os.chroot(sys.argv[1])
time.sleep(600)' "$tmp/root" </dev/null >/dev/null 2>&1 &
sleeper=$!
# Until it has chrooted (up to 30 s: python starts slowly on a loaded host).
for _ in $(seq 600); do [ "$(readlink "/proc/$sleeper/root")" = / ] || break; sleep 0.05; done
[ "$(readlink "/proc/$sleeper/root")" = / ] && fail "the stand-in PID 1 did not chroot within 30 s"
fake_running web "$CELL_UNIT_PATH/web.cell"
exec_gone setns "joining its namespaces"

# Its PID 1 exits after the join, before the command's process is in its
# cgroups: the write into the first cgroup.procs held for 5 s and failing
# (strace: ENODEV, as from the cgroup removed with it; nothing is moved), the
# PID 1 killed and reaped once the command's process is forked. Not running
# (3), naming the step. The cgroup.procs files cell exec opens: each of the
# PID 1's cgroups in each hierarchy there may be (unified, hybrid, v1).
procs=()
while read -r f; do
        procs+=(-P "$f")
done < <(while IFS=: read -r _ _ path; do
                 for f in /sys/fs/cgroup"$path"/cgroup.procs /sys/fs/cgroup/*"$path"/cgroup.procs; do
                         [ -e "$f" ] && realpath "$f"
                 done
         done <"/proc/$sleeper/cgroup" | sort -u)
if [ ${#procs[@]} = 0 ]; then
        echo "skipped in part: exec web whose PID 1 ends before the command joins its cgroups (no cgroup.procs)"
        exit $failed
fi
strace -o /dev/null "${procs[@]}" -e trace=write -e inject=write:error=ENODEV:delay_enter=5000000 \
        "$cell" exec web /bin/true >"$tmp/out" 2>"$tmp/err" &
tracer=$!
# cell exec has forked the command's process.
has_child() {
        [ -n "$(cat "/proc/$1/task/$1/children" 2>/dev/null)" ]
}
# (up to 30 s: its start is slow under ASan on a loaded host)
kill_sleeper_when "$tracer" 600 has_child
wait "$tracer"
got=$?
if [ -z "$killed" ]; then
        fail "exec web: never saw it fork the command's process: exit $got: $(cat "$tmp/err")"
elif [ "$got" != 3 ] ||
     ! grep -q "cell web is not running: its PID 1 ([0-9]*) exited meanwhile" "$tmp/err" ||
     ! grep -qF "exited meanwhile (moving the command into its cgroup: No such device)." "$tmp/err"; then
        fail "exec web, its PID 1 exiting before the command joins its cgroup: exit $got: $(cat "$tmp/err")"
fi
[ -n "$killed" ] && sleeper=

exit $failed
