#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# cell-generator in a real systemd: /etc/cell/web.cell with [Install]
# WantedBy= becomes part of a target (the links "systemctl enable" would
# make), its Description= and dependencies reach cell@web.service, a bad
# unit is reported and skipped, and the output is deterministic.
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
After=cell-test-dep.service
Wants=cell-test-dep.service
[Install]
WantedBy=cell-test.target
Alias=www@web.service
Alias=www.service
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
expect_eq "systemd sees the description" "generated web (100% test)" "$(prop cell@web.service Description)"
check "and the dependencies" sh -c "'$SEALED' run systemctl show -P After cell@web.service | grep -qw cell-test-dep.service"
check "the target wants the cell" sh -c "'$SEALED' run systemctl show -P Wants cell-test.target | grep -qw cell@web.service"
expect_eq "the Alias= name is the cell's service" cell@web.service "$(prop www@web.service Id)"

in_sealed systemctl start --no-block cell-test.target
check "starting the target brings cell@web up" wait_for 15 state_is cell@web.service active
expect_eq "its Wants= dependency came up too" active "$(prop cell-test-dep.service ActiveState)"
check "systemctl status shows the description" sh -c \
        "'$SEALED' run systemctl status --no-pager cell@web.service | grep -qF 'cell@web.service - generated web (100% test)'"
expect_eq "the scope runs" active "$(prop cell-web.scope ActiveState)"

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

in_sealed systemctl stop --no-block cell@web.service
in_sealed umount -l /etc || fail "cannot remove the /etc overlay"
finish
