#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# What cell(1)'s PLAN JSON lists of a unit that sets nothing is what "cell
# plan --json" prints: the masked and the read-only paths every container
# gets, the default bounding set and the default deny list of the system
# call filter. Each list is named in full on the page, so an admin reads
# there what a container cannot reach; a path added to the code alone (as
# /proc/kallsyms, /proc/apm and /proc/asound were) fails here.
#
#   test-man-plan.sh CELL CELL.1.SCD
set -u

cell=$1
man=$2
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

mkdir -p "$tmp/root"
printf '[Root]\nDirectory=%s\n[Exec]\nExec=/bin/true\n' "$tmp/root" > "$tmp/plain.cell"
CELL_UNIT_PATH=$tmp "$cell" plan --json "$tmp/plain.cell" > "$tmp/plan.json" || {
        echo "FAIL: cell plan --json: exit $?" >&2
        exit 1
}

python3 - "$tmp/plan.json" "$man" <<'PY'
import json, re, sys

plan = json.load(open(sys.argv[1]))
# The page's text as a reader sees it, on one line: no scdoc markup ("*", and
# "_" at a word's edge), "\_" an underscore.
text = open(sys.argv[2]).read().replace("\\_", "\0")
text = re.sub(r"\*|\\|(?<![A-Za-z0-9])_|_(?![A-Za-z0-9])", "", text).replace("\0", "_")
text = " ".join(text.split())
failed = False

def section(start, end):
    i = text.find(start)
    j = text.find(end, i + len(start)) if i >= 0 else -1
    if i < 0 or j < 0:
        print(f"FAIL: cell(1) has no text from {start!r} to {end!r}", file=sys.stderr)
        sys.exit(1)
    return text[i + len(start):j]

def same(what, page, code):
    global failed
    if set(page) != set(code):
        print(f"FAIL: {what}: only in cell(1): {sorted(set(page) - set(code))}, "
              f"only in the plan: {sorted(set(code) - set(page))}", file=sys.stderr)
        failed = True

paths = lambda s: re.findall(r"/[a-z_/-]+[a-z_]", s)
builtin = [m for m in plan["mounts"] if m["file"] is None]

masked = section("then the masked paths", "(where the kernel has them)")
read_only = section("and the read-only", "-- after the unit's mounts")
same("masked paths", paths(masked), [m["target"] for m in builtin if m["kind"] == "mask"])
same("read-only paths", paths(read_only), [m["target"] for m in builtin if m["kind"] == "read-only"])

bounding = section("The bounding set is", "(with Boot=yes")
same("bounding set", re.findall(r"CAP_[A-Z_]+", bounding), plan["capabilities"]["bounding"])

deny = section("cell's default deny list is always applied, answered with EPERM:", ". These")
rules = [r["syscall"] for r in plan["seccomp"]["rules"]
         if r["action"] == "errno" and r["errno"] == "EPERM" and not r["arguments"]]
same("default deny list", [w.strip() for w in deny.split(",")], rules)

sys.exit(1 if failed else 0)
PY
