#!/bin/bash
# On a host whose cgroup controllers are v1 ones (this machine's hybrid
# layout; skipped on pure cgroup2), with the cgroupfs manager:
# - each Startup*= key the unit sets is named at the start with its own
#   line (it was the first key only);
# - what "cell verify" warns of is what "cell run" then does: a key it says
#   is refused fails the start (exit 2), one it says is not applied as such
#   runs; a key v1 holds gets no warning.
. "$(dirname "$0")/lib.sh"

v1_has() {
        awk -v c="$1" '{ for (i = 1; i <= NF; i++) if ($i == "-") break;
                         if ($(i + 1) != "cgroup") next;
                         n = split($(i + 3), o, ","); for (k = 1; k <= n; k++) if (o[k] == c) found = 1 }
                       END { exit !found }' /proc/self/mountinfo
}
if ! v1_has memory || ! v1_has cpu; then
        echo "skipped: no v1 memory and cpu hierarchies here (pure cgroup2: the unit tests cover it)"
        exit 77
fi

# --- Every Startup*= key, each at its line.
u=$(unit startup "[Root]" "Directory=$root" "[Exec]" "Exec=/bin/probe" "[Limits]" \
        "StartupCPUWeight=20" "StartupIOWeight=10" "StartupAllowedCPUs=0")
run_cell cgroupfs "$u"
[ "$status" -eq 0 ] || fail "Startup*= keys alone: exit $status: $(cat "$work/err")"
line=6
for key in CPUWeight IOWeight AllowedCPUs; do
        grep -q "$u:$line: Startup$key=: Startup\*= keys are not applied: the cgroupfs manager has no \
start-up or shutdown phase, so $key= (or its default) holds throughout" "$work/err" ||
                fail "no notice for Startup$key= at line $line: $(cat "$work/err")"
        line=$((line + 1))
done
expect "one notice a key" "$(grep -c "Startup\*= keys are not applied" "$work/err")" 3

# --- verify's word, then run's deed: MemoryMin= refused at line 6.
u=$(unit refused "[Root]" "Directory=$root" "[Exec]" "Exec=/bin/probe" "[Limits]" "MemoryMin=1M")
"$CELL" verify "$u" 2>"$work/verify" || fail "verify: a refusal on this host changed its exit status"
grep -q "^$u:6: warning: MemoryMin=: refused on this host" "$work/verify" ||
        fail "verify said nothing of MemoryMin=: $(cat "$work/verify")"
host_snapshot before
run_cell cgroupfs "$u"
expect "MemoryMin= on v1: run's exit status" "$status" 2
grep -q "$u:6: MemoryMin=: cgroup v1 has no memory protection" "$work/err" ||
        fail "run's refusal: $(cat "$work/err")"
expect_nothing_left

# --- CPUWeight=idle: not applied as idle, said by verify, and the payload runs with cpu.shares 2.
u=$(unit idle "[Root]" "Directory=$root" "[Exec]" "Exec=/bin/probe" "[Limits]" "MemoryMax=64M" "CPUWeight=idle")
"$CELL" verify "$u" 2>"$work/verify" || fail "verify CPUWeight=idle: $(cat "$work/verify")"
grep -q "^$u:7: warning: CPUWeight=idle: not applied as idle on this host" "$work/verify" ||
        fail "verify said nothing of CPUWeight=idle: $(cat "$work/verify")"
! grep -q "MemoryMax" "$work/verify" || fail "verify warned of MemoryMax=, which v1 holds: $(cat "$work/verify")"
run_cell cgroupfs "$u"
[ "$status" -eq 0 ] || fail "CPUWeight=idle on v1: exit $status: $(cat "$work/err")"
echo "ok"
