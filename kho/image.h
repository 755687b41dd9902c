/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Kexec device keepalive: handover image encoding and validation, shared
 * by the kernel (kho/) and the userspace decoder (tools/keepalive/).
 */
#ifndef _KEEPALIVE_IMAGE_H
#define _KEEPALIVE_IMAGE_H

#include <linux/keepalive/abi/core.h>
#include <linux/libfdt.h>
#include <linux/types.h>

u32 keepalive_crc32(const void *buf, size_t len);
u32 keepalive_hdr_crc(const struct keepalive_hdr *hdr);
int keepalive_hdr_check(const struct keepalive_hdr *hdr, u64 pool_phys,
			u64 pool_size, char *msg, size_t msg_len);
/**
 * struct keepalive_image_range - a range of pool memory an image names
 * @start: first byte
 * @end: first byte past it
 * @state: free for the caller's use; the checker does not touch it
 */
struct keepalive_image_range {
	u64 start;
	u64 end;
	u32 state;
};

/*
 * How deep an image's nodes may nest, the root being at depth 1. The
 * image nests three deep today (root, participant, record).
 */
#define KEEPALIVE_FDT_MAX_DEPTH	16

int keepalive_fdt_check_struct(const void *fdt, size_t size, char *msg,
			       size_t msg_len);
int keepalive_fdt_check(const struct keepalive_hdr *hdr, const void *fdt,
			char *msg, size_t msg_len);
int keepalive_fdt_check_payload(const struct keepalive_hdr *hdr,
				const void *fdt, size_t *nr_ranges, char *msg,
				size_t msg_len);
int keepalive_fdt_check_ranges(const struct keepalive_hdr *hdr,
			       const void *fdt, struct keepalive_image_range *r,
			       size_t nr_ranges, char *msg, size_t msg_len);
/* Called for each <phys length> pair; non-zero stops the walk. */
typedef int (*keepalive_range_fn)(void *ctx, const fdt64_t *pair);
int keepalive_image_walk_ranges(const void *fdt, keepalive_range_fn fn,
				void *ctx);
void keepalive_hdr_seal(struct keepalive_hdr *hdr, u64 pool_phys,
			u64 pool_size, u64 fdt_offset, const void *fdt,
			u64 generation);

#endif /* _KEEPALIVE_IMAGE_H */
