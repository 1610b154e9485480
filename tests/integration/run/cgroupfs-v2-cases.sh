#!/bin/sh
# Run by test-cgroupfs-v2.sh inside tests/lib/kernel-vm (busybox sh, pure
# cgroup2 with memory, pids, cpu and io on at the root, no service
# manager): cell run --cgroup-manager=cgroupfs started in a cgroup "ci"
# below the root, as a CI runner or an init script would start it. Prints
#   @@case NAME STATUS      cell run's exit status
#   @@out LINE / @@err LINE what the container and cell printed
#   @@ci SUBTREE|PROCS|DIRS ci's cgroup.subtree_control, its processes and
#                           the cgroups left below it, after the run
# The host side checks them; nothing is judged here.
R=/cell/root
CI=/sys/fs/cgroup/ci
mkdir "$CI"

# unit NAME LIMIT...: /tmp/NAME.cell, whose payload prints the limits of its
# cgroup (its "/", a cgroup namespace) and its cgroup.
unit() {
        name=$1
        shift
        printf '%s\n' "[Root]" "Directory=$R" "[Exec]" \
                "Exec=/bin/sh -c 'cat /proc/self/cgroup; for f in pids.max cpu.max memory.max; do [ -e /sys/fs/cgroup/\$f ] && echo \$f \$(cat /sys/fs/cgroup/\$f); done; true'" \
                "[Limits]" "$@" > "/tmp/$name.cell"
}

# run NAME: cell run of /tmp/NAME.cell by a process that moved into ci first.
run() {
        status=0
        sh -c "echo \$\$ > $CI/cgroup.procs && exec cell run --cgroup-manager=cgroupfs /tmp/$1.cell" \
                >/tmp/out 2>/tmp/err || status=$?
        echo "@@case $1 $status"
        sed 's/^/@@out /' /tmp/out
        sed 's/^/@@err /' /tmp/err
        echo "@@ci $(cat $CI/cgroup.subtree_control)|$(cat $CI/cgroup.procs | tr '\n' ' ')|$(cd $CI && ls -d */ 2>/dev/null | tr '\n' ' ')"
}

# cell alone in ci: the threaded controllers (pids, cpu) alone, and with a
# domain one (memory) after them.
unit tasks TasksMax=4
run tasks
unit cpu CPUQuota=20%
run cpu
unit cpumem CPUQuota=20% MemoryMax=20M TasksMax=8
run cpumem
unit none
run none

# Another process in ci: refused, ci as it was.
sh -c "echo \$\$ > $CI/cgroup.procs && exec sleep 60" &
other=$!
sleep 0.2
unit others TasksMax=4
run others
# A controller ci does not have (the VM's root enables no cpuset): that is
# the reason given, not the other process.
unit nocpuset TasksMax=4 AllowedCPUs=0
run nocpuset
kill "$other"
wait "$other" 2>/dev/null

# ci with pids on (left so by someone): a thread root once cell is in it.
echo +pids > "$CI/cgroup.subtree_control"
unit threadroot MemoryMax=20M
run threadroot
echo -pids > "$CI/cgroup.subtree_control"

# No more cgroups allowed below ci: the kernel's EAGAIN, told apart.
echo 0 > "$CI/cgroup.max.descendants"
unit maxdescendants TasksMax=4
run maxdescendants
echo max > "$CI/cgroup.max.descendants"
echo 0 > "$CI/cgroup.max.depth"
unit maxdepth
run maxdepth
echo max > "$CI/cgroup.max.depth"
rmdir "$CI"
