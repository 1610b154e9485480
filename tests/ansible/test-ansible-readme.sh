#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# README's "Deploying with Ansible" playbook itself, as printed there, run by
# Debian's ansible in the sealed systemd (as test-ansible.sh runs site.yml,
# with its templates). Only what the README leaves to the reader is filled
# in: its host group is this host, "cell" is the built one ($PATH), and the
# directories the text says must exist first are made. It deploys and
# enables cell@web, the container answers, and a second run changes nothing.
. "$(dirname "$(realpath "$0")")/lib.sh"
ansible_setup
in_sealed mkdir -p /etc/cell/web.cell.d

# The README's block: "- hosts: web" up to the closing fence.
mkdir -p "$WORK/play"
ln -s "$here/templates" "$WORK/play/templates"
sed -n '/^## Deploying with Ansible/,/^## /p' "$here/../../README.md" |
        sed -n '/^```yaml$/,/^```$/{/^```/d;p}' |
        sed -e 's/^- hosts: web$/- hosts: all/' > "$WORK/play/readme.yml"
grep -q '^- hosts: all$' "$WORK/play/readme.yml" || die "no playbook found in README.md"
[ "$(grep -c ': cell ' "$WORK/play/readme.yml")" = 3 ] || die "README's playbook: not 3 commands of cell"

play() {
        local out=$1; shift
        in_sealed env PATH="$(dirname "$CELL"):$PATH" ANSIBLE_NOCOLOR=1 ANSIBLE_FORCE_COLOR=0 ANSIBLE_LOCAL_TEMP="$WORK/ansible-tmp" \
                ANSIBLE_REMOTE_TEMP="$WORK/ansible-tmp" ANSIBLE_RETRY_FILES_ENABLED=0 \
                ansible-playbook -i localhost, -c local "$WORK/play/readme.yml" \
                -e "cell_root=$ROOT" -e greeting=readme -e description=readme \
                -e broken=false -e nofile=4096 > "$out" 2>&1
}
changed() { grep -E '^localhost +:' "$1" | sed -n 's/.*changed=\([0-9]*\).*/\1/p'; }

if play "$WORK/run1.log"; then
        ok "README's playbook deploys"
else
        cat "$WORK/run1.log"
        die "README's playbook failed"
fi
expect_eq "cell@web is active" active "$(prop cell@web.service ActiveState)"
expect_eq "cell@web is enabled" enabled "$(in_sealed systemctl is-enabled cell@web.service)"
expect_eq "it answers" readme "$(in_sealed "$CELL" exec web wget -qO- http://127.0.0.1:8080/ 2>/dev/null)"
pid1=$(prop cell@web.service MainPID)
if play "$WORK/run2.log"; then
        ok "the second run succeeds"
else
        fail "the second run failed"; cat "$WORK/run2.log"
fi
expect_eq "the second run reports changed=0" 0 "$(changed "$WORK/run2.log")"
expect_eq "the cell was not restarted" "$pid1" "$(prop cell@web.service MainPID)"

in_sealed systemctl disable --now cell@web.service
in_sealed umount -l /etc || fail "cannot remove the /etc overlay"
finish
