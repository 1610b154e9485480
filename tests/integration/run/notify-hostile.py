# The payload of test-notify-hostile.sh: sd_notify as a hostile payload sends it,
# results to /data/results, one "TAG CASE RESULT" a line.
import array, os, select, socket, struct, sys, time
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.connect(os.environ["NOTIFY_SOCKET"])
res = open("/data/results", "w", buffering=1)
TAG = b""
def send(msg, fds=(), creds=None):
    msg = msg.replace(b"STATUS=", b"STATUS=" + TAG + b"-")
    anc = []
    if creds:
        anc.append((socket.SOL_SOCKET, socket.SCM_CREDENTIALS, struct.pack("iII", *creds)))
    if fds:
        anc.append((socket.SOL_SOCKET, socket.SCM_RIGHTS, array.array("i", fds)))
    try:
        s.sendmsg([msg], anc)
        return "sent"
    except OSError as e:
        return "error %d" % e.errno
def hup(fd, t=5):
    p = select.poll(); p.register(fd, select.POLLIN)
    end = time.time() + t
    while time.time() < end:
        for _, ev in p.poll(100):
            if ev & select.POLLHUP:
                return True
    return False
def eof(sock, t=5):
    sock.settimeout(t)
    try:
        return sock.recv(1) == b""
    except Exception as e:
        return False

def run_all(tag):
    global TAG
    TAG = tag.encode()
    res.write(tag + " " + "big %s\n" % send(b"STATUS=" + b"x" * 65536))
    send(b"STATUS=after-big")
    r, w = os.pipe()
    fds = [os.dup(w) for _ in range(253)]
    res.write(tag + " " + "pipes253 %s\n" % send(b"FDSTORE=1\nFDNAME=../../etc/passwd\nSTATUS=fds", fds))
    for f in fds: os.close(f)
    os.close(w)
    res.write(tag + " " + "pipes253-closed %s\n" % hup(r))
    pairs = [socket.socketpair() for _ in range(253)]
    socks = [a.fileno() for a, b in pairs]
    res.write(tag + " " + "socks253 %s\n" % send(b"FDSTORE=1\nFDNAME=a:b\nSTATUS=socks", socks))
    for a, b in pairs: a.close()
    res.write(tag + " " + "socks253-closed %s\n" % all(eof(b) for a, b in pairs))
    for a, b in pairs: b.close()
    res.write(tag + " " + "fds254 %s\n" % send(b"STATUS=254", [0] * 254))
    send(b"FDSTOREREMOVE=1\nFDNAME=x\nSTATUS=remove")
    pid = os.fork()
    if pid == 0:
        time.sleep(30); os._exit(0)
    res.write(tag + " " + "creds-other %s\n" % send(b"STATUS=creds-other", creds=(pid, 0, 0)))
    res.write(tag + " " + "creds-uid %s\n" % send(b"STATUS=creds-uid", creds=(os.getpid(), 1000, 1000)))
    send(b"MAINPID=1\nSTATUS=mainpid")
    send(b"MAINPID=%d\nSTATUS=mainpid2" % 999999)
    for i in range(20000):
        try:
            s.send(b"STATUS=%s-flood %d" % (TAG, i), socket.MSG_DONTWAIT)
        except BlockingIOError:
            time.sleep(0.001)
    send(b"STATUS=flood-done")
    send(b"WATCHDOG=trigger")
    send(b"EXTEND_TIMEOUT_USEC=18446744073709551615")
    send(b"EXTEND_TIMEOUT_USEC=abc\nSTATUS=badextend")
    r, w = os.pipe()
    t0 = time.time()
    send(b"BARRIER=1", [w]); os.close(w)
    res.write(tag + " " + "barrier %s %.2f\n" % (hup(r), time.time() - t0))
    send(b"RELOADING=1\nSTOPPING=1\nREADY=1\nSTATUS=reloading")
    a, b = socket.socketpair()
    for i in range(300):
        send(b"FDSTORE=1", [a.fileno()] * 253)
    a.close()
    res.write(tag + " " + "many-closed %s\n" % eof(b, 10))
    send(b"STATUS=\x1b[31mred")
    send(b"STATUS=\xff\xfe")
    send(b"STATUS=alive")

# Under cell, then (2 s in) under cell-monitor, which cell execs a second after the start.
res.write("tag cell\n")
run_all("cell")
time.sleep(2)
res.write("tag monitor\n")
run_all("monitor")
res.write("done\n")
time.sleep(120)
