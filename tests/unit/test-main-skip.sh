#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# test-main.c's skip contract, which decides what meson counts: a binary
# whose every test skipped exits 77 (SKIP), one with a test that ran exits
# 0 (OK), a child's skip reaches its test, and any other end of a child
# fails it. The cases are test-main-skip.c's, one run each.
#
#   test-main-skip.sh CASES
set -u

cases=$1
failed=0
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

fail() {
        echo "FAIL: $*" >&2
        failed=1
}

# expect STATUS CASE [TEXT]: CASE alone exits STATUS, its stdout holding TEXT.
expect() {
        local want=$1 name=$2 text=${3-} got
        # In a shell of its own, whose word of a SIGABRT goes to $tmp/err.
        bash -c '"$0" "$1"; exit $?' "$cases" "$name" >"$tmp/out" 2>"$tmp/err"
        got=$?
        [ "$got" = "$want" ] || fail "$name: exit $got, expected $want: $(cat "$tmp/out" "$tmp/err")"
        [ -z "$text" ] || grep -qF -- "$text" "$tmp/out" || fail "$name: no \"$text\" in: $(cat "$tmp/out")"
}

expect 0 passes "1 tests passed"
expect 77 skips "skipped: nothing to test here"
expect 77 skips "1 tests skipped"
# A test that skipped a part of itself ran: OK, the part said.
expect 0 skips_in_part "skipped in part: this half"
expect 0 skips_in_part "1 tests passed (1 of them in part), 0 skipped"
expect 77 skip_keeps_errno "skipped: a reason: No such file or directory"
expect 77 child_skips "skipped: in the child"
expect 77 child_skips "skipped: the child skipped"
expect 0 child_passes "the child ran"
# A failed child aborts the test binary (SIGABRT: 128 + 6 from the shell).
expect 134 child_fails
grep -q "the test's child exited 1" "$tmp/err" || fail "child_fails: $(cat "$tmp/err")"
expect 77 child_ran_skips "skipped: the child could not"
expect 0 child_ran_skips_in_part "skipped in part: the second half"
expect 0 child_ran_skips_in_part "1 tests passed (1 of them in part), 0 skipped"
# fixture_run() (tests/unit/scope), which cleans up before it judges: its
# body's skip is the test's. It passed as OK.
expect 77 fixture_skips "skipped: in fixture_run()'s child"
grep -q "cleaned up" "$tmp/out" || fail "fixture_skips: no clean-up: $(cat "$tmp/out")"
expect 0 fixture_passes "cleaned up"
expect 1 no_such_test
exit $failed
