#!/bin/bash
# A tree may not make the kernel run cell's own binary in the container:
# /proc/self/exe of the process that execs the payload (or cell exec's
# command) is cell's binary on the host's file system, and the container's
# root (no PrivateUsers=) could reopen it for writing once no cell runs it
# (CVE-2019-5736's class). A link to it, a "#!" line naming it (two scripts
# deep) and the same through cell exec are refused, naming the path; the
# loader and libraries cell needs are in the tree, so that without the
# check the exec would run cell ("cell 0.1.0"). cell exec runs from a
# sealed memfd copy of cell, so that a path swapped between its check and
# the exec finds no host file either.
. "$(dirname "$0")/lib.sh"

for f in $(ldd "$CELL" | grep -o '/[^ ]*'); do
        mkdir -p "$root$(dirname "$f")"
        cp -L "$f" "$root$f"
done
ln -s /proc/self/exe "$root/bin/x"
printf '#!/proc/self/exe --version\n' > "$root/bin/y"
printf '#!/bin/y\n' > "$root/bin/z"
chmod 755 "$root/bin/y" "$root/bin/z"
host_snapshot before

for cmd in /bin/x /bin/y /bin/z; do
        u=$(unit selfexe "[Root]" "Directory=$root" "[Exec]" "Exec=$cmd --version")
        run_cell none "$u"
        expect "Exec=$cmd: status ($(cat "$work/err"))" "$status" 2
        grep -q "Exec=$cmd: .*a /proc magic link on the way" "$work/err" || fail "Exec=$cmd: not named: $(cat "$work/err")"
        ! grep -q "^cell " "$work/out" || fail "Exec=$cmd: cell ran in the container: $(cat "$work/out")"
done
grep -q "its interpreter /proc/self/exe" "$work/err" || fail "two scripts deep: the interpreter not named"

# A plain link to a program is fine (busybox's applets are links).
u=$(unit plainlink "[Root]" "Directory=$root" "[Exec]" "Exec=/bin/sh -c 'echo fine'")
run_cell none "$u"
expect "a plain link: status ($(cat "$work/err"))" "$status" 0
expect "a plain link: output" "$(cat "$work/out")" fine

# cell exec into a running cell: the same check.
u=$(unit waiting "[Root]" "Directory=$root" "[Exec]" "Exec=/bin/probe sleep 60 $marker" "Init=yes" \
        "PassEnvironment=CELL_EXEC_SEALED_COPY")
start_cell none "$u"
for cmd in /bin/x /bin/z; do
        status=0
        timeout 20 "$CELL" exec "$(unit_name waiting)" "$cmd" --version >"$work/out" 2>"$work/err" || status=$?
        [ "$status" -ne 0 ] || fail "cell exec $cmd: status 0: $(cat "$work/out")"
        grep -q "$cmd: .*a /proc magic link on the way" "$work/err" ||
                fail "cell exec $cmd: not named: $(cat "$work/err")"
        ! grep -q "^cell " "$work/out" || fail "cell exec $cmd: cell ran in the container: $(cat "$work/out")"
done
# And cell exec itself runs from a sealed copy of its binary: no process of
# it (the one in the cell before the exec included) is the host's file.
timeout 20 "$CELL" exec "$(unit_name waiting)" /bin/sh -c 'echo up; sleep 3' >"$work/out" 2>"$work/err" &
execpid=$!
for _ in $(seq 100); do [ -s "$work/out" ] && break; sleep 0.05; done
pid=$(pgrep -P "$execpid" -x cell) || fail "cell exec: no process named cell: $(cat "$work/err")"
exe=$(readlink "/proc/$pid/exe")
expect_match "cell exec: its binary" "$exe" "^/memfd:cell"
wait "$execpid" || fail "cell exec: $(cat "$work/err")"
expect "cell exec: output" "$(cat "$work/out")" up
# The copy's marker in its environment goes before the command's is made.
out=$("$CELL" exec "$(unit_name waiting)" /bin/env) || fail "cell exec env failed"
! grep -q CELL_EXEC_SEALED_COPY <<< "$out" || fail "cell exec: the copy's marker reached the command: $out"
stop_cell

expect_nothing_left
echo ok
