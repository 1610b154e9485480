/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* The probe's "sched" field: the process attributes Nice=,
 * CPUScheduling*=, IOScheduling*=, CPUAffinity= and Personality= set, as
 * one JSON object on one line of stdout. */
void probe_sched_json(void);
