#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# The bash completion (src/cli/completion/cell) against the cell under
# test: running cells offered by name, and nothing else of "cell list"'s
# output. With Debian's bash-completion (tests/lib/install-deps installs
# it), as an interactive shell has it: the file is loaded by its loader,
# by name, from a completions directory as "meson install" puts it there,
# and _cell runs under its _init_completion and _filedir on the words as
# readline splits the line. Without it, the few helpers of its that _cell
# calls are stood in for, and the test says it skipped the real ones
# (in part: it is no SKIP, what ran with the stand-ins could fail).
#
#   test-completion.sh CELL COMPLETION
set -u

cell=$(realpath "$1")
completion=$(realpath "$2")
. "$(dirname "$0")/lib.sh"

# The completion runs "cell": the one under test, which notes its arguments.
mkdir "$tmp/bin"
printf '#!/bin/sh\necho "$*" >> "%s"\nexec "%s" "$@"\n' "$tmp/calls" "$(realpath "$cell")" > "$tmp/bin/cell"
chmod +x "$tmp/bin/cell"
PATH=$tmp/bin:$PATH
# Files are offered from here: none, unless a case puts some.
mkdir "$tmp/cwd"
cd "$tmp/cwd" || exit 1

bash_completion=/usr/share/bash-completion/bash_completion
if [ -r "$bash_completion" ]; then
        real=1
        set +u
        . "$bash_completion"
        set -u
        # cell's file where "meson install" puts it (pkg-config's
        # completionsdir: DATADIR/bash-completion/completions), found there
        # by name as bash-completion finds it when "cell" is first completed.
        mkdir -p "$tmp/share/bash-completion/completions"
        ln -s "$completion" "$tmp/share/bash-completion/completions/cell"
        XDG_DATA_DIRS=$tmp/share BASH_COMPLETION_USER_DIR=$tmp/no-user-dir __load_completion cell ||
                { echo "FAIL: bash-completion did not load $completion" >&2; exit 1; }
        [ "$(complete -p cell)" = "complete -F _cell cell" ] ||
                { echo "FAIL: after loading it: $(complete -p cell)" >&2; exit 1; }
        # Files are bash-completion's _filedir's, noted ($filedir: its
        # argument, "*" for any file).
        eval "$(declare -f _filedir | sed '1s/^_filedir/__real_filedir/')"
        _filedir() { filedir=${1:-*}; __real_filedir "$@"; }
else
        real=
        _init_completion() {
                cur=${COMP_WORDS[COMP_CWORD]}
                prev=${COMP_WORDS[COMP_CWORD - 1]}
                words=("${COMP_WORDS[@]}")
                cword=$COMP_CWORD
        }
        _filedir() { filedir=${1:-*}; }
        . "$completion"
fi
# bash's compopt works only under readline's completion: noted.
compopt() { compopts+=" $*"; }

# comp_words WORD...: COMP_WORDS, COMP_CWORD, COMP_LINE and COMP_POINT of
# the line "WORD WORD..." with the cursor at its end, as readline gives
# them: "=" and ":" are words of their own ($COMP_WORDBREAKS; "@" is not
# one under bash-completion, which turns hostcomplete off). The stand-ins
# take the words as they are.
comp_words() {
        local w
        COMP_LINE="$*"
        COMP_POINT=${#COMP_LINE}
        if [ -z "$real" ]; then
                COMP_WORDS=("$@")
        else
                COMP_WORDS=()
                for w; do
                        [ -z "$w" ] && COMP_WORDS+=("")
                        while [[ $w =~ ^([^=:]*)([=:]+)(.*)$ ]]; do
                                [ -n "${BASH_REMATCH[1]}" ] && COMP_WORDS+=("${BASH_REMATCH[1]}")
                                COMP_WORDS+=("${BASH_REMATCH[2]}")
                                w=${BASH_REMATCH[3]}
                        done
                        [ -n "$w" ] && COMP_WORDS+=("$w")
                done
        fi
        COMP_CWORD=$((${#COMP_WORDS[@]} - 1))
}

# expect_completion WANT WORD...: completing the last WORD offers WANT
# (space-separated, sorted).
expect_completion() {
        local want=$1 got
        shift
        comp_words "$@"
        COMPREPLY=()
        filedir=
        set +u          # as in an interactive shell
        _cell
        set -u
        got=$(printf '%s\n' "${COMPREPLY[@]}" | sort | tr '\n' ' ')
        got=${got% }
        [ "$got" = "$want" ] || fail "completing \"$*\": offered \"$got\", expected \"$want\""
}

# Nothing runs: nothing to offer ("cell list" says "No cells.").
expect_completion "" cell status ""
expect_completion "" cell kill ""

# Two running cells, one with a name longer than its column.
fake_running web "$tmp/web.cell"
fake_running a-cell-with-a-rather-long-name "$tmp/long.cell"
for verb in status stop kill exec; do
        expect_completion "a-cell-with-a-rather-long-name web" cell "$verb" ""
        [ "$(tail -n 1 "$tmp/calls")" = "list --no-legend" ] || fail "$verb: ran cell $(tail -n 1 "$tmp/calls")"
        expect_completion "a-cell-with-a-rather-long-name web" cell "$verb" --user ""
        [ "$(tail -n 1 "$tmp/calls")" = "list --no-legend --user" ] ||
                fail "$verb --user: ran cell $(tail -n 1 "$tmp/calls")"
done
expect_completion "web" cell status w
# A name with a backslash (systemd-escape's "\x2d" of an instance) is
# offered as it is: a word list given to compgen in a string lost it
# ("worker@ax2db"). Readline quotes it on the line as a file name.
fake_running 'worker@a\x2db' "$tmp/worker@.cell"
compopts=
expect_completion 'worker@a\x2db' cell stop wo
[[ $compopts == *"-o filenames"* ]] || fail "stop wo: the name is not quoted as a file name on the line"
expect_completion 'worker@a\x2db' cell kill 'worker@a\\x'
rm -r "$CELL_RUNTIME_DIR/worker@a\x2db"
expect_completion "HUP" cell kill web HU
# kill's -s/--signal= and --kill-whom= (machinectl's and systemctl's forms):
# their values, the cell after them, no second signal after -s.
expect_completion "--signal=" cell kill --s
expect_completion "--kill-whom=" cell kill --k
expect_completion "USR1 USR2" cell kill -s US
expect_completion "USR1 USR2" cell kill --signal=SIGUS
expect_completion "all leader main" cell kill --kill-whom=
expect_completion "all" cell kill --kill-whom=a
expect_completion "a-cell-with-a-rather-long-name web" cell kill -s HUP ""
expect_completion "a-cell-with-a-rather-long-name web" cell kill --kill-whom all ""
expect_completion "" cell kill -s HUP web ""
# Every signal cell takes, as "cell kill --signal=help" lists them, not a
# few common ones.
expect_completion "PWR" cell kill -s PW
[ "$(tail -n 1 "$tmp/calls")" = "kill --signal=help" ] || fail "kill -s: ran cell $(tail -n 1 "$tmp/calls")"
expect_completion "STKFLT STOP" cell kill --signal=SIGST
# "list" (the table of signals, as systemctl's and machinectl's) and "help".
expect_completion "list" cell kill -s li
expect_completion "help" cell kill --signal=he
expect_completion "SYS" cell kill web SY
expect_completion "RTMIN+2 RTMIN+20 RTMIN+21 RTMIN+22 RTMIN+23 RTMIN+24 RTMIN+25 RTMIN+26 RTMIN+27 RTMIN+28 RTMIN+29" \
        cell kill web RTMIN+2

# Every verb "cell --help" lists, and every long option of each verb's
# --help, is offered, spelt as the help spells it ("--name=" where it shows
# "--name=NAME").
verbs=$("$cell" --help | awk '/^Verbs:/ { on = 1; next } on && /^  [a-z]/ { print $1 }' | sort | tr '\n' ' ')
expect_completion "--help --version ${verbs% }" cell ""
for verb in $verbs; do
        want=$("$cell" "$verb" --help | grep -oE -- '--[a-z][a-z-]*=?' | sort -u | tr '\n' ' ')
        expect_completion "${want% }" cell "$verb" -
done

# The verbs and list's options.
expect_completion "status stop" cell st
expect_completion "--no-legend" cell list --no
expect_completion "--legend=" cell list --le
expect_completion "no" cell list --legend=n
# run's --register= takes a boolean.
expect_completion "--register=" cell run --reg
expect_completion "no" cell run --register=n

# Unit names from the search path, also after an option whose value is a
# word of its own (getopt takes "--cgroup-manager cgroupfs" as it takes
# "--cgroup-manager=cgroupfs"): that value is no unit already given.
: > "$CELL_UNIT_PATH/web.cell"
: > "$CELL_UNIT_PATH/worker@.cell"
expect_completion "web worker@" cell run ""
: > "$CELL_UNIT_PATH/db@a\x2db.cell"
expect_completion 'db@a\x2db' cell run d
expect_completion 'db@a\x2db' cell verify --drop-in=d
rm "$CELL_UNIT_PATH/db@a\x2db.cell"
expect_completion "web" cell run --cgroup-manager cgroupfs we
expect_completion "web" cell run --console pipe we
expect_completion "web" cell run --register no we
expect_completion "web" cell run --name web we
expect_completion "web" cell plan -n web we
expect_completion "web" cell verify ./a.cell we
# verify --drop-in=UNIT: a unit, then drop-in files (not unit names).
expect_completion "web worker@" cell verify --drop-in ""
expect_completion "web" cell verify --drop-in=we
expect_completion "" cell verify -d web ""
[ "$filedir" = "*" ] || fail "verify -d web: no files offered"
# ... and plan's, up to the payload's "--".
expect_completion "web worker@" cell plan --drop-in ""
expect_completion "web" cell plan -d we
expect_completion "" cell plan --drop-in=web ""
[ "$filedir" = "*" ] || fail "plan --drop-in=web: no files offered"
expect_completion "" cell plan --json -n web -d web ./a.conf ""
[ "$filedir" = "*" ] || fail "plan -d web ./a.conf: no files offered"
expect_completion "" cell plan -d web -- ""
[ "$filedir" = "*" ] || fail "plan -d web --: no files offered"
expect_completion "" cell plan -d web ./a.conf -- ""
[ -z "$filedir" ] || fail "plan -d web ./a.conf --: files offered for the payload's arguments"
expect_completion "" cell plan web ""
[ -z "$filedir" ] || fail "plan web: files offered for the payload's arguments"
expect_completion "" cell run web ""
expect_completion "" cell run --cgroup-manager cgroupfs web ""
# The search path as cell reads it: a trailing ":" adds the built-in one, an
# empty $CELL_UNIT_PATH is an empty path (cell finds nothing there).
CELL_UNIT_PATH=$CELL_UNIT_PATH: expect_completion "web" cell run we
CELL_UNIT_PATH='' expect_completion "" cell run ""

# Options end where cell's getopt ends them: after the unit of run and plan
# (an option there is refused: "--" alone goes on), after the cell's name of
# exec (what follows is the command's). verify and kill take them anywhere.
expect_completion "--" cell run web -
expect_completion "" cell run web --c
expect_completion "" cell run web -- -
expect_completion "--" cell plan --json web -
expect_completion "--" cell plan -d web ./a.conf -
expect_completion "--" cell exec web -
expect_completion "" cell exec web ls -
expect_completion "" cell exec web -- ls -
expect_completion "--drop-in= --help --name" cell verify web -
expect_completion "--all --help --kill-whom= --signal= --user" cell kill web -
# exec: the command once, then nothing of ours for its arguments.
printf '#!/bin/sh\n' > "$tmp/bin/cell-test-probe"
chmod +x "$tmp/bin/cell-test-probe"
expect_completion "cell-test-probe" cell exec web cell-test-p
expect_completion "cell-test-probe" cell exec web -- cell-test-p
expect_completion "" cell exec web ls cell-test-p
expect_completion "" cell exec web -- ls cell-test-p
# -s is kill's alone, -n verify's and plan's: no signals for plan's "-s".
expect_completion "" cell plan -s ""
expect_completion "" cell verify -n ""
# --signal=help (-s help) lists the names; a SIGNAL argument "help" is refused.
expect_completion "help" cell kill --signal=he
expect_completion "help" cell kill -s he
expect_completion "" cell kill web he
# A template alone is followed by its instance, not a blank.
compopts=
expect_completion "worker@" cell run wor
[[ $compopts == *"-o nospace"* ]] || fail "run wor: a blank after the template worker@"
compopts=
expect_completion "web" cell run we
[[ $compopts == *"-o nospace"* ]] && fail "run we: no blank after the unit web"

# bash-completion's _filedir, offering files of this directory: any for a
# drop-in, units (*.cell) and directories for a unit.
if [ -n "$real" ]; then
        touch "$tmp/cwd/new.conf" "$tmp/cwd/db.cell"
        mkdir "$tmp/cwd/units"
        expect_completion "db.cell new.conf units" cell verify --drop-in=web ""
        expect_completion "db.cell units web worker@" cell run ""
        expect_completion "new.conf" cell plan -d web n
        rm -r "$tmp/cwd/new.conf" "$tmp/cwd/db.cell" "$tmp/cwd/units"
fi

# What ran with stand-ins ran, and could fail: skipped in part, not SKIP.
[ -z "$real" ] && echo "skipped in part: bash-completion is not installed: _cell ran with stand-ins of its helpers"
exit $failed
