#!/bin/sh
# Run by test-tasks-zero-v2.sh inside tests/lib/kernel-vm (busybox sh, pure
# cgroup2 with pids on at the root, no service manager): cell run
# --cgroup-manager=cgroupfs of TasksMax=0% from a cgroup "ci" below the
# root. Prints
#   @@case NAME STATUS      cell run's exit status
#   @@out LINE / @@err LINE what the container and cell printed
# The host side checks them; nothing is judged here.
R=/cell/root
CI=/sys/fs/cgroup/ci
mkdir "$CI"

# Its payload prints its pids.max (no fork: read, echo), then tries one.
printf '%s\n' "[Root]" "Directory=$R" "[Exec]" \
        "Exec=/bin/sh -c 'read m < /sys/fs/cgroup/pids.max; echo pids.max \$m; /bin/true && echo forked'" \
        "[Limits]" "TasksMax=0%" > /tmp/zero.cell
status=0
sh -c "echo \$\$ > $CI/cgroup.procs && exec cell run --cgroup-manager=cgroupfs /tmp/zero.cell" \
        >/tmp/out 2>/tmp/err || status=$?
echo "@@case zero $status"
sed 's/^/@@out /' /tmp/out
sed 's/^/@@err /' /tmp/err
