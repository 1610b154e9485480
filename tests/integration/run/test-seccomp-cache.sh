#!/bin/bash
# The compiled seccomp filter is kept in $CELL_CACHE_DIR/seccomp on the host
# and read back by later starts (src/spawn/seccomp-cache.c); the payload is
# filtered the same whichever way its program came.
. "$(dirname "$0")/lib.sh"

export CELL_CACHE_DIR=$work/cache
cache=$CELL_CACHE_DIR/seccomp
denied_default='{"keyctl": 1, "bpf": 1, "add_key": 1}'

u=$(unit cached "[Root]" "Directory=$root" "ReadOnly=yes" "[Exec]" "Exec=/bin/probe")
v=$(unit other "[Root]" "Directory=$root" "ReadOnly=yes" "[Exec]" "Exec=/bin/probe" \
        "[Isolation]" "SystemCallFilter=~keyctl:EACCES")

# run_filtered WHAT UNIT DENIED: cell run -v; the payload is filtered as
# DENIED says; prints how the program came, from cell's debug line.
run_filtered() {
        status=0
        timeout 20 "$CELL" run -v --cgroup-manager=none "$2" >"$work/out" 2>"$work/err" || status=$?
        [ "$status" -eq 0 ] || { cat "$work/err" >&2; fail "$1: cell run exited $status"; }
        expect "$1: Seccomp" "$(field Seccomp)" 2
        expect "$1: denied" "$(field denied)" "$3"
        sed -n 's/.*System call filter: [0-9]* instructions, \(.*\)\.$/\1/p' "$work/err"
}

expect "first start" "$(run_filtered first "$u" "$denied_default")" "compiled and cached"
expect "cache dir mode" "$(stat -c %a "$cache")" 700
files=("$cache"/*.bpf)
[ "${#files[@]}" -eq 1 ] || fail "one file expected in $cache: ${files[*]}"
expect "cache file mode" "$(stat -c '%a %U' "${files[0]}")" "600 root"
expect "second start" "$(run_filtered second "$u" "$denied_default")" "read from the cache"

# Another filter: its own file, its own verdicts.
expect "other filter" "$(run_filtered other "$v" '{"keyctl": 13, "bpf": 1, "add_key": 1}')" "compiled and cached"
expect "other filter again" "$(run_filtered other "$v" '{"keyctl": 13, "bpf": 1, "add_key": 1}')" "read from the cache"
[ "$(ls "$cache" | wc -l)" -eq 2 ] || fail "two files expected in $cache: $(ls "$cache")"

# A file of another cell, libseccomp or kernel is removed when one is written.
touch "$cache/0000000000000000-0000000000000000.bpf"
rm -f "${files[0]}"
expect "after removal" "$(run_filtered again "$u" "$denied_default")" "compiled and cached"
[ ! -e "$cache/0000000000000000-0000000000000000.bpf" ] || fail "a stale file was not pruned"

# What the host's cache holds is loaded as it is (only root can write
# there): a permissive program (BPF_RET ALLOW) under this filter's key ...
allow=$work/allow.bpf
key_size=$(od -An -t u4 -j 8 -N 4 "${files[0]}" | tr -d ' ')
{ head -c 12 "${files[0]}"; printf '\001\000\000\000'
  tail -c +17 "${files[0]}" | head -c "$key_size"; printf '\006\000\000\000\000\000\377\177'; } > "$allow"
install -m 600 "$allow" "${files[0]}"
status=0
timeout 20 "$CELL" run -v --cgroup-manager=none "$u" >"$work/out" 2>"$work/err" || status=$?
[ "$status" -eq 0 ] || { cat "$work/err" >&2; fail "permissive: cell run exited $status"; }
grep -q 'System call filter: 1 instructions, read from the cache' "$work/err" || fail "permissive: not read: $(cat "$work/err")"
[ "$(field denied)" != "$denied_default" ] || fail "permissive: the program read was not the one loaded"

# ... but never the container's own: the same file at the cache's path in
# the image is not read; the host's cache is.
rm -rf "$cache"
mkdir -p "$root$cache"
chmod 700 "$root$cache"
install -m 600 "$allow" "$root$cache/${files[0]##*/}"
expect "image's cache" "$(run_filtered image "$u" "$denied_default")" "compiled and cached"
[ -e "${files[0]}" ] || fail "the host's cache was not written"

# A directory someone else could write is not used: compiled each time.
chmod 777 "$cache"
expect "open directory" "$(run_filtered open "$u" "$denied_default")" "compiled, not cached"
chmod 700 "$cache"

# Turned off.
expect "CELL_SECCOMP_CACHE=0" "$(CELL_SECCOMP_CACHE=0 run_filtered off "$u" "$denied_default")" "compiled, no cache"

echo "ok"
