/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Kexec device keepalive: the participants' record readers under the
 * fuzzer (fuzz_records.c).
 */
#ifndef _KEEPALIVE_FUZZ_RECORDS_H
#define _KEEPALIVE_FUZZ_RECORDS_H

#include <stddef.h>
#include <linux/types.h>

extern int ka_fuzz_log;

void fuzz_records(const void *fdt, const void *pool_bytes, size_t size,
		  u64 pool_phys, u64 pool_size);
int fuzz_records_seeds(const char *dir);

#endif /* _KEEPALIVE_FUZZ_RECORDS_H */
