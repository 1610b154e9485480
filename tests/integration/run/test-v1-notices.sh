#!/bin/bash
# On a host whose cgroup controllers are v1 ones (this machine's hybrid
# layout; skipped on pure cgroup2), with the cgroupfs manager:
# - each Startup*= key the unit sets is named at the start with its own
#   line (it was the first key only);
# - what "cell verify" warns of is what "cell run" then does: a key it says
#   is refused fails the start (exit 2), one it says is not applied as such
#   runs; a key v1 holds gets no warning;
# - the start itself warns, once, FILE:LINE and the key, of what its manager
#   leaves unapplied: CPUWeight=idle (the cgroupfs manager, and a systemd
#   scope: a sealed systemd of tests/lib/sealed), IO weights with a systemd
#   scope where no blkio hierarchy is mounted; none on pure cgroup2 (a sealed
#   systemd with SEALED_CGROUP=v2).
. "$(dirname "$0")/lib.sh"

. "$(dirname "$0")/../../lib/cgroup-v1.sh"
if ! v1_has memory || ! v1_has cpu; then
        echo "skipped: no v1 memory and cpu hierarchies here (pure cgroup2: the unit tests cover it)"
        exit 77
fi

# --- Every Startup*= key, each at its line.
u=$(unit startup "[Root]" "Directory=$root" "[Exec]" "Exec=/bin/probe" "[Limits]" \
        "StartupCPUWeight=20" "StartupIOWeight=10" "StartupAllowedCPUs=0")
run_cell cgroupfs "$u"
[ "$status" -eq 0 ] || fail "Startup*= keys alone: exit $status: $(cat "$work/err")"
line=6
for key in CPUWeight IOWeight AllowedCPUs; do
        grep -q "$u:$line: Startup$key=: Startup\*= keys are not applied: the cgroupfs manager has no \
start-up or shutdown phase, so $key= (or its default) holds throughout" "$work/err" ||
                fail "no notice for Startup$key= at line $line: $(cat "$work/err")"
        line=$((line + 1))
done
expect "one notice a key" "$(grep -c "Startup\*= keys are not applied" "$work/err")" 3

# --- verify's word, then run's deed: MemoryMin= refused at line 6.
u=$(unit refused "[Root]" "Directory=$root" "[Exec]" "Exec=/bin/probe" "[Limits]" "MemoryMin=1M")
"$CELL" verify "$u" 2>"$work/verify" || fail "verify: a refusal on this host changed its exit status"
grep -q "^$u:6: warning: MemoryMin=: refused on this host" "$work/verify" ||
        fail "verify said nothing of MemoryMin=: $(cat "$work/verify")"
host_snapshot before
run_cell cgroupfs "$u"
expect "MemoryMin= on v1: run's exit status" "$status" 2
grep -q "$u:6: MemoryMin=: cgroup v1 has no memory protection" "$work/err" ||
        fail "run's refusal: $(cat "$work/err")"
expect_nothing_left

# --- CPUWeight=idle: not applied as idle, said by verify, and the payload runs with cpu.shares 2.
u=$(unit idle "[Root]" "Directory=$root" "[Exec]" "Exec=/bin/probe" "[Limits]" "MemoryMax=64M" "CPUWeight=idle")
"$CELL" verify "$u" 2>"$work/verify" || fail "verify CPUWeight=idle: $(cat "$work/verify")"
grep -q "^$u:7: warning: CPUWeight=idle: not applied as idle on this host" "$work/verify" ||
        fail "verify said nothing of CPUWeight=idle: $(cat "$work/verify")"
! grep -q "MemoryMax" "$work/verify" || fail "verify warned of MemoryMax=, which v1 holds: $(cat "$work/verify")"
run_cell cgroupfs "$u"
[ "$status" -eq 0 ] || fail "CPUWeight=idle on v1: exit $status: $(cat "$work/err")"
# The start says it too (it said nothing), once, at the key's line.
idle_warning="CPUWeight=idle: not applied as idle on this host: its cpu controller is a cgroup v1 one, which has \
no cpu.idle; the container gets the minimum weight instead (cpu.shares 2), as systemd gives it."
grep -qF "$u:7: $idle_warning" "$work/err" || fail "cgroupfs, CPUWeight=idle: no warning: $(cat "$work/err")"
expect "cgroupfs, CPUWeight=idle: one warning" "$(grep -c "CPUWeight=idle" "$work/err")" 1

# --- A systemd scope, in a sealed systemd (its own PID 1 in private
# namespaces, the host's / read-only inside): one at a time, each with its
# work dir (its root and units) below $work, stopped on exit.
SEALED=$(realpath "$(dirname "$0")/../../lib/sealed")
sealed_dir=
sealed_stop() {
        [ -n "$sealed_dir" ] || return 0
        SEALED_DIR=$sealed_dir "$SEALED" stop || echo "the sealed systemd in $sealed_dir did not stop cleanly" >&2
        sealed_dir=
}
# (errexit off first: "(exit 1)" would leave the trap before cleanup.)
trap 'rc=$?; sealed_stop; set +e; (exit $rc); cleanup' EXIT
# sealed_boot hybrid|v2: the host's layout, or a pure cgroup2 tree.
sealed_boot() {
        sealed_dir=$work/sealed-$1
        mkdir -p "$sealed_dir"
        "$MAKE_ROOT" "$sealed_dir/root" "$PROBE" >/dev/null
        SEALED_CGROUP=${1/hybrid/} "$SEALED" start "$sealed_dir" >/dev/null ||
                fail "the sealed systemd ($1) did not boot"
}
# sealed_run [--no-blkio] NAME LIMIT...: cell run (its manager picked: the
# sealed systemd's scope) of unit NAME, whose payload prints its v1
# cpu.shares, with those [Limits] lines; with --no-blkio, cell's view of the
# host has no blkio hierarchy (unmounted in a mount namespace of its own, as
# on a kernel without the controller: systemd mounts every one it has).
# Sets $status and $unit_file, its stdout in $work/out, stderr in $work/err.
sealed_run() {
        local pre=() name f
        if [ "$1" = --no-blkio ]; then
                pre=(unshare --mount --propagation private
                     sh -c 'umount /sys/fs/cgroup/blkio 2>/dev/null; exec "$@"' sh)
                shift
        fi
        name=$1
        shift
        f=$sealed_dir/$(unit_name "$name").cell
        printf '%s\n' "[Root]" "Directory=$sealed_dir/root" "[Exec]" \
                "Exec=/bin/sh -c 'cat /sys/fs/cgroup/cpu/cpu.shares 2>/dev/null; true'" "[Limits]" "$@" > "$f"
        unit_file=$f
        status=0
        SEALED_DIR=$sealed_dir timeout 30 "$SEALED" run env -u CELL_CACHE_DIR "${pre[@]}" "$CELL" run "$f" \
                >"$work/out" 2>"$work/err" || status=$?
}

if [ "$(stat -fc %T /sys/fs/cgroup)" = tmpfs ]; then
        # CPUWeight=idle: systemd 252 writes cpu.shares 2 on v1 (cgroup_context_apply():
        # cgroup_cpu_weight_to_shares(0), clamped), and says so in its debug log only.
        sealed_boot hybrid
        sealed_run idle "CPUWeight=idle"
        [ "$status" -eq 0 ] || fail "scope, CPUWeight=idle: exit $status: $(cat "$work/err")"
        expect "scope, CPUWeight=idle: the payload's cpu.shares" "$(cat "$work/out")" 2
        grep -qF "$unit_file:6: $idle_warning" "$work/err" ||
                fail "scope, CPUWeight=idle: no warning: $(cat "$work/err")"
        expect "scope, CPUWeight=idle: one warning" "$(grep -c "CPUWeight=idle" "$work/err")" 1
        sealed_run weight "CPUWeight=50"
        [ "$status" -eq 0 ] || fail "scope, CPUWeight=50: exit $status: $(cat "$work/err")"
        [ ! -s "$work/err" ] || fail "scope, CPUWeight=50, which v1 holds: $(cat "$work/err")"

        # IO weights and no blkio hierarchy (a kernel without the controller):
        # systemd has no blkio cgroup for the scope and says nothing; the
        # start runs the payload and says so. Here cell alone sees none.
        sealed_run --no-blkio ioweight "MemoryMax=64M" "IOWeight=300" "IODeviceWeight=$sealed_dir/root 200"
        [ "$status" -eq 0 ] || fail "scope, no blkio, IO weights: exit $status: $(cat "$work/err")"
        for w in "7: IOWeight=300" "8: IODeviceWeight=$sealed_dir/root"; do
                grep -qF "$unit_file:$w: not applied on this host: its cgroup controllers are v1 ones, and no blkio \
hierarchy (cgroup v1's io controller) is mounted (systemd says nothing of it)." "$work/err" ||
                        fail "scope, no blkio: no warning for ${w#*: }: $(cat "$work/err")"
        done
        expect "scope, no blkio: one warning a key" "$(grep -c "not applied" "$work/err")" 2
        sealed_stop
else
        echo "not the hybrid layout (legacy?): the systemd scope's hybrid cases skipped"
fi

# --- Pure cgroup2 (cpu.idle and io.weight there): no such warning. On
# this hybrid host its cgroup2 tree has no cpu controller (v1's holds it):
# the start is refused then, after the point where the warnings are said.
sealed_boot v2
sealed_run idle "CPUWeight=idle" "IOWeight=300"
if [ "$status" -ne 0 ]; then
        expect "v2, CPUWeight=idle: exit status" "$status" 2
        grep -q "idle.cell:6: CPUWeight=: systemd has no cpu controller" "$work/err" ||
                fail "v2, CPUWeight=idle: exit $status: $(cat "$work/err")"
fi
! grep -q "not applied\|warning" "$work/err" || fail "v2: a warning on pure cgroup2: $(cat "$work/err")"
sealed_stop
echo "ok"
