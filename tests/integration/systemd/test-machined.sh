#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# Register=yes under a real systemd-machined, bus-activated in the sealed
# systemd as on a host (its unit runs there as shipped, no drop-in): the
# container is a machine of machinectl list/status/show, with its leader, class,
# service, root, MachineID= and the host side of its veth; machinectl kill
# signals it, terminate and poweroff (Boot=yes) end it by cell's usual way out,
# reboot starts it again (exit status 133), and nothing is left. Register=no (the default) never calls machined; the
# cgroupfs manager, a name taken already and a masked machined are refused
# with nothing left behind.
. "$(dirname "$0")/lib.sh"

[ -x /lib/systemd/systemd-machined ] || die "no systemd-machined (tests/lib/install-deps: systemd-container)"
setup_cell

# The payload: says what it got as $container_uuid, records the signals
# machinectl sends, and ends on SIGTERM (as PID 1 it would ignore it without
# a handler).
write_payload machine-payload <<'EOF'
h=$(hostname)
echo "$container_uuid" > "/out/uuid-$h"
trap 'echo USR1 >> "/out/signals-$h"' USR1
trap 'echo TERM >> "/out/signals-$h"; exit 0' TERM
: > "/out/started-$h"
while :; do sleep 1 & wait; done
EOF
machines() { in_sealed machinectl list --no-legend --no-pager 2>/dev/null | awk 'NF { print $1, $2, $3 }'; }
no_machines() { [ -z "$(machines)" ]; }
started() { wait_for 20 test -e "$ROOT/out/started-$1"; }
# The container's init: the child of cell (cell-monitor later: the same PID).
leader_of() { in_sealed pgrep -P "$(prop "cell@$1.service" MainPID)" | head -n 1; }

# --- Register=no, the default: no call to machined at all.
install_cell plain <<EOF
[Root]
Directory=$ROOT
[Exec]
Exec=/bin/machine-payload
EOF
if in_sealed systemctl start cell@plain.service && started plain; then
        expect_eq "Register=no: systemd-machined was never activated" inactive "$(prop systemd-machined.service ActiveState)"
        expect_eq "Register=no: machinectl lists nothing" "" "$(machines)"
        expect_eq "Register=no, no MachineID=: no \$container_uuid" "" "$(cat "$ROOT/out/uuid-plain")"
        in_sealed systemctl stop cell@plain.service
else
        fail "cell@plain did not start"
fi
expect_eq "machined came by bus activation, as shipped" active "$(prop systemd-machined.service ActiveState)"

# --- Register=yes, a template instance, MachineID= in the UUID form
install_cell web@ <<EOF
[Root]
Directory=$ROOT
[Exec]
Exec=/bin/machine-payload
Register=yes
MachineID=0B6F5A2E-6E3C-4D6B-9C2C-740D3EC55D01
EOF
scope='cell-web\x403.scope'
if in_sealed systemctl start cell@web@3.service && started web-3; then
        expect_eq "machinectl list: web@3 as web-3, a container of cell" "web-3 container cell" "$(machines)"
        leader=$(leader_of web@3)
        status=$(in_sealed machinectl status web-3 --no-pager 2>&1)
        check "machinectl status: leader $leader" grep -q "Leader: $leader " <<<"$status"
        check "machinectl status: class container, service cell" grep -q "Service: cell; class container" <<<"$status"
        check "machinectl status: the unit is the scope" grep -qF "Unit: $scope" <<<"$status"
        expect_eq "machinectl show: Leader" "$leader" "$(in_sealed machinectl show web-3 -p Leader --value)"
        expect_eq "machinectl show: Class" container "$(in_sealed machinectl show web-3 -p Class --value)"
        expect_eq "machinectl show: RootDirectory" "$ROOT" "$(in_sealed machinectl show web-3 -p RootDirectory --value)"
        expect_eq "machinectl show: Id is MachineID=" 0b6f5a2e6e3c4d6b9c2c740d3ec55d01 \
                "$(in_sealed machinectl show web-3 -p Id --value)"
        expect_eq "MachineID= as \$container_uuid, in the UUID form" 0b6f5a2e-6e3c-4d6b-9c2c-740d3ec55d01 \
                "$(cat "$ROOT/out/uuid-web-3")"

        # machinectl kill: the signal to every process of the scope.
        in_sealed machinectl kill --signal=SIGUSR1 web-3
        check "machinectl kill --signal=SIGUSR1: the payload got it" \
                wait_for 5 grep -q USR1 "$ROOT/out/signals-web-3"

        # A second container of the same machine name: refused by machined,
        # after its scope and payload were made, and nothing of it is left:
        # not the mount point its build made in the image either.
        install_cell web-3 <<EOF
[Root]
Directory=$ROOT
TemporaryFileSystem=/undo/m
[Exec]
Exec=/bin/sleep 1001
Register=yes
EOF
        out=$(in_sealed "$CELL" run web-3 2>&1)
        rc=$?
        expect_eq "the same machine name again: exit 2" 2 "$rc"
        check "... machined's refusal, named ($out)" grep -qF "web-3: Register=yes: systemd-machined refused RegisterMachineWithNetwork(web-3): Machine 'web-3' already exists (org.freedesktop.machine1.MachineExists)" <<<"$out"
        check "... and whose machine web-3 is: web@3's scope and leader" \
                grep -qF "; it is the machine of $scope, leader PID $leader" <<<"$out"
        check "... its scope is gone" wait_for 5 unit_gone 'cell-web\x2d3.scope'
        expect_eq "... no process of it is left" "" "$(procs_matching "sleep 1001")"
        # web@3 runs on the same root: what the failed start made there may
        # be web@3's mount point by now, so it stays, said (shared-lock.h).
        check "... its mount point in the shared image stays, said ($out)" \
                grep -qF "left /undo" <<<"$out"
        check "... because web@3 uses the root" grep -qF "another container uses $ROOT" <<<"$out"
        rm -rf "$ROOT/undo"
        expect_eq "... the first is still the machine web-3" "$leader" "$(in_sealed machinectl show web-3 -p Leader --value)"

        # machinectl terminate: machined stops the scope; the payload ends of
        # the scope's SIGTERM and cell with it, the service inactive.
        t0=$(date +%s%N)
        in_sealed machinectl terminate web-3
        wait_for 10 ended cell@web@3.service
        ms=$(( ($(date +%s%N) - t0) / 1000000 ))
        # 10 s, not 5, for a loaded machine; a stop timeout would be 20 s.
        if [ "$ms" -lt 10000 ]; then ok "terminate: cell ended in $ms ms"; else fail "terminate: took $ms ms"; fi
        check "terminate: the payload got SIGTERM" grep -q TERM "$ROOT/out/signals-web-3"
        expect_eq "terminate: cell@web@3 is inactive, not failed" inactive "$(prop cell@web@3.service ActiveState)"
        check "terminate: the scope is gone" wait_for 5 unit_gone "$scope"
        check "terminate: machinectl lists nothing" wait_for 5 no_machines
else
        fail "cell@web@3 did not start ($(prop cell@web@3.service ActiveState))"
fi

# --- a stop of the service: the machine goes with the scope.
rm -f "$ROOT/out/started-web-3"
if in_sealed systemctl start cell@web@3.service && started web-3; then
        expect_eq "registered again after the terminate" "web-3 container cell" "$(machines)"
        in_sealed systemctl stop cell@web@3.service
        check "systemctl stop: machinectl lists nothing" wait_for 5 no_machines
        check "systemctl stop: the scope is gone" wait_for 5 unit_gone "$scope"
else
        fail "cell@web@3 did not start again"
fi

# --- started again at once: machined may not have seen the last one's end
# yet (its machine is still listed), which is left over and replaced.
in_sealed sh -c 'printf "[Root]\nDirectory=%s\n[Exec]\nExec=/bin/true\nRegister=yes\n" "$1" > /run/cell/quick.cell' _ "$ROOT"
failed=$(in_sealed sh -c "n=0; for i in \$(seq 20); do '$CELL' run quick 2>>/tmp/quick.err || n=\$((n + 1)); done; echo \$n")
expect_eq "20 short registered starts back to back: none refused" 0 "$failed"
[ "$failed" = 0 ] || in_sealed head -n 3 /tmp/quick.err
check "... and the last one's machine goes too" wait_for 5 no_machines

# ... deterministically: machined stopped (SIGSTOP) across a restart sees the
# old run's end only when the scope of that name is active again -- the new
# run's -- so it keeps the old machine (machine_may_gc() asks whether the
# unit is active) and refuses the new one, which cell replaces.
install_cell again <<EOF
[Root]
Directory=$ROOT
[Exec]
Exec=/bin/machine-payload
Register=yes
EOF
if in_sealed systemctl start cell@again.service && started again; then
        old=$(leader_of again)
        machined=$(prop systemd-machined.service MainPID)
        in_sealed kill -STOP "$machined"
        rm -f "$ROOT/out/started-again"
        in_sealed systemctl restart --no-block cell@again.service
        started again
        sleep 0.3
        in_sealed kill -CONT "$machined"
        check "a restart while machined lagged: active" wait_for 10 state_is cell@again.service active
        new=$(leader_of again)
        expect_eq "... registered with the new leader, not the old ($old)" "$new" \
                "$(in_sealed machinectl show again -p Leader --value 2>&1)"
        in_sealed systemctl stop cell@again.service
        check "... and gone after its stop" wait_for 5 no_machines
else
        fail "cell@again did not start"
fi

# --- the cgroupfs manager makes no scope: refused before anything is made.
out=$(in_sealed "$CELL" run --cgroup-manager=cgroupfs web-3 2>&1)
rc=$?
expect_eq "cgroupfs: exit 2" 2 "$rc"
check "cgroupfs: refused, Register= named at its line ($out)" grep -qE "web-3: /[^ ]+\.cell:[0-9]+: Register=yes: systemd-machined registers a container by its systemd scope, and the cgroupfs manager makes none" <<<"$out"
expect_eq "cgroupfs: no process left" "" "$(procs_matching "sleep 1001")"
expect_eq "cgroupfs: no cgroup left" "" "$(in_sealed find /sys/fs/cgroup -name 'cell-web-3*' 2>/dev/null)"
check "cgroupfs with --register=no runs" in_sealed "$CELL" run --cgroup-manager=cgroupfs --register=no web-3 -- /bin/true

# --- --register=yes on a unit without Register=, with a veth: machined gets
# the host side's index. In a network namespace of its own, not the host's.
install_cell veth <<EOF
[Root]
Directory=$ROOT
[Exec]
Exec=/bin/machine-payload
[Network]
VirtualEthernet=yes
EOF
got=$(in_sealed unshare --net sh -c "'$CELL' run --register=yes veth >/dev/null 2>&1 & p=\$!
        for i in \$(seq 50); do [ -e '$ROOT/out/started-veth' ] && break; sleep 0.1; done
        echo \"\$(busctl get-property org.freedesktop.machine1 /org/freedesktop/machine1/machine/veth \
                org.freedesktop.machine1.Machine NetworkInterfaces) \$(ip -o link show ve-veth | cut -d: -f1)\"
        kill \$p; wait \$p")
# "ai 1 N" (machinectl show cannot print it), then the index of ve-veth
read -r _ n netif ifindex <<<"$got"
check "--register=yes: registered with the veth's host side ($got)" test "$n" = 1 -a -n "$ifindex" -a "$netif" = "$ifindex"
check "--register=yes: gone after cell's stop" wait_for 5 no_machines
expect_eq "no MachineID=: a random \$container_uuid" 36 "$(tr -d '\n' < "$ROOT/out/uuid-veth" | wc -c)"

# --- machined masked (not running, cannot be activated): refused, named, nothing left.
in_sealed systemctl stop systemd-machined.service
in_sealed systemctl mask --runtime --quiet systemd-machined.service
rm -f "$ROOT/out/started-web-3"
out=$(in_sealed "$CELL" run web@3 2>&1)
rc=$?
in_sealed systemctl unmask --runtime --quiet systemd-machined.service
expect_eq "machined masked: exit 2" 2 "$rc"
check "machined masked: said so ($out)" grep -qF "web@3: Register=yes: systemd-machined is not available" <<<"$out"
check "machined masked: the scope is gone" wait_for 5 unit_gone "$scope"
check "machined masked: the payload is gone" wait_for 5 sh -c "[ -z \"\$('$SEALED' run pgrep -f '[m]achine-payload')\" ]"

# --- a payload that ends before machined has registered it (machined
# activated by the call: slow): machined misses the end of its scope, and
# would keep the machine of a container that is no more, listed, its name
# refused to another, until something made it look. cell drops it. No
# machinectl call in between: it would make machined look. (web-3's own
# machine, machined warm, is registered before its payload runs.)
refused=0
for i in 1 2 3; do
        in_sealed systemctl stop systemd-machined.service
        in_sealed "$CELL" run web@3 -- /bin/true || refused=$((refused + 100))
        out=$(in_sealed "$CELL" run web-3 -- /bin/true 2>&1) || { refused=$((refused + 1)); echo "$out"; }
done
expect_eq "a payload ended before machined registered it: its machine gone, web-3 registers" 0 "$refused"
check "... and machinectl lists nothing" wait_for 5 no_machines

# --- Boot=yes: a systemd inside takes MachineID= through $container_uuid;
# machinectl poweroff asks it to shut down, and it goes with cell.
sd=$WORK/sdroot
make_os_root "$sd"
install_cell sdboot <<EOF
[Root]
Directory=$sd
BindReadOnly=/usr
[Exec]
Boot=yes
NotifyReady=yes
Register=yes
MachineID=4a3f0e1c2b5d4e6f8a9b0c1d2e3f4a5b
[Isolation]
PrivateUsers=pick
EOF
if in_sealed systemctl start cell@sdboot.service; then
        expect_eq "Boot=yes: registered" "sdboot container cell" "$(machines)"
        expect_eq "Boot=yes: the systemd inside has MachineID= as its machine ID" 4a3f0e1c2b5d4e6f8a9b0c1d2e3f4a5b \
                "$(in_sealed "$CELL" exec sdboot /bin/cat /etc/machine-id 2>&1)"
        expect_eq "Boot=yes: the leader is the container's systemd" systemd \
                "$(in_sealed cat "/proc/$(in_sealed machinectl show sdboot -p Leader --value)/comm")"
        in_sealed machinectl poweroff sdboot
        check "poweroff: cell@sdboot ended" wait_for 30 ended cell@sdboot.service
        expect_eq "poweroff: inactive, not failed" inactive "$(prop cell@sdboot.service ActiveState)"
        check "poweroff: machinectl lists nothing" wait_for 5 no_machines
        check "poweroff: the scope is gone" wait_for 5 unit_gone cell-sdboot.scope
        # reboot: the init's reboot() ends it in its PID namespace, cell exits
        # 133 and cell@.service starts it again (RestartForceExitStatus=),
        # registered again, as systemd-nspawn@.service does.
        if in_sealed systemctl start cell@sdboot.service; then
                leader=$(in_sealed machinectl show sdboot -p Leader --value)
                in_sealed machinectl reboot sdboot
                check "reboot: cell@sdboot started again" wait_for 60 restarted_once cell@sdboot.service
                expect_eq "reboot: registered again" "sdboot container cell" "$(machines)"
                new_leader=$(in_sealed machinectl show sdboot -p Leader --value)
                check "reboot: a new leader ($leader, then $new_leader)" test "$new_leader" != "$leader"
                in_sealed systemctl stop cell@sdboot.service
                expect_eq "reboot, then stop: inactive, not failed" inactive "$(prop cell@sdboot.service ActiveState)"
                check "reboot, then stop: machinectl lists nothing" wait_for 5 no_machines
        else
                fail "cell@sdboot did not start again"
        fi
else
        fail "cell@sdboot did not start ($(prop cell@sdboot.service ActiveState))"
fi

finish
