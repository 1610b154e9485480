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
        # A unit of no limits: nothing the kernel could have refused.
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

short=$(unit exhshort "[Root]" "Directory=$root" "[Exec]" "Exec=/bin/probe sleep 0 $marker")
for m in cgroupfs none; do
        for n in $(seq 4 24); do
                st=0
                timeout 30 prlimit --nofile="$n:$n" "$CELL" run --cgroup-manager=$m "$short" </dev/null \
                        >/dev/null 2>"$work/err" || st=$?
                nothing_left "run ($m) with $n fds"
                [ "$st" = 0 ] && continue
                expect "run ($m) with $n fds: status ($(cat "$work/err"))" "$st" 2
                check_named "run ($m) with $n fds" "$work/err"
        done
done

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
