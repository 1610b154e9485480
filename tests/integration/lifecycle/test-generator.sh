#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# cell-generator in a real systemd: /etc/cell/web.cell with [Install]
# WantedBy= becomes part of a target (the links "systemctl enable" would
# make), its Description= and dependencies reach cell@web.service (an
# escaped unit name as written), a bad unit or a name too long for systemd
# is reported and skipped, an instance file wins over its template's
# DefaultInstance=, a cell named "-h" starts as cell@-h.service (not as
# "cell run -h"), and the output is deterministic.
#
# The target is a test target, not multi-user.target: the sealed systemd
# shares the host's network namespace, and multi-user.target would start
# the host's own services (networking, ssh) in it.
. "$(dirname "$0")/../systemd/lib.sh"
: "${CELL_GENERATOR:?}"

setup_cell

# /etc is the host's, read-only in the sealed systemd: an overlay over it,
# in the sealed mount namespace only, with the changes in the work dir.
mkdir -p "$WORK/etc-upper" "$WORK/etc-work"
in_sealed mount -t overlay overlay -o "lowerdir=/etc,upperdir=$WORK/etc-upper,workdir=$WORK/etc-work" /etc ||
        die "cannot overlay /etc in the sealed systemd"
in_sealed mkdir -p /etc/cell /run/systemd/system-generators
in_sealed ln -s "$CELL_GENERATOR" /run/systemd/system-generators/cell-generator
printf '[Unit]\nDescription=cell generator test target\n' |
        in_sealed sh -c 'cat > /run/systemd/system/cell-test.target'

write_payload gen-payload <<'EOF'
trap 'exit 0' TERM
while :; do sleep 1 & wait $!; done
EOF
in_sealed sh -c 'cat > /etc/cell/web.cell' <<EOF
[Unit]
Description=generated web (100%% test)
After=cell-test-dep.service mnt-data\\x2d1.mount
Wants=cell-test-dep.service
[Install]
WantedBy=cell-test.target
Alias=www@web.service
Alias=www.service
Alias=web2@.service
[Root]
Directory=$ROOT
[Exec]
Exec=/bin/gen-payload
EOF
printf '[Service]\nType=oneshot\nRemainAfterExit=yes\nExecStart=/bin/true\n' |
        in_sealed sh -c 'cat > /run/systemd/system/cell-test-dep.service'
# Invalid, sorted before web: it must not stop web from being generated.
printf '[Root]\nDirectory=relative\n[Install]\nWantedBy=cell-test.target\n' |
        in_sealed sh -c 'cat > /etc/cell/bad.cell'
# A valid file name, but cell@NAME.service.d would be past NAME_MAX: it was
# a "File name too long" that stopped the whole generator (exit 2, nothing
# written). Sorted before web too.
long=$(printf 'a%.0s' $(seq 245))
printf '[Root]\nDirectory=/\nVolatile=yes\n[Exec]\nExec=/bin/true\n' | in_sealed sh -c "cat > /etc/cell/$long.cell"
# A name that starts with "-": cell@.service must not hand it to cell as an
# option ("cell run -h" printed the help and exited 0).
in_sealed sh -c 'cat > /etc/cell/-h.cell' <<EOF
[Install]
WantedBy=cell-test.target
[Root]
Directory=$ROOT
[Exec]
Exec=/bin/gen-payload
EOF
# A template enabled as its DefaultInstance=1, and the instance's own file,
# which wins (as in systemd and "cell run w@1").
in_sealed sh -c 'cat > /etc/cell/w@.cell' <<EOF
[Unit]
Description=the template
After=cell-test-t.target
[Install]
WantedBy=cell-test.target
DefaultInstance=1
[Root]
Directory=$ROOT
[Exec]
Exec=/bin/gen-payload
EOF
in_sealed sh -c 'cat > /etc/cell/w@1.cell' <<EOF
[Unit]
Description=the instance
[Root]
Directory=$ROOT
[Exec]
Exec=/bin/gen-payload
EOF

in_sealed mkdir -p "$WORK/g0"
in_sealed systemctl daemon-reload
gen=/run/systemd/generator
check "the drop-in for cell@web.service is written" in_sealed test -f "$gen/cell@web.service.d/50-cell-generator.conf"
expect_eq "the WantedBy= link" /lib/systemd/system/cell@.service \
        "$(in_sealed readlink "$gen/cell-test.target.wants/cell@web.service")"
check "nothing for the bad unit" in_sealed test ! -e "$gen/cell@bad.service.d"
check "systemd saw the generator report a problem" sh -c \
        "'$SEALED' run journalctl --no-pager | grep -q 'cell-generator failed with exit status 1'"
errors=$(in_sealed "$CELL_GENERATOR" "$WORK/g0" "$WORK/g0" "$WORK/g0" 2>&1 >/dev/null)
check "the bad unit is reported on stderr" grep -q 'cell-generator: bad.cell is invalid, skipped' <<<"$errors"
check "so is the Alias= systemd would reject" grep -q 'Alias=www.service: systemd takes only an alias of the same instance' <<<"$errors"
check "the name too long for systemd is reported" grep -q "/etc/cell/$long.cell: name too long for systemd" <<<"$errors"
check "and did not stop the generator" eval '! grep -q "File name too long" <<<"$errors"'
check "w@1.cell is not claimed by its template" eval '! grep -q "claimed" <<<"$errors"'
# (systemctl show writes a name with a backslash C-quoted: "a\\x2db.mount")
after=$(prop cell@web.service After)
check "systemd reads the escaped After= as written" \
        grep -qF -e 'mnt-data\x2d1.mount' -e '"mnt-data\\x2d1.mount"' <<<"$after"
check "not as another unit's name" eval '! grep -qw mnt-data-1.mount <<<"$after"'
expect_eq "cell@w@1 is made of w@1.cell" "the instance" "$(prop cell@w@1.service Description)"
expect_eq "its SourcePath= is w@1.cell" /etc/cell/w@1.cell "$(prop cell@w@1.service SourcePath)"
check "and the template's WantedBy= is not its" sh -c "! '$SEALED' run systemctl show -P Wants cell-test.target | grep -qF cell@w@1.service"
check "the target wants cell@-h" sh -c "'$SEALED' run systemctl show -P Wants cell-test.target | grep -qw -- cell@-h.service"
expect_eq "systemd sees the description" "generated web (100% test)" "$(prop cell@web.service Description)"
check "and the dependencies" sh -c "'$SEALED' run systemctl show -P After cell@web.service | grep -qw cell-test-dep.service"
check "the target wants the cell" sh -c "'$SEALED' run systemctl show -P Wants cell-test.target | grep -qw cell@web.service"
check "the service requires the mounts of its root (RequiresMountsFor=)" \
        sh -c "'$SEALED' run systemctl show -P RequiresMountsFor cell@web.service | grep -qxF '$ROOT'"
expect_eq "the Alias= name is the cell's service" cell@web.service "$(prop www@web.service Id)"
expect_eq "a template Alias= takes the instance" cell@web.service "$(prop web2@web.service Id)"

in_sealed systemctl start --no-block cell-test.target
check "starting the target brings cell@web up" wait_for 15 state_is cell@web.service active
expect_eq "its Wants= dependency came up too" active "$(prop cell-test-dep.service ActiveState)"
check "systemctl status shows the description" sh -c \
        "'$SEALED' run systemctl status --no-pager cell@web.service | grep -qF 'cell@web.service - generated web (100% test)'"
expect_eq "the scope runs" active "$(prop cell-web.scope ActiveState)"
check "cell@-h runs the cell named -h" wait_for 15 state_is cell@-h.service active
expect_eq "in its scope" active "$(prop 'cell-\x2dh.scope' ActiveState)"

# --dry-run prints what it would write, exactly, and writes nothing.
dry=$(in_sealed "$CELL_GENERATOR" --dry-run /x 2>/dev/null); rc=$?
expect_eq "--dry-run exits 1 (a unit was skipped)" 1 "$rc"
expect_eq "--dry-run prints the drop-in as written" \
        "$(in_sealed cat "$gen/cell@web.service.d/50-cell-generator.conf")" \
        "$(awk '$0 == "/x/cell@web.service.d/50-cell-generator.conf:" { on = 1; next } /^\/x\// { on = 0 } on' <<<"$dry")"
check "--dry-run prints the link" grep -qx '/x/cell-test.target.wants/cell@web.service -> /lib/systemd/system/cell@.service' <<<"$dry"
check "--dry-run wrote nothing" in_sealed test ! -e /x

# Deterministic: two runs, the same bytes.
in_sealed sh -c "mkdir -p '$WORK/g1' '$WORK/g2' && '$CELL_GENERATOR' '$WORK/g1' '$WORK/g1' '$WORK/g1' 2>/dev/null; '$CELL_GENERATOR' '$WORK/g2' '$WORK/g2' '$WORK/g2' 2>/dev/null; true"
check "two runs write the same tree" diff -r --no-dereference "$WORK/g1" "$WORK/g2"
check "and it is what systemd's run wrote" in_sealed diff -r "$WORK/g1/cell@web.service.d" "$gen/cell@web.service.d"

in_sealed systemctl stop --no-block cell@web.service cell@-h.service
in_sealed umount -l /etc || fail "cannot remove the /etc overlay"
finish
