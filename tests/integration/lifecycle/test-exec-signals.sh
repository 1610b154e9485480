#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# cell exec passes on to its command every signal cell run passes on to its
# payload (cell(1), exec): SIGALRM, SIGPWR, SIGVTALRM, SIGPROF, SIGIO,
# SIGSTKFLT and SIGRTMIN to SIGRTMAX too, besides SIGTERM, SIGINT, SIGHUP,
# SIGQUIT, SIGUSR1 and SIGUSR2. Each of those would end cell exec by its
# default action: it did (exit 142 for a SIGALRM), and the command with it
# (SIGKILL, PR_SET_PDEATHSIG) without a chance to act on the signal, what it
# had started left running in the container.
#
#   test-exec-signals.sh CELL PROBE MAKE_ROOT (tests/integration/run/lib.sh)
. "$(dirname "$0")/../run/lib.sh"

u=$(unit sigs "[Root]" "Directory=$root" "[Exec]" "Exec=/bin/sh -c 'trap \"exit 0\" TERM; while :; do sleep 0.1; done'")
name=$(basename "$u" .cell)
start_cell none "$u"
mkdir -p "$root/sync"

# The command catches the signal (by number: busybox's sh knows no
# SIGSTKFLT by name) and exits 5: cell exec exits 5, and nothing is left.
for sig in USR1 ALRM PWR VTALRM PROF IO STKFLT RTMIN RTMIN+4 RTMAX; do
        num=$(kill -l "$sig")
        rm -f "$root/sync/ready"
        "$CELL" exec -P "$name" /bin/sh -c ": $marker; trap 'exit 5' $num; touch /sync/ready
                while :; do sleep 0.05; done" </dev/null >"$work/out" 2>"$work/err" &
        pid=$!
        for _ in $(seq 200); do [ -e "$root/sync/ready" ] && break; sleep 0.05; done
        [ -e "$root/sync/ready" ] || fail "$sig: the command did not start: $(cat "$work/err")"
        kill -s "$num" "$pid"
        status=0
        wait "$pid" || status=$?
        expect "$sig: cell exec's status (the command's, which caught it)" "$status" 5
        sleep 0.1
        left=$(pgrep -f -- ": $marker; trap" || true)
        [ -z "$left" ] || fail "$sig: the command runs on after cell exec ended (PID $left)"
done

stop_cell
echo "ok: cell exec passes on SIGALRM, SIGPWR, SIGVTALRM, SIGPROF, SIGIO, SIGSTKFLT and the real-time signals"
