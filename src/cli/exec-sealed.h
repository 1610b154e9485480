/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* Runs cell exec again (argc, argv: the verb's own) from a sealed memfd
 * copy of cell's binary; returns only on failure (-errno), or with 0 in
 * that copy. */
int exec_run_sealed(int argc, char *argv[]);
