#!/bin/sh
# The example units: each verifies, and its "cell plan --json" is byte for
# byte the checked-in golden file.
#
#   test-examples.sh CELL EXAMPLES_DIR GOLDEN_DIR
#
# GOLDEN_UPDATE=1 rewrites the golden files instead (review the diff!).
# The plans must not depend on the checkout or the host: cell runs in the
# examples directory on relative paths, with a clean environment.
set -eu

cell=$1
case $cell in /*) ;; *) cell=$PWD/$cell ;; esac
examples=$2
golden=$3
failed=0
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# The checkout, for the documentation's examples below.
src=$(cd "$examples/../.." && pwd)
cd "$examples"

# name  file  [cell plan options]
while read -r name file opts; do
        # shellcheck disable=SC2086 # opts is a word list on purpose
        if ! env -i PATH=/usr/bin:/bin "$cell" verify $opts "./$file" 2>"$tmp/verify.err"; then
                echo "FAIL: cell verify $opts ./$file" >&2
                cat "$tmp/verify.err" >&2
                failed=1
                continue
        fi
        # shellcheck disable=SC2086
        env -i PATH=/usr/bin:/bin "$cell" plan --json $opts "./$file" >"$tmp/$name.json"
        # shellcheck disable=SC2086
        env -i PATH=/usr/bin:/bin TERM=dumb "$cell" plan --json $opts "./$file" >"$tmp/$name.again.json"
        if ! cmp -s "$tmp/$name.json" "$tmp/$name.again.json"; then
                echo "FAIL: two runs of cell plan --json ./$file differ" >&2
                failed=1
        fi
        if [ "${GOLDEN_UPDATE:-0}" = 1 ]; then
                cp "$tmp/$name.json" "$golden/$name.json"
                echo "updated $golden/$name.json"
        elif ! diff -u "$golden/$name.json" "$tmp/$name.json" >&2; then
                echo "FAIL: cell plan --json ./$file differs from $golden/$name.json" >&2
                echo "      (if the change is intended: GOLDEN_UPDATE=1 meson test test-examples)" >&2
                failed=1
        else
                echo "ok: $file"
        fi
done <<'LIST'
hello hello.cell
web web.cell
worker@3 worker@.cell --name worker@3
LIST

# The unit files the documentation shows verify as written: README.md's ini
# blocks, the EXAMPLE of cell.unit(5) and of cell-generator(8), and
# cell.syntax(7)'s template with its drop-in, whose command line the page
# spells out. In a man page's code block "\\" is one backslash, as the page
# shows it.
mkdir "$tmp/doc" "$tmp/doc/units"
awk -v d="$tmp/doc" '/^```ini$/ { n++; on = 1; next } /^```$/ { on = 0 } on { print > (d "/readme-" n ".cell") }' \
        "$src/README.md"
awk -v d="$tmp/doc" '/^# EXAMPLE$/ { ex = 1 } /^# SEE ALSO/ { ex = 0 }
        ex && /^```$/ { on = !on; next } ex && on { print > (d "/unit-5.cell") }' "$src/man/cell.unit.5.scd"
awk '/^```$/ { on = !on; next } on' "$src/man/cell-generator.8.scd" > "$tmp/doc/generator-8.cell"
awk '/^```$/ { on = !on; if (on) n++; next } on && n == 1' "$src/man/cell.syntax.7.scd" |
        sed 's/\\\\/\\/g' > "$tmp/doc/units/worker@.cell"
mkdir "$tmp/doc/units/worker@.cell.d"
awk '/^```$/ { on = !on; if (on) n++; next } on && n == 2' "$src/man/cell.syntax.7.scd" \
        > "$tmp/doc/units/worker@.cell.d/50-memory.conf"
for f in "$tmp"/doc/readme-1.cell "$tmp"/doc/readme-2.cell "$tmp"/doc/unit-5.cell "$tmp"/doc/generator-8.cell; do
        if [ ! -s "$f" ]; then
                echo "FAIL: no example unit for $f in the documentation" >&2
                failed=1
        elif ! env -i PATH=/usr/bin:/bin CELL_UNIT_PATH="$tmp/doc/units" "$cell" verify "$f" 2>"$tmp/verify.err"; then
                echo "FAIL: cell verify of the documentation's example $(basename "$f"):" >&2
                cat "$f" "$tmp/verify.err" >&2
                failed=1
        elif grep -q '^Exec=/bin/httpd' "$f" && ! grep -q '^Init=yes' "$f"; then
                # busybox httpd as PID 1 has no SIGTERM handler, which the
                # kernel then drops: every stop would wait TimeoutStopSec=
                # for its SIGKILL and end the service failed (137).
                echo "FAIL: $(basename "$f"): httpd without Init=yes ignores the stop" >&2
                failed=1
        else
                echo "ok: $(basename "$f")"
        fi
done
# cell@.service(8)'s THE TEMPLATE is units/cell@.service.in, setting for setting.
grep -v -e '^#' -e '^$' "$src/units/cell@.service.in" | sed 's|@bindir@|/usr/bin|' > "$tmp/doc/service.want"
awk '/^# THE TEMPLATE/ { f = 1 } f && /^```$/ { on = !on; if (!on) exit; next } f && on && !/^$/' \
        "$src/man/cell@.service.8.scd" > "$tmp/doc/service.man"
if ! diff -u "$tmp/doc/service.want" "$tmp/doc/service.man" >&2; then
        echo "FAIL: cell@.service(8)'s THE TEMPLATE differs from units/cell@.service.in" >&2
        failed=1
else
        echo "ok: cell@.service(8)'s template"
fi

cmd=$(env -i PATH=/usr/bin:/bin CELL_UNIT_PATH="$tmp/doc/units" "$cell" plan worker@3 2>&1 | sed -n 's/^Command: *//p')
if [ "$cmd" != "/bin/worker --queue=3 --state=/var/lib/worker-3" ]; then
        echo "FAIL: cell.syntax(7)'s worker@3 runs \"$cmd\", not what the page says" >&2
        failed=1
else
        echo "ok: cell.syntax(7)'s worker@3"
fi

# Messages the pages quote, as cell verify prints them: each text must be
# on its page (lines joined, markup and all) and in what cell verify says of
# the unit made of the lines given (web.cell in a directory of the search
# path: its messages begin with that directory) and of two valid examples.
#   quote PAGE TEXT [UNIT-LINES...]     (none: an empty file)
quote() {
        page=$1 text=$2
        shift 2
        rm -rf "$tmp/quote"
        mkdir "$tmp/quote"
        : > "$tmp/quote/web.cell"
        [ $# = 0 ] || printf '%s\n' "$@" > "$tmp/quote/web.cell"
        # With two valid units: the examples (this is their directory).
        env -i PATH=/usr/bin:/bin CELL_UNIT_PATH="$tmp/quote" "$cell" verify web ./hello.cell ./web.cell \
                >"$tmp/quote/out" 2>&1 || :
        if ! tr -s '\t\n ' '   ' <"$src/man/$page" | grep -qF -- "$text"; then
                echo "FAIL: $page does not say \"$text\" (any more): the case below is for a quote it no longer has" >&2
                failed=1
        elif ! grep -qF -- "$text" "$tmp/quote/out"; then
                echo "FAIL: $page quotes \"$text\", but cell verify says:" >&2
                cat "$tmp/quote/out" >&2
                failed=1
        else
                echo "ok: $page: $text"
        fi
}
root='[Root]' dir='Directory=/var/lib/cell/busybox' ex='[Exec]' cmd='Exec=/bin/true'
quote cell.1.scd "web.cell:7: Bind=/srv:/: cannot mount over the container's root \"/\"" \
        "$root" "$dir" "$ex" "$cmd" '' "$root" 'Bind=/srv:/'
quote cell.1.scd '3 units checked: 2 valid, 1 invalid.' "$root" "$dir" "$ex" "$cmd" 'Bind=/srv:/'
quote cell.unit.5.scd 'web.cell:12: unknown key "MemroyMax" in section [Limits], did you mean "MemoryMax"?' \
        "$root" "$dir" "$ex" "$cmd" '' '' '' '' '' '' '[Limits]' 'MemroyMax=64M'
quote cell.unit.5.scd 'web.cell:12: MemoryMax=12Q: expected bytes with K/M/G/T/P/E suffix, a percentage or "infinity"' \
        "$root" "$dir" "$ex" "$cmd" '' '' '' '' '' '' '[Limits]' 'MemoryMax=12Q'
quote cell.syntax.7.scd 'unit web is masked'

exit $failed
