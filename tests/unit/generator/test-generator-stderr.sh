#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# cell-generator's standard error is as it was before warnings were marked
# for the kernel log (GENERATOR_WARNING_MARK): the mark is taken off, every
# line is there, in order. Rootless: --dry-run writes nothing, and without
# $SYSTEMD_SCOPE nothing goes to /dev/kmsg.
#
#   test-generator-stderr.sh CELL-GENERATOR
set -u

gen=$1
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
failed=0
fail() {
        echo "FAIL: $*" >&2
        failed=1
}

mkdir "$tmp/units"
printf '[Install]\nAlias=other.service\n[Root]\nDirectory=/\nVolatile=yes\n[Exec]\nExec=/bin/true\nUser=9bad\n' \
        > "$tmp/units/web.cell"
printf 'warning: y=1\n[Root]\nDirectory=/\nVolatile=yes\n[Exec]\nExec=/bin/true\n' > "$tmp/units/zzz.cell"

env -u SYSTEMD_SCOPE CELL_UNIT_PATH="$tmp/units" "$gen" --dry-run "$tmp/out" >/dev/null 2>"$tmp/err"
got=$?
[ "$got" = 1 ] || fail "exit $got, expected 1 (zzz.cell is invalid)"
cat > "$tmp/want" <<EOT
cell-generator: $tmp/units/web.cell:2: warning: Alias=other.service: systemd takes only an alias of the same instance
cell-generator: $tmp/units/web.cell:8: warning: User=9bad: not a portable user or group name
cell-generator: $tmp/units/zzz.cell:1: warning: y=1: assignment before any [Section] header
cell-generator: zzz.cell is invalid, skipped
EOT
# Each line's start, as far as the want file has it.
n=0
while IFS= read -r want; do
        n=$((n + 1))
        line=$(sed -n "${n}p" "$tmp/err")
        case $line in
        "$want"*) ;;
        *) fail "line $n: \"$line\", expected it to begin \"$want\"" ;;
        esac
done < "$tmp/want"
[ "$(wc -l < "$tmp/err")" = "$n" ] || fail "$(wc -l < "$tmp/err") lines, expected $n: $(cat "$tmp/err")"
grep -q '^<' "$tmp/err" && fail "a level mark on stderr: $(cat "$tmp/err")"

# An output directory that cannot be opened, or an entry that cannot be
# written there: one line naming the path, exit 2 (it said only "No such
# file or directory", or the write's failure twice).
env -u SYSTEMD_SCOPE CELL_UNIT_PATH="$tmp/units" "$gen" "$tmp/nonexistent" >/dev/null 2>"$tmp/err"
got=$?
[ "$got" = 2 ] || fail "missing output directory: exit $got, expected 2"
grep -q "^cell-generator: cannot open the output directory $tmp/nonexistent: No such file or directory$" "$tmp/err" ||
        fail "missing output directory: not named: $(cat "$tmp/err")"
[ "$(grep -c 'No such file' "$tmp/err")" = 1 ] || fail "missing output directory: said more than once: $(cat "$tmp/err")"
mkdir "$tmp/out"
: > "$tmp/out/cell@web.service.d"
env -u SYSTEMD_SCOPE CELL_UNIT_PATH="$tmp/units" "$gen" "$tmp/out" >/dev/null 2>"$tmp/err"
got=$?
[ "$got" = 2 ] || fail "unwritable entry: exit $got, expected 2"
[ "$(grep -c 'Not a directory' "$tmp/err")" = 1 ] || fail "unwritable entry: not said once: $(cat "$tmp/err")"
grep -q "^cell-generator: cannot write $tmp/out/cell@web.service.d/" "$tmp/err" ||
        fail "unwritable entry: not named: $(cat "$tmp/err")"
# getopt's own messages carry the same prefix as every other line.
"$gen" --bogus >/dev/null 2>"$tmp/err"
got=$?
[ "$got" = 2 ] || fail "--bogus: exit $got, expected 2"
grep -q "^cell-generator: unrecognized option '--bogus'" "$tmp/err" || fail "--bogus: $(cat "$tmp/err")"

exit "$failed"
