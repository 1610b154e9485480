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
unit infinity TasksMax=infinity
run infinity

# A cell SIGKILLed while its payload runs leaves its leaf, cell-NAME and
# the controllers it turned on in ci (case "killed": ci as it was left),
# where no process may start now (a cgroup with controllers on holds none).
# The next start of its name elsewhere (ci2, case "samename") takes them
# back, as does "cell stop NAME" of the killed cell (case "stopkilled"). A
# killed cell without limits turned pids on for its default TasksMax= (a
# threaded controller: a process may still join ci): another cell started
# in ci takes back its cell-NAME, its leaf and pids (cases "killednone",
# "afterkill").
# kill_one NAME LIMIT...: cell run of a sleeping NAME in ci, SIGKILLed once
# its payload runs; back when the payload is gone. Case $label, else NAME.
kill_one() {
        name=$1
        shift
        printf '%s\n' "[Root]" "Directory=$R" "[Exec]" "Exec=/bin/sleep 100" "[Limits]" "$@" > "/tmp/$name.cell"
        sh -c "echo \$\$ > $CI/cgroup.procs && exec cell run --cgroup-manager=cgroupfs /tmp/$name.cell" \
                >/tmp/out 2>/tmp/err &
        k=$!
        i=0
        until [ -n "$(cat $CI/cell-$name/cgroup.procs 2>/dev/null)" ] || [ $i -ge 100 ]; do
                sleep 0.1
                i=$((i + 1))
        done
        kill -KILL $k
        wait $k 2>/dev/null
        i=0
        while [ -n "$(cat $CI/cell-$name/cgroup.procs 2>/dev/null)" ] && [ $i -lt 100 ]; do
                sleep 0.1
                i=$((i + 1))
        done
        echo "@@case ${label:-$name} 137"
        sed 's/^/@@err /' /tmp/err
        ci
}
ci() {
        echo "@@ci $(cat $CI/cgroup.subtree_control)|$(cat $CI/cgroup.procs | tr '\n' ' ')|$(cd $CI && ls -d */ 2>/dev/null | tr '\n' ' ')"
}
kill_one killed TasksMax=8 MemoryMax=20M
mkdir /sys/fs/cgroup/ci2
unit killed TasksMax=8
status=0
sh -c "echo \$\$ > /sys/fs/cgroup/ci2/cgroup.procs && exec cell run --cgroup-manager=cgroupfs /tmp/killed.cell" \
        >/tmp/out 2>/tmp/err || status=$?
echo "@@case samename $status"
sed 's/^/@@out /' /tmp/out
sed 's/^/@@err /' /tmp/err
ci
rmdir /sys/fs/cgroup/ci2
label=killedagain
kill_one killed TasksMax=8 MemoryMax=20M
label=
status=0
cell stop killed >/tmp/out 2>/tmp/err || status=$?
echo "@@case stopkilled $status"
sed 's/^/@@err /' /tmp/err
sed 's/^/@@err /' /tmp/out
ci
kill_one killednone
unit afterkill
run afterkill

# Another process in ci: refused, ci as it was.
sh -c "echo \$\$ > $CI/cgroup.procs && exec sleep 60" &
other=$!
sleep 0.2
unit others TasksMax=4
run others
# No limit asked for: it runs, without the default TasksMax= (that would
# take cell out of ci past the other process), ci as it was.
unit othersnone
run othersnone
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

# ci on CPU 0 alone: an AllowedCPUs= with none of ci's CPUs, which cgroup2
# takes and runs the container on ci's CPU instead, is refused (it ran
# there); one that shares a CPU with ci runs. Where the kernel has cpuset.
if grep -qw cpuset /sys/fs/cgroup/cgroup.controllers && [ "$(cat /sys/devices/system/cpu/online)" = 0-1 ]; then
        echo +cpuset > /sys/fs/cgroup/cgroup.subtree_control
        echo 0 > "$CI/cpuset.cpus"
        printf '%s\n' "[Root]" "Directory=$R" "[Exec]" \
                "Exec=/bin/sh -c 'cat /proc/self/cgroup /sys/fs/cgroup/cpuset.cpus.effective'" "[Limits]" "AllowedCPUs=1" \
                > /tmp/cpuoutside.cell
        run cpuoutside
        sed 's/AllowedCPUs=1/AllowedCPUs=0-1/' /tmp/cpuoutside.cell > /tmp/cpuinside.cell
        run cpuinside
        echo > "$CI/cpuset.cpus"
        echo -cpuset > /sys/fs/cgroup/cgroup.subtree_control
fi
rmdir "$CI"
