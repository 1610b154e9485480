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
        expect "stderr a file ($delay s): said once" "$(grep -c 'The output is gone (Broken pipe)' "$work/err")" 1
done
# Gone before the hand-over, written to after it: cell said so, and
# cell-monitor, which relays on, drops the rest without saying it again.
unit relaysplit "[Root]" "Directory=$root" "[Exec]" \
        "Exec=/bin/sh -c 'echo up; sleep 0.3; echo early; sleep 1.7; i=0; while [ \$i -lt 200 ]; do echo line \$i; i=\$((i + 1)); done; exit 7'" \
        >/dev/null
expect "gone before the hand-over: exit status" "$(relay split "$work/err")" 7
expect "gone before the hand-over: said once" "$(grep -c 'The output is gone (Broken pipe)' "$work/err")" 1

# The hand-over while the relay holds bytes: a stream that splice() refuses
# (O_APPEND set, as on a terminal before Linux 5.11) is copied through the
# relay's buffer, and its reader pauses for 2.5 s from before the payload's
# burst to well after the hand-over (1 s in): what the relay read and the
# stream did not take yet is written before cell becomes cell-monitor, not
# lost after a second's wait. Prints the lines' order check, then cell's
# name once all of them came, then its exit status.
held() {
        python3 - "$CELL" "$work/$(unit_name held).cell" "$work/err" <<'PY'
import fcntl, os, socket, subprocess, sys, time
cell, unit, err = sys.argv[1:4]
ours, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_STREAM)
theirs.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, 4096)
fcntl.fcntl(theirs.fileno(), fcntl.F_SETFL, os.O_APPEND)
st = os.fstat(theirs.fileno())
env = dict(os.environ, JOURNAL_STREAM="%d:%d" % (st.st_dev, st.st_ino))
p = subprocess.Popen([cell, "run", "--cgroup-manager=none", unit], stdin=subprocess.DEVNULL,
                     stdout=theirs.fileno(), stderr=open(err, "w"), env=env)
theirs.close()
ours.settimeout(20)
got = b""
while b"up\n" not in got:
    chunk = ours.recv(4096)
    if not chunk:
        break
    got += chunk
time.sleep(2.5)
while b"burst done\n" not in got:
    chunk = ours.recv(65536)
    if not chunk:
        break
    got += chunk
lines = [l for l in got.decode().split("\n") if l.startswith("line ")]
print("in order" if lines == ["line %d" % i for i in range(3000)] else
      "%d lines, first missing: %s" % (len(lines), next((i for i in range(3000) if "line %d" % i not in lines), None)))
name = ""
for _ in range(40):
    try:
        name = open("/proc/%d/comm" % p.pid).read().strip()
    except OSError:
        break
    if name == "cell-monitor":
        break
    time.sleep(0.05)
print(name)
while ours.recv(65536):
    pass
print(p.wait(timeout=30))
PY
}
unit held "[Root]" "Directory=$root" "[Exec]" \
        "Exec=/bin/sh -c 'echo up; sleep 0.3; i=0; while [ \$i -lt 3000 ]; do echo line \$i; i=\$((i + 1)); done; echo burst done; sleep 3; exit 7'" \
        >/dev/null
out=$(held)
expect "held at the hand-over: all of it, in order" "$(sed -n 1p <<< "$out")" "in order"
expect "held at the hand-over: handed over once written" "$(sed -n 2p <<< "$out")" cell-monitor
expect "held at the hand-over: exit status" "$(sed -n 3p <<< "$out")" 7

# StandardError=file: on a disk that fills up (a 64 KiB tmpfs, in a mount
# namespace of its own that goes with it), fd 1 the journal stream: what
# the full file refuses is dropped, as the payload's own writes would fail,
# and once space is freed (the file truncated) its output lands again, not
# dropped for good as from a journal that is gone.
unit full "[Root]" "Directory=$root" "[Exec]" \
        "Exec=/bin/sh -c 'echo up; i=0; while [ \$i -lt 100 ]; do echo fill \$i \$(printf %%01000d 0) >&2; i=\$((i + 1)); done; sleep 2; echo after the disk was freed >&2; exit 3'" \
        >/dev/null
mkdir "$work/small"
status=$(unshare --mount --propagation private sh -c 'mount -t tmpfs -o size=64k tmpfs "$1" && python3 - "$2" "$3" "$1/err" <<"PY" && tr -d "\000" < "$1/err" > "$4"
import os, socket, subprocess, sys, time
cell, unit, err = sys.argv[1:4]
ours, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_STREAM)
st = os.fstat(theirs.fileno())
env = dict(os.environ, JOURNAL_STREAM="%d:%d" % (st.st_dev, st.st_ino))
p = subprocess.Popen([cell, "run", "--cgroup-manager=none", unit], stdin=subprocess.DEVNULL,
                     stdout=theirs.fileno(), stderr=open(err, "w"), env=env)
theirs.close()
ours.settimeout(20)
got = b""
while b"up\n" not in got:
    got += ours.recv(4096)
time.sleep(1)
os.truncate(err, 0)
while ours.recv(4096):
    pass
print(p.wait(timeout=30))
PY
' sh "$work/small" "$CELL" "$work/$(unit_name full).cell" "$work/full-err")
expect "full disk: exit status" "$status" 3
expect "full disk: output again once freed" "$(grep -c '^after the disk was freed$' "$work/full-err")" 1
# StandardOutput= a full disk (/dev/full), fd 2 the journal stream: the
# payload's stdout is dropped from before the hand-over (1 s in) to its end,
# and the warning is said once, by cell, not again by cell-monitor, which
# relays on (the hand-over says cell said it). Prints the count, then the
# supervisor's name after the hand-over, then the exit status.
dropping() {
        python3 - "$CELL" "$work/$(unit_name dropping).cell" <<'PY'
import os, socket, subprocess, sys, time
cell, unit = sys.argv[1:3]
ours, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_STREAM)
st = os.fstat(theirs.fileno())
env = dict(os.environ, JOURNAL_STREAM="%d:%d" % (st.st_dev, st.st_ino))
p = subprocess.Popen([cell, "run", "--cgroup-manager=none", unit], stdin=subprocess.DEVNULL,
                     stdout=open("/dev/full", "w"), stderr=theirs.fileno(), env=env)
theirs.close()
ours.settimeout(20)
got = b""
while b"up\n" not in got:
    got += ours.recv(4096)
name = ""
for _ in range(60):
    name = open("/proc/%d/comm" % p.pid).read().strip()
    if name == "cell-monitor":
        break
    time.sleep(0.05)
while True:
    chunk = ours.recv(4096)
    if not chunk:
        break
    got += chunk
print(got.decode().count("Writing the payload's stdout: No space left on device: dropped until it takes output again."))
print(name)
print(p.wait(timeout=30))
PY
}
unit dropping "[Root]" "Directory=$root" "[Exec]" \
        "Exec=/bin/sh -c 'echo up >&2; echo early; sleep 2; i=0; while [ \$i -lt 200 ]; do echo line \$i; i=\$((i + 1)); done; echo done >&2; exit 5'" \
        >/dev/null
out=$(dropping)
expect "stdout a full disk: said once" "$(sed -n 1p <<< "$out")" 1
expect "stdout a full disk: handed over" "$(sed -n 2p <<< "$out")" cell-monitor
expect "stdout a full disk: exit status" "$(sed -n 3p <<< "$out")" 5
echo ok
