#!/bin/sh
# "cell verify" and "cell plan" as a config-management tool sees them: exit
# statuses, every problem of every file, the summary line.
#
#   test-verify-cli.sh CELL EXAMPLES_DIR
set -u

cell=$1
examples=$2
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
failed=0

fail() {
        echo "FAIL: $*" >&2
        failed=1
}

expect() {      # expect STATUS DESCRIPTION -- command...
        want=$1 what=$2
        shift 3
        "$@" >"$tmp/out" 2>"$tmp/err"
        got=$?
        if [ "$got" != "$want" ]; then
                fail "$what: exit $got, expected $want"
                sed 's/^/  stderr: /' "$tmp/err" >&2
        fi
}

# A file name Ansible would hand over, with --name for the unit's name.
cp "$examples/web.cell" "$tmp/tmpk2f9x"
expect 0 "valid file under a temporary name" -- "$cell" verify --name web "$tmp/tmpk2f9x"
grep -q '^1 unit checked: 1 valid, 0 invalid\.$' "$tmp/err" || fail "summary for one valid unit"
# ... one file a name: several under one --name would each be taken for that unit.
expect 2 "--name with two files" -- "$cell" verify --name web "$tmp/tmpk2f9x" "$examples/hello.cell"
grep -q -- '--name web names one unit, but 2 were given' "$tmp/err" || fail "--name with two files: not said"

# The drop-ins beside such a copy are not the unit's: a cell.d/ anyone may
# make in /tmp neither completes an invalid unit nor breaks a valid one.
mkdir "$tmp/standin" "$tmp/standin/cell.d" "$tmp/units"
printf '[Unit]\nDescription=no root, no command\n' >"$tmp/standin/tmpq1w2e3"
printf '[Root]\nDirectory=/srv/a\n[Exec]\nExec=/bin/true\n' >"$tmp/standin/cell.d/00-planted.conf"
expect 1 "a temporary copy with a planted cell.d/ beside it" -- \
        env CELL_UNIT_PATH="$tmp/units" "$cell" verify --name web "$tmp/standin/tmpq1w2e3"
grep -q "tmpq1w2e3: Directory= is missing" "$tmp/err" || fail "a planted drop-in completed the unit"

# A unit staged with its drop-ins (a deploy script's /tmp/stage before the
# copy into /etc/cell): the drop-ins beside it count, as systemd-analyze
# verify reads /tmp/stage/web.service.d/; an instance that is no file is
# its template beside it, for verify and plan alike.
mkdir -p "$tmp/stage/web.cell.d" "$tmp/stage/cell.d" "$tmp/stage/pool@.cell.d" "$tmp/stage-sp"
printf '[Root]\nDirectory=/srv/a\n[Exec]\nExec=/bin/true\n' >"$tmp/stage/web.cell"
cp "$tmp/stage/web.cell" "$tmp/stage/pool@.cell"
printf '[Limits]\nMemoryMax=lots\n' >"$tmp/stage/web.cell.d/mem.conf"
printf '[Exec]\nEnvironment=STAGED=%%i\n' >"$tmp/stage/cell.d/env.conf"
printf '[Limits]\nTasksMax=7\n' >"$tmp/stage/pool@.cell.d/tasks.conf"
expect 1 "a staged unit with a bad drop-in beside it" -- \
        env CELL_UNIT_PATH="$tmp/stage-sp" "$cell" verify "$tmp/stage/web.cell"
grep -q "^$tmp/stage/web.cell.d/mem.conf:2: MemoryMax=lots" "$tmp/err" || fail "a staged drop-in: not read"
expect 0 "a staged instance, its template beside it" -- \
        env CELL_UNIT_PATH="$tmp/stage-sp" "$cell" verify "$tmp/stage/pool@2.cell"
expect 0 "plan of a staged instance" -- \
        env CELL_UNIT_PATH="$tmp/stage-sp" "$cell" plan --json "$tmp/stage/pool@2.cell"
grep -q '"name": *"pool@2"' "$tmp/out" || fail "plan of a staged instance: not named pool@2"
grep -q '"STAGED=2"' "$tmp/out" || fail "plan of a staged instance: the staged cell.d/ not read"
grep -q "$tmp/stage/pool@.cell.d/tasks.conf" "$tmp/out" || fail "plan of a staged instance: the template drop-in"
expect 1 "a staged file that is not there" -- \
        env CELL_UNIT_PATH="$tmp/stage" "$cell" verify "$tmp/stage-sp/web.cell"
grep -q "^$tmp/stage-sp/web.cell: No such file or directory" "$tmp/err" || fail "a missing staged file: not said"

# Plan-time mount messages in the order of the unit's lines, the entry as
# written (with a Bind='s options); they came sorted by target.
printf '%s\n' '[Root]' 'Directory=/srv/a' 'Bind=/srv:/proc/sys:nosuid' 'TemporaryFileSystem=/proc/acpi' \
        'Inaccessible=/proc /' '[Exec]' 'Exec=/bin/true' >"$tmp/mount-order.cell"
expect 1 "plan-time mount messages" -- "$cell" verify "$tmp/mount-order.cell"
sed '$d' "$tmp/err" | cut -d: -f2,3 >"$tmp/order"
printf '%s\n' "3: Bind=/srv" "4: TemporaryFileSystem=/proc/acpi" "5: Inaccessible=/proc" "5: Inaccessible=/" |
        cmp -s - "$tmp/order" || fail "plan-time mount messages not in line order: $(cat "$tmp/err")"

# Two bad files and a good one: every problem of each is reported.
printf '[Root]\nDirectory=/srv/a\nBogus=1\n[Exec]\nExec=/bin/true\nMemoryMax=1\n' >"$tmp/bad1.cell"
printf '[Root]\nDirectory=relative\n' >"$tmp/bad2.cell"
expect 1 "two invalid, one valid" -- "$cell" verify "$tmp/bad1.cell" "$examples/hello.cell" "$tmp/bad2.cell"
grep -q "bad1.cell:3:" "$tmp/err" || fail "bad1.cell line 3 not reported"
grep -q "bad1.cell:6:" "$tmp/err" || fail "bad1.cell line 6 not reported"
grep -q "bad2.cell" "$tmp/err" || fail "bad2.cell not reported"
grep -q '^3 units checked: 1 valid, 2 invalid\.$' "$tmp/err" || fail "summary for 3 units"
[ "$(tail -n 1 "$tmp/err")" = "3 units checked: 1 valid, 2 invalid." ] || fail "summary is not the last line"
# What a tool parses: nothing on stdout, and every line but the summary
# begins with the file it is about ("FILE:LINE: " or "FILE: ").
[ -s "$tmp/out" ] && fail "verify wrote to stdout: $(cat "$tmp/out")"
sed '$d' "$tmp/err" | grep -v "^$tmp/bad[12]\.cell:\([0-9][0-9]*:\)\? " >"$tmp/stray" &&
        fail "verify: a line that names no file: $(cat "$tmp/stray")"

# A missing file is an invalid unit, not an environment error.
expect 1 "missing file" -- "$cell" verify "$tmp/nope.cell"
grep -q "nope.cell" "$tmp/err" || fail "missing file not named"

# Plan-time checks count: a Bind= over the root parses but cannot be planned.
printf '[Root]\nDirectory=/srv/a\nBind=/srv/b:/\n[Exec]\nExec=/bin/true\n' >"$tmp/root.cell"
expect 1 "plan-time problem" -- "$cell" verify "$tmp/root.cell"
grep -q "root.cell:3: Bind=/srv/b:/: cannot mount over the container's root" "$tmp/err" || fail "plan-time message"
# ... and so do a command and a working directory no root could make "cell run" reach.
printf '[Root]\nDirectory=/srv/a\nInaccessible=/bin\n[Exec]\nExec=/bin/true\nWorkingDirectory=/bin/x\n' >"$tmp/hidden.cell"
expect 1 "a command and a working directory under Inaccessible=" -- "$cell" verify "$tmp/hidden.cell"
grep -q "hidden.cell:5: Exec=/bin/true: Inaccessible=/bin ($tmp/hidden.cell:3) hides it" "$tmp/err" ||
        fail "a command under Inaccessible=: not said"
grep -q "hidden.cell:6: WorkingDirectory=/bin/x: Inaccessible=/bin ($tmp/hidden.cell:3) hides it" "$tmp/err" ||
        fail "a working directory under Inaccessible=: not said"

# Checks across keys and of the plan name the line of the key they are
# about, a drop-in's own path when it came from one.
printf '[Root]\nDirectory=/srv/a\n[Exec]\nExec=/bin/true\n[Isolation]\nPrivateNetwork=no\n' >"$tmp/net.cell"
mkdir "$tmp/net.cell.d"
printf '[Network]\nMACVLAN=eth0\n' >"$tmp/net.cell.d/10-mv.conf"
expect 1 "check across keys" -- "$cell" verify "$tmp/net.cell"
grep -q "net.cell.d/10-mv.conf:2: MACVLAN= needs PrivateNetwork=yes" "$tmp/err" || fail "check across keys: no FILE:LINE"
printf '[Root]\nDirectory=/srv/a\n[Exec]\nExec=/bin/true\n[Isolation]\nPrivateUsers=0:65536\n' >"$tmp/users.cell"
expect 1 "plan-time check of a key" -- "$cell" verify "$tmp/users.cell"
grep -q "users.cell:6: PrivateUsers=0:65536: a range that starts at UID 0" "$tmp/err" ||
        fail "plan-time check of a key: no FILE:LINE"
printf '[Root]\nDirectory=/srv/a\n[Exec]\nExec=/bin/true\n[Isolation]\nSystemCallFilter=@basic-io bpf\n' >"$tmp/sc.cell"
expect 0 "plan-time warning about a list's item" -- "$cell" verify "$tmp/sc.cell"
grep -q "sc.cell:6: warning: SystemCallFilter=bpf: always denied" "$tmp/err" ||
        fail "plan-time warning about a list's item: no FILE:LINE"
if [ "$(uname -m)" = x86_64 ]; then
        printf '[Root]\nDirectory=/srv/a\n[Exec]\nExec=/bin/true\n[Isolation]\nSystemCallArchitectures=arm64\n' \
                >"$tmp/arch.cell"
        expect 0 "plan-time warning" -- "$cell" verify "$tmp/arch.cell"
        grep -q "arch.cell:6: warning: SystemCallArchitectures=arm64: not an ABI this machine runs" "$tmp/err" ||
                fail "plan-time warning: no FILE:LINE"
fi

# A drop-in that is a symlink leading nowhere is skipped, as systemd does:
# a warning, and the unit is still valid.
cp "$examples/hello.cell" "$tmp/hello.cell"
mkdir "$tmp/hello.cell.d"
ln -s "$tmp/nowhere.conf" "$tmp/hello.cell.d/10-gone.conf"
expect 0 "dangling drop-in" -- "$cell" verify "$tmp/hello.cell"
grep -q "hello.cell.d/10-gone.conf: warning: drop-in is a symlink that leads nowhere, skipped" "$tmp/err" ||
        fail "dangling drop-in not reported as skipped"
grep -q '^1 unit checked: 1 valid, 0 invalid\.$' "$tmp/err" || fail "summary for a dangling drop-in"

# A unit file that is a symlink to another in its directory is an alias:
# the unit is the target's, called after it (systemd's unit_file_build_name_map()).
ln -s hello.cell "$tmp/greeting.cell"
expect 0 "plan of an alias" -- env CELL_UNIT_PATH="$tmp" "$cell" plan greeting
grep -q '^Scope: *cell-hello.scope in machine.slice$' "$tmp/out" || fail "an alias is not planned as its unit"

# An Alias= systemctl enable refuses (a plain name for cell@web.service):
# cell verify refuses the unit, naming the line; cell plan (as cell run and
# the generator at boot) warns and leaves the alias out.
cp "$examples/web.cell" "$tmp/web.cell"
printf '[Install]\nAlias=www.service www@web.service\n' >> "$tmp/web.cell"
line=$(wc -l < "$tmp/web.cell")
expect 1 "verify: a refused Alias=" -- "$cell" verify "$tmp/web.cell"
grep -q "web.cell:$line: Alias=www.service www@web.service: www.service: systemd takes only an alias of the same instance" \
        "$tmp/err" || fail "verify: the refused Alias= not said at its line"
grep -q '^1 unit checked: 0 valid, 1 invalid\.$' "$tmp/err" || fail "verify: a refused Alias= left the unit valid"
expect 0 "plan: a refused Alias=" -- "$cell" plan "$tmp/web.cell"
grep -q "web.cell:$line: warning: Alias=www.service www@web.service: www.service: .*; systemctl enable refuses it: left out" \
        "$tmp/err" || fail "plan: the refused Alias= not warned of"
rm "$tmp/web.cell"

# A name that is no name is said to be one, not a "reserved name" of cell's
# own ("../x" was, with "cell keeps its own files in /run/cell/../x").
# A usage error (2), refused before the file is read.
expect 2 "--name with a slash" -- "$cell" verify --name ../x "$tmp/tmpk2f9x"
grep -qF 'Invalid --name=../x: not a unit name' "$tmp/err" || fail "--name ../x: not said to be no unit name"
grep -q 'reserved' "$tmp/err" && fail "--name ../x: called a reserved name"
cp "$tmp/tmpk2f9x" "$tmp/.a b.cell"
expect 1 "a dot file whose name has a blank" -- "$cell" verify "$tmp/.a b.cell"
grep -q 'the file name is not a valid unit name' "$tmp/err" || fail "'.a b.cell': not said to be no unit name"
grep -q 'reserved' "$tmp/err" && fail "'.a b.cell': called a reserved name"
cp "$tmp/tmpk2f9x" "$tmp/.web.cell"
expect 1 "a dot file" -- "$cell" verify "$tmp/.web.cell"
grep -q '"\.web" is a reserved name' "$tmp/err" || fail "'.web.cell': not said to be reserved"
# "..cell" is no name either ("..", the runtime directory's parent): it was
# said to be reserved, "cell keeps its own files in /run/cell/..".
cp "$tmp/tmpk2f9x" "$tmp/..cell"
expect 1 "..cell" -- "$cell" verify "$tmp/..cell"
grep -q 'the file name is not a valid unit name' "$tmp/err" || fail "'..cell': not said to be no unit name"
grep -q 'reserved' "$tmp/err" && fail "'..cell': called a reserved name"

# A unit's bytes reach the terminal as text, not as commands: an escape
# sequence in a bad line could erase the message about it.
printf '[Root]\nDirectory=/srv/a\n[Exec]\nExec=/bin/true\nBogus\033[1A\033[2K=1\n' >"$tmp/esc.cell"
expect 1 "a key with an escape sequence" -- "$cell" verify "$tmp/esc.cell"
grep -qF 'esc.cell:5: unknown key "Bogus\x1b[1A\x1b[2K" in section [Exec]' "$tmp/err" ||
        fail "an escape sequence in a message is not shown escaped"
grep -q "$(printf '\033')" "$tmp/err" && fail "an escape sequence reached stderr raw"

# A bidi override in an Exec= word would show the word reversed: "cell plan"
# prints it escaped, as Exec= reads it back (\u202e), the word in quotes.
printf '[Root]\nDirectory=/srv/a\n[Exec]\nExec=/bin/echo ab\342\200\256cd\n' >"$tmp/rlo.cell"
"$cell" plan "$tmp/rlo.cell" >"$tmp/out" 2>"$tmp/err" || fail "cell plan of an Exec= with U+202E failed"
grep -qF '"ab\u202ecd"' "$tmp/out" || fail "U+202E in an Exec= word is not shown as \\u202e"
grep -q "$(printf '\342\200\256')" "$tmp/out" && fail "U+202E reached stdout raw"

# A template is checked as its DefaultInstance=, the instance cell-generator
# enables: CPUAffinity=%i is a CPU there (i is none).
printf '[Root]\nDirectory=/srv/a\n[Exec]\nExec=/bin/true\nCPUAffinity=%%i\n' >"$tmp/pin@.cell"
expect 1 "a template without DefaultInstance=" -- "$cell" verify "$tmp/pin@.cell"
grep -q "pin@.cell: warning: the template was checked as the instance pin@i," "$tmp/err" ||
        fail "a template checked as pin@i: not said"
printf '[Install]\nDefaultInstance=0\n' >>"$tmp/pin@.cell"
expect 0 "a template with DefaultInstance=" -- "$cell" verify --name pin@ "$tmp/pin@.cell"
printf '[Install]\nDefaultInstance=a@b\n' >>"$tmp/pin@.cell"
expect 1 "a DefaultInstance= that makes no name" -- "$cell" verify "$tmp/pin@.cell"
grep -q "pin@.cell:9: DefaultInstance=a@b makes pin@a@b, which is no valid unit name" "$tmp/err" ||
        fail "a DefaultInstance= that makes no name: not said at its line"

# --drop-in=UNIT FILE: a drop-in Ansible is about to deploy (a temporary file
# of any name, not in the drop-in directory) checked with the unit and its
# installed drop-ins.
mkdir -p "$tmp/di/web.cell.d"
printf '[Root]\nDirectory=/srv/a\n[Exec]\nExec=/bin/true\n[Isolation]\nPrivateNetwork=no\n' >"$tmp/di/web.cell"
printf '[Unit]\nDescription=installed\n' >"$tmp/di/web.cell.d/mem.conf"
printf '[Limits]\nMemoryMax=1G\n' >"$tmp/ansible.ok1"
expect 0 "a valid drop-in" -- env CELL_UNIT_PATH="$tmp/di" "$cell" verify --drop-in=web "$tmp/ansible.ok1"
grep -q '^1 unit checked: 1 valid, 0 invalid\.$' "$tmp/err" || fail "a valid drop-in: summary"
printf '[Limits]\nMemoryMax=1G\nBogus=1\n' >"$tmp/ansible.bad1"
expect 1 "a drop-in with an unknown key" -- env CELL_UNIT_PATH="$tmp/di" "$cell" verify -d web "$tmp/ansible.bad1"
grep -q "ansible.bad1:3: unknown key \"Bogus\" in section \[Limits\]" "$tmp/err" ||
        fail "a drop-in with an unknown key: not said at FILE:LINE"
printf '[Limits\n' >"$tmp/ansible.bad2"
expect 1 "a drop-in with bad syntax" -- env CELL_UNIT_PATH="$tmp/di" "$cell" verify -d web "$tmp/ansible.bad2"
grep -q "ansible.bad2:1:" "$tmp/err" || fail "a drop-in with bad syntax: not said at FILE:LINE"
# Invalid only with the unit: MACVLAN= is fine alone, not with PrivateNetwork=no.
printf '[Network]\nMACVLAN=eth0\n' >"$tmp/ansible.mv"
expect 1 "a drop-in invalid with its unit" -- env CELL_UNIT_PATH="$tmp/di" "$cell" verify -d web "$tmp/ansible.mv"
grep -q "ansible.mv:2: MACVLAN= needs PrivateNetwork=yes" "$tmp/err" ||
        fail "a drop-in invalid with its unit: not said at FILE:LINE"
# Applied after the installed ones: it sets what they set. As mem.conf it
# replaces the installed mem.conf (Ansible re-deploying it); not named so,
# the installed one still applies.
printf '[Network]\nMACVLAN=eth0\n' >"$tmp/di/web.cell.d/mem.conf"
printf '[Isolation]\nPrivateNetwork=yes\n' >"$tmp/ansible.net"
expect 0 "a drop-in after the installed ones" -- env CELL_UNIT_PATH="$tmp/di" "$cell" verify -d web "$tmp/ansible.net"
expect 1 "a drop-in next to an installed one" -- \
        env CELL_UNIT_PATH="$tmp/di" "$cell" verify --drop-in=web "$tmp/ansible.ok1"
grep -q "web.cell.d/mem.conf:2: MACVLAN= needs" "$tmp/err" || fail "the installed drop-in was not applied"
expect 0 "a drop-in replacing an installed one" -- \
        env CELL_UNIT_PATH="$tmp/di" "$cell" verify --drop-in=web:mem.conf "$tmp/ansible.ok1"
grep -q '^1 unit checked: 1 valid, 0 invalid\.$' "$tmp/err" || fail "replacing an installed drop-in: summary"
# An empty file is a masked drop-in: it adds nothing (as mem.conf, it hides
# the installed one), which is said.
: >"$tmp/ansible.empty"
expect 0 "an empty drop-in replacing an installed one" -- \
        env CELL_UNIT_PATH="$tmp/di" "$cell" verify --drop-in=web:mem.conf "$tmp/ansible.empty"
grep -q "ansible.empty: warning: drop-in is masked (an empty file): it adds nothing, and as mem.conf" "$tmp/err" ||
        fail "an empty drop-in: not said to be masked"
expect 1 "an empty drop-in" -- env CELL_UNIT_PATH="$tmp/di" "$cell" verify --drop-in=web "$tmp/ansible.empty"
grep -q "ansible.empty: warning: drop-in is masked" "$tmp/err" || fail "an empty drop-in (no name): not said"
# One FILE given twice (by the same path or another) is one drop-in, at its first place.
mkdir "$tmp/di2"
cp "$tmp/di/web.cell" "$tmp/di2/"
printf '[Limits]\nTasksMax=5\n' >"$tmp/ansible.twice"
expect 0 "a file given twice" -- env CELL_UNIT_PATH="$tmp/di2" "$cell" plan --json --drop-in=web \
        "$tmp/ansible.twice" "$tmp/./ansible.twice" "$tmp/ansible.twice"
[ "$(grep -o 'ansible.twice' "$tmp/out" | wc -l)" = 1 ] || fail "a file given twice: applied twice: $(cat "$tmp/out")"
# No such unit: its own message; no such FILE: nothing was checked.
expect 1 "a drop-in of no unit" -- env CELL_UNIT_PATH="$tmp/di" "$cell" verify -d nope "$tmp/ansible.ok1"
grep -q "nope: no such unit (searched: $tmp/di)" "$tmp/err" || fail "a drop-in of no unit: not said"
expect 2 "a drop-in that is not there" -- env CELL_UNIT_PATH="$tmp/di" "$cell" verify -d web "$tmp/ansible.gone"
grep -q "ansible.gone: cannot use it as a drop-in of web: No such file or directory" "$tmp/err" ||
        fail "a drop-in that is not there: not said"
expect 2 "--drop-in without a file" -- env CELL_UNIT_PATH="$tmp/di" "$cell" verify -d web
expect 2 "--drop-in=UNIT:NAME with two files" -- \
        env CELL_UNIT_PATH="$tmp/di" "$cell" verify -d web:mem.conf "$tmp/ansible.ok1" "$tmp/ansible.net"
expect 2 "--drop-in=UNIT:.NAME" -- env CELL_UNIT_PATH="$tmp/di" "$cell" verify -d web:.mem.conf "$tmp/ansible.ok1"
# A template, checked as its DefaultInstance=, which the drop-in may set:
# CPUAffinity=%i is a CPU for pin@0, none for pin@i, the instance systemd-analyze verify checks.
printf '[Root]\nDirectory=/srv/a\n[Exec]\nExec=/bin/true\nCPUAffinity=%%i\n' >"$tmp/di/pin@.cell"
printf '[Install]\nDefaultInstance=0\n' >"$tmp/ansible.inst"
expect 0 "a drop-in of a template" -- env CELL_UNIT_PATH="$tmp/di" "$cell" verify -d pin@ "$tmp/ansible.inst"
expect 1 "a drop-in of a template, no instance" -- \
        env CELL_UNIT_PATH="$tmp/di" "$cell" verify -d pin@.cell "$tmp/ansible.ok1"
grep -q "warning: the template was checked as the instance pin@i," "$tmp/err" ||
        fail "a drop-in of a template without DefaultInstance=: not said"
expect 0 "a drop-in of an instance" -- env CELL_UNIT_PATH="$tmp/di" "$cell" verify -d pin@1 "$tmp/ansible.ok1"
# A unit given as a path, as for verify.
expect 0 "a drop-in of a unit given as a path" -- "$cell" verify -d "$tmp/di/web.cell:mem.conf" "$tmp/ansible.ok1"

# Usage errors.
expect 2 "no arguments" -- "$cell" verify
expect 2 "unknown option" -- "$cell" verify --bogus "$examples/hello.cell"
expect 0 "--help" -- "$cell" verify --help
grep -q -- "--name" "$tmp/out" || fail "verify --help mentions --name"
grep -q -- "--drop-in" "$tmp/out" || fail "verify --help mentions --drop-in"

# cell plan.
expect 0 "plan text" -- "$cell" plan "$examples/hello.cell"
grep -q '^Scope: *cell-hello.scope in machine.slice$' "$tmp/out" || fail "plan text shows the scope"
# Output that cannot be written all is a failure, also when only the lines
# about this host after the plan (the cgroup manager ...) are lost: a file
# that can hold the plan up to them and no more (RLIMIT_FSIZE) exited 0.
head_size=$(sed '/^Cgroup manager:/,$d' "$tmp/out" | wc -c)
python3 -c 'import resource, signal, subprocess, sys
def limit():
    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
    resource.setrlimit(resource.RLIMIT_FSIZE, (int(sys.argv[1]), int(sys.argv[1])))
with open(sys.argv[2], "w") as f:
    sys.exit(subprocess.run(sys.argv[3:], stdout=f, stderr=subprocess.DEVNULL, preexec_fn=limit).returncode)' \
        $((head_size + 5)) "$tmp/cut" "$cell" plan "$examples/hello.cell"
[ $? = 2 ] || fail "plan text whose last lines could not be written: not exit 2"
expect 0 "plan json with an argv override" -- "$cell" plan --json "$examples/hello.cell" -- /bin/echo hi
grep -q '"/bin/echo"' "$tmp/out" || fail "argv override not in the plan"
expect 1 "plan of an invalid unit" -- "$cell" plan "$tmp/bad2.cell"
[ -s "$tmp/out" ] && fail "an invalid unit printed a plan"
expect 2 "plan without a unit" -- "$cell" plan
expect 0 "plan --help" -- "$cell" plan --help
grep -q -- "--drop-in" "$tmp/out" || fail "plan --help mentions --drop-in"

# cell plan --drop-in=UNIT FILE: what a drop-in not yet deployed would
# change, with the same arguments as verify's.
mkdir -p "$tmp/pd/web.cell.d"
printf '[Root]\nDirectory=/srv/a\n[Exec]\nExec=/bin/true\n[Isolation]\nPrivateNetwork=no\n' >"$tmp/pd/web.cell"
printf '[Limits]\nMemoryMax=1G\n[Root]\nBind=/srv/old:/old\n' >"$tmp/pd/web.cell.d/mem.conf"
printf '[Limits]\nMemoryMax=2G\n[Root]\nBind=/srv/new:/new\n' >"$tmp/plan.new"
# Without --drop-in, as before: the installed drop-in only.
expect 0 "plan of a unit with a drop-in" -- env CELL_UNIT_PATH="$tmp/pd" "$cell" plan web
grep -q "^Drop-ins: *$tmp/pd/web.cell.d/mem.conf\$" "$tmp/out" || fail "plan: the installed drop-in not listed alone"
grep -q '^  MemoryMax  *1073741824$' "$tmp/out" || fail "plan: the installed drop-in's MemoryMax= not shown"
grep -q 'plan.new' "$tmp/out" && fail "plan without --drop-in: the drop-in not given was applied"
# After the installed one: its value wins, both binds, each named by its file.
expect 0 "plan --drop-in" -- env CELL_UNIT_PATH="$tmp/pd" "$cell" plan --drop-in=web "$tmp/plan.new"
grep -q "^Drop-ins: *$tmp/pd/web.cell.d/mem.conf $tmp/plan.new\$" "$tmp/out" ||
        fail "plan --drop-in: not listed after the installed drop-in"
grep -q '^  MemoryMax  *2147483648$' "$tmp/out" || fail "plan --drop-in: its MemoryMax= not shown"
grep -q "^  bind  */new  *<- /srv/new (rec) \[$tmp/plan.new:4\]$" "$tmp/out" ||
        fail "plan --drop-in: its Bind= not named by FILE:LINE"
grep -q "^  bind  */old  *<- /srv/old (rec) \[$tmp/pd/web.cell.d/mem.conf:4\]$" "$tmp/out" ||
        fail "plan --drop-in: the installed drop-in's Bind= gone"
expect 0 "plan --json --drop-in" -- env CELL_UNIT_PATH="$tmp/pd" "$cell" plan --json -d web "$tmp/plan.new"
grep -q '"memory_max": 2147483648,' "$tmp/out" || fail "plan --json --drop-in: its MemoryMax= not in the JSON"
grep -q "^ *\"$tmp/plan.new\"\$" "$tmp/out" || fail "plan --json --drop-in: not in dropin_paths"
grep -q "\"file\": \"$tmp/plan.new\"," "$tmp/out" || fail "plan --json --drop-in: its Bind='s file not FILE"
# As mem.conf it replaces the installed one: its value and bind are gone.
expect 0 "plan --drop-in=UNIT:NAME" -- env CELL_UNIT_PATH="$tmp/pd" "$cell" plan -d web:mem.conf "$tmp/plan.new"
grep -q "^Drop-ins: *$tmp/plan.new\$" "$tmp/out" || fail "plan --drop-in=UNIT:NAME: the installed one still listed"
grep -q '^  MemoryMax  *2147483648$' "$tmp/out" || fail "plan --drop-in=UNIT:NAME: its MemoryMax= not shown"
grep -q '/old' "$tmp/out" && fail "plan --drop-in=UNIT:NAME: the replaced drop-in's Bind= still planned"
expect 0 "plan --json --drop-in=UNIT:NAME" -- \
        env CELL_UNIT_PATH="$tmp/pd" "$cell" plan --json -d web:mem.conf "$tmp/plan.new"
grep -q 'mem.conf\|1073741824\|/old' "$tmp/out" && fail "plan --json --drop-in=UNIT:NAME: the replaced one shows"
grep -q '"memory_max": 2147483648,' "$tmp/out" || fail "plan --json --drop-in=UNIT:NAME: its MemoryMax= not shown"
# ARGS after "--", as without --drop-in.
expect 0 "plan --drop-in with ARGS" -- \
        env CELL_UNIT_PATH="$tmp/pd" "$cell" plan -d web "$tmp/plan.new" -- /bin/echo -n hi
grep -q '^Command: *"\?/bin/echo"\? "\?-n"\? "\?hi"\?$' "$tmp/out" || fail "plan --drop-in: ARGS not the command"
# Refused as verify refuses them, with the same exit statuses.
expect 1 "plan with a bad drop-in" -- env CELL_UNIT_PATH="$tmp/pd" "$cell" plan -d web "$tmp/ansible.bad1"
grep -q "ansible.bad1:3: unknown key \"Bogus\" in section \[Limits\]" "$tmp/err" ||
        fail "plan with a bad drop-in: not said at FILE:LINE"
[ -s "$tmp/out" ] && fail "plan with a bad drop-in printed a plan"
expect 1 "plan with a drop-in invalid with its unit" -- \
        env CELL_UNIT_PATH="$tmp/pd" "$cell" plan -d web "$tmp/ansible.mv"
grep -q "ansible.mv:2: MACVLAN= needs PrivateNetwork=yes" "$tmp/err" ||
        fail "plan with a drop-in invalid with its unit: not said at FILE:LINE"
expect 2 "plan --drop-in twice" -- \
        env CELL_UNIT_PATH="$tmp/pd" "$cell" plan -d web -d web "$tmp/plan.new"
grep -q -- '--drop-in given twice (web, web)' "$tmp/err" || fail "plan --drop-in twice: not said"
expect 2 "plan with a drop-in that is not there" -- \
        env CELL_UNIT_PATH="$tmp/pd" "$cell" plan -d web "$tmp/plan.gone"
grep -q "plan.gone: cannot use it as a drop-in of web: No such file or directory" "$tmp/err" ||
        fail "plan with a drop-in that is not there: not said"
[ -s "$tmp/out" ] && fail "plan with a drop-in that is not there printed a plan"
expect 2 "plan --drop-in without a file" -- env CELL_UNIT_PATH="$tmp/pd" "$cell" plan -d web
grep -q 'No drop-in given' "$tmp/err" || fail "plan --drop-in without a file: not said"
expect 2 "plan --drop-in=UNIT:NAME with two files" -- \
        env CELL_UNIT_PATH="$tmp/pd" "$cell" plan -d web:mem.conf "$tmp/plan.new" "$tmp/ansible.ok1"
grep -q -- '--drop-in=web:mem.conf names one drop-in, but 2 files were given' "$tmp/err" ||
        fail "plan --drop-in=UNIT:NAME with two files: not said"
expect 2 "plan --drop-in=UNIT:.NAME" -- env CELL_UNIT_PATH="$tmp/pd" "$cell" plan -d web:.mem.conf "$tmp/plan.new"
expect 2 "plan --drop-in, an option after the files" -- \
        env CELL_UNIT_PATH="$tmp/pd" "$cell" plan -d web "$tmp/plan.new" --json
grep -q '"--json" after the drop-ins: options go before them' "$tmp/err" ||
        fail "plan --drop-in, an option after the files: not said"
expect 1 "plan --drop-in of no unit" -- env CELL_UNIT_PATH="$tmp/pd" "$cell" plan -d nope "$tmp/plan.new"
grep -q "nope: no such unit (searched: $tmp/pd)" "$tmp/err" || fail "plan --drop-in of no unit: not said"

exit $failed
