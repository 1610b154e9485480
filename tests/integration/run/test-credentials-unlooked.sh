#!/bin/bash
# LoadCredential= of a directory with an entry that cannot be looked at
# (fstatat() fails, not with ENOENT) on a file system whose listing gives no
# type (ext2 without its "filetype" feature: DT_UNKNOWN): skipped with a
# notice naming the key's line, the entry and the error, as systemd 252
# skips it; the directory's other files are the payload's credentials, and
# the start succeeds. The entry is a file whose inode debugfs cleared (the
# kernel finds the file system corrupt: EUCLEAN), on an image mounted in a
# private mount namespace of the test's own, gone with it.
if [ -z "${CELL_TEST_CREDS_NS:-}" ]; then
        if [ "$(id -u)" -ne 0 ]; then
                echo "skipped: needs root"
                exit 77
        fi
        CELL_TEST_CREDS_NS=1 exec unshare -m --propagation private "$0" "$@"
fi
. "$(dirname "$0")/lib.sh"

for t in mkfs.ext2 debugfs; do
        command -v "$t" >/dev/null || { echo "skipped: $t missing (tests/lib/install-deps)"; exit 77; }
done

# The image unmounted before lib.sh's cleanup removes $work (its loop
# device detached with it), with the test's status.
unlooked_cleanup() {
        local status=$?
        set +e
        mountpoint -q "$work/mnt" && umount "$work/mnt"
        (exit $status)
        cleanup
}
trap unlooked_cleanup EXIT

mkdir -p "$work/src/creds" "$work/mnt"
printf 'one' > "$work/src/creds/a"
printf 'secret' > "$work/src/creds/b"
printf 'three' > "$work/src/creds/c"
truncate -s 8M "$work/creds.ext2"
mkfs.ext2 -q -O ^filetype -d "$work/src" "$work/creds.ext2"
ino=$(debugfs -R "stat /creds/b" "$work/creds.ext2" 2>/dev/null | sed -n 's/^Inode: *\([0-9]*\).*/\1/p')
[ -n "$ino" ] || fail "debugfs: no inode for /creds/b"
debugfs -w -R "clri <$ino>" "$work/creds.ext2" 2>/dev/null
mount -o loop,ro,errors=continue "$work/creds.ext2" "$work/mnt"
dir=$work/mnt/creds
# The premise: listed, not looked at.
ls "$dir" | grep -qx b || fail "$dir/b is not listed"
if err=$(stat "$dir/b" 2>&1); then
        echo "skipped: this kernel looks at a cleared inode: $err"
        exit 77
fi

host_snapshot before
u=$(unit unlooked "[Root]" "Directory=$root" "[Exec]" \
        "Exec=/bin/sh -c 'cd \"\$CREDENTIALS_DIRECTORY\" && for f in *; do echo \"\$f \$(cat \$f)\"; done'" \
        "LoadCredential=conf:$dir")
run_cell none "$u"
[ "$status" -eq 0 ] || { cat "$work/err" >&2; fail "exited $status"; }
expect "the credentials" "$(cat "$work/out")" "conf_a one
conf_c three"
why="skipped, as systemd 252 skips an entry it cannot look at"
grep -qxF "cell: $(unit_name unlooked): $u:5: LoadCredential=conf:$dir: $dir/b: Structure needs cleaning: $why" \
        "$work/err" || fail "no notice of $dir/b: $(cat "$work/err")"
[ ! -e "$root/run/host" ] || fail "the image got $root/run/host"
expect_nothing_left
echo "ok"
