#!/bin/bash
# Image= the way a kernel before 6.15 lets it be made: such a kernel clones
# (open_tree(OPEN_TREE_CLONE)) no mount outside the caller's own mount
# namespace -- fsmount()'s detached mount of the image least of all -- but
# attaches that detached mount itself, once (move_mount). Linux 6.15 and
# later clone it too, so the test reads cell's system calls (strace): an
# ext4 image without PrivateUsers= (the child attaches it in its
# namespace), with PrivateUsers=pick (the supervisor attaches it in its
# private namespace and idmaps a clone of the root), Volatile=yes with
# PrivateUsers=pick (a clone of its /usr) and PrivateUsers=yes (a shifted
# image: the tree built on the mount there). In each the image's mount is
# attached, and not cloned before that; the container runs, and nothing is
# left behind. Last, a container's init cloned a second time gets a mount
# of the image of its own.
. "$(dirname "$0")/lib.sh"

for t in mkfs.ext4 losetup strace; do
        command -v "$t" >/dev/null || { echo "skipped: $t missing (tests/lib/install-deps)"; exit 77; }
done

# /bin and /sbin merged into /usr: Volatile=yes takes only the image's /usr.
for d in bin sbin; do
        mkdir -p "$root/usr/$d"
        cp -a "$root/$d/." "$root/usr/$d/"
        rm -rf "${root:?}/$d"
        ln -s "usr/$d" "$root/$d"
done
ext4=$work/root.ext4
truncate -s 64M "$ext4"
mkfs.ext4 -q -d "$root" "$ext4"
# For PrivateUsers=yes: the same tree shifted to a range of its own, as
# nspawn's private-users images are (no idmapped mount).
shifted=$work/shifted.ext4
cp -a "$root" "$work/shifted"
chown -R -h 1310720:1310720 "$work/shifted"
truncate -s 64M "$shifted"
mkfs.ext4 -q -E root_owner=1310720:1310720 -d "$work/shifted" "$shifted"

# image_clones TRACE: from strace -f's lines "PID call(args) = ret" (a call
# split by another process's into "<unfinished ...>" and "<... resumed>"
# joined again), in order: "fsmount FD" for the image's mount (fsopen
# "ext4", then fsmount of that context), "clone FD" for each
# open_tree(OPEN_TREE_CLONE) of an fd of it before it was attached,
# "attached FD" for the first move_mount() of it. The fds of it: fsmount's
# and what is made from them (fcntl(F_DUPFD*), dup*(), openat(): the fd
# numbers are the same in a forked or cloned process, which starts with a
# copy of its parent's table).
image_clones() {
        awk '
        function retval(s) {
                if (!match(s, /\) +=  *-?[0-9]+/))
                        return -1
                s = substr(s, RSTART, RLENGTH)
                sub(/^\) +=  */, "", s)
                return s + 0
        }
        {
                pid = $1
                call = substr($0, index($0, $2))
                if (call ~ /<unfinished \.\.\.>$/) {
                        pending[pid] = substr(call, 1, length(call) - length("<unfinished ...>"))
                        next
                }
                if (call ~ /^<\.\.\. [a-z_0-9]+ resumed>/) {
                        if (!(pid in pending))
                                next
                        sub(/^<\.\.\. [a-z_0-9]+ resumed>/, "", call)
                        call = pending[pid] call
                        delete pending[pid]
                }
                if (!match(call, /^[a-z_0-9]+\(/))
                        next
                name = substr(call, 1, RLENGTH - 1)
                args = substr(call, RLENGTH + 1)
                first = args
                sub(/[,)].*/, "", first)
                r = retval(call)
                if (name == "fsopen" && args ~ /^"ext4"/ && r >= 0 && !found)
                        ctx[r] = 1
                else if (name == "fsmount" && (first in ctx) && r >= 0 && !found) {
                        found = 1
                        img[r] = 1
                        print "fsmount", r
                } else if (!found || !(first in img))
                        next
                else if ((name == "fcntl" && args ~ /F_DUPFD/) || name ~ /^dup[23]?$/ || name == "openat") {
                        if (r >= 0)
                                img[r] = 1
                } else if (name == "open_tree" && args ~ /OPEN_TREE_CLONE/ && !attached)
                        print "clone", first
                else if (name == "move_mount" && args ~ /MOVE_MOUNT_F_EMPTY_PATH/ && r == 0 && !attached) {
                        attached = 1
                        print "attached", first
                }
        }' "$1"
}

# run_traced NAME IMAGE LINES...: unit NAME of Image=IMAGE and the lines
# run under strace, with the probe as its payload; checks the image's
# mount in the trace.
run_traced() {
        local name=$1 image=$2 u found
        shift 2
        u=$(unit "$name" "[Root]" "Image=$image" "$@" "[Exec]" "Exec=/bin/probe")
        status=0
        timeout 30 strace -f -o "$work/trace" \
                -e trace=fsopen,fsmount,open_tree,move_mount,mount_setattr,fcntl,dup,dup2,dup3,openat \
                "$CELL" run --cgroup-manager=none "$u" >"$work/out" 2>"$work/err" || status=$?
        expect "$name: status" "$status" 0
        image_clones "$work/trace" > "$work/clones"
        # Never vacuous: the image's fsmount() was seen, and its fd.
        found=$(grep -c '^fsmount [0-9]' "$work/clones" || true)
        expect "$name: the image's fsmount() in the trace" "$found" 1
        if grep -q '^clone ' "$work/clones"; then
                fail "$name: the image's detached mount is cloned (a kernel before 6.15 refuses): " \
                        "$(cat "$work/clones"; grep -E 'fsmount|open_tree' "$work/trace" | head -5)"
        fi
        grep -q '^attached ' "$work/clones" ||
                fail "$name: the image's mount itself is never attached: $(cat "$work/clones")"
        # The probe ran in the container, as its PID 1.
        expect "$name: the probe's PID" "$(field pid)" 1
        no_loop_left "$name"
        expect_nothing_left
}

# The probe's "/" mount: "FSTYPE SOURCE".
root_mount() {
        grep -m1 '^    "/": ' "$work/out" | sed -n 's/.*"fstype": "\([^"]*\)".*"source": "\([^"]*\)".*/\1 \2/p'
}

host_snapshot before

# The child attaches the image's mount in its own namespace.
run_traced plain "$ext4"
expect_match "plain: root mount" "$(root_mount)" '^ext4 /dev/loop[0-9]+$'

# The supervisor attaches it in its private namespace and idmaps a clone.
run_traced pick "$ext4" "[Isolation]" "PrivateUsers=pick"
expect_match "pick: root mount" "$(root_mount)" '^ext4 /dev/loop[0-9]+$'
expect_match "pick: uid map" "$(field uid_map)" '^ *0 +[1-9][0-9]* +65536$'

# Volatile=yes: the idmapped clone is of its /usr, below the attached root.
run_traced volatile "$ext4" "Volatile=yes" "[Isolation]" "PrivateUsers=pick"
expect_match "volatile: root mount" "$(root_mount)" '^tmpfs '
expect_match "volatile: uid map" "$(field uid_map)" '^ *0 +[1-9][0-9]* +65536$'

# PrivateUsers=yes: no idmapped clone, the builder builds on the attached
# mount in the supervisor's private namespace.
run_traced yes "$shifted" "[Isolation]" "PrivateUsers=yes"
expect_match "yes: root mount" "$(root_mount)" '^ext4 /dev/loop[0-9]+$'
expect_match "yes: uid map" "$(field uid_map)" '^ *0 +1310720 +65536$'

# Cloned again: --cgroup-manager=auto where systemd seems to run
# (/run/systemd/system) but its bus does not answer, in a mount namespace of
# the test's with a /run of its own. cell clones the init first, then one
# more for the cgroupfs manager; strace delays cell's connect() to the bus
# until the first has attached the image's mount, which went with it: the
# second needs a new mount of the image.
u=$(unit again "[Root]" "Image=$ext4" "[Exec]" "Exec=/bin/probe")
status=0
timeout 30 unshare -m --propagation private sh -c 'mount -t tmpfs tmpfs /run && mkdir -p /run/systemd/system &&
        exec strace -f -o "$1" -e trace=fsopen,fsmount,open_tree,move_mount,fcntl,dup,dup2,dup3,openat,connect \
                -e inject=connect:delay_enter=1000000 "$2" run -v "$3"' sh "$work/trace" "$CELL" "$u" \
        >"$work/out" 2>"$work/err" || status=$?
expect "again: status" "$status" 0
grep -q "cloning the container's init again" "$work/err" || fail "again: not cloned again: $(cat "$work/err")"
image_clones "$work/trace" > "$work/clones"
grep -q '^attached ' "$work/clones" ||
        fail "again: the first init did not attach the image's mount: $(cat "$work/clones")"
expect "again: the probe's PID" "$(field pid)" 1
expect_match "again: root mount" "$(root_mount)" '^ext4 /dev/loop[0-9]+$'
no_loop_left again
expect_nothing_left

# Cloned again, the image's lock kept: the second mount takes over the
# first's locks, never lets go of them. strace delays the second open of
# the image's path (the second mount's; -P: only calls on that path) by
# 2 s, and meanwhile another start that writes the image (ReadOnly=no, as
# this one) is refused. A lock let go there gave the image to the other
# start, and this one, whose init ran once already, failed: 'in use by
# another container'.
u=$(unit held "[Root]" "Image=$ext4" "[Exec]" "Exec=/bin/probe")
other=$(unit other "[Root]" "Image=$ext4" "[Exec]" "Exec=/bin/sleep 3")
status=0
timeout 40 unshare -m --propagation private sh -c 'mount -t tmpfs tmpfs /run && mkdir -p /run/systemd/system &&
        strace -f -o "$1" -P "$2" -e trace=openat -e inject=openat:delay_enter=2000000:when=2 \
                "$3" run -v "$4" >"$5/out" 2>"$5/err" & pid=$!
        for i in $(seq 100); do grep -q "cloning the container.s init again" "$5/err" && break; sleep 0.05; done
        sleep 0.5
        other=0; "$3" run --cgroup-manager=none "$6" >"$5/other.out" 2>"$5/other.err" || other=$?
        echo "$other" > "$5/other.status"
        wait "$pid"' sh "$work/trace" "$ext4" "$CELL" "$u" "$work" "$other" || status=$?
grep -q "cloning the container's init again" "$work/err" || fail "held: not cloned again: $(cat "$work/err")"
# Never vacuous: the delayed open was the second of the image's path.
expect "held: opens of the image" "$(grep -c "openat(.*$ext4" "$work/trace")" 2
expect "held: status" "$status" 0
expect "held: the probe's PID" "$(field pid)" 1
expect "held: the other start's status" "$(cat "$work/other.status")" 2
grep -q "Image=$ext4: in use by another container" "$work/other.err" ||
        fail "held: the other start not refused for the image: $(cat "$work/other.err")"
no_loop_left held
expect_nothing_left
