# Sourced by the tests of this folder: test-NAME.sh CELL PROBE MAKE_ROOT.
# The run tests' helpers (a fresh root in $work, a unique $marker, unit,
# run_cell, fail, cleanup on exit), plus what fault loops need.
. "$(dirname "${BASH_SOURCE[0]}")/../run/lib.sh"

# CELL_TEST_FULL=1: the long loops.
full() { [ -n "${CELL_TEST_FULL:-}" ]; }

# Mount points the host gained since host_snapshot before. Only additions
# count: a mount that cell leaked shows up as one; removals are someone
# else's (another test's network namespace going away).
mounts_added() {
        cut -d' ' -f5 /proc/self/mountinfo | sort > "$work/mounts.now"
        comm -13 "$work/mounts.before" "$work/mounts.now"
}

check_mounts() {        # check_mounts WHAT
        local added
        added=$(mounts_added)
        [ -z "$added" ] || fail "$1: the host's mount table gained: $added"
}

# No mount, no cgroup, no process, no runtime state of ours is left.
nothing_left() {        # nothing_left WHAT
        local left
        check_mounts "$1"
        left=$(find /sys/fs/cgroup -name "*$marker*" 2>/dev/null || true)
        [ -z "$left" ] || fail "$1: cgroups left behind: $left"
        ! pgrep -f -- "$marker" >/dev/null || fail "$1: processes left behind: $(pgrep -a -f -- "$marker")"
        left=$(find /run/cell -maxdepth 1 -name "*$marker*" 2>/dev/null || true)
        [ -z "$left" ] || fail "$1: runtime state left behind: $left"
}
