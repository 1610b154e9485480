#!/bin/bash
# As test-kill-undo.sh, for more unit variants, each with PrivateUsers=no
# and pick: the process that builds the tree killed (SIGKILL, by strace)
# before a call of each kind it makes -- mkdirat, the record's pwrite64,
# move_mount, fsmount, open_tree, mount_setattr, symlinkat, renameat, the
# O_CREAT or O_TMPFILE openat and the linkat of a new /etc file, the
# pivot's detach of the old root -- leaves the image, the host's directories, mounts, loop
# devices and processes as they were. The variants: Volatile=yes and
# Volatile=overlay (a root of cell's own: only what goes on the host
# counts), Image= of an ext4 image on a loop device (mount points made in
# it), and BindReadOnly=, TemporaryFileSystem=, a "+" Bind= (in the root),
# a Bind= of a file, credentials, ResolvConf=replace-host and
# Timezone=copy. Each kind's first, middle and last kill point; every one
# with CELL_TEST_FULL=1.
. "$(dirname "$0")/lib.sh"
for t in strace mkfs.ext4 losetup; do
        command -v "$t" >/dev/null || { echo "skipped: $t missing (tests/lib/install-deps)"; exit 77; }
done
[ -f /etc/resolv.conf ] || { echo "skipped: the host has no /etc/resolv.conf"; exit 77; }
[ -f /etc/localtime ] || { echo "skipped: the host has no /etc/localtime"; exit 77; }
# With PrivateUsers= the builder works as the container's root: it must reach the root.
chmod 755 "$work"
. "$(dirname "$0")/kill-lib.sh"

host=$work/host
mkdir -p "$host/srcdir" "$host/lower"
echo lower > "$host/lower/file"
echo secret > "$host/cred"
rm -f "$root/etc/resolv.conf" "$root/etc/localtime"
# Volatile=yes takes the image's /usr alone: a copy with /bin and /sbin in it.
merged=$work/merged
merged_root "$merged"
list_dirs=("$merged")
ext4=$work/root.ext4
truncate -s 64M "$ext4"
mkfs.ext4 -q -d "$root" "$ext4"
mkdir "$work/mnt"
# The ext4 image's tree, mounted read-only without replaying its journal.
list_image() {
        [ "$kind" = image ] || return 0
        mount -o ro,noload,loop "$ext4" "$work/mnt"
        find "$work/mnt" -printf 'image:%P %M %s\n'
        umount "$work/mnt"
}

calls_traced=mkdirat,pwrite64,move_mount,fsmount,open_tree,mount_setattr,symlinkat,renameat
for variant in volatile-no volatile-pick overlay-no overlay-pick image-no image-pick more-no more-pick; do
        kind=${variant%-*} mode=${variant##*-}
        keys=("Bind=$host/srcdir:/a/b" "Overlay=$host/lower:$host/up/new/upper:/o/h")
        exec_keys=("ResolvConf=copy-host" "Timezone=copy")
        top=$root
        case $kind in
        volatile) keys+=("Directory=$merged" "Volatile=yes"); top=$merged ;;
        overlay) keys+=("Directory=$root" "Volatile=overlay") ;;
        image) keys+=("Image=$ext4"); exec_keys=("ResolvConf=copy-host"); top=/run/cell/image-root ;;
        more) keys+=("Directory=$root" "BindReadOnly=$host/srcdir:/r/o" "TemporaryFileSystem=/t/f"
                     "Bind=+/etc:/p/q" "Bind=$host/cred:/f/g")
              exec_keys=("ResolvConf=replace-host" "Timezone=copy" "SetCredential=x:y"
                         "LoadCredential=z:$host/cred") ;;
        esac
        u=$(unit "kv-$variant" "[Root]" "${keys[@]}" "[Isolation]" "PrivateUsers=$mode" "[Exec]" "Exec=/nosuch" \
                "${exec_keys[@]}")
        listing > "$work/tree.before"
        # Once without strace (the seccomp cache filled), once traced to count.
        start "$variant: no kill"
        grep -q "Exec=/nosuch: not found in the container" "$work/err" || fail "$variant: $(cat "$work/err")"
        start "$variant: traced" -f -e trace=execve,clone3,$calls_traced
        cp "$work/trace" "$work/trace.all"
        killed=0 skipped=0
        for call in ${calls_traced//,/ }; do
                cp "$work/trace.all" "$work/trace"
                read -r sup most <<<"$(calls "$call")"
                # From the first that is not the supervisor's (which would
                # be killed itself: the counts are per process).
                for n in $(kill_points $((sup + 1)) "$most"); do
                        kill_at "$variant: killed at $call" "$n" -f -e trace=execve,clone3,"$call" \
                                -e inject="$call:signal=KILL:when=$n"
                done
        done
        # The O_CREAT (or O_TMPFILE) openat() and the linkat() of a new file
        # in /etc (a copy is written nameless, linked at its temporary name
        # once whole: fs-util.h), and the O_CREAT openat() of the file Bind=
        # makes: -P picks them, one place at a time (the take-back's O_PATH
        # look at what was made at a place comes after the build's own two
        # calls there, its look and its O_CREAT, so never at the count
        # strace kills at).
        runs=("openat etc" "linkat etc")
        [ "$kind" != more ] || runs+=("openat f")
        for run in "${runs[@]}"; do
                read -r call place <<<"$run"
                paths=(-P "$top/$place")
                start "$variant: traced $call" -f "${paths[@]}" -e trace="$call"
                most=$(awk -v c="$call(" 'index($2, c) == 1 && ($0 ~ /O_CREAT|O_TMPFILE/ || c == "linkat(") { print NR }' \
                        "$work/trace" | wc -l)
                [ "$most" -gt 0 ] || fail "$variant: no $call of a new file"
                # The build's own (the first process seen), not the take-back's.
                last=$(awk -v c="$call(" 'NR == 1 { p = $1 } $1 == p && index($2, c) == 1 { n++ } END { print n + 0 }' \
                        "$work/trace")
                for n in $(kill_points 1 "$last"); do
                        kill_at "$variant: killed at $call" "$n" -f "${paths[@]}" -e trace="$call" \
                                -e inject="$call:signal=KILL:when=$n"
                done
        done
        # Between pivot_root and the detach of the old root (umount2(".")).
        start "$variant: killed before the old root's detach" -f -P . -e trace=umount2 \
                -e inject=umount2:signal=KILL:when=1
        grep -q "Exec=/nosuch" "$work/err" && fail "$variant: the old root's detach was not killed"
        [ "$killed" -gt 10 ] || fail "$variant: only $killed of the starts were killed while they built"
        echo "$variant: $killed starts killed while they built, nothing left ($skipped kills of the take-back skipped)"
done
echo ok
