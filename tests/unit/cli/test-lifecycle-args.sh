#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# What the lifecycle verbs (cell(1), LIFECYCLE VERBS) say of a command line
# they cannot take, as typed or pasted: a missing or an extra name is said
# in the same words by each (exit 2, nothing done): "cell kill web nginx"
# said "Unknown signal", stop and status "Expected one cell name" for both;
# and what was typed goes back to the terminal escaped, as "cell list"
# shows a name (and so do the values of --kill-whom=, --legend=, --name=):
# an escape sequence in it reached the terminal raw.
# Rootless (lib.sh: no bus).
#
#   test-lifecycle-args.sh CELL
set -u

cell=$1
. "$(dirname "$0")/lib.sh"

fake_running web "$tmp/web.cell"
fake_running nginx "$tmp/nginx.cell"

# A missing name, each verb alike.
for verb in status stop kill exec; do
        expect 2 "$verb without a name" -- "$cell" "$verb"
        grep -qxF "cell: Missing cell name. See \"cell $verb --help\"." "$tmp/err" ||
                fail "$verb without a name: $(cat "$tmp/err")"
done

# Extra names: refused before anything is done (both still run, no signal).
for verb in status stop; do
        expect 2 "$verb web nginx" -- "$cell" "$verb" web nginx
        grep -qxF "cell: cell $verb takes one cell name, not 2. See \"cell $verb --help\"." "$tmp/err" ||
                fail "$verb web nginx: $(cat "$tmp/err")"
done
: > "$tmp/out"
expect 2 "kill web nginx" -- "$cell" kill web nginx
grep -qF "cell kill takes one cell name, and a signal after it." "$tmp/err" || fail "kill web nginx: $(cat "$tmp/err")"
expect 2 "kill web nginx TERM" -- "$cell" kill web nginx TERM
grep -qF "cell kill takes one cell name (and a signal after it), not 3 arguments." "$tmp/err" ||
        fail "kill web nginx TERM: $(cat "$tmp/err")"
kill -0 "$sleeper" || fail "a refused cell kill or stop ended the cell"
"$cell" status web >/dev/null || fail "web is not running after the refused verbs"
"$cell" status nginx >/dev/null || fail "nginx is not running after the refused verbs"

# What was typed, escaped: ESC, a newline, a bidi override.
bad=$(printf 'w\033[2J\nb\342\200\256')
for verb in status stop kill exec; do
        expect 2 "$verb of a name with control characters" -- "$cell" "$verb" "$bad" true
        [ "$verb" = exec ] || expect 2 "$verb of a name with control characters" -- "$cell" "$verb" "$bad"
        grep -q $'\033' "$tmp/err" && fail "$verb: the ESC reached the terminal: $(cat -v "$tmp/err")"
        grep -qxF 'cell: "w\x1b[2J\x0ab\u202e" is not a valid cell name.' "$tmp/err" ||
                fail "$verb of a name with control characters: $(cat -v "$tmp/err")"
done
for how in "web BAD" "-s BAD web"; do
        if [ "$how" = "web BAD" ]; then
                expect 2 "kill $how" -- "$cell" kill web "$bad"
        else
                expect 2 "kill $how" -- "$cell" kill -s "$bad" web
        fi
        grep -q $'\033' "$tmp/err" && fail "kill $how: the ESC reached the terminal: $(cat -v "$tmp/err")"
        grep -qF 'Unknown signal "w\x1b[2J\x0ab\u202e".' "$tmp/err" || fail "kill $how: $(cat -v "$tmp/err")"
done
expect 2 "kill --kill-whom= with control characters" -- "$cell" kill --kill-whom="$bad" web
grep -qF 'Unknown --kill-whom=w\x1b[2J\x0ab\u202e:' "$tmp/err" || fail "kill --kill-whom=: $(cat -v "$tmp/err")"
expect 2 "list --legend= with control characters" -- "$cell" list --legend="$bad"
grep -qF 'Invalid --legend=w\x1b[2J\x0ab\u202e:' "$tmp/err" || fail "list --legend=: $(cat -v "$tmp/err")"
expect 2 "run --name= with control characters" -- "$cell" run --name="$bad" "$tmp/web.cell"
grep -q $'\033' "$tmp/err" && fail "run --name=: the ESC reached the terminal: $(cat -v "$tmp/err")"
grep -qF 'Invalid --name=w\x1b[2J\x0ab\u202e:' "$tmp/err" || fail "run --name=: $(cat -v "$tmp/err")"

exit $failed
