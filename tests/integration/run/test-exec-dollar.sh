#!/bin/bash
# Exec='s arguments that begin with "$", as systemd 252's replace_env_argv()
# takes them: all of the word after the "$" is a variable's name, so "$",
# "$1", "$A-B" and awk's "$1}" name no variable and leave no word; "$$1"
# is "$1", and a "$" inside a word stays.
. "$(dirname "$0")/lib.sh"

run_cell none "$(unit dollar "[Root]" "Directory=$root" "[Exec]" "Environment=A=1" \
        "Exec=/bin/sh -c 'for w; do echo \"[\$w]\"; done' x \$ \$1 \$A-B \$1} \$\$1 a\$1 \$A")"
expect "status" "$status" 0
expect "words" "$(cat "$work/out" | tr -d '\n')" '[$1][a$1][1]'
echo 'ok: a word that begins with "$" is a variable whole, as in systemd 252'
