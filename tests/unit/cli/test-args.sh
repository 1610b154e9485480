#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# The command line as an admin types it (cell(1), EXIT STATUS and LIFECYCLE
# EXIT STATUS): usage errors exit 2 for every verb, a cell that is not
# running 3, and what follows the unit of "cell run". Rootless: nothing is
# started (lib.sh: no bus, a runtime directory of the test's own).
#
#   test-args.sh CELL
set -u

cell=$1
. "$(dirname "$0")/lib.sh"

expect 2 "no verb" -- "$cell"
expect 2 "an unknown verb" -- "$cell" frobnicate
expect 2 "an unknown option before the verb" -- "$cell" --frobnicate
expect 0 "--version" -- "$cell" --version
[[ $(cat "$tmp/out") == "cell "[0-9]* ]] || fail "--version: $(cat "$tmp/out")"
for verb in verify plan run list status stop kill exec; do
        expect 2 "$verb with an unknown option" -- "$cell" "$verb" --frobnicate
        expect 0 "$verb --help" -- "$cell" "$verb" --help
done
for verb in verify plan run status stop kill exec; do
        expect 2 "$verb without its argument" -- "$cell" "$verb"
done
expect 2 "list with an argument" -- "$cell" list web
expect 2 "exec without a command" -- "$cell" exec web
expect 2 "kill with an unknown signal" -- "$cell" kill web NOSUCHSIG
for verb in status stop kill; do
        expect 3 "$verb of a cell that is not running" -- "$cell" "$verb" web
done
for sig in TERM SIGTERM 15 RTMIN+3 SIGRTMIN+3; do
        expect 3 "kill with signal $sig (a cell that is not running)" -- "$cell" kill web "$sig"
done
expect 3 "exec in a cell that is not running" -- "$cell" exec web true

# cell run: options end at the unit (systemd-nspawn's rule: cell@.service
# runs "cell run -- %i"), but an option put after it is refused, not taken
# for the payload's command: "cell run web --user" would otherwise start the
# container in a system scope only for its Exec=--user to fail. An invalid
# unit tells the two apart: read as ARGS, the unit is loaded (exit 1).
printf '[Root]\nDirectory=relative\n' > "$CELL_UNIT_PATH/bad.cell"
for opt in -v --user --cgroup-manager=none; do
        expect 2 "run bad $opt" -- "$cell" run bad "$opt"
        grep -qF "\"$opt\" after the unit: options go before bad" "$tmp/err" ||
                fail "run bad $opt: not refused as an option after the unit: $(cat "$tmp/err")"
done
expect 1 "run bad -- -v (ARGS after --)" -- "$cell" run bad -- -v
expect 1 "run bad true -v (ARGS not starting with -)" -- "$cell" run bad true -v
expect 1 "run -v bad" -- "$cell" run -v bad

# cell plan takes the ARGS as cell run does, "--" after the unit included
# when one came before it too (cell@.service's "cell run -- %i" form).
mkdir "$tmp/root"
printf '[Root]\nDirectory=%s\n[Exec]\nExec=/bin/true\n' "$tmp/root" > "$CELL_UNIT_PATH/web.cell"
for args in "web -- ls -l" "-- web -- ls -l" "-- web ls -l" "web ls -l"; do
        # shellcheck disable=SC2086
        expect 0 "plan --json $args" -- "$cell" plan --json $args
        python3 -c 'import json, sys; a = json.load(open(sys.argv[1]))["argv"]; assert a == ["ls", "-l"], a' \
                "$tmp/out" 2>"$tmp/err" || fail "plan --json $args: argv: $(tail -n 1 "$tmp/err")"
done

# ... and, as cell run, refuses an option put after the unit instead of
# taking it (a "-j" there was the JSON, where cell run would run "-j").
for opt in -j --json --name=x; do
        expect 2 "plan web $opt" -- "$cell" plan web "$opt"
        grep -qF "\"$opt\" after the unit: options go before web" "$tmp/err" ||
                fail "plan web $opt: not refused as an option after the unit: $(cat "$tmp/err")"
done
expect 0 "plan --json web ls -j" -- "$cell" plan --json web ls -j
python3 -c 'import json, sys; a = json.load(open(sys.argv[1]))["argv"]; assert a == ["ls", "-j"], a' \
        "$tmp/out" 2>"$tmp/err" || fail "plan --json web ls -j: argv: $(tail -n 1 "$tmp/err")"

# cell run of a template without an instance is refused, naming the file and
# how to give one, as systemctl refuses "worker@.service" ("missing the
# instance name"); the instance "i" is for verify and plan alone. An instance,
# by name or --name, gets past it (to a Directory= that does not exist).
printf '[Root]\nDirectory=%s/none\n[Exec]\nExec=/bin/true\n' "$tmp" > "$CELL_UNIT_PATH/worker@.cell"
for args in "$CELL_UNIT_PATH/worker@.cell" "worker@" "worker@.cell" "--name worker@ worker@3"; do
        # shellcheck disable=SC2086
        expect 2 "run $args (a template)" -- "$cell" run --cgroup-manager=none $args
        grep -qF "worker@.cell: worker@ is a template, and a template runs only as an instance: name one, as" \
                "$tmp/err" || fail "run $args: a template not refused: $(cat "$tmp/err")"
done
for args in "--name worker@3 $CELL_UNIT_PATH/worker@.cell" "worker@3"; do
        # shellcheck disable=SC2086
        expect 2 "run $args (an instance)" -- "$cell" run --cgroup-manager=none $args
        grep -qF "Directory=$tmp/none: does not exist" "$tmp/err" ||
                fail "run $args: not run as an instance: $(cat "$tmp/err")"
done
expect 0 "verify a template (as the instance i)" -- "$cell" verify "$CELL_UNIT_PATH/worker@.cell"

# A --name that is no unit name is a usage error (2), refused before the unit
# is read, saying why; it exited 1, the status of an invalid unit file.
for n in bad/name "a b" "" lock lock.cell .web; do
        expect 2 "run --name=$n" -- "$cell" run --cgroup-manager=none --name="$n" web
        grep -qF "Invalid --name=$n: " "$tmp/err" || fail "run --name=$n: not said why: $(cat "$tmp/err")"
done
grep -qF "reserved name" "$tmp/err" || fail "run --name=.web: not said to be reserved: $(cat "$tmp/err")"
for verb in verify plan; do
        for n in bad/name "" lock; do
                expect 2 "$verb --name=$n" -- "$cell" $verb --name="$n" "$CELL_UNIT_PATH/web.cell"
                grep -qF "Invalid --name=$n: " "$tmp/err" || fail "$verb --name=$n: not said why: $(cat "$tmp/err")"
        done
done

# Output cell could not write (a full disk) is a failure that says so (2),
# as for list, status and plan; --help and --version exited 0 and
# "kill --signal=help" 2, all without a word.
for args in "--help" "--version" "run --help" "stop --help" "kill --help" "kill --signal=help"; do
        # shellcheck disable=SC2086
        "$cell" $args >/dev/full 2>"$tmp/err"
        got=$?
        [ "$got" = 2 ] || fail "$args >/dev/full: exit $got, expected 2"
        grep -q "^cell: Failed to .*: No space left on device" "$tmp/err" ||
                fail "$args >/dev/full: no message: $(cat "$tmp/err")"
done
grep -qF "Failed to print the signal names" "$tmp/err" || fail "kill --signal=help >/dev/full: $(cat "$tmp/err")"

# getopt's messages begin as cell's own, "cell: " (and name the verb): they
# began with the path cell was run by, or with the verb alone ("run: ...").
expect 2 "--frob" -- "$cell" --frob
[ "$(cat "$tmp/err")" = "cell: unrecognized option '--frob'" ] || fail "--frob: $(cat "$tmp/err")"
for verb in verify plan run list status stop kill exec; do
        expect 2 "$verb --frob" -- "$cell" "$verb" --frob
        [ "$(cat "$tmp/err")" = "cell $verb: unrecognized option '--frob'" ] ||
                fail "$verb --frob: $(cat "$tmp/err")"
done
expect 2 "kill -s" -- "$cell" kill -s
[ "$(cat "$tmp/err")" = "cell kill: option requires an argument -- 's'" ] || fail "kill -s: $(cat "$tmp/err")"

exit $failed
