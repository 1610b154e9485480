/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* Helpers of the cgroupfs manager that need no cgroup: parsing
 * /proc/self/cgroup and /proc/self/mountinfo, and converting the plan's
 * limits into what the kernel files take. Pure functions, tested without root. */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "config.h"

/* One line of /proc/PID/cgroup: "ID:controllers:path". */
typedef struct CgroupMembership {
        unsigned id;            /* 0 is the unified (cgroup2) hierarchy */
        char **controllers;     /* "memory", "cpu", "name=systemd"; empty for cgroup2 */
        char *path;             /* "/system.slice/x.service" */
} CgroupMembership;

int cg_parse_proc_cgroup(const char *text, CgroupMembership **ret, size_t *ret_n);
void cg_membership_free(CgroupMembership *m, size_t n);
/* The path in the hierarchy that carries controller ("memory",
 * "name=systemd"), or with controller NULL the cgroup2 one. NULL if none. */
const char *cg_membership_path(const CgroupMembership *m, size_t n, const char *controller);

/* The unit a cgroup path is in, as sd_pid_get_unit() finds it: the first
 * component below the slices ("/system.slice/cell@web.service/payload" is
 * "cell@web.service"), with the "_" systemd puts before an escaped name
 * taken off. -ENXIO where there is none (the root, a slice, no unit name). */
int cg_path_unit(const char *path, char **ret);
/* The unit of a user's manager a cgroup path is in, as sd_pid_get_user_unit()
 * finds it: the first unit below "user@UID.service" and the slices there
 * ("x.service" of ".../user@0.service/app.slice/x.service").
 * -ENXIO outside a user's manager, or where it names no unit. */
int cg_path_user_unit(const char *path, char **ret);
/* The same for our own cgroup, from /proc/self/cgroup: its cgroup2 path, or
 * where that names no unit its name=systemd one; with user, the unit of the
 * user's manager. No bus, no libsystemd. */
int cg_own_unit(bool user, char **ret);

/* One cgroup filesystem from /proc/PID/mountinfo. */
typedef struct CgroupMount {
        char *where;            /* "/sys/fs/cgroup/memory" */
        char *root;             /* the mount's root inside the hierarchy, usually "/" */
        bool unified;           /* cgroup2 */
        char **controllers;     /* v1: from the super options ("cpu", "cpuacct", "name=systemd") */
} CgroupMount;

int cg_parse_mountinfo(const char *text, CgroupMount **ret, size_t *ret_n);
void cg_mount_free(CgroupMount *m, size_t n);
/* The first v1 mount carrying controller, or with controller NULL the cgroup2 mount. */
const CgroupMount *cg_mount_find(const CgroupMount *m, size_t n, const char *controller);
/* True if some v1 hierarchy carries a real controller (not only name=...). */
bool cg_mounts_have_v1_controllers(const CgroupMount *m, size_t n);

/* mount->where joined with path made relative to mount->root; NULL on OOM.
 * A path outside the mount's root (another cgroup namespace) is taken as is. */
char *cg_mount_path(const CgroupMount *m, const char *path);

/* Conversions, the way systemd does them. */
#define CG_CPU_PERIOD_USEC ((uint64_t) 100000)  /* systemd's default CPUQuotaPeriodSec= */
/* The period CPUQuotaPeriodSec= (period_usec; USEC_INFINITY: the default,
 * 100ms) makes, as systemd applies it: the default without a quota, else
 * kept within the kernel's 1ms..1s and long enough for 1ms of quota
 * (CPUQuota=0.5% and the default: 200ms). */
uint64_t cg_cpu_quota_period(uint64_t quota_per_sec_usec, uint64_t period_usec);
uint64_t cg_cpu_quota_per_period(uint64_t quota_per_sec_usec, uint64_t period_usec);
/* cgroup2 cpu.max: "150000 100000", or "max 100000" for USEC_INFINITY; with
 * the period cg_cpu_quota_period() makes of period_usec. */
int cg_format_cpu_max(uint64_t quota_per_sec_usec, uint64_t period_usec, char *buf, size_t size);
/* CPUWeight= -> v1 cpu.shares; 0 (CPUWeight=idle) is the minimum, 2. */
uint64_t cg_cpu_weight_to_shares(uint64_t weight);
uint64_t cg_io_weight_to_blkio(uint64_t weight);        /* IOWeight= -> v1 blkio.weight */
uint64_t cg_io_weight_to_bfq(uint64_t weight);          /* IOWeight= -> cgroup2 io.bfq.weight, 1..1000 */
uint64_t cg_io_weight_to_blkio_bfq(uint64_t weight);    /* IOWeight= -> v1 blkio.bfq.weight, as systemd 252 */

/* A CellLimit as bytes/count: 0 and *ret set for a value or a percentage of
 * base as systemd resolves it (in whole pages of page_size when non-zero), 0
 * and *ret = UINT64_MAX for infinity, -ENODATA when unset. */
int cg_limit_resolve(const CellLimit *l, uint64_t base, uint64_t page_size, uint64_t *ret);
/* The same as the text a cgroup2 file takes: the number or "max". -ENODATA when unset. */
int cg_format_limit_v2(const CellLimit *l, uint64_t base, uint64_t page_size, char *buf, size_t size);
/* ... and as a v1 file takes it: the number or "-1". */
int cg_format_limit_v1(const CellLimit *l, uint64_t base, uint64_t page_size, char *buf, size_t size);

/* TasksMax= as pids.max takes it, a percentage of base (cg_system_tasks_max()):
 * the number, or "max" for infinity and for a number above the kernel's
 * PID_MAX_LIMIT (CG_PIDS_MAX), which pids.max refuses and which no cgroup
 * can reach. -ENODATA when unset. */
#define CG_PIDS_MAX ((uint64_t) 4194304)
int cg_format_tasks_max(const CellLimit *l, uint64_t base, char *buf, size_t size);

/* A CPU bitmap (bit N of byte N/8) as a cpuset list "0-1,3"; -EINVAL when empty. */
int cg_format_cpuset(const uint8_t *bits, size_t size, char **ret);

/* What a percentage is of, as systemd finds it (cgroup-system.c): the
 * machine's RAM (sysconf()), and what TasksMax=100% means (threads-max,
 * pid_max - 1); each at most the limit of the root cgroup (memory.max or
 * memory.limit_in_bytes, pids.max), where a container has one. */
uint64_t cg_physical_memory(void);
uint64_t cg_system_tasks_max(void);
/* That limit: file_v1 (in controller's v1 hierarchy where v1 controllers
 * are mounted) or file_v2 (cgroup2) of PID 1's cgroup (pid1: its
 * /proc/1/cgroup), without "/init.scope" (or the "/system.slice" or
 * "/system" of older systemd versions), as systemd's cg_get_root_path().
 * UINT64_MAX for "max"; -ENOENT where the file or hierarchy is missing (the
 * root cgroup of a host has no memory.max). */
int cg_root_limit(const CgroupMembership *pid1, size_t n_pid1, const CgroupMount *mounts, size_t n_mounts,
                  const char *controller, const char *file_v1, const char *file_v2, uint64_t *ret);

/* Read and parsed: /proc/PID/cgroup (pid 0: ourselves), this mount
 * namespace's cgroup mounts (/proc/self/mountinfo), or both (nothing to free
 * on failure). */
int cg_read_membership(pid_t pid, CgroupMembership **ret, size_t *ret_n);
int cg_read_mounts(CgroupMount **ret, size_t *ret_n);
int cg_read_both(pid_t pid, CgroupMembership **ret_own, size_t *ret_n_own,
                 CgroupMount **ret_mounts, size_t *ret_n_mounts);

/* Which cgroup filesystems this mount namespace has. */
typedef enum CgroupLayout {
        CGROUP_LAYOUT_NONE,             /* none at all (an initramfs) */
        CGROUP_LAYOUT_LEGACY,           /* v1 only */
        CGROUP_LAYOUT_HYBRID,           /* cgroup2 beside v1 controllers */
        CGROUP_LAYOUT_UNIFIED,          /* cgroup2 alone (v1 named hierarchies aside) */
} CgroupLayout;
int cg_layout(void);                    /* a CgroupLayout, or -errno */
/* The cgroup2 directory of PID (0: ourselves) under this namespace's cgroup2
 * mount (/sys/fs/cgroup or its "unified" first, when its cgroup.procs lists
 * PID; else mountinfo); -ENOENT when there is no cgroup2 or PID is in none. */
int cg_v2_dir_of(pid_t pid, char **ret);
/* The same for PID's "0::" path, read from its /proc/PID/cgroup already. */
int cg_v2_dir(pid_t pid, const char *path, char **ret);

/* Small file helpers relative to a cgroup directory fd. */
int cg_write(int dirfd, const char *file, const char *value);
int cg_read(int dirfd, const char *file, char **ret);
int cg_read_file(const char *path, char **ret);
/* What is left to read of fd, whole, NUL-terminated. */
int cg_read_fd(int fd, char **ret);
/* Whether a cgroup list file's text ("cpu io memory\n": cgroup.controllers,
 * cgroup.subtree_control) has word. */
bool cg_list_has(const char *list, const char *word);
/* Why mkdir of a cgroup failed with r, where strerror() alone does not say it
 * (EAGAIN is cgroup.max.descendants or cgroup.max.depth); NULL otherwise. */
const char *cg_mkdir_strerror(int r);
/* "key N" lines (memory.events, memory.oom_control): the value of key. */
int cg_read_keyed(int dirfd, const char *file, const char *key, uint64_t *ret);
