#!/bin/bash
# A start that clones the container's init again keeps its locks
# (src/spawn/spawn-locks.h): --cgroup-manager=auto where systemd seems to
# run (/run/systemd/system) but its bus does not answer, in a mount and
# network namespace of the test's with a /run of its own, as in
# test-image-attach.sh. cell clones the init first, finds no bus, kills it
# and clones it again for the cgroupfs manager; strace holds it 5 s in the
# cgroupfs manager's first step (its read of /proc/self/cgroup, the first
# of the start's own process with CELL_CGROUP_PRIME=0: the early move reads
# it before the first init where the kernel does not expedite its grace
# periods), after the first init is gone and before the second is cloned.
# Meanwhile:
#
#   PORT, another unit forwarding the same host port, is refused it (exit
#   status 2, "forwarded by a running cell already");
#   FIXED, a unit of another name whose PrivateUsers= is the range the
#   start picked, is refused it (exit status 2, "the range of the running
#   cell"), the start keeping the one it picked first;
#   NAME, the start's own unit again, is refused (the name's lock, taken
#   first, kept across too).
#
# While held, the port's lock file names the start's nft table by name, as
# from its take on: the first init's tables are gone, their handles with
# them. And the start held there runs its payload, with that range. A
# start that let its locks go with its first init gave the port to PORT
# (which ran) or failed itself ('forwarded by a running cell already'), the
# range to FIXED and the name to NAME.
. "$(dirname "$0")/lib.sh"

command -v strace >/dev/null || { echo "skipped: strace missing (tests/lib/install-deps)"; exit 77; }
command -v nft >/dev/null || { echo "skipped: needs nft (nftables) for Port="; exit 77; }
chmod 755 "$work"       # the idmapped root: the container's root walks to it

name=$(unit_name held)
u=$(unit held "[Root]" "Directory=$root" "[Isolation]" "PrivateUsers=pick" \
        "[Network]" "VirtualEthernet=yes" "Address=10.213.30.2/24" "Port=tcp:8093:80" "[Exec]" "Exec=/bin/probe")
port=$(unit port "[Root]" "Directory=$root" \
        "[Network]" "VirtualEthernet=yes" "Address=10.213.31.2/24" "Port=tcp:8093:80" "[Exec]" "Exec=/bin/probe")
"$CELL" plan --json "$u" > "$work/plan" || fail "cell plan --json $u failed"
base=$(plan_value uid_base)
expect_match "the range the name picks first" "$base" '^[1-9][0-9]*$'
fixed=$(unit fixed "[Root]" "Directory=$root" "[Isolation]" "PrivateUsers=$base:65536" "[Exec]" "Exec=/bin/probe")

host_snapshot before
status=0
timeout 60 unshare -m -n --propagation private sh -c 'mount -t tmpfs tmpfs /run && mkdir -p /run/systemd/system &&
        CELL_CGROUP_PRIME=0 strace -ff -o "$1" -P /proc/self/cgroup -e trace=openat \
                -e inject=openat:delay_enter=5000000:when=1 "$2" run -v "$3" >"$4/out" 2>"$4/err" & pid=$!
        for i in $(seq 200); do grep -q "cloning the container.s init again" "$4/err" && break; sleep 0.05; done
        # The first init killed and its build taken back: milliseconds.
        sleep 0.5
        # The port'"'"'s record once the first init'"'"'s tables are gone (its
        # kill may take longer than the sleep on a busy host): 2 s at most,
        # within the 5 s hold, which leaves the three starts below 2.5 s.
        for i in $(seq 40); do
                cat /run/cell/port/net-*-tcp-8093 > "$4/record" 2>&1
                sed -n 2p "$4/record" | grep -q "^18446744073709551615:18446744073709551615:" && break
                sleep 0.05
        done
        s=0; "$2" run --cgroup-manager=none "$5" >"$4/port.out" 2>"$4/port.err" || s=$?
        echo "$s" > "$4/port.status"
        s=0; "$2" run --cgroup-manager=none "$6" >"$4/fixed.out" 2>"$4/fixed.err" || s=$?
        echo "$s" > "$4/fixed.status"
        s=0; "$2" run --cgroup-manager=none "$3" >"$4/name.out" 2>"$4/name.err" || s=$?
        echo "$s" > "$4/name.status"
        kill -0 "$pid" 2>/dev/null && echo yes > "$4/still"
        wait "$pid"' sh "$work/trace" "$CELL" "$u" "$work" "$port" "$fixed" || status=$?
grep -q "cloning the container's init again" "$work/err" || fail "not cloned again: $(cat "$work/err")"
# Never vacuous: the start was held where its first init was gone, while
# the other three ran.
# One file per process (-ff): a child's read beside it would split the
# line into "<unfinished ...>" and "resumed" halves in a shared one.
grep -q 'openat(AT_FDCWD, "/proc/self/cgroup".*) = [0-9]* (DELAY' "$work"/trace.* ||
        fail "no delayed read of /proc/self/cgroup: $(grep -H cgroup "$work"/trace.*)"
[ -e "$work/still" ] || fail "the start was not held while the other two ran: $(cat "$work/err")"

# The first init's tables went with it: the port's lock file names the
# start's table by name (port-lock.h), not by the handles nft gave the first
# init's, which a taker after a kill before the second init's record
# would delete instead of the second init's (still forwarding the port).
table=$(sed -n 2p "$work/record")
expect_match "the port's record while held" "$table" '^18446744073709551615:18446744073709551615:cell-'

expect "PORT's status" "$(cat "$work/port.status")" 2
grep -q "tcp port 8093 of the host is forwarded by a running cell already, $name" "$work/port.err" ||
        fail "PORT not refused the port: $(cat "$work/port.err")"
expect "FIXED's status" "$(cat "$work/fixed.status")" 2
grep -q "IDs $base\\.\\.[0-9]* are the range of the running cell \"$name\"" "$work/fixed.err" ||
        fail "FIXED not refused the range: $(cat "$work/fixed.err")"
expect "NAME's status" "$(cat "$work/name.status")" 2
grep -q "cell $name is already running (PID " "$work/name.err" ||
        fail "NAME not refused: $(cat "$work/name.err")"

expect "status" "$status" 0
expect "the probe's PID" "$(field pid)" 1
expect "the start's range: the one it picked first" "$(field uid_map | awk '{ print $2 }')" "$base"
expect_nothing_left
echo "ok: cloned again, the start kept its port, its UID range and its name while its first init was gone"
