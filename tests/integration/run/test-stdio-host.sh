#!/bin/bash
# A container whose root is the host's (no PrivateUsers=) holds CAP_CHOWN,
# CAP_FOWNER and CAP_FSETID, and fchmod()/fchown() need no more than an fd.
# In pipe mode it used to get cell's fds 0, 1 and 2 as they were: given
# "cell run web < in > out 2> err" it made those host files set-user-ID
# root (and could write what they hold); given the host's /dev/null (a
# service's StandardInput=null) it could make that 0600 for the whole host.
# Now each is kept from it (src/cli/run-stdio.h): the null device is the
# container's own, an output that is a file is relayed through a pipe, an
# input that is one is copied into a pipe by cell-stdin. Pipes pass as
# they are. What the payload reads and writes is the same as before.
. "$(dirname "$0")/lib.sh"

u=$(unit stdio "[Root]" "Directory=$root" "[Exec]" \
        "Exec=/bin/sh -c 'for f in 0 1 2; do chmod 4777 /proc/self/fd/\$f; chown 1:1 /proc/self/fd/\$f; done; cat; echo err-line >&2'")

# mode_owner FILE: "MODE UID" as the host sees it.
mode_owner() { stat -c '%a %u' "$1"; }

# --- files of the host's as stdin, stdout and stderr
printf 'in-line\n' > "$work/in"
: > "$work/stdout"
: > "$work/stderr"
chmod 0600 "$work/in" "$work/stdout" "$work/stderr"
status=0
timeout 20 "$CELL" run --cgroup-manager=none "$u" <"$work/in" >"$work/stdout" 2>"$work/stderr" || status=$?
expect "files as stdio: status" "$status" 0
for f in in stdout stderr; do
        [ "$(mode_owner "$work/$f")" = "600 0" ] || fail "the payload changed the host's $f: $(mode_owner "$work/$f")"
done
grep -qx in-line "$work/stdout" || fail "the payload's stdin did not reach its stdout: $(cat "$work/stdout")"
grep -qx err-line "$work/stderr" || fail "the payload's stderr: $(cat "$work/stderr")"

# --- one file for both: the order of the lines kept (one pipe)
u2=$(unit stdio2 "[Root]" "Directory=$root" "[Exec]" "Exec=/bin/sh -c 'echo a; echo b >&2; echo c'")
status=0
timeout 20 "$CELL" run --cgroup-manager=none "$u2" </dev/null >"$work/both" 2>&1 || status=$?
expect "one file for stdout and stderr: status" "$status" 0
[ "$(grep -x '[abc]' "$work/both" | tr -d '\n')" = abc ] || fail "stdout and stderr in one file: $(cat "$work/both")"

# --- a null device (a node of the host's, as /dev/null is) as stdin and stdout
mknod -m 0666 "$work/null" c 1 3
status=0
timeout 20 "$CELL" run --cgroup-manager=none "$u" <"$work/null" >"$work/null" 2>"$work/err" || status=$?
expect "the null device as stdio: status" "$status" 0
[ "$(mode_owner "$work/null")" = "666 0" ] || fail "the payload changed the host's null device: $(mode_owner "$work/null")"

# --- each output on its own: beside a file relayed, the null device is the
# container's /dev/null and a pipe the pipe itself (both were relayed too)
u7=$(unit stdio7 "[Root]" "Directory=$root" "[Exec]" \
        "Exec=/bin/sh -c 'exec 3>&1; stat -L -c \"%%F %%i\" /proc/self/fd/3 >&2; echo out-line'")
status=0
timeout 20 "$CELL" run --cgroup-manager=none "$u7" </dev/null >"$work/null" 2>"$work/err7" || status=$?
expect "the null device as stdout, a file as stderr: status" "$status" 0
grep -q '^character special file ' "$work/err7" ||
        fail "the null device as stdout beside a file as stderr reached the payload as: $(cat "$work/err7")"
[ "$(mode_owner "$work/null")" = "666 0" ] || fail "the null device as stdout beside a file: changed"
exec 7> >(cat > "$work/out7")
pipe_ino=$(stat -L -c %i /proc/$$/fd/7)
status=0
timeout 20 "$CELL" run --cgroup-manager=none "$u7" </dev/null >&7 2>"$work/err7" || status=$?
exec 7>&-
expect "a pipe as stdout, a file as stderr: status" "$status" 0
grep -qx "fifo $pipe_ino" "$work/err7" ||
        fail "a pipe as stdout beside a file as stderr was not passed as it is (pipe $pipe_ino): $(cat "$work/err7")"
for _ in $(seq 50); do grep -qx out-line "$work/out7" 2>/dev/null && break; sleep 0.1; done
grep -qx out-line "$work/out7" || fail "a pipe as stdout beside a file as stderr: $(cat "$work/out7")"

# --- the unit's own /dev, whose null device may be none: the host's goes
# through pipes then (its mode kept), and the start works as before
ud=$(unit stdiodev "[Root]" "Directory=$root" "TemporaryFileSystem=/dev" "[Exec]" \
        "Exec=/bin/sh -c 'chmod 0600 /proc/self/fd/0 /proc/self/fd/1; cat; echo dev-ok >&2'")
status=0
timeout 20 "$CELL" run --cgroup-manager=none "$ud" <"$work/null" >"$work/null" 2>"$work/err" || status=$?
expect "the unit's own /dev, the null device as stdio: status ($(cat "$work/err"))" "$status" 0
[ "$(mode_owner "$work/null")" = "666 0" ] || fail "the unit's own /dev: the payload changed the host's null device"
grep -qx dev-ok "$work/err" || fail "the unit's own /dev: $(cat "$work/err")"

# --- a large input, all of it; a pipe passes as it is
head -c 3000000 /dev/zero > "$work/big"
u3=$(unit stdio3 "[Root]" "Directory=$root" "[Exec]" "Exec=/bin/sh -c 'wc -c; ls -lL /proc/self/fd/0'")
run_cell none "$u3" <"$work/big"
expect "a large file as stdin: status" "$status" 0
grep -q '^ *3000000$' "$work/out" || fail "a large file as stdin: $(cat "$work/out")"
grep -q '^p' "$work/out" || fail "a file as stdin reached the payload as no pipe: $(cat "$work/out")"
out=$(echo piped | timeout 20 "$CELL" run --cgroup-manager=none "$u" 2>/dev/null) || fail "a pipe as stdin"
[ "$out" = piped ] || fail "a pipe as stdin: $out"

# --- a payload that reads nothing of a large input: cell-stdin ends with cell
u4=$(unit stdio4 "[Root]" "Directory=$root" "[Exec]" "Exec=/bin/true")
head -c 50000000 /dev/zero > "$work/big"
run_cell none "$u4" <"$work/big"
expect "a payload that reads none of its stdin: status" "$status" 0
! pgrep -x cell-stdin >/dev/null || fail "cell-stdin left running: $(pgrep -a -x cell-stdin)"
rm -f "$work/big"

# --- past the hand-over to cell-monitor: cell-stdin, ended, is no zombie of it
u5=$(unit "stdio5$marker" "[Root]" "Directory=$root" "[Exec]" "Exec=/bin/sh -c 'cat; sleep 3'")
"$CELL" run --cgroup-manager=cgroupfs "$u5" <"$work/in" >"$work/out5" 2>&1 &
pid=$!
for _ in $(seq 40); do
        [ "$(cat "/proc/$pid/comm" 2>/dev/null)" = cell-monitor ] && break
        sleep 0.1
done
[ "$(cat "/proc/$pid/comm" 2>/dev/null)" = cell-monitor ] || fail "no hand-over to cell-monitor: $(cat "$work/out5")"
sleep 0.3
zombies=$(ps -o pid=,stat=,comm= --ppid "$pid" | awk '$2 ~ /^Z/')
[ -z "$zombies" ] || fail "a zombie of cell-monitor: $zombies"
status=0
wait "$pid" || status=$?
expect "past the hand-over: status" "$status" 0
grep -qx in-line "$work/out5" || fail "past the hand-over: $(cat "$work/out5")"

# --- cell exec without a pty: the same for the command's fds (pumps of cell exec's)
ue=$(unit stdioexec "[Root]" "Directory=$root" "[Exec]" \
        "Exec=/bin/sh -c 'trap \"exit 0\" TERM; while :; do sleep 0.1; done'")
start_cell none "$ue"
name=$(basename "$ue" .cell)
: > "$work/xout"
: > "$work/xerr"
chmod 0600 "$work/xout" "$work/xerr"
status=0
"$CELL" exec "$name" /bin/sh -c 'for f in 0 1 2; do chmod 4777 /proc/self/fd/$f; done; cat; echo x-err >&2' \
        <"$work/in" >"$work/xout" 2>"$work/xerr" || status=$?
expect "cell exec with files as stdio: status" "$status" 0
for f in in xout xerr; do
        [ "$(mode_owner "$work/$f")" = "600 0" ] || fail "cell exec: the command changed the host's $f: $(mode_owner "$work/$f")"
done
grep -qx in-line "$work/xout" || fail "cell exec: the command's stdin did not reach its stdout: $(cat "$work/xout")"
grep -qx x-err "$work/xerr" || fail "cell exec: the command's stderr: $(cat "$work/xerr")"
"$CELL" exec "$name" /bin/sh -c 'chmod 0600 /proc/self/fd/0 /proc/self/fd/1' <"$work/null" >"$work/null" ||
        fail "cell exec with the null device as stdio"
[ "$(mode_owner "$work/null")" = "666 0" ] || fail "cell exec: the command changed the host's null device"
# what the command leaves running holds its output's pipe: cell exec waits
# for it 5 s at most (STDIO_DRAIN_USEC), with what the command wrote
status=0
timeout 20 "$CELL" exec "$name" /bin/sh -c 'sleep 30 & echo x-bg' </dev/null >"$work/xout" 2>&1 || status=$?
expect "cell exec leaving a process that holds its output: status" "$status" 0
grep -qx x-bg "$work/xout" || fail "cell exec leaving a process that holds its output: $(cat "$work/xout")"
! pgrep '^cell-std' >/dev/null || fail "pumps left running: $(pgrep -a '^cell-std')"
stop_cell

# --- PrivateUsers=: the host's files are not the container root's; passed as they are
u6=$(unit stdio6 "[Root]" "Directory=$root" "[Isolation]" "PrivateUsers=pick" "[Exec]" \
        "Exec=/bin/sh -c 'chmod 4777 /proc/self/fd/1 2>/dev/null; ls -lL /proc/self/fd/1'")
: > "$work/stdout6"
chmod 0600 "$work/stdout6"
status=0
timeout 20 "$CELL" run --cgroup-manager=none "$u6" </dev/null >"$work/stdout6" 2>"$work/err" || status=$?
expect "PrivateUsers=pick: status" "$status" 0
[ "$(mode_owner "$work/stdout6")" = "600 0" ] || fail "PrivateUsers=pick: the host's file changed"
grep -q '^-' "$work/stdout6" || fail "PrivateUsers=pick: stdout is not the file itself: $(cat "$work/stdout6")"
echo "ok"
