#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# Credentials through systemd: cell@.service given LoadCredential= by a
# drop-in hands it on to a cell unit's LoadCredential=ID (no path), whose
# payload reads the same bytes at $CREDENTIALS_DIRECTORY, as the payload's
# user; without it, the start fails naming the unit's line.
. "$(dirname "$0")/lib.sh"

setup_cell
# systemd 252 fills a service's credentials in a mount namespace of its own
# and moves them to /run/credentials/UNIT, which reaches PID 1's view only
# through shared propagation. On a host systemd makes "/" shared at boot;
# as PID 1 of a container (here) it leaves that to its container manager.
in_sealed mount --make-shared /run

chmod 1777 "$ROOT/out"          # the payload runs as "test"
mkdir -p "$WORK/secret"
printf 'web\0key\n' > "$WORK/secret/web.key"
chmod 0600 "$WORK/secret/web.key"

write_payload cred-payload <<'EOF'
trap 'exit 0' TERM
{
        echo "$CREDENTIALS_DIRECTORY"
        id -u
        stat -c '%a %u' "$CREDENTIALS_DIRECTORY" "$CREDENTIALS_DIRECTORY/tls.key"
        od -An -v -tx1 "$CREDENTIALS_DIRECTORY/tls.key" | tr -d ' \n'
        echo
} > /out/cred.tmp
mv /out/cred.tmp /out/cred
sleep 1000 & wait
EOF
install_cell cred <<EOF
[Root]
Directory=$ROOT
[Exec]
Exec=/bin/cred-payload
User=test
LoadCredential=tls.key
EOF
install_dropin cell@cred.service creds <<EOF
[Service]
LoadCredential=tls.key:$WORK/secret/web.key
EOF

in_sealed systemctl start cell@cred.service
expect_eq "cell@cred starts" active "$(prop cell@cred.service ActiveState)"
check "the payload reported" wait_for 10 test -s "$ROOT/out/cred"
expect_eq "the payload's view: the directory, its user, modes and owners, the bytes" \
        "/run/host/credentials
1000
500 1000
400 1000
776562006b65790a" "$(cat "$ROOT/out/cred")"
in_sealed systemctl stop cell@cred.service
expect_eq "stopped" inactive "$(prop cell@cred.service ActiveState)"

# The same unit under a service that passes nothing: the start fails, naming the line.
in_sealed cat /run/cell/cred.cell | install_cell nocred
in_sealed systemctl start cell@nocred.service 2>/dev/null || true
check "cell@nocred fails" wait_for 10 state_is cell@nocred.service failed
expect_eq "with cell's exit status 2" 2 "$(prop cell@nocred.service ExecMainStatus)"
check "its message names the line" sh -c "'$SEALED' run journalctl --no-pager -u cell@nocred.service |
        grep -qF '/run/cell/nocred.cell:6: LoadCredential=tls.key: \$CREDENTIALS_DIRECTORY is not set'"
expect_eq "and no scope is left" "" "$(in_sealed systemctl list-units --all --no-legend 'cell-nocred*' 2>/dev/null)"

finish
