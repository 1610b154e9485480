/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* [Limits] values that are more than a number: Limit*= resource limits and
 * DeviceAllow=. */

#include "config.h"

/* The RLIMIT_* for a "LimitNOFILE"-style key name, or -1. */
int rlimit_from_key(const char *key);
/* "LimitNOFILE" for RLIMIT_NOFILE, NULL if out of range. */
const char *rlimit_key(int resource);

/* Limit*=SOFT[:HARD] for resource, each side with the value kind systemd
 * uses for it (bytes, seconds, usec, nice level, count) or "infinity".
 * -EINVAL for bad syntax, -ERANGE for soft > hard or out of range. */
int parse_rlimit(int resource, const char *s, CellRlimit *ret);
/* What Limit<resource>= expects, for messages: "bytes with K/M/G/T suffix ...". */
const char *rlimit_expected(int resource);

/* DeviceAllow=PATH [rwm]: a /dev path, "char-NAME" or "block-NAME", and
 * access letters (default "rwm"), normalised to "rwm" order. */
int parse_device_allow(const char *s, CellDeviceAllow *ret);
