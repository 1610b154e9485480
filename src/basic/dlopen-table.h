/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* A library opened with dlopen() only where a unit needs it (libblkid for
 * Image=, libnftables for Port=, libsystemd on the first bus call): ld.so
 * would otherwise map and relocate it at every exec of cell. Its functions
 * are resolved from a table, all of them or none: a half-loaded library is
 * never called. */

#include <stddef.h>

typedef struct DlopenSym {
        const char *name;       /* the symbol */
        void **fn;              /* where its address goes: a pointer of the function's own type */
} DlopenSym;

/* An entry for the pointer field of the struct var, declared as
 * "typeof(symbol) *field", so that a changed prototype fails to compile
 * instead of being called wrongly. */
#define DLOPEN_SYM(var, field, symbol) { #symbol, (void **) &(var).field }

/* dlopen(soname, flags), then each of syms into its place: 0 and
 * *ret_handle; 0 at once when *ret_handle is set already (loaded once per
 * process, kept open until exit). -ELIBACC when the library cannot be opened, -ELIBBAD when it
 * lacks a symbol; then every place is NULL, nothing stays open, and error
 * (if not NULL) says why: dlerror()'s text, or "SONAME has no SYMBOL". */
int dlopen_table(const char *soname, int flags, const DlopenSym *syms, size_t n, void **ret_handle, char *error,
                 size_t error_size);
