#!/bin/bash
# cell exec on a terminal: the command gets a pty of the container's own
# devpts as its controlling terminal and stdio (as machinectl shell and
# systemd-run --pty give one), our terminal forwarded to it in raw mode, its
# size passed on (at the start and on SIGWINCH), and restored as it was on
# the way out; the command's exit status is cell's. script(1) makes the
# caller's terminal, whose size "stty rows/cols" sets.
. "$(dirname "$0")/lib.sh"
tty_job=$(dirname "$MAKE_ROOT")/tty-job

command -v script >/dev/null || { echo "skipped: no script(1) (bsdutils)"; exit 77; }

# on_tty SHELL-TEXT: SHELL-TEXT run by sh on a fresh pty of 33x101, its
# output in $work/tty (without \r); sets $status. (script(1) writes an EOF
# character to its pty when its stdin ends, which the pty may echo as "^@"
# before the first line: matches are not anchored at the start.)
on_tty() {
        status=0
        timeout 20 script -qefc "stty rows 33 cols 101; $1" /dev/null </dev/null >"$work/tty" 2>&1 || status=$?
        sed -i 's/\r$//' "$work/tty"
}

u=$(unit pty "[Root]" "Directory=$root" "[Exec]" "Exec=/bin/probe sleep 60 $marker" "Init=yes")
name=$(unit_name pty)
start_cell cgroupfs "$u"
trap 'status=$?; set +e; kill -TERM "$runpid" 2>/dev/null && wait "$runpid"; (exit $status); cleanup' EXIT

# --- On a terminal, by default: the container's pty (it exists under the
# container's /dev/pts, a private instance, where no host pty is), the
# size of ours, the exit status, and our terminal's settings as they were.
q=$(printf '%q ' "$CELL" exec "$name" /bin/sh -c 'echo "tty=$(tty)"; [ -c "$(tty)" ] && echo in-container; stty size; exit 7')
on_tty "stty -g >$work/before; $q; echo status=\$?; stty -g >$work/after"
expect "exec: script status" "$status" 0
expect "exec: the command's terminal" "$(grep -o 'tty=.*' "$work/tty")" "tty=/dev/pts/0"
expect "exec: a pty of the container's devpts" "$(grep -c 'in-container$' "$work/tty")" 1
expect "exec: the size of ours" "$(grep -o '[0-9][0-9]* [0-9][0-9]*$' "$work/tty")" "33 101"
expect "exec: its exit status" "$(grep -o 'status=.*' "$work/tty")" "status=7"
[ -s "$work/before" ] || fail "exec: stty -g printed nothing"
expect "exec: our terminal restored" "$(cat "$work/after")" "$(cat "$work/before")"

# /dev/tty works (a controlling terminal), and TIOCSTI on it stays EPERM:
# the filter denies it whatever terminal the command holds.
on_tty "$(printf '%q ' "$CELL" exec "$name" /bin/probe tiocsti)"
expect "exec: TIOCSTI is EPERM, /dev/tty opens" "$(grep -o '{"isatty.*}' "$work/tty")" \
        '{"isatty": 1, "tiocsti": 1, "dev_tty": 0}'

# --- -P: no pty, and no controlling terminal; the caller's terminal is
# relayed through pipes for the host's root (test-stdio-host.sh).
on_tty "$(printf '%q ' "$CELL" exec -P "$name" /bin/probe tiocsti)"
expect "exec -P: no controlling terminal" "$(grep -o '{"isatty.*}' "$work/tty")" \
        '{"isatty": 0, "tiocsti": 1, "dev_tty": 6}'

# --- -t with stdin not a terminal (a background job's /dev/null): a pty
# still; a resize of our terminal reaches the command as SIGWINCH.
q=$(printf '%q ' "$CELL" exec -t "$name" /bin/sh -c \
        'trap "stty size; exit 5" WINCH; echo waiting; while :; do sleep 0.1; done')
on_tty "$q & for i in \$(seq 300); do grep -q waiting $work/tty && break; sleep 0.05; done; \
stty rows 40 cols 120; wait \$!; echo status=\$?"
expect "exec -t: resized" "$(grep -o '[0-9][0-9]* [0-9][0-9]*$' "$work/tty" | tail -1)" "40 120"
expect "exec -t: its exit status" "$(grep -o 'status=.*' "$work/tty")" "status=5"

# --- A signal to cell exec (SIGTERM): passed on, and our terminal is restored.
q=$(printf '%q ' "$CELL" exec "$name" /bin/sh -c 'echo waiting; exec sleep 30')
on_tty "stty -g >$work/before; ( for i in \$(seq 100); do grep -q waiting $work/tty && break; sleep 0.05; done; \
pkill -TERM -f '^$CELL exec $name /bin/sh' ) & $q; echo status=\$?; stty -g >$work/after"
expect "exec, SIGTERM: the command's status" "$(grep -o 'status=.*' "$work/tty")" "status=143"
expect "exec, SIGTERM: our terminal restored" "$(cat "$work/after")" "$(cat "$work/before")"

# --- A container that replaced its /dev/ptmx (its root may: /dev is its
# tmpfs) with a link to the caller's terminal: cell exec -t never opens it,
# as the host's root, but the ptmx of the devpts at /dev/pts.
"$CELL" exec -P "$name" /bin/sh -c 'rm -f /dev/ptmx && ln -s /proc/self/fd/0 /dev/ptmx' </dev/null ||
        fail "exec: replacing the container's /dev/ptmx failed"
q=$(printf '%q ' "$CELL" exec -t "$name" /bin/sh -c 'echo "tty=$(tty)"; [ -c "$(tty)" ] && echo in-container; exit 4')
on_tty "$q; echo status=\$?"
expect "exec, /dev/ptmx replaced: its exit status" "$(grep -o 'status=.*' "$work/tty")" "status=4"
expect "exec, /dev/ptmx replaced: a pty of the container's devpts" "$(grep -c 'in-container$' "$work/tty")" 1

# --- Pipes: no pty, nothing changes.
out=$(echo hello | "$CELL" exec "$name" /bin/sh -c 'cat; tty; exit 3' 2>&1) && status=0 || status=$?
expect "exec, pipes: status" "$status" 3
expect "exec, pipes: no terminal" "$out" "$(printf 'hello\nnot a tty')"

# --- -t with a piped input: the command reads it, then its end (the pty's
# VEOF), and exits; a partial last line comes through too.
out=$(printf 'one\ntwo' | timeout 20 "$CELL" exec -t "$name" /bin/sh -c \
        'cat >/tmp/got; echo "count=$(wc -c </tmp/got)"; exit 6' 2>&1) && status=0 || status=$?
expect "exec -t, piped input: cat ended with it" "$status" 6
expect "exec -t, piped input: all of it read" "$(printf '%s' "$out" | grep -o 'count= *[0-9]*' | tr -d ' ')" count=7

# --- Job control (cell exec -t in a shell's job, with a command that reads
# its terminal). kill -STOP (no way for cell to give the terminal back
# first), the shell restores its own settings, as an interactive bash does
# for a stopped job, then "fg": cell takes its terminal raw again at the
# SIGCONT. It did not: the line typed then was echoed twice, by our
# terminal and the command's. (Input through a fifo, typed once cell runs on.)
# wait_for FILE: until FILE exists (10 s at most).
wait_for() {
        for _ in $(seq 200); do [ -e "$1" ] && return; sleep 0.05; done
        fail "timed out waiting for $1: $(cat "$work/tty")"
}
rm -f "$work/in" "$work/contdone" "$work/stoppedmark"
mkfifo "$work/in"
q=$(printf '%q ' "$CELL" exec -t "$name" /bin/sh -c 'echo reading; read x; echo "got=$x"; exit 9')
timeout 30 script -qefc "stty rows 33 cols 101; stty -g >$work/before; bash -c 'set -m
(for i in \$(seq 200); do grep -q reading $work/tty && break; sleep 0.05; done; pkill -STOP -x -P \$\$ cell) &
(for i in \$(seq 200); do [ -e $work/stoppedmark ] && break; sleep 0.05; done; $tty_job raw $work/before
stty -g </dev/tty >$work/continued; : >$work/contdone) &
$q
stty \$(cat $work/before); : >$work/stoppedmark; sleep 0.5; fg; echo status=\$?'; stty -g >$work/after" /dev/null \
        <"$work/in" >"$work/tty" 2>&1 &
scriptpid=$!
exec 9>"$work/in"
wait_for "$work/contdone"
printf 'typed\r' >&9
status=0
wait "$scriptpid" || status=$?
exec 9>&-
sed -i 's/\r$//' "$work/tty"
expect "exec -t, stopped and continued: script status" "$status" 0
expect "exec -t, stopped and continued: its exit status" "$(grep -o 'status=.*' "$work/tty")" "status=9"
[ "$(cat "$work/continued")" != "$(cat "$work/before")" ] || fail "exec -t, continued: our terminal is not raw again"
expect "exec -t, continued: the line echoed once" "$(grep -c '^\(\^@\)*typed$' "$work/tty")" 1
expect "exec -t, stopped and continued: input read" "$(grep -o 'got=[a-z]*$' "$work/tty")" "got=typed"
expect "exec -t, stopped and continued: our terminal restored" "$(cat "$work/after")" "$(cat "$work/before")"

# kill -TSTP where no shell could continue cell (its process group is
# orphaned: sh -c without job control, in a session of script's): SIGTSTP's
# default action, which the kernel drops there, not a SIGSTOP that stopped
# cell for good. In a shell's job it stops, the command running on.
q=$(printf '%q ' "$CELL" exec -t "$name" /bin/sh -c 'echo waiting; sleep 2; exit 4')
on_tty "stty -g >$work/before; ( for i in \$(seq 100); do grep -q waiting $work/tty && break; sleep 0.05; done; \
pkill -TSTP -f '^$CELL exec -t $name /bin/sh' ) & $q; echo status=\$?; stty -g >$work/after"
expect "exec -t, SIGTSTP, no job control: not stopped, its status" "$(grep -o 'status=.*' "$work/tty")" "status=4"
expect "exec -t, SIGTSTP, no job control: our terminal restored" "$(cat "$work/after")" "$(cat "$work/before")"
q=$(printf '%q ' "$CELL" exec -t "$name" /bin/sh -c 'sleep 2; echo ran-on; exit 3')
on_tty "stty -g >$work/before; bash -c 'set -m
$tty_job tstp \$\$ &
$q
stty -g >$work/stopped; sleep 0.5; fg; echo status=\$?'; stty -g >$work/after"
expect "exec -t, SIGTSTP in a job: its exit status" "$(grep -o 'status=.*' "$work/tty")" "status=3"
expect "exec -t, SIGTSTP in a job: the command ran on" "$(grep -c 'ran-on$' "$work/tty")" 1
expect "exec -t, SIGTSTP in a job: our terminal as it was meanwhile" "$(cat "$work/stopped")" "$(cat "$work/before")"
expect "exec -t, SIGTSTP in a job: our terminal restored" "$(cat "$work/after")" "$(cat "$work/before")"

# --- ^] three times within a second, as cell run's console: the command
# (one that takes ^C as nothing) is killed, cell exec says so and exits 137.
printf '\x1d\x1d\x1d' > "$work/escape"
q=$(printf '%q ' "$CELL" exec -t "$name" /bin/sh -c 'trap "" INT; exec sleep 30')
status=0
timeout 20 script -qefc "stty rows 33 cols 101; stty -g >$work/before; $q; echo status=\$?; stty -g >$work/after" \
        /dev/null <"$work/escape" >"$work/tty" 2>&1 || status=$?
sed -i 's/\r$//' "$work/tty"
expect "exec -t, ^] three times: cell's exit status" "$(grep -o 'status=.*' "$work/tty")" "status=137"
expect "exec -t, ^] three times: said" "$(grep -c '\^] three times: killing the command' "$work/tty")" 1
expect "exec -t, ^] three times: our terminal restored" "$(cat "$work/after")" "$(cat "$work/before")"
# Piped in (not a terminal), ^] is data, passed on.
out=$(printf 'a\x1d\x1d\x1db\n' | timeout 20 "$CELL" exec -t "$name" /bin/sh -c 'read x; echo "len=${#x}"; exit 5' \
        2>&1) && status=0 || status=$?
expect "exec -t, ^] piped in: the command's status" "$status" 5
expect "exec -t, ^] piped in: passed on" "$(printf '%s' "$out" | grep -o 'len=[0-9]*')" "len=5"

stop_cell
echo ok
