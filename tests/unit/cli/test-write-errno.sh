#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# cell list and cell status on a full disk (/dev/full: every write fails
# with ENOSPC) say so, "No space left on device", as "cell --help" does
# (test-args.sh), not "Input/output error": the JSON writer and the list's
# table returned EIO for any failure. Also once the output is longer than
# stdio's buffer, where the write that failed is one of the buffer filling
# up, and the final fflush() then succeeds. Exit 2.
#
#   test-write-errno.sh CELL
set -u

cell=$1
. "$(dirname "$0")/lib.sh"

# check ARGS: "cell ARGS >/dev/full" exits 2 naming ENOSPC.
check() {
        # shellcheck disable=SC2086 # a word list on purpose
        "$cell" $1 >/dev/full 2>"$tmp/err"
        got=$?
        [ "$got" = 2 ] || fail "$1 >/dev/full: exit $got, expected 2"
        grep -q "^cell: Failed to print .*: No space left on device$" "$tmp/err" ||
                fail "$1 >/dev/full: $(cat "$tmp/err")"
}

fake_running plain "$tmp/p.cell"
for args in "list" "list --json" "list --no-legend" "status plain" "status --json plain" "status nosuch" \
            "status --json nosuch"; do
        check "$args"
done

# More than a buffer of stdio's (4 KiB, /dev/full's st_blksize), for both
# of list's outputs: its lines are about 100 bytes, its objects 500.
for i in $(seq 60); do
        fake_running "cell-with-a-rather-long-name-to-fill-the-buffer-$i" "$tmp/p.cell"
done
"$cell" list >"$tmp/out" 2>/dev/null
[ "$(stat -c %s "$tmp/out")" -gt 4096 ] || fail "list: the test's output is too short: $(stat -c %s "$tmp/out")"
for args in "list" "list --json" "list --no-legend"; do
        check "$args"
done

exit $failed
