#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# Each verb's --help: exit 0, its own usage line, and what it says of the
# order of things where cell(1) and the code fix one.
#
#   test-help.sh CELL
set -u

cell=$1
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

exit $failed
