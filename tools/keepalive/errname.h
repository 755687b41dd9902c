/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * tools/keepalive: the symbolic name of the errno values the image checks
 * return, for messages.
 */
#ifndef _KEEPALIVE_TOOLS_ERRNAME_H
#define _KEEPALIVE_TOOLS_ERRNAME_H

#include <errno.h>

static inline const char *ka_errname(int err)
{
	switch (err < 0 ? -err : err) {
	case 0:		return "0";
	case ENOENT:	return "ENOENT";
	case EPROTO:	return "EPROTO";
	case EINVAL:	return "EINVAL";
	case EBADMSG:	return "EBADMSG";
	case ERANGE:	return "ERANGE";
	case ENOMEM:	return "ENOMEM";
	case ENODATA:	return "ENODATA";
	case ETIMEDOUT:	return "ETIMEDOUT";
	default:	return "E?";
	}
}

#endif /* _KEEPALIVE_TOOLS_ERRNAME_H */
