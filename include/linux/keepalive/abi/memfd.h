/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Kexec device keepalive: the handover image's node of preserved memory
 * files (memfd/), part of the ABI between two kernels (abi/core.h).
 *
 * Node KEEPALIVE_MEMFD_NODE, compatible KEEPALIVE_MEMFD_COMPATIBLE, with
 * one subnode "file@<index>" per file, index 0, 1, ... in registry order:
 *   name		string, at most KEEPALIVE_NAME_MAX - 1 bytes
 *   token-sha256	KEEPALIVE_TOKEN_HASH_SIZE bytes, SHA-256 of the
 *			16-byte token
 *   phys-ranges	one u64 pair <phys length>: the file's memory, and
 *			its length (memfd-v2 files are contiguous; more
 *			pairs would need memfd-v3)
 *
 * A file's subnode takes 100 bytes of image plus its name rounded up to 4
 * (16 node, 12 + name, 44 token-sha256, 28 phys-ranges), whatever its size.
 *
 * History: memfd-v1 also had "length", u64, equal to the length of the
 * one "phys-ranges" pair; v2 dropped it.
 *
 * Versioning, i.e. what to bump when this changes:
 * - An incompatible change to the node or its subnodes (a property
 *   renamed, removed, resized or reinterpreted, a new one that the reader
 *   must understand): bump the "-v<N>" of KEEPALIVE_MEMFD_COMPATIBLE.
 * - A new optional property that older kernels may ignore: bump
 *   KEEPALIVE_ABI_MINOR (abi/core.h).
 */
#ifndef _LINUX_KEEPALIVE_ABI_MEMFD_H
#define _LINUX_KEEPALIVE_ABI_MEMFD_H

#include <linux/keepalive/abi/core.h>

#define KEEPALIVE_MEMFD_COMPATIBLE	"keepalive,memfd-v2"

/* The participant's node, a child of the root. */
#define KEEPALIVE_MEMFD_NODE		"memfd"
/* Name of a file's subnode: this, then its index in decimal. */
#define KEEPALIVE_MEMFD_FILE_PREFIX	"file@"

#define KEEPALIVE_MEMFD_PROP_NAME	"name"
#define KEEPALIVE_MEMFD_PROP_TOKEN_SHA256	"token-sha256"
/* and KEEPALIVE_PROP_RANGES (abi/core.h) */

#endif /* _LINUX_KEEPALIVE_ABI_MEMFD_H */
