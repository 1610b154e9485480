#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# What a file of garbage costs "cell verify": a message a line, and each
# message one write() to stderr, not one per character (stderr is
# unbuffered; a file of 50,000 bad lines took 18 s, most of it in write()),
# counted with strace.
#
#   test-verify-writes.sh CELL
set -u

cell=$1
. "$(dirname "$0")/lib.sh"

need_strace

# 2,000 assignments before any [Section]: an error each.
yes 'Foo=bar' | head -n 2000 > "$tmp/tmpk2f9x"
# (LeakSanitizer cannot run under ptrace: off in an ASan build.)
ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0 \
        strace -f -e trace=write,writev -o "$tmp/strace" "$cell" verify --name web "$tmp/tmpk2f9x" \
        >/dev/null 2>"$tmp/err"
status=$?
[ "$status" = 1 ] || fail "cell verify of 2,000 bad lines: exit $status, expected 1"
lines=$(wc -l < "$tmp/err")
[ "$lines" -ge 2001 ] || fail "cell verify of 2,000 bad lines printed $lines lines (an error each, and the summary)"
writes=$(grep -c -E '^[0-9]+ +writev?\(2,' "$tmp/strace")
echo "cell verify: $lines lines of messages in $writes writes to stderr"
[ "$writes" -le $((lines + 10)) ] || fail "$lines lines took $writes writes to stderr (one a line expected)"
tail -n 1 "$tmp/err" | grep -q '^1 unit checked: 0 valid, 1 invalid\.$' || fail "summary line: $(tail -n 1 "$tmp/err")"

exit $failed
