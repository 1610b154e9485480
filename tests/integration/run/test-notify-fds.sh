#!/bin/bash
# File descriptors a payload passes along with its sd_notify datagrams
# (FDSTORE=1): cell closes them, and closing one must not hold cell up. The
# payload hands over the last reference of a TCP socket with SO_LINGER of
# 30 s whose send queue never drains (its own listener on the loopback does
# not read), then waits. cell's close() of it once waited out the linger time,
# signals blocked: a SIGTERM to cell stopped the container only then. Now
# the stop takes as long as it does without the socket. cell is stopped
# (SIGSTOP) while the payload sends and closes its own copy, so that cell's
# is the last reference whose close() lingers.
. "$(dirname "$0")/lib.sh"

command -v python3 >/dev/null || { echo "skipped: no python3"; exit 77; }

mkdir -p "$work/py" "$work/sync"
cat > "$work/py/linger.py" <<'EOF'
import array, os, socket, struct, sys, time
l = socket.socket()
l.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
l.bind(("127.0.0.1", 0))
l.listen(1)
c = socket.socket()
c.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, 4096)
c.connect(l.getsockname())
c.setblocking(False)
try:
    while True:
        c.send(b"x" * 4096)
except BlockingIOError:
    pass
c.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 30))
open("/data/ready", "w").close()
while not os.path.exists("/data/go"):
    time.sleep(0.1)
n = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
n.connect(os.environ["NOTIFY_SOCKET"])
n.sendmsg([b"FDSTORE=1\nSTATUS=lingering"],
          [(socket.SOL_SOCKET, socket.SCM_RIGHTS, array.array("i", [c.fileno()]))])
os.close(c.detach())
open("/data/sent", "w").close()
time.sleep(120)
EOF

# The host's python, /usr being the host's (Volatile=yes over Directory=/);
# Init=yes: SIGTERM reaches it. The marker in its command line, for cleanup.
u=$(unit linger "[Root]" "Directory=/" "Volatile=yes" "BindReadOnly=$work/py:/opt/py" "Bind=$work/sync:/data" \
        "[Exec]" "Init=yes" "Exec=/usr/bin/python3 /opt/py/linger.py $marker")
"$CELL" run --cgroup-manager=none "$u" >"$work/out" 2>"$work/err" &
cell=$!
for _ in $(seq 200); do [ -e "$work/sync/ready" ] && break; sleep 0.1; done
[ -e "$work/sync/ready" ] || fail "the payload did not start: $(cat "$work/err")"
# The supervisor (cell, or cell-monitor by now: the same relay) reads only
# once the payload's copy is closed.
kill -STOP "$cell"
touch "$work/sync/go"
for _ in $(seq 200); do [ -e "$work/sync/sent" ] && break; sleep 0.1; done
kill -CONT "$cell"
[ -e "$work/sync/sent" ] || fail "the payload did not send its socket: $(cat "$work/err")"
sleep 1         # cell reads the datagram and closes the socket

start=$(date +%s)
kill -TERM "$cell"
status=0
wait "$cell" || status=$?
took=$(( $(date +%s) - start ))
expect "exit status after SIGTERM" "$status" 0
[ "$took" -lt 10 ] || fail "cell took ${took}s to stop: held in the close() of the payload's socket"
echo "ok: stopped ${took}s after SIGTERM"

# cell's cell-closer, started for fds the payload passed before the
# hand-over, ends at the exec of cell-monitor (its socket closes on exec):
# cell-monitor, its parent from then on, reaps it, not a zombie until the
# container ends.
rm -f "$work/sync/"*
cat > "$work/py/early.py" <<'EOF'
import array, os, socket, sys, time
a, b = socket.socketpair()
n = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
n.connect(os.environ["NOTIFY_SOCKET"])
n.sendmsg([b"FDSTORE=1\nSTATUS=early"], [(socket.SOL_SOCKET, socket.SCM_RIGHTS, array.array("i", [a.fileno()]))])
open("/data/sent", "w").close()
time.sleep(120)
EOF
u=$(unit early "[Root]" "Directory=/" "Volatile=yes" "BindReadOnly=$work/py:/opt/py" "Bind=$work/sync:/data" \
        "[Exec]" "Init=yes" "Exec=/usr/bin/python3 /opt/py/early.py $marker")
"$CELL" run --cgroup-manager=none "$u" >"$work/out" 2>"$work/err" &
cell=$!
for _ in $(seq 200); do [ -e "$work/sync/sent" ] && break; sleep 0.05; done
[ -e "$work/sync/sent" ] || fail "the payload did not send its socket: $(cat "$work/err")"
closer=
for _ in $(seq 20); do
        for c in $(cat "/proc/$cell/task/$cell/children" 2>/dev/null); do
                [ "$(cat "/proc/$c/comm" 2>/dev/null)" = cell-closer ] && closer=$c
        done
        [ -n "$closer" ] && break
        sleep 0.05
done
wait_handed_over "$cell" || fail "no hand-over to cell-monitor: $(cat "$work/err")"
if [ -n "$closer" ]; then echo "ok: cell's closer was PID $closer"; fi
sleep 1
for c in $(cat "/proc/$cell/task/$cell/children"); do
        state=$(awk '{ print $3 }' "/proc/$c/stat" 2>/dev/null)
        [ "$state" != Z ] || fail "PID $c ($(cat "/proc/$c/comm")) is a zombie of cell-monitor"
done
[ -z "$closer" ] || [ ! -e "/proc/$closer" ] || fail "cell's closer, PID $closer, is still there"
kill -TERM "$cell"
status=0
wait "$cell" || status=$?
expect "exit status after SIGTERM" "$status" 0
echo "ok: no zombie under cell-monitor"
