#!/bin/bash
# The caller's terminal is out of the container's reach: no process cell
# starts inside (the payload, a command of cell exec) has it as its
# controlling terminal, and ioctl(TIOCSTI) / ioctl(TIOCLINUX) fail with EPERM
# even where the kernel would take them from CAP_SYS_ADMIN. Either would let
# the container push input into the host's shell, which runs it as host root
# once cell returned (CVE-2017-5226). script(1) gives cell a terminal.
. "$(dirname "$0")/lib.sh"

command -v script >/dev/null || { echo "skipped: no script(1) (bsdutils)"; exit 77; }

# in_tty CMD...: CMD on a fresh pty, its output in $work/tty (without \r); sets $status.
in_tty() {
        status=0
        timeout 20 script -qefc "$(printf '%q ' "$@")" /dev/null </dev/null >"$work/tty" 2>&1 || status=$?
        sed -i 's/\r$//' "$work/tty"
}

# --- The payload with CAP_SYS_ADMIN in the host's user namespace (what
# Boot=yes without PrivateUsers= has): the kernel's TIOCSTI check would let
# it push into any terminal it holds an fd of. With --console=pipe the
# terminal is the caller's, which the host's root never gets: cell relays
# it through pipes (test-stdio-host.sh), so there is no terminal to push
# into at all (the default gives it a pty of its own: test-console.sh).
ua=$(unit ttyadmin "[Root]" "Directory=$root" "[Exec]" "Exec=/bin/probe tiocsti" \
        "[Isolation]" "Capability=CAP_SYS_ADMIN")
in_tty "$CELL" run --cgroup-manager=none --console=pipe "$ua"
expect "run with CAP_SYS_ADMIN: status" "$status" 0
expect "run with CAP_SYS_ADMIN: no terminal, no controlling terminal" "$(grep -o '{"isatty.*}' "$work/tty")" \
        '{"isatty": 0, "tiocsti": 1, "dev_tty": 6}'

# --- cell exec -P (no pty; test-pty.sh has the default, a pty of the
# container's): its command has a session of its own (no /dev/tty), and
# TIOCSTI on its stdin fails: the caller's terminal, relayed for the host's
# root (its stdin a pipe then), as it is with PrivateUsers=.
# (Init=yes: the payload is not PID 1, so SIGTERM ends it at the end.)
u=$(unit ttyexec "[Root]" "Directory=$root" "[Exec]" "Exec=/bin/probe sleep 60 $marker" "Init=yes")
name=$(unit_name ttyexec)
start_cell cgroupfs "$u"
trap 'status=$?; set +e; kill -TERM "$runpid" 2>/dev/null && wait "$runpid"; (exit $status); cleanup' EXIT

in_tty "$CELL" exec -P "$name" /bin/probe tiocsti
expect "exec: status" "$status" 0
expect "exec: no terminal, no controlling terminal" "$(grep -o '{"isatty.*}' "$work/tty")" \
        '{"isatty": 0, "tiocsti": 1, "dev_tty": 6}'

# Signals from the terminal still reach the command (^C: SIGINT, the probe
# exits 64+2), and cell exec exits with its status.
rm -f "$work/in"
mkfifo "$work/in"
script -qefc "$(printf '%q ' "$CELL" exec "$name" /bin/probe trap)" /dev/null <"$work/in" >"$work/tty" 2>&1 &
scriptpid=$!
exec 9>"$work/in"
for _ in $(seq 100); do
        grep -q trapping "$work/tty" 2>/dev/null && break
        sleep 0.05
done
grep -q trapping "$work/tty" || fail "exec: the probe did not start: $(cat "$work/tty")"
printf '\003' >&9
for _ in $(seq 100); do
        grep -q 'signal 2' "$work/tty" && break
        sleep 0.05
done
exec 9>&-
status=0
wait "$scriptpid" || status=$?
expect "exec: ^C reaches the command" "$(grep -c 'signal 2' "$work/tty")" 1
expect "exec: and its status comes back" "$status" 66

in_tty "$CELL" exec "$name" /bin/sh -c 'exit 7'
expect "exec: exit status" "$status" 7

# A command that is not there or cannot be run: a shell's 127 and 126 (as
# podman exec), not cell's own failure (2), and the message says which.
for c in "nosuchcmd:127:not found in the container" "/nonexist:127:execve" \
         "/etc/passwd:126:is not executable" "/etc:126:is a directory"; do
        status=0
        "$CELL" exec -P "$name" "${c%%:*}" </dev/null >/dev/null 2>"$work/exec.err" || status=$?
        rest=${c#*:}
        expect "exec ${c%%:*}: status" "$status" "${rest%%:*}"
        grep -q "${rest#*:}" "$work/exec.err" || fail "exec ${c%%:*}: message: $(cat "$work/exec.err")"
done
status=0
"$CELL" exec -P "$name" /bin/sh -c 'exit 127' </dev/null || status=$?
expect "exec: the command's own 127" "$status" 127

# A frozen cell (its cgroup2 cgroup frozen, as "systemctl freeze" does): the
# command would freeze on joining it, and cell exec with it, for ever;
# refused (exit 2), saying so, and runs again once it is thawed.
leader=$("$CELL" status --json "$name" | python3 -c 'import json, sys; print(json.load(sys.stdin)["pid"])')
cg2=$(awk -F: '$1 == 0 { print $3 }' "/proc/$leader/cgroup")
mnt2=$(awk '$3 == "cgroup2" { print $2; exit }' /proc/self/mounts)
if [ -n "$cg2" ] && [ -w "$mnt2$cg2/cgroup.freeze" ]; then
        echo 1 > "$mnt2$cg2/cgroup.freeze"
        status=0
        timeout -k 2 10 "$CELL" exec -P "$name" /bin/true </dev/null >/dev/null 2>"$work/exec.err" || status=$?
        echo 0 > "$mnt2$cg2/cgroup.freeze"
        expect "exec into a frozen cell: status" "$status" 2
        grep -q "The cell is frozen" "$work/exec.err" || fail "exec into a frozen cell: $(cat "$work/exec.err")"
        "$CELL" exec -P "$name" /bin/true </dev/null || fail "exec after the thaw failed"
else
        echo "no cgroup2 freezer for the cell here: frozen case skipped"
fi

# cell exec as a script's background job, which this shell starts with
# SIGINT and SIGQUIT ignored (POSIX): both stay ignored, as in cell run,
# and are not forwarded (a ^C on the script's terminal is the script's);
# the others go on to the command.
"$CELL" exec -P "$name" /bin/probe trap </dev/null >"$work/execbg" 2>&1 &
execpid=$!
for _ in $(seq 100); do grep -q trapping "$work/execbg" && break; sleep 0.05; done
kill -INT "$execpid"; kill -QUIT "$execpid"
kill -USR1 "$execpid" 2>/dev/null || fail "exec in the background: cell exec ended on SIGINT or SIGQUIT"
for _ in $(seq 100); do grep -qx 'signal 10' "$work/execbg" && break; sleep 0.05; done
kill -TERM "$execpid"
status=0
wait "$execpid" || status=$?
expect "exec in the background: status" "$status" $((64 + 15))
expect "exec in the background: SIGINT and SIGQUIT not forwarded" "$(tr '\n' ' ' < "$work/execbg")" \
        "trapping signal 10 signal 15 "

stop_cell
echo ok
