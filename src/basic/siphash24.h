/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* SipHash-2-4 (Aumasson, Bernstein: "SipHash: a fast short-input PRF"),
 * as systemd's siphash24(): what nspawn hashes its stable MAC addresses
 * with, so that cell's come out the same. */

#include <stddef.h>
#include <stdint.h>

uint64_t siphash24(const void *in, size_t len, const uint8_t key[static 16]);
