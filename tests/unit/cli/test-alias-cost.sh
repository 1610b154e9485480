#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# What the symlinks of other units in the search path cost a unit that
# cell run (or verify) loads, counted in system calls with strace: a few
# per link (an lstat() and a readlink() tell what it is), not a lookup of
# each link's target through every search directory, nor a realpath() of
# every search directory per link. With 60 links, three search directories
# and the targets in the last one, that was about 18 system calls per link.
#
#   test-alias-cost.sh CELL
set -u

cell=$1
. "$(dirname "$0")/lib.sh"

need_strace

# Three search directories, as /etc/cell, /run/cell and /usr/lib/cell.
export CELL_UNIT_PATH=$tmp/etc:$tmp/run:$tmp/usr
mkdir -p "$tmp/etc" "$tmp/run" "$tmp/usr"
unit='[Root]
Directory=/srv/x
[Exec]
Exec=/bin/true'
echo "$unit" > "$tmp/etc/plain.cell"
echo "$unit" > "$tmp/usr/nginx.cell"
ln -s nginx.cell "$tmp/usr/web.cell"

syscalls() {    # syscalls NAME: how many system calls "cell verify NAME" makes
        # (LeakSanitizer cannot run under ptrace: off in an ASan build.)
        ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0 \
                strace -f -c -o "$tmp/strace" "$cell" verify "$1" >/dev/null 2>"$tmp/verify.err" ||
                { cat "$tmp/verify.err" >&2; return 1; }
        awk '$NF == "total" { print $(NF - 2) }' "$tmp/strace"
}

before=$(syscalls plain) || { fail "cell verify plain failed"; exit 1; }
# Aliases of 60 other units: absolute links from etc/ into usr/ (as
# "systemctl enable" makes them for an Alias=), relative ones within usr/.
for i in $(seq 1 30); do
        echo "$unit" > "$tmp/usr/u$i.cell"
        ln -s "$tmp/usr/u$i.cell" "$tmp/etc/a$i.cell"
        echo "$unit" > "$tmp/usr/v$i.cell"
        ln -s "v$i.cell" "$tmp/usr/b$i.cell"
done
after=$(syscalls plain) || { fail "cell verify plain failed with the links"; exit 1; }
per_link=$(( (after - before) / 60 ))
echo "cell verify plain: $before system calls, $after with 60 other units' aliases ($per_link per link)"
[ "$per_link" -le 3 ] || fail "each unrelated alias costs $per_link system calls (at most 3 expected)"

# The unit's own aliases are still found (web's drop-ins apply to nginx).
mkdir -p "$tmp/etc/web.cell.d"
printf '[Unit]\nDescription=via web\n' > "$tmp/etc/web.cell.d/10-web.conf"
"$cell" plan --json nginx 2>/dev/null | grep -qF "\"$tmp/etc/web.cell.d/10-web.conf\"" ||
        fail "nginx does not read the drop-ins of its alias web"
"$cell" plan --json u7 >/dev/null 2>&1 || fail "cell plan u7 failed"

exit $failed
