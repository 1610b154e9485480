#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# An admin's day with cell@.service, as the admin does it: systemctl restart
# while the old container still stops, systemctl kill --signal=SIGHUP and an
# ExecReload= drop-in, the container frozen through its scope, cell
# list/status/stop on a service's cell, a unit edited or deleted while it
# runs, a payload that fails (its status in systemctl, SuccessExitStatus=
# and Restart= drop-ins), the payload's output in the service's journal
# (cell relays it: stdout and stderr, a burst larger than a pipe, a line
# after the hand-over to cell-monitor, the last one before it exits; a
# StandardError= of its own), ProtectSystem=strict with cell@.service(8)'s
# drop-in,
# units enabled into machines.target with one of them broken, a host
# without machines.target, a unit the container's init fails on (the
# journal names the key and line, not the scope), and the system bus
# down: a start fails naming the bus (exit 2) on both layouts, rather than
# making the container's cgroup below the service's, which systemd did not
# delegate (hybrid: it ran there, unnoticed; cgroup2: a [Limits] key failed
# the start blaming a controller), and cell list/status/stop of a cell that
# runs on say they cannot tell (exit 2), not "not running" (exit 3).
. "$(dirname "$0")/lib.sh"

setup_cell

show() { in_sealed systemctl show -P "$2" "$1"; }

# A payload that says what reached it; TERM takes it 1.5 s to handle, so
# that a restart finds the old container still stopping. What it writes
# goes to the journal: on both streams, a burst of 150 KB (more than a
# pipe holds), a line once cell-monitor supervises, its last words.
write_payload web <<'EOF'
trap 'echo HUP >> /out/web-signals' HUP
trap 'echo PWR >> /out/web-signals' PWR
trap 'echo RTMIN+4 >> /out/web-signals' 38
trap 'echo TERM >> /out/web-signals; sleep 1.5; echo "stopped $1" >> /out/web-runs; echo "web says its last words ($1)"; exit 0' TERM
echo "started $1" >> /out/web-runs
echo "web says hello on stdout ($1)"
echo "web says hello on stderr ($1)" >&2
i=0
while [ $i -lt 1500 ]; do
        echo "web burst $1 $i ................................................................................................"
        i=$((i + 1))
done
sleep 1.5
echo "web says hello after the hand-over ($1)"
while :; do sleep 0.1; done
EOF
install_cell web <<EOF
[Root]
Directory=$ROOT
[Exec]
Exec=/bin/web one
Init=yes
EOF

# --- the payload's output: the service's journal has it, from cell, which
# relays it (cell@.service(8), OUTPUT AND THE JOURNAL)
check "web starts" in_sealed systemctl start cell@web.service
journal_has() {   # journal_has MATCH LINE: journalctl MATCH has LINE, from cell
        "$SEALED" run journalctl --no-pager -o short $1 | matches " cell\[[0-9]*\]: $2\$"
}
check "the payload's stdout is in the journal of cell@web.service" \
        wait_for 5 journal_has "-u cell@web.service" "web says hello on stdout (one)"
check "... its stderr too" journal_has "-u cell@web.service" "web says hello on stderr (one)"
check "... as _SYSTEMD_UNIT=cell@web.service" \
        journal_has _SYSTEMD_UNIT=cell@web.service "web says hello on stdout (one)"
check "cell-monitor took over" wait_for 10 handed_over cell@web.service
check "... a line after the hand-over is in the service's journal" \
        wait_for 5 journal_has "-u cell@web.service" "web says hello after the hand-over (one)"
expect_eq "... all of a 150 KB burst (a pipe holds 64 KiB), in order" \
        "1500$(seq -s ' ' 0 1499 | sed 's/^/ /')" \
        "$(in_sealed journalctl --no-pager -o cat -u cell@web.service | awk '$1 == "web" && $2 == "burst" && $3 == "one" { n++; l = l " " $4 } END { print n l }')"
expect_eq "... none of it under the scope" "" \
        "$(in_sealed journalctl --no-pager -o cat _SYSTEMD_UNIT=cell-web.scope | grep '^web ')"

# ... and in the service's own, with the container in the service's cgroup
# (cell@.service(8), CUSTOMIZING)
install_dropin cell@owncg.service own-cgroup <<EOF
[Service]
Delegate=yes
ExecStart=
ExecStart=$CELL run --cgroup-manager=cgroupfs -- %i
EOF
write_payload owncg <<'EOF'
trap 'exit 0' TERM
echo "owncg says hello on stdout"
while :; do sleep 0.1; done
EOF
install_cell owncg <<EOF
[Root]
Directory=$ROOT
[Exec]
Exec=/bin/owncg
EOF
in_sealed systemctl start cell@owncg.service
check "in the service's cgroup, the payload's output is the service's" \
        wait_for 5 sh -c "'$SEALED' run journalctl --no-pager -o short -u cell@owncg.service | grep -q ' cell\[[0-9]*\]: owncg says hello on stdout'"
in_sealed systemctl stop cell@owncg.service

# ... and each stream to its own: a StandardError= of the service's own
# gets the payload's stderr (an O_APPEND file, which splice() refuses)
install_dropin cell@split.service stderr <<EOF
[Service]
StandardError=append:/run/split-stderr
EOF
write_payload split <<'EOF'
trap 'exit 0' TERM
echo "split says hello on stdout"
echo "split says hello on stderr" >&2
while :; do sleep 0.1; done
EOF
install_cell split <<EOF
[Root]
Directory=$ROOT
[Exec]
Exec=/bin/split
EOF
in_sealed systemctl start cell@split.service
check "StandardError= of its own: stdout is in the service's journal" \
        wait_for 5 journal_has "-u cell@split.service" "split says hello on stdout"
check "... stderr in the service's StandardError=" wait_for 5 in_sealed grep -qx "split says hello on stderr" /run/split-stderr
expect_eq "... and not in the journal" "" "$(in_sealed journalctl --no-pager -o cat -u cell@split.service | grep 'on stderr')"
in_sealed systemctl stop cell@split.service

# ... and hardened as cell@.service(8) CUSTOMIZING shows: ProtectSystem=strict
# makes /run read-only too, where every start takes its locks; the drop-in's
# RuntimeDirectory=cell keeps /run/cell writable (and, preserved, there for
# the other containers and these unit files after the stop).
install_dropin cell@strict.service protect <<EOF
[Service]
ProtectSystem=strict
CacheDirectory=cell
RuntimeDirectory=cell
RuntimeDirectoryPreserve=yes
EOF
write_payload strict <<'EOF'
trap 'exit 0' TERM
echo "strict says hello"
while :; do sleep 0.1; done
EOF
install_cell strict <<EOF
[Root]
Directory=$ROOT
ReadOnly=yes
[Exec]
Exec=/bin/strict
EOF
check "ProtectSystem=strict with the documented drop-in: the cell starts" \
        in_sealed systemctl start cell@strict.service
check "... runs its payload" wait_for 5 journal_has "-u cell@strict.service" "strict says hello"
check "... stops" in_sealed systemctl stop cell@strict.service
expect_eq "... cleanly, and /run/cell stays with its units" "inactive success yes" \
        "$(show cell@strict.service ActiveState) $(show cell@strict.service Result) $(in_sealed test -e /run/cell/web.cell && echo yes)"

# --- systemctl kill --signal=SIGHUP: to cell alone (KillMode=mixed applies
# to stops only; the service's cgroup holds cell alone), which forwards it
rm -f "$ROOT/out/web-signals"
mainpid_before_kill=$(show cell@web.service MainPID)
in_sealed systemctl kill --signal=SIGHUP cell@web.service
check "systemctl kill --signal=SIGHUP reaches the payload" wait_for 3 grep -qx HUP "$ROOT/out/web-signals"
expect_eq "... and the service runs on" active "$(show cell@web.service ActiveState)"
# ... and those whose default would have ended cell, and the container with
# it: SIGRTMIN+4 (a systemd inside powers off on it), SIGPWR
rm -f "$ROOT/out/web-signals"
in_sealed systemctl kill --signal=SIGRTMIN+4 cell@web.service
check "systemctl kill --signal=SIGRTMIN+4 reaches the payload" wait_for 3 grep -qx RTMIN+4 "$ROOT/out/web-signals"
in_sealed systemctl kill --signal=SIGPWR cell@web.service
check "... SIGPWR too" wait_for 3 grep -qx PWR "$ROOT/out/web-signals"
expect_eq "... and the service runs on, with the same cell" "active $mainpid_before_kill" \
        "$(show cell@web.service ActiveState) $(show cell@web.service MainPID)"
# --- systemctl kill (SIGTERM): a stop as systemctl stop's, KillSignal= to
# the container's init alone. cell said STOPPING=1: without a stop job,
# systemd took the service for deactivating and stopped the scope bound to
# it, whose stop signalled every process of the container at once.
write_payload tree <<'EOF'
trap 'echo term > /out/tree-init; exit 0' TERM
sh -c 'trap "echo term > /out/tree-child" TERM; : > /out/tree-child-armed; while :; do sleep 0.1; done' &
while [ ! -e /out/tree-child-armed ]; do sleep 0.05; done
echo up > /out/tree-up
while :; do sleep 0.1; done
EOF
install_cell tree <<EOF
[Root]
Directory=$ROOT
[Exec]
Exec=/bin/tree
EOF
rm -f "$ROOT/out/tree-init" "$ROOT/out/tree-child" "$ROOT/out/tree-child-armed" "$ROOT/out/tree-up"
in_sealed systemctl start cell@tree.service
# /out/tree-up once both traps are set (not a fixed 0.3 s for the child's:
# a child signalled before would end without a word, and the check below of
# what reached it was vacuous).
if ! wait_for 20 test -e "$ROOT/out/tree-up"; then
        fail "systemctl kill: the container did not start"
else
        in_sealed systemctl kill cell@tree.service
        check "systemctl kill: the service ends" wait_for 10 state_is cell@tree.service inactive
        expect_eq "... its init got SIGTERM" term "$(cat "$ROOT/out/tree-init" 2>/dev/null)"
        expect_eq "... no other process of the container did" "" "$(cat "$ROOT/out/tree-child" 2>/dev/null)"
        expect_eq "... and the scope is gone" "" "$(cgroup_dirs_of /machine.slice/cell-tree.scope)"
fi
in_sealed systemctl reset-failed cell@tree.service 2>/dev/null || true

# No ExecReload= in the template (nspawn's has none): a drop-in adds one.
check "systemctl reload is refused without a drop-in" \
        sh -c "'$SEALED' run systemctl reload cell@web.service 2>&1 | grep -q 'reload is not applicable'"
install_dropin cell@web.service reload <<EOF
[Service]
ExecReload=$CELL kill -- %i SIGHUP
EOF
rm -f "$ROOT/out/web-signals"
check "with ExecReload=cell kill -- %i SIGHUP, systemctl reload works" in_sealed systemctl reload cell@web.service
check "... and the payload got SIGHUP" wait_for 3 grep -qx HUP "$ROOT/out/web-signals"
in_sealed sh -c 'rm /run/systemd/system/cell@web.service.d/reload.conf'
in_sealed systemctl daemon-reload

# --- freezing: the service's cgroup holds cell alone; the container is
# frozen through its scope (cell@.service(8), THE SERVICE AND THE SCOPE).
# systemd's freezer is cgroup2's.
if [ "$SEALED_CGROUP" = v2 ]; then
        check "systemctl freeze cell-web.scope" in_sealed systemctl freeze cell-web.scope
        expect_eq "... freezes the container" frozen "$(show cell-web.scope FreezerState)"
        rm -f "$ROOT/out/web-signals"
        in_sealed systemctl kill --signal=SIGHUP cell@web.service
        sleep 0.5
        check "... which takes no signal meanwhile" test ! -e "$ROOT/out/web-signals"
        in_sealed systemctl thaw cell-web.scope
        check "thawed, it takes the signal" wait_for 3 grep -qx HUP "$ROOT/out/web-signals"
fi

# --- cell list/status on a service's cell
expect_eq "cell list shows it with its service's scope" "web systemd cell-web.scope" \
        "$(in_sealed "$CELL" list | awk '$1 == "web" { print $1, $2, $3 }')"
check "cell status names the service" sh -c "'$SEALED' run '$CELL' status web | grep -q 'Service: cell@web.service'"

# --- systemctl restart while the old container still stops, twice at once
mainpid=$(show cell@web.service MainPID)
rm -f "$ROOT/out/web-runs"
check "systemctl restart" in_sealed systemctl restart cell@web.service
# Active once cell says READY=1, at the payload's exec: the script's first line may come after.
wait_for 20 grep -qx "started one" "$ROOT/out/web-runs" || true
expect_eq "the old payload had stopped first, then the new one started" "stopped one,started one" \
        "$(tr '\n' , < "$ROOT/out/web-runs" | sed 's/,$//')"
check "a new cell is the main process" test "$mainpid" != "$(show cell@web.service MainPID)"
in_sealed systemctl restart --no-block cell@web.service
in_sealed systemctl restart --no-block cell@web.service
check "two restarts queued at once: active again" wait_for 10 state_is cell@web.service active
expect_eq "... with one scope" "cell-web.scope" \
        "$(in_sealed systemctl list-units --no-legend --plain 'cell-web*.scope' | awk '{ print $1 }')"

# --- edited while it runs, daemon-reload, restart: the new Exec= runs
install_cell web <<EOF
[Root]
Directory=$ROOT
[Exec]
Exec=/bin/web two
Init=yes
EOF
in_sealed systemctl daemon-reload
in_sealed systemctl restart cell@web.service
check "edited, daemon-reload, restart: the new Exec= runs" wait_for 5 grep -qx "started two" "$ROOT/out/web-runs"
check "the old one's last words, right before it exited, are in the service's journal" \
        wait_for 5 journal_has "-u cell@web.service" "web says its last words (one)"

# --- deleted while it runs: systemctl stop and cell stop still stop it
in_sealed rm /run/cell/web.cell
check "deleted while running: cell status still finds it" in_sealed "$CELL" status web
check "deleted while running: systemctl stop" in_sealed systemctl stop cell@web.service
expect_eq "deleted while running: the service is inactive" inactive "$(show cell@web.service ActiveState)"
expect_eq "deleted while running: no scope is left" not-found "$(show cell-web.scope LoadState)"
install_cell web <<EOF
[Root]
Directory=$ROOT
[Exec]
Exec=/bin/web three
Init=yes
EOF
in_sealed systemctl start cell@web.service
in_sealed rm /run/cell/web.cell
check "deleted while running: cell stop" in_sealed "$CELL" stop web
expect_eq "cell stop: the service is inactive, not failed" inactive "$(show cell@web.service ActiveState)"

# --- a payload that exits 3: the service fails with it; SuccessExitStatus=3
# makes it a success; Restart=on-failure starts it again
write_payload three <<'EOF'
echo run >> /out/three-runs
sleep 0.5
exit 3
EOF
install_cell three <<EOF
[Root]
Directory=$ROOT
[Exec]
Exec=/bin/three
EOF
in_sealed systemctl start cell@three.service
check "exit 3: the service fails" wait_for 5 state_is cell@three.service failed
expect_eq "exit 3: its result and status" "exit-code 3" \
        "$(show cell@three.service Result) $(show cell@three.service ExecMainStatus)"
check "exit 3: systemctl status says so" sh -c "'$SEALED' run systemctl status --no-pager cell@three.service | grep -q 'status=3'"
in_sealed systemctl reset-failed cell@three.service
install_dropin cell@three.service success <<'EOF'
[Service]
SuccessExitStatus=3
EOF
in_sealed systemctl start cell@three.service
check "SuccessExitStatus=3: inactive, not failed" wait_for 5 state_is cell@three.service inactive
expect_eq "SuccessExitStatus=3: its result" success "$(show cell@three.service Result)"
in_sealed sh -c 'rm /run/systemd/system/cell@three.service.d/success.conf'
install_dropin cell@three.service restart <<'EOF'
[Service]
Restart=on-failure
RestartSec=200ms
EOF
rm -f "$ROOT/out/three-runs"
in_sealed systemctl start cell@three.service
restarted_twice() { [ "$(show cell@three.service NRestarts)" -ge 2 ]; }
check "Restart=on-failure: started again" wait_for 8 restarted_twice
in_sealed systemctl stop cell@three.service
in_sealed systemctl reset-failed cell@three.service 2>/dev/null

# --- a payload killed by SIGTERM outside a stop ("cell kill NAME"): cell
# exits 143, which the template counts as clean, as systemd counts its own
# main process's death by SIGTERM (SuccessExitStatus=, cell@.service(8));
# with Restart=on-failure it is not started again
write_payload sleeper <<'EOF'
echo run >> /out/sleeper-runs
exec sleep 1000
EOF
install_cell sleeper <<EOF
[Root]
Directory=$ROOT
[Exec]
Exec=/bin/sleeper
Init=yes
EOF
install_dropin cell@sleeper.service restart <<'EOF'
[Service]
Restart=on-failure
RestartSec=200ms
EOF
rm -f "$ROOT/out/sleeper-runs"
in_sealed systemctl start cell@sleeper.service
check "cell kill sleeper (SIGTERM)" in_sealed "$CELL" kill sleeper
check "... the service ends" wait_for 5 ended cell@sleeper.service
sleep 0.5       # RestartSec= is over: a restart would have begun
expect_eq "... inactive, not failed (a failed one would stay loaded, and say so)" "inactive success" \
        "$(show cell@sleeper.service ActiveState) $(show cell@sleeper.service Result)"
expect_eq "... and Restart=on-failure did not start it again" "0 run" \
        "$(show cell@sleeper.service NRestarts) $(tr '\n' ' ' < "$ROOT/out/sleeper-runs" | sed 's/ $//')"
# cell's messages carry their level ("<3>" on the journal stream): an error
# is one to "journalctl -p err", the payload's output is not
check "cell's error about it is in journalctl -p err" sh -c "'$SEALED' run journalctl --no-pager -p err -u cell@sleeper.service | grep -q ' cell\[[0-9]*\]: cell: sleeper: The payload exited with status 143, which under Init=yes'"
expect_eq "... the payload's own output is not" "" \
        "$(in_sealed journalctl --no-pager -p err -o cat -u cell@web.service | grep '^web says')"
in_sealed systemctl reset-failed cell@sleeper.service 2>/dev/null

# --- enabled into machines.target, one unit broken: the others start, the
# broken one fails with its file and line in its journal
write_payload idle <<'EOF'
trap 'exit 0' TERM
while :; do sleep 0.1; done
EOF
for n in alpha omega; do
        install_cell "$n" <<EOF
[Root]
Directory=$ROOT
[Exec]
Exec=/bin/idle
EOF
done
install_cell broken <<EOF
[Root]
Directory=$ROOT
[Exec]
Exec=/bin/idle
TimeoutStopSec=soon
EOF
in_sealed systemctl enable --runtime cell@alpha.service cell@broken.service cell@omega.service >/dev/null 2>&1
check "systemctl start machines.target" in_sealed systemctl start machines.target
expect_eq "the others are active" "active active" \
        "$(show cell@alpha.service ActiveState) $(show cell@omega.service ActiveState)"
expect_eq "the broken one failed, exit 1" "failed 1" \
        "$(show cell@broken.service ActiveState) $(show cell@broken.service ExecMainStatus)"
check "its journal names the file and line" sh -c "'$SEALED' run journalctl --no-pager -u cell@broken.service | grep -qF '/run/cell/broken.cell:5: TimeoutStopSec=soon'"
check "systemctl stop machines.target" in_sealed systemctl stop machines.target
check "... stops them (PartOf=)" wait_for 10 ended cell@alpha.service cell@omega.service
in_sealed systemctl reset-failed cell@broken.service
in_sealed systemctl disable --runtime cell@alpha.service cell@broken.service cell@omega.service >/dev/null 2>&1

# --- a host without machines.target (it is machined's: Debian's
# systemd-container): systemctl enable must still start the container at
# boot. The host's unit directory, overlaid in the sealed mount namespace,
# with machines.target whited out.
sysunits=$(realpath /lib/systemd/system)
mkdir -p "$WORK/units-upper" "$WORK/units-work"
mknod "$WORK/units-upper/machines.target" c 0 0
mknod "$WORK/units-upper/machines.target.wants" c 0 0
in_sealed mount -t overlay overlay \
        -o "lowerdir=$sysunits,upperdir=$WORK/units-upper,workdir=$WORK/units-work" "$sysunits" ||
        die "cannot overlay $sysunits in the sealed systemd"
in_sealed systemctl daemon-reload
expect_eq "no machines.target here" not-found "$(show machines.target LoadState)"
in_sealed systemctl enable --runtime cell@alpha.service >/dev/null 2>&1
check "systemctl enable: multi-user.target wants it all the same" \
        sh -c "'$SEALED' run systemctl show -P Wants multi-user.target | tr ' ' '\n' | grep -qx cell@alpha.service"
in_sealed systemctl disable --runtime cell@alpha.service >/dev/null 2>&1
in_sealed umount "$sysunits"
in_sealed systemctl daemon-reload

# --- a unit the container's init fails on while it builds the container:
# the service's journal names the key and its line, every time. The init
# reports and exits, often before systemd's move into the scope (which skips
# an exiting process); the scope's check found it outside its cgroup, and
# "the container's cgroup2 cgroup ... is not its scope's" was all that was
# said (3 of 3 through the service on cgroup2, some by hand).
install_cell noexec <<EOF
[Root]
Directory=$ROOT
[Exec]
Exec=/bin/nonexistent --flag
EOF
install_cell nouser <<EOF
[Root]
Directory=$ROOT
[Exec]
Exec=/bin/idle
User=nosuchuser
EOF
install_cell nobind <<EOF
[Root]
Directory=$ROOT
Bind=/nonexistent/source:/mnt
[Exec]
Exec=/bin/idle
EOF
for n in noexec:4:Exec= nouser:5:User= nobind:3:Bind=; do
        unit=${n%%:*} line=${n#*:}
        where="/run/cell/$unit.cell:${line%%:*}: ${line#*:}"
        for i in 1 2 3; do
                in_sealed systemctl start "cell@$unit.service" 2>/dev/null
                journal=$(in_sealed journalctl --no-pager -o cat -u "cell@$unit.service" | grep '^cell: ' | tail -n 1)
                if [ "$(show "cell@$unit.service" ExecMainStatus)" = 2 ] && grep -qF ": $where" <<<"$journal"; then
                        ok "$unit ($i): exit 2, the journal names $where: $journal"
                else
                        fail "$unit ($i): exit $(show "cell@$unit.service" ExecMainStatus), expected a message naming $where: $journal"
                fi
                in_sealed systemctl reset-failed "cell@$unit.service"
        done
done
expect_eq "none of them left a scope" "" "$(in_sealed systemctl list-units --no-legend --plain --all 'cell-no*.scope')"
for unit in noexec nouser nobind; do
        expect_eq "$unit: no cgroup of its service or scope is left" "" \
                "$(cgroup_dirs_of "/machine.slice/cell@$unit.service")$(cgroup_dirs_of "/machine.slice/cell-$unit.scope")"
done

# --- the system bus is down: the start fails naming the bus, exit 2, with
# nothing made below the service's cgroup, with and without [Limits]
install_cell nolimits <<EOF
[Root]
Directory=$ROOT
[Exec]
Exec=/bin/idle
EOF
install_cell limits <<EOF
[Root]
Directory=$ROOT
[Exec]
Exec=/bin/idle
[Limits]
MemoryMax=64M
EOF
install_cell alive <<EOF
[Root]
Directory=$ROOT
[Exec]
Exec=/bin/idle
EOF
check "a cell runs before the bus goes" in_sealed systemctl start cell@alive.service
expect_eq "with the bus, a cell that does not run: cell status exits 3" 3 \
        "$(in_sealed "$CELL" status nosuchcell >/dev/null 2>&1; echo $?)"
in_sealed systemctl stop dbus.socket dbus.service
# cell list/status/stop cannot see systemd's scopes now: no "not running"
# (exit 3) for a cell cell@alive.service runs, no "No cells."
for verb in status stop; do
        out=$(in_sealed "$CELL" "$verb" alive 2>&1)
        rc=$?
        if [ "$rc" = 2 ] && grep -qi "bus" <<<"$out"; then
                ok "no bus: cell $verb of a running cell: exit 2, names the bus: $out"
        else
                fail "no bus: cell $verb of a running cell: exit $rc: $out"
        fi
done
out=$(in_sealed "$CELL" list 2>&1)
rc=$?
if [ "$rc" = 2 ] && grep -qi "bus" <<<"$out" && ! grep -q "No cells" <<<"$out"; then
        ok "no bus: cell list: exit 2, names the bus, no \"No cells.\": $out"
else
        fail "no bus: cell list: exit $rc: $out"
fi
expect_eq "no bus: cell@alive runs on" active "$(show cell@alive.service ActiveState)"
expect_eq "no bus: a cell systemd has no scope of is still not running (exit 3)" 3 \
        "$(in_sealed "$CELL" status nosuchcell >/dev/null 2>&1; echo $?)"
for n in nolimits limits; do
        in_sealed systemctl start "cell@$n.service" 2>/dev/null
        expect_eq "no bus ($n): the service failed, exit 2" "failed 2" \
                "$(show "cell@$n.service" ActiveState) $(show "cell@$n.service" ExecMainStatus)"
        journal=$(in_sealed journalctl --no-pager -o cat -u "cell@$n.service")
        if grep -qi "bus" <<<"$journal"; then
                ok "no bus ($n): says so: $(head -n 1 <<<"$journal")"
        else
                fail "no bus ($n): no message naming the bus: $journal"
        fi
        expect_eq "no bus ($n): no cgroup below the service's" "" "$(cgroup_dirs_of "/machine.slice/cell@$n.service/cell-$n")"
        expect_eq "no bus ($n): nothing of it runs" "" "$(procs_matching "cell run.* -- $n\$")"
        in_sealed systemctl reset-failed "cell@$n.service"
done
in_sealed systemctl start dbus.socket
check "the bus is back: the same unit starts" in_sealed systemctl start cell@nolimits.service
in_sealed systemctl stop cell@nolimits.service
check "the bus is back: cell stop of the cell that ran on" in_sealed "$CELL" stop alive

# --- cell stop of a cell whose service has no cell running now: one that
# waits out its RestartSec= (SubState auto-restart) after a crash, or one
# still starting (ExecStartPre=, before any scope). cell(1): stop stops the
# service "so that its Restart= does not start it again". It said "not
# running" (exit 3), and systemd started the cell again.
write_payload crashy <<'EOF'
echo run >> /out/crashy-runs
sleep 0.3
exit 1
EOF
for n in crashy slowstart; do
        install_cell "$n" <<EOF
[Root]
Directory=$ROOT
[Exec]
Exec=/bin/crashy
EOF
done
install_dropin cell@crashy.service restart <<'EOF'
[Service]
Restart=always
RestartSec=3
EOF
rm -f "$ROOT/out/crashy-runs"
in_sealed systemctl start --no-block cell@crashy.service
in_restart_gap() { [ "$(show cell@crashy.service SubState)" = auto-restart ]; }
check "crashy crashed and waits out its RestartSec=" wait_for 10 in_restart_gap
check "cell stop crashy in its RestartSec= gap: exit 0" in_sealed "$CELL" stop crashy
expect_eq "... its service is stopped" inactive "$(show cell@crashy.service ActiveState)"
sleep 3.5       # RestartSec= is over: a restart would have begun
expect_eq "... and Restart=always did not start it again" "inactive 1" \
        "$(show cell@crashy.service ActiveState) $(wc -l < "$ROOT/out/crashy-runs")"
expect_eq "cell stop crashy again: not running (exit 3)" 3 "$(in_sealed "$CELL" stop crashy >/dev/null 2>&1; echo $?)"
install_dropin cell@slowstart.service pre <<'EOF'
[Service]
ExecStartPre=/bin/sleep 30
EOF
in_sealed systemctl start --no-block cell@slowstart.service
check "slowstart is activating (ExecStartPre=)" wait_for 5 state_is cell@slowstart.service activating
check "cell stop slowstart while it starts: exit 0" in_sealed timeout 20 "$CELL" stop slowstart
# (failed, Result=signal: its ExecStartPre= died of SIGTERM, as with "systemctl stop")
expect_eq "... its service is stopped, not started" "failed signal" \
        "$(show cell@slowstart.service ActiveState) $(show cell@slowstart.service Result)"
in_sealed systemctl reset-failed cell@crashy.service cell@slowstart.service 2>/dev/null

# --- a start job queued and not begun yet (ordered After= a unit that is
# still starting, as at boot): the service is "inactive", with no cell, but
# will start it. cell stop said "not running" (exit 3) and the job started
# the cell right after; "systemctl stop" cancels such a job.
in_sealed sh -c 'printf "[Service]\nType=oneshot\nExecStart=/bin/sleep 30\n" \
        > /run/systemd/system/stopqa-blocker.service'
install_cell queued <<EOF
[Root]
Directory=$ROOT
[Exec]
Exec=/bin/crashy
EOF
install_dropin cell@queued.service after <<'EOF'
[Unit]
After=stopqa-blocker.service
EOF
rm -f "$ROOT/out/crashy-runs"
in_sealed systemctl start --no-block stopqa-blocker.service
in_sealed systemctl start --no-block cell@queued.service
queued() {
        [ "$(show cell@queued.service ActiveState) $(in_sealed systemctl list-jobs --no-legend cell@queued.service |
                awk '{ print $3, $4 }')" = "inactive start waiting" ]
}
check "cell@queued.service has a start job waiting, and is inactive" wait_for 5 queued
out=$(in_sealed "$CELL" stop queued 2>&1); rc=$?
expect_eq "cell stop queued: exit 0 ($out)" 0 "$rc"
expect_eq "... its start job is gone" "" "$(in_sealed systemctl list-jobs --no-legend cell@queued.service)"
in_sealed systemctl stop stopqa-blocker.service
sleep 1
expect_eq "... and the cell never ran" "inactive 0" \
        "$(show cell@queued.service ActiveState) $(cat "$ROOT/out/crashy-runs" 2>/dev/null | wc -l)"

# --- a start queued while cell stop waits for the stop: systemd cancels the
# stop job and the cell runs on. cell stop said "failed (see its journal)",
# where the journal has no failure; it fails (exit 2) saying what happened,
# as systemctl's "Job for UNIT canceled."
write_payload slowterm <<'EOF'
trap 'sleep 2; exit 0' TERM
while :; do sleep 0.1; done
EOF
install_cell slowterm <<EOF
[Root]
Directory=$ROOT
[Exec]
Exec=/bin/slowterm
EOF
in_sealed systemctl start cell@slowterm.service
in_sealed "$CELL" stop slowterm > "$WORK/slowterm-stop.out" 2>&1 &
stopper=$!
HOST_PIDS+=($stopper)
check "cell stop slowterm: the service stops" wait_for 5 state_is cell@slowterm.service deactivating
in_sealed systemctl start --no-block cell@slowterm.service
wait "$stopper"
expect_eq "a start queued meanwhile: cell stop exits 2" 2 "$?"
check "... saying that its stop job was canceled ($(cat "$WORK/slowterm-stop.out"))" \
        grep -q "Stopping cell@slowterm.service: its stop job was canceled" "$WORK/slowterm-stop.out"
check "... and the cell runs again" wait_for 10 state_is cell@slowterm.service active
in_sealed systemctl stop cell@slowterm.service

# --- the service's own "cell run" still starting (the name's lock held, no
# runtime state or scope yet; a stand-in holds the lock as cell run does, as
# cell@NAME.service's main process): cell stop stops the service. It sent
# SIGTERM to that cell run alone, which ends a start with exit 0 ("Stopped
# while starting"), and Restart=always started the cell again.
install_dropin cell@fakestart.service fake <<'EOF'
[Service]
Type=simple
Restart=always
RestartSec=1
ExecStart=
ExecStart=/usr/bin/python3 -c 'import fcntl, os, signal, sys, time; os.makedirs("/run/cell/lock", exist_ok=True); \
        fd = os.open("/run/cell/lock/fakestart.lock", os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o600); \
        fcntl.flock(fd, fcntl.LOCK_EX); os.ftruncate(fd, 0); os.write(fd, b"%%d" % os.getpid()); \
        os.system("echo run >> /run/fakestart-runs"); signal.signal(signal.SIGTERM, lambda *a: sys.exit(0)); \
        time.sleep(1000)'
EOF
in_sealed rm -f /run/fakestart-runs
in_sealed systemctl start cell@fakestart.service
fake_holds() { in_sealed sh -c 'test -s /run/fakestart-runs && test -s /run/cell/lock/fakestart.lock'; }
check "cell@fakestart.service's stand-in holds the name's lock" wait_for 5 fake_holds
out=$(in_sealed "$CELL" stop fakestart 2>&1); rc=$?
expect_eq "cell stop of a start by the service's cell run: exit 0 ($out)" 0 "$rc"
expect_eq "... the service is stopped" inactive "$(show cell@fakestart.service ActiveState)"
sleep 1.5       # RestartSec= is over: a restart would have begun
expect_eq "... and Restart=always did not start it again" "inactive 1" \
        "$(show cell@fakestart.service ActiveState) $(in_sealed cat /run/fakestart-runs | wc -l)"

finish
