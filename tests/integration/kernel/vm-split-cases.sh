# SPDX-License-Identifier: LGPL-2.1-or-later
# Sourced by the kernel VM tests' host side: split_cases VMOUT DIR puts
# each case's "@@case NAME STATUS", "@@out LINE" and "@@err LINE" lines
# (vm-cases.sh, vm-systemd-cases.sh) of the VM's output VMOUT into
# DIR/NAME.status, DIR/NAME.out and DIR/NAME.err.
split_cases() {
        mkdir "$2"
        awk -v d="$2" '
                /^@@case / { name = $2; print $3 > (d "/" name ".status"); printf "" > (d "/" name ".out");
                             printf "" > (d "/" name ".err"); next }
                /^@@out / && name { print substr($0, 7) > (d "/" name ".out"); next }
                /^@@err / && name { print substr($0, 7) > (d "/" name ".err"); next }' "$1"
}
