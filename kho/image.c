// SPDX-License-Identifier: GPL-2.0-only
/*
 * Kexec device keepalive: encoding and validation of the handover image
 * (include/linux/keepalive/abi/core.h).
 *
 * Plain C over libfdt, with no state and no kernel service beyond
 * allocation and sort, so that tools/keepalive/ builds this very file in
 * userspace (with its compat/ headers) for the image decoder and the
 * format fuzzer.
 */
#include <linux/crc32.h>
#include <linux/keepalive/abi/core.h>
#include <linux/libfdt.h>
#include <linux/slab.h>
#include <linux/sort.h>

#include "image.h"

/**
 * keepalive_crc32() - the image's checksum: CRC-32 as zlib's crc32()
 * @buf: data
 * @len: bytes
 *
 * Context: Any context.
 * Return: the CRC.
 */
u32 keepalive_crc32(const void *buf, size_t len)
{
	return ~crc32_le(~0U, buf, len);
}

/**
 * keepalive_hdr_crc() - the header checksum a header should carry
 * @hdr: the header; its @hdr_crc32 is not part of the sum
 *
 * Context: Any context.
 * Return: the CRC, in CPU order.
 */
u32 keepalive_hdr_crc(const struct keepalive_hdr *hdr)
{
	struct keepalive_hdr tmp = *hdr;

	tmp.hdr_crc32 = 0;
	return keepalive_crc32(&tmp, sizeof(tmp));
}

#define why(fmt, ...) snprintf(msg, msg_len, fmt, ##__VA_ARGS__)

/**
 * keepalive_hdr_check() - validate an image header
 * @hdr: the header
 * @pool_phys: where this kernel's pool is
 * @pool_size: its size
 * @msg: out: what is wrong, for the log
 * @msg_len: size of @msg
 *
 * Context: Any context.
 * Return: 0 when the header is valid and describes this pool;
 * -ENOENT when there is no header at all (no magic: no handover made);
 * -EPROTO for another ABI major;
 * -EBADMSG for a header CRC mismatch;
 * -EINVAL for a header size or pool that does not match;
 * -ERANGE when the payload does not lie inside the pool.
 */
int keepalive_hdr_check(const struct keepalive_hdr *hdr, u64 pool_phys,
			u64 pool_size, char *msg, size_t msg_len)
{
	u64 off = le64_to_cpu(hdr->fdt_offset);
	u64 size = le64_to_cpu(hdr->fdt_size);

	if (memcmp(hdr->magic, KEEPALIVE_HDR_MAGIC, KEEPALIVE_HDR_MAGIC_LEN)) {
		why("no handover header (no magic)");
		return -ENOENT;
	}
	if (le16_to_cpu(hdr->abi_major) != KEEPALIVE_ABI_MAJOR) {
		why("ABI %u.%u, this kernel reads major %u",
		    le16_to_cpu(hdr->abi_major), le16_to_cpu(hdr->abi_minor),
		    KEEPALIVE_ABI_MAJOR);
		return -EPROTO;
	}
	if (le32_to_cpu(hdr->hdr_size) != sizeof(*hdr)) {
		why("header size %u, expected %zu", le32_to_cpu(hdr->hdr_size),
		    sizeof(*hdr));
		return -EINVAL;
	}
	if (le32_to_cpu(hdr->hdr_crc32) != keepalive_hdr_crc(hdr)) {
		why("header checksum %#x, computed %#x",
		    le32_to_cpu(hdr->hdr_crc32), keepalive_hdr_crc(hdr));
		return -EBADMSG;
	}
	if (le64_to_cpu(hdr->pool_phys) != pool_phys ||
	    le64_to_cpu(hdr->pool_size) != pool_size) {
		why("header describes pool %#llx+%#llx, this pool is %#llx+%#llx",
		    (unsigned long long)le64_to_cpu(hdr->pool_phys),
		    (unsigned long long)le64_to_cpu(hdr->pool_size),
		    (unsigned long long)pool_phys,
		    (unsigned long long)pool_size);
		return -EINVAL;
	}
	if (off < KEEPALIVE_HDR_AREA || size < sizeof(struct fdt_header) ||
	    off + size < off || off + size > pool_size) {
		why("payload at offset %#llx size %#llx is outside the pool",
		    (unsigned long long)off, (unsigned long long)size);
		return -ERANGE;
	}
	return 0;
}

static int range_cmp(const void *a, const void *b)
{
	const struct keepalive_image_range *x = a, *y = b;

	return x->start < y->start ? -1 : x->start > y->start;
}

static int walk_ranges(const void *fdt, char *msg, size_t msg_len,
		       keepalive_range_fn fn, void *ctx)
{
	int node, depth = 0, len, ret;
	const fdt64_t *p;

	for (node = 0; node >= 0 && depth >= 0;
	     node = fdt_next_node(fdt, node, &depth)) {
		const char *name;
		int prop;

		/* A property libfdt cannot name would hide from fdt_getprop(). */
		fdt_for_each_property_offset(prop, fdt, node) {
			if (!fdt_getprop_by_offset(fdt, prop, &name, &len)) {
				why("node %s: property: %s",
				    fdt_get_name(fdt, node, NULL),
				    fdt_strerror(len));
				return -EINVAL;
			}
		}
		if (prop != -FDT_ERR_NOTFOUND) {
			why("node %s: properties: %s",
			    fdt_get_name(fdt, node, NULL), fdt_strerror(prop));
			return -EINVAL;
		}
		p = fdt_getprop(fdt, node, KEEPALIVE_PROP_RANGES, &len);
		if (!p) {
			if (len != -FDT_ERR_NOTFOUND) {
				why("node %s: %s", fdt_get_name(fdt, node, NULL),
				    fdt_strerror(len));
				return -EINVAL;
			}
			continue;
		}
		if (!len || len % (2 * sizeof(*p))) {
			why("node %s: " KEEPALIVE_PROP_RANGES " of %d bytes",
			    fdt_get_name(fdt, node, NULL), len);
			return -EINVAL;
		}
		for (; len; len -= 2 * sizeof(*p), p += 2) {
			ret = fn(ctx, p);
			if (ret)
				return ret;
		}
	}
	/* Leaving the root ends the walk with depth -1, anything else is bad. */
	if (node < 0) {
		why("FDT structure: %s", fdt_strerror(node));
		return -EINVAL;
	}
	return 0;
}

/**
 * keepalive_image_walk_ranges() - visit every KEEPALIVE_PROP_RANGES pair
 * @fdt: a payload that passed keepalive_fdt_check()
 * @fn: called with each <phys length> pair, in tree order; a non-zero
 *	return stops the walk and is returned
 * @ctx: passed to @fn
 *
 * Context: Any context.
 * Return: 0, or what @fn returned.
 */
int keepalive_image_walk_ranges(const void *fdt, keepalive_range_fn fn,
				void *ctx)
{
	char msg[8];

	return walk_ranges(fdt, msg, sizeof(msg), fn, ctx);
}

static int count_range(void *ctx, const fdt64_t *pair)
{
	(*(size_t *)ctx)++;
	return 0;
}

struct collect {
	struct keepalive_image_range *r;
	size_t n;
	size_t max;
};

static int collect_range(void *ctx, const fdt64_t *pair)
{
	u64 phys = fdt64_ld(&pair[0]), len = fdt64_ld(&pair[1]);
	struct collect *c = ctx;

	/* The same walk counted them: more now would be a bug. */
	if (c->n == c->max)
		return -EINVAL;

	c->r[c->n].start = phys;
	c->r[c->n].end = phys + len;
	/* A wrapping range fails the pool check below. */
	if (c->r[c->n].end < phys)
		c->r[c->n].end = 0;
	c->n++;
	return 0;
}

static u32 tag_align(u32 off)
{
	return (off + FDT_TAGSIZE - 1) & ~(u32)(FDT_TAGSIZE - 1);
}

/*
 * One pass over the structure block, tag by tag, with no libfdt: every
 * read is inside the block, and every tag moves @off forward by at least
 * FDT_TAGSIZE, so the walk takes at most size / FDT_TAGSIZE steps whatever
 * the bytes say. What it accepts, libfdt's tag walk (fdt_next_tag()) reads
 * the same way and cannot leave or go back over: libfdt 1.6.1, the
 * kernel's and Debian 12's, adds a property's 32-bit length to an int
 * offset, so that a length of 0xfffffff4 (-12) takes the walk back onto
 * the property's own tag, for ever.
 */
static int walk_struct(const void *fdt, char *msg, size_t msg_len)
{
	const u8 *blk = (const u8 *)fdt + fdt_off_dt_struct(fdt);
	const char *strs = (const char *)fdt + fdt_off_dt_strings(fdt);
	/* Both blocks lie inside totalsize <= INT_MAX (fdt_check_header()). */
	u32 size = fdt_size_dt_struct(fdt);
	u32 strs_size = fdt_size_dt_strings(fdt);
	u32 off, next, len, nameoff, tag;
	unsigned int depth = 0;
	const u8 *nul;

	if (size < FDT_TAGSIZE ||
	    fdt32_ld((const fdt32_t *)blk) != FDT_BEGIN_NODE) {
		why("FDT structure: no root node at its start");
		return -EINVAL;
	}
	/* @next may be rounded up past @size: test before subtracting. */
	for (off = 0; off <= size && size - off >= FDT_TAGSIZE; off = next) {
		tag = fdt32_ld((const fdt32_t *)(blk + off));
		next = off + FDT_TAGSIZE;
		switch (tag) {
		case FDT_BEGIN_NODE:
			if (!depth && off) {
				why("FDT structure: node at %u outside the root",
				    off);
				return -EINVAL;
			}
			if (depth == KEEPALIVE_FDT_MAX_DEPTH) {
				why("FDT structure: node at %u nested deeper than %d",
				    off, KEEPALIVE_FDT_MAX_DEPTH);
				return -EINVAL;
			}
			nul = memchr(blk + next, '\0', size - next);
			if (!nul) {
				why("FDT structure: name of the node at %u runs past the block",
				    off);
				return -EINVAL;
			}
			next = tag_align(nul + 1 - blk);
			depth++;
			break;
		case FDT_END_NODE:
			if (!depth) {
				why("FDT structure: node end at %u outside any node",
				    off);
				return -EINVAL;
			}
			depth--;
			break;
		case FDT_PROP:
			if (!depth || size - next < 2 * sizeof(fdt32_t)) {
				why("FDT structure: property at %u outside any node or truncated",
				    off);
				return -EINVAL;
			}
			len = fdt32_ld((const fdt32_t *)(blk + next));
			nameoff = fdt32_ld((const fdt32_t *)(blk + next + 4));
			next += 2 * sizeof(fdt32_t);
			if (len > size - next) {
				why("FDT structure: property at %u of %u bytes, %u left",
				    off, len, size - next);
				return -EINVAL;
			}
			if (nameoff >= strs_size ||
			    !memchr(strs + nameoff, '\0', strs_size - nameoff)) {
				why("FDT structure: property at %u: name at %u of %u string bytes",
				    off, nameoff, strs_size);
				return -EINVAL;
			}
			next = tag_align(next + len);
			break;
		case FDT_NOP:
			break;
		case FDT_END:
			if (depth || next != size) {
				why("FDT structure: end at %u, %u node(s) open, %u byte(s) after",
				    off, depth, size - next);
				return -EINVAL;
			}
			return 0;
		default:
			why("FDT structure: tag %#x at %u", tag, off);
			return -EINVAL;
		}
	}
	why("FDT structure: no end tag in its %u bytes", size);
	return -EINVAL;
}

/**
 * keepalive_fdt_check_struct() - check that an FDT can be read with libfdt
 * @fdt: the FDT, @size bytes readable
 * @size: bytes readable at @fdt
 * @msg: out: what is wrong, for the log
 * @msg_len: size of @msg
 *
 * Checks the FDT header (libfdt's fdt_check_header(), a version of 17 or
 * later, a totalsize of at most @size, aligned blocks), then walks the
 * whole structure block in a number of steps bounded by its size: a root
 * node first and alone; every node name, property value and end tag
 * inside the block; every property inside a node and named by a string
 * inside the strings block; nodes nested at most KEEPALIVE_FDT_MAX_DEPTH
 * deep; the end tag last. libfdt's walks over the structure of an FDT
 * that passed stay inside it and end; over one that did not, some never
 * end.
 *
 * Context: Any context.
 * Return: 0 when the FDT can be walked;
 * -EINVAL for a malformed or truncated FDT.
 */
int keepalive_fdt_check_struct(const void *fdt, size_t size, char *msg,
			       size_t msg_len)
{
	int ret;

	if (size < sizeof(struct fdt_header)) {
		why("FDT header: %zu bytes, no room for one", size);
		return -EINVAL;
	}
	ret = fdt_check_header(fdt);
	if (ret || fdt_totalsize(fdt) > size) {
		why("FDT header: %s, totalsize %u of %zu bytes",
		    fdt_strerror(ret), ret ? 0 : fdt_totalsize(fdt), size);
		return -EINVAL;
	}
	/* Before 17 the header has no size of the structure block. */
	if (fdt_version(fdt) < 17) {
		why("FDT version %u, this reader needs 17", fdt_version(fdt));
		return -EINVAL;
	}
	/* libfdt reads tags and cells in place: no writer misaligns them. */
	if (fdt_off_dt_struct(fdt) % FDT_TAGSIZE ||
	    fdt_off_mem_rsvmap(fdt) % sizeof(u64)) {
		why("FDT blocks misaligned: struct at %u, reserve map at %u",
		    fdt_off_dt_struct(fdt), fdt_off_mem_rsvmap(fdt));
		return -EINVAL;
	}
	return walk_struct(fdt, msg, msg_len);
}

/**
 * keepalive_fdt_check_payload() - validate a payload but for its ranges
 * @hdr: its header, already checked with keepalive_hdr_check()
 * @fdt: the payload, @hdr->fdt_size bytes readable
 * @nr_ranges: out: how many "phys-ranges" pairs it has
 * @msg: out: what is wrong, for the log
 * @msg_len: size of @msg
 *
 * Checks the payload CRC, the FDT header and structure
 * (keepalive_fdt_check_struct(), before any lookup), the root compatible,
 * and that every KEEPALIVE_PROP_RANGES property is made of whole pairs.
 * The first half of keepalive_fdt_check(), for a caller that provides the
 * memory for the second (early boot has no kmalloc).
 *
 * Context: Any context.
 * Return: 0 when valid so far;
 * -EBADMSG for a payload CRC mismatch;
 * -EINVAL for a malformed or truncated FDT;
 * -EPROTO for another root compatible.
 */
int keepalive_fdt_check_payload(const struct keepalive_hdr *hdr,
				const void *fdt, size_t *nr_ranges, char *msg,
				size_t msg_len)
{
	u64 fdt_size = le64_to_cpu(hdr->fdt_size);
	int ret;

	*nr_ranges = 0;
	if (keepalive_crc32(fdt, fdt_size) != le32_to_cpu(hdr->fdt_crc32)) {
		why("payload checksum %#x, computed %#x",
		    le32_to_cpu(hdr->fdt_crc32), keepalive_crc32(fdt, fdt_size));
		return -EBADMSG;
	}
	/* No libfdt lookup before this: it walks a bad structure forever. */
	ret = keepalive_fdt_check_struct(fdt, fdt_size, msg, msg_len);
	if (ret)
		return ret;
	ret = fdt_node_check_compatible(fdt, 0, KEEPALIVE_FDT_COMPATIBLE);
	if (ret < 0 && ret != -FDT_ERR_NOTFOUND) {
		why("FDT root: %s", fdt_strerror(ret));
		return -EINVAL;
	}
	if (ret) {
		why("root is not compatible with \"%s\"",
		    KEEPALIVE_FDT_COMPATIBLE);
		return -EPROTO;
	}
	return walk_ranges(fdt, msg, msg_len, count_range, nr_ranges);
}

/**
 * keepalive_fdt_check_ranges() - validate the ranges of a payload
 * @hdr: its header, already checked with keepalive_hdr_check()
 * @fdt: the payload, checked with keepalive_fdt_check_payload()
 * @r: out: @nr_ranges + 1 entries: every range, the payload's own among
 *	them, sorted by address
 * @nr_ranges: what keepalive_fdt_check_payload() counted
 * @msg: out: what is wrong, for the log
 * @msg_len: size of @msg
 *
 * Checks that every "phys-ranges" pair anywhere in the tree is non-empty,
 * page aligned, inside the pool's allocatable part, clear of the payload
 * itself and of every other range.
 *
 * Context: Any context.
 * Return: 0 when valid;
 * -EINVAL for overlapping ranges;
 * -ERANGE for a range outside the pool.
 */
int keepalive_fdt_check_ranges(const struct keepalive_hdr *hdr,
			       const void *fdt, struct keepalive_image_range *r,
			       size_t nr_ranges, char *msg, size_t msg_len)
{
	u64 pool_phys = le64_to_cpu(hdr->pool_phys);
	u64 pool_end = pool_phys + le64_to_cpu(hdr->pool_size);
	u64 fdt_start = pool_phys + le64_to_cpu(hdr->fdt_offset);
	struct collect c = { .r = r, .max = nr_ranges };
	size_t i, n = nr_ranges;
	int ret;

	ret = walk_ranges(fdt, msg, msg_len, collect_range, &c);
	if (ret)
		return ret;
	/* The payload itself is a range the others must not overlap. */
	r[n].start = fdt_start;
	r[n].end = fdt_start + le64_to_cpu(hdr->fdt_size);

	for (i = 0; i < n; i++) {
		if (r[i].end <= r[i].start ||
		    (r[i].start | r[i].end) & (KEEPALIVE_HDR_AREA - 1) ||
		    r[i].start < pool_phys + KEEPALIVE_HDR_AREA ||
		    r[i].end > pool_end) {
			why("range %#llx-%#llx is empty, unaligned or outside the pool %#llx-%#llx",
			    (unsigned long long)r[i].start,
			    (unsigned long long)r[i].end,
			    (unsigned long long)pool_phys,
			    (unsigned long long)pool_end);
			return -ERANGE;
		}
	}
	sort(r, n + 1, sizeof(*r), range_cmp, NULL);
	for (i = 1; i <= n; i++) {
		if (r[i].start < r[i - 1].end) {
			why("ranges %#llx-%#llx and %#llx-%#llx overlap",
			    (unsigned long long)r[i - 1].start,
			    (unsigned long long)r[i - 1].end,
			    (unsigned long long)r[i].start,
			    (unsigned long long)r[i].end);
			return -EINVAL;
		}
	}
	return 0;
}

/**
 * keepalive_fdt_check() - validate an image payload
 * @hdr: its header, already checked with keepalive_hdr_check()
 * @fdt: the payload, @hdr->fdt_size bytes readable
 * @msg: out: what is wrong, for the log
 * @msg_len: size of @msg
 *
 * keepalive_fdt_check_payload() then keepalive_fdt_check_ranges(), with
 * the memory for the second allocated here.
 *
 * Context: Process context (allocates a sorting array).
 * Return: 0 when valid; as those two; -ENOMEM when the ranges cannot be
 * sorted.
 */
int keepalive_fdt_check(const struct keepalive_hdr *hdr, const void *fdt,
			char *msg, size_t msg_len)
{
	struct keepalive_image_range *r;
	size_t n;
	int ret;

	ret = keepalive_fdt_check_payload(hdr, fdt, &n, msg, msg_len);
	if (ret || !n)
		return ret;
	r = kvmalloc_array(n + 1, sizeof(*r), GFP_KERNEL);
	if (!r) {
		why("no memory to check %zu ranges", n);
		return -ENOMEM;
	}
	ret = keepalive_fdt_check_ranges(hdr, fdt, r, n, msg, msg_len);
	kvfree(r);
	return ret;
}

/**
 * keepalive_hdr_seal() - write a header for a finished payload
 * @hdr: the header to write
 * @pool_phys: the pool's address
 * @pool_size: its size
 * @fdt_offset: offset of the payload from @pool_phys
 * @fdt: the payload, packed
 * @generation: kexecs survived, counting the coming one
 *
 * Context: Any context.
 */
void keepalive_hdr_seal(struct keepalive_hdr *hdr, u64 pool_phys,
			u64 pool_size, u64 fdt_offset, const void *fdt,
			u64 generation)
{
	u32 size = fdt_totalsize(fdt);

	memset(hdr, 0, sizeof(*hdr));
	memcpy(hdr->magic, KEEPALIVE_HDR_MAGIC, KEEPALIVE_HDR_MAGIC_LEN);
	hdr->abi_major = cpu_to_le16(KEEPALIVE_ABI_MAJOR);
	hdr->abi_minor = cpu_to_le16(KEEPALIVE_ABI_MINOR);
	hdr->hdr_size = cpu_to_le32(sizeof(*hdr));
	hdr->pool_phys = cpu_to_le64(pool_phys);
	hdr->pool_size = cpu_to_le64(pool_size);
	hdr->fdt_offset = cpu_to_le64(fdt_offset);
	hdr->fdt_size = cpu_to_le64(size);
	hdr->generation = cpu_to_le64(generation);
	hdr->fdt_crc32 = cpu_to_le32(keepalive_crc32(fdt, size));
	hdr->hdr_crc32 = cpu_to_le32(keepalive_hdr_crc(hdr));
}
