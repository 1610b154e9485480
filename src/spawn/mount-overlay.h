/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include "mount-created.h"
#include "plan.h"
#include "spawn-error.h"

/* Overlay=: a detached overlayfs of m->lower (top-most first) with m->upper
 * ("" = a private tmpfs; a path gets a work directory ".#NAME.cellwork"
 * next to it). MS_RDONLY in m->flags: the upper becomes the top lower layer
 * and nothing is writable. Host paths, or paths inside the root when
 * m->source_in_root. Returns the mount fd; -ENOENT without an error recorded
 * when m->optional and a layer is missing. What it makes for the start --
 * a missing upper and its parents, the work directory and what the kernel
 * makes in it -- is recorded in made (made->host, which the caller sets,
 * says whether that is on the host), for a start that fails. */
int mount_overlay_new(int root_fd, const PlanMount *m, MountCreated *made, const char *what, SpawnError *err);

/* Before any mount point is made: the layers that must exist do and are
 * directories, with mount_overlay_new()'s error for the first that is not
 * (a missing upper is fine: it is made). Nothing is made or mounted.
 * Returns 0, or -ENOENT without an error recorded when m->optional and a
 * layer is missing (the overlay is skipped). */
int mount_overlay_check(int root_fd, const PlanMount *m, const char *what, SpawnError *err);
