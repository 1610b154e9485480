# SPDX-License-Identifier: LGPL-2.1-or-later
# Sourced by every test here: boots a sealed private systemd (tests/lib/sealed)
# in a work dir of its own, installs cell@.service into it, builds a busybox
# test root, and tears everything down on exit, also when a check fails.
#
# meson.build passes: CELL (the built binary), CELL_SERVICE (the configured
# units/cell@.service), NOTIFY_PROBE (static notifier), SEALED (tests/lib/sealed),
# MAKE_ROOT (tests/lib/make-root), WORK_BASE (where work
# dirs go) and SEALED_CGROUP ("hybrid" or "v2").
#
# Checks print "ok - ..." or "FAIL - ..." and go on; finish() exits 1 if any
# failed. A failed precondition (nothing to test without it) uses die().

set -uo pipefail

if [ "$(id -u)" != 0 ]; then
        echo "SKIP: needs root (a private systemd, namespaces, cgroups)"
        exit 77
fi

: "${CELL:?}" "${CELL_SERVICE:?}" "${NOTIFY_PROBE:?}" "${SEALED:?}" "${WORK_BASE:?}"
SEALED_CGROUP=${SEALED_CGROUP:-hybrid}
TEST_NAME=$(basename "$0" .sh)

if [ "$SEALED_CGROUP" = hybrid ] && [ "$(stat -fc %T /sys/fs/cgroup)" != tmpfs ]; then
        echo "SKIP: the host is not hybrid v1+v2 (the cgroup2 run covers it)"
        exit 77
fi

failures=0
ok()   { echo "ok - $* [${SECONDS}s]"; }
fail() { echo "FAIL - $* [${SECONDS}s]"; failures=$((failures + 1)); }
die()  { echo "FAIL - $* (giving up)"; failures=$((failures + 1)); exit 1; }

# grep -q for a pipe, reading the pipe to its end: with pipefail, grep -q
# leaves at its first match and a writer with more to say dies of SIGPIPE,
# which fails the pipe ("ip -o addr" writes a line at a time; seen failing
# test-zone.sh in 1 run of 10).
matches() {
        local in
        in=$(cat)
        grep -q "$@" <<< "$in"
}
check() {       # check DESCRIPTION CMD...: ok when CMD succeeds
        local what=$1; shift
        if "$@"; then ok "$what"; else fail "$what"; fi
}
expect_eq() {   # expect_eq DESCRIPTION EXPECTED ACTUAL
        if [ "$2" = "$3" ]; then ok "$1 ($3)"; else fail "$1: expected '$2', got '$3'"; fi
}
finish() {
        if [ "$failures" -gt 0 ]; then
                echo "$TEST_NAME ($SEALED_CGROUP): $failures check(s) failed"
                exit 1
        fi
        echo "$TEST_NAME ($SEALED_CGROUP): all checks passed"
        exit 0
}

mkdir -p "$WORK_BASE"
WORK=$(mktemp -d "$WORK_BASE/$TEST_NAME-$SEALED_CGROUP.XXXXXX")
export SEALED_DIR=$WORK
HOST_PIDS=()    # processes a test started outside the sealed systemd, killed by PID on exit

cleanup() {
        local rc=$? p
        trap - EXIT INT TERM
        for p in "${HOST_PIDS[@]}"; do
                kill -KILL "$p" 2>/dev/null || true
        done
        if [ -f "$WORK/.sealed/pid" ] && [ "$rc" != 0 ]; then
                echo "--- sealed systemd: failed units, and the journal of systemd and cell"
                in_sealed systemctl --no-pager --failed 2>&1 | head -20
                # (journald also reads the host's kernel log: left out)
                in_sealed journalctl --no-pager -n 40 -t systemd -t cell 2>&1
                echo "--- console"
                tail -n 20 "$WORK/.sealed/console.log" 2>/dev/null
        fi
        if ! "$SEALED" stop; then
                echo "FAIL - the harness could not remove its cgroups"
                rc=1
        fi
        # The cgroups of this instance are gone (stop checked each); keep the
        # work dir of a failed run for a look.
        if [ "$rc" = 0 ]; then
                rm -rf "$WORK"
        else
                echo "work dir kept: $WORK"
        fi
        exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# Without the test suite's CELL_CACHE_DIR (tests/meson.build): a host path,
# read-only in there; a cell in the sealed systemd uses its private /var, as
# the cell@ services it starts do.
in_sealed() { "$SEALED" run env -u CELL_CACHE_DIR "$@"; }

# A sealed systemd of this test's own, in this test's work dir.
boot() {
        local mode=
        [ "$SEALED_CGROUP" = v2 ] && mode=v2
        # SEALED_OWNER: should this script be killed (a runner's timeout)
        # before its cleanup runs, the harness stops the instance by itself.
        # The source and build trees stay visible inside wherever the clone
        # lies (the sealed systemd has a private /tmp, /root, /home, ...).
        SEALED_KEEP="$(realpath "$(dirname "$SEALED")/../.."):$(realpath "$(dirname "$CELL")/../..")" \
        SEALED_OWNER=$$ SEALED_CGROUP=$mode "$SEALED" start "$WORK" >/dev/null || die "the sealed systemd did not boot"
}

# The configured cell@.service, with ExecStart= pointing at the build's cell
# instead of the install prefix; everything else as it would be installed.
install_service() {
        sed "s|^ExecStart=[^ ]*/cell |ExecStart=$CELL |" "$CELL_SERVICE" |
                in_sealed sh -c 'cat > /run/systemd/system/cell@.service'
        # Only the timeouts are shortened: a cell that never gets ready or
        # never stops fails the test in 20 s rather than after 90 or 100 s.
        in_sealed sh -c 'mkdir -p /run/systemd/system/cell@.service.d &&
                printf "[Service]\nTimeoutStartSec=20s\nTimeoutStopSec=20s\n" > /run/systemd/system/cell@.service.d/test-timeout.conf'
        in_sealed systemctl daemon-reload
}

# install_dropin UNIT NAME < content: /run/systemd/system/UNIT.d/NAME.conf
install_dropin() {
        in_sealed sh -c "mkdir -p '/run/systemd/system/$1.d' && cat > '/run/systemd/system/$1.d/$2.conf'"
        in_sealed systemctl daemon-reload
}

# install_cell NAME < content: /run/cell/NAME.cell, in the sealed /run.
install_cell() {
        in_sealed sh -c "mkdir -p /run/cell && cat > '/run/cell/$1.cell'"
}

# A busybox root in the work dir (tests/lib/make-root), with the static
# notifier as /bin/notify-probe and /out for what payloads report.
make_root() {
        local root=$1
        "$MAKE_ROOT" "$root" >/dev/null || die "tests/lib/make-root failed"
        mkdir -p "$root/out" "$root/bin"
        cp "$NOTIFY_PROBE" "$root/bin/notify-probe"
}

# make_os_root DIR: an OS tree a Boot=yes unit boots with BindReadOnly=/usr
# (tests/lib/make-os-root).
make_os_root() {
        "$(dirname "$MAKE_ROOT")/make-os-root" "$1" >/dev/null || die "tests/lib/make-os-root failed"
}

prop() { in_sealed systemctl show -P "$2" "$1"; }
# The system manager has no such unit (any more): for wait_for, as systemd collects an ended scope on its own time.
unit_gone() { [ "$(prop "$1" LoadState)" = not-found ]; }

# wait_for SECONDS CMD...: until CMD succeeds (polled every 0.1 s); 1 on timeout.
wait_for() {
        local n=$(( $1 * 10 )); shift
        while [ "$n" -gt 0 ]; do
                "$@" && return 0
                sleep 0.1
                n=$((n - 1))
        done
        return 1
}

state_is() { [ "$(prop "$1" ActiveState)" = "$2" ]; }
# restarted_once UNIT: systemd started it again once, and it is active.
restarted_once() { [ "$(prop "$1" NRestarts)" = 1 ] && state_is "$1" active; }
# ended UNIT...: each unit has ended, inactive or failed. ("! systemctl
# is-active" is no such wait: it holds at once while a unit still activates
# or deactivates, and a check of the state it ends in then raced.)
ended() {
        local u s
        for u in "$@"; do
                s=$(prop "$u" ActiveState)
                [ "$s" = inactive ] || [ "$s" = failed ] || return 1
        done
}
# is_monitor PID: the sealed systemd's process PID (a PID of its namespace)
# is cell-monitor, which cell execs a second after its payload started (the
# same PID; the signals it blocked wait for cell-monitor's loop);
# host_is_monitor PID: the same for a host PID (a cgroup.procs entry). For
# wait_for, e.g. "wait_for 3 is_monitor PID".
is_monitor() { [ "$(in_sealed cat "/proc/$1/comm" 2>/dev/null)" = cell-monitor ]; }
host_is_monitor() { [ "$(cat "/proc/$1/comm" 2>/dev/null)" = cell-monitor ]; }
# handed_over UNIT: the service's main process is cell-monitor.
handed_over() { is_monitor "$(prop "$1" MainPID)"; }

# The cgroup path of a unit in the sealed tree ("" when it has none).
unit_cgroup() { prop "$1" ControlGroup; }

# Whether the sealed tree still has the cgroup directory PATH anywhere (v1 or v2).
cgroup_exists() {
        in_sealed sh -c "for m in \$(awk '\$3 ~ /^cgroup/ {print \$2}' /proc/self/mounts); do [ -d \"\$m$1\" ] && exit 0; done; exit 1"
}

# A cgroup file of the unit: cg_file UNIT FILE (v2 name) [V1CONTROLLER V1FILE]
cg_read() {
        local cg
        cg=$(unit_cgroup "$1")
        [ -n "$cg" ] || return 1
        if [ "$SEALED_CGROUP" = v2 ]; then
                in_sealed cat "/sys/fs/cgroup$cg/$2"
        else
                in_sealed cat "/sys/fs/cgroup/$3$cg/$4"
        fi
}

# On a hybrid host the cgroup2 tree has no memory/pids/cpu controllers (the
# v1 hierarchies hold them), so a pure-cgroup2 boot cannot enforce limits.
controller_available() {   # controller_available memory|pids|cpu
        if [ "$SEALED_CGROUP" = v2 ]; then
                in_sealed cat /sys/fs/cgroup/cgroup.controllers | tr ' ' '\n' | matches -x "$1"
        else
                in_sealed test -d "/sys/fs/cgroup/$1"
        fi
}

# The usual start: a sealed systemd, a busybox root at $ROOT, cell@.service.
ROOT=$WORK/root
setup_cell() {
        boot
        make_root "$ROOT"
        install_service
}

# write_payload NAME < script: an executable $ROOT/bin/NAME (busybox sh). The
# payloads are files rather than Exec= lines so that no quoting or $VAR
# expansion of the unit language stands between the test and the shell.
write_payload() {
        { echo '#!/bin/sh'; cat; } > "$ROOT/bin/$1"
        chmod 0755 "$ROOT/bin/$1"
}

# install_hog NAME [GO]: NAME.cell with MemoryMax=32M and no swap, whose
# payload (/bin/NAME-payload) allocates 200 MiB; with GO, once /out/GO exists.
# MemorySwapMax=0 only on cgroup2: systemd enforces it nowhere else, and cell
# refuses it with a systemd scope on the hybrid layout (this machine has no
# swap to go to anyway).
install_hog() {
        {
                [ -n "${2:-}" ] && echo "while [ ! -e /out/$2 ]; do sleep 0.1; done"
                echo '# tail holds a whole "line" in memory: 200 MiB of zeros without a newline'
                echo 'dd if=/dev/zero bs=1048576 count=200 2>/dev/null | tail > /dev/null'
                echo 'exit $?'
        } | write_payload "$1-payload"
        install_cell "$1" <<EOF
[Root]
Directory=$ROOT
[Exec]
Exec=/bin/$1-payload
[Limits]
MemoryMax=32M
$([ "$SEALED_CGROUP" = v2 ] && echo MemorySwapMax=0)
EOF
}

# The in-sealed path of a unit's cgroup in each hierarchy that has it.
cgroup_dirs_of() {      # cgroup_dirs_of /machine.slice/cell-hello.scope
        in_sealed sh -c "for m in \$(awk '\$3 ~ /^cgroup/ {print \$2}' /proc/self/mounts); do [ -d \"\$m$1\" ] && echo \"\$m$1\"; done; true"
}

# PIDs of the sealed systemd's processes whose command line matches WORD.
# "[w]ord" matches "word" but not itself: the wrappers' own command lines
# (nsenter, systemd-run, pgrep) carry the pattern, not the word.
procs_matching() { in_sealed pgrep -f "[${1:0:1}]${1:1}" || true; }

# The host-side path of a unit's cgroup2 directory, so that timing checks can
# read cgroup.procs and signal PIDs without a round trip into the namespaces
# (the last line of the harness's list is its cgroup2 directory).
host_cgroup2_of() {     # host_cgroup2_of UNIT
        local cg
        cg=$(prop "$1" ControlGroup)
        [ -n "$cg" ] || return 1
        echo "$(tail -n 1 "$WORK/.sealed/cgroups")$cg"
}
any_alive() { local p; for p in "$@"; do kill -0 "$p" 2>/dev/null && return 0; done; return 1; }
none_alive() { ! any_alive "$@"; }

# host_cgroup_of CONTROLLER UNIT: the host-side directory holding UNIT's
# cgroup files for CONTROLLER (memory, pids, cpu): its v1 hierarchy on the
# hybrid layout, the cgroup2 directory on the pure one.
host_cgroup_of() {
        local cg base
        cg=$(prop "$2" ControlGroup)
        [ -n "$cg" ] || return 1
        if [ "$SEALED_CGROUP" = v2 ]; then
                base=$(tail -n 1 "$WORK/.sealed/cgroups")
        else
                base=$(grep "^/sys/fs/cgroup/$1/" "$WORK/.sealed/cgroups")
        fi
        echo "$base$cg"
}
