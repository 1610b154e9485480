# Sourced after lib.sh by the tests that kill the tree's build with strace
# (test-kill-undo.sh, test-kill-variants.sh). The caller sets $host (the
# host's directories a start may make in), $u (the unit) and may add to
# list_dirs (more trees to list) or define list_image (more lines).

list_dirs=()
list_image() { :; }

# listing: the image and the host's directories, sorted.
listing() {
        { find "$root" "$host" "${list_dirs[@]}" -type d -printf '%p %M\n'
          find "$root" "$host" "${list_dirs[@]}" ! -type d -printf '%p %M %s\n'
          list_image; } | sort
}

# start NAME [STRACE-ARGS...]: the unit $u under strace (none: without),
# which must fail (exit 2) and leave the image, the host's directories and
# the host's mounts, cgroups, loop devices and processes as they were.
start() {
        local name=$1; shift
        host_snapshot before
        status=0
        if [ $# -gt 0 ]; then
                timeout 20 strace -o "$work/trace" "$@" "$CELL" run --cgroup-manager=cgroupfs "$u" \
                        >"$work/out" 2>"$work/err" || status=$?
        else
                run_cell cgroupfs "$u"
        fi
        expect "$name: status" "$status" 2
        listing > "$work/tree.after"
        diff -u "$work/tree.before" "$work/tree.after" >&2 ||
                fail "$name: the start left something behind ($(tail -1 "$work/err"))"
        expect_nothing_left
        no_loop_left "$name"
}

# calls SYSCALL: from $work/trace (strace -f), how often the supervisor
# (its first process) made it, then the most any other process did.
calls() {
        local sup
        sup=$(awk 'NR == 1 { print $1 }' "$work/trace")
        awk -v s="$sup" -v c="$1(" 'index($2, c) == 1 { n[$1]++ }
                END { m = 0; for (p in n) if (p != s && n[p] > m) m = n[p]; print n[s] + 0, m }' "$work/trace"
}

# killed_by_test: from $work/trace, whether strace killed the supervisor
# or the take-back's helper, which make the same calls: strace counts each
# process's own (when=N), and a take-back killed is the test's doing, not
# the start's. The helper: a process the supervisor cloned after its first
# child ended (traced with execve, so that the supervisor's line is the
# first, and clone3), or with -P (which shows neither) one first seen
# after the first process was killed.
killed_by_test() {
        awk 'NR == 1 && $2 ~ /^execve\(/ { sup = $1 }
             !($1 in seen) && $2 !~ /^(\+\+\+|---)/ { seen[$1] = 1; if (kills) helper[$1] = 1 }
             /clone3\(/ || /<\.\.\. clone3 resumed>/ {
                if ($1 == sup && match($0, /= [0-9]+$/)) {
                        p = substr($0, RSTART + 2) + 0
                        if (!child) child = p; else if (ended) helper[p] = 1
                } }
             /\+\+\+ (killed|exited)/ { if ($1 == child) ended = 1 }
             /\+\+\+ killed by SIGKILL/ { kills++; if ($1 == sup || $1 in helper) found = 1 }
             END { exit !found }' "$work/trace"
}

# kill_points FIRST LAST: the kill points to try, all of them with
# CELL_TEST_FULL=1, else the first, the last and the one halfway.
kill_points() {
        if [ -n "${CELL_TEST_FULL:-}" ]; then
                seq "$1" "$2"
        elif [ "$1" -le "$2" ]; then
                printf '%s\n' "$1" $(( ($1 + $2) / 2 )) "$2" | uniq
        fi
}

# kill_at WHAT N STRACE-ARGS...: start "WHAT N" under strace with the
# STRACE-ARGS, which kill at the Nth call; counts it in $killed when the
# build died before its end (no "Exec=/nosuch" from the finished build),
# in $skipped when strace killed the supervisor or the take-back instead.
kill_at() {
        local what=$1 n=$2; shift 2
        start "$what $n" "$@"
        if killed_by_test; then
                skipped=$((skipped + 1))
        elif ! grep -q "Exec=/nosuch" "$work/err"; then
                killed=$((killed + 1))
        fi
}
