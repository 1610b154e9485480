#!/bin/bash
# PrivateUsers=yes: the range starts at the owner of Directory= (nspawn's
# shifted image). A tree that is not shifted -- owned by root, or by any UID
# below 65536 -- would make the container's root the host's root (uid_map
# "0 0 65536"): refused, exit status 2, nothing left behind.
. "$(dirname "$0")/../run/lib.sh"
chmod 755 "$work"

# --- an unshifted tree (make-root's, owned by root)
u=$(unit yesroot "[Root]" "Directory=$root" "[Exec]" "Exec=/bin/probe" "[Isolation]" "PrivateUsers=yes")
host_snapshot before
for manager in none cgroupfs; do
        run_cell "$manager" "$u"
        expect "$manager: root-owned Directory=: status" "$status" 2
        grep -q "PrivateUsers=yes: Directory=$root is owned by UID 0, .*the container's root would be the host's root" \
                "$work/err" || fail "$manager: no clear message: $(cat "$work/err")"
        grep -q "PrivateUsers=pick" "$work/err" || fail "$manager: the message does not say what to do: $(cat "$work/err")"
        [ ! -s "$work/out" ] || fail "$manager: the payload ran: $(cat "$work/out")"
        expect_nothing_left
done

# --- a tree shifted to 0x80000 (every owner + 0x80000): its range
shifted=$work/shifted
cp -a "$root" "$shifted"
while read -r f; do
        read -r uid gid <<<"$(stat -c '%u %g' "$f")"
        chown -h "$((uid + 0x80000)):$((gid + 0x80000))" "$f"
done < <(find "$shifted")
us=$(unit yesshifted "[Root]" "Directory=$shifted" "[Exec]" "Exec=/bin/probe" "[Isolation]" "PrivateUsers=yes")
run_cell cgroupfs "$us"
[ "$status" = 0 ] || fail "shifted tree: status $status: $(cat "$work/err")"
expect "shifted tree: uid_map" "$(echo $(field uid_map))" "0 524288 65536"
expect "shifted tree: root inside" "$(field uid)" 0
echo ok
