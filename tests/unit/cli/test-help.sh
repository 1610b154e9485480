#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# Each verb's --help: exit 0, its own usage line, and what it says of the
# order of things where cell(1) and the code fix one.
#
#   test-help.sh CELL CELL.1.SCD
set -u

cell=$1
man=$2
failed=0

fail() {
        echo "FAIL: $*" >&2
        failed=1
}

for verb in verify plan run list status stop kill exec; do
        out=$("$cell" "$verb" --help) || fail "$verb --help: exit $?"
        [[ $(head -n 1 <<<"$out") == "cell $verb "* ]] || fail "$verb --help: usage line: $(head -n 1 <<<"$out")"
done

# Every verb that exits other than 0 on success says how (cell(1), EXIT STATUS and
# LIFECYCLE EXIT STATUS): a script's author reads --help first.
for verb in verify plan run list status stop kill exec; do
        "$cell" "$verb" --help | grep -q '^Exit status: ' || fail "$verb --help: no exit status"
done

# cell stop (cell(1), instance_stop()): a cell run by hand is stopped by
# its "cell run" process; its scope only when that process is gone.
help=$("$cell" stop --help | tr '\n' ' ')
[[ $help == *'"cell run" process gets SIGTERM'*'If that process is gone, systemd stops the cell'"'"'s scope'* ]] ||
        fail "stop --help: the \"cell run\" process first, the scope only when it is gone: $help"

# Each verb's options in cell(1) as in its --help: every option of the help
# (but --help) in a synopsis line of the verb ("*cell kill* ..." in SYNOPSIS
# and LIFECYCLE VERBS, "*kill* [...]" at its entry), in one of its
# spellings, and every option such a line names in the help. An option added
# to the parser and its help, but not to the page, or left on the page when
# it is gone, fails here.
for verb in verify plan run list status stop kill exec; do
        syn=$(grep -E "^\*(cell )?$verb\* " "$man")
        [ -n "$syn" ] || fail "$verb: no synopsis line in cell.1.scd"
        help=$("$cell" "$verb" --help | grep -E '^ +-')
        while read -r line; do
                spellings=$(grep -oE -- '(^|[ ,])--?[a-zA-Z][a-z-]*' <<<"$line" | sed 's/^[ ,]*//')
                [[ $spellings == *--help* ]] && continue
                found=
                for o in $spellings; do
                        grep -qE -- "\*$o(\*|=)" <<<"$syn" && found=1
                done
                [ -n "$found" ] || fail "$verb --help: $(tr '\n' ' ' <<<"$spellings")not in cell(1)'s synopsis of $verb"
        done <<<"$help"
        for o in $(grep -oE -- '\*--?[a-zA-Z][a-z-]*' <<<"$syn" | sed 's/^\*//' | sort -u); do
                grep -qE -- "(^|[ ,])$o([ =,]|\$)" <<<"$help" ||
                        fail "cell(1)'s synopsis of $verb: $o is not in its --help"
        done
done

exit $failed
