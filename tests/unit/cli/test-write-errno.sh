#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# cell list, cell status and cell plan on a full disk (/dev/full: every
# write fails with ENOSPC) say so, "No space left on device", as "cell --help" does
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

# cell plan, as text and as JSON (its writer was list's), of a unit whose
# plan fits stdio's buffer and of one whose plan does not: the text said
# "Input/output error" of both. Every verb's --help and --version: the
# same, "Failed to write to standard output: ...".
printf '[Root]\nDirectory=/srv/r\n[Exec]\nExec=/bin/true\n' > "$CELL_UNIT_PATH/small.cell"
{
        printf '[Root]\nDirectory=/srv/r\n'
        for i in $(seq 80); do echo "BindReadOnly=/srv/a-rather-long-source-path-number-$i:/mnt/target-$i"; done
        printf '[Exec]\nExec=/bin/true\n'
} > "$CELL_UNIT_PATH/big.cell"
printf '[Exec]\nExec=/bin/false\n' > "$tmp/new.conf"
"$cell" plan big >"$tmp/out" 2>/dev/null
[ "$(stat -c %s "$tmp/out")" -gt 8192 ] || fail "plan big: the test's output is too short: $(stat -c %s "$tmp/out")"
for args in "plan small" "plan --json small" "plan big" "plan --json big" "plan --drop-in=big $tmp/new.conf"; do
        check "$args"
done
for verb in "" verify plan run list status stop kill exec; do
        for opt in --help --version; do
                [ -n "$verb" ] && [ "$opt" = --version ] && continue
                # shellcheck disable=SC2086 # no verb: none
                "$cell" $verb $opt >/dev/full 2>"$tmp/err"
                got=$?
                [ "$got" = 2 ] || fail "$verb $opt >/dev/full: exit $got, expected 2"
                grep -qx "cell: Failed to write to standard output: No space left on device" "$tmp/err" ||
                        fail "$verb $opt >/dev/full: $(cat "$tmp/err")"
        done
done

exit $failed
