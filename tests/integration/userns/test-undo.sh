#!/bin/bash
# PrivateUsers= (pick, a fixed UID, yes) and a start that fails after the
# tree builder has gone: before PREPARED (a missing Exec=, an unknown User=)
# and after GO (WorkingDirectory=, the payload's own exec). The child's copy
# of the tree is locked; the supervisor takes back what the builder made
# from the builder's namespace, which it holds (spawn-undo.h): mount points
# in the image and below a bound host directory, Overlay= upper and work
# directories on the host and in the image, Volatile=state's /var. Nothing
# is left in the image, nor on the host; a start that succeeds keeps its
# mount points, as nspawn does.
. "$(dirname "$0")/../run/lib.sh"
# The child works as the container's root: it must reach the root.
chmod 755 "$work"

# A tree shifted to 0x80000 for PrivateUsers=yes (test-yes.sh).
shifted=$work/shifted
cp -a "$root" "$shifted"
while read -r f; do
        read -r uid gid <<<"$(stat -c '%u %g' "$f")"
        chown -h "$((uid + 0x80000)):$((gid + 0x80000))" "$f"
done < <(find "$shifted")
mkdir "$work/srcdir"
echo src > "$work/srcfile"

# listing TREE: TREE and $work/srcdir, sorted.
listing() {
        { find "$1" "$work/srcdir" -type d -printf '%p %M\n'
          find "$1" "$work/srcdir" ! -type d -printf '%p %M %s\n'; } | sort
}

# check_undo NAME TREE MODE WANT-REGEX EXEC-LINES...: a start that fails with
# WANT-REGEX (exit 2) leaves TREE and the host as they were.
check_undo() {
        local name=$1 tree=$2 mode=$3 want=$4; shift 4
        local u var=
        [ -d "$tree/var" ] || var="Volatile=state"
        u=$(unit "$name" "[Root]" "Directory=$tree" ${var:+"$var"} "ReadOnly=yes" \
                "Bind=$work/srcdir:/a/b" "Bind=$work/srcfile:/a/b/new/file" "TemporaryFileSystem=/c/d" \
                "Overlay=$work/srcdir:$work/srcdir/new/upper:/o/h" \
                "[Isolation]" "PrivateUsers=$mode" "[Exec]" "$@")
        listing "$tree" > "$work/tree.before"
        host_snapshot before
        run_cell cgroupfs "$u"
        expect "$name: status" "$status" 2
        grep -q "$want" "$work/err" || fail "$name: not the failure expected: $(cat "$work/err")"
        listing "$tree" > "$work/tree.after"
        diff -u "$work/tree.before" "$work/tree.after" >&2 || fail "$name: the failed start left something in the image"
        expect_nothing_left
}

printf 'not a program\n' > "$root/bin/notelf"
chmod 755 "$root/bin/notelf"
cp -a "$root/bin/notelf" "$shifted/bin/notelf"
chown -h $((0x80000)):$((0x80000)) "$shifted/bin/notelf"
for mode in pick 589824:65536 yes; do
        tree=$root
        [ "$mode" = yes ] && tree=$shifted
        n=${mode%%:*}
        check_undo "exec-$n" "$tree" "$mode" "Exec=/nosuch: not found in the container" "Exec=/nosuch"
        check_undo "user-$n" "$tree" "$mode" "User=nosuchuser: no such user" "Exec=/bin/probe" "User=nosuchuser"
        check_undo "workdir-$n" "$tree" "$mode" "WorkingDirectory=/nosuchdir: No such file or directory" \
                "Exec=/bin/probe" "WorkingDirectory=/nosuchdir"
        check_undo "noexec-$n" "$tree" "$mode" "Exec=/bin/notelf: .*Exec format error" "Exec=/bin/notelf" "User=test"
        # Volatile=state's /var is made only where the image has none.
        mv "$tree/var" "$work/var"
        check_undo "var-$n" "$tree" "$mode" "Exec=/nosuch: not found in the container" "Exec=/nosuch"
        mv "$work/var" "$tree/var"
done

# A start that succeeds keeps what it made (the mount points stay, as a
# start of nspawn's leaves them).
u=$(unit keep "[Root]" "Directory=$root" "Bind=$work/srcdir:/a/b" "[Isolation]" "PrivateUsers=pick" \
        "[Exec]" "Exec=/bin/true")
run_cell cgroupfs "$u"
expect "a start that succeeds: status" "$status" 0
[ -d "$root/a/b" ] || fail "a start that succeeds: its mount point /a/b was taken back"
[ -z "$(ls /run/cell/uid 2>/dev/null | while read -r f; do flock -n "/run/cell/uid/$f" true || echo "$f"; done)" ] ||
        fail "a uid range is still locked after the failed starts"
echo ok
