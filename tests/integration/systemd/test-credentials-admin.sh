#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# Credentials as an admin passes them through cell@.service: systemd 252
# decrypts a drop-in's LoadCredentialEncrypted= and SetCredentialEncrypted=
# and cell's unit takes the plaintext by name with LoadCredential= (with
# LoadCredentialEncrypted= the start fails, saying so; from an encrypted
# store both decrypt); a name in a credential store is read by systemd for
# the service and by cell for its unit alike; "cell exec" after the
# hand-over to cell-monitor and the init of Boot=yes with PrivateUsers=pick
# find them; "systemctl stop" while cell waits for a credential socket's
# server or for systemd-creds stops the service at once, inactive, not
# failed, nothing left.
#
# The host key and the store are made inside the sealed systemd, on its
# private tmpfs /var/lib and /run: never on the host.
. "$(dirname "$0")/lib.sh"
: "${CRED_SERVER:?}"

setup_cell
in_sealed mount --make-shared /run      # as test-credentials.sh: /run/credentials/UNIT reaches PID 1
in_sealed sh -c 'command -v systemd-creds' >/dev/null || { echo "SKIP: no systemd-creds"; exit 77; }
in_sealed systemd-creds setup 2>/dev/null || die "systemd-creds setup"
in_sealed test -s /var/lib/systemd/credential.secret || die "no host key in the sealed /var/lib"

chmod 1777 "$ROOT/out"
enc() { in_sealed systemd-creds encrypt --with-key=host --name="$1" - "$2" 2>/dev/null; }
printf 'file-s3cr3t' | enc tok "$WORK/tok.cred" || die "encrypt tok"
inline=$(printf 'inline-s3cr3t' | in_sealed systemd-creds encrypt --with-key=host --name=inl -p - - 2>/dev/null)
[ -n "$inline" ] || die "encrypt inl"
in_sealed sh -c 'mkdir -p /run/credstore && printf store-s3cr3t > /run/credstore/st && chmod 0600 /run/credstore/st'

write_payload cred-admin <<'EOF'
trap 'exit 0' TERM
{ cd "$CREDENTIALS_DIRECTORY" && for f in *; do echo "$f=$(cat "$f")"; done; } > /out/admin.tmp
mv /out/admin.tmp /out/admin
sleep 1000 & wait
EOF
install_cell admin <<EOF
[Root]
Directory=$ROOT
[Exec]
Exec=/bin/cred-admin
LoadCredential=tok
LoadCredential=inl
LoadCredential=st
LoadCredential=own:st
EOF
# The service takes "st" from the store itself; the unit's "own:st" is
# looked for by cell: in what the service passed first, as systemd would.
install_dropin cell@admin.service creds <<EOF
[Service]
LoadCredentialEncrypted=tok:$WORK/tok.cred
$inline
LoadCredential=st
EOF
in_sealed systemctl start cell@admin.service
expect_eq "cell@admin starts" active "$(prop cell@admin.service ActiveState)"
check "the payload reported" wait_for 10 test -s "$ROOT/out/admin"
expect_eq "the plaintexts systemd decrypted, the store's once for each" "inl=inline-s3cr3t
own=store-s3cr3t
st=store-s3cr3t
tok=file-s3cr3t" "$(cat "$ROOT/out/admin" 2>/dev/null)"
# After the hand-over to cell-monitor (1 s): the payload's view is
# unchanged and a "cell exec" command finds the same credentials.
check "cell-monitor took over" wait_for 10 handed_over cell@admin.service
expect_eq "cell exec reads them" "file-s3cr3t inline-s3cr3t store-s3cr3t" \
        "$(in_sealed "$CELL" exec admin /bin/sh -c 'cd "$CREDENTIALS_DIRECTORY" && echo $(cat tok) $(cat inl) $(cat own)' 2>&1)"
in_sealed systemctl stop cell@admin.service
expect_eq "stopped" inactive "$(prop cell@admin.service ActiveState)"

# The same name taken with LoadCredentialEncrypted= by the unit: what the
# service passes is plaintext already, which (as under systemd 252, which
# decrypts what it finds there too) does not decrypt: the start fails,
# and the message says to take it with LoadCredential=.
install_cell twice <<EOF
[Root]
Directory=$ROOT
[Exec]
Exec=/bin/cred-admin
LoadCredentialEncrypted=tok
EOF
install_dropin cell@twice.service creds <<EOF
[Service]
LoadCredentialEncrypted=tok:$WORK/tok.cred
EOF
in_sealed systemctl start cell@twice.service 2>/dev/null || true
check "cell@twice fails" wait_for 10 state_is cell@twice.service failed
expect_eq "with cell's exit status 2" 2 "$(prop cell@twice.service ExecMainStatus)"
msg=$(in_sealed journalctl --no-pager -o cat -u cell@twice.service | grep -F '/run/cell/twice.cell:5: LoadCredentialEncrypted=tok: ')
echo "# $msg"
check "its message names the line, the file, systemd-creds' words" \
        grep -qF "/run/credentials/cell@twice.service/tok: /usr/bin/systemd-creds could not decrypt it: " <<<"$msg"
check "... and what to do" grep -qF "Invalid argument (a credential the service passes is decrypted already: take it with LoadCredential=tok)" <<<"$msg"

# The same with the ciphertext in an encrypted store: cell looks there
# before what the service passes (systemd 252's order), so both decrypt it.
in_sealed sh -c 'mkdir -p /run/credstore.encrypted' && printf 'estore-s3cr3t' | enc es /tmp/es.cred &&
        in_sealed mv /tmp/es.cred /run/credstore.encrypted/es || die "encrypt es"
rm -f "$ROOT/out/admin"
install_cell twicestore <<EOF
[Root]
Directory=$ROOT
[Exec]
Exec=/bin/cred-admin
LoadCredentialEncrypted=es
EOF
install_dropin cell@twicestore.service creds <<EOF
[Service]
LoadCredentialEncrypted=es
EOF
in_sealed systemctl start cell@twicestore.service
expect_eq "cell@twicestore starts" active "$(prop cell@twicestore.service ActiveState)"
check "its payload reported" wait_for 10 test -s "$ROOT/out/admin"
expect_eq "the store's plaintext" "es=estore-s3cr3t" "$(cat "$ROOT/out/admin" 2>/dev/null)"
in_sealed systemctl stop cell@twicestore.service

# A name only in the store, the service passing nothing: cell reads the
# store for its unit, as systemd did for the service.
rm -f "$ROOT/out/admin"
install_cell storeonly <<EOF
[Root]
Directory=$ROOT
[Exec]
Exec=/bin/cred-admin
LoadCredential=st
EOF
in_sealed systemctl start cell@storeonly.service
expect_eq "cell@storeonly starts" active "$(prop cell@storeonly.service ActiveState)"
check "its payload reported" wait_for 10 test -s "$ROOT/out/admin"
expect_eq "the store's credential" "st=store-s3cr3t" "$(cat "$ROOT/out/admin" 2>/dev/null)"
in_sealed systemctl stop cell@storeonly.service

# systemctl stop while cell waits for a socket's server that never answers.
srv=$(in_sealed "$CRED_SERVER" /run/silent.sock - x) || die "cred-server"
install_cell waitsock <<EOF
[Root]
Directory=$ROOT
[Exec]
Exec=/bin/cred-admin
LoadCredential=s:/run/silent.sock
EOF
in_sealed systemctl start --no-block cell@waitsock.service
check "cell@waitsock is activating" wait_for 10 state_is cell@waitsock.service activating
sleep 1
t0=$SECONDS
in_sealed systemctl stop cell@waitsock.service
# At once: under 10 s, not 5, for a loaded machine; the service's stop timeout is 20 s.
expect_eq "stopped at once (under 10 s)" 1 "$(( SECONDS - t0 < 10 ))"
expect_eq "inactive, not failed" inactive "$(prop cell@waitsock.service ActiveState)"
expect_eq "cell's exit status 0" 0 "$(prop cell@waitsock.service ExecMainStatus)"
expect_eq "and no scope is left" "" "$(in_sealed systemctl list-units --all --no-legend 'cell-waitsock*' 2>/dev/null)"
in_sealed kill "$srv" 2>/dev/null || true

# Boot=yes with PrivateUsers=pick: cell decrypts the unit's own
# LoadCredentialEncrypted= (the real systemd-creds, the sealed host key);
# the systemd inside finds it at $CREDENTIALS_DIRECTORY, its root's.
sd=$WORK/sdroot
make_os_root "$sd"
install_cell sdcred <<EOF
[Root]
Directory=$sd
BindReadOnly=/usr
[Exec]
Boot=yes
NotifyReady=yes
LoadCredentialEncrypted=tok:$WORK/tok.cred
[Isolation]
PrivateUsers=pick
EOF
check "cell@sdcred boots" in_sealed systemctl start cell@sdcred.service
expect_eq "the init's credential, as cell exec finds it" "file-s3cr3t" \
        "$(in_sealed "$CELL" exec sdcred /bin/sh -c 'cat "$CREDENTIALS_DIRECTORY/tok"' 2>&1)"
expect_eq "and as the systemd inside imported it" "file-s3cr3t" \
        "$(in_sealed "$CELL" exec sdcred /bin/sh -c 'cat /run/credentials/@system/tok' 2>&1)"
in_sealed systemctl stop cell@sdcred.service
expect_eq "cell@sdcred stopped" inactive "$(prop cell@sdcred.service ActiveState)"

# systemctl stop while cell waits for systemd-creds: a hanging one bound
# over the real one in the sealed systemd's own mount namespace.
printf '#!/bin/sh\nexec sleep 1017\n' > "$WORK/creds-hang"
chmod 0755 "$WORK/creds-hang"
in_sealed mount --bind "$WORK/creds-hang" /usr/bin/systemd-creds || die "binding the hanging systemd-creds"
install_cell waitdec <<EOF
[Root]
Directory=$ROOT
[Exec]
Exec=/bin/cred-admin
LoadCredentialEncrypted=tok:$WORK/tok.cred
EOF
in_sealed systemctl start --no-block cell@waitdec.service
check "cell@waitdec is activating" wait_for 10 state_is cell@waitdec.service activating
check "systemd-creds runs" wait_for 10 sh -c "\"\$0\" run pgrep -fx \"sleep 1017\" >/dev/null" "$SEALED"
t0=$SECONDS
in_sealed systemctl stop cell@waitdec.service
expect_eq "stopped at once (under 10 s)" 1 "$(( SECONDS - t0 < 10 ))"
expect_eq "inactive, not failed" inactive "$(prop cell@waitdec.service ActiveState)"
expect_eq "cell's exit status 0" 0 "$(prop cell@waitdec.service ExecMainStatus)"
check "no systemd-creds left" wait_for 5 sh -c "! \"\$0\" run pgrep -fx \"sleep 1017\" >/dev/null" "$SEALED"

finish
