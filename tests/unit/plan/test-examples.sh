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

exit $failed
