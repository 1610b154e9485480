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
/* What Limit<resource>= expects, for messages: "bytes with K/M/G/T/P/E suffix ...". */
const char *rlimit_expected(int resource);

/* DeviceAllow=PATH [rwm]: a /dev path, "char-NAME" or "block-NAME", and
 * access letters (default "rwm"), normalised to "rwm" order. */
int parse_device_allow(const char *s, CellDeviceAllow *ret);

/* The key of an IO per-device kind: "IOReadBandwidthMax", NULL if out of range. */
const char *io_kind_key(CellIOKind kind);
/* IODeviceWeight= and the other per-device IO keys: "DEVICE VALUE", DEVICE an
 * absolute path (one word, quotes allowed; normalised into *ret_path), VALUE
 * as systemd takes it for kind: a weight 1..10000, bytes or IOPS above 0
 * with K/M/G/T to the base of 1000 or "infinity" (UINT64_MAX), a time span
 * (bare number: seconds; "infinity" is USEC_INFINITY). */
int parse_io_device(CellIOKind kind, const char *s, char **ret_path, uint64_t *ret_value);
