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
        timeout 60 cell run --cgroup-manager="$manager" "/tmp/$name.cell" >/tmp/out 2>/tmp/err || status=$?
        echo "@@case $name $status"
        sed 's/^/@@out /' /tmp/out
        sed 's/^/@@err /' /tmp/err
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

echo "@@after $(grep -c . /proc/self/mountinfo) $(cgroups)"
umount "$E"
losetup -a | sed 's/^/@@loop /'
