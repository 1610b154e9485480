/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* ResolvConf= and Timezone= at start: what the host and the image hold
 * decides "auto" (etc_file_decide(), on the host, before clone), then the
 * child makes it in the new root (mount_etc_file(), after the plan's
 * mounts, before pivot_root). */

#include "mount-created.h"
#include "plan.h"
#include "spawn-error.h"

/* "Key=value" into buf, after "FILE:LINE: " when the unit wrote the value
 * (f->line): with drop-ins, the key alone does not say which file. A
 * default names no file. Returns buf. */
const char *etc_file_describe(const PlanEtcFile *f, char *buf, size_t n);

/* On the host, before the container exists: fills in f->source (the first
 * of f->sources that is a regular file on the host) and, for Timezone=,
 * f->link, or falls back from symlink to bind (auto; symlink too when the
 * container lacks the host's zone, as nspawn does). An "auto" that finds
 * nothing to do -- no host file, no file in the image to bind over -- is
 * turned off; with Volatile=yes (f->empty_root) the image's /etc is not
 * looked at. Returns 0; 1 with a note in *note (why auto is off, why a
 * copy leaves a symlink alone, or why a writing value leaves the file
 * alone: a symlink on the way to /etc) for the caller to log; -errno with the
 * reason in *note when the value cannot be honoured. Never logs. */
int etc_file_decide(PlanEtcFile *f, const char *root_directory, SpawnError *note);

/* In the child: applies f (as decided) inside the root, every path resolved
 * from root_fd with RESOLVE_IN_ROOT, so that a symlink in the image (an
 * /etc/resolv.conf leading to "/../../etc/shadow") stays inside the root.
 * An automatic entry without a source (never decided) does nothing. A file
 * (and an /etc) that was not there before is recorded in created, for a
 * start that fails; one that was is written over, as nspawn does. */
int mount_etc_file(int root_fd, const PlanEtcFile *f, MountCreated *created, SpawnError *err);
