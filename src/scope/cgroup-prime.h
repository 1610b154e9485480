/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* Starting the kernel's grace period for a cgroup move early (cgroup-prime.c).
 * start: opens cgroup_dir/cgroup.procs (NULL: the cgroup2 directory we are
 * in, which moves nothing) and starts a helper process that writes itself
 * into it; does not wait for it. -errno when the file cannot be opened or no
 * helper started (then there is nothing to reap). reap: reaps the helper and
 * frees, returning NULL; ret_result (optional) then gets 0 when the write
 * went through, else -errno of the write. With block false and the helper
 * still at work, returns p untouched. NULL-safe. */

#include <stdbool.h>

typedef struct CgroupPrime CgroupPrime;

/* Whether a first move waits long enough for a helper to be worth its
 * cost: false where the kernel expedites its grace periods (sysfs_kernel's
 * rcu_expedited is 1 and rcu_normal is not; NULL: /sys/kernel), which makes
 * that wait short and every grace period an interrupt to every CPU. Any file
 * missing or unreadable means the normal, slow grace period: true. */
bool cg_prime_useful(const char *sysfs_kernel);

int cg_prime_start(const char *cgroup_dir, CgroupPrime **ret);
CgroupPrime *cg_prime_reap(CgroupPrime *p, bool block, int *ret_result);
