#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# The payload's environment checked on the host before anything is made
# (cli/environment-files.c): a variable execve(2) would refuse (too long) or
# systemd would drop (not UTF-8) is named by where it came from, the unit
# file or drop-in and line of its key: "FILE:LINE: PassEnvironment=NAME",
# "FILE:LINE: EnvironmentFile=PATH:LINE" (the env file's own line, the file
# a wildcard matched), the caller's $TERM as itself. Each was blamed on
# "PassEnvironment=" or "EnvironmentFile=" without a line; cell exec blamed
# its caller's $TERM on "EnvironmentFile=". Exit 2. Only starts that fail
# are run, as nobody under root (nothing could be made).
#
#   test-env-check.sh CELL
set -u

cell=$1
. "$(dirname "$0")/lib.sh"

as=()
if [ "$(id -u)" = 0 ]; then
        command -v setpriv >/dev/null || { echo "SKIP: no setpriv to drop root"; exit 77; }
        as=(setpriv --reuid=nobody --regid=nogroup --clear-groups)
        chmod 755 "$tmp"
        chown -R nobody "$CELL_RUNTIME_DIR"
fi
max=$((32 * $(getconf PAGESIZE)))
long=$(head -c "$max" /dev/zero | tr '\0' x)

mkdir -p "$tmp/root" "$tmp/env.d" "$CELL_UNIT_PATH/web.cell.d"
printf '%s\n' "[Root]" "Directory=$tmp/root" "[Exec]" "Exec=/bin/true" "PassEnvironment=CELLTEST_A" \
        "EnvironmentFile=-$tmp/a.env" "EnvironmentFile=$tmp/env.d/*.env" > "$CELL_UNIT_PATH/web.cell"
printf '%s\n' "[Exec]" "PassEnvironment=CELLTEST_B" > "$CELL_UNIT_PATH/web.cell.d/10-pass.conf"
printf 'A=1\n' > "$tmp/env.d/1.env"
chmod -R a+rX "$tmp"
unit=$CELL_UNIT_PATH/web.cell

# check WHAT WANT -- COMMAND...: COMMAND fails with 2, its message WANT (a fixed string).
check() {
        local what=$1 want=$2
        shift 3
        expect 2 "$what" -- "$@"
        grep -qF -- "$want" "$tmp/err" || fail "$what: wanted \"$want\", got: $(head -c 300 "$tmp/err")"
}
run() { env -u TERM "$@" "${as[@]}" "$cell" run --cgroup-manager=none web; }

# PassEnvironment=: its line, in the unit file or the drop-in.
check "passed, not UTF-8" \
        "cell: web: $unit:5: PassEnvironment=CELLTEST_A: the value of CELLTEST_A in cell's environment is not valid" \
        -- run CELLTEST_A=$'a\xffb'
check "passed in a drop-in, not UTF-8" \
        "cell: web: $unit.d/10-pass.conf:2: PassEnvironment=CELLTEST_B: the value of CELLTEST_B" \
        -- run CELLTEST_B=$'\xc3'
# TERM, passed unnamed: the caller's, no line.
check "TERM, not UTF-8" "cell: web: \$TERM of cell's caller (passed as systemd passes it, unless \
UnsetEnvironment=TERM): the value of TERM" -- run TERM=$'xterm\xff'

# EnvironmentFile=: the entry's line, the file and its own line; of a
# wildcard, the file it matched; the last file that sets it.
{ printf 'A=1\n# x\nBIG=%s\n' "$long"; } > "$tmp/a.env"
want="the variable BIG is too long: $((max + 4)) bytes as KEY=VALUE, and the kernel passes at most $((max - 1))"
check "file, too long" "cell: web: $unit:6: EnvironmentFile=$tmp/a.env:3: $want" -- run
printf 'X=1\nBIG=%s\n' "$long" > "$tmp/env.d/2.env"
check "file of a wildcard, too long" "cell: web: $unit:7: EnvironmentFile=$tmp/env.d/2.env:2: $want" -- run
# Once a later file sets it short, an earlier one that set a value too
# long for the kernel is no longer the one named: the file that still is.
printf 'BIG=short\n' > "$tmp/env.d/2.env"
printf 'C=%s\n' "$long" > "$tmp/env.d/3.env"
check "file, another variable" "cell: web: $unit:7: EnvironmentFile=$tmp/env.d/3.env:1: the variable C is too long" \
        -- run
rm "$tmp/env.d/3.env"

# Too many variables together: the kernel's limit of the environment and
# the arguments as a whole, a quarter of the stack limit (cell's own, or
# LimitSTACK=), rather than the exec's "Argument list too long" blamed on
# Exec=.
python3 -c 'for i in range(3000): print("V%d=%s" % (i, "y" * 1000))' > "$tmp/many.env"
printf '%s\n' "[Root]" "Directory=$tmp/root" "[Exec]" "Exec=/bin/true" "EnvironmentFile=$tmp/many.env" \
        > "$CELL_UNIT_PATH/many.cell"
chmod a+r "$tmp/many.env" "$CELL_UNIT_PATH/many.cell"
many="The payload's environment is too large: 300"
check "many variables" "$many" -- bash -c 'ulimit -s 8192 && exec "$@"' - \
        env -u TERM "${as[@]}" "$cell" run --cgroup-manager=none many
grep -qF "the kernel passes at most 2097152 for the environment and the arguments together" "$tmp/err" ||
        fail "many variables: $(cat "$tmp/err")"
head -n 300 "$tmp/many.env" > "$tmp/some.env"
printf '%s\n' "[Root]" "Directory=$tmp/root" "[Exec]" "Exec=/bin/true" "EnvironmentFile=$tmp/some.env" \
        "[Limits]" "LimitSTACK=1M" > "$CELL_UNIT_PATH/stack.cell"
chmod a+r "$tmp/some.env" "$CELL_UNIT_PATH/stack.cell"
check "LimitSTACK=" "the kernel passes at most 262144 for the environment" -- \
        env -u TERM "${as[@]}" "$cell" run --cgroup-manager=none stack

# cell exec: its caller's TERM (over the unit's) is its own, not a file's.
# A PID 1 as a container's (a root and a UTS namespace of its own, as in
# test-exec-gone.sh), so that cell exec gets as far as the environment.
if [ "$(id -u)" != 0 ] || ! unshare -u true 2>/dev/null; then
        echo "skipped in part: cell exec (not root)"
        exit $failed
fi
unshare -u python3 -c 'import os, sys, time
os.chroot(sys.argv[1])
time.sleep(600)' "$tmp/root" </dev/null >/dev/null 2>&1 &
sleeper=$!
# Until it has chrooted (up to 30 s: python starts slowly on a loaded host).
for _ in $(seq 600); do [ "$(readlink "/proc/$sleeper/root")" = / ] || break; sleep 0.05; done
[ "$(readlink "/proc/$sleeper/root")" = / ] && fail "the stand-in PID 1 did not chroot within 30 s"
fake_running web "$unit"
check "exec, TERM not UTF-8" \
        "cell: web: \$TERM of cell exec's caller (the command's terminal, over the unit's): the value of TERM" \
        -- env TERM=$'xterm\xff' "$cell" exec web /bin/true
check "exec, passed, not UTF-8" "cell: web: $unit:5: PassEnvironment=CELLTEST_A: the value of CELLTEST_A" \
        -- env -u TERM CELLTEST_A=$'\xff' "$cell" exec web /bin/true
printf 'B=1\nBIG=%s\n' "$long" > "$tmp/env.d/2.env"
check "exec, file, too long" "cell: web: $unit:7: EnvironmentFile=$tmp/env.d/2.env:2: $want" \
        -- env -u TERM "$cell" exec web /bin/true

exit $failed
