/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <dlfcn.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "dlopen-table.h"
#include "macros.h"
#include "test.h"

#define LIBC_SONAME "libc.so.6"

static struct {
        void *handle;
        typeof(getpid) *getpid;
        typeof(strlen) *strlen;
} t;

/* Every symbol into its place, of its own type: callable. */
TEST(all_found) {
        const DlopenSym syms[] = { DLOPEN_SYM(t, getpid, getpid), DLOPEN_SYM(t, strlen, strlen) };
        char why[128] = "";

        ASSERT_OK(dlopen_table(LIBC_SONAME, RTLD_NOW | RTLD_LOCAL, syms, ELEMENTSOF(syms), &t.handle, why,
                               sizeof why));
        ASSERT_NOT_NULL(t.handle);
        ASSERT_EQ(t.getpid(), getpid());
        ASSERT_EQ(t.strlen("cell"), 4u);
        ASSERT_STREQ(why, "");

        /* Loaded once: a second call with the handle set does nothing (a
         * table it would refuse included). */
        const DlopenSym missing[] = { { "cell_no_such_symbol", (void **) &t.strlen } };
        void *h = t.handle;
        ASSERT_OK(dlopen_table(LIBC_SONAME, RTLD_NOW | RTLD_LOCAL, missing, 1, &t.handle, why, sizeof why));
        ASSERT_TRUE(t.handle == h);
        ASSERT_EQ(t.strlen("cell"), 4u);
        (void) dlclose(t.handle);
        t = (typeof(t)) {};
}

/* One missing, and none is set: not the ones found before it either. */
TEST(one_missing) {
        const DlopenSym syms[] = {
                DLOPEN_SYM(t, getpid, getpid),
                { "cell_no_such_symbol", (void **) &t.strlen },
        };
        void *h = NULL;
        char why[128];

        ASSERT_ERROR(dlopen_table(LIBC_SONAME, RTLD_NOW | RTLD_LOCAL, syms, ELEMENTSOF(syms), &h, why, sizeof why),
                     ELIBBAD);
        ASSERT_NULL(h);
        ASSERT_NULL(t.getpid);
        ASSERT_NULL(t.strlen);
        ASSERT_STREQ(why, LIBC_SONAME " has no cell_no_such_symbol");
}

/* No such library: dlerror()'s text; and no message asked for. */
TEST(no_library) {
        const DlopenSym syms[] = { DLOPEN_SYM(t, getpid, getpid) };
        void *h = NULL;
        char why[256];

        ASSERT_ERROR(dlopen_table("libcell-no-such.so.0", RTLD_NOW, syms, 1, &h, why, sizeof why), ELIBACC);
        ASSERT_NULL(h);
        ASSERT_NULL(t.getpid);
        ASSERT_NOT_NULL(strstr(why, "libcell-no-such.so.0"));
        ASSERT_ERROR(dlopen_table("libcell-no-such.so.0", RTLD_NOW, syms, 1, &h, NULL, 0), ELIBACC);
}
