#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# One exit status for a unit that cannot be loaded, whichever verb loads it
# (cell(1), EXIT STATUS): 1 when it is invalid, missing or no unit file at
# all (a directory, a FIFO, a device), for verify, plan, run and exec alike. Rootless: each
# stops before anything is started; exec finds its "running" cell through
# a runtime state of this test's own (CELL_RUNTIME_DIR).
#
#   test-unit-exit.sh CELL
set -u

cell=$1
. "$(dirname "$0")/lib.sh"

# A missing unit, by name and by path; a directory where the unit file would be.
mkdir "$tmp/dir.cell" "$CELL_UNIT_PATH/dirunit.cell"
for verb in verify plan run; do
        expect 1 "$verb of a missing unit by name" -- "$cell" "$verb" nosuchunit
        grep -q "nosuchunit: no such unit" "$tmp/err" || fail "$verb: the missing unit is not named"
        grep -q "a file of that name is here" "$tmp/err" && fail "$verb: a file here said to exist"
        # A file of that name in the current directory: looked up as a name
        # all the same (as systemctl does), and the message says how to
        # name the file.
        : > "$tmp/here.cell"
        expect 1 "$verb of a name that is a file here" -- env -C "$tmp" "$(realpath "$cell")" "$verb" here.cell
        grep -qF "here.cell: no such unit" "$tmp/err" || fail "$verb here.cell: not looked up as a name"
        grep -qF "name it as a path, ./here.cell" "$tmp/err" || fail "$verb here.cell: no hint at ./here.cell"
        rm -f "$tmp/here.cell"
        expect 1 "$verb of a missing file" -- "$cell" "$verb" "$tmp/nosuch.cell"
        expect 1 "$verb of a directory by path" -- "$cell" "$verb" "$tmp/dir.cell"
        grep -q "dir.cell: Is a directory" "$tmp/err" || fail "$verb: the directory is not named"
        expect 1 "$verb of a directory by name" -- "$cell" "$verb" dirunit
        # A directory whose path ends in "/" ("cell verify
        # /etc/cell/"): said to be a directory, not an invalid unit name.
        for dir in "$tmp/dir.cell/" "$tmp/dir.cell/." "$CELL_UNIT_PATH/"; do
                expect 1 "$verb of the directory $dir" -- "$cell" "$verb" "$dir"
                grep -qF "$dir: Is a directory" "$tmp/err" || fail "$verb $dir: not said to be a directory"
                grep -q "not a valid unit name" "$tmp/err" && fail "$verb $dir: said to be an invalid unit name"
        done
done
# "--" ends run's options: what follows is the unit, even "-h" or "--verbose"
# (cell@.service runs "cell run -- %i": a name may start with "-").
for name in -h --verbose; do
        expect 1 "run -- $name" -- "$cell" run -- "$name"
        grep -q -- "^$name: no such unit" "$tmp/err" || fail "run -- $name: not read as the unit $name"
done
printf '[Root]\nDirectory=relative\n' > "$CELL_UNIT_PATH/-h.cell"
expect 1 "run -- -h with a unit -h" -- "$cell" run -- -h -- /bin/true
grep -q -- "-h.cell:2: Directory=relative" "$tmp/err" || fail "run -- -h: the unit -h.cell was not loaded"
rm "$CELL_UNIT_PATH/-h.cell"
# Not a regular file: a FIFO (refused at once, not waited on for a writer), a
# device (refused, not read without end). timeout: a hang is a failure too.
mkfifo "$tmp/fifo.cell"
ln -s /dev/zero "$tmp/zero.cell"
for verb in verify plan run; do
        expect 1 "$verb of a FIFO" -- timeout 10 "$cell" "$verb" "$tmp/fifo.cell"
        grep -q "fifo.cell: not a regular file" "$tmp/err" || fail "$verb: the FIFO is not named"
        expect 1 "$verb of /dev/zero" -- timeout 10 "$cell" "$verb" "$tmp/zero.cell"
        grep -q "zero.cell: not a regular file" "$tmp/err" || fail "$verb: the device is not named"
done
# An alias whose unit does not exist, and a loop of aliases: invalid units
# (cell(1), EXIT STATUS 1), as a missing unit is, not units that could not
# be read (2); exec below loads the unit as well.
ln -s gone.cell "$CELL_UNIT_PATH/dangling.cell"
ln -s loopb.cell "$CELL_UNIT_PATH/loopa.cell"
ln -s loopa.cell "$CELL_UNIT_PATH/loopb.cell"
for verb in verify plan run; do
        expect 1 "$verb of an alias of a missing unit" -- "$cell" "$verb" dangling
        grep -qF "dangling is an alias of gone, which is no unit" "$tmp/err" ||
                fail "$verb dangling: not said to be an alias of no unit: $(cat "$tmp/err")"
        expect 1 "$verb of a loop of aliases" -- "$cell" "$verb" loopa
done
grep -qF "1 unit checked: 0 valid, 1 invalid." <("$cell" verify dangling 2>&1) ||
        fail "verify dangling: not counted as invalid"
rm "$CELL_UNIT_PATH/dangling.cell" "$CELL_UNIT_PATH/loopa.cell" "$CELL_UNIT_PATH/loopb.cell"

# An invalid unit, for comparison: the same status.
printf '[Root]\nDirectory=relative\n' > "$tmp/bad.cell"
for verb in verify plan run; do
        expect 1 "$verb of an invalid unit" -- "$cell" "$verb" "$tmp/bad.cell"
done

# Register=yes: a name that makes no machine name is an invalid unit for
# each verb; where no systemd scope will be (--cgroup-manager=none, --user)
# the start is refused before anything is made, exit 2, the key or the
# option named.
mkdir "$tmp/root"
printf '[Root]\nDirectory=%s\n[Exec]\nExec=/bin/true\nRegister=yes\n' "$tmp/root" > "$tmp/web_.cell"
for verb in verify plan run; do
        expect 1 "$verb of Register=yes under a name that is no machine name" -- "$cell" "$verb" "$tmp/web_.cell"
        grep -q "Register=yes: the unit's name \"web_\" makes no machine name" "$tmp/err" || fail "$verb: web_ not named"
done
cp "$tmp/web_.cell" "$tmp/web.cell"
expect 2 "run of Register=yes without a systemd scope" -- "$cell" run --cgroup-manager=none "$tmp/web.cell"
# The unit's line of it; --register=yes, the option's name alone.
grep -qF "web: $tmp/web.cell:5: Register=yes: systemd-machined registers a container by its systemd scope, and the none manager makes none" \
        "$tmp/err" || fail "run --cgroup-manager=none: Register=yes not refused as such, at its line"
expect 2 "run --user of Register=yes" -- "$cell" run --user "$tmp/web.cell"
grep -qF "$tmp/web.cell:5: Register=yes: systemd-machined registers the system's containers, not a user's (--user)" \
        "$tmp/err" || fail "run --user: Register=yes not refused as such, at its line"
printf '[Root]\nDirectory=%s\n[Exec]\nExec=/bin/true\n' "$tmp/root" > "$tmp/noreg.cell"
expect 2 "run --register=yes without a systemd scope" -- "$cell" run --cgroup-manager=none --register=yes "$tmp/noreg.cell"
grep -qF "noreg: --register=yes: systemd-machined registers a container by its systemd scope" "$tmp/err" ||
        fail "run --register=yes --cgroup-manager=none: the option not named"
printf '[Root]\nDirectory=%s\n[Exec]\nExec=/bin/true\n' "$tmp/root" > "$tmp/plain.cell"
expect 2 "run --register=yes without a systemd scope" -- "$cell" run --cgroup-manager=none --register=yes "$tmp/plain.cell"
grep -q "plain: --register=yes: systemd-machined registers a container" "$tmp/err" || fail "--register=yes not named"
expect 2 "run --register=maybe" -- "$cell" run --register=maybe "$tmp/plain.cell"

# One Environment= variable longer than execve(2) takes (MAX_ARG_STRLEN, 32
# pages with its NUL) is an invalid unit, named, not an exec failing with E2BIG.
max=$((32 * $(getconf PAGESIZE)))
{ printf '[Root]\nDirectory=%s\n[Exec]\nExec=/bin/true\nEnvironment=A=1 BIG=' "$tmp/root"
  head -c $((max - 4)) /dev/zero | tr '\0' x; echo; } > "$tmp/big.cell"
for verb in verify plan run; do
        expect 1 "$verb of a too long Environment=" -- "$cell" "$verb" "$tmp/big.cell"
        want="big.cell:5: Environment=: the variable BIG is too long: $max bytes as KEY=VALUE, and the kernel"
        want+=" passes at most $((max - 1)) (MAX_ARG_STRLEN, $max with the NUL)"
        grep -qF "$want" "$tmp/err" || fail "$verb: the too long BIG is not named"
done

# cell exec: the unit is loaded again from the file the running cell was
# started from.
fake_running gone "$tmp/gone.cell"
expect 1 "exec in a cell whose unit file is gone" -- "$cell" exec gone true
grep -q "gone.cell: No such file or directory" "$tmp/err" || fail "exec: the missing file is not named"
fake_running isdir "$tmp/dir.cell"
expect 1 "exec in a cell whose unit file is a directory now" -- "$cell" exec isdir true
fake_running isdir2 "$tmp/dir.cell/"
expect 1 "exec in a cell whose unit file is a directory ending in /" -- "$cell" exec isdir2 true
grep -qF "dir.cell/: Is a directory" "$tmp/err" || fail "exec: the directory ending in / is not said to be one"
fake_running invalid "$tmp/bad.cell"
expect 1 "exec in a cell whose unit is invalid now" -- "$cell" exec invalid true
expect 3 "exec in a cell that is not running" -- "$cell" exec notrunning true

# An alias names the cell its unit runs as (web.cell -> nginx.cell: the cell
# "nginx"), as "systemctl status web.service" shows nginx.service.
printf '[Root]\nDirectory=%s\n[Exec]\nExec=/bin/true\n' "$tmp/root" > "$CELL_UNIT_PATH/nginx.cell"
ln -s nginx.cell "$CELL_UNIT_PATH/web.cell"
fake_running nginx "$CELL_UNIT_PATH/nginx.cell"
expect 0 "status by an alias" -- "$cell" status web
grep -q "nginx" "$tmp/out" || fail "status by an alias: not the cell nginx"
expect 3 "status of a name that is no alias" -- "$cell" status www

exit $failed
