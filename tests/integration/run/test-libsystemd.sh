#!/bin/bash
# cell loads libsystemd with dlopen() on first use (src/cli/libsystemd-dlopen.h):
# not linked, not loaded by "cell verify", loaded by "cell run"; and one
# that cannot be loaded ends cell with a message and exit status 2, having
# made nothing.
. "$(dirname "$0")/lib.sh"

u=$(unit lib "[Root]" "Directory=$root" "ReadOnly=yes" "[Exec]" "Exec=/bin/true")

! ldd "$CELL" | matches libsystemd || fail "cell is linked with libsystemd: $(ldd "$CELL" | grep libsystemd)"
# ... and says so to packaging tools, in systemd's dlopen note.
notes=$(readelf -n "$CELL" || true)   # binutils 2.40 exits 1 on a note type it does not know
grep -q '0x407c0c0a' <<<"$notes" || fail "no .note.dlopen in cell"
grep -aq '"priority":"required","soname":\["libsystemd.so.0"\]' "$CELL" || fail "the dlopen note does not name libsystemd.so.0"

LD_DEBUG=libs "$CELL" verify "$u" >"$work/out" 2>"$work/err" || fail "cell verify failed: $(cat "$work/err")"
! grep -q 'libsystemd' "$work/err" || fail "cell verify loaded libsystemd"

status=0
LD_DEBUG=libs timeout 20 "$CELL" run --cgroup-manager=cgroupfs "$u" >"$work/out" 2>"$work/err" || status=$?
expect "cell run" "$status" 0
grep -q 'calling init: .*libsystemd\.so\.0' "$work/err" || fail "cell run did not load libsystemd"

# A libsystemd.so.0 that is no library, found first. cell loads it once it
# has cloned the container's init (src/cli/run.c; with cgroupfs into the
# cgroup it made first): that init and that cgroup go when the load fails.
mkdir "$work/lib"
echo "not a library" > "$work/lib/libsystemd.so.0"
for manager in cgroupfs systemd; do
        host_snapshot before
        status=0
        LD_LIBRARY_PATH=$work/lib timeout 20 "$CELL" run --cgroup-manager=$manager "$u" >"$work/out" 2>"$work/err" ||
                status=$?
        expect "a broken libsystemd, $manager: exit status" "$status" 2
        expect_match "a broken libsystemd, $manager: the message" "$(cat "$work/err")" \
                'Cannot load libsystemd\.so\.0: .*libsystemd\.so\.0'
        expect_nothing_left
        [ ! -e "/run/cell/$(unit_name lib)" ] || fail "$manager: runtime state left behind"
done
echo "ok"
