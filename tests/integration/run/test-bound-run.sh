#!/bin/bash
# A container whose /run (or /run/host) is a Bind= of a host directory: the
# start makes the container's /run/host there (the notify socket, the
# credentials' mount point), on the host. Once the container is gone the
# host directory holds what it held before -- whether cell supervised to
# the end or cell-monitor took over and "cell __finish" cleaned up -- and
# only what the start made goes: what was there stays, and so does what the
# payload left in /run/host.
. "$(dirname "$0")/lib.sh"

# listing DIR: what DIR holds, recursively, one entry a line.
listing() {
        (cd "$1" && find . -mindepth 1 | sort)
}

# bound_run NAME HOSTDIR TARGET WAIT [KEY...]: cell run of a unit with
# HOSTDIR bound at TARGET and $work/sync at /data, whose payload says what
# it finds at /run/host/notify and waits for /data/done; WAIT=handover
# lets it run until cell-monitor supervises it (else it ends at once).
bound_run() {
        local name=$1 dir=$2 target=$3 wait=$4 u pid s=0
        shift 4
        mkdir -p "$work/sync"
        rm -f "$work/sync/"*
        u=$(unit "$name" "[Root]" "Directory=$root" "Bind=$dir:$target" "Bind=$work/sync:/data" "$@" "[Exec]" \
                "Exec=/bin/sh -c '[ -S /run/host/notify ] && echo socket > /data/seen; \
while [ ! -e /data/done ]; do sleep 0.1; done'")
        [ "$wait" = handover ] || touch "$work/sync/done"
        # Not under timeout(1): its PID is the one that becomes cell-monitor.
        "$CELL" run --cgroup-manager=none "$u" >"$work/out" 2>"$work/err" &
        pid=$!
        if [ "$wait" = handover ]; then
                wait_handed_over "$pid" || fail "$name: no hand-over to cell-monitor: $(cat "$work/err")"
                touch "$work/sync/done"
        fi
        wait "$pid" || s=$?
        expect "$name: exit status ($(cat "$work/err"))" "$s" 0
        expect "$name: the payload's notify socket" "$(cat "$work/sync/seen" 2>/dev/null)" socket
}

for wait in now handover; do
        # --- /run bound: /run/host made there, and removed again.
        mkdir -p "$work/run-$wait/sub"
        echo kept > "$work/run-$wait/keep"
        before=$(listing "$work/run-$wait")
        bound_run "bound$wait" "$work/run-$wait" /run "$wait"
        expect "/run bound ($wait): the host directory afterwards" "$(listing "$work/run-$wait")" "$before"

        # --- With credentials: their mount point too.
        bound_run "creds$wait" "$work/run-$wait" /run "$wait" "[Exec]" "SetCredential=token:secret"
        expect "/run bound, credentials ($wait): the host directory afterwards" "$(listing "$work/run-$wait")" \
                "$before"
done

# --- /run/host there already, with a file: it stays, and so does the file;
# the socket the start made goes.
mkdir -p "$work/run-had/host"
echo mine > "$work/run-had/host/mine"
before=$(listing "$work/run-had")
bound_run had "$work/run-had" /run handover
expect "/run/host there before: the host directory afterwards" "$(listing "$work/run-had")" "$before"

# --- /run/host itself bound: the directory is the host's; the socket goes.
mkdir -p "$work/runhost"
bound_run runhost "$work/runhost" /run/host handover
expect "/run/host bound: the host directory afterwards" "$(listing "$work/runhost")" ""

# --- What the payload left in /run/host stays, and /run/host with it.
mkdir -p "$work/run-left"
u=$(unit left "[Root]" "Directory=$root" "Bind=$work/run-left:/run" "[Exec]" "Exec=/bin/touch /run/host/left")
run_cell none "$u"
expect "payload's file: exit status ($(cat "$work/err"))" "$status" 0
expect "payload's file: the host directory afterwards" "$(listing "$work/run-left")" "$(printf './host\n./host/left')"

# --- Two containers sharing one bound /run: the second does not take the
# first's live notify socket over (its payload's READY=1 would have gone to
# the second, or nowhere once that ended): it fails at the start, naming
# it, and the first's socket stays. A stale socket (a killed start's) is
# replaced; anything else there stays and fails the start.
mkdir -p "$work/shared" "$work/sync"
rm -f "$work/sync/"*
u=$(unit sharea "[Root]" "Directory=$root" "Bind=$work/shared:/run" "Bind=$work/sync:/data" "[Exec]" \
        "Exec=/bin/sh -c 'while [ ! -e /data/done ]; do sleep 0.1; done'")
"$CELL" run --cgroup-manager=none "$u" >"$work/out1" 2>&1 &
pid=$!
for _ in $(seq 100); do [ -S "$work/shared/host/notify" ] && break; sleep 0.05; done
ino=$(stat -c %i "$work/shared/host/notify") || fail "shared /run: the first has no socket there"
run_cell none "$(unit shareb "[Root]" "Directory=$root" "Bind=$work/shared:/run" "[Exec]" "Exec=/bin/true")"
expect "shared /run: the second's exit status" "$status" 2
expect_match "shared /run: the second says why" "$(cat "$work/err")" "notify socket /run/host/notify: in use by another"
expect "shared /run: the first's socket stays" "$(stat -c %i "$work/shared/host/notify")" "$ino"
touch "$work/sync/done"
wait "$pid" || fail "shared /run: the first ended with $?: $(cat "$work/out1")"
mkdir -p "$work/stale/host"
python3 -c 'import socket, sys; s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM); s.bind(sys.argv[1])' \
        "$work/stale/host/notify"
[ -S "$work/stale/host/notify" ] || fail "no stale socket made"
run_cell none "$(unit stale "[Root]" "Directory=$root" "Bind=$work/stale:/run" "[Exec]" "Exec=/bin/true")"
expect "a stale socket: exit status ($(cat "$work/err"))" "$status" 0
mkdir -p "$work/other/host/notify"
run_cell none "$(unit other "[Root]" "Directory=$root" "Bind=$work/other:/run" "[Exec]" "Exec=/bin/true")"
expect "a directory at notify: exit status" "$status" 2
expect_match "a directory at notify: said" "$(cat "$work/err")" "something else is there"
[ -d "$work/other/host/notify" ] || fail "a directory at notify: removed"

# --- cell run SIGKILLed while its container runs, under either manager:
# what its start made in the host directory (/run/host, its socket, the
# credentials' mount point) goes with the name's next start, or with "cell
# stop NAME" (it noted them in its name's lock file first). It stayed on
# the host for good: nothing was left to remove it.
mkdir -p "$work/killed/sub"
echo kept > "$work/killed/keep"
before=$(listing "$work/killed")
for taker in start stop; do
        for m in none cgroupfs; do
                rm -f "$work/sync/"*
                u=$(unit killed "[Root]" "Directory=$root" "Bind=$work/killed:/run" "Bind=$work/sync:/data" \
                        "[Exec]" "SetCredential=token:secret" \
                        "Exec=/bin/sh -c 'touch /data/up; exec /bin/probe sleep 30 $marker'")
                "$CELL" run --cgroup-manager=$m "$u" >"$work/out" 2>"$work/err" &
                pid=$!
                for _ in $(seq 400); do [ -e "$work/sync/up" ] && break; sleep 0.05; done
                [ -e "$work/sync/up" ] || fail "killed ($taker, $m): the payload did not start: $(cat "$work/err")"
                kill -KILL "$pid"
                wait "$pid" 2>/dev/null || true
                # Its payload goes with it (PR_SET_PDEATHSIG).
                for _ in $(seq 500); do pgrep -f -- "probe sleep 30 $marker" >/dev/null || break; sleep 0.01; done
                ! pgrep -f -- "probe sleep 30 $marker" >/dev/null || fail "killed ($taker, $m): its payload runs on"
                [ -S "$work/killed/host/notify" ] && [ -d "$work/killed/host/credentials" ] ||
                        fail "killed ($taker, $m): nothing to take back: $(listing "$work/killed")"
                if [ $taker = start ]; then
                        run_cell $m "$u" -- /bin/true
                        expect "killed ($m): the next start ($(cat "$work/err"))" "$status" 0
                else
                        status=0
                        "$CELL" stop "$(unit_name killed)" >"$work/out" 2>"$work/err" || status=$?
                        expect "killed ($m): cell stop of it ($(cat "$work/err"))" "$status" 3
                fi
                expect "killed ($taker, $m): the host directory afterwards" "$(listing "$work/killed")" "$before"
        done
done

echo "ok"
