#!/bin/sh
# Run by test-debian-kernel.sh inside tests/lib/kernel-vm (busybox sh, as
# PID 1's child on Debian 12's kernel): each case starts one container
# and prints
#   @@case NAME STATUS      cell run's exit status
#   @@out LINE / @@err LINE what the container and cell printed
# and at the end "@@after MOUNTS CGROUPS" to compare with "@@before".
# The host side checks them; nothing is judged here.
R=/cell/root
D=/cell/data
cp "$D/mounts-of" "$R/bin/"
echo "@@kernel $(uname -r)"
echo "@@modules $(cut -d' ' -f1 /proc/modules | sort | tr '\n' ' ')"
cgroups() { find /sys/fs/cgroup -mindepth 1 -type d | wc -l; }
# A directory on ext4, as a Debian host's would be: the VM's own root is a
# tmpfs, which has no idmapped mounts before Linux 6.3 (PrivateUsers=).
E=/tmp/ext4
cp "$D/root.ext4" /tmp/dir.ext4
mkdir -p "$E"
mount -o loop /tmp/dir.ext4 "$E" || echo "@@note cannot mount /tmp/dir.ext4"
echo "@@before $(grep -c . /proc/self/mountinfo) $(cgroups)"

# run NAME MANAGER UNIT-LINE...: /tmp/NAME.cell of those lines, run.
run() {
        name=$1 manager=$2
        shift 2
        printf '%s\n' "$@" > "/tmp/$name.cell"
        status=0
        timeout 60 cell run --cgroup-manager="$manager" "/tmp/$name.cell" >"/tmp/$name.out" 2>"/tmp/$name.err" ||
                status=$?
        echo "@@case $name $status"
        sed 's/^/@@out /' "/tmp/$name.out"
        sed 's/^/@@err /' "/tmp/$name.err"
}

run plain none "[Root]" "Directory=$R" "[Exec]" "Exec=/bin/probe"
run cgroupfs cgroupfs "[Root]" "Directory=$R" "[Exec]" "Exec=/bin/probe"
run memory cgroupfs "[Root]" "Directory=$R" "[Exec]" "Exec=/bin/cat /sys/fs/cgroup/memory.max" \
        "[Limits]" "MemoryMax=64M"
run pick none "[Root]" "Directory=$E" "[Isolation]" "PrivateUsers=pick" "[Exec]" "Exec=/bin/probe"
run picktmpfs none "[Root]" "Directory=$R" "[Isolation]" "PrivateUsers=pick" "[Exec]" "Exec=/bin/probe"

# Volatile=yes takes only the root's /usr: the root's /bin merged into it.
mkdir -p /tmp/vroot/usr /tmp/vroot/etc
cp -a "$R/bin" /tmp/vroot/usr/bin
ln -s usr/bin /tmp/vroot/bin
run volatile none "[Root]" "Directory=/tmp/vroot" "Volatile=yes" \
        "[Exec]" "Exec=/bin/sh -c 'mounts-of / /usr; touch /volatile-written'"
[ -e /tmp/vroot/volatile-written ] && echo "@@out volatile: written through to the directory"

mkdir -p /tmp/lower /tmp/upper
echo lower > /tmp/lower/file
run overlay none "[Root]" "Directory=$R" "Overlay=/tmp/lower:/tmp/upper:/srv" \
        "[Exec]" "Exec=/bin/sh -c 'mounts-of /srv; cat /srv/file; echo new > /srv/new'"
echo "@@out upper: $(cat /tmp/upper/new 2>/dev/null)"

mkdir -p /tmp/bind
echo host > /tmp/bind/file
run bind none "[Root]" "Directory=$R" "Bind=/tmp/bind:/data" \
        "[Exec]" "Exec=/bin/sh -c 'mounts-of /data; cat /data/file; echo container > /data/back'"
echo "@@out back: $(cat /tmp/bind/back 2>/dev/null)"

run readonly none "[Root]" "Directory=$R" "ReadOnly=yes" "[Exec]" "Exec=/bin/probe write /written"
run seccomp none "[Root]" "Directory=$R" "[Isolation]" "SystemCallFilter=~sethostname:EACCES" \
        "[Exec]" "Exec=/bin/probe restrict"
run noseccomp none "[Root]" "Directory=$R" "[Exec]" "Exec=/bin/probe restrict"
run caps none "[Root]" "Directory=$R" "[Isolation]" "DropCapability=CAP_NET_RAW CAP_CHOWN" \
        "[Exec]" "Exec=/bin/probe"

run image none "[Root]" "Image=$D/root.ext4" "[Exec]" "Exec=/bin/sh -c 'mounts-of /; /bin/probe'"
run imagepick none "[Root]" "Image=$D/root.ext4" "[Isolation]" "PrivateUsers=pick" \
        "[Exec]" "Exec=/bin/sh -c 'mounts-of /; /bin/probe'"

run gptroot none "[Root]" "Image=$D/gpt-root.raw" "[Exec]" "Exec=/bin/sh -c 'mounts-of /; /bin/probe'"
run gptusr none "[Root]" "Image=$D/gpt-usr.raw" "[Exec]" "Exec=/bin/probe"

if [ -d /sys/module/veth ]; then
        run veth none "[Root]" "Directory=$R" "[Network]" "VirtualEthernet=yes" "[Exec]" "Exec=/bin/probe"
        run ports none "[Root]" "Directory=$R" "[Network]" "VirtualEthernet=yes" "Address=10.0.5.2/24" \
                "Address=fd00:5::2/64" "Port=tcp:8080:80" "Port=udp:5353" "[Exec]" "Exec=/bin/probe"
else
        echo "@@case veth skipped"
        echo "@@case ports skipped"
fi

# IPVLAN= and MACVLAN= on a dummy parent of the VM's: the link inside
# with Address= and Gateway=, nothing of it on the host afterwards (the
# parent stays). A start right after the last (whose namespace the kernel
# may still be tearing down). A parent a running cell holds: the other
# kind is refused by the kernel (EBUSY), the same address on a second
# ipvlan too (EADDRINUSE).
cat > "$R/bin/vlan-report" <<'EOF'
#!/bin/sh
# busybox ip shows no link kind: an ipvlan has its parent's MAC address, a
# macvlan one of its own; in L2 mode it answers ARP (no NOARP flag).
ip -o link show "$1"; echo "mac: $(cat "/sys/class/net/$1/address")"; ip -o -4 addr show dev "$1"; ip route
[ -e /hold ] || exit 0
touch /held
n=0
while [ ! -e /release ] && [ $n -lt 300 ]; do sleep 0.1; n=$((n + 1)); done
EOF
chmod 0755 "$R/bin/vlan-report"
links() { ip -o link show | sed -E 's/^[0-9]+: ([^:]+):.*/\1/' | sort | tr '\n' ' '; }
# vlan NAME KEY ADDRESS: a cell with KEY=vp0, ADDRESS and a gateway.
vlan() {
        link=iv-vp0
        [ "$2" = IPVLAN ] || link=mv-vp0
        run "$1" none "[Root]" "Directory=$R" "[Isolation]" "PrivateNetwork=yes" \
                "[Network]" "$2=vp0" "Address=$3" "Gateway=10.0.7.1" "[Exec]" "Exec=/bin/vlan-report $link"
        echo "@@out host: $(links)"
}
# hold NAME KEY ADDRESS CASE...: the cell "vlan NAME KEY ADDRESS" running
# while CASE ("vlan ...") runs.
hold() {
        rm -f "$R/held" "$R/release"
        touch "$R/hold"
        vlan "$1" "$2" "$3" > /tmp/holder.out 2>&1 &
        holder=$!
        shift 3
        n=0
        while [ ! -e "$R/held" ] && [ $n -lt 300 ]; do sleep 0.1; n=$((n + 1)); done
        rm -f "$R/hold"
        "$@"
        touch "$R/release"
        wait $holder
        cat /tmp/holder.out
        rm -f "$R/held" "$R/release"
}
if [ -d /sys/module/ipvlan ] && [ -d /sys/module/macvlan ] && ip link add vp0 type dummy && ip link set vp0 up; then
        echo "@@links $(links)"
        echo "@@parent $(cat /sys/class/net/vp0/address)"
        vlan ipvlan IPVLAN 10.0.7.2/24
        vlan ipvlanagain IPVLAN 10.0.7.2/24
        vlan macvlanvp MACVLAN 10.0.7.3/24
        hold ipvlanholder IPVLAN 10.0.7.9/24 vlan macvlanbusy MACVLAN 10.0.7.3/24
        hold macvlanholder MACVLAN 10.0.7.9/24 vlan ipvlanbusy IPVLAN 10.0.7.2/24
        hold ipvlanholder2 IPVLAN 10.0.7.9/24 vlan ipvlansame IPVLAN 10.0.7.9/24
        echo "@@links $(links)"
        # The host's ipvlan in L3 mode on vp1: the kernel would switch it to
        # the container's L2 mode.
        ip link add vp1 type dummy
        ip link add hostiv link vp1 type ipvlan mode l3
        ip link set vp1 up
        ip link set hostiv up
        run ipvlanl3 none "[Root]" "Directory=$R" "[Isolation]" "PrivateNetwork=yes" "[Network]" "IPVLAN=vp1" \
                "[Exec]" "Exec=/bin/true"
        echo "@@out hostiv: $(ip -o link show hostiv)"
        ip link del hostiv
        # A parent that is down: the ipvlan made all the same, said so.
        ip link set vp1 down
        run ipvlandown none "[Root]" "Directory=$R" "[Isolation]" "PrivateNetwork=yes" "[Network]" "IPVLAN=vp1" \
                "[Exec]" "Exec=/bin/true"
        ip link del vp1
        ip link del vp0
        # ipip's tunl0: no Ethernet link, which the kernel refuses as a parent.
        for key in IPVLAN MACVLAN; do
                run "${key}tunnel" none "[Root]" "Directory=$R" "[Isolation]" "PrivateNetwork=yes" \
                        "[Network]" "$key=tunl0" "[Exec]" "Exec=/bin/true"
        done
else
        for c in ipvlan ipvlanagain macvlanvp macvlanbusy ipvlanbusy ipvlansame ipvlanl3 ipvlandown IPVLANtunnel \
                 MACVLANtunnel; do
                echo "@@case $c skipped"
        done
fi

echo "@@after $(grep -c . /proc/self/mountinfo) $(cgroups)"
umount "$E"
losetup -a | sed 's/^/@@loop /'
