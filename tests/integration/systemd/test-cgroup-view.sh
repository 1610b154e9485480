#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# The container's /sys/fs/cgroup shows its own cgroups alone, with a
# systemd scope and with the cgroupfs manager. On the hybrid layout a scope
# has cgroups only in the v1 controllers systemd takes; in any other
# hierarchy the container's cgroup namespace root is cell's cgroup, and the
# tree below it would show. A cgroup beside cell's stands for that tree: no
# payload may see its name; and no hierarchy is shown where the payload is
# in cell's cgroup (the kernel lists, and cell mounted, hierarchies the
# sealed systemd does not even mount: cpuset, freezer, devices).
. "$(dirname "$0")/lib.sh"

setup_cell

write_payload view-payload <<'EOF'
for d in /sys/fs/cgroup /sys/fs/cgroup/*/; do echo "== $d"; ls -a "$d" 2>&1; done > /out/view.tmp
mv /out/view.tmp /out/view
while [ ! -e /out/go ]; do sleep 0.1; done
EOF
install_cell view <<EOF
[Root]
Directory=$ROOT
[Exec]
Exec=/bin/view-payload
EOF

# Run inside the sealed systemd: view.sh HOSTCG ROOT CMD... runs CMD in the
# background, which ends in "view.sh mk HOSTCG ROOT CELL ARGS...": HOSTCG
# beside that shell's cgroup (the one cell starts in) in each hierarchy
# mounted here, then cell run. Once the payload listed what it sees: the
# hierarchies where it is in cell's own cgroup, not one of its own, to
# /out/same; then it ends, and HOSTCG goes.
cat > "$WORK/view.sh" <<'EOF'
#!/bin/sh
if [ "$1" = mk ]; then
        hostcg=$2; root=$3; shift 3
        while IFS=: read -r id ctrl path; do
                case $ctrl in
                "") d=/sys/fs/cgroup; [ -d /sys/fs/cgroup/unified ] && d=/sys/fs/cgroup/unified ;;
                name=*) d="/sys/fs/cgroup/${ctrl#name=}" ;;
                *) d="/sys/fs/cgroup/$ctrl" ;;
                esac
                if [ -f "$d/cgroup.procs" ] && mkdir "$d${path%/}/$hostcg"; then
                        echo "$d${path%/}/$hostcg" >> "$root/out/made"
                fi
        done < /proc/self/cgroup
        exec "$@"
fi
hostcg=$1; root=$2; shift 2
rm -f "$root/out/view" "$root/out/go" "$root/out/same" "$root/out/made"
"$@" &
cell=$!
for _ in $(seq 200); do [ -e "$root/out/view" ] && break; sleep 0.05; done
payload=$(pgrep -f '^/bin/sh /bin/view-payload' | head -n 1)
if [ -n "$payload" ]; then
        while IFS=: read -r id ctrl path; do
                grep -qx "$id:$ctrl:$path" "/proc/$cell/cgroup" && echo "$ctrl"
        done < "/proc/$payload/cgroup" > "$root/out/same"
fi
touch "$root/out/go"
wait "$cell"
rc=$?
[ -s "$root/out/made" ] || rc=99
for d in $(cat "$root/out/made" 2>/dev/null); do rmdir "$d"; done
exit $rc
EOF
chmod 0755 "$WORK/view.sh"

hostcg=cellviewhost$$
# view WHAT CMD...: the view from cell run CMD..., checked.
view() {
        local what=$1; shift
        in_sealed "$WORK/view.sh" "$hostcg" "$ROOT" "$@" > "$WORK/view.log" 2>&1
        expect_eq "$what: cell run" 0 "$?"
        if [ ! -s "$ROOT/out/view" ]; then
                fail "$what: the payload listed nothing: $(cat "$WORK/view.log")"
                return
        fi
        if grep -q "$hostcg" "$ROOT/out/view"; then
                fail "$what: the payload sees a cgroup beside cell's: $(grep '^==' "$ROOT/out/view" | tr '\n' ' ')"
        else
                ok "$what: no cgroup beside cell's is seen"
        fi
        local ctrl shown=0 leaked=
        [ -e "$ROOT/out/same" ] || fail "$what: no payload was found to compare with cell"
        while read -r ctrl; do
                case $ctrl in "") ctrl=unified ;; name=*) ctrl=${ctrl#name=} ;; esac
                grep -qx "== /sys/fs/cgroup/$ctrl/" "$ROOT/out/view" && leaked+=" $ctrl"
        done < "$ROOT/out/same"
        expect_eq "$what: no hierarchy shown where the payload is in cell's cgroup" "" "$leaked"
        if [ "$SEALED_CGROUP" = hybrid ]; then
                for ctrl in memory pids cpu systemd unified; do
                        grep -qx "== /sys/fs/cgroup/$ctrl/" "$ROOT/out/view" && shown=$((shown + 1))
                done
                expect_eq "$what: memory, pids, cpu, systemd and unified shown" 5 "$shown"
        fi
        if in_sealed sh -c "find /sys/fs/cgroup -name '$hostcg' -o -name 'cell-view*' | grep ."; then
                fail "$what: cgroups left"
        fi
}

view "systemd scope" "$WORK/view.sh" mk "$hostcg" "$ROOT" "$CELL" run /run/cell/view.cell
view "cgroupfs" systemd-run --quiet --scope -p Delegate=yes --unit=cgview \
        "$WORK/view.sh" mk "$hostcg" "$ROOT" "$CELL" run --cgroup-manager=cgroupfs /run/cell/view.cell

finish
