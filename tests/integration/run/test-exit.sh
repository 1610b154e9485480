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

# Started with stdin, stdout and stderr closed (a daemon's child): the
# payload gets /dev/null for each, as cell itself does, not a lock file,
# the tree build's record or nothing at all (it had no fd 0, 1 or 2, and its
# first open() became its stdout); and a start that fails (--verbose, so that
# cell writes all along) takes back what it made: its messages went into
# that record.
mkdir -p "$work/fds"
# (Read before any redirection of the script's own: busybox runs ls in the shell.)
cat > "$root/bin/fds" <<'EOF'
#!/bin/sh
a=$(readlink /proc/$$/fd/0) b=$(readlink /proc/$$/fd/1) c=$(readlink /proc/$$/fd/2)
printf '0 -> %s\n1 -> %s\n2 -> %s\n' "$a" "$b" "$c" > /data/fds
EOF
chmod 755 "$root/bin/fds"
for m in none cgroupfs; do
        rm -f "$work/fds/fds"
        u=$(unit "fds-$m" "[Root]" "Directory=$root" "Bind=$work/fds:/data" "[Exec]" "Exec=/bin/fds")
        status=0
        (exec 0<&- 1>&- 2>&-; exec timeout 20 "$CELL" run --cgroup-manager=$m "$u") || status=$?
        expect "stdio closed ($m): status" "$status" 0
        for fd in 0 1 2; do
                grep -qx "$fd -> /dev/null" "$work/fds/fds" ||
                        fail "stdio closed ($m): the payload's fd $fd is not /dev/null: $(cat "$work/fds/fds")"
        done
        host_snapshot before
        find "$root" | sort > "$work/image.before"
        u=$(unit "fds-fail-$m" "[Root]" "Directory=$root" "Bind=$work/fds:/a/b/c" "TemporaryFileSystem=/d/e" \
                "[Exec]" "Exec=/bin/nosuch")
        status=0
        (exec 0<&- 1>&- 2>&-; exec timeout 20 "$CELL" run --verbose --cgroup-manager=$m "$u") || status=$?
        expect "stdio closed, failed start ($m): status" "$status" 2
        find "$root" | sort > "$work/image.after"
        diff -u "$work/image.before" "$work/image.after" >&2 || fail "stdio closed, failed start ($m): the image changed"
        expect_nothing_left
done
echo ok
