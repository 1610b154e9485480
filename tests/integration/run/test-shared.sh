#!/bin/bash
# A failed start takes back what it made, but not from under another
# container: Directory= and a Bind= source directory may be shared (two
# instances of a template, two units binding one host directory), and a
# mount point made there may be another container's by now, in its own
# mount namespace, where an rmdir() would silently detach it (shared-lock.h).
#   1. A makes /data (for its Bind=) and /newa, and stops after its
#      pivot_root (strace delays it); B starts meanwhile on the same root
#      with the same Bind=, finds /data and mounts on it; A then fails
#      (Exec=/nosuch): it leaves /data and /newa, says so naming the root,
#      and B still sees its bind mount.
#   2. B handed over to cell-monitor, which holds its locks: A fails again
#      having made /newa, and leaves it; also with PrivateUsers=pick, where
#      a builder of its own makes A's tree.
#   3. B stopped: A's failed start alone takes back everything it made.
. "$(dirname "$0")/lib.sh"
command -v strace >/dev/null || { echo "skipped: no strace"; exit 77; }
# With PrivateUsers= the builder works as the container's root: it must reach the root.
chmod 755 "$work"

host=$work/host
mkdir -p "$host/x" "$host/y"
echo "from x $marker" > "$host/x/file"
[ ! -e "$root/data" ] && [ ! -e "$root/newa" ] || fail "the image has /data or /newa already"

listing() {
        { find "$root" "$host" -type d -printf '%p %M\n'
          find "$root" "$host" ! -type d -printf '%p %M %s\n'; } | sort
}

ua=$(unit a "[Root]" "Directory=$root" "Bind=$host/x:/data" "Bind=$host/y:/newa" "[Exec]" "Exec=/nosuch")
ub=$(unit b "[Root]" "Directory=$root" "Bind=$host/x:/data" "[Exec]" "Exec=/bin/sleep 60" "Init=yes")
b=$(unit_name b)

# b_sees WHAT: B's /data/file, through cell exec.
b_sees() {
        "$CELL" exec "$b" /bin/cat /data/file 2>&1 || true
}

# start_a: A's failing start; $status, $work/err.
start_a() {
        status=0
        timeout 30 "$@" "$CELL" run --cgroup-manager=cgroupfs "$ua" >"$work/out" 2>"$work/err" || status=$?
        expect "A: status" "$status" 2
        grep -q "Exec=/nosuch: not found in the container" "$work/err" || fail "A: $(cat "$work/err")"
}

# --- 1. B starts on what A made, while A's start is still under way.
start_a strace -f -o /dev/null -e trace=pivot_root -e inject=pivot_root:delay_exit=4000000 &
apid=$!
for _ in $(seq 100); do
        [ -d "$root/data" ] && [ -d "$root/newa" ] && break
        sleep 0.05
done
[ -d "$root/data" ] || fail "A made no /data"
"$CELL" run --cgroup-manager=cgroupfs "$ub" >"$work/out.b" 2>"$work/err.b" &
bpid=$!
for _ in $(seq 100); do
        [ "$(b_sees)" = "from x $marker" ] && break
        sleep 0.05
done
expect "B sees its Bind= while A starts" "$(b_sees)" "from x $marker"
wait "$apid" || fail "A's start did not fail as expected"
expect "B still sees its Bind= after A's take-back" "$(b_sees)" "from x $marker"
[ -d "$root/data" ] && [ -d "$root/newa" ] || fail "A took back under B: $(ls "$root")"
grep -q "^cell: $(unit_name a): left .*/data.*: another container uses $root\$" "$work/err" ||
        fail "A did not say what it left: $(cat "$work/err")"
expect "A: one word per busy place" "$(grep -c 'another container uses' "$work/err")" 2
grep -q "another container uses $host/x\$" "$work/err" || fail "A did not name the Bind= source: $(cat "$work/err")"
echo "1: A left /data and /newa under B"

# --- 2. B under cell-monitor: its locks went with the hand-over.
wait_handed_over "$bpid" 20 || fail "B's supervisor: '$(cat "/proc/$bpid/comm" 2>/dev/null)', not cell-monitor"
rmdir "$root/newa"
start_a
[ -d "$root/newa" ] || fail "A took back /newa while cell-monitor ran B"
grep -q "^cell: $(unit_name a): left /newa: another container uses $root\$" "$work/err" ||
        fail "A did not say what it left: $(cat "$work/err")"
expect "B after the second" "$(b_sees)" "from x $marker"
echo "2: A left /newa under cell-monitor"

# --- 2b. The same with PrivateUsers=: the builder builds, the supervisor holds the locks.
rmdir "$root/newa"
ua=$(unit a "[Root]" "Directory=$root" "Bind=$host/x:/data" "Bind=$host/y:/newa" "[Isolation]" "PrivateUsers=pick" \
        "[Exec]" "Exec=/nosuch")
start_a
[ -d "$root/newa" ] || fail "PrivateUsers=: A took back /newa while cell-monitor ran B"
grep -q "^cell: $(unit_name a): left /newa: another container uses $root\$" "$work/err" ||
        fail "PrivateUsers=: A did not say what it left: $(cat "$work/err")"
expect "B after the third" "$(b_sees)" "from x $marker"
echo "2b: A with PrivateUsers= left /newa under cell-monitor"

# --- 3. Alone: everything goes, nothing said.
kill -TERM "$bpid"
wait "$bpid" || true
rmdir "$root/data" "$root/newa"
for users in no pick; do
        ua=$(unit a "[Root]" "Directory=$root" "Bind=$host/x:/data" "Bind=$host/y:/newa" "[Isolation]" \
                "PrivateUsers=$users" "[Exec]" "Exec=/nosuch")
        host_snapshot before
        listing > "$work/tree.before"
        start_a
        listing > "$work/tree.after"
        diff -u "$work/tree.before" "$work/tree.after" >&2 || fail "PrivateUsers=$users: A alone left something behind"
        grep -q "another container" "$work/err" && fail "PrivateUsers=$users: A alone: $(cat "$work/err")"
        expect_nothing_left
done
echo ok
