#!/bin/bash
# What the payload's process is given, compared with what systemd 252 gives
# a service with the same [Service] keys: its user, groups, $HOME/$SHELL,
# environment, limits and capabilities.
. "$(dirname "$0")/lib.sh"

# A user whose primary group the group file lacks, with home "/" and a
# nologin shell; root a member of wheel (as some images list it).
echo 'daemonish:x:1001:4242::/:/usr/sbin/nologin' >> "$root/etc/passwd"
sed -i 's/^wheel:x:10:test$/wheel:x:10:test,root/' "$root/etc/group"
echo 'audio:x:29:test,daemonish' >> "$root/etc/group"

# probe_unit NAME LINES...: a unit running the probe with LINES in [Exec].
probe_unit() {
        local name=$1; shift
        unit "$name" "[Root]" "Directory=$root" "[Exec]" "Exec=/bin/probe" "$@"
}

run_ok() {
        run_cell cgroupfs "$@"
        [ "$status" -eq 0 ] || { cat "$work/err" >&2; fail "cell run $* exited $status"; }
}

env_has() { [[ $(field environment) == *"\"$1\""* ]] || fail "environment lacks $1: $(field environment)"; }
env_lacks() { [[ $(field environment) != *"\"$1="* ]] || fail "environment has $1: $(field environment)"; }

# Groups as initgroups(3) makes them for systemd: the user's group and its
# memberships, then SupplementaryGroups=; none of root's memberships.
run_ok "$(probe_unit root)"
expect "root: groups" "$(field groups)" '[]'
run_ok "$(probe_unit user "User=test" "SupplementaryGroups=77")"
expect "User=test: groups" "$(field groups)" '[10, 29, 77, 1000]'
run_ok "$(probe_unit group0 "User=test" "Group=root")"
expect "User=test Group=root: groups" "$(field groups)" '[]'
run_ok "$(probe_unit rootaudio "User=root" "Group=audio")"
expect "User=root Group=audio: groups" "$(field groups)" '[10, 29]'
expect "User=root Group=audio: gid" "$(field gid)" 29

# A primary group /etc/group lacks is still the user's; home "/" and a
# nologin shell are not worth a $HOME or $SHELL (systemd's USER_CREDS_CLEAN).
run_ok "$(probe_unit daemonish "User=daemonish" "WorkingDirectory=~")"
expect "daemonish: gid" "$(field gid)" 4242
expect "daemonish: groups" "$(field groups)" '[29, 4242]'
expect "daemonish: cwd" "$(field cwd)" /
env_has USER=daemonish
env_has LOGNAME=daemonish
env_lacks HOME
env_lacks SHELL

# EnvironmentFile= in systemd's syntax: quotes inside a value kept, quoted
# values over lines, lines without "=" ignored; files override Environment=.
cat > "$work/env" <<'ENV'
# comment \
CONTINUED_COMMENT=yes
OPTS=--name="a b" --x='y'
MULTI='one
two'
not an assignment
FROM_ENV=file
ENV
run_ok "$(probe_unit envfile "Environment=FROM_ENV=unit KEEP=unit" "EnvironmentFile=$work/env")"
env_has 'OPTS=--name=\"a b\" --x='"'"'y'"'"
env_has 'MULTI=one\ntwo'
env_has FROM_ENV=file
env_has KEEP=unit
env_lacks CONTINUED_COMMENT

# Exec='s variables, as systemd expands ExecStart='s, from the final
# environment (EnvironmentFile=, Environment=, the user's $HOME): "$OPTS"
# alone is its words, quotes removed; "${VAR}" in a word its value as is;
# unset is nothing; "$$" is "$"; "$VAR" inside a word stays; the program
# itself is not expanded.
run_ok "$(unit expand "[Root]" "Directory=$root" "[Exec]" "User=test" "Environment=FROM_ENV=unit 'SP=a  b'" \
        "EnvironmentFile=$work/env" \
        "Exec=/bin/sh -c 'for a; do echo \"[\$a]\"; done' sh \$OPTS \${HOME}/x \"<\${SP}>\" \$UNSET \${UNSET} \$\$HOME a\$HOME")"
expect "Exec= expanded" "$(tr '\n' ' ' < "$work/out")" \
        '[--name=a b] [--x=y] [/home/test/x] [<a  b>] [] [$HOME] [a$HOME] '
# The README's demo, units/examples/hello.cell, on this root: its "$$$$" is
# the shell's "$$".
mkdir -p "$work/examples"
sed "s|^Directory=.*|Directory=$root|" "$(dirname "$0")/../../../units/examples/hello.cell" > "$work/examples/hello.cell"
run_ok "$work/examples/hello.cell"
expect "hello.cell" "$(cat "$work/out")" "Hello from hello, PID 1"
# "cell run NAME -- ARGS" runs ARGS as its caller's shell left them.
run_ok "$(unit expandcli "[Root]" "Directory=$root" "[Exec]" "Exec=/bin/true" "Environment=X=1")" \
        -- /bin/sh -c 'for a; do echo "[$a]"; done' sh '$X' '${X}' '$$'
expect "cell run -- ARGS as given" "$(tr '\n' ' ' < "$work/out")" '[$X] [${X}] [$$] '
printf 'A=1\nBAD-NAME=x\n' > "$work/env"
run_cell cgroupfs "$(probe_unit envbad "EnvironmentFile=$work/env")"
[ "$status" -ne 0 ] || fail "EnvironmentFile= with BAD-NAME: started"
grep -q "EnvironmentFile=$work/env:2: not a variable name" "$work/err" || fail "BAD-NAME: $(cat "$work/err")"
# A NUL byte refuses the file, as systemd refuses it, naming its line; "-"
# ignores a path through a regular file, as a missing file.
printf 'A=1\nB=x\0y\nC=3\n' > "$work/env"
run_cell cgroupfs "$(probe_unit envnul "EnvironmentFile=$work/env" "EnvironmentFile=-$work/env/sub")"
[ "$status" -ne 0 ] || fail "EnvironmentFile= with a NUL byte: started"
grep -q "EnvironmentFile=$work/env:2: a NUL byte: not a text file" "$work/err" || fail "NUL: $(cat "$work/err")"
printf 'A=1\n' > "$work/env"
run_ok "$(probe_unit envnotdir "EnvironmentFile=$work/env" "EnvironmentFile=-$work/env/sub")"
env_has A=1

# EnvironmentFile= with a wildcard: every file it matches, in sorted order;
# none matching is a missing file ("-" ignores it).
mkdir "$work/envdir"
printf 'ORDER=a\nONLY_A=1\n' > "$work/envdir/10-a.env"
printf 'ORDER=b\n' > "$work/envdir/20-b.env"
run_ok "$(probe_unit envglob "EnvironmentFile=$work/envdir/*.env" "EnvironmentFile=-$work/envdir/*.none")"
env_has ORDER=b
env_has ONLY_A=1
run_cell cgroupfs "$(probe_unit envglobnone "EnvironmentFile=$work/envdir/*.none")"
[ "$status" -ne 0 ] || fail "EnvironmentFile= matching nothing: started"
grep -q "EnvironmentFile=$work/envdir/\*.none: No such file or directory" "$work/err" || fail "no match: $(cat "$work/err")"

# PassEnvironment=: cell's own variables, those set; Environment= and
# EnvironmentFile= override them, and a passed PATH the default one, as in
# systemd. UnsetEnvironment= last, over every source, cell's own too: a
# name removes any assignment of it, KEY=VALUE only that one.
printf 'FROM_FILE=file\nFILE_GONE=x\nKEEP_EXACT=file\n' > "$work/env"
export CELLTEST_PASSED=caller CELLTEST_REPLACED=caller CELLTEST_FILE=caller PATH="$PATH:/celltest-bin" TERM=dumb
run_ok "$(probe_unit passenv "PassEnvironment=CELLTEST_PASSED CELLTEST_REPLACED" \
        "PassEnvironment=\"CELLTEST_FILE\" CELLTEST_NOT_SET PATH" \
        "Environment=CELLTEST_REPLACED=unit UNIT_GONE=1" "EnvironmentFile=$work/env" \
        "UnsetEnvironment=UNIT_GONE FILE_GONE container KEEP_EXACT=other TERM=dumb")"
unset CELLTEST_PASSED CELLTEST_REPLACED CELLTEST_FILE
PATH=${PATH%:/celltest-bin}
env_has CELLTEST_PASSED=caller
env_has CELLTEST_REPLACED=unit
env_has FROM_FILE=file
env_has KEEP_EXACT=file
env_has "PATH=$PATH:/celltest-bin"
env_lacks CELLTEST_NOT_SET
env_lacks UNIT_GONE
env_lacks FILE_GONE
env_lacks container
env_lacks TERM
# ... the file over a passed one; an empty PassEnvironment= clears the
# list, and a name that is not set there is skipped.
export CELLTEST_FILE=caller CELLTEST_PASSED=caller
printf 'CELLTEST_FILE=file\n' > "$work/env"
run_ok "$(probe_unit passenv2 "PassEnvironment=CELLTEST_FILE" "EnvironmentFile=$work/env" \
        "PassEnvironment=CELLTEST_PASSED" "PassEnvironment=" "PassEnvironment=CELLTEST_FILE")"
unset CELLTEST_FILE CELLTEST_PASSED
env_has CELLTEST_FILE=file
env_lacks CELLTEST_PASSED
env_has container=cell
env_has PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin

# WorkingDirectory=-: a directory that cannot be entered (missing, a file,
# not the user's to enter) is no error, as in systemd: the payload starts in
# the container's "/". One that can is entered, "-~" too.
install -d -m 0700 "$root/private"
for wd in -/nosuchdir -/bin/probe; do
        run_ok "$(probe_unit "wd${wd//[\/-]/}" "WorkingDirectory=$wd")"
        expect "WorkingDirectory=$wd: cwd" "$(field cwd)" /
done
run_ok "$(probe_unit wdperm "User=test" "WorkingDirectory=-/private")"
expect "WorkingDirectory=-/private as test: cwd" "$(field cwd)" /
run_ok "$(probe_unit wdhome "User=test" "WorkingDirectory=-~")"
expect "WorkingDirectory=-~: cwd" "$(field cwd)" /home/test
run_ok "$(probe_unit wdthere "WorkingDirectory=-/home/test")"
expect "WorkingDirectory=-/home/test: cwd" "$(field cwd)" /home/test
