#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# The playbook of this folder, run by Debian's ansible with connection
# local inside the sealed systemd (tests/integration/systemd/lib.sh, used as
# it is): it deploys, the second run changes nothing, a broken unit or
# drop-in is refused by "cell verify" and the running container is
# untouched, a changed unit restarts it through the handler.
. "$(dirname "$(realpath "$0")")/lib.sh"
ansible_setup

# play OUTPUT-FILE [-e VAR=VALUE...]: one run of the playbook; its exit status.
play() {
        local out=$1; shift
        in_sealed env ANSIBLE_NOCOLOR=1 ANSIBLE_FORCE_COLOR=0 ANSIBLE_LOCAL_TEMP="$WORK/ansible-tmp" \
                ANSIBLE_REMOTE_TEMP="$WORK/ansible-tmp" ANSIBLE_RETRY_FILES_ENABLED=0 \
                ansible-playbook -i localhost, -c local "$here/site.yml" \
                -e "cell=$CELL" -e "cell_root=$ROOT" "$@" > "$out" 2>&1
}
recap() { grep -E '^localhost +:' "$1"; }
changed() { recap "$1" | sed -n 's/.*changed=\([0-9]*\).*/\1/p'; }
page() { in_sealed "$CELL" exec web wget -qO- http://127.0.0.1:8080/ 2>/dev/null; }
mainpid() { prop cell@web.service MainPID; }
show_log() { echo "--- $1"; cat "$1"; }

# --- first run: deploys and starts
if play "$WORK/run1.log" -e greeting=first; then
        ok "the first run succeeds"
else
        show_log "$WORK/run1.log"
        die "the first run failed: nothing else to test"
fi
check "the first run changed something" test "$(changed "$WORK/run1.log")" -gt 0 2>/dev/null
expect_eq "cell@web is active" active "$(prop cell@web.service ActiveState)"
expect_eq "it answers" first "$(page)"
expect_eq "the service has the unit's Description=" "web, deployed by Ansible" "$(prop cell@web.service Description)"
expect_eq "the drop-in's LimitNOFILE= is the payload's" "4096 4096" \
        "$(in_sealed "$CELL" exec web sh -c 'cat /proc/$(pidof httpd)/limits' | awk '/^Max open files/ {print $4, $5}')"
pid1=$(mainpid)
sum1=$(in_sealed sha256sum /etc/cell/web.cell | cut -d' ' -f1)
dsum1=$(in_sealed sha256sum /etc/cell/web.cell.d/limits.conf | cut -d' ' -f1)

# --- second run, same input: nothing changes
if play "$WORK/run2.log" -e greeting=first; then
        ok "the second run succeeds"
else
        fail "the second run failed"; show_log "$WORK/run2.log"
fi
expect_eq "the second run reports changed=0" 0 "$(changed "$WORK/run2.log")"
expect_eq "the cell was not restarted" "$pid1" "$(mainpid)"

# --- a broken unit: validate refuses it, the running cell is untouched
if play "$WORK/broken.log" -e greeting=first -e broken=true; then
        fail "the run with a broken unit succeeded"; show_log "$WORK/broken.log"
else
        ok "the run with a broken unit fails"
fi
check "validate failed on cell verify's message" grep -q 'MemoryMax=a lot: expected bytes' "$WORK/broken.log"
expect_eq "the unit on disk is unchanged" "$sum1" "$(in_sealed sha256sum /etc/cell/web.cell | cut -d' ' -f1)"
expect_eq "cell@web is still active" active "$(prop cell@web.service ActiveState)"
expect_eq "and was not restarted" "$pid1" "$(mainpid)"
expect_eq "and still answers" first "$(page)"

# --- a broken drop-in: validate (cell verify --drop-in) refuses it, naming
# its line; the drop-in on disk and the running cell are untouched
if play "$WORK/broken-dropin.log" -e greeting=first -e nofile=lots; then
        fail "the run with a broken drop-in succeeded"; show_log "$WORK/broken-dropin.log"
else
        ok "the run with a broken drop-in fails"
fi
check "validate failed on cell verify's message, at the drop-in's line" \
        grep -qE ':5: LimitNOFILE=lots: expected SOFT' "$WORK/broken-dropin.log"
expect_eq "the drop-in on disk is unchanged" "$dsum1" \
        "$(in_sealed sha256sum /etc/cell/web.cell.d/limits.conf | cut -d' ' -f1)"
expect_eq "cell@web was not restarted" "$pid1" "$(mainpid)"
expect_eq "and still answers" first "$(page)"

# --- a changed unit: the handler restarts the cell
if play "$WORK/run3.log" -e greeting=second -e '{"description": "web, second edition"}'; then
        ok "the run with a changed unit succeeds"
else
        fail "the run with a changed unit failed"; show_log "$WORK/run3.log"
fi
check "the handler ran" grep -q 'RUNNING HANDLER \[Restart the cell\]' "$WORK/run3.log"
pid3=$(mainpid)
check "cell@web was restarted (MainPID $pid1 -> $pid3)" test -n "$pid3" -a "$pid3" != "$pid1" -a "$pid3" != 0
expect_eq "it answers with the new unit's page" second "$(page)"
expect_eq "the service has the new [Unit] (the handler's daemon-reload)" "web, second edition" \
        "$(prop cell@web.service Description)"

in_sealed systemctl stop cell@web.service
in_sealed umount -l /etc || fail "cannot remove the /etc overlay"
finish
