/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* cell does not link libsystemd: the cell executable loads it with dlopen()
 * the first time it calls an sd-* function (libsystemd-dlopen.c). libsystemd
 * 252 brings five libraries of its own (gcrypt, gpg-error, lzma, zstd, lz4),
 * and mapping and relocating the six costs 0.3-0.4 ms of every exec before
 * main() (tests/bench/RESULTS.md, change 18). Loaded later, that time is
 * spent after "cell run" has started the kernel's wait for the cgroup move
 * (scope_prime()) and cloned the container's init, which builds its mounts
 * meanwhile (change 19), and "cell verify", which needs no systemd, never
 * spends it. ldd no longer shows the dependency; the executable's .note.dlopen
 * (systemd's dlopen metadata) names it for packaging tools. */

#define LIBSYSTEMD_SONAME "libsystemd.so.0"

/* 0, or -ELIBACC/-ELIBBAD with the reason logged. Loads once, and only in the
 * process that exec'd cell and in the root it started in: in one cell cloned,
 * or once "/" is another (a container's), -EPERM. */
int libsystemd_load(void);
