#!/bin/bash
# PrivateUsers= and a file-system failure: the first error wins, every time.
# The tree builder's ERROR (here: a Bind= source that does not exist) goes to
# the child, which may get it before the supervisor's IDMAP_DONE and go with
# that unread. The supervisor then gets EPIPE on its send or ECONNRESET on
# its read, and must still read the child's ERROR queued behind it, never
# "talking to the child: Broken pipe" or "the container's init died during
# setup" (a few runs in a hundred did, more when the CPUs are busy: hence
# several loops at once and two busy loops beside them).
. "$(dirname "$0")/../run/lib.sh"
# The child works as the container's root: it must reach the root.
chmod 755 "$work"

loops=4 runs=60
host_snapshot before
for l in $(seq "$loops"); do
        unit "fail$l" "[Root]" "Directory=$root" "Bind=/nonexistent-$marker:/mnt" \
                "[Isolation]" "PrivateUsers=pick" "[Exec]" "Exec=/bin/true" > /dev/null
done

burners=()
for _ in 1 2; do
        # Bounded: never outlives the test, whatever happens to it.
        timeout 120 sh -c 'while :; do :; done' & burners+=($!)
done
loopers=()
for l in $(seq "$loops"); do
        (
                u=$work/$(unit_name "fail$l").cell
                for _ in $(seq "$runs"); do
                        rc=0
                        timeout 20 "$CELL" run --cgroup-manager=cgroupfs "$u" > /dev/null 2> "$work/err.$l" || rc=$?
                        echo "$rc $(cat "$work/err.$l")"
                done > "$work/results.$l"
        ) & loopers+=($!)
done
wait "${loopers[@]}"
kill "${burners[@]}" 2>/dev/null || true
wait "${burners[@]}" 2>/dev/null || true

all=$(cat "$work"/results.*)
expect "runs" "$(wc -l <<<"$all")" $((loops * runs))
# The unit file and line of the Bind= come first, as "cell verify" names them.
wrong=$(grep -v "^2 cell: ${marker}fail[0-9]*: $work/${marker}fail[0-9]*\\.cell:3: Bind=/nonexistent-$marker:/mnt: source does not exist: No such file or directory\$" <<<"$all" |
        sort | uniq -c || true)
[ -z "$wrong" ] || fail "not the Bind= failure every time:
$wrong"
expect_nothing_left
echo "ok: $((loops * runs)) runs, the Bind= failure reported each time"
