/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* The libFuzzer entry point of each target. Built with clang and
 * -fsanitize=fuzzer by tests/fuzz/build; built with gcc and replay-main.c
 * by meson, which feeds it every seed and regression input. */

#include <stddef.h>
#include <stdint.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Inputs above this are skipped: a unit file is small, and a megabyte of
 * random text only slows the search down (the 1 MiB line limit is covered
 * by the unit tests). */
#define FUZZ_INPUT_MAX (256U * 1024U)
