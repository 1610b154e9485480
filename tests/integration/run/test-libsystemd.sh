#!/bin/bash
# cell loads libsystemd with dlopen() on first use (src/cli/libsystemd-dlopen.h):
# not linked, not loaded by "cell verify" nor by a "cell run" that asks no bus
# (the cgroupfs manager or none: the event loop is cell's own,
# src/basic/event-loop.h), loaded by one with the systemd manager; and one
# that cannot be loaded ends that with a message and exit status 2, having
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

for manager in cgroupfs none; do
        status=0
        LD_DEBUG=libs timeout 20 "$CELL" run --cgroup-manager=$manager "$u" >"$work/out" 2>"$work/err" || status=$?
        expect "cell run --cgroup-manager=$manager" "$status" 0
        ! grep -q 'libsystemd' "$work/err" || fail "cell run --cgroup-manager=$manager loaded libsystemd"
        # Nor the libraries that come with it.
        ! grep -Eq 'calling init: .*lib(gcrypt|lzma|zstd|lz4)' "$work/err" ||
                fail "cell run --cgroup-manager=$manager loaded libsystemd's libraries"
done
# The systemd manager loads it (there is no bus here: the start fails after).
LD_DEBUG=libs timeout 20 "$CELL" run --cgroup-manager=systemd "$u" >"$work/out" 2>"$work/err" || true
grep -q 'calling init: .*libsystemd\.so\.0' "$work/err" || fail "cell run --cgroup-manager=systemd did not load libsystemd"

# A libsystemd.so.0 that is no library, found first. cell loads it once it
# has cloned the container's init (src/cli/run.c): that init goes when the
# load fails. The cgroupfs manager never looks for it.
mkdir "$work/lib"
echo "not a library" > "$work/lib/libsystemd.so.0"
host_snapshot before
status=0
LD_LIBRARY_PATH=$work/lib timeout 20 "$CELL" run --cgroup-manager=systemd "$u" >"$work/out" 2>"$work/err" ||
        status=$?
expect "a broken libsystemd: exit status" "$status" 2
expect_match "a broken libsystemd: the message" "$(cat "$work/err")" \
        'Cannot load libsystemd\.so\.0: .*libsystemd\.so\.0'
expect_nothing_left
[ ! -e "/run/cell/$(unit_name lib)" ] || fail "runtime state left behind"
status=0
LD_LIBRARY_PATH=$work/lib timeout 20 "$CELL" run --cgroup-manager=cgroupfs "$u" >"$work/out" 2>"$work/err" ||
        status=$?
expect "a broken libsystemd, cgroupfs: exit status" "$status" 0
expect_nothing_left
echo "ok"
