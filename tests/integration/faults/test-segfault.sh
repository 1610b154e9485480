#!/bin/bash
# The payload crashes (SIGSEGV) or cannot be executed at all: cell exits
# 139 (128+11) or 2, says what happened on stderr, and leaves nothing: no
# process, no mount, no cgroup, no runtime state. With and without Init=yes,
# --cgroup-manager=none and cgroupfs.
. "$(dirname "$0")/lib.sh"

u=$(unit segv "[Root]" "Directory=$root" "[Exec]" "Exec=/bin/probe kill 11")
ui=$(unit segvinit "[Root]" "Directory=$root" "[Exec]" "Exec=/bin/probe kill 11" "Init=yes")

host_snapshot before
for m in none cgroupfs; do
        run_cell $m "$u"
        expect "SIGSEGV ($m): status" "$status" 139
        grep -q "The payload died of signal SIGSEGV" "$work/err" || fail "SIGSEGV ($m): no message: $(cat "$work/err")"

        run_cell $m "$ui"
        expect "SIGSEGV under Init=yes ($m): status" "$status" 139
        grep -q "status 139.*SIGSEGV" "$work/err" || fail "SIGSEGV under Init=yes ($m): no message: $(cat "$work/err")"
done
echo "SIGSEGV: $(grep -v 'Running without' "$work/err" | head -n1)"

# A plain exit with the same number is not called a crash.
run_cell none "$u" -- /bin/probe exit 139
expect "exit 139: status" "$status" 139
! grep -q "signal" "$work/err" || fail "exit 139 reported as a signal: $(cat "$work/err")"

# A stop that cell itself asked for is no crash either: SIGTERM to cell,
# the payload (PID 2, under the reaper) dies of the KillSignal=, nothing is
# said about a signal, and cell exits 0: the stop it was asked for is done.
timeout 20 "$CELL" run --cgroup-manager=none "$ui" -- /bin/probe sleep 30 "$marker" >/dev/null 2>"$work/err" &
pid=$!
for _ in $(seq 400); do pgrep -f "^/bin/probe sleep 30 $marker" >/dev/null && break; sleep 0.05; done
pgrep -f "^/bin/probe sleep 30 $marker" >/dev/null || fail "stopped: no payload within 20 s: $(cat "$work/err")"
kill -TERM "$pid"
st=0; wait "$pid" || st=$?
expect "stopped: status" "$st" 0
! grep -q "signal" "$work/err" || fail "a requested stop reported as a crash: $(cat "$work/err")"

# The payload's exec fails (an executable file the kernel cannot run):
# exit 2, the message names Exec= and the reason.
printf 'not a program\n' > "$root/bin/not-a-program"
chmod 0755 "$root/bin/not-a-program"
for m in none cgroupfs; do
        run_cell $m "$u" -- /bin/not-a-program
        expect "exec fails ($m): status" "$status" 2
        grep -q "Exec=.*not-a-program.*Exec format error" "$work/err" || fail "exec fails ($m): message: $(cat "$work/err")"
done
echo "exec fails: $(grep -v 'Running without' "$work/err" | head -n1)"
nothing_left "after the crashes"
for n in segv segvinit; do
        [ ! -e "/run/cell/$(unit_name $n)" ] || fail "runtime state of $n left"
done
echo ok
