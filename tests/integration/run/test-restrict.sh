#!/bin/bash
# RestrictNamespaces=, RestrictAddressFamilies=, LockPersonality=,
# RestrictRealtime=, RestrictSUIDSGID=, MemoryDenyWriteExecute=, the
# Protect*= keys and SystemCallArchitectures= seen from inside: what the
# payload may no longer do, next to a container without them that may (both
# with CAP_SYS_ADMIN and CAP_SYSLOG, which sethostname() and syslog() want;
# ProtectKernelLogs= takes the latter out as well).
. "$(dirname "$0")/lib.sh"

# restrict_field KEY: a key of the probe's one-line "restrict" object.
restrict_field() {
        sed -n "s/.*\"$1\": \([-0-9]*\).*/\1/p" "$work/out"
}

free=$(unit free "[Root]" "Directory=$root" "[Exec]" "Exec=/bin/probe restrict" "[Isolation]" \
        "Capability=CAP_SYS_NICE CAP_SYS_ADMIN CAP_SYSLOG")
held=$(unit held "[Root]" "Directory=$root" "[Exec]" "Exec=/bin/probe restrict" \
        "[Isolation]" \
        "RestrictNamespaces=user" \
        "RestrictAddressFamilies=AF_UNIX" \
        "RestrictAddressFamilies=AF_INET AF_INET6" \
        "LockPersonality=yes" \
        "RestrictRealtime=yes" \
        "RestrictSUIDSGID=yes" \
        "MemoryDenyWriteExecute=yes" \
        "ProtectHostname=yes" \
        "ProtectClock=yes" \
        "ProtectKernelLogs=yes" \
        "ProtectKernelModules=yes" \
        "ProtectKernelTunables=yes" \
        "ProtectControlGroups=yes" \
        "Capability=CAP_SYS_NICE CAP_SYS_ADMIN CAP_SYSLOG")

run_cell none "$free"
[ "$status" -eq 0 ] || { cat "$work/err" >&2; fail "free: cell run exited $status"; }
cat "$work/out"
# Without them everything works (user namespaces need no privilege; root
# holds CAP_NET_RAW for AF_PACKET).
for k in unshare_user unshare_user_mnt unshare_user_net socket_unix socket_inet socket_packet socket_netlink \
         personality_linux32 sched_fifo sched_batch creat_suid creat_plain chmod_sgid chmod_plain \
         mmap_wx mmap_rx mprotect_x sethostname adjtimex syslog; do
        expect "free: $k" "$(restrict_field "$k")" 0
done
# The kernel's symbols are masked in every container, as nspawn masks them.
expect "free: /proc/kallsyms empty" "$(restrict_field kallsyms_empty)" 1
expect "free: setns(-1, 0)" "$(restrict_field setns_0)" 9     # EBADF: past the filter
uring=$(restrict_field io_uring)     # 0, unless the host turned io_uring off (kernel.io_uring_disabled)

run_cell none "$held"
[ "$status" -eq 0 ] || { cat "$work/err" >&2; fail "held: cell run exited $status"; }
cat "$work/out"
expect "held: unshare(CLONE_NEWUSER)" "$(restrict_field unshare_user)" 0
expect "held: unshare(CLONE_NEWUSER|CLONE_NEWNS)" "$(restrict_field unshare_user_mnt)" 1
expect "held: unshare(CLONE_NEWUSER|CLONE_NEWNET)" "$(restrict_field unshare_user_net)" 1
expect "held: setns(-1, 0)" "$(restrict_field setns_0)" 1
expect "held: socket(AF_UNIX)" "$(restrict_field socket_unix)" 0
expect "held: socket(AF_INET)" "$(restrict_field socket_inet)" 0
expect "held: socket(AF_PACKET)" "$(restrict_field socket_packet)" 97    # EAFNOSUPPORT
expect "held: socket(AF_NETLINK)" "$(restrict_field socket_netlink)" 97
expect "held: personality(PER_LINUX32)" "$(restrict_field personality_linux32)" 1
expect "held: sched_setscheduler(SCHED_FIFO)" "$(restrict_field sched_fifo)" 1
expect "held: sched_setscheduler(SCHED_BATCH)" "$(restrict_field sched_batch)" 0
expect "held: openat(O_CREAT, 04755)" "$(restrict_field creat_suid)" 1
expect "held: openat(O_CREAT, 0755)" "$(restrict_field creat_plain)" 0
expect "held: fchmodat(02755)" "$(restrict_field chmod_sgid)" 1
expect "held: fchmodat(0700)" "$(restrict_field chmod_plain)" 0
expect "held: mmap(PROT_WRITE|PROT_EXEC)" "$(restrict_field mmap_wx)" 1
expect "held: mmap(PROT_READ|PROT_EXEC)" "$(restrict_field mmap_rx)" 0
expect "held: mprotect(PROT_EXEC)" "$(restrict_field mprotect_x)" 1
expect "held: sethostname()" "$(restrict_field sethostname)" 1
expect "held: adjtimex(), reading" "$(restrict_field adjtimex)" 1
expect "held: syslog(SIZE_BUFFER)" "$(restrict_field syslog)" 1
expect "held: /proc/kallsyms empty" "$(restrict_field kallsyms_empty)" 1
# Its queue would open and make what the rules above refuse.
[ "$uring" != 0 ] || expect "held: io_uring_setup()" "$(restrict_field io_uring)" 38    # ENOSYS

# cell exec into a cell of those keys: the command is held alike (its
# filter is loaded after it joined the namespaces, which a filter that
# refuses setns() would otherwise stop).
waiting=$(unit waiting "[Root]" "Directory=$root" "[Exec]" "Exec=/bin/probe sleep 60 $marker" "Init=yes" \
        "[Isolation]" "RestrictNamespaces=user" "RestrictAddressFamilies=AF_UNIX" "MemoryDenyWriteExecute=yes" \
        "ProtectHostname=yes" "PrivateTime=yes" "Capability=CAP_SYS_ADMIN")
start_cell none "$waiting"
"$CELL" exec "$(unit_name waiting)" /bin/probe restrict >"$work/out" || fail "cell exec failed"
stop_cell
cat "$work/out"
expect "exec: unshare(CLONE_NEWUSER)" "$(restrict_field unshare_user)" 0
expect "exec: unshare(CLONE_NEWUSER|CLONE_NEWNET)" "$(restrict_field unshare_user_net)" 1
expect "exec: setns(-1, 0)" "$(restrict_field setns_0)" 1
expect "exec: socket(AF_UNIX)" "$(restrict_field socket_unix)" 0
expect "exec: socket(AF_INET)" "$(restrict_field socket_inet)" 97
expect "exec: mmap(PROT_WRITE|PROT_EXEC)" "$(restrict_field mmap_wx)" 1
expect "exec: sethostname()" "$(restrict_field sethostname)" 1

# The i386 entry point: filtered alike without SystemCallArchitectures=,
# shut (the process killed, SIGSYS) with it.
i386=$(unit i386 "[Root]" "Directory=$root" "[Exec]" "Exec=/bin/probe int80")
native=$(unit native "[Root]" "Directory=$root" "[Exec]" "Exec=/bin/probe int80" \
        "[Isolation]" "SystemCallArchitectures=native")
run_cell none "$i386"
if [ "$status" -eq 2 ]; then
        echo "not x86-64: no i386 entry point to try"
elif grep -q '"int80": -38}' "$work/out" || [ "$status" -eq 139 ]; then
        echo "this kernel runs no i386 calls (CONFIG_IA32_EMULATION): nothing to shut"
else
        [ "$status" -eq 0 ] || { cat "$work/err" >&2; fail "i386: cell run exited $status"; }
        expect "i386 getpid" "$(cat "$work/out")" '{"int80": 1}'
        echo "i386 getpid: $(cat "$work/out")"
        run_cell none "$native"
        echo "with SystemCallArchitectures=native: status $status, $(cat "$work/out")"
        expect "SystemCallArchitectures=native: i386 getpid kills" "$status" 159
        expect "SystemCallArchitectures=native: nothing printed after" "$(cat "$work/out")" '{"int80": '
        # @known names i386's _llseek (140, its libc's lseek64()), as
        # systemd 252's does: an allow list of @known lets it through to the
        # kernel (EBADF for fd -1), where it failed with ENOSYS.
        known=$(unit known "[Root]" "Directory=$root" "[Exec]" "Exec=/bin/probe int80 140 -1 0 0 0 0" \
                "[Isolation]" "SystemCallFilter=@known" "SystemCallErrorNumber=ENOSYS")
        run_cell none "$known"
        [ "$status" -eq 0 ] || { cat "$work/err" >&2; fail "@known: cell run exited $status"; }
        expect "SystemCallFilter=@known: i386 _llseek" "$(cat "$work/out")" '{"int80": -9}'
fi
echo ok
