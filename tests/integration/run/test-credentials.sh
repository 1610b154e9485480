#!/bin/bash
# LoadCredential= and SetCredential=: what the payload finds in
# $CREDENTIALS_DIRECTORY (systemd-nspawn's /run/host/credentials), byte for
# byte, its modes and owners (User=, PrivateUsers=pick), read-only, gone
# with the container; and the start's errors (exit 2, FILE:LINE, nothing
# left). Our caller's $CREDENTIALS_DIRECTORY is made here, as the
# LoadCredential= of a service running cell would.
. "$(dirname "$0")/lib.sh"
CRED_SERVER=$(realpath "${4:?usage: $0 CELL PROBE MAKE_ROOT CRED_SERVER}")

mkdir -p "$work/caller" "$work/dir/sub"
printf 'key\0with\0NULs\n\377' > "$work/caller/tls.key"
printf 'one' > "$work/dir/a"
printf 'two' > "$work/dir/sub/b"
ln -s /etc/hostname "$work/dir/link"        # skipped, as systemd
printf 'from-load' > "$work/a"

# The payload's report: one line per credential, "NAME MODE UID GID HEX",
# the directory's, whether it could write there, and its mount.
cat > "$root/bin/credcheck" <<'SH'
#!/bin/sh
cd "$CREDENTIALS_DIRECTORY" || exit 9
echo "dir $CREDENTIALS_DIRECTORY $(stat -c '%a %u %g' .)"
for f in *; do
        echo "$f $(stat -c '%a %u %g' "$f") $(od -An -v -tx1 "$f" | tr -d ' \n')"
done
if echo x > new 2>/dev/null || echo x >> tls.key 2>/dev/null; then echo writable; else echo read-only; fi
line=$(grep " $CREDENTIALS_DIRECTORY " /proc/self/mountinfo)
echo "$(echo "$line" | cut -d' ' -f6) | ${line#* - }"
SH
chmod 0755 "$root/bin/credcheck"

hex() { printf "$1" | od -An -v -tx1 | tr -d ' \n'; }

# expect_report LABEL UID GID MOUNT-OPTIONS-REGEX
expect_report() {
        local want
        want="dir /run/host/credentials 500 $2 $3
a 400 $2 $3 $(hex 'from-load')
conf_a 400 $2 $3 $(hex 'one')
conf_sub_b 400 $2 $3 $(hex 'two')
fb 400 $2 $3 $(hex 'fall\nback')
pw 400 $2 $3 $(hex 'p\0w\n')
tls.key 400 $2 $3 $(hex 'key\0with\0NULs\n\377')
read-only"
        expect "$1: report" "$(head -n -1 "$work/out")" "$want"
        expect_match "$1: mount" "$(tail -n 1 "$work/out")" "$4"
}

cred_unit() {
        local name=$1; shift
        # An empty assignment resets its key's list; a later path or value
        # of an ID replaces the earlier; LoadCredential= wins over
        # SetCredential=, which stands in for a missing source.
        unit "$name" "[Root]" "Directory=$root" "[Exec]" "${exec_line:-Exec=/bin/credcheck}" \
                "SetCredential=gone:x" "SetCredential=" "LoadCredential=gone2" "LoadCredential=" \
                "LoadCredential=tls.key:nosuch" "LoadCredential=tls.key" "LoadCredential=conf:$work/dir" \
                "SetCredential=pw:p\\x00w\\n" "SetCredential=pw:p\\000w\\n" \
                "LoadCredential=fb:$work/missing" "SetCredential=fb:fall\\nback" \
                "SetCredential=a:from-set" "LoadCredential=a:$work/a" "$@"
}

host_snapshot before
export CREDENTIALS_DIRECTORY=$work/caller
u=$(cred_unit user "User=test")
status=0
timeout 20 "$CELL" run -v --cgroup-manager=cgroupfs "$u" >"$work/out" 2>"$work/err" || status=$?
[ "$status" -eq 0 ] || { cat "$work/err" >&2; fail "User=test: exited $status"; }
# Read-only, the mount and its superblock: a ramfs, which is never swapped out.
expect_report "User=test" 1000 1000 '^ro,nosuid,nodev,noexec[^ ]* \| ramfs ramfs ro[, ]'
# Neither the plan nor cell's narration shows a value; the IDs and sources, yes.
"$CELL" plan --json "$u" > "$work/plan"
"$CELL" plan "$u" >> "$work/plan"
for secret in 'fall' 'from-set' 'p\\x00w' 'p\\000w' 'NULs' 'from-load'; do
        ! grep -q -- "$secret" "$work/plan" "$work/err" || fail "a credential's value is shown: $secret"
done
grep -q '"id": "tls.key", "load": "tls.key", "set": false' "$work/plan" || fail "plan: $(cat "$work/plan")"
expect "credentials_directory" "$(plan_value credentials_directory)" /run/host/credentials

u=$(cred_unit root)
run_cell none "$u"
[ "$status" -eq 0 ] || { cat "$work/err" >&2; fail "root: exited $status"; }
expect_report "root" 0 0 '^ro,nosuid,nodev,noexec[^ ]* \| ramfs ramfs ro[, ]'

# In a user namespace: owned by the payload's user as the container sees it.
u=$(cred_unit userns "User=test" "[Isolation]" "PrivateUsers=pick")
run_cell cgroupfs "$u"
[ "$status" -eq 0 ] || { cat "$work/err" >&2; fail "PrivateUsers=pick: exited $status"; }
# The superblock is the host's (the builder made it): the mount alone is read-only.
expect_report "PrivateUsers=pick" 1000 1000 '^ro,nosuid,nodev,noexec[^ ]* \| ramfs ramfs '
u=$(cred_unit usernsroot "[Isolation]" "PrivateUsers=pick")
run_cell none "$u"
[ "$status" -eq 0 ] || { cat "$work/err" >&2; fail "PrivateUsers=pick, root: exited $status"; }
expect_report "PrivateUsers=pick, root" 0 0 '^ro,nosuid,nodev,noexec[^ ]* \| ramfs ramfs '

# Boot=yes: the image's init finds them as its own (root's), as a systemd
# booted by systemd-nspawn does; in a user namespace too.
mkdir -p "$root/sbin"
ln -sf ../bin/credcheck "$root/sbin/init"
for users in no pick; do
        u=$(exec_line=Boot=yes cred_unit "boot$users" "[Isolation]" "PrivateUsers=$users")
        # --console=pipe: the report on stdout alone (Boot=yes off a terminal
        # has a read-only console, which carries stderr too).
        status=0
        timeout 20 "$CELL" run --cgroup-manager=none --console=pipe "$u" >"$work/out" 2>"$work/err" || status=$?
        [ "$status" -eq 0 ] || { cat "$work/err" >&2; fail "Boot=yes, PrivateUsers=$users: exited $status"; }
        expect_report "Boot=yes, PrivateUsers=$users" 0 0 '^ro,nosuid,nodev,noexec[^ ]* \| ramfs ramfs '
done

# Nothing of it on the host, nor in the image.
[ ! -e "$root/run/host" ] || fail "the image got $root/run/host"
expect_nothing_left

# A start that fails after the tree is built takes back the mount point it
# made for them: here in a host directory bound at /run/host.
mkdir "$work/hostrun"
host_snapshot before
run_cell cgroupfs "$(unit takeback "[Root]" "Directory=$root" "Bind=$work/hostrun:/run/host" "[Exec]" \
        "Exec=/bin/credcheck" "User=nosuchuser" "SetCredential=x:y")"
expect "failed start: status" "$status" 2
# (The notify socket the child binds there is not cell's record's: not looked at.)
[ ! -e "$work/hostrun/credentials" ] || fail "failed start: $work/hostrun/credentials left behind"
expect_nothing_left

# cell exec: the same $CREDENTIALS_DIRECTORY, as systemd gives every command of a service.
u=$(unit execcred "[Root]" "Directory=$root" "[Exec]" "Exec=/bin/sleep 60" "User=test" "Init=yes" \
        "SetCredential=token:exec-sees-it")
start_cell none "$u"
out=$("$CELL" exec "$(unit_name execcred)" /bin/sh -c 'cat "$CREDENTIALS_DIRECTORY/token"') || fail "cell exec failed"
expect "cell exec: the credential" "$out" exec-sees-it
stop_cell

# An AF_UNIX stream socket as the source, as systemd.exec(5) has it: cell
# connects once, from "\0RANDOM/unit/UNIT/ID", and reads until the server
# closes. The server is told which scope and ID ask.
server=$("$CRED_SERVER" "$work/cred.sock" "$work/peer" "from-socket") || fail "cred-server did not start"
u=$(unit credsock "[Root]" "Directory=$root" "[Exec]" \
        "Exec=/bin/sh -c 'cat \"\$CREDENTIALS_DIRECTORY/sock\"'" "LoadCredential=sock:$work/cred.sock")
run_cell none "$u"
[ "$status" -eq 0 ] || { cat "$work/err" >&2; fail "socket: exited $status"; }
expect "socket: the credential" "$(cat "$work/out")" from-socket
# Exited: a zombie counts (it is not ours to reap, and whoever reaps it
# here may take its time).
running() { local st; st=$(cut -d' ' -f3 "/proc/$1/stat" 2>/dev/null) && [ "$st" != Z ]; }
for _ in $(seq 600); do running "$server" || break; sleep 0.05; done
! running "$server" || { kill "$server"; fail "socket: the server got no connection"; }
"$CELL" plan --json "$u" > "$work/plan"
expect "socket: the name cell connected from" "$(od -An -c "$work/peer" | tr -d ' \n' | sed 's/^\\0[0-9a-f]\{16\}//')" \
        "/unit/$(grep -o '"unit": "[^"]*\.scope"' "$work/plan" | sed 's/.*: "//; s/"$//')/sock"
expect "socket: a NUL first (abstract)" "$(head -c 1 "$work/peer" | od -An -tx1 | tr -d ' ')" 00

# A start of a name that runs is refused before it reads a credential: a
# socket's server (a one-time token's, say) is not asked by a start that
# its lock refuses anyway.
server=$("$CRED_SERVER" "$work/once.sock" "$work/once.peer" "once") || fail "cred-server did not start"
# Init=yes: sleep as PID 1 has no handler and ignores the SIGTERM below, whose
# stop then waited out its 60 s (the test took 66 s, 110 s in CI, of its 120).
first=$(unit credfirst "[Root]" "Directory=$root" "[Exec]" "Exec=/bin/sh -c 'echo up; exec sleep 60'" "Init=yes")
second=$(unit credsecond "[Root]" "Directory=$root" "[Exec]" "Exec=/bin/true" "LoadCredential=t:$work/once.sock")
twice=$(unit_name credtwice)
"$CELL" run --cgroup-manager=none --name "$twice" "$first" >"$work/first.out" 2>"$work/first.err" &
firstpid=$!
for _ in $(seq 600); do grep -q up "$work/first.out" && break; sleep 0.05; done
grep -q up "$work/first.out" || { kill "$firstpid" "$server"; fail "twice: the first never came up"; }
for manager in none cgroupfs; do
        status=0
        timeout 20 "$CELL" run --cgroup-manager=$manager --name "$twice" "$second" >"$work/out" 2>"$work/err" ||
                status=$?
        expect "twice ($manager): status" "$status" 2
        grep -q "cell $twice is already running (PID $firstpid holds " "$work/err" ||
                { kill "$firstpid" "$server"; fail "twice ($manager): $(cat "$work/err")"; }
        running "$server" || fail "twice ($manager): the credential's server was asked"
done
kill -TERM "$firstpid"
status=0
wait "$firstpid" || status=$?
expect "twice: the first start's status" "$status" 0
kill "$server"

# A signal while cell waits for a server that never answers ends the wait at
# once, as it ends any start (cell(1)): SIGTERM is a stop while starting
# (exit 0, not a death of SIGTERM, 143, which systemd would count as the
# service's failure), SIGHUP (as ^C) a failure (2); nothing is left: no
# mount, cgroup, scope or process, nor cell's end of the socket.
hold=$work/hold.sock
holder=$("$CRED_SERVER" "$hold" - -) || fail "cred-server did not start"
for how in cgroupfs:TERM:0 systemd:TERM:0 cgroupfs:HUP:2; do
        IFS=: read -r manager sig want <<< "$how"
        name=hold$manager$sig
        u=$(unit "$name" "[Root]" "Directory=$root" "[Exec]" "Exec=/bin/true" "LoadCredential=held:$hold")
        host_snapshot before
        "$CELL" run --cgroup-manager="$manager" "$u" >"$work/out" 2>"$work/err" &
        cellpid=$!
        # Connected: its end's abstract name is in the table.
        peer="/unit/cell-$(unit_name "$name")\\.scope/held\$"
        for _ in $(seq 400); do grep -q "$peer" /proc/net/unix && break; sleep 0.05; done
        grep -q "$peer" /proc/net/unix || { kill -KILL "$cellpid"; fail "SIG$sig ($manager): cell never connected"; }
        kill -"$sig" "$cellpid"
        for _ in $(seq 200); do kill -0 "$cellpid" 2>/dev/null || break; sleep 0.05; done
        kill -0 "$cellpid" 2>/dev/null && { kill -KILL "$cellpid"; fail "SIG$sig ($manager): cell still waits"; }
        status=0
        wait "$cellpid" || status=$?
        expect "SIG$sig ($manager): status" "$status" "$want"
        if [ "$want" = 0 ]; then
                grep -q "Stopped while starting (SIGTERM); nothing was left running" "$work/err" ||
                        fail "SIG$sig ($manager): $(cat "$work/err")"
        else
                grep -q "Interrupted while starting the container" "$work/err" ||
                        fail "SIG$sig ($manager): $(cat "$work/err")"
        fi
        ! grep -q "$peer" /proc/net/unix || fail "SIG$sig ($manager): cell's socket stayed"
        [ ! -e "$root/run/host" ] || fail "SIG$sig ($manager): the image got $root/run/host"
        expect_nothing_left
done

# The name is held from before the wait (cell(1), THE NAME): another start of
# it meanwhile, under any manager, is refused at once, naming the waiting
# start, and asks no server of its own; "cell list" shows the waiting start,
# and "cell stop" stops it (a stop while starting, exit 0), nothing left.
waiting=$(unit_name holdname)
u=$(unit holdname "[Root]" "Directory=$root" "[Exec]" "Exec=/bin/true" "LoadCredential=held:$hold")
other=$(unit holdother "[Root]" "Directory=$root" "[Exec]" "Exec=/bin/true" "LoadCredential=t:$work/once2.sock")
server=$("$CRED_SERVER" "$work/once2.sock" "$work/once2.peer" "once") || fail "cred-server did not start"
host_snapshot before
"$CELL" run --cgroup-manager=cgroupfs "$u" >"$work/out" 2>"$work/err" &
cellpid=$!
peer="/unit/cell-$waiting\\.scope/held\$"
for _ in $(seq 400); do grep -q "$peer" /proc/net/unix && break; sleep 0.05; done
grep -q "$peer" /proc/net/unix || { kill -KILL "$cellpid" "$server"; fail "held name: cell never connected"; }
for manager in none cgroupfs systemd; do
        status=0
        timeout 20 "$CELL" run --cgroup-manager=$manager --name "$waiting" "$other" >"$work/out2" 2>"$work/err2" ||
                status=$?
        expect "held name ($manager): status" "$status" 2
        grep -q "cell $waiting is already running (PID $cellpid holds " "$work/err2" ||
                { kill -KILL "$cellpid" "$server"; fail "held name ($manager): $(cat "$work/err2")"; }
        running "$server" || fail "held name ($manager): the credential's server was asked"
done
"$CELL" list --no-legend > "$work/list" 2>&1 || true
grep -q "^$waiting .*activating" "$work/list" || fail "held name: cell list: $(cat "$work/list")"
status=0
timeout 20 "$CELL" stop "$waiting" > "$work/stop" 2>&1 || status=$?
expect "held name: cell stop" "$status" 0
status=0
wait "$cellpid" || status=$?
expect "held name: the waiting start's status" "$status" 0
grep -q "Stopped while starting (SIGTERM); nothing was left running" "$work/err" ||
        fail "held name: $(cat "$work/err")"
expect_nothing_left
kill "$holder" "$server"

# Errors at start: exit 2 before anything is made, naming the key's line.
check_error() { credential_error cgroupfs "$@"; }
check_error missing "6: LoadCredential=nosuch: no credential nosuch in \\\$CREDENTIALS_DIRECTORY \\($work/caller\\)" \
        "LoadCredential=tls.key" "LoadCredential=nosuch"
check_error missingabs "5: LoadCredential=x:$work/nosuch: $work/nosuch: No such file or directory" \
        "LoadCredential=x:$work/nosuch"
head -c 1048577 /dev/zero > "$work/big"
check_error big "5: LoadCredential=big:$work/big: $work/big: larger than 1048576 bytes" "LoadCredential=big:$work/big"
head -c 1048560 /dev/zero > "$work/dir/big"
# What it needs and what is left (tls.key's 7 + 15, conf_a's 6 + 3), no strerror(E2BIG).
check_error total "6: LoadCredential=conf:$work/dir: conf_big: all credentials together may hold at most 1048576 bytes \\(IDs included\\), as systemd's: it needs 1048568 with its ID, and the ones before it left 1048545\$" \
        "LoadCredential=tls.key" "LoadCredential=conf:$work/dir"
rm "$work/dir/big"
# The server is gone, its socket file stays: nobody listens.
check_error deadsock "5: LoadCredential=s:$work/cred.sock: $work/cred.sock: nobody listens on this socket \\(start its server, or its .socket unit, before cell\\): Connection refused" \
        "LoadCredential=s:$work/cred.sock"
unset CREDENTIALS_DIRECTORY
check_error nocaller "5: LoadCredential=tls.key: \\\$CREDENTIALS_DIRECTORY is not set" "LoadCredential=tls.key"
echo "ok"
