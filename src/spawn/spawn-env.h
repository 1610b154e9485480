/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* The payload's environment: the lists and EnvironmentFile= parsing are
 * src/basic/env-util.h; what is the payload's alone is here. */

#include "env-util.h"
#include "spawn-error.h"

/* The default PATH when neither the plan nor anything else sets one. */
#define SPAWN_DEFAULT_PATH "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"
