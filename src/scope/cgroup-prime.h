/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* Starting the kernel's grace period for a cgroup move early (cgroup-prime.c).
 * start: a helper process writes its own PID into cgroup_dir/cgroup.procs
 * (NULL: the cgroup2 directory it and we are in, which moves nothing); does
 * not wait for it. reap: reaps the helper and frees, returning NULL;
 * ret_result (optional) then gets 0 when the write went through, else
 * -errno of the step that failed. With block false and the helper still at
 * work, returns p untouched. NULL-safe. */

#include <stdbool.h>

typedef struct CgroupPrime CgroupPrime;

int cg_prime_start(const char *cgroup_dir, CgroupPrime **ret);
CgroupPrime *cg_prime_reap(CgroupPrime *p, bool block, int *ret_result);
