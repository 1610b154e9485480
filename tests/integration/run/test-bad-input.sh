#!/bin/bash
# Bad input: exit 2 with ONE clear message naming the unit and the step,
# and nothing left behind: no process, no mount, no cgroup.
. "$(dirname "$0")/lib.sh"

# check NAME MANAGER WANT-REGEX UNIT-LINES...
check() {
        local name=$1 manager=$2 want=$3; shift 3
        local u
        u=$(unit "$name" "$@")
        host_snapshot before
        run_cell "$manager" "$u"
        expect "$name: status" "$status" 2
        # The warnings about --cgroup-manager=none aside (no limits, no
        # device policy), one line.
        grep -v 'Running without a cgroup\|Device access is not restricted' "$work/err" > "$work/err.1" || true
        expect "$name: lines on stderr" "$(wc -l < "$work/err.1")" 1
        expect_match "$name: message" "$(cat "$work/err.1")" "^cell: $(unit_name "$name"): $want"
        expect_nothing_left
}

# at NAME LINE: how a start-time error of one entry begins, as "cell verify"
# names it: "FILE:LINE: ", the unit file NAME's (a regex).
at() {
        echo "$work/$(unit_name "$1")\\.cell:$2: "
}

# The $PATH a name was looked up in, as the message names it (a regex): the default.
path_searched='\$PATH \(/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin\)'
for m in none cgroupfs; do
        check "root-$m" "$m" "$(at "root-$m" 2)Directory=$work/nonexistent: .*No such file or directory$" \
                "[Root]" "Directory=$work/nonexistent" "[Exec]" "Exec=/bin/probe"
        check "exec-$m" "$m" "$(at "exec-$m" 4)Exec=nosuchcommand: not found in the container's $path_searched: No such file or directory$" \
                "[Root]" "Directory=$root" "[Exec]" "Exec=nosuchcommand"
        # A name looked up in the payload's own $PATH, named.
        check "execpath-env-$m" "$m" "$(at "execpath-env-$m" 4)Exec=sh: not found in the container's \\\$PATH \\(/nonexist\\): No such file or directory$" \
                "[Root]" "Directory=$root" "[Exec]" "Exec=sh" "Environment=PATH=/nonexist"
        check "execpath-$m" "$m" "$(at "execpath-$m" 4)Exec=/bin/nosuch: not found in the container: No such file or directory$" \
                "[Root]" "Directory=$root" "[Exec]" "Exec=/bin/nosuch"
        # The message says why: no strerror of the errno that carries it
        # after it (": No such process" for ESRCH).
        check "user-$m" "$m" "$(at "user-$m" 5)User=nosuchuser: no such user in the container's /etc/passwd$" \
                "[Root]" "Directory=$root" "[Exec]" "Exec=/bin/probe" "User=nosuchuser"
        check "group-$m" "$m" "$(at "group-$m" 5)Group=nosuchgroup: no such group in the container's /etc/group$" \
                "[Root]" "Directory=$root" "[Exec]" "Exec=/bin/probe" "Group=nosuchgroup"
        check "bind-$m" "$m" "$(at "bind-$m" 3)Bind=$work/nosuchdir:/srv: source does not exist" \
                "[Root]" "Directory=$root" "Bind=$work/nosuchdir:/srv" "[Exec]" "Exec=/bin/probe"
        check "workdir-$m" "$m" "$(at "workdir-$m" 5)WorkingDirectory=/nosuchdir: No such file or directory$" \
                "[Root]" "Directory=$root" "[Exec]" "Exec=/bin/probe" "WorkingDirectory=/nosuchdir"
        # "~": the home it stood for (nobody's, in make-root's /etc/passwd), and whose.
        check "workdir-home-$m" "$m" "$(at "workdir-home-$m" 6)WorkingDirectory=~ \\(the home of nobody, /nonexistent\\): No such file or directory$" \
                "[Root]" "Directory=$root" "[Exec]" "Exec=/bin/probe" "User=nobody" "WorkingDirectory=~"
        check "init-user-$m" "$m" "$(at "init-user-$m" 6)User=nosuchuser: no such user in the container's /etc/passwd$" \
                "[Root]" "Directory=$root" "[Exec]" "Exec=/bin/probe" "Init=yes" "User=nosuchuser"
        check "envfile-$m" "$m" "$(at "envfile-$m" 5)EnvironmentFile=$work/nosuchfile: No such file or directory$" \
                "[Root]" "Directory=$root" "[Exec]" "Exec=/bin/probe" "EnvironmentFile=$work/nosuchfile"
        # The host's own root through a link (Directory=/ itself is refused
        # by the plan: test-plan), read-only or not, as nspawn refuses it.
        ln -sfn / "$work/hostroot"
        want="Directory=$work/hostroot: leads to the host's own root, which cannot be the container's,"
        want+=" except under Volatile=yes or Volatile=overlay$"
        check "hostroot-$m" "$m" "$(at "hostroot-$m" 2)$want" \
                "[Root]" "Directory=$work/hostroot" "ReadOnly=yes" "[Exec]" "Exec=/bin/probe"
done

# EnvironmentFile= that is no regular file is refused at once and named: a
# FIFO is not waited on for a writer, a device not read without end, a
# directory not called an "Input/output error" ("-" ignores a missing file
# only); a line or a file beyond systemd's limits is refused as such.
mkfifo "$work/fifo"
mkdir "$work/envdir"
{ printf 'A=1\nB='; head -c 1100000 /dev/zero | tr '\0' x; echo; } > "$work/longline.env"
check "envfile-fifo" cgroupfs "$(at envfile-fifo 5)EnvironmentFile=$work/fifo: not a regular file" \
        "[Root]" "Directory=$root" "[Exec]" "Exec=/bin/probe" "EnvironmentFile=$work/fifo"
check "envfile-zero" cgroupfs "$(at envfile-zero 5)EnvironmentFile=/dev/zero: not a regular file" \
        "[Root]" "Directory=$root" "[Exec]" "Exec=/bin/probe" "EnvironmentFile=/dev/zero"
check "envfile-dir" cgroupfs "$(at envfile-dir 5)EnvironmentFile=$work/envdir: Is a directory$" \
        "[Root]" "Directory=$root" "[Exec]" "Exec=/bin/probe" "EnvironmentFile=$work/envdir"
check "envfile-dir-optional" none "$(at envfile-dir-optional 5)EnvironmentFile=$work/envdir: Is a directory$" \
        "[Root]" "Directory=$root" "[Exec]" "Exec=/bin/probe" "EnvironmentFile=-$work/envdir"
check "envfile-long" none "$(at envfile-long 5)EnvironmentFile=$work/longline.env:2: assignment too long \\(at most 1048576 bytes\\)$" \
        "[Root]" "Directory=$root" "[Exec]" "Exec=/bin/probe" "EnvironmentFile=$work/longline.env"
# One variable longer than execve(2) takes (MAX_ARG_STRLEN, 32 pages with
# its NUL) fails the start before anything is made, naming it, rather than
# the payload's exec with "Argument list too long"; unless
# UnsetEnvironment= removes it.
max=$((32 * $(getconf PAGESIZE)))
{ printf 'A=1\nBIG='; head -c "$max" /dev/zero | tr '\0' x; echo; } > "$work/big.env"
want="EnvironmentFile=$work/big.env:2: the variable BIG is too long: $((max + 4)) bytes as KEY=VALUE,"
want+=" and the kernel passes at most $((max - 1)) \\(MAX_ARG_STRLEN, $max with the NUL\\)$"
for m in none cgroupfs; do
        check "envfile-e2big-$m" "$m" "$(at "envfile-e2big-$m" 5)$want" \
                "[Root]" "Directory=$root" "[Exec]" "Exec=/bin/probe" "EnvironmentFile=$work/big.env"
done
u=$(unit envfile-e2big-unset "[Root]" "Directory=$root" "[Exec]" "Exec=/bin/true" "EnvironmentFile=$work/big.env" \
        "UnsetEnvironment=BIG")
run_cell none "$u"
expect "too long EnvironmentFile= variable, unset" "$status" 0

# An Exec= argument that its variables make longer than execve(2) takes:
# the start fails naming the argument, its variables, its size and the
# limit, rather than "execve: Argument list too long".
{ printf 'A='; head -c "$((max - 16))" /dev/zero | tr '\0' x; echo; } > "$work/argmax.env"
want="Exec=/bin/probe: argument 1 \\(\"x\\\$\\{A\\}\\\$\\{A\\}\", expanding \\\$\\{A\\} \\($((max - 16)) bytes\\),"
want+=" \\\$\\{A\\} \\($((max - 16)) bytes\\)\\) is too long: $((2 * max - 31)) bytes, and the kernel passes at most"
want+=" $((max - 1)) \\(MAX_ARG_STRLEN, $max with the NUL\\)$"
check "exec-e2big" none "$(at exec-e2big 4)$want" \
        "[Root]" "Directory=$root" "[Exec]" 'Exec=/bin/probe x${A}${A}' "EnvironmentFile=$work/argmax.env"
# Arguments that are each short enough but too large together: the limit
# is a quarter of the payload's stack limit (LimitSTACK=8M: 2 MiB), and
# the message names the count, the largest argument and that limit.
args=$(printf ' ${A}%.0s' $(seq 20))
want="Exec=/bin/probe: the arguments and the environment are too large together: [0-9]+ bytes with their pointers"
want+=" \\(21 arguments, the largest argument 20, \"\\\$\\{A\\}\", expanding \\\$\\{A\\} \\($((max - 16)) bytes\\),"
want+=" $((max - 16)) bytes; [0-9]+ variables\\), and the kernel passes at most 2097152"
want+=" \\(a quarter of the stack limit, LimitSTACK=, at most 6 MiB\\)$"
check "exec-e2big-all" none "$(at exec-e2big-all 4)$want" \
        "[Root]" "Directory=$root" "[Exec]" "Exec=/bin/probe$args" "EnvironmentFile=$work/argmax.env" \
        "[Limits]" "LimitSTACK=8M"

# An entry written in a drop-in is named by the drop-in's path and its line
# there: the unit file's name alone would send the admin to the wrong file.
mkdir "$work/$(unit_name bind-dropin).cell.d"
printf '%s\n' "# the data" "[Root]" "Bind=$work/nosuchdir:/srv" > "$work/$(unit_name bind-dropin).cell.d/10-x.conf"
check "bind-dropin" cgroupfs "$work/$(unit_name bind-dropin)\\.cell\\.d/10-x\\.conf:3: Bind=$work/nosuchdir:/srv: source does not exist" \
        "[Root]" "Directory=$root" "[Exec]" "Exec=/bin/probe"

# DeviceAllow= of a path that is no device node: cell resolves it for its
# own device filter (root, a cgroup2 tree), and names the entry's line, in
# the unit file or the drop-in.
if grep -q ' - cgroup2 ' /proc/self/mountinfo && [ -d /dev/shm ]; then
        check "devallow" cgroupfs "cgroup: $(at devallow 4)DeviceAllow=/dev/shm r: not a device node" \
                "[Root]" "Directory=$root" "[Limits]" "DeviceAllow=/dev/shm r" "[Exec]" "Exec=/bin/probe"
        mkdir "$work/$(unit_name devallow-dropin).cell.d"
        printf '%s\n' "[Limits]" "DeviceAllow=/dev/null r" "DeviceAllow=/dev/shm w" \
                > "$work/$(unit_name devallow-dropin).cell.d/10-dev.conf"
        check "devallow-dropin" cgroupfs \
                "cgroup: $work/$(unit_name devallow-dropin)\\.cell\\.d/10-dev\\.conf:3: DeviceAllow=/dev/shm w: not a device node" \
                "[Root]" "Directory=$root" "[Exec]" "Exec=/bin/probe"
fi

# PrivateUsers=: the tree is built by a helper of cell's; its failure is
# reported the same way, and the helper, the user namespace and the uid
# range's lock are gone with it.
check "bind-userns" cgroupfs "$(at bind-userns 3)Bind=$work/nosuchdir:/srv: source does not exist" \
        "[Root]" "Directory=$root" "Bind=$work/nosuchdir:/srv" "[Exec]" "Exec=/bin/probe" \
        "[Isolation]" "PrivateUsers=pick"
check "exec-userns" cgroupfs "$(at exec-userns 4)Exec=nosuchcommand: not found in the container's $path_searched: No such file or directory$" \
        "[Root]" "Directory=$root" "[Exec]" "Exec=nosuchcommand" "[Isolation]" "PrivateUsers=pick"

# The mount points of the mounts before a failing one are not left in the
# image, nor below a host directory bound: a missing source fails the
# start before the first is made (the image is not even touched); a mount
# the kernel refuses takes back those made. With PrivateUsers= too, where
# the helper builds the tree.

# image_listing [mtime]: the image and $work/srcdir, sorted; with "mtime" each
# directory's modification time, which making anything in it changes.
image_listing() {
        local t=
        [ "${1:-}" = mtime ] && t=' %T@'
        { find "$root" "$work/srcdir" -type d -printf "%p %M$t\n"
          find "$root" "$work/srcdir" ! -type d -printf '%p %M %s\n'; } | sort
}
# check_image NAME MANAGER [mtime] WANT-REGEX UNIT-LINES...: check, and the
# image is as it was.
check_image() {
        local name=$1 manager=$2 how=
        shift 2
        [ "$1" = mtime ] && { how=mtime; shift; }
        image_listing $how > "$work/image.before"
        check "$name" "$manager" "$@"
        image_listing $how > "$work/image.after"
        diff -u "$work/image.before" "$work/image.after" >&2 || fail "$name: the failed start left something in the image"
}
mkdir "$work/srcdir"
echo src > "$work/srcfile"
printf 'not a program\n' > "$root/bin/notelf"
chmod 755 "$root/bin/notelf"
ncpu=$(getconf _NPROCESSORS_CONF)
binds=("Bind=$work/srcdir:/a/b" "Bind=$work/srcfile:/a/b/new/file" "TemporaryFileSystem=/c/d")
# The UID ranges whose lock is held now (sorted).
held_uid_ranges() {
        ls /run/cell/uid 2>/dev/null | while read -r f; do flock -n "/run/cell/uid/$f" true || echo "$f"; done | sort
}
held_uid_ranges > "$work/uid-held.before"
# What the kernel says of nr_inodes=1E, named by the entry as written.
tmpfs_refused='TemporaryFileSystem=/z:nr_inodes=1E: cannot mount tmpfs: .*Invalid argument$'
for iso in "" "PrivateUsers=pick"; do
        for m in none cgroupfs; do
                [ -n "$iso" ] && [ "$m" = none ] && continue
                check_image "bind-first-$m${iso:+-userns}" "$m" mtime \
                        "$(at "bind-first-$m${iso:+-userns}" 6)Bind=$work/nosuchdir:/srv: source does not exist" \
                        "[Root]" "Directory=$root" "${binds[@]}" "Bind=$work/nosuchdir:/srv" "[Exec]" "Exec=/bin/probe" \
                        "[Isolation]" ${iso:+"$iso"}
                check_image "mount-undo-$m${iso:+-userns}" "$m" \
                        "$(at "mount-undo-$m${iso:+-userns}" 6)$tmpfs_refused" \
                        "[Root]" "Directory=$root" "${binds[@]}" "TemporaryFileSystem=/z:nr_inodes=1E" \
                        "[Exec]" "Exec=/bin/probe" "[Isolation]" ${iso:+"$iso"}
                # What else the start made for itself: Overlay= upper and work
                # directories, on the host and in the image; Volatile=state's /var.
                check_image "made-undo-$m${iso:+-userns}" "$m" \
                        "$(at "made-undo-$m${iso:+-userns}" 5)$tmpfs_refused" \
                        "[Root]" "Directory=$root" "Overlay=$work/srcdir:$work/srcdir/new/upper:/o/h" \
                        "Overlay=+/etc:+/up/new:/o/r" "TemporaryFileSystem=/z:nr_inodes=1E" \
                        "[Exec]" "Exec=/bin/probe" "[Isolation]" ${iso:+"$iso"}
                mv "$root/var" "$work/var"
                check_image "var-undo-$m${iso:+-userns}" "$m" \
                        "$(at "var-undo-$m${iso:+-userns}" 7)$tmpfs_refused" \
                        "[Root]" "Directory=$root" "Volatile=state" "${binds[@]}" "TemporaryFileSystem=/z:nr_inodes=1E" \
                        "[Exec]" "Exec=/bin/probe" "[Isolation]" ${iso:+"$iso"}
                mv "$work/var" "$root/var"
                # A step after the tree is built fails (a missing Exec=, User=):
                # what the build made goes too, the /etc files cell wrote new
                # included; with PrivateUsers= the supervisor takes back what
                # the tree builder made (spawn-undo.h).
                check_image "exec-undo-$m${iso:+-userns}" "$m" "$(at "exec-undo-$m${iso:+-userns}" 9)Exec=/nosuch: not found in the container: No such file or directory$" \
                        "[Root]" "Directory=$root" "${binds[@]}" "Overlay=$work/srcdir:$work/srcdir/new/upper:/o/h" \
                        "Overlay=+/etc:+/up/new:/o/r" "[Exec]" "Exec=/nosuch" "ResolvConf=copy-host" "Timezone=copy" \
                        "[Isolation]" ${iso:+"$iso"}
                mv "$root/var" "$work/var"
                check_image "user-undo-$m${iso:+-userns}" "$m" "$(at "user-undo-$m${iso:+-userns}" 10)User=nosuchuser: no such user" \
                        "[Root]" "Directory=$root" "ReadOnly=yes" "Volatile=state" "${binds[@]}" \
                        "[Exec]" "Exec=/bin/probe" "User=nosuchuser" "[Isolation]" ${iso:+"$iso"}
                mv "$work/var" "$root/var"
                # Failures once the container is prepared, which the supervisor
                # takes back from the mount namespace it holds: the payload's
                # exec (WorkingDirectory=, a program the kernel cannot run),
                # after GO and with the privileges dropped; spawn_release()
                # (CPUAffinity= of no CPU the container may have).
                mv "$root/var" "$work/var"
                check_image "workdir-undo-$m${iso:+-userns}" "$m" "$(at "workdir-undo-$m${iso:+-userns}" 11)WorkingDirectory=/nosuchdir: No such file or directory$" \
                        "[Root]" "Directory=$root" "ReadOnly=yes" "Volatile=state" "${binds[@]}" \
                        "Overlay=$work/srcdir:$work/srcdir/new/upper:/o/h" "[Exec]" "Exec=/bin/probe" \
                        "WorkingDirectory=/nosuchdir" "[Isolation]" ${iso:+"$iso"}
                mv "$work/var" "$root/var"
                check_image "noexec-undo-$m${iso:+-userns}" "$m" "$(at "noexec-undo-$m${iso:+-userns}" 9)Exec=/bin/notelf: .*Exec format error$" \
                        "[Root]" "Directory=$root" "${binds[@]}" "Overlay=$work/srcdir:$work/srcdir/new/upper:/o/h" \
                        "Overlay=+/etc:+/up/new:/o/r" "[Exec]" "Exec=/bin/notelf" "User=test" \
                        "ResolvConf=copy-host" "Timezone=copy" "[Isolation]" ${iso:+"$iso"}
                check_image "affinity-undo-$m${iso:+-userns}" "$m" "$(at "affinity-undo-$m${iso:+-userns}" 9)CPUAffinity=$ncpu: none of these CPUs" \
                        "[Root]" "Directory=$root" "${binds[@]}" "Overlay=+/etc:+/up/new:/o/r" \
                        "[Exec]" "Exec=/bin/probe" "CPUAffinity=$ncpu" "[Isolation]" ${iso:+"$iso"}
        done
done
# (Ranges held before these starts are other cells' of the host, running.)
[ -z "$(held_uid_ranges | comm -13 "$work/uid-held.before" -)" ] ||
        fail "a uid range is still locked after the failed starts: $(held_uid_ranges | comm -13 "$work/uid-held.before" -)"

# An Overlay= upper directory on a host file system of its own (as a
# /var/lib/machines that is a mount): a step after pivot_root that fails
# (User=, WorkingDirectory=) takes it back too. The old root the child
# detached at its pivot_root no longer shows the host's other mounts: it is
# taken back from the host's mount table as it is.
mkdir "$work/hostmnt"
mount -t tmpfs -o mode=0755 cell-test-hostmnt "$work/hostmnt"
# Unmounted whatever happens; the status goes on to cleanup (set +e: the
# subshell that passes it on must not end the trap).
trap 's=$?; umount -l "$work/hostmnt" 2>/dev/null; set +e; (exit $s); cleanup' EXIT
mkdir "$work/hostmnt/lower"
for iso in "" "PrivateUsers=pick"; do
        for m in none cgroupfs; do
                [ -n "$iso" ] && [ "$m" = none ] && continue
                for step in "User=nosuchuser" "WorkingDirectory=/nosuchdir"; do
                        n="hostmnt-${step%%=*}-$m${iso:+-userns}"
                        n=${n,,}
                        find "$work/hostmnt" | sort > "$work/hostmnt.before"
                        check "$n" "$m" "$(at "$n" 6)$step: " \
                                "[Root]" "Directory=$root" "Overlay=$work/hostmnt/lower:$work/hostmnt/new/upper:/o/m" \
                                "[Exec]" "Exec=/bin/probe" "$step" "[Isolation]" ${iso:+"$iso"}
                        find "$work/hostmnt" | sort > "$work/hostmnt.after"
                        diff -u "$work/hostmnt.before" "$work/hostmnt.after" >&2 ||
                                fail "$n: the failed start left something on the host's other mount"
                done
        done
done
umount "$work/hostmnt"
trap cleanup EXIT

# The program exists, but exec fails with ENOENT: what is missing is named,
# a script's interpreter or a dynamically linked program's loader (the host's
# /bin/true in the busybox root); with the default filter and with none.
printf '#!/bin/nosuchinterpreter -x\n' > "$root/bin/broken"
chmod 755 "$root/bin/broken"
check "noexec" cgroupfs "$(at noexec 4)Exec=/bin/broken: its interpreter /bin/nosuchinterpreter does not exist in the container: No such file or directory$" \
        "[Root]" "Directory=$root" "[Exec]" "Exec=/bin/broken"
check "noexec-nofilter" none "$(at noexec-nofilter 4)Exec=/bin/broken: its interpreter /bin/nosuchinterpreter does not exist in the container: No such file or directory$" \
        "[Root]" "Directory=$root" "[Exec]" "Exec=/bin/broken" "[Isolation]" "SystemCallFilter="
if loader=$(readelf -lW /bin/true 2>/dev/null | sed -n 's/.*program interpreter: \(.*\)\]$/\1/p') && [ -n "$loader" ]; then
        cp /bin/true "$root/bin/hosttrue"
        check "noloader" cgroupfs "$(at noloader 4)Exec=/bin/hosttrue: its ELF interpreter $loader \\(the dynamic loader\\) does not exist in the container: No such file or directory$" \
                "[Root]" "Directory=$root" "[Exec]" "Exec=/bin/hosttrue"
else
        echo "the host's /bin/true is not dynamically linked: no loader case"
fi

# Exec= of a directory, or of a file without an x bit: said so, not
# "execve: Permission denied" (systemd: "Failed to locate executable").
mkdir "$root/bin/adir"
printf '#!/bin/sh\n' > "$root/bin/nox"
chmod 644 "$root/bin/nox"
check "exec-dir" cgroupfs "$(at exec-dir 4)Exec=/bin/adir: is a directory$" \
        "[Root]" "Directory=$root" "[Exec]" "Exec=/bin/adir"
check "exec-nox" none "$(at exec-nox 4)Exec=/bin/nox: is not executable \\(no x bit\\)$" \
        "[Root]" "Directory=$root" "[Exec]" "Exec=/bin/nox"

# Limit*= as low as systemd runs a service with (252: LimitNOFILE=4; 3 and
# less fail its exec): cell's own opens on the way to exec (OOMScoreAdjust=,
# WorkingDirectory=) come before the limit.
u=$(unit "nofile-4" "[Root]" "Directory=$root" "[Exec]" "Exec=/bin/true" "WorkingDirectory=/tmp" \
        "[Limits]" "OOMScoreAdjust=100" "LimitNOFILE=4")
for m in none cgroupfs; do
        run_cell "$m" "$u"
        expect "LimitNOFILE=4 ($m): status (stderr: $(cat "$work/err"))" "$status" 0
done
# ... and the payload has exactly the limits asked, as another user too.
u=$(unit "nofile-exact" "[Root]" "Directory=$root" "[Exec]" "Exec=/bin/cat /proc/self/limits" "User=test" \
        "[Limits]" "LimitNOFILE=4:5")
run_cell none "$u"
expect "LimitNOFILE=4:5: status" "$status" 0
expect_match "LimitNOFILE=4:5: the payload's limit" "$(grep '^Max open files' "$work/out")" \
        "^Max open files +4 +5 +files"

# A Limit*= the kernel refuses: the value asked and the hard limit in force.
nr_open=$(cat /proc/sys/fs/nr_open)
check "rlimit" none "$(at rlimit 6)LimitNOFILE=$((nr_open + 1)): setrlimit \\(the hard limit in force is [0-9]+; at most fs.nr_open=$nr_open\\): Operation not permitted$" \
        "[Root]" "Directory=$root" "[Exec]" "Exec=/bin/probe" "[Limits]" "LimitNOFILE=$((nr_open + 1))"

# cell in a service with a smaller bounding set (CapabilityBoundingSet=):
# a capability the unit names that cell cannot grant is an error (naming
# the line that asked for it); the
# default set is simply cut to what cell holds.
u=$(unit capmissing "[Root]" "Directory=$root" "[Exec]" "Exec=/bin/probe" \
        "[Isolation]" "Capability=CAP_SYS_TTY_CONFIG")
status=0
setpriv --bounding-set=-sys_tty_config -- "$CELL" run --cgroup-manager=none "$u" >"$work/out" 2>"$work/err" || status=$?
expect "Capability= not held: status" "$status" 2
expect_match "Capability= not held: message" "$(grep -v 'Running without\|Device access is not restricted' "$work/err")" \
        "^cell: $(unit_name capmissing): $(at capmissing 6)Capability=CAP_SYS_TTY_CONFIG: cell itself does not hold it"
# The same for AmbientCapability=, named as such: it is granted to the payload too.
u=$(unit ambmissing "[Root]" "Directory=$root" "[Exec]" "Exec=/bin/probe" "User=test" \
        "[Isolation]" "AmbientCapability=CAP_NET_BIND_SERVICE")
status=0
setpriv --bounding-set=-net_bind_service -- "$CELL" run --cgroup-manager=none "$u" >"$work/out" 2>"$work/err" || status=$?
expect "AmbientCapability= not held: status" "$status" 2
expect_match "AmbientCapability= not held: message" "$(grep -v 'Running without\|Device access is not restricted' "$work/err")" \
        "^cell: $(unit_name ambmissing): $(at ambmissing 7)AmbientCapability=CAP_NET_BIND_SERVICE: cell itself does not hold it"
u=$(unit capcut "[Root]" "Directory=$root" "[Exec]" "Exec=/bin/probe" "[Isolation]" "Capability=CAP_SYS_ADMIN")
status=0
setpriv --bounding-set=-chown -- "$CELL" run --cgroup-manager=none "$u" >"$work/out" 2>"$work/err" || status=$?
expect "default set cut: status" "$status" 0
bnd=$((0x$(field CapBnd)))
(( bnd & (1 << 21) )) || fail "default set cut: CAP_SYS_ADMIN missing from $(field CapBnd)"
(( !(bnd & (1 << 0)) )) || fail "default set cut: CAP_CHOWN granted though cell does not hold it"
# Capability=all names none: as nspawn's, it keeps whatever cell holds
# (CAP_MKNOD withheld under --cgroup-manager=none, as from the default set).
u=$(unit capall "[Root]" "Directory=$root" "[Exec]" "Exec=/bin/probe" "[Isolation]" "Capability=all")
status=0
setpriv --bounding-set=-sys_tty_config -- "$CELL" run --cgroup-manager=none "$u" >"$work/out" 2>"$work/err" || status=$?
expect "Capability=all, one not held: status" "$status" 0
withheld=$((1 << 26))
grep -q "CAP_MKNOD is withheld" "$work/err" && withheld=$((withheld | 1 << 27))
expect "Capability=all, one not held: CapBnd" "$(field CapBnd)" "$(held "$host_bnd" "$withheld")"
expect "Capability=all, one not held: CapEff" "$(field CapEff)" "$(field CapBnd)"

# Nice=, CPUScheduling*=, IOScheduling*=, CPUAffinity=, Personality=: a bad
# value is refused at its FILE:LINE before anything starts (exit 1).
# check_load NAME WANT-REGEX UNIT-LINES...
check_load() {
        local name=$1 want=$2; shift 2
        local u
        u=$(unit "$name" "$@")
        host_snapshot before
        run_cell cgroupfs "$u"
        expect "$name: status" "$status" 1
        expect "$name: lines on stderr" "$(wc -l < "$work/err")" 1
        expect_match "$name: message" "$(cat "$work/err")" "^$u:$want"
        expect_nothing_left
}
sched_unit=("[Root]" "Directory=$root" "[Exec]" "Exec=/bin/probe")
check_load "nice" "5: Nice=-21: expected a nice level between -20 and 19$" "${sched_unit[@]}" "Nice=-21"
check_load "policy" "5: CPUSchedulingPolicy=deadline: expected other, batch, idle, fifo or rr$" \
        "${sched_unit[@]}" "CPUSchedulingPolicy=deadline"
check_load "fifo0" "6: CPUSchedulingPriority=0: the policy fifo takes 1..99$" \
        "${sched_unit[@]}" "CPUSchedulingPolicy=fifo" "CPUSchedulingPriority=0"
check_load "otherprio" "5: CPUSchedulingPriority=10: the policy other \\(the default\\) takes only 0 " \
        "${sched_unit[@]}" "CPUSchedulingPriority=10"
check_load "ioclass" "5: IOSchedulingClass=rt: expected realtime, best-effort, idle, none, or 0..3$" \
        "${sched_unit[@]}" "IOSchedulingClass=rt"
check_load "numa" "5: CPUAffinity=numa: expected .* \\(\"numa\" takes the CPUs of NUMAPolicy=, which cell does not have\\)$" \
        "${sched_unit[@]}" "CPUAffinity=numa"
if [ "$(uname -m)" = x86_64 ]; then
        check_load "personality" "5: Personality=arm64: expected x86-64 or x86, the architectures this machine runs$" \
                "${sched_unit[@]}" "Personality=arm64"
fi

# What only the kernel can refuse ends the start, named, with nothing left
# (exit 2): CPUs the container cannot have (none of the machine's; outside
# its cpuset), a real-time policy where its cpu cgroup has no real-time
# budget (a cgroup v1 cpu controller with CONFIG_RT_GROUP_SCHED).
ncpu=$(getconf _NPROCESSORS_CONF)
check "affinity-nocpu" none "$(at affinity-nocpu 5)CPUAffinity=$ncpu: none of these CPUs is both online and in the container's cpuset .*: Invalid argument$" \
        "${sched_unit[@]}" "CPUAffinity=$ncpu"
if [ "$(nproc)" -ge 2 ] && [ -n "$(find /sys/fs/cgroup -maxdepth 2 -name cpuset.cpus 2>/dev/null)" ]; then
        check "affinity-cpuset" cgroupfs "$(at affinity-cpuset 5)CPUAffinity=1: none of these CPUs is both online and in the container's cpuset .*: Invalid argument$" \
                "${sched_unit[@]}" "CPUAffinity=1" "[Limits]" "AllowedCPUs=0"
fi
# A cgroup limit the kernel refuses (the cgroupfs manager writes it) is
# named at its FILE:LINE as well: a CPU one past the possible ones (EINVAL,
# ERANGE on cgroup v1), named with the line it came from, of the two the set
# adds up from. Where cell's cgroup has no cpuset controller, the start is
# refused for that, at the set's first line and how many more.
if [ -n "$(find /sys/fs/cgroup -maxdepth 2 -name cpuset.cpus 2>/dev/null)" ]; then
        nocpu=$(( $(sed 's/.*[-,]//' /sys/devices/system/cpu/possible) + 1 ))
        check "allowedcpus" cgroupfs "cgroup: ($(at allowedcpus 7)AllowedCPUs=$nocpu: the kernel refuses cpuset\\.cpus=0,$nocpu in .*: not in (the parent's cpuset\\.cpus|/sys/devices/system/cpu/possible) \\([0-9,-]+\\): (Invalid argument|Numerical result out of range|Permission denied)|$(at allowedcpus 6 | sed 's/: $//') \\(and 1 more line\\): AllowedCPUs=: the cpuset controller is not available)" \
                "${sched_unit[@]}" "[Limits]" "AllowedCPUs=0" "AllowedCPUs=$nocpu"
fi
if [ -e /sys/fs/cgroup/cpu/cpu.rt_runtime_us ] || [ -e /sys/fs/cgroup/cpu,cpuacct/cpu.rt_runtime_us ]; then
        check "rt-budget" cgroupfs "$(at rt-budget 5)CPUSchedulingPolicy=fifo, CPUSchedulingPriority=1: the container's cpu cgroup has no real-time budget .*: Operation not permitted$" \
                "${sched_unit[@]}" "CPUSchedulingPolicy=fifo" "[Limits]" "CPUQuota=50%"
else
        echo "no cgroup v1 cpu controller with real-time budgets: no rt-budget case"
fi
# cell in a service without CAP_SYS_NICE: a raised priority is refused, and
# that is what the message says.
u=$(unit nonice "${sched_unit[@]}" "Nice=-5")
host_snapshot before
status=0
setpriv --bounding-set=-sys_nice -- "$CELL" run --cgroup-manager=none "$u" >"$work/out" 2>"$work/err" || status=$?
expect "CAP_SYS_NICE not held: status" "$status" 2
expect_match "CAP_SYS_NICE not held: message" "$(grep -v 'Running without\|Device access is not restricted' "$work/err")" \
        "^cell: $(unit_name nonice): $(at nonice 5)Nice=-5: cell itself does not hold CAP_SYS_NICE: Permission denied$"
expect_nothing_left

# A key of one value set in a drop-in, that the start refuses: named by
# the drop-in's path and the line there, as for the entries above. A list
# key's item by its own line (not the key's last).
# dropin NAME LINES...: NAME's drop-in 10-x.conf; at_dropin NAME LINE: a regex.
dropin() {
        local name=$1; shift
        mkdir -p "$work/$(unit_name "$name").cell.d"
        printf '%s\n' "$@" > "$work/$(unit_name "$name").cell.d/10-x.conf"
}
at_dropin() {
        echo "$work/$(unit_name "$1")\\.cell\\.d/10-x\\.conf:$2: "
}
base=("[Root]" "Directory=$root" "[Exec]" "Exec=/bin/probe")
dropin directory-dropin "[Root]" "Directory=$work/nonexistent"
check "directory-dropin" none "$(at_dropin directory-dropin 2)Directory=$work/nonexistent: .*No such file or directory$" \
        "${base[@]}"
dropin volatile-dropin "[Root]" "Volatile=yes"
check "volatile-dropin" cgroupfs "$(at_dropin volatile-dropin 2)Volatile=yes: $root/bin is a directory" "${base[@]}"
dropin exec-dropin "[Exec]" "Exec=nosuchcommand"
check "exec-dropin" cgroupfs "$(at_dropin exec-dropin 2)Exec=nosuchcommand: not found in the container" "${base[@]}"
dropin user-dropin "[Exec]" "User=nosuchuser"
check "user-dropin" cgroupfs "$(at_dropin user-dropin 2)User=nosuchuser: no such user in the container's /etc/passwd$" "${base[@]}"
dropin group-dropin "[Exec]" "Group=nosuchgroup"
check "group-dropin" none "$(at_dropin group-dropin 2)Group=nosuchgroup: no such group" "${base[@]}"
dropin groups-dropin "[Exec]" "SupplementaryGroups=nosuchgroup" "SupplementaryGroups=test"
check "groups-dropin" cgroupfs "$(at_dropin groups-dropin 2)SupplementaryGroups=nosuchgroup: no such group in the container's /etc/group$" \
        "${base[@]}" "SupplementaryGroups=wheel"
dropin workdir-dropin "[Exec]" "WorkingDirectory=/nosuchdir"
check "workdir-dropin" cgroupfs "$(at_dropin workdir-dropin 2)WorkingDirectory=/nosuchdir: No such file or directory$" \
        "${base[@]}"
dropin rlimit-dropin "[Limits]" "LimitNOFILE=$((nr_open + 1))"
check "rlimit-dropin" none "$(at_dropin rlimit-dropin 2)LimitNOFILE=$((nr_open + 1)): setrlimit " "${base[@]}"
dropin envfile-dropin "[Exec]" "EnvironmentFile=$work/nosuchfile"
check "envfile-dropin" cgroupfs "$(at_dropin envfile-dropin 2)EnvironmentFile=$work/nosuchfile: No such file or directory$" \
        "${base[@]}" "EnvironmentFile=-$work/nosuchfile.optional"
if grep -q ' - cgroup2 ' /proc/self/mountinfo; then
        dropin io-dropin "[Limits]" "IOReadBandwidthMax=$work/nosuchdisk 1M"
        check "io-dropin" cgroupfs "cgroup: $(at_dropin io-dropin 2)IOReadBandwidthMax=$work/nosuchdisk: No such file or directory$" \
                "${base[@]}"
fi
# MachineID= that the image's own /etc/machine-id overrides: a notice, named.
echo 0123456789abcdef0123456789abcdef > "$root/etc/machine-id"
u=$(unit machineid-dropin "[Root]" "Directory=$root" "[Exec]" "Exec=/bin/true")
dropin machineid-dropin "[Exec]" "MachineID=fedcba9876543210fedcba9876543210"
run_cell none "$u"
rm "$root/etc/machine-id"
expect "MachineID= in a drop-in: status" "$status" 0
expect_match "MachineID= in a drop-in: notice" "$(grep MachineID= "$work/err")" \
        "^cell: $(unit_name machineid-dropin): $(at_dropin machineid-dropin 2)MachineID=fedcba9876543210fedcba9876543210: the image's /etc/machine-id holds 0123456789abcdef0123456789abcdef"

# "cell run NAME -- ARGS" whose command is not there: said as the command
# given, not as the unit's Exec= (which names no line then).
u=$(unit args-nosuch "[Root]" "Directory=$root" "[Exec]" "Exec=/bin/true")
for a in nosuchcommand /bin/nosuch; do
        run_cell none "$u" "$a"
        expect "ARGS $a: status" "$status" 2
        expect_match "ARGS $a: message" "$(grep "$a" "$work/err")" \
                "^cell: $(unit_name args-nosuch): The command $a: not found in the container"
done

# A missing "-" EnvironmentFile= is fine.
u=$(unit envfile-optional "[Root]" "Directory=$root" "[Exec]" "Exec=/bin/true" "EnvironmentFile=-$work/nosuchfile")
run_cell none "$u"
expect "optional EnvironmentFile=" "$status" 0
echo ok
