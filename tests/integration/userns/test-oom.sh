#!/bin/bash
# OOMScoreAdjust= and Limit*= with PrivateUsers=, where what the payload's
# own process may do is not what cell may: the supervisor writes the child's
# /proc/PID/oom_score_adj from outside. Inside, the child (non-dumpable, in a
# user namespace of its own) could not open its own at all, so every
# OOMScoreAdjust= failed the start there ("OOMScoreAdjust=100: Permission
# denied"). Lowering it, and raising a hard limit, need CAP_SYS_RESOURCE of
# the host's user namespace; a refusal names the key, its line and why.
. "$(dirname "$0")/../run/lib.sh"
chmod 755 "$work"

own=$(cat /proc/self/oom_score_adj)
up=$(( own + 100 > 1000 ? 1000 : own + 100 ))
for pu in pick no; do
        u=$(unit "oomup$pu" "[Root]" "Directory=$root" "[Exec]" "Exec=/bin/cat /proc/self/oom_score_adj" \
                "[Isolation]" "PrivateUsers=$pu" "[Limits]" "OOMScoreAdjust=$up")
        run_cell cgroupfs "$u"
        expect "PrivateUsers=$pu: status ($(cat "$work/err"))" "$status" 0
        expect "PrivateUsers=$pu: oom_score_adj" "$(cat "$work/out")" "$up"
done

# Below cell's own: with CAP_SYS_RESOURCE set (the payload cannot go lower
# again), without it refused, saying so.
if [ "$own" -gt -1000 ]; then
        down=$(( own - 1 ))
        host_snapshot before
        u=$(unit oomdown "[Root]" "Directory=$root" "[Exec]" "Exec=/bin/cat /proc/self/oom_score_adj" \
                "[Isolation]" "PrivateUsers=pick" "[Limits]" "OOMScoreAdjust=$down")
        run_cell cgroupfs "$u"
        expect_oom_lowered "$(unit_name oomdown)" "$u:8" "$down"
        expect_nothing_left
fi

# A hard limit above cell's own: never in the container's user namespace.
hard=$(ulimit -Hn)
if [ "$hard" != unlimited ] && [ "$hard" -lt "$(cat /proc/sys/fs/nr_open)" ]; then
        host_snapshot before
        u=$(unit nofile "[Root]" "Directory=$root" "[Exec]" "Exec=/bin/true" \
                "[Isolation]" "PrivateUsers=pick" "[Limits]" "LimitNOFILE=100:$((hard + 1))")
        run_cell cgroupfs "$u"
        expect "LimitNOFILE: status" "$status" 2
        why="raising it needs CAP_SYS_RESOURCE in the host's user namespace, which the container's"
        why="$why \\(PrivateUsers=\\) does not give"
        want="^cell: $(unit_name nofile): $u:8: LimitNOFILE=100:$((hard + 1)): setrlimit"
        want="$want \\(the hard limit in force is $hard; at most fs\\.nr_open=[0-9]+; $why\\)"
        want="$want: Operation not permitted\$"
        expect_match "LimitNOFILE: message" "$(cat "$work/err")" "$want"
        expect_nothing_left
fi
# The value as written, not as the kernel takes it: LimitNICE=-1 (21 to the
# kernel) and LimitMEMLOCK=1G (1073741824) were told in the kernel's numbers.
nice_hard=$(ulimit -He)
memlock_hard=$(ulimit -Hl)
if [ "$nice_hard" != unlimited ] && [ "$nice_hard" -lt 21 ] &&
   [ "$memlock_hard" != unlimited ] && [ "$memlock_hard" -lt $((1024 * 1024)) ]; then
        why="raising it needs CAP_SYS_RESOURCE in the host's user namespace, which the container's"
        why="$why \\(PrivateUsers=\\) does not give"
        for limit in "LimitNICE=-1" "LimitMEMLOCK=1G"; do
                host_snapshot before
                u=$(unit rvalue "[Root]" "Directory=$root" "[Exec]" "Exec=/bin/true" \
                        "[Isolation]" "PrivateUsers=pick" "[Limits]" "$limit")
                run_cell cgroupfs "$u"
                expect "$limit: status" "$status" 2
                want="^cell: $(unit_name rvalue): $u:8: $limit: setrlimit \\(the hard limit in force is [0-9]+; $why\\)"
                expect_match "$limit: message" "$(cat "$work/err")" "$want: Operation not permitted\$"
                expect_nothing_left
        done
fi
echo "ok: OOMScoreAdjust= from outside, refusals named"
