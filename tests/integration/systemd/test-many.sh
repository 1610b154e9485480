#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# Many containers at once: 300 cells run by hand (in waves of 50), each in its
# own scope, all running together -- more than the system bus lets one user hold connections
# (dbus-daemon: 256) -- with no bus connection held by any "cell run" once its
# payload runs. Then systemd stops every scope (the unit's KillSignal=), each
# cell exits with its payload's status, and nothing is left. Then the same as
# a boot starts them: 300 instances of cell@.service in one systemctl start
# (Type=notify, NotifyReady=yes), all active, all stopped, nothing left.
. "$(dirname "$0")/lib.sh"

if [ "$SEALED_CGROUP" = hybrid ]; then
        echo "SKIP: the bus is the same on both layouts (the cgroup2 run covers it)"
        exit 77
fi

N=300
setup_cell

write_payload many-payload <<'EOF'
trap 'exit 0' TERM
sleep 1000 & wait
EOF
install_cell many <<EOF
[Root]
Directory=$ROOT
ReadOnly=yes
[Exec]
Exec=/bin/many-payload
EOF

# One script inside: the cells are its children, so it can wait for them all.
cat > "$WORK/many.sh" <<EOF
#!/bin/bash
active() { systemctl list-units --no-legend --state=active 'cell-many*.scope' | wc -l; }
# How many clients of the bus are "cell" processes ("unknown" if busctl gets no connection).
on_bus() { local l; l=\$(busctl list --unique --no-legend) || { echo unknown; return; }; awk '\$3 == "cell"' <<< "\$l" | wc -l; }
# In waves of 50, each started at once: 300 StartTransientUnit calls in one
# burst made systemd 252 drop its own bus connection once ("Got disconnect on
# API bus": its job tracking likely ran into dbus-daemon's limit of 128 pending
# calls per connection), a limit of PID 1's, not of the containers running.
pids=()
for w in \$(seq 0 \$(( $N / 50 - 1 ))); do
        for i in \$(seq \$(( w * 50 + 1 )) \$(( w * 50 + 50 ))); do
                "$CELL" run --name=many\$i many > "$WORK/many\$i.log" 2>&1 &
                pids+=(\$!)
        done
        for t in \$(seq 300); do [ "\$(active)" -ge \$(( w * 50 + 50 )) ] && break; sleep 0.1; done
done
echo "active \$(active)"
for t in \$(seq 50); do [ "\$(on_bus)" = 0 ] && break; sleep 0.1; done
echo "on-bus \$(on_bus)"
echo "bus-clients \$(busctl list --unique --no-legend | wc -l)"
systemctl stop 'cell-many*.scope'
failed=0
for p in "\${pids[@]}"; do wait "\$p" || failed=\$((failed + 1)); done
echo "failed \$failed"
EOF
chmod +x "$WORK/many.sh"
out=$(in_sealed timeout 180 "$WORK/many.sh" < /dev/null)
echo "$out" | sed 's/^/# /'

expect_eq "all $N cells run at once" "$N" "$(awk '$1 == "active" { print $2 }' <<< "$out")"
expect_eq "no cell run holds a bus connection while its payload runs" 0 "$(awk '$1 == "on-bus" { print $2 }' <<< "$out")"
expect_eq "every cell run exited 0 after systemctl stop" 0 "$(awk '$1 == "failed" { print $2 }' <<< "$out")"
first_error=$(cat "$WORK"/many*.log 2>/dev/null | grep -m1 . || true)
expect_eq "no cell said a word (first: '$first_error')" "" "$first_error"
check "no cell-many* scope is left" wait_for 10 sh -c \
        "[ -z \"\$('$SEALED' run systemctl list-units --no-legend --all 'cell-many*.scope')\" ]"
check "no cgroup is left in machine.slice" wait_for 10 sh -c \
        "! '$SEALED' run sh -c 'ls -d /sys/fs/cgroup/machine.slice/cell-many* 2>/dev/null' | grep -q ."

# --- 300 services at once, as machines.target at boot: a template cell unit.
write_payload svc-payload <<'EOF'
trap 'exit 0' TERM
notify-probe READY=1
sleep 1000 & wait
EOF
install_cell svc@ <<EOF
[Root]
Directory=$ROOT
ReadOnly=yes
[Exec]
Exec=/bin/svc-payload
NotifyReady=yes
EOF
units=$(for i in $(seq $N); do printf 'cell@svc@%d.service ' "$i"; done)
# shellcheck disable=SC2086
check "systemctl start of $N cell@ services at once" in_sealed timeout 120 systemctl start $units
expect_eq "all $N services are active" "$N" \
        "$(in_sealed systemctl list-units --no-legend --state=active 'cell@svc@*.service' | wc -l)"
expect_eq "each with its scope" "$N" "$(in_sealed systemctl list-units --no-legend --state=active 'cell-svc*.scope' | wc -l)"
# shellcheck disable=SC2086
check "systemctl stop of all $N" in_sealed timeout 120 systemctl stop $units
expect_eq "none failed" "" "$(in_sealed systemctl list-units --no-legend --state=failed 'cell@svc@*')"
check "no cell-svc* scope is left" wait_for 10 sh -c \
        "[ -z \"\$('$SEALED' run systemctl list-units --no-legend --all 'cell-svc*.scope')\" ]"

finish
