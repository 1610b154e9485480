/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* The process's command line, as /proc/PID/cmdline shows it to whoever
 * shares its PID namespace. cell's carries host paths (the binary's, the
 * unit file's): a process of cell's that lives on inside a container (the
 * Init=yes reaper, its PID 1) shows a name of its own instead, as nspawn's
 * stub init is "(sd-stubinit)". */

/* main() saves where the kernel put argv (one contiguous area) before
 * anything changes argv's pointers. */
void process_name_save(int argc, char **argv);
/* The command line becomes name, the rest of the saved area zeroed
 * (without a saved argv, nothing changes). The comm stays: "cell run"'s
 * tools tell the reaper by it (instance_leader_is_reaper()), and it names
 * no path. */
void process_cmdline_set(const char *name);
