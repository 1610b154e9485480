#!/bin/bash
# $HOME and $SHELL from the container's /etc/passwd, as systemd sets them
# (build_environment(): path_simplify()'d, and left unset for a home that
# is "/" or a shell that refuses logins, compared by path, path_equal()):
# "/home/u/" is $HOME=/home/u, "/bin//false" and "/usr/sbin/./nologin/"
# are nologin shells, "/./" is no home. The same for cell exec's command.
. "$(dirname "$0")/lib.sh"

cat >> "$root/etc/passwd" <<'PASSWD'
slash:x:2001:2001::/home/test/:/bin//sh
dots:x:2002:2002::/home/./test/.:/bin//false
nologin:x:2003:2003::/./:/usr/sbin/./nologin/
relative:x:2004:2004::home/test:sh
PASSWD

show='Exec=/bin/sh -c "echo HOME=${HOME-unset} SHELL=${SHELL-unset} PWD=$(pwd)"'
show=${show//\$\{/\$\$\{}

out=()
for u in slash dots nologin relative; do
        run_cell none "$(unit "$u" "[Root]" "Directory=$root" "[Exec]" "User=$u" "WorkingDirectory=-~" "$show")"
        expect "$u: status" "$status" 0
        out+=("$(cat "$work/out")")
done
expect "a home with a trailing /, a shell with //" "${out[0]}" "HOME=/home/test SHELL=/bin/sh PWD=/home/test"
expect "a home with . components, /bin//false" "${out[1]}" "HOME=/home/test SHELL=unset PWD=/home/test"
expect "a home of /./, /usr/sbin/./nologin/" "${out[2]}" "HOME=unset SHELL=unset PWD=/"
expect "a relative home and shell" "${out[3]}" "HOME=unset SHELL=unset PWD=/"

# cell exec resolves the unit's User= itself: the same variables.
u=$(unit exec "[Root]" "Directory=$root" "[Exec]" "User=dots" "Init=yes" "Exec=/bin/sleep 30")
start_cell none "$u"
got=$("$CELL" exec "$(basename "$u" .cell)" /bin/sh -c 'echo HOME=${HOME-unset} SHELL=${SHELL-unset}' 2>&1) ||
        fail "cell exec: $got"
stop_cell
expect "cell exec: a home with . components, /bin//false" "$got" "HOME=/home/test SHELL=unset"
echo "ok: \$HOME and \$SHELL simplified as systemd's, nologin shells and a home of / found by path"
