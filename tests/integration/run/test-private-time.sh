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
expect_nothing_left
echo ok
