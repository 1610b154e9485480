#!/bin/bash
# cell run on a terminal, as systemd-nspawn --console=interactive (its
# default there): the payload's stdio, controlling terminal and
# /dev/console are a pty of the container's own devpts, forwarded by cell;
# --console=read-only forwards only its output, passive nothing. Our
# terminal's size is passed on and its settings restored; the exit status
# is the payload's; nothing is left behind. script(1) makes the terminal.
. "$(dirname "$0")/lib.sh"
tty_job=$(dirname "$MAKE_ROOT")/tty-job

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

# Stopped by SIGTSTP (kill -TSTP: ^Z is a byte for the pty while our
# terminal is raw) in a job-control shell: cell gives the terminal back as
# it was while stopped (a shell that does not restore it would be left
# raw), takes it raw again when continued ("fg", SIGCONT; else the input
# was echoed twice and ^C, ^Z were cell's), and the container ran on.
# Each step waits for the last (tests/lib/tty-job), not fixed 1 s and 2 s: a
# SIGTSTP before cell took it stopped cell raw, a look 0.5 s after "fg" was
# too soon on a loaded machine, and the payload (3 s) could end meanwhile.
u=$(unit consolejob "[Root]" "Directory=$root" "[Exec]" \
        "Exec=/bin/sh -c 'while [ ! -e /var/tmp/jobgo ]; do sleep 0.1; done; echo job-done; exit 9'")
q=$(printf '%q ' "$CELL" run --cgroup-manager=cgroupfs "$u")
rm -f "$work/stoppedmark" "$root/var/tmp/jobgo"
on_tty "stty -g >$work/before; bash -c 'set -m
$tty_job tstp \$\$ &
(for i in \$(seq 400); do [ -e $work/stoppedmark ] && break; sleep 0.05; done; $tty_job raw $work/before
stty -g </dev/tty >$work/continued; grep flags /proc/\$(pgrep -x -P \$\$ cell)/fdinfo/0 >$work/contfl
: >$root/var/tmp/jobgo) &
$q
stty -g >$work/stopped; grep flags /proc/\$(pgrep -x -P \$\$ cell)/fdinfo/0 >$work/stoppedfl; : >$work/stoppedmark
sleep 0.5; fg; echo status=\$?'; stty -g >$work/after"
# nonblocking FILE: whether the fdinfo flags in FILE have O_NONBLOCK.
nonblocking() {
        [ -s "$1" ] || { echo "unknown (no cell found)"; return; }
        (( 0$(awk '{ print $2 }' "$1") & 04000 )) && echo yes || echo no
}
expect "run, stopped: its exit status" "$(grep -o 'status=.*' "$work/tty")" "status=9"
expect "run, stopped: the container ran on" "$(grep -c 'job-done$' "$work/tty")" 1
expect "run, stopped: our terminal as it was meanwhile" "$(cat "$work/stopped")" "$(cat "$work/before")"
[ "$(cat "$work/continued")" != "$(cat "$work/before")" ] || fail "run, continued: our terminal is not raw again"
# Blocking while cell is stopped (a command of the shell's would get
# EAGAIN), non-blocking again once it goes on.
expect "run, stopped: our terminal blocking meanwhile" "$(nonblocking "$work/stoppedfl")" no
expect "run, continued: non-blocking again" "$(nonblocking "$work/contfl")" yes
expect "run, stopped and continued: our terminal restored" "$(cat "$work/after")" "$(cat "$work/before")"

# ^] three times within a second, as systemd-nspawn's escape: the way out
# of a payload that takes ^C as nothing (a PID 1 ignores SIGINT without a
# handler); the container is killed, cell exits as for a SIGKILL.
u=$(unit consoleescape "[Root]" "Directory=$root" "[Exec]" "Exec=/bin/sleep 30")
printf '\x1d\x1d\x1d' > "$work/escape"
on_tty "stty -g >$work/before; $(printf '%q ' "$CELL" run --cgroup-manager=cgroupfs "$u"); echo status=\$?; \
stty -g >$work/after" "$work/escape"
expect "run, ^] three times: cell's exit status" "$(grep -o 'status=.*' "$work/tty")" "status=137"
expect "run, ^] three times: said" "$(grep -c '\^] three times: killing the container' "$work/tty")" 1
expect "run, ^] three times: our terminal restored" "$(cat "$work/after")" "$(cat "$work/before")"

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
on_tty "$q & for i in \$(seq 300); do grep -q waiting $work/tty && break; sleep 0.05; done; \
stty rows 40 cols 120; wait \$!; echo status=\$?"
expect "run: resized" "$(grep -o '[0-9][0-9]* [0-9][0-9]*$' "$work/tty" | tail -1)" "40 120"
expect "run: resized, its exit status" "$(grep -o 'status=.*' "$work/tty")" "status=5"

# --- passive: a pty, connected nowhere.
u=$(unit consolepassive "[Root]" "Directory=$root" "[Exec]" "Exec=/bin/sh -c 'echo secret; tty >/dev/null && exit 6'")
on_tty "$(printf '%q ' "$CELL" run --cgroup-manager=cgroupfs --console=passive "$u"); echo status=\$?"
expect "run --console=passive: no output" "$(grep -c secret "$work/tty")" 0
expect "run --console=passive: a terminal all the same" "$(grep -o 'status=.*' "$work/tty")" "status=6"
# Its output is dropped, not left in the pty: more than a pty holds does
# not make the payload's writes hang for good.
u=$(unit consolepassivebig "[Root]" "Directory=$root" "[Exec]" \
        "Exec=/bin/sh -c 'yes 0123456789012345678901234567890123456789 | head -c 1000000; echo; exit 6'")
on_tty "$(printf '%q ' "$CELL" run --cgroup-manager=cgroupfs --console=passive "$u"); echo status=\$?"
expect "run --console=passive, 1 MB written: its exit status" "$(grep -o 'status=.*' "$work/tty")" "status=6"

# --- Not on a terminal: pipe, as before (no /dev/console, stdin as given).
u=$(unit consolepipe "[Root]" "Directory=$root" "[Exec]" \
        "Exec=/bin/sh -c 'cat; tty; [ -e /dev/console ] || echo no-console; exit 2'")
out=$(echo hello | "$CELL" run --cgroup-manager=cgroupfs "$u" 2>/dev/null) && status=0 || status=$?
expect "run, pipes: status" "$status" 2
expect "run, pipes: no terminal" "$out" "$(printf 'hello\nnot a tty\nno-console')"

# --- Boot=yes not on a terminal: read-only, nspawn's default there, as an
# init writes to /dev/console (a systemd finds none in pipe mode and writes
# its boot to /dev/null). Its output as lines (the pty's CR LF as LF, other
# CRs kept), its stdin not ours, its console closed and opened again; relayed
# by cell-monitor once it was handed over (1 s in), to the payload's end.
mv "$root/sbin/init" "$work/init.orig"         # a link to busybox: not written through
cat > "$root/sbin/init" <<'EOF'
#!/bin/sh
echo "tty=$(tty)"
[ -c /dev/console ] && [ "$(stat -c %t:%T /dev/console)" = "$(stat -c %t:%T "$(tty)")" ] && echo console-is-tty
printf 'crlf\r\n50%%\r100%%\n'
read -t 1 x; echo "got=$x."
exec </dev/null >/dev/null 2>&1
sleep "${1:-0}"
echo after >/dev/console
exit 4
EOF
chmod +x "$root/sbin/init"
u=$(unit consoleboot "[Root]" "Directory=$root" "[Exec]" "Boot=yes")
want=$(printf 'tty=/dev/pts/0\nconsole-is-tty\ncrlf\n50%%\r100%%\ngot=.\nafter')
out=$(echo hello | timeout 20 "$CELL" run --cgroup-manager=cgroupfs "$u" 2>"$work/err") && status=0 || status=$?
expect "run, Boot=yes, pipes: status (stderr: $(cat "$work/err"))" "$status" 4
expect "run, Boot=yes, pipes: its console's output" "$out" "$want"
"$CELL" run --cgroup-manager=cgroupfs "$u" -- 3 <"$work/input" >"$work/out" 2>"$work/err" &
pid=$!
wait_handed_over "$pid" || fail "run, Boot=yes: '$(cat "/proc/$pid/comm" 2>/dev/null)' supervises, not cell-monitor"
wait "$pid" && status=0 || status=$?
expect "run, Boot=yes, handed over: status" "$status" 4
expect "run, Boot=yes, handed over: its console's output" "$(cat "$work/out")" "$want"
# --console=pipe as asked: no pty, no /dev/console.
out=$(echo hello | timeout 20 "$CELL" run --cgroup-manager=cgroupfs --console=pipe "$u" 2>/dev/null) \
        && status=0 || status=$?
expect "run, Boot=yes, --console=pipe: status" "$status" 4
expect "run, Boot=yes, --console=pipe: no terminal" "$(head -3 <<< "$out")" \
        "$(printf 'tty=not a tty\ncrlf\r\n50%%\r100%%')"
# A background job of a job-control shell, stdin not a terminal, stdout
# one: read-only would make that terminal raw from the background and be
# stopped (SIGTTOU), the container with it: pipe, as without Boot=yes.
q=$(printf '%q ' "$CELL" run --cgroup-manager=cgroupfs "$u")
on_tty "bash -c 'set -m; $q </dev/null & wait \$!; echo status=\$?'"
expect "run, Boot=yes, in the background: its exit status" "$(grep -o 'status=.*' "$work/tty")" "status=4"
expect "run, Boot=yes, in the background: pipe" "$(grep -c 'tty=not a tty' "$work/tty")" 1
mv "$work/init.orig" "$root/sbin/init"

# interactive with a regular file as stdin (which epoll refuses): read to
# its end, which the payload sees as the end of its input, as a pipe's. It
# was not read at all: the payload waited for input for good.
u=$(unit consolefile "[Root]" "Directory=$root" "[Exec]" "TimeoutStopSec=1" \
        "Exec=/bin/sh -c 'n=0; while read x; do n=\$((n + 1)); done; echo lines=\$n; exit 3'")
seq 1 20000 > "$work/lines"
out=$(timeout 10 "$CELL" run --cgroup-manager=cgroupfs --console=interactive "$u" <"$work/lines" 2>/dev/null) \
        && status=0 || status=$?
expect "run --console=interactive <file: status" "$status" 3
expect "run --console=interactive <file: all of it read" "$(grep -o 'lines=[0-9]*' <<< "$out")" "lines=20000"

# An unknown mode is refused before anything is started.
status=0
"$CELL" run --console=bogus "$u" 2>"$work/err" || status=$?
expect "run --console=bogus: status" "$status" 2
expect_match "run --console=bogus: message" "$(cat "$work/err")" "Unknown --console=bogus"

expect_nothing_left
echo ok
