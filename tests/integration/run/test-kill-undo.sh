#!/bin/bash
# The process that builds the container's tree -- the child, or with
# PrivateUsers= the tree builder -- killed (SIGKILL, by strace) at points
# of its build (the first, middle and last of each kind; every one
# with CELL_TEST_FULL=1): before each directory it makes, before each write
# to the record of what it made (so also between the making and the
# record's completion), with a new /etc/resolv.conf whole under its
# temporary name before the rename, between its pivot_root and the detach
# of the old root stacked on the new. The
# supervisor takes back what the record says (spawn-undo.h): the image
# and the host's directories are exactly as before, for a Bind= to a mount
# point the image lacks, an Overlay= whose upper directory on the host
# must be made (with its parents), ResolvConf=copy-host onto an image
# without /etc/resolv.conf. The builder's parent (PrivateUsers=), killed
# while its child builds, ends the start at once. And a supervisor that
# cannot hold the child's mount namespace (out of fds) fails the start
# before anything is made. test-kill-variants.sh kills more unit variants.
. "$(dirname "$0")/lib.sh"
command -v strace >/dev/null || { echo "skipped: no strace"; exit 77; }
[ -f /etc/resolv.conf ] || { echo "skipped: the host has no /etc/resolv.conf"; exit 77; }
# With PrivateUsers= the builder works as the container's root: it must reach the root.
chmod 755 "$work"

host=$work/host
mkdir -p "$host/srcdir" "$host/lower"
echo lower > "$host/lower/file"
rm -f "$root/etc/resolv.conf"
[ ! -e "$root/a" ] && [ ! -e "$root/o" ] || fail "the image has /a or /o already"

. "$(dirname "$0")/kill-lib.sh"

# And with ReadOnly=yes (what was made before the seal is unsealed to go)
# and Volatile=state (its /var made where the image has none).
for variant in no pick no-ro pick-ro; do
        mode=${variant%-ro}
        if [ "$variant" = "$mode" ]; then
                extra=("[Exec]" "ResolvConf=copy-host")
                [ ! -d "$work/var" ] || mv "$work/var" "$root/var"
        else
                extra=("[Root]" "ReadOnly=yes" "Volatile=state")
                [ -d "$work/var" ] || mv "$root/var" "$work/var"
        fi
        u=$(unit "kill-$variant" "[Root]" "Directory=$root" "Bind=$host/srcdir:/a/b" \
                "Overlay=$host/lower:$host/up/new/upper:/o/h" \
                "[Isolation]" "PrivateUsers=$mode" "[Exec]" "Exec=/nosuch" "${extra[@]}")
        listing > "$work/tree.before"
        # Once without strace (the seccomp cache filled), once traced to count.
        start "$variant: no kill"
        grep -q "Exec=/nosuch: not found in the container" "$work/err" || fail "$variant: $(cat "$work/err")"
        start "$variant: traced" -f -e trace=mkdirat,pwrite64
        counts=("$(calls mkdirat)" "$(calls pwrite64)")
        killed=0 tried=0
        for i in 0 1; do
                call=$([ "$i" = 0 ] && echo mkdirat || echo pwrite64)
                read -r sup most <<<"${counts[$i]}"
                [ "$most" -gt "$sup" ] || fail "$variant: the build made no $call of its own"
                # From the first that is not the supervisor's (which would
                # be killed itself: the counts are per process).
                for n in $(kill_points $((sup + 1)) "$most"); do
                        start "$variant: killed at $call $n" -f -e trace="$call" -e inject="$call:signal=KILL:when=$n"
                        tried=$((tried + 1))
                        grep -q "Exec=/nosuch" "$work/err" || killed=$((killed + 1))
                done
        done
        # Between pivot_root and the detach of the old root, which the
        # child does from its new root as umount2(".") (the take-back's own
        # calls name "/" and the names it removes: -P picks the child's).
        start "$variant: killed before the old root's detach" -f -P . -e trace=umount2 \
                -e inject=umount2:signal=KILL:when=1
        grep -q "Exec=/nosuch" "$work/err" && fail "$variant: the old root's detach was not killed"
        # The new file whole under its temporary name (written nameless,
        # linked there: fs-util.h), not yet renamed to its own (announced,
        # not yet recorded as made). The only renameat() in /etc.
        if [ "$variant" = "$mode" ]; then
                start "$mode: killed renaming resolv.conf" -f -P "$root/etc" -e trace=renameat \
                        -e inject=renameat:signal=KILL
                grep -q "Exec=/nosuch" "$work/err" && fail "$mode: the resolv.conf rename was not killed"
                grep -q 'renameat(.*resolv\.conf' "$work/trace" || fail "$mode: no rename of resolv.conf traced"
        fi
        [ "$killed" -gt $((tried / 2)) ] || fail "$variant: only $killed of $tried starts were killed while they built"
        echo "$variant: $killed starts killed while they built, nothing left"
done
[ ! -d "$work/var" ] || mv "$work/var" "$root/var"

# PrivateUsers=: the builder's parent (which forks the process that builds
# and waits for it, spawn-tree.c) killed while that process is held at the
# mkdirat() of /a/b, with /a made. The supervisor sees the builder die and
# fails the start, taking back /a: it did not look, and the start either
# hung until stopped (the builder's child killed with it, before its
# setfsuid() cleared PDEATHSIG: the init waited for a tree for ever) or
# went on as if nothing had happened (as here, the build carrying on).
u=$(unit builder "[Root]" "Directory=$root" "Bind=$host/srcdir:/a/b" "[Isolation]" "PrivateUsers=pick" \
        "[Exec]" "Exec=/nosuch")
listing > "$work/tree.before"
start "builder: traced" -f -e trace=mkdirat
n=$(awk '$2 ~ /^mkdirat\(/ { n[$1]++ } $2 ~ /^mkdirat\(/ && $3 == "\"b\"," { print n[$1]; exit }' "$work/trace")
[ -n "$n" ] || fail "builder: no mkdirat of /a/b: $(cat "$work/trace")"
# Its fork returns 1 s late, its wait4() is killed; the build waits 3 s at /a/b.
start "builder: its parent killed" -f -e trace=clone,wait4,mkdirat -e inject=clone:delay_exit=1000000 \
        -e inject=mkdirat:delay_enter=3000000:when="$n" -e inject=wait4:signal=KILL:when=1
grep -q "the tree builder died of signal 9" "$work/err" || fail "builder: not the failure expected: $(cat "$work/err")"
grep -q 'mkdirat([0-9]*, "a", 0755) *= 0' "$work/trace" || fail "builder: killed before it made /a: $(cat "$work/trace")"

# The child's mount namespace cannot be held (the supervisor's open of
# /proc/PID/ns/mnt fails with EMFILE): the start fails there, nothing made.
u=$(unit hold "[Root]" "Directory=$root" "Bind=$host/srcdir:/a/b" "[Exec]" "Exec=/nosuch")
listing > "$work/tree.before"
start "hold: traced" -e trace=openat
n=$(grep '^openat(' "$work/trace" | grep -n '"/proc/[0-9]*/ns/mnt"' | cut -d: -f1)
[ -n "$n" ] || fail "hold: the supervisor opened no /proc/PID/ns/mnt"
start "hold: EMFILE" -e trace=openat -e inject="openat:error=EMFILE:when=$n"
grep -q "cannot hold the container's mount namespace.*Too many open files" "$work/err" ||
        fail "hold: not the failure expected: $(cat "$work/err")"
echo ok
