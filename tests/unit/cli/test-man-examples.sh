#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# The documentation's examples stay true: every "Example:" of cell.unit(5),
# each in a minimal unit in the section its key is documented under, the
# whole units (and drop-ins) of the man pages' and the README's code blocks,
# and the shipped units/examples/*.cell each pass "cell verify" (exit 0),
# with no warning but those of a cgroup v1 host (which depend on the host the
# test runs on: "KEY=: refused on this host: ... cgroup v1 ...").
#
#   test-man-examples.sh CELL SOURCE_ROOT
set -u

cell=$1
src=$2
. "$(dirname "$0")/lib.sh"

# Extract the cases: $tmp/cases lists "WHERE<TAB>FILE TO VERIFY", one a line.
mkdir -p "$tmp/root" "$tmp/ex"
python3 - "$src" "$tmp" >"$tmp/cases" 2>"$tmp/extract.err" <<'EOF'
import os, re, shutil, sys

src, tmp = sys.argv[1:3]
root = os.path.join(tmp, "root")
n = 0

def unescape(s):
        # scdoc's escapes: a backslash makes the next character literal.
        return re.sub(r"\\(.)", r"\1", s)

def fail(msg):
        print(msg, file=sys.stderr)
        sys.exit(1)

def new_case():
        global n
        n += 1
        d = os.path.join(tmp, "ex", "%03d" % n)
        os.makedirs(d)
        return d

# What an example needs that a minimal unit lacks, as cell.unit(5) says at
# the key (and "cell verify" refuses without): companion lines (section, line).
# PrivateNetwork= is yes by default, which the network keys need.
VETH = ("Network", "VirtualEthernet=yes")
ADDRESS = ("Network", "Address=10.0.0.2/24")
NEEDS = {
        # "Address= needs an interface in the container", Gateway= one whose
        # subnet holds it, Port= a veth and an Address= to forward to.
        "Address": [VETH],
        "Gateway": [VETH, ADDRESS],
        "Port": [VETH, ADDRESS],
}
# Keys only a template (NAME@.cell) uses: elsewhere verify warns that they are unused.
TEMPLATE = {"DefaultInstance"}

# --- cell.unit(5): the section of every key, from the section headings and
# the key's definition line ("*Bind=*, *BindReadOnly=*..." at column 0).
page = os.path.join(src, "man", "cell.unit.5.scd")
lines = open(page, encoding="utf-8").read().split("\n")
section_of = {}
section = None
for i, line in enumerate(lines, 1):
        m = re.match(r"^# \[(\w+)\] SECTION$", line)
        if m:
                section = m.group(1)
                continue
        if line.startswith("#"):
                section = None
                continue
        if section and line.startswith("*"):
                for key in re.findall(r"\*([A-Z][A-Za-z0-9]*)=\*", line):
                        if key in section_of and section_of[key] != section:
                                fail("%s:%d: %s= documented in [%s] and [%s]"
                                     % (page, i, key, section_of[key], section))
                        section_of[key] = section
if len(section_of) < 50:
        fail("%s: only %d keys found under [Section] headings" % (page, len(section_of)))

def write_unit(path, body):
        # body: list of (section, line) in order; sections in order of first use.
        order = []
        for s, _ in body:
                if s not in order:
                        order.append(s)
        with open(path, "w", encoding="utf-8") as f:
                for s in order:
                        f.write("[%s]\n" % s)
                        for s2, l in body:
                                if s2 == s:
                                        f.write(l + "\n")

# Each "Example:"/"Examples:" runs to the end of its paragraph; each bold
# KEY=VALUE in it is one example, and those after "(with" its companions.
examples = 0
i = 0
while i < len(lines):
        m = re.search(r"Examples?:(.*)$", lines[i])
        if not m:
                i += 1
                continue
        start = i + 1
        text = m.group(1)
        i += 1
        while i < len(lines) and lines[i].strip():
                text += "\n" + lines[i]
                i += 1
        main, _, with_ = text.partition("(with")
        spans = lambda t: [unescape(s) for s in re.findall(r"\*((?:\\.|[^*\\])+)\*", t)]
        items = [s for s in spans(main) if re.match(r"^[A-Z][A-Za-z0-9]*=", s)]
        extra = [s for s in spans(with_) if re.match(r"^[A-Z][A-Za-z0-9]*=", s)]
        if not items:
                fail("%s:%d: an Example: with no *KEY=VALUE* in its paragraph" % (page, start))
        for item in items + extra:
                key = item.split("=", 1)[0]
                if key not in section_of:
                        fail("%s:%d: %s: the key is documented under no [Section] heading" % (page, start, item))
        for item in items:
                examples += 1
                key = item.split("=", 1)[0]
                body = [("Root", "Directory=" + root)]
                if key in ("Directory", "Image"):
                        body = []
                # "Exec= with Boot=yes" is an error: a booted tree runs its own init.
                if key not in ("Exec", "Boot"):
                        body.append(("Exec", "Exec=/bin/true"))
                body += NEEDS.get(key, [])
                body += [(section_of[e.split("=", 1)[0]], e) for e in extra]
                body.append((section_of[key], item))
                # web.cell: the unit the page's examples speak of (its
                # Alias=www@web.service is an alias of cell@web.service).
                d = new_case()
                unit = os.path.join(d, "web@.cell" if key in TEMPLATE else "web.cell")
                write_unit(unit, body)
                print("%s:%d: %s\t%s" % (page, start, item, unit))
if examples < 60:
        fail("%s: only %d examples found" % (page, examples))

# --- Code blocks that are units: those whose first line names the file
# ("# /etc/cell/web.cell", "# .../worker@.cell.d/50-memory.conf"). A drop-in
# goes beside a copy of the last unit of its page, verified with it.
def blocks(path, scd):
        text = open(path, encoding="utf-8").read().split("\n")
        j = 0
        while j < len(text):
                if text[j].startswith("```"):
                        first = j + 1
                        j += 1
                        body = []
                        while j < len(text) and not text[j].startswith("```"):
                                body.append(unescape(text[j]) if scd else text[j])
                                j += 1
                        yield first, body
                j += 1

# A block names its file in its first line; cell.unit(5)'s EXAMPLE, whose
# does not, is the web.cell its text speaks of. verify checks a unit's
# syntax only: its Directory= and the paths it binds need not exist here.
FILE = re.compile(r"^# (?:\S*/)?([^/\s:]+\.cell)(?:\.d/([^/\s:]+\.conf))?:?(\s|$)")
units = 0
for name, scd in (("man/cell.unit.5.scd", True), ("man/cell.syntax.7.scd", True), ("README.md", False)):
        path = os.path.join(src, name)
        last = None
        for first, body in blocks(path, scd):
                if not any(re.match(r"^\[\w+\]$", l) for l in body):
                        continue
                m = FILE.match(body[0])
                if m:
                        unit, dropin = m.group(1), m.group(2)
                elif name == "man/cell.unit.5.scd":
                        unit, dropin = "web.cell", None
                else:
                        fail("%s:%d: a unit's code block whose first line names no file (\"# /etc/cell/NAME.cell\")"
                             % (path, first))
                d = new_case()
                if dropin:
                        if not last or os.path.basename(last) != unit:
                                fail("%s:%d: a drop-in of %s, which the block above is not" % (path, first, unit))
                        # A case of its own, a copy of the unit (and of the
                        # drop-ins above): the unit is checked alone too.
                        shutil.copytree(os.path.dirname(last), d, dirs_exist_ok=True)
                        os.makedirs(os.path.join(d, unit + ".d"), exist_ok=True)
                        what, out = "%s with %s" % (unit, dropin), os.path.join(d, unit + ".d", dropin)
                else:
                        what, out = unit, os.path.join(d, unit)
                last = os.path.join(d, unit)
                with open(out, "w", encoding="utf-8") as f:
                        f.write("\n".join(body) + "\n")
                print("%s:%d: %s\t%s" % (path, first, what, last))
                units += 1
if units < 5:
        fail("only %d units in code blocks" % units)
EOF
status=$?
if [ "$status" != 0 ]; then
        fail "extracting the examples: $(cat "$tmp/extract.err")"
        exit 1
fi

for f in "$src"/units/examples/*.cell; do
        printf '%s\t%s\n' "$f" "$f" >> "$tmp/cases"
done

# Examples only some hosts take, each with the reason (said, not skipped
# silently): Personality=x86 is x86-64's 32-bit secondary architecture,
# which cell.unit(5) says is refused on a machine that does not run it.
machine=$(uname -m)
host_exception() {
        case "$1:$machine" in
        *": Personality=x86:x86_64" | *": Personality=x86:i"?86) return 1 ;;
        *": Personality=x86:"*) echo "not checked on $machine: $1 (x86 runs on x86-64 and x86 only)" ;;
        *) return 1 ;;
        esac
}

# A warning of a cgroup v1 host's, about a [Limits] key (src/scope/cgroup-v1-notice.c):
# "FILE:LINE: warning: KEY=VALUE: refused on this host: ... cgroup v1 ...", or
# "not applied [as ...] on this host". Whether it comes depends on the host.
v1_re='^.+: warning: [A-Z][A-Za-z]*=[^:]*: (refused|not applied)[^:]* on this host: .*v1'
v1_notice() { [[ $1 =~ $v1_re ]]; }

count=0
while IFS=$'\t' read -r where file; do
        host_exception "$where" && continue
        count=$((count + 1))
        echo "$where"
        expect 0 "$where" -- "$cell" verify "$file" </dev/null
        # Anything else verify says of a valid unit, its summary aside, is the example's own warning.
        while IFS= read -r line; do
                [ "$line" = "1 unit checked: 1 valid, 0 invalid." ] && continue
                v1_notice "$line" && { echo "  (host) $line"; continue; }
                fail "$where: says more than its summary: $line"
        done < "$tmp/err"
done < "$tmp/cases"
echo "$count examples checked"
exit "$failed"
