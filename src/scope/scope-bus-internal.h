/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* The systemd manager's connection (scope-bus.c: connect, wait, free) and
 * its start job (scope-bus-job.c: StartTransientUnit, JobRemoved,
 * UnitExists), sharing one ScopeBus. */

#include <stdbool.h>
#include <stdint.h>
#include <systemd/sd-bus.h>

#include "parse-value.h"
#include "scope-bus-loop.h"
#include "scope-internal.h"

#define SYSTEMD_PATH      "/org/freedesktop/systemd1"
#define SYSTEMD_MANAGER   "org.freedesktop.systemd1.Manager"

struct ScopeBus {
        sd_bus *bus;
        BusLoop loop;           /* bus, driven by the scope's event loop */
        sd_bus_slot *slot_job_removed, *slot_filter, *slot_call;
        PlanProperty *props;    /* a copy of the plan's, so the plan may go away */
        size_t n_props;
        char **io_entries;      /* the plan's IO device entries, "FILE:LINE: KEY=PATH VALUE" each */
        char *slice, *description;      /* added when the plan's properties lack them */
        char *service;          /* the .service cell runs in: PartOf= and Before= it (no After=) */
        char *source_path;      /* the unit file, absolute: SourcePath= */
        int kill_signal;        /* KillSignal= when the plan's properties lack it */
        uint64_t timeout_stop_usec;     /* TimeoutStopUSec= likewise */
        bool user_bus;
        pid_t pid;
        uint64_t deadline;      /* CLOCK_MONOTONIC: the scope is made by then, or the start fails */
        int stop_fd;            /* while scope_bus_wait() waits: the stop signals, never read */
        bool stop_requested;    /* ... one of them came */
        bool welcomed;          /* the broker answered a call of ours: Hello went through */
        unsigned reconnects;    /* connections the broker turned away, tried again */
        bool reset_tried;       /* ResetFailedUnit was tried for UnitExists */
        bool leftover_stopped;  /* an active but empty leftover was stopped: this start replaced it */
        bool runaway_killed;    /* a leftover with processes, of our own service's killed cell, was killed */
        bool sent;              /* StartTransientUnit went out: StopUnit on free */
        bool job_filter;        /* JobRemoved comes through on_message_filter() (arg2 rule) */
        char *manager;          /* the unique name that answered StartTransientUnit */
        char *early_sender;     /* ... and the sender of a JobRemoved before that answer */
        bool replied;           /* its reply (the job path) arrived */
        bool finished;          /* the job is over (or failed): result is final */
        int result;
        char *job;              /* the job's object path */
        char *early_job, *early_result; /* a JobRemoved seen before the reply */
};

/* What is left of the deadline: USEC_INFINITY for none, 0 when it passed. */
static inline uint64_t scope_bus_deadline_left(const ScopeBus *b) {
        uint64_t now;

        if (b->deadline == USEC_INFINITY)
                return USEC_INFINITY;
        now = now_monotonic_usec();
        return b->deadline > now ? b->deadline - now : 0;
}

/* The job is over with r (the first result stands). */
static inline void scope_bus_job_finish(Scope *s, int r) {
        ScopeBus *b = s->bus;
        if (b->finished)
                return;
        b->finished = true;
        b->result = r;
}

/* The connection dropped: the error to finish the job with, its text set. A
 * connect that failed (TCP: it finishes in the event loop) says so, naming the
 * address; otherwise -ECONNRESET, which turned_away() may take for the broker's
 * refusal. */
int scope_bus_lost(Scope *s);
/* Sends StartTransientUnit for s->bus->pid, asynchronously. */
int scope_bus_start_send(Scope *s);
/* The connection's message filter: its dropping, and JobRemoved where the
 * broker took the match with arg2 (job_filter). */
int scope_bus_message_filter(sd_bus_message *m, void *userdata, sd_bus_error *ret_error);
/* The JobRemoved match, queued (answered inside the wait). */
int scope_bus_job_subscribe(Scope *s);
/* The plan's IO device entries as a refusal names them (b->io_entries). */
int scope_bus_io_entries(ScopeBus *b, const PlanLimits *l);
/* StartTransientUnit refused (not UnitExists, not for a stop job): systemd's
 * message, with the unit key of the property it names and that key's value
 * in front ("CPUQuota=5000%: systemd refused CPUQuotaPerSecUSec: ..."), or
 * "cell's own property". Sets the text, returns -errno. */
int scope_bus_refused(Scope *s, const sd_bus_error *e);
/* The start job's result "dependency", which names no unit: the units of
 * the unit's Requires= and BindsTo= entries, each once, to ask systemd
 * about (NULL: none); and, given those of them that failed, the message
 * naming the first entry of one ("Requires=db.service: starting ... failed:
 * job result 'dependency': db.service failed ..."), or none. Returns -errno. */
int scope_bus_required_units(const ScopeBus *b, char ***ret);
int scope_bus_dependency_failed(Scope *s, char * const *failed);
