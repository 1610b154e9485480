/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include "config.h"

/* Port=[tcp|udp:]HOST[:CONTAINER] as systemd-nspawn's --port=: ports
 * 1..65535, the container port defaults to the host port, tcp by default. */
int parse_port(const char *s, CellPort *ret);
