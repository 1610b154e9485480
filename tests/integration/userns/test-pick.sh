#!/bin/bash
# Two cells with PrivateUsers=pick running at the same time get disjoint
# ranges -- even when both start from the same candidate: the second unit
# has the same name (so the same hash) in another directory.
. "$(dirname "$0")/../run/lib.sh"
# The child works as the container's root: it must reach the root.
chmod 755 "$work"

mkdir "$work/a" "$work/b"
for d in a b; do
        printf '%s\n' "[Root]" "Directory=$root" "[Isolation]" "PrivateUsers=pick" \
                "[Exec]" "Exec=/bin/sh -c 'cat /proc/self/uid_map; sleep 3'" > "$work/$d/$(unit_name pick).cell"
done
timeout 20 "$CELL" run --cgroup-manager=none "$work/a/$(unit_name pick).cell" >"$work/out.a" 2>"$work/err.a" & a=$!
sleep 0.5
timeout 20 "$CELL" run --cgroup-manager=none "$work/b/$(unit_name pick).cell" >"$work/out.b" 2>"$work/err.b" & b=$!
sleep 1
# While both run, both ranges are locked.
ra=$(awk '{print $2}' "$work/out.a"); rb=$(awk '{print $2}' "$work/out.b")
[ -n "$ra" ] && [ -n "$rb" ] || fail "no uid maps: $(cat "$work/err.a" "$work/err.b")"
flock -n "/run/cell/uid/$ra" true && fail "range $ra not locked while its cell runs"
flock -n "/run/cell/uid/$rb" true && fail "range $rb not locked while its cell runs"
wait $a || fail "cell a: $(cat "$work/err.a")"
wait $b || fail "cell b: $(cat "$work/err.b")"
[ "$ra" != "$rb" ] || fail "both cells got the range $ra"
(( ra + 65536 <= rb || rb + 65536 <= ra )) || fail "ranges $ra and $rb overlap"
# The same candidate was tried first: b took the next one.
expect "b's range" "$rb" $(( ra == 0x6FFF0000 ? 0x80000 : ra + 65536 ))
[ ! -e "/run/cell/uid/$ra" ] && [ ! -e "/run/cell/uid/$rb" ] || fail "lock files left: $(ls /run/cell/uid)"
echo "ok: disjoint ranges $ra and $rb"
