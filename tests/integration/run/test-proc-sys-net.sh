#!/bin/bash
# /proc/sys/net as nspawn leaves it: writable where the network is the
# container's own (the rest of /proc/sys read-only), so that a payload with
# CAP_NET_ADMIN over that namespace sets its own network's sysctls
# (ip_forward for a router or VPN, somaxconn), never the host's; read-only
# on the host's network (PrivateNetwork=no) and with ProtectKernelTunables=.
. "$(dirname "$0")/lib.sh"

host_forward=$(cat /proc/sys/net/ipv4/ip_forward)
host_somaxconn=$(cat /proc/sys/net/core/somaxconn)
want_forward=$((1 - host_forward))
want_somaxconn=$((host_somaxconn == 512 ? 1024 : 512))

# Each write's result: "ok" and the value read back, or the shell's error;
# then whether the kernel's own tunables stayed read-only, and the flags of
# the two mounts.
cat > "$root/bin/sysctl-net" <<EOF2
#!/bin/sh
try() {
        if err=\$( { echo "\$2" > "\$1"; } 2>&1 ); then echo "\$1 ok \$(cat "\$1")"
        else case "\$err" in
                *"Read-only"*) echo "\$1 read-only" ;;
                *"not permitted"*|*"denied"*) echo "\$1 refused" ;;
                *) echo "\$1 other: \$err" ;;
        esac; fi
}
try /proc/sys/net/ipv4/ip_forward $want_forward
try /proc/sys/net/core/somaxconn $want_somaxconn
try /proc/sys/vm/swappiness 60
awk '\$5 == "/proc/sys" || \$5 == "/proc/sys/net" { split(\$6, o, ","); print \$5, o[1] }' /proc/self/mountinfo
EOF2
chmod 755 "$root/bin/sysctl-net"

# case NAME WANT ISOLATION-LINES...
case_of() {
        local name=$1 want=$2; shift 2
        local u
        u=$(unit "$name" "[Root]" "Directory=$root" "ReadOnly=yes" "[Exec]" "Exec=/bin/sysctl-net" \
                "[Isolation]" "$@")
        run_cell none "$u"
        expect "$name: status ($(cat "$work/err"))" "$status" 0
        expect "$name" "$(tr '\n' ';' < "$work/out")" "$want"
        expect "$name: the host's ip_forward" "$(cat /proc/sys/net/ipv4/ip_forward)" "$host_forward"
        expect "$name: the host's somaxconn" "$(cat /proc/sys/net/core/somaxconn)" "$host_somaxconn"
}

f=/proc/sys/net/ipv4/ip_forward s=/proc/sys/net/core/somaxconn v=/proc/sys/vm/swappiness
written="$f ok $want_forward;$s ok $want_somaxconn;$v read-only;"
case_of netadmin "${written}/proc/sys/net rw;/proc/sys ro;/proc/sys/net rw;" "Capability=CAP_NET_ADMIN"
case_of netadminusers "${written}/proc/sys/net rw;/proc/sys ro;/proc/sys/net rw;" "Capability=CAP_NET_ADMIN" \
        "PrivateUsers=pick"
# Without CAP_NET_ADMIN the kernel refuses, not the mount.
case_of nocap "$f refused;$s refused;$v read-only;/proc/sys/net rw;/proc/sys ro;/proc/sys/net rw;" \
        "PrivateUsers=pick"
case_of hostnet "$f read-only;$s read-only;$v read-only;/proc/sys ro;" "Capability=CAP_NET_ADMIN" \
        "PrivateNetwork=no"
case_of tunables "$f read-only;$s read-only;$v read-only;/proc/sys ro;" "Capability=CAP_NET_ADMIN" \
        "ProtectKernelTunables=yes"
echo ok
