#!/bin/bash
# LoadCredentialEncrypted= and SetCredentialEncrypted= with the real
# systemd-creds: the payload finds the plaintext; a credential encrypted
# under another name is refused (exit 2, FILE:LINE and key, nothing left);
# no plaintext in the plan or cell's narration.
#
# The host key is made here, never on the host: the whole test runs in a
# private mount namespace with a tmpfs over /var/lib/systemd, which goes
# with it (credential.secret included).
if [ -z "${CELL_TEST_CREDS_NS:-}" ]; then
        if [ "$(id -u)" -ne 0 ]; then
                echo "skipped: needs root"
                exit 77
        fi
        CELL_TEST_CREDS_NS=1 exec unshare -m --propagation private "$0" "$@"
fi
. "$(dirname "$0")/lib.sh"

command -v systemd-creds >/dev/null || { echo "skipped: no systemd-creds"; exit 77; }
mount -t tmpfs -o mode=0755 tmpfs /var/lib/systemd
[ ! -e /var/lib/systemd/credential.secret ] || fail "a host key before setup"
systemd-creds setup 2>/dev/null
enc() { systemd-creds encrypt --with-key=host --name="$1" - "$2" 2>/dev/null; }

printf 'file-s3cr3t\n' | enc tok "$work/tok.cred"
printf 'other-s3cr3t' | enc other "$work/other.cred"
mkdir "$work/caller"
printf 'caller-s3cr3t' | enc cc "$work/caller/cc"
# As "systemd-creds encrypt -p" prints it: a line continued twice.
inline=$(printf 'inline-s3cr3t' | systemd-creds encrypt --with-key=host --name=inl -p - - 2>/dev/null)
[ "$(grep -c '\\$' <<<"$inline")" -ge 1 ] || fail "-p printed one line: $inline"
fallback=$(printf 'fallback-s3cr3t' | systemd-creds encrypt --with-key=host --name=fb -p - - 2>/dev/null)
wrongset=$(printf 'x' | systemd-creds encrypt --with-key=host --name=elsewhere -p - - 2>/dev/null | sed 's/^SetCredentialEncrypted=elsewhere:/SetCredentialEncrypted=ws:/')

export CREDENTIALS_DIRECTORY=$work/caller
host_snapshot before
u=$(unit enc "[Root]" "Directory=$root" "[Exec]" \
        "Exec=/bin/sh -c 'cd \"\$CREDENTIALS_DIRECTORY\" && for f in *; do echo \"\$f=\$(cat \$f)\"; done'" \
        "LoadCredentialEncrypted=tok:$work/tok.cred" "LoadCredentialEncrypted=cc" "$inline" \
        "LoadCredentialEncrypted=fb:$work/missing" "$fallback")
status=0
timeout 20 "$CELL" run -v --cgroup-manager=none "$u" >"$work/out" 2>"$work/err" || status=$?
[ "$status" -eq 0 ] || { cat "$work/err" >&2; fail "exited $status"; }
expect "the plaintexts" "$(cat "$work/out")" "cc=caller-s3cr3t
fb=fallback-s3cr3t
inl=inline-s3cr3t
tok=file-s3cr3t"
"$CELL" plan --json "$u" > "$work/plan"
"$CELL" plan "$u" >> "$work/plan"
! grep -q 's3cr3t' "$work/plan" "$work/err" || fail "a plaintext is shown: $(grep 's3cr3t' "$work/plan" "$work/err")"
grep -q '"id": "tok", "load": "'"$work"'/tok.cred", "set": false, "load_encrypted": true, "set_encrypted": false' \
        "$work/plan" || fail "plan: $(cat "$work/plan")"
grep -q "^Credential: *tok from $work/tok.cred (encrypted)\$" "$work/plan" || fail "plan text: $(cat "$work/plan")"
expect_nothing_left

# cell verify knows what is knowable without the key: the Base64.
u=$(unit badb64 "[Root]" "Directory=$root" "[Exec]" "Exec=/bin/true" "SetCredentialEncrypted=x:not*base64")
status=0
"$CELL" verify "$u" 2>"$work/err" || status=$?
expect "verify: status" "$status" 1
grep -q "$u:5: SetCredentialEncrypted=x:(value not shown): expected ID:BASE64.*not Base64" "$work/err" ||
        fail "verify: $(cat "$work/err")"

# Errors at start: exit 2 before anything is made, naming the key's line
# and systemd-creds' reason.
check_error() { credential_error none "$@"; }
# Not turned off by cell's caller's environment: systemd-creds honours
# these, and cell does not pass its environment on.
export SYSTEMD_CREDENTIAL_VALIDATE_NAME=0 SYSTEMD_CREDENTIAL_VALIDATE_NOT_AFTER=0
check_error wrongname "6: LoadCredentialEncrypted=x:$work/other.cred: $work/other.cred: /usr/bin/systemd-creds could not decrypt it: Embedded credential name 'other' does not match filename 'x', refusing\\.\$" \
        "LoadCredentialEncrypted=tok:$work/tok.cred" "LoadCredentialEncrypted=x:$work/other.cred"
check_error wrongset "5: SetCredentialEncrypted=ws: /usr/bin/systemd-creds could not decrypt it: Embedded credential name 'elsewhere' does not match filename 'ws', refusing\\.\$" \
        "$wrongset"
printf 'not a credential' > "$work/plain"
check_error plain "5: LoadCredentialEncrypted=p:$work/plain: $work/plain: /usr/bin/systemd-creds could not decrypt it: " \
        "LoadCredentialEncrypted=p:$work/plain"

# The host key another host's, then none at all: the message names the key
# file and the step, which systemd-creds' own words do not.
key=/var/lib/systemd/credential.secret
mv "$key" "$work/credential.secret.saved"
systemd-creds setup 2>/dev/null
check_error otherkey "5: LoadCredentialEncrypted=tok:$work/tok.cred: $work/tok.cred: /usr/bin/systemd-creds could not decrypt it: .*incorrect key.* \\(not encrypted with this host's $key or TPM2: encrypt it again on this host: systemd-creds encrypt --name=tok\\)\$" \
        "LoadCredentialEncrypted=tok:$work/tok.cred"
rm "$key"
check_error nokey "5: LoadCredentialEncrypted=tok:$work/tok.cred: $work/tok.cred: /usr/bin/systemd-creds could not decrypt it: Failed to determine local credential key: No such file or directory \\(this host has no $key, nor a TPM2 for it: encrypt it again on this host: systemd-creds encrypt --name=tok\\)\$" \
        "LoadCredentialEncrypted=tok:$work/tok.cred"
mv "$work/credential.secret.saved" "$key"
echo "ok"
