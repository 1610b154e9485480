#!/bin/bash
# Load: many starts of a short payload in a row and at once, with
# --cgroup-manager=none and cgroupfs in turn; every one exits 0, and
# afterwards there is no cgroup, mount, process or runtime state left.
# Then cell's own fds while its payload runs, over many starts: a small,
# fixed set of known kinds, the same every time, nothing of the unit or the
# root held open (the root's shared lock is a file of cell's own). CI: 30 in a row, 10 at once, 10 fd checks;
# CELL_TEST_FULL=1: 200, 50 and 50.
. "$(dirname "$0")/lib.sh"

seq_n=30 par_n=10 fd_n=10
full && { seq_n=200; par_n=50; fd_n=50; }
mkdir -p "$root/out"

host_snapshot before

# --- in a row
u=$(unit loadseq "[Root]" "Directory=$root" "[Exec]" "Exec=/bin/probe exit 0")
start=$SECONDS
for i in $(seq "$seq_n"); do
        m=none; [ $((i % 2)) = 0 ] && m=cgroupfs
        run_cell $m "$u"
        [ "$status" = 0 ] || fail "sequential start $i ($m): exit $status: $(cat "$work/err")"
done
echo "$seq_n sequential starts: all exit 0 ($((SECONDS - start)) s)"

# --- at once: one unit (and so one cgroup and state name) each
pids=()
start=$SECONDS
for i in $(seq "$par_n"); do
        m=none; [ $((i % 2)) = 0 ] && m=cgroupfs
        ui=$(unit "loadpar$i" "[Root]" "Directory=$root" "[Exec]" "Exec=/bin/probe sleep 1")
        timeout 60 "$CELL" run --cgroup-manager=$m "$ui" >/dev/null 2>"$work/err.par$i" &
        pids+=($!)
done
bad=0
for i in "${!pids[@]}"; do
        st=0; wait "${pids[$i]}" || st=$?
        [ "$st" = 0 ] || { bad=$((bad + 1)); echo "parallel start $((i + 1)): exit $st: $(cat "$work/err.par$((i + 1))")" >&2; }
done
[ "$bad" = 0 ] || fail "$bad of $par_n parallel starts failed"
echo "$par_n parallel starts: all exit 0 ($((SECONDS - start)) s)"

# --- cell's fds while its payload runs
uf=$(unit loadfd "[Root]" "Directory=$root" "[Exec]" "Exec=/bin/sh -c 'touch /out/up; while [ -e /out/hold ]; do usleep 10000; done'")
# fd_kinds PID: "N=KIND " for each fd of PID (kinds, not inode numbers).
# First "exe=NAME": cell, or cell-monitor once cell has become that.
fd_kinds() {
        local list fd t k
        list="exe=$(basename "$(readlink "/proc/$1/exe")") "
        for fd in /proc/$1/fd/*; do
                t=$(readlink "$fd") || continue
                # Kinds, not inode numbers: "socket", "anon_inode:[signalfd]", a path.
                k=$t
                case $t in socket:*|pipe:*) k=${t%%:*} ;; esac
                # 0-2 and what the test's own shell has open came from the caller.
                [ "$(readlink "/proc/$$/fd/${fd##*/}" 2>/dev/null)" = "$t" ] && k=inherited
                case ${fd##*/}:$t in
                [012]:*) k=stdio ;;
                *:/dev/null|*:/dev/pts/*|*:/dev/tty*|*:pipe:*|*:socket:*|*:anon_inode:*) ;;
                *:/sys/fs/cgroup/*) k=cgroupdir ;;
                # cgroupfs: the name's lock, held for the whole run (src/scope/name-lock.h)
                *:/run/cell/lock/"$(unit_name loadfd)".lock) k=namelock ;;
                # Directory='s lock file, flock'ed: the shared lock a running container
                # holds against another start's take-back (src/spawn/shared-lock.h)
                *:/run/cell/place-lock/inode-*) k=placelock ;;
                # O_PATH, opened when the payload starts, exec'd a second in (src/monitor)
                *:"$cell_monitor"|*:"$cell_binary") k=binary ;;
                *) k="UNEXPECTED($t)" ;;
                esac
                list+="${fd##*/}=$k "
        done
        echo "$list"
}
declare -A shapes
cell_binary=$(realpath "$CELL")
cell_monitor=$(dirname "$cell_binary")/cell-monitor
for i in $(seq "$fd_n"); do
        m=none; [ $((i % 2)) = 0 ] && m=cgroupfs
        touch "$root/out/hold"
        rm -f "$root/out/up"
        "$CELL" run --cgroup-manager=$m "$uf" </dev/null >/dev/null 2>"$work/err" &
        pid=$!
        for _ in $(seq 500); do [ -e "$root/out/up" ] && break; sleep 0.01; done
        [ -e "$root/out/up" ] || fail "fd check $i: the payload did not start: $(cat "$work/err")"
        # The payload runs a little before cell is done starting it (a cgroup
        # directory still open, cell-monitor's binary about to be exec'd): read
        # until two reads a tenth of a second apart agree, then compare.
        list= prev=x
        for _ in $(seq 50); do
                [ "$list" = "$prev" ] && break
                prev=$list
                sleep 0.1
                list=$(fd_kinds "$pid")
        done
        [ "$list" = "$prev" ] || fail "fd check $i ($m): cell's fds did not settle in 5 s: '$prev' then '$list'"
        case $list in *UNEXPECTED*) fail "fd check $i ($m): cell holds what it should not: $list" ;; esac
        rm -f "$root/out/hold"
        st=0; wait "$pid" || st=$?
        [ "$st" = 0 ] || fail "fd check $i ($m): exit $st: $(cat "$work/err")"
        # cell's own: the event loop, signalfd, pidfd, notify socket, the
        # name's lock, the two binaries, the root's shared lock file -- a
        # handful; the relay's pipes, its stderr being a file
        # (src/cli/run-stdio.h); and the cgroupfs manager's cgroup dirs, one
        # per hierarchy at most (on a hybrid host each v1 controller a
        # systemd scope would have one in, name=systemd and unified).
        n=$(tr ' ' '\n' <<<"$list" | grep -vc -e '=stdio$' -e '=inherited$' -e '^exe=' -e '^$' -e '=cgroupdir$' || true)
        [ "$n" -le 12 ] || fail "fd check $i ($m): $n fds of cell's own besides its cgroups': $list"
        ncg=$(tr ' ' '\n' <<<"$list" | grep -c '=cgroupdir$' || true)
        nh=$(find /sys/fs/cgroup -mindepth 1 -maxdepth 1 -type d | wc -l)
        [ "$ncg" -le $((nh > 0 ? nh : 1)) ] || fail "fd check $i ($m): $ncg cgroup dirs open, $nh hierarchies: $list"
        # Like with like: the manager, and cell or cell-monitor (which one the
        # reads settled on depends on the machine's speed).
        key="$m ${list%% *}"
        if [ -z "${shapes[$key]:-}" ]; then
                shapes[$key]=$list
        else
                [ "${shapes[$key]}" = "$list" ] || fail "fd check $i ($key): fds changed from '${shapes[$key]}' to '$list'"
        fi
done
echo "$fd_n fd checks: cell holds the same fds every time:"
for key in "${!shapes[@]}"; do echo "  $key: ${shapes[$key]}"; done

# --- afterwards: nothing at all
nothing_left "after the load"
echo "left behind: 0 cgroups, 0 mounts, 0 processes, 0 runtime state dirs"
echo ok
