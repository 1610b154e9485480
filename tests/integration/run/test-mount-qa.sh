#!/bin/bash
# The built-in /tmp, /dev/char and the writable /proc/sys/net against what an
# admin writes around them: /tmp a link in the image, a unit's own mount at
# /tmp spelled otherwise (/tmp/, //tmp, Overlay=, Inaccessible=), a unit's
# read-only mount at /proc/sys/net, "cell exec" into the container, and a
# failed start, which makes nothing in the image.
. "$(dirname "$0")/lib.sh"

# What the payload sees of /tmp: the mounts at it (source and type), its
# mode, whether it takes a file.
cat > "$root/bin/tmp-state" <<'EOF'
#!/bin/sh
awk '$5 == "/tmp" || $5 == "/var/tmp" { print $5, $9 }' /proc/self/mountinfo
ls -ld /tmp/ | cut -c1-10
if touch /tmp/written 2>/dev/null; then echo written; else echo refused; fi
EOF
chmod 755 "$root/bin/tmp-state"

# tmp_case NAME WANT ROOT-LINES...: runs tmp-state with those [Root] lines.
tmp_case() {
        local name=$1 want=$2 u
        shift 2
        u=$(unit "$name" "[Root]" "$@" "[Exec]" "Exec=/bin/tmp-state")
        run_cell none "$u"
        expect "$name: status ($(cat "$work/err"))" "$status" 0
        expect "$name" "$(tr '\n' ';' < "$work/out")" "$want"
}

# A unit's own /tmp however spelled replaces the built-in one: one mount.
tmp_case slash "/tmp tmpfs;drwxrwxrwt;written;" "Directory=$root" "ReadOnly=yes" \
        "TemporaryFileSystem=/tmp/:size=1m"
tmp_case slashes "/tmp tmpfs;drwxrwxrwt;written;" "Directory=$root" "ReadOnly=yes" \
        "TemporaryFileSystem=//tmp:size=1m"
mkdir -p "$work/lower" "$work/upper"
tmp_case overlay "/tmp overlay;drwxr-xr-x;written;" "Directory=$root" "ReadOnly=yes" \
        "Overlay=$work/lower:$work/upper:/tmp"
[ -e "$work/upper/written" ] || fail "Overlay= at /tmp: the write is not in its upper directory"
# Inaccessible= comes after the built-in /tmp and masks it.
tmp_case inaccessible "/tmp tmpfs;/tmp tmpfs;drwxr-xr-x;refused;" "Directory=$root" "ReadOnly=yes" \
        "Inaccessible=/tmp"
expect "the image's /tmp after the runs" "$(ls -A "$root/tmp")" ""

# /tmp a link in the image: left as it is, no tmpfs through it (a link
# could lead it over /proc/sys or /dev, below); the payload writes where
# the link leads, as before there was a built-in /tmp.
linked=$work/linked
cp -a "$root" "$linked"
rmdir "$linked/tmp" && mkdir -p -m 1777 "$linked/var/tmp" && ln -s var/tmp "$linked/tmp"
tmp_case relative "drwxrwxrwt;written;" "Directory=$linked"
expect "the image's /var/tmp after the run" "$(ls -A "$linked/var/tmp")" written
rm "$linked/var/tmp/written" "$linked/tmp" && ln -s /var/tmp "$linked/tmp"
tmp_case absolute "drwxrwxrwt;refused;" "Directory=$linked" "ReadOnly=yes"

# A failed start makes no /tmp in an image that has none (nor the Bind='s
# mount point), and leaves no mount behind.
bare=$work/bare
cp -a "$root" "$bare" && rmdir "$bare/tmp"
host_snapshot before
u=$(unit failed "[Root]" "Directory=$bare" "Bind=$work/nonexistent:/srv2" "[Exec]" "Exec=/bin/true")
run_cell none "$u"
expect "failed start: status" "$status" 2
[ ! -e "$bare/tmp" ] || fail "failed start: /tmp was made in the image"
[ ! -e "$bare/srv2" ] || fail "failed start: /srv2 was made in the image"
host_snapshot after
cmp -s "$work/mounts.before" "$work/mounts.after" || fail "failed start: mounts left: $(diff "$work/mounts.before" \
        "$work/mounts.after")"

# A unit's read-only mount at /proc/sys/net keeps its flags: the writable
# /proc/sys/net is under it, not over it.
mkdir -p "$work/srv" && echo hostfile > "$work/srv/f"
u=$(unit netro "[Root]" "Directory=$root" "BindReadOnly=$work/srv:/proc/sys/net" "[Exec]" \
        "Exec=/bin/sh -c 'cat /proc/sys/net/f; echo x > /proc/sys/net/f 2>/dev/null && echo written || echo refused'" \
        "[Isolation]" "Capability=CAP_NET_ADMIN")
run_cell none "$u"
expect "BindReadOnly= at /proc/sys/net: status ($(cat "$work/err"))" "$status" 0
expect "BindReadOnly= at /proc/sys/net" "$(tr '\n' ';' < "$work/out")" "hostfile;refused;"
expect "BindReadOnly= at /proc/sys/net: the host's file" "$(cat "$work/srv/f")" hostfile

# "cell exec" enters the same /tmp and /dev (with its /dev/char links).
for users in no pick; do
        u=$(unit "exec-$users" "[Root]" "Directory=$root" "ReadOnly=yes" "[Exec]" \
                "Exec=/bin/sh -c 'trap \"exit 0\" TERM; echo payload > /tmp/mark; while :; do sleep 0.1; done'" \
                "[Isolation]" "PrivateUsers=$users")
        start_cell none "$u"
        got=$("$CELL" exec "$(basename "$u" .cell)" /bin/sh -c \
                'cat /tmp/mark; readlink /dev/char/1:3; ls -lnd /tmp /dev/char | awk "{ print \$1, \$3 }"' \
                </dev/null 2>&1) || fail "exec-$users: cell exec: $got"
        stop_cell
        expect "exec-$users" "$(tr '\n' ';' <<< "$got")" "payload;../null;drwxr-xr-x 0;drwxrwxrwt 0;"
done

# The built-in /tmp is optional: each of these images starts as it did
# before there was one, and never gets the tmpfs where none belongs.
{
        # /tmp a dangling link in a read-only image.
        dangling=$work/dangling
        cp -a "$root" "$dangling" && rmdir "$dangling/tmp" && ln -s /nonexistent "$dangling/tmp"
        mksquashfs "$dangling" "$work/dangling.sqfs" -quiet -noappend >/dev/null
        u=$(unit dangling "[Root]" "Image=$work/dangling.sqfs" "[Exec]" "Exec=/bin/true")
        run_cell none "$u"
        expect "/tmp a dangling link: status ($(cat "$work/err"))" "$status" 0
        # /tmp -> var/tmp, whose /var is Volatile=state's empty tmpfs.
        rm -rf "$work/merged" && merged_root "$work/merged"
        rmdir "$work/merged/tmp" && ln -s var/tmp "$work/merged/tmp" && mkdir -p "$work/merged/var/tmp"
        u=$(unit volstate "[Root]" "Directory=$work/merged" "Volatile=state" "[Exec]" "Exec=/bin/true")
        run_cell none "$u"
        expect "/tmp -> var/tmp, Volatile=state: status ($(cat "$work/err"))" "$status" 0
        # An optional Bind= at /tmp whose source is missing leaves the built-in one.
        tmp_case missingbind "/tmp tmpfs;drwxrwxrwt;written;" "Directory=$root" "ReadOnly=yes" \
                "Bind=-$work/nonexistent:/tmp"
        # The image's /tmp link never takes the built-in tmpfs onto the
        # container's procfs, sysfs or /dev (its nodes hidden): started or
        # refused, but never so.
        for to in /proc/sys/kernel:0 /sys:0 /dev:1; do
                rm -rf "$work/api" && cp -a "$root" "$work/api" && rmdir "$work/api/tmp"
                ln -s "${to%:*}" "$work/api/tmp"
                printf '#!/bin/sh\nawk '"'"'$5 == "%s" && $9 == "tmpfs"'"'"' /proc/self/mountinfo | wc -l\n' \
                        "${to%:*}" > "$work/api/bin/api-tmpfs"
                chmod 755 "$work/api/bin/api-tmpfs"
                u=$(unit "api${to//[\/:]/}" "[Root]" "Directory=$work/api" "[Exec]" "Exec=/bin/api-tmpfs")
                run_cell none "$u"
                expect "/tmp -> ${to%:*}: status ($(cat "$work/err"))" "$status" 0
                expect "/tmp -> ${to%:*}: tmpfs mounts there" "$(cat "$work/out")" "${to#*:}"
        done
        # /tmp a file in the image.
        rm -rf "$work/file" && cp -a "$root" "$work/file" && rmdir "$work/file/tmp" && : > "$work/file/tmp"
        u=$(unit tmpfile "[Root]" "Directory=$work/file" "[Exec]" "Exec=/bin/sh -c 'test -f /tmp && echo file'")
        run_cell none "$u"
        expect "/tmp a file: status ($(cat "$work/err"))" "$status" 0
        expect "/tmp a file" "$(cat "$work/out")" file
}

# A file system over one of cell's own /dev nodes or links passed "cell
# verify" and failed the start ("target exists and is not a directory"), as
# systemd's and nspawn's do: both refuse it now, at its line. A unit's own
# /dev lies over them, and a mask goes on a node.
u=$(unit devzero "[Root]" "Directory=$root" "TemporaryFileSystem=/dev/zero" "[Exec]" "Exec=/bin/true")
status=0
"$CELL" verify "$u" 2>"$work/err" || status=$?
expect "TemporaryFileSystem=/dev/zero: verify status" "$status" 1
why="$u:3: TemporaryFileSystem=/dev/zero: cannot mount over /dev/zero: cell makes /dev/zero a device node"
expect_match "TemporaryFileSystem=/dev/zero: verify" "$(cat "$work/err")" "$why"
run_cell none "$u"
[ "$status" -ne 0 ] || fail "TemporaryFileSystem=/dev/zero: the start succeeded"
expect_match "TemporaryFileSystem=/dev/zero: run" "$(cat "$work/err")" "$why"
u=$(unit devown "[Root]" "Directory=$root" "TemporaryFileSystem=/dev" "TemporaryFileSystem=/dev/zero" \
        "[Exec]" "Exec=/bin/sh -c 'test -d /dev/zero && echo dir'")
"$CELL" verify "$u" || fail "TemporaryFileSystem=/dev/zero below the unit's own /dev: refused by verify"
run_cell none "$u"
expect "TemporaryFileSystem=/dev/zero below the unit's own /dev: status ($(cat "$work/err"))" "$status" 0
expect "TemporaryFileSystem=/dev/zero below the unit's own /dev" "$(cat "$work/out")" dir
u=$(unit devmask "[Root]" "Directory=$root" "Inaccessible=/dev/zero" "[Exec]" "Exec=/bin/true")
"$CELL" verify "$u" || fail "Inaccessible=/dev/zero: refused by verify"
run_cell none "$u"
expect "Inaccessible=/dev/zero: status ($(cat "$work/err"))" "$status" 0

# A directory's Bind= over one of cell's nodes, a file system over a file of
# the root (through its link), a file's Bind= over a directory of it: each
# passed "cell verify" and failed the start (ENOTDIR, EISDIR), exit 2. Both
# refuse them now, at the line, in the start's words, exit 1 (the unit's
# problem), and the start makes nothing; the image as it was.
mkdir -p "$work/bdir" && : > "$work/bfile"
wrong="$work/wrong" && cp -a "$root" "$wrong" && ln -s probe "$wrong/bin/probe-link" && mkdir -p "$wrong/srv3"
# wrong_kind NAME KEY WANT: KEY (line 3) refused with WANT by verify and run.
wrong_kind() {
        local name=$1 key=$2 want=$3 u
        u=$(unit "$name" "[Root]" "Directory=$wrong" "$key" "[Exec]" "Exec=/bin/true")
        status=0
        "$CELL" verify "$u" 2>"$work/err" || status=$?
        expect "$key: verify status" "$status" 1
        expect_match "$key: verify" "$(cat "$work/err")" "$u:3: $want"
        ls -laR "$wrong" > "$work/image.before"
        host_snapshot before
        run_cell none "$u"
        expect "$key: run status ($(cat "$work/err"))" "$status" 1
        expect_match "$key: run" "$(cat "$work/err")" "^$u:3: $want"
        expect_nothing_left
        ls -laR "$wrong" > "$work/image.after"
        cmp -s "$work/image.before" "$work/image.after" || fail "$key: the start changed the image"
}
wrong_kind devzero-dir "Bind=$work/bdir:/dev/zero" \
        "Bind=$work/bdir:/dev/zero: target exists and is not a directory \\(cell makes /dev/zero a device node"
wrong_kind tmpfs-link "TemporaryFileSystem=/bin/probe-link" \
        "TemporaryFileSystem=/bin/probe-link: target exists and is not a directory \\(/bin/probe-link, a link to"
wrong_kind file-dir "Bind=$work/bfile:/srv3" "Bind=$work/bfile:/srv3: target is a directory but the source is not"
wrong_kind below-file "Inaccessible=/bin/probe/x" "Inaccessible=/bin/probe/x: target exists and is not a directory"
echo ok
