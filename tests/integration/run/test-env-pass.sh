#!/bin/bash
# PassEnvironment= of a variable of cell's own environment whose value is
# no UTF-8: systemd would drop it from the payload's environment, and cell
# refuses the start saying so (exit 2), with nothing run; a valid value
# passes as it is.
. "$(dirname "$0")/lib.sh"

u=$(unit pass "[Root]" "Directory=$root" "[Exec]" "PassEnvironment=CELLTEST_V" \
        'Exec=/bin/sh -c "echo ran $$CELLTEST_V"')

CELLTEST_V=fine run_cell none "$u"
expect "UTF-8: status" "$status" 0
expect "UTF-8: passed" "$(cat "$work/out")" "ran fine"

CELLTEST_V=$'a\xffb' run_cell none "$u"
expect "no UTF-8: status" "$status" 2
expect "no UTF-8: nothing ran" "$(cat "$work/out")" ""
said="the value of CELLTEST_V in cell's environment is not valid UTF-8, which systemd would drop from"
grep -qF "$said the payload's environment" "$work/err" ||
        fail "no UTF-8: $(cat "$work/err")"
echo "ok: a passed variable that is no UTF-8 is refused, a valid one passed"
