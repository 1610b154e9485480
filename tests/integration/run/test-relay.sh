#!/bin/bash
# The output relay (cell(1), --console=pipe on the journal stream) when that
# stream goes away (journald restarted, its socket closed): with SIGPIPE at
# its default in cell (a cell@.service drop-in with IgnoreSIGPIPE=no),
# cell's splice() or write() to it must cost an EPIPE, not cell's life and
# the container's with it; the payload goes on, its output dropped, and
# cell (or cell-monitor after the hand-over) exits with its status, having
# said once, on a stderr that is still there, that the stream is gone.
. "$(dirname "$0")/lib.sh"

# relay DELAY STDERR: cell run of unit relayDELAY with fd 1 a stream socket named by
# $JOURNAL_STREAM (fd 2 too, or the file STDERR), SIGPIPE at its default;
# the socket's other end closed once the payload's first line came through
# it, after which the payload writes on for a while, DELAY seconds later.
# Prints cell's exit status (-13: killed by SIGPIPE).
relay() {
        python3 - "$CELL" "$work/$(unit_name relay)" "${1/./}" "$2" <<'PY'
import os, socket, subprocess, sys
cell, unit, delay, err = sys.argv[1:5]
ours, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_STREAM)
st = os.fstat(theirs.fileno())
env = dict(os.environ, JOURNAL_STREAM="%d:%d" % (st.st_dev, st.st_ino))
stderr = open(err, "w") if err != "-" else theirs.fileno()
# restore_signals (the default): SIGPIPE at SIG_DFL in cell, not Python's SIG_IGN.
p = subprocess.Popen([cell, "run", "--cgroup-manager=none", unit + delay + ".cell"], stdin=subprocess.DEVNULL,
                     stdout=theirs.fileno(), stderr=stderr, env=env, restore_signals=True)
theirs.close()
ours.settimeout(10)
got = b""
while b"up\n" not in got:
    chunk = ours.recv(4096)
    if not chunk:
        break
    got += chunk
ours.close()
print(p.wait(timeout=30))
PY
}

for delay in 0.3 2; do
        unit "relay${delay/./}" "[Root]" "Directory=$root" "[Exec]" \
                "Exec=/bin/sh -c 'echo up; sleep $delay; i=0; while [ \$i -lt 200 ]; do echo line \$i; i=\$((i + 1)); done; exit 7'" \
                >/dev/null
done

# Before the hand-over: cell relays; after it (a second): cell-monitor.
expect "cell: exit status, the stream gone" "$(relay 0.3 -)" 7
expect "cell-monitor: exit status, the stream gone" "$(relay 2 -)" 7

# Said once, where it can be: on a stderr of its own.
for delay in 0.3 2; do
        expect "stderr a file ($delay s): exit status" "$(relay "$delay" "$work/err")" 7
        expect "stderr a file ($delay s): said once" "$(grep -c 'The journal stream is gone (Broken pipe)' "$work/err")" 1
done
# Gone before the hand-over, written to after it: cell said so, and
# cell-monitor, which relays on, drops the rest without saying it again.
unit relaysplit "[Root]" "Directory=$root" "[Exec]" \
        "Exec=/bin/sh -c 'echo up; sleep 0.3; echo early; sleep 1.7; i=0; while [ \$i -lt 200 ]; do echo line \$i; i=\$((i + 1)); done; exit 7'" \
        >/dev/null
expect "gone before the hand-over: exit status" "$(relay split "$work/err")" 7
expect "gone before the hand-over: said once" "$(grep -c 'The journal stream is gone (Broken pipe)' "$work/err")" 1
echo ok
