#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# What the Ansible tests share (sourced): Debian's ansible or a skip, the
# sealed systemd's lib (tests/integration/systemd/lib.sh), and ansible_setup:
# the busybox root with the web server's start script, cell's generator as a
# package installs it (a unit's [Unit] reaches cell@NAME.service at
# daemon-reload, which the playbooks ask for), and /etc writable in the
# sealed mount namespace only: an overlay over the host's, its changes in
# the work dir.
here=$(dirname "$(realpath "${BASH_SOURCE[1]}")")
if [ "$(id -u)" = 0 ] && ! command -v ansible-playbook >/dev/null; then
        echo "SKIP: ansible-playbook is not installed (Debian package ansible)"
        exit 77
fi
. "$here/../integration/systemd/lib.sh"

ansible_setup() {
        setup_cell
        install -m 0755 "$here/files/web-start" "$ROOT/bin/web-start"
        in_sealed mkdir -p /run/systemd/system-generators
        in_sealed ln -s "${CELL_GENERATOR:?}" /run/systemd/system-generators/cell-generator
        mkdir -p "$WORK/etc-upper" "$WORK/etc-work"
        in_sealed mount -t overlay overlay -o "lowerdir=/etc,upperdir=$WORK/etc-upper,workdir=$WORK/etc-work" /etc ||
                die "cannot overlay /etc in the sealed systemd"
}
