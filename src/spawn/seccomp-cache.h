/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* Compiled seccomp programs kept across runs: a plan's filter is compiled by
 * libseccomp once, then read back (one small file) by every later start with
 * the same filter, by the same cell, libseccomp and kernel.
 *
 *   $CELL_CACHE_DIR/seccomp/ENV-FILTER.bpf    (default /var/cache/cell)
 *
 * ENV names what the program was made by (the build IDs of this executable
 * and of libseccomp, the kernel's release), FILTER the filter's inputs; the
 * file holds both in full and is used only when they match byte for byte, so
 * the hashes in the name only find it. The directory is made 0700 and, like
 * each file, used only when it belongs to our effective user and no one else
 * can write it. A miss compiles, writes the file under a temporary name and
 * renames it into place, and removes the files of other ENVs (an older cell,
 * libseccomp or kernel). Anything wrong with the cache (no build ID, a
 * read-only /var, a file of someone else's) means the filter is compiled as
 * without one: the cache never fails a start. CELL_SECCOMP_CACHE=0 turns it
 * off. */

#include "seccomp-filter.h"

typedef enum SeccompCacheResult {
        SECCOMP_CACHE_OFF,      /* compiled; no cache (turned off, or unusable here) */
        SECCOMP_CACHE_HIT,      /* read from the cache */
        SECCOMP_CACHE_STORED,   /* compiled and written to the cache */
        SECCOMP_CACHE_MISS,     /* compiled; writing it to the cache failed */
        _SECCOMP_CACHE_RESULT_MAX,
} SeccompCacheResult;

const char *seccomp_cache_result_to_string(SeccompCacheResult r);

/* $CELL_CACHE_DIR if absolute, else CELL_CACHE_DIR ("/var/cache/cell"). */
const char *seccomp_cache_dir(void);

/* seccomp_program_compile()'s program, through the cache. Returns a
 * SeccompCacheResult (>= 0), or -errno with err filled in when the filter
 * cannot be compiled. */
int seccomp_cache_program(PlanSeccompAction default_action, int default_error,
                          const PlanSyscallRule *rules, size_t n_rules, const uint32_t *archs, size_t n_archs,
                          bool no_new_privs, SeccompProgram *ret, SpawnError *err);
