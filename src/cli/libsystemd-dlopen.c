/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* libsystemd, loaded with dlopen() the first time cell calls it rather than
 * by ld.so at exec (libsystemd-dlopen.h says why). Each sd-* function cell
 * uses is defined here with libsystemd's own prototype (the compiler checks
 * it against <systemd/sd-*.h>) and calls libsystemd's through a pointer; the
 * variadic ones through their va_list forms. Only the cell executable links
 * this; the tests link libsystemd itself. */
#include <dlfcn.h>
#include <errno.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdlib.h>
#include <systemd/sd-bus.h>
#include <systemd/sd-daemon.h>
#include <sys/stat.h>
#include <unistd.h>

#include "dlopen-table.h"
#include "libsystemd-dlopen.h"
#include "log.h"
#include "verbs.h"

#define LIBSYSTEMD_SYMBOLS(X) \
        X(sd_bus_add_filter) \
        X(sd_bus_call) \
        X(sd_bus_call_async) \
        X(sd_bus_call_method_asyncv) \
        X(sd_bus_call_methodv) \
        X(sd_bus_close_unref) \
        X(sd_bus_error_free) \
        X(sd_bus_error_get_errno) \
        X(sd_bus_error_has_name) \
        X(sd_bus_flush_close_unref) \
        X(sd_bus_get_address) \
        X(sd_bus_get_events) \
        X(sd_bus_get_fd) \
        X(sd_bus_get_property) \
        X(sd_bus_get_property_string) \
        X(sd_bus_get_property_strv) \
        X(sd_bus_get_property_trivial) \
        X(sd_bus_get_timeout) \
        X(sd_bus_is_bus_client) \
        X(sd_bus_is_open) \
        X(sd_bus_match_signal) \
        X(sd_bus_match_signal_async) \
        X(sd_bus_message_append_array) \
        X(sd_bus_message_append_strv) \
        X(sd_bus_message_appendv) \
        X(sd_bus_message_close_container) \
        X(sd_bus_message_enter_container) \
        X(sd_bus_message_get_error) \
        X(sd_bus_message_get_path) \
        X(sd_bus_message_get_sender) \
        X(sd_bus_message_is_signal) \
        X(sd_bus_message_new_method_call) \
        X(sd_bus_message_open_container) \
        X(sd_bus_message_read_array) \
        X(sd_bus_message_readv) \
        X(sd_bus_message_unref) \
        X(sd_bus_open_system) \
        X(sd_bus_open_user) \
        X(sd_bus_path_encode) \
        X(sd_bus_process) \
        X(sd_bus_slot_unref) \
        X(sd_bus_unref) \
        X(sd_bus_wait)

/* What ldd cannot show, for packaging tools: the dlopen() dependency as an ELF
 * note (systemd's "dlopen metadata": type 0x407c0c0a, owner "FDO", a JSON
 * array). cell cannot run without it, hence "required". */
#define DLOPEN_NOTE_JSON                                                                        \
        "[{\"feature\":\"systemd\",\"description\":\"transient scopes over D-Bus\","                \
        "\"priority\":\"required\",\"soname\":[\"" LIBSYSTEMD_SONAME "\"]}]"
__attribute__((used, section(".note.dlopen"), aligned(4)))
static const struct {
        uint32_t n_namesz, n_descsz, n_type;
        char name[4];
        char desc[(sizeof(DLOPEN_NOTE_JSON) + 3) & ~3u];
} dlopen_note = {
        .n_namesz = 4,
        .n_descsz = sizeof(DLOPEN_NOTE_JSON),
        .n_type = 0x407c0c0a,
        .name = "FDO",
        .desc = DLOPEN_NOTE_JSON,
};

static struct {
#define X(name) typeof(name) *name;
        LIBSYSTEMD_SYMBOLS(X)
#undef X
} sym;
static void *handle;    /* libsystemd's, once loaded (never unloaded) */

/* The process that exec'd cell, the only one that may load libsystemd, and
 * the root it started in. One that cell cloned (the container's init, cloned
 * before cell loads it, which pivots into the image), or cell itself once it
 * has joined a container's mount namespace (cell exec), would load whatever
 * library stands at that name there: neither ever loads one. */
static pid_t owner;
static dev_t owner_root_dev;
static ino_t owner_root_ino;

__attribute__((constructor)) static void owner_record(void) {
        struct stat st;

        owner = getpid();
        if (stat("/", &st) >= 0) {
                owner_root_dev = st.st_dev;
                owner_root_ino = st.st_ino;
        }
}

int libsystemd_load(void) {
        struct stat st;
        char why[256];
        int r;

        if (handle)
                return 0;
        /* Never a library from a container's root. */
        if (stat("/", &st) < 0 || st.st_dev != owner_root_dev || st.st_ino != owner_root_ino)
                return log_error_errno(EPERM, "Not loading %s: \"/\" is not the root cell started in: a bug.",
                                       LIBSYSTEMD_SONAME);
        /* A clone of cell must not load a library from the container's root. */
        if (getpid() != owner)
                return log_error_errno(EPERM, "Not loading %s in PID %d, which cell cloned: a bug.",
                                       LIBSYSTEMD_SONAME, (int) getpid());
        /* RTLD_LAZY: its own calls into libc are bound as they are made, as
         * they were when it was linked. RTLD_NODELETE: never unloaded. */
        static const DlopenSym syms[] = {
#define X(name) DLOPEN_SYM(sym, name, name),
                LIBSYSTEMD_SYMBOLS(X)
#undef X
        };
        r = dlopen_table(LIBSYSTEMD_SONAME, RTLD_LAZY | RTLD_LOCAL | RTLD_NODELETE, syms, ELEMENTSOF(syms),
                         &handle, why, sizeof why);
        if (r == -ELIBBAD)
                return log_error_errno(r, "%s (cell needs libsystemd >= 246)", why);
        if (r < 0)
                return log_error_errno(r, "Cannot load %s: %s", LIBSYSTEMD_SONAME, why);
        return 0;
}

/* Loaded on first use. "cell run" loads it itself (libsystemd_load()) once
 * it has cloned the container's init, and undoes what it made when that
 * fails; any other first call loads it here, and a libsystemd that cannot be
 * loaded ends cell there (status 2), before that verb has made anything. */
static void need(void) {
        if (!handle && libsystemd_load() < 0)
                exit(CELL_EXIT_FAILURE);
}

#define SYM(name) (need(), sym.name)

/* For the functions that release: before the first load nothing of
 * libsystemd's exists, so there is nothing to release and nothing is loaded.
 * The clean-up after a start that failed early (or could not load it) runs
 * without it. */
#define RELEASE(name, arg) (handle ? sym.name(arg) : NULL)

int sd_bus_add_filter(sd_bus *bus, sd_bus_slot **slot, sd_bus_message_handler_t callback, void *userdata) {
        return SYM(sd_bus_add_filter)(bus, slot, callback, userdata);
}

int sd_bus_call(sd_bus *bus, sd_bus_message *m, uint64_t usec, sd_bus_error *ret_error,
                sd_bus_message **reply) {
        return SYM(sd_bus_call)(bus, m, usec, ret_error, reply);
}

int sd_bus_call_async(sd_bus *bus, sd_bus_slot **slot, sd_bus_message *m,
                      sd_bus_message_handler_t callback, void *userdata, uint64_t usec) {
        return SYM(sd_bus_call_async)(bus, slot, m, callback, userdata, usec);
}

int sd_bus_call_method(sd_bus *bus, const char *destination, const char *path, const char *interface,
                       const char *member, sd_bus_error *ret_error, sd_bus_message **reply,
                       const char *types, ...) {
        va_list ap;
        int r;

        va_start(ap, types);
        r = SYM(sd_bus_call_methodv)(bus, destination, path, interface, member, ret_error, reply, types, ap);
        va_end(ap);
        return r;
}

int sd_bus_call_method_async(sd_bus *bus, sd_bus_slot **slot, const char *destination, const char *path,
                             const char *interface, const char *member, sd_bus_message_handler_t callback,
                             void *userdata, const char *types, ...) {
        va_list ap;
        int r;

        va_start(ap, types);
        r = SYM(sd_bus_call_method_asyncv)(bus, slot, destination, path, interface, member, callback,
                                           userdata, types, ap);
        va_end(ap);
        return r;
}

void sd_bus_error_free(sd_bus_error *e) {
        if (handle)
                sym.sd_bus_error_free(e);
}

int sd_bus_error_get_errno(const sd_bus_error *e) {
        return SYM(sd_bus_error_get_errno)(e);
}

int sd_bus_error_has_name(const sd_bus_error *e, const char *name) {
        return SYM(sd_bus_error_has_name)(e, name);
}

sd_bus *sd_bus_close_unref(sd_bus *bus) {
        return RELEASE(sd_bus_close_unref, bus);
}

sd_bus *sd_bus_flush_close_unref(sd_bus *bus) {
        return RELEASE(sd_bus_flush_close_unref, bus);
}

int sd_bus_get_address(sd_bus *bus, const char **address) {
        return SYM(sd_bus_get_address)(bus, address);
}

int sd_bus_get_events(sd_bus *bus) {
        return SYM(sd_bus_get_events)(bus);
}

int sd_bus_get_fd(sd_bus *bus) {
        return SYM(sd_bus_get_fd)(bus);
}

int sd_bus_get_property(sd_bus *bus, const char *destination, const char *path, const char *interface,
                        const char *member, sd_bus_error *ret_error, sd_bus_message **reply,
                        const char *type) {
        return SYM(sd_bus_get_property)(bus, destination, path, interface, member, ret_error, reply, type);
}

int sd_bus_get_property_string(sd_bus *bus, const char *destination, const char *path,
                               const char *interface, const char *member, sd_bus_error *ret_error,
                               char **ret) {
        return SYM(sd_bus_get_property_string)(bus, destination, path, interface, member, ret_error, ret);
}

int sd_bus_get_property_strv(sd_bus *bus, const char *destination, const char *path, const char *interface,
                             const char *member, sd_bus_error *ret_error, char ***ret) {
        return SYM(sd_bus_get_property_strv)(bus, destination, path, interface, member, ret_error, ret);
}

int sd_bus_get_property_trivial(sd_bus *bus, const char *destination, const char *path,
                                const char *interface, const char *member, sd_bus_error *ret_error,
                                char type, void *ret_ptr) {
        return SYM(sd_bus_get_property_trivial)(bus, destination, path, interface, member, ret_error, type,
                                                ret_ptr);
}

int sd_bus_get_timeout(sd_bus *bus, uint64_t *timeout_usec) {
        return SYM(sd_bus_get_timeout)(bus, timeout_usec);
}

int sd_bus_is_bus_client(sd_bus *bus) {
        return SYM(sd_bus_is_bus_client)(bus);
}

int sd_bus_is_open(sd_bus *bus) {
        return SYM(sd_bus_is_open)(bus);
}

int sd_bus_match_signal(sd_bus *bus, sd_bus_slot **ret, const char *sender, const char *path,
                        const char *interface, const char *member, sd_bus_message_handler_t callback,
                        void *userdata) {
        return SYM(sd_bus_match_signal)(bus, ret, sender, path, interface, member, callback, userdata);
}

int sd_bus_match_signal_async(sd_bus *bus, sd_bus_slot **ret, const char *sender, const char *path,
                              const char *interface, const char *member,
                              sd_bus_message_handler_t match_callback,
                              sd_bus_message_handler_t add_callback, void *userdata) {
        return SYM(sd_bus_match_signal_async)(bus, ret, sender, path, interface, member, match_callback,
                                              add_callback, userdata);
}

int sd_bus_message_append(sd_bus_message *m, const char *types, ...) {
        va_list ap;
        int r;

        va_start(ap, types);
        r = SYM(sd_bus_message_appendv)(m, types, ap);
        va_end(ap);
        return r;
}

int sd_bus_message_append_array(sd_bus_message *m, char type, const void *ptr, size_t size) {
        return SYM(sd_bus_message_append_array)(m, type, ptr, size);
}

int sd_bus_message_append_strv(sd_bus_message *m, char **l) {
        return SYM(sd_bus_message_append_strv)(m, l);
}

int sd_bus_message_close_container(sd_bus_message *m) {
        return SYM(sd_bus_message_close_container)(m);
}

int sd_bus_message_enter_container(sd_bus_message *m, char type, const char *contents) {
        return SYM(sd_bus_message_enter_container)(m, type, contents);
}

const sd_bus_error *sd_bus_message_get_error(sd_bus_message *m) {
        return SYM(sd_bus_message_get_error)(m);
}

const char *sd_bus_message_get_path(sd_bus_message *m) {
        return SYM(sd_bus_message_get_path)(m);
}

const char *sd_bus_message_get_sender(sd_bus_message *m) {
        return SYM(sd_bus_message_get_sender)(m);
}

int sd_bus_message_is_signal(sd_bus_message *m, const char *interface, const char *member) {
        return SYM(sd_bus_message_is_signal)(m, interface, member);
}

int sd_bus_message_new_method_call(sd_bus *bus, sd_bus_message **m, const char *destination,
                                   const char *path, const char *interface, const char *member) {
        return SYM(sd_bus_message_new_method_call)(bus, m, destination, path, interface, member);
}

int sd_bus_message_open_container(sd_bus_message *m, char type, const char *contents) {
        return SYM(sd_bus_message_open_container)(m, type, contents);
}

int sd_bus_message_read(sd_bus_message *m, const char *types, ...) {
        va_list ap;
        int r;

        va_start(ap, types);
        r = SYM(sd_bus_message_readv)(m, types, ap);
        va_end(ap);
        return r;
}

int sd_bus_message_read_array(sd_bus_message *m, char type, const void **ptr, size_t *size) {
        return SYM(sd_bus_message_read_array)(m, type, ptr, size);
}

sd_bus_message *sd_bus_message_unref(sd_bus_message *m) {
        return RELEASE(sd_bus_message_unref, m);
}

int sd_bus_open_system(sd_bus **ret) {
        return SYM(sd_bus_open_system)(ret);
}

int sd_bus_open_user(sd_bus **ret) {
        return SYM(sd_bus_open_user)(ret);
}

int sd_bus_path_encode(const char *prefix, const char *external_id, char **ret_path) {
        return SYM(sd_bus_path_encode)(prefix, external_id, ret_path);
}

int sd_bus_process(sd_bus *bus, sd_bus_message **r) {
        return SYM(sd_bus_process)(bus, r);
}

sd_bus_slot *sd_bus_slot_unref(sd_bus_slot *slot) {
        return RELEASE(sd_bus_slot_unref, slot);
}

sd_bus *sd_bus_unref(sd_bus *bus) {
        return RELEASE(sd_bus_unref, bus);
}

int sd_bus_wait(sd_bus *bus, uint64_t timeout_usec) {
        return SYM(sd_bus_wait)(bus, timeout_usec);
}
