// SPDX-License-Identifier: GPL-2.0-only
/*
 * Kexec device keepalive: the trace events (include/trace/events/
 * keepalive.h) are defined here, once for the core and every participant.
 */
#define CREATE_TRACE_POINTS
#include <trace/events/keepalive.h>
