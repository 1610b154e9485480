#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# "cell plan" names the cgroup the cgroupfs manager makes as that manager
# names it (src/scope/scope-cgroupfs.c): the scope unit's name without
# ".scope", escaped as systemd escapes it. For units/examples/worker@.cell's
# instance 3 that is cell-worker\x403 (the example's comment), the directory
# "cell status" then shows, not cell-worker@3 (and cell-my\x2dweb for my-web). Rootless (lib.sh: no bus, so
# auto picks cgroupfs where cell may make cgroups below its own; else 77).
#
#   test-plan-cgroupfs-name.sh CELL SOURCE_ROOT
set -u

cell=$1
src=$2
. "$(dirname "$0")/lib.sh"

cp "$src/units/examples/worker@.cell" "$CELL_UNIT_PATH/"
printf '[Root]\nDirectory=/var/lib/cell/busybox\n[Exec]\nExec=/bin/true\n' > "$CELL_UNIT_PATH/my-web.cell"

for name in 'worker@3' 'my-web'; do
        expect 0 "cell plan $name" -- "$cell" plan "$name"
        if ! grep -q '^Cgroup manager: *cgroupfs ' "$tmp/out"; then
                echo "SKIP: auto does not pick the cgroupfs manager here"
                exit 77
        fi
        scope=$(sed -n 's/^Scope: *\([^ ]*\)\.scope in .*/\1/p' "$tmp/out")
        cgroup=$(sed -n "s/^ *(cgroupfs: the cgroup \([^ ]*\) below cell's own.*/\1/p" "$tmp/out")
        [ -n "$scope" ] || fail "$name: no Scope: line"
        [ "$cgroup" = "$scope" ] || fail "$name: the cgroupfs cgroup is '$cgroup', the scope's name is '$scope'"
done
grep -qF 'the cgroup cell-my\x2dweb below' "$tmp/out" || fail 'my-web: not cell-my\x2dweb, as nspawn escapes a scope name'
"$cell" plan 'worker@3' | grep -qF 'the cgroup cell-worker\x403 below' || fail 'worker@3: not cell-worker\x403'

exit $failed
