#!/bin/bash
# PrivateTime=yes: a time namespace of the container's own, whose monotonic
# and boot clocks start near zero, also with PrivateUsers= (the namespace
# then belongs to the container's user namespace, and its offsets must be
# written before cell becomes that namespace's root: afterwards its
# /proc/self/timens_offsets is the host root's); and without it.
. "$(dirname "$0")/lib.sh"

host_snapshot before
host_ns=$(readlink /proc/self/ns/time)
for users in no pick; do
        u=$(unit "time$users" "[Root]" "Directory=$root" "[Exec]" \
                "Exec=/bin/sh -c 'cat /proc/uptime; readlink /proc/self/ns/time'" \
                "[Isolation]" "PrivateTime=yes" "PrivateUsers=$users")
        run_cell cgroupfs "$u"
        [ "$status" -eq 0 ] || { cat "$work/err" >&2; fail "PrivateUsers=$users: cell run exited $status"; }
        cat "$work/out"
        expect_match "PrivateUsers=$users: uptime inside" "$(sed -n 1p "$work/out")" '^[0-4]\.'
        inside=$(sed -n 2p "$work/out")
        expect_match "PrivateUsers=$users: a time namespace" "$inside" '^time:'
        [ "$inside" != "$host_ns" ] || fail "PrivateUsers=$users: the host's time namespace inside"
done

# One offset moves CLOCK_MONOTONIC, _RAW and _COARSE, and _RAW (not slewed by
# NTP) or _COARSE (a tick late) may be behind in the second taken off: none
# may start below zero (_RAW did, by up to its lag, in about one start in
# four on a VM whose _RAW was 0.24 s behind), and the boot clock is never
# behind the monotonic one. Ten starts, at other fractions of a second.
u=$(unit clocks "[Root]" "Directory=$root" "[Exec]" "Exec=/bin/probe clocks" "[Isolation]" "PrivateTime=yes")
for i in $(seq 10); do
        run_cell none "$u"
        [ "$status" -eq 0 ] || { cat "$work/err" >&2; fail "clocks: cell run exited $status"; }
        declare -A ns=()
        while read -r name value; do ns[$name]=$value; done < "$work/out"
        for c in monotonic monotonic_raw monotonic_coarse boottime; do
                expect_match "start $i: $c inside" "${ns[$c]:-}" '^[0-9]+$'
                [ "${ns[$c]}" -lt 5000000000 ] || fail "start $i: $c inside is ${ns[$c]} ns, not near zero"
        done
        [ "${ns[boottime]}" -ge "${ns[monotonic]}" ] || \
                fail "start $i: the boot clock (${ns[boottime]}) behind the monotonic one (${ns[monotonic]})"
        unset ns
        sleep 0.$((RANDOM % 10))
done
expect_nothing_left
echo ok
