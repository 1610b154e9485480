/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* /dev/char/MAJ:MIN (and /dev/block/MAJ:MIN) links to the device nodes cell
 * gives a container, as systemd-nspawn and udev make them. */

#include <sys/stat.h>

#include "mount-setup-internal.h"

/* After m's node is in place (made or bound), with st the host's node it
 * copies: the link to it, relative ("../null", "../net/tun"), on the /dev
 * tmpfs cell mounted for the container. Nothing where m's target is not
 * below /dev or /dev is not that tmpfs (nothing is made in the image); an
 * existing link is kept. -errno, said in c->err (what names m). */
int mount_devchar_link(MountContext *c, const PlanMount *m, const struct stat *st, const char *what);
