#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# "cell verify" and "cell plan" on the host they run on: where its cgroup
# controllers are v1 ones (the hybrid layout of this test machine), a warning
# for each [Limits] key "cell run" would refuse or leave unapplied there,
# naming its file and line, without changing the exit status; on a pure
# cgroup2 host, none. Rootless: nothing is started.
#
#   test-verify-v1.sh CELL
set -u

cell=$1
. "$(dirname "$0")/lib.sh"

u=$CELL_UNIT_PATH/lim.cell
printf '%s\n' "[Root]" "Directory=$tmp" "[Exec]" "Exec=/bin/true" "[Limits]" "MemoryMin=1M" "CPUWeight=idle" > "$u"
mkdir -p "$CELL_UNIT_PATH/lim.cell.d"
printf '%s\n' "[Limits]" "MemoryLow=2M" > "$CELL_UNIT_PATH/lim.cell.d/low.conf"
printf '%s\n' "[Root]" "Directory=$tmp" "[Exec]" "Exec=/bin/true" "[Limits]" "MemoryMax=64M" "CPUWeight=200" \
        > "$CELL_UNIT_PATH/plain.cell"

# What this host is: v1 memory and cpu hierarchies (the super options of a
# "cgroup" mount list its controllers), and the manager "cell run" would take.
. "$(dirname "$0")/../../lib/cgroup-v1.sh"
v1_memory=0 v1_cpu=0
v1_has memory && v1_memory=1
v1_has cpu && v1_cpu=1
manager=$("$cell" plan plain 2>/dev/null | sed -n 's/^Cgroup manager: *\([a-z]*\).*/\1/p')
[ -n "$manager" ] || fail "cell plan names no cgroup manager"
[ "$manager" = none ] && v1_memory=0 v1_cpu=0
echo "v1 memory: $v1_memory, v1 cpu: $v1_cpu, manager: $manager"

for verb in verify plan; do
        expect 0 "$verb lim: valid, whatever the host" -- "$cell" "$verb" lim
        if [ "$v1_memory" = 1 ]; then
                grep -q "^$u:6: warning: MemoryMin=: refused on this host: its memory controller is a cgroup v1 one" \
                        "$tmp/err" || fail "$verb: no MemoryMin= warning at lim.cell:6: $(cat "$tmp/err")"
                grep -q "^$CELL_UNIT_PATH/lim.cell.d/low.conf:2: warning: MemoryLow=: refused on this host" \
                        "$tmp/err" || fail "$verb: no MemoryLow= warning at low.conf:2: $(cat "$tmp/err")"
        else
                ! grep -q "MemoryMin=: refused on this host" "$tmp/err" ||
                        fail "$verb: a warning on a host without v1 memory: $(cat "$tmp/err")"
        fi
        if [ "$v1_cpu" = 1 ]; then
                grep -q "^$u:7: warning: CPUWeight=idle: not applied as idle on this host" "$tmp/err" ||
                        fail "$verb: no CPUWeight=idle warning at lim.cell:7: $(cat "$tmp/err")"
        else
                ! grep -q "CPUWeight=idle: not applied" "$tmp/err" ||
                        fail "$verb: a warning on a host without v1 cpu: $(cat "$tmp/err")"
        fi
        [ "$verb" = verify ] && { grep -q "^1 unit checked: 1 valid, 0 invalid.$" "$tmp/err" ||
                                  fail "verify's summary: $(cat "$tmp/err")"; }
        expect 0 "$verb plain" -- "$cell" "$verb" plain
        ! grep -q "on this host" "$tmp/err" || fail "$verb plain: a warning for keys v1 holds: $(cat "$tmp/err")"
done
# The JSON stays the unit's: the warnings go to standard error only.
expect 0 "plan --json lim" -- "$cell" plan --json lim
! grep -q "on this host" "$tmp/out" || fail "plan --json: a host's warning in the JSON"
exit $failed
