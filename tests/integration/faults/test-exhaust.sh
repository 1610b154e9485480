#!/bin/bash
# cell out of resources. /run/cell full (a tiny tmpfs over it, in a mount
# namespace of the test's own): a start fails, exit 2, naming the runtime
# state, rather than run a cell that no "cell list" shows and no "cell
# stop" stops; nothing is left. Out of file descriptors (RLIMIT_NOFILE 4
# to 10): "cell stop" either stops the cell or fails saying why, never
# exits 0 with the cell still running nor SIGKILLs it for a "cell run" it
# could not look at; "cell exec" fails with a message, never a silent 2 nor
# "exited meanwhile" of a cell that runs. "cell run" and "cell exec" at 4 to
# 24 fds: each failure exits 2 naming its step (not a bare "pipe:", not the
# root's "/proc/self/fd/N", not "no cgroup2 tree" on a host that has one,
# not "the kernel refuses" for a file it could not open), and leaves nothing.
. "$(dirname "$0")/lib.sh"

# check_named WHAT FILE: FILE holds a message that names the step.
check_named() {
        [ -s "$2" ] || fail "$1: no message"
        ! grep -qE ': (pipe|fork|socketpair|signalfd|poll|waitid|waitpid): ' "$2" || fail "$1: $(cat "$2")"
        ! grep -q '/proc/self/fd/' "$2" || fail "$1: $(cat "$2")"
        # Valid limits only: nothing the kernel could have refused.
        ! grep -q 'the kernel refuses' "$2" || fail "$1: $(cat "$2")"
        if grep -q ' - cgroup2 ' /proc/self/mountinfo; then
                ! grep -q 'no cgroup2 tree' "$2" || fail "$1: $(cat "$2")"
        fi
}

long=$(unit exhlong "[Root]" "Directory=$root" "[Exec]" "Exec=/bin/probe sleep 300 $marker" "Init=yes")
name=$(unit_name exhlong)

host_snapshot before
for m in cgroupfs none; do
        st=0
        unshare -m --propagation private sh -c '
                mount -t tmpfs -o size=8k tmpfs /run/cell || exit 99
                dd if=/dev/zero of=/run/cell/fill bs=1k count=64 2>/dev/null
                timeout 20 "$1" run --cgroup-manager="$2" "$3"' sh "$CELL" "$m" "$long" \
                >"$work/out" 2>"$work/err" || st=$?
        expect "/run/cell full ($m): status" "$st" 2
        grep -q "Writing the runtime state .*No space left on device" "$work/err" ||
                fail "/run/cell full ($m): message: $(cat "$work/err")"
        nothing_left "/run/cell full ($m)"
done
echo "/run/cell full: $(grep 'runtime state' "$work/err")"

# runs_at_few_fds WHAT MANAGER UNIT: "cell run" at 4 to 24 fds.
runs_at_few_fds() {
        for n in $(seq 4 24); do
                st=0
                timeout 30 prlimit --nofile="$n:$n" "$CELL" run --cgroup-manager="$2" "$3" </dev/null \
                        >/dev/null 2>"$work/err" || st=$?
                nothing_left "$1 with $n fds"
                [ "$st" = 0 ] && continue
                expect "$1 with $n fds: status ($(cat "$work/err"))" "$st" 2
                check_named "$1 with $n fds" "$work/err"
        done
}

short=$(unit exhshort "[Root]" "Directory=$root" "[Exec]" "Exec=/bin/probe sleep 0 $marker")
for m in cgroupfs none; do
        runs_at_few_fds "run ($m)" "$m" "$short"
done

# Limits in every hierarchy the cgroupfs manager writes (memory, pids, cpu,
# cpuset): a limit file it could not open is a write that failed, never a
# value "the kernel refuses" (v1's CPU limits had their own messages).
limits=$(unit exhlimits "[Root]" "Directory=$root" "[Exec]" "Exec=/bin/probe sleep 0 $marker" "[Limits]" \
        "MemoryMax=512M" "TasksMax=200" "CPUQuota=150%" "CPUQuotaPeriodSec=50ms" "CPUWeight=50" "AllowedCPUs=0")
runs_at_few_fds "run with limits (cgroupfs)" cgroupfs "$limits"

"$CELL" run --cgroup-manager=cgroupfs "$long" >"$work/run.err" 2>&1 </dev/null &
runpid=$!
wait_execable "$name" "$runpid" || fail "did not start: $(cat "$work/run.err")"

for n in $(seq 4 24); do
        st=0
        prlimit --nofile="$n:$n" "$CELL" exec "$name" /bin/true </dev/null 2>"$work/err" || st=$?
        [ "$st" = 0 ] && continue
        [ -s "$work/err" ] || fail "exec with $n fds: exit $st and no message"
        ! grep -q "exited meanwhile" "$work/err" || fail "exec with $n fds: $(cat "$work/err")"
        expect "exec with $n fds: status ($(cat "$work/err"))" "$st" 2
        check_named "exec with $n fds" "$work/err"
done

stopped= said=
for n in $(seq 4 10); do
        st=0
        prlimit --nofile="$n:$n" "$CELL" stop "$name" 2>"$work/err" || st=$?
        if [ "$st" = 0 ]; then
                ! kill -0 "$runpid" 2>/dev/null || fail "stop with $n fds: exit 0, but the cell runs on"
                stopped=$n
                break
        fi
        [ -s "$work/err" ] || fail "stop with $n fds: exit $st and no message"
        # The step that failed is named, not a bare "Too many open files".
        ! grep -qE 'Stopping cell [^:]+: Too many open files' "$work/err" || fail "stop with $n fds: $(cat "$work/err")"
        said=$(cat "$work/err")
        kill -0 "$runpid" 2>/dev/null || fail "stop with $n fds: exit $st, but the cell was ended: $(cat "$work/run.err")"
done
[ -n "$stopped" ] || "$CELL" stop "$name" || fail "the last stop failed"
st=0; wait "$runpid" || st=$?
# Not SIGKILLed (137) for a supervisor that was taken for dead.
expect "the cell stopped with few fds: exit status" "$st" 0
nothing_left "after the stops"
echo "few fds: stopped with ${stopped:-more than 10} fds; before that, said why: $said"
echo ok
