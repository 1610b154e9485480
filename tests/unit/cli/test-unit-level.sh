#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# A unit's problems on a service's journal stream ($JOURNAL_STREAM names
# stderr, as for cell@NAME.service) carry their level, as cell's other
# messages do (cell@.service(8), OUTPUT AND THE JOURNAL): "<3>FILE:LINE: ..."
# for an error, "<4>" for a warning, so that "journalctl -p err" shows why a
# start failed; on a terminal or a file, none. Rootless: the unit is
# refused before anything starts.
#
#   test-unit-level.sh CELL
set -u

cell=$1
. "$(dirname "$0")/lib.sh"

cat > "$CELL_UNIT_PATH/bad.cell" <<EOF
[Root]
Directory=$tmp
[Exec]
Exec=/bin/true
User=9bad
NotifyReady=maybe
EOF
: > "$tmp/stream"
stream=$(stat -c '%d:%i' "$tmp/stream")
for verb in run verify; do
        env JOURNAL_STREAM="$stream" "$cell" "$verb" bad >/dev/null 2>>"$tmp/stream"
        got=$?
        [ "$got" = 1 ] || fail "$verb on the journal stream: exit $got, expected 1"
        grep -qx "<3>$CELL_UNIT_PATH/bad.cell:6: NotifyReady=maybe: expected .*" "$tmp/stream" ||
                fail "$verb on the journal stream: the error is not at <3>: $(cat "$tmp/stream")"
        grep -qx "<4>$CELL_UNIT_PATH/bad.cell:5: warning: User=9bad: .*" "$tmp/stream" ||
                fail "$verb on the journal stream: the warning is not at <4>: $(cat "$tmp/stream")"
        : > "$tmp/stream"
done

# An error whose text has "warning: " where a warning's would be (a key as
# the unit wrote it, a directory's name) is still an error: the level is
# the one the message was made with, not read back from its text.
printf 'warning: y=1\n[Root]\nDirectory=%s\n[Exec]\nExec=/bin/true\n' "$tmp" > "$CELL_UNIT_PATH/w.cell"
mkdir -p "$tmp/a: warning: b"
printf '[Root]\nDirectory=%s\n[Exec]\nExec=/bin/true\nNotifyReady=maybe\n' "$tmp" > "$tmp/a: warning: b/v.cell"
for unit in w "$tmp/a: warning: b/v.cell"; do
        env JOURNAL_STREAM="$stream" "$cell" verify "$unit" >/dev/null 2>>"$tmp/stream"
        got=$?
        [ "$got" = 1 ] || fail "verify $unit on the journal stream: exit $got, expected 1"
done
grep -qx "<3>$CELL_UNIT_PATH/w.cell:1: warning: y=1: assignment before any \[Section\] header" "$tmp/stream" ||
        fail "a key that reads \"warning: \" is not at <3>: $(cat "$tmp/stream")"
grep -qx "<3>$tmp/a: warning: b/v.cell:5: NotifyReady=maybe: expected .*" "$tmp/stream" ||
        fail "a directory that reads \"warning: \" is not at <3>: $(cat "$tmp/stream")"
grep -q "^<4>" "$tmp/stream" && fail "an error at <4>: $(cat "$tmp/stream")"
: > "$tmp/stream"

# Not the journal stream (another file's device and inode): no prefix.
expect 1 "run, stderr not the journal stream" -- env JOURNAL_STREAM="$stream" "$cell" run bad
grep -q "^<" "$tmp/err" && fail "a level prefix where stderr is no journal stream: $(cat "$tmp/err")"
grep -qx "$CELL_UNIT_PATH/bad.cell:6: NotifyReady=maybe: expected .*" "$tmp/err" ||
        fail "the error is not as written: $(cat "$tmp/err")"

exit "$failed"
