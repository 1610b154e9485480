#!/bin/bash
# Directory= and a Bind= source directory named through a link that is
# turned to another directory after the start locked the place and before
# it builds on it (strace holds the supervisor right after the flock() of
# the place's lock file, shared-lock.h): the container must not be built on
# a directory its start did not lock. The start fails saying which key
# changed, with exit status 2, and leaves nothing behind -- in either
# directory, on the host, nor a lock file. Without PrivateUsers= (the child
# builds), with PrivateUsers=pick (the tree builder builds, the supervisor
# makes the idmapped root), and a Bind= with idmap (the supervisor's
# idmapped tree of the source).
. "$(dirname "$0")/lib.sh"
command -v strace >/dev/null || { echo "skipped: no strace"; exit 77; }
# With PrivateUsers= the builder works as the container's root: it must reach the root.
chmod 755 "$work"

other=$work/other
cp -a "$root" "$other"
echo locked > "$root/which"
echo other > "$other/which"
host=$work/host
mkdir -p "$host/x" "$host/y"
echo locked > "$host/x/which"
echo other > "$host/y/which"
chmod -R a+rX "$host"

listing() {
        { find "$root" "$other" "$host" -type d -printf '%p %M\n'
          find "$root" "$other" "$host" ! -type d -printf '%p %M %s\n'; } | sort
}

# lock_file DIR: the lock file of DIR's place (lock_file_inode_name()).
lock_file() {
        echo "/run/cell/place-lock/inode-$(stat -c %d "$1"):$(stat -c %i "$1")"
}

# locked FILE: whether someone holds a flock() on FILE.
locked() {
        local ino
        ino=$(stat -c %i "$1" 2>/dev/null) || return 1
        grep -q "FLOCK .*:$ino " /proc/locks
}

# turn NAME LINK FROM TO KEY UNIT-LINES...: UNIT (naming LINK, which leads to
# FROM) runs once as it is (it must see "locked"), then is held after the
# flock() of LINK's place, LINK turned to TO meanwhile.
turn() {
        local name=$1 link=$2 from=$3 to=$4 key=$5; shift 5
        local u n sup
        ln -sfn "$from" "$link"
        u=$(unit "$name" "$@")
        run_cell none "$u"
        expect "$name: untouched: status" "$status" 0
        expect "$name: untouched: sees" "$(cat "$work/out")" locked

        # The supervisor's flock() calls up to the one of LINK's place.
        status=0
        timeout 20 strace -f -y -o "$work/trace" -e trace=flock "$CELL" run --cgroup-manager=none "$u" \
                >"$work/out" 2>"$work/err" || status=$?
        expect "$name: traced: status" "$status" 0
        sup=$(awk 'NR == 1 { print $1 }' "$work/trace")
        n=$(awk -v s="$sup" -v f="$(lock_file "$from")" \
                '$1 == s && $2 ~ /^flock\(/ { k++; if (!n && index($0, f)) n = k } END { print n + 0 }' "$work/trace")
        [ "$n" -gt 0 ] || fail "$name: no flock() of $(lock_file "$from") by the supervisor: $(cat "$work/trace")"

        listing > "$work/tree.before"
        host_snapshot before
        status=0
        timeout 30 strace -f -o /dev/null -e trace=flock -e inject="flock:delay_exit=3000000:when=$n" \
                "$CELL" run --cgroup-manager=none "$u" >"$work/out" 2>"$work/err" &
        local pid=$!
        for _ in $(seq 500); do
                locked "$(lock_file "$from")" && break
                sleep 0.02
        done
        locked "$(lock_file "$from")" || fail "$name: the place was never locked"
        ln -sfn "$to" "$link"
        wait "$pid" || status=$?
        [ "$(cat "$work/out")" != other ] ||
                fail "$name: the container was built on $to, which its start did not lock"
        expect "$name: status" "$status" 2
        grep -q "$key=$link.*changed while the container started (a link turned?)" "$work/err" ||
                fail "$name: not the failure expected: $(cat "$work/err")"
        listing > "$work/tree.after"
        diff -u "$work/tree.before" "$work/tree.after" >&2 || fail "$name: the start left something behind"
        expect_nothing_left
        for d in "$root" "$other" "$host/x" "$host/y"; do
                [ ! -e "$(lock_file "$d")" ] || fail "$name: $(lock_file "$d") left behind"
        done
        ln -sfn "$from" "$link"
        echo "$name: $(grep -o "$key=.*" "$work/err")"
}

dlink=$work/root-link
blink=$work/source-link
for users in no pick; do
        turn "dir-$users" "$dlink" "$root" "$other" Directory \
                "[Root]" "Directory=$dlink" "[Isolation]" "PrivateUsers=$users" "[Exec]" "Exec=/bin/cat /which"
        turn "bind-$users" "$blink" "$host/x" "$host/y" Bind \
                "[Root]" "Directory=$root" "Bind=$blink:/data" "[Isolation]" "PrivateUsers=$users" \
                "[Exec]" "Exec=/bin/cat /data/which"
done
turn "bind-idmap" "$blink" "$host/x" "$host/y" Bind \
        "[Root]" "Directory=$root" "Bind=$blink:/data:idmap" "[Isolation]" "PrivateUsers=pick" \
        "[Exec]" "Exec=/bin/cat /data/which"
echo ok
