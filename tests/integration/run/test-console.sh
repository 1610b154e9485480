#!/bin/bash
# cell run on a terminal, as systemd-nspawn --console=interactive (its
# default there): the payload's stdio, controlling terminal and
# /dev/console are a pty of the container's own devpts, forwarded by cell;
# --console=read-only forwards only its output, passive nothing. Our
# terminal's size is passed on and its settings restored; the exit status
# is the payload's; nothing is left behind. script(1) makes the terminal.
. "$(dirname "$0")/lib.sh"

command -v script >/dev/null || { echo "skipped: no script(1) (bsdutils)"; exit 77; }

# on_tty SHELL-TEXT [STDIN]: SHELL-TEXT run by sh on a fresh pty of 33x101,
# with STDIN (default /dev/null) as script's input, its output in
# $work/tty (without \r); sets $status. (script(1) writes an EOF character
# to its pty when its stdin ends, which the pty may echo as "^@" before the
# first line: matches are not anchored at the start.)
on_tty() {
        status=0
        timeout 20 script -qefc "stty rows 33 cols 101; $1" /dev/null <"${2:-/dev/null}" >"$work/tty" 2>&1 || status=$?
        sed -i 's/\r$//' "$work/tty"
}

host_snapshot before

# --- The default on a terminal: interactive.
u=$(unit console "[Root]" "Directory=$root" "[Exec]" \
        "Exec=/bin/sh -c 'echo \"tty=\$(tty)\"; stty size; [ \"\$(stat -c %%t:%%T /dev/console)\" = \"\$(stat -c %%t:%%T \"\$(tty)\")\" ] && echo console-is-tty; exit 7'")
q=$(printf '%q ' "$CELL" run --cgroup-manager=cgroupfs "$u")
on_tty "stty -g >$work/before; $q; echo status=\$?; stty -g >$work/after"
expect "run: the payload's terminal" "$(grep -o 'tty=.*' "$work/tty")" "tty=/dev/pts/0"
expect "run: the size of ours" "$(grep -o '[0-9][0-9]* [0-9][0-9]*$' "$work/tty")" "33 101"
expect "run: /dev/console is that pty" "$(grep -c 'console-is-tty$' "$work/tty")" 1
expect "run: its exit status" "$(grep -o 'status=.*' "$work/tty")" "status=7"
[ -s "$work/before" ] || fail "run: stty -g printed nothing"
expect "run: our terminal restored" "$(cat "$work/after")" "$(cat "$work/before")"

# A background job of a shell with job control ("cell run web &"): not
# the pty but pipe, the payload's output straight to the terminal. In raw
# mode from the background cell was stopped (SIGTTOU), the container with it.
u=$(unit consolebg "[Root]" "Directory=$root" "[Exec]" "Exec=/bin/sh -c 'echo bg-ran; exit 5'")
q=$(printf '%q ' "$CELL" run --cgroup-manager=cgroupfs "$u")
on_tty "bash -c 'set -m; $q & wait \$!; echo status=\$?'"
expect "run in the background: the payload ran" "$(grep -c 'bg-ran$' "$work/tty")" 1
expect "run in the background: its exit status" "$(grep -o 'status=.*' "$work/tty")" "status=5"

# "setsid cell run" from a shell: the terminal (its input too) is not
# cell's controlling one, and the shell reads it: pipe, the terminal's
# settings untouched while it runs (cell put it in raw mode under the
# shell, and read its input).
u=$(unit consolesetsid "[Root]" "Directory=$root" "[Exec]" "Exec=/bin/sh -c 'sleep 1; exit 6'")
q=$(printf '%q ' "$CELL" run --cgroup-manager=cgroupfs "$u")
on_tty "stty -g >$work/before; setsid $q </dev/tty & sleep 0.5; stty -g >$work/during; wait \$!; echo status=\$?"
expect "setsid: the terminal's settings while it runs" "$(cat "$work/during")" "$(cat "$work/before")"
expect "setsid: its exit status" "$(grep -o 'status=.*' "$work/tty")" "status=6"

# Input reaches the payload, through its pty (Init=yes: PID 2 takes it as
# its controlling terminal after its own setsid(): /dev/tty opens).
u=$(unit consolein "[Root]" "Directory=$root" "[Exec]" "Init=yes" \
        "Exec=/bin/sh -c 'read x; echo \"got=\$x\"; : </dev/tty && echo ctty; exit 3'")
printf 'hello\n' > "$work/input"
on_tty "$(printf '%q ' "$CELL" run --cgroup-manager=cgroupfs "$u"); echo status=\$?" "$work/input"
expect "run: input forwarded" "$(grep -o 'got=.*' "$work/tty")" "got=hello"
expect "run, Init=yes: a controlling terminal" "$(grep -c 'ctty$' "$work/tty")" 1
expect "run, Init=yes: its exit status" "$(grep -o 'status=.*' "$work/tty")" "status=3"

# The payload closes its console and opens it again (as an init such as
# systemd with Boot=yes does, for each message): no moment without a slave
# open ends the forwarding.
u=$(unit consolereopen "[Root]" "Directory=$root" "[Exec]" \
        "Exec=/bin/sh -c 'echo first; exec </dev/null >/dev/null 2>&1; sleep 0.5; echo again >/dev/console; sleep 0.2; exit 8'")
on_tty "$(printf '%q ' "$CELL" run --cgroup-manager=cgroupfs "$u"); echo status=\$?"
expect "run: output before the console is closed" "$(grep -c 'first$' "$work/tty")" 1
expect "run: output once it is opened again" "$(grep -c 'again$' "$work/tty")" 1
expect "run: closed and opened again, its exit status" "$(grep -o 'status=.*' "$work/tty")" "status=8"

# --- read-only: its output, but our input is not read.
u=$(unit consolero "[Root]" "Directory=$root" "[Exec]" \
        "Exec=/bin/sh -c 'read -t 1 x; echo \"got=\$x.\"; exit 4'")
on_tty "$(printf '%q ' "$CELL" run --cgroup-manager=cgroupfs --console=read-only "$u"); echo status=\$?" "$work/input"
expect "run --console=read-only: nothing read" "$(grep -o 'got=.*' "$work/tty")" "got=."
expect "run --console=read-only: its exit status" "$(grep -o 'status=.*' "$work/tty")" "status=4"

# A resize of our terminal reaches the payload as SIGWINCH (cell in the
# background of a shell without job control: stdin /dev/null).
u=$(unit consolewinch "[Root]" "Directory=$root" "[Exec]" \
        "Exec=/bin/sh -c 'trap \"stty size; exit 5\" WINCH; echo waiting; while :; do sleep 0.1; done'")
q=$(printf '%q ' "$CELL" run --cgroup-manager=cgroupfs --console=read-only "$u")
on_tty "$q & for i in \$(seq 100); do grep -q waiting $work/tty && break; sleep 0.05; done; \
stty rows 40 cols 120; wait \$!; echo status=\$?"
expect "run: resized" "$(grep -o '[0-9][0-9]* [0-9][0-9]*$' "$work/tty" | tail -1)" "40 120"
expect "run: resized, its exit status" "$(grep -o 'status=.*' "$work/tty")" "status=5"

# --- passive: a pty, connected nowhere.
u=$(unit consolepassive "[Root]" "Directory=$root" "[Exec]" "Exec=/bin/sh -c 'echo secret; tty >/dev/null && exit 6'")
on_tty "$(printf '%q ' "$CELL" run --cgroup-manager=cgroupfs --console=passive "$u"); echo status=\$?"
expect "run --console=passive: no output" "$(grep -c secret "$work/tty")" 0
expect "run --console=passive: a terminal all the same" "$(grep -o 'status=.*' "$work/tty")" "status=6"

# --- Not on a terminal: pipe, as before (no /dev/console, stdin as given).
u=$(unit consolepipe "[Root]" "Directory=$root" "[Exec]" \
        "Exec=/bin/sh -c 'cat; tty; [ -e /dev/console ] || echo no-console; exit 2'")
out=$(echo hello | "$CELL" run --cgroup-manager=cgroupfs "$u" 2>/dev/null) && status=0 || status=$?
expect "run, pipes: status" "$status" 2
expect "run, pipes: no terminal" "$out" "$(printf 'hello\nnot a tty\nno-console')"

# An unknown mode is refused before anything is started.
status=0
"$CELL" run --console=bogus "$u" 2>"$work/err" || status=$?
expect "run --console=bogus: status" "$status" 2
expect_match "run --console=bogus: message" "$(cat "$work/err")" "Unknown --console=bogus"

expect_nothing_left
echo ok
