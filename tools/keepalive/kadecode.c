// SPDX-License-Identifier: GPL-2.0-only
/*
 * kadecode - decode and validate a keepalive handover image snapshot
 *
 * Usage: kadecode IMAGE
 *
 * IMAGE is what /sys/kernel/debug/keepalive/{outgoing,incoming} gives: the
 * 4096-byte header area (struct keepalive_hdr, then zeroes) followed by the
 * payload FDT. The checks are the kernel's own (kho/image.c), run against
 * the pool the header itself describes. Its fdt_offset still is the offset
 * in the real pool, not 4096.
 *
 * Exit status: 0 valid, 1 invalid, 2 usage or I/O error.
 */
#include <ctype.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <linux/keepalive/abi/core.h>
#include <linux/keepalive/abi/iommu.h>
#include <linux/keepalive/abi/irq.h>
#include <linux/keepalive/abi/memfd.h>
#include <linux/keepalive/abi/vfio.h>
#include <linux/libfdt.h>

#include "image.h"
#include "errname.h"

#define PAGE		KEEPALIVE_HDR_AREA
#define MAX_DEPTH	32	/* of the printed tree */
#define MAX_HEX		64	/* bytes of a binary property printed */

static void *read_file(const char *path, size_t *size)
{
	size_t len = 0, cap = 0, n;
	char *buf = NULL, *p;
	FILE *f;

	f = fopen(path, "rb");
	if (!f) {
		perror(path);
		return NULL;
	}
	/* Read to EOF: debugfs files need not report a size. */
	do {
		if (len == cap) {
			cap = cap ? 2 * cap : 65536;
			p = realloc(buf, cap);
			if (!p) {
				fprintf(stderr, "%s: out of memory\n", path);
				goto fail;
			}
			buf = p;
		}
		n = fread(buf + len, 1, cap - len, f);
		len += n;
	} while (n);
	if (ferror(f)) {
		perror(path);
		goto fail;
	}
	fclose(f);
	*size = len;
	return buf;
fail:
	free(buf);
	fclose(f);
	return NULL;
}

static u64 u64_at(const void *p)
{
	fdt64_t v;

	memcpy(&v, p, sizeof(v));	/* property data is 4-byte aligned */
	return fdt64_to_cpu(v);
}

static void print_header(const struct keepalive_hdr *h, const u8 *payload,
			 size_t avail)
{
	u64 fdt_size = le64_to_cpu(h->fdt_size);
	int i;

	printf("header:\n  magic        \"");
	for (i = 0; i < KEEPALIVE_HDR_MAGIC_LEN; i++)
		putchar(isprint(h->magic[i]) ? h->magic[i] : '.');
	printf("\"\n");
	printf("  abi          %u.%u\n", le16_to_cpu(h->abi_major),
	       le16_to_cpu(h->abi_minor));
	printf("  hdr_size     %u\n", le32_to_cpu(h->hdr_size));
	printf("  pool_phys    %#llx\n",
	       (unsigned long long)le64_to_cpu(h->pool_phys));
	printf("  pool_size    %#llx\n",
	       (unsigned long long)le64_to_cpu(h->pool_size));
	printf("  fdt_offset   %#llx\n",
	       (unsigned long long)le64_to_cpu(h->fdt_offset));
	printf("  fdt_size     %llu\n", (unsigned long long)fdt_size);
	printf("  generation   %llu\n",
	       (unsigned long long)le64_to_cpu(h->generation));
	printf("  fdt_crc32    %#010x", le32_to_cpu(h->fdt_crc32));
	if (fdt_size <= avail)
		printf(" (computed %#010x)",
		       keepalive_crc32(payload, fdt_size));
	printf("\n  hdr_crc32    %#010x (computed %#010x)\n",
	       le32_to_cpu(h->hdr_crc32), keepalive_hdr_crc(h));
	printf("  payload      %zu bytes in the snapshot\n", avail);
}

/* Non-empty, NUL-terminated printable strings, as a compatible holds. */
static bool is_strings(const char *p, int len)
{
	int i;

	if (len < 1 || p[len - 1] || !p[0])
		return false;
	for (i = 0; i < len - 1; i++) {
		if (!p[i] && !p[i + 1])
			return false;
		if (p[i] && !isprint((unsigned char)p[i]))
			return false;
	}
	return true;
}

static void print_value(const char *name, const u8 *p, int len)
{
	int i;

	if (!strcmp(name, KEEPALIVE_PROP_RANGES) && len && !(len % 8)) {
		for (i = 0; i + 16 <= len; i += 16)
			printf("%s<%#llx %#llx>", i ? ", " : "",
			       (unsigned long long)u64_at(p + i),
			       (unsigned long long)u64_at(p + i + 8));
		if (i < len)
			printf("%s<%#llx>  /* odd u64 count */", i ? ", " : "",
			       (unsigned long long)u64_at(p + i));
	} else if (!strcmp(name, KEEPALIVE_IRQ_PROP_VECTORS) &&
		   !(len % sizeof(struct keepalive_irq_vector))) {
		/* Each armed vector and the remapping entry it names. */
		for (i = 0; i < len; i += sizeof(struct keepalive_irq_vector)) {
			struct keepalive_irq_vector v;

			memcpy(&v, p + i, sizeof(v));
			printf("%s<vector %u irte %u msg %#x:%#x data %#x entry %#llx:%#llx>",
			       i ? ", " : "", be16toh(v.vector), be16toh(v.irte),
			       be32toh(v.addr_hi), be32toh(v.addr_lo),
			       be32toh(v.data),
			       (unsigned long long)be64toh(v.irte_hi),
			       (unsigned long long)be64toh(v.irte_lo));
		}
	} else if (!strcmp(name, KEEPALIVE_IRQ_PROP_MSIX) &&
		   len >= (int)sizeof(struct keepalive_irq_msix)) {
		struct keepalive_irq_msix m;

		memcpy(&m, p, sizeof(m));
		printf("<cap %#x control %#x vectors %u flags %#x table %#x pba %#x unit %#llx>",
		       be16toh(m.cap), be16toh(m.control), be16toh(m.nr_vectors),
		       be16toh(m.flags), be32toh(m.table), be32toh(m.pba),
		       (unsigned long long)be64toh(m.ir_reg_base));
		/* then the armed, then the pending bitmap words */
		for (i = sizeof(m); i + 8 <= len; i += 8)
			printf(" %#llx", (unsigned long long)u64_at(p + i));
	} else if (!strcmp(name, KEEPALIVE_IOMMU_PROP_TRANSLATION) &&
		   len == sizeof(struct keepalive_iommu_translation)) {
		struct keepalive_iommu_translation t;

		memcpy(&t, p, sizeof(t));
		printf("<unit %u domain-id %u reserved %#x context %#llx:%#llx>",
		       be32toh(t.unit), be16toh(t.domain_id),
		       be16toh(t.reserved),
		       (unsigned long long)be64toh(t.context_hi),
		       (unsigned long long)be64toh(t.context_lo));
	} else if (!strcmp(name, KEEPALIVE_VFIO_PROP_STATE) &&
		   len == sizeof(struct keepalive_vfio_state)) {
		struct keepalive_vfio_state st;

		memcpy(&st, p, sizeof(st));
		printf("<id %04x:%04x class %06x command %#06x reserved %#x bar-types %#x bars",
		       be32toh(st.vendor_device) >> 16,
		       be32toh(st.vendor_device) & 0xffff, be32toh(st.class),
		       be16toh(st.command), be16toh(st.reserved),
		       be32toh(st.bar_types));
		for (i = 0; i < KEEPALIVE_VFIO_NR_BARS; i++)
			printf(" %#llx", (unsigned long long)be64toh(st.bars[i]));
		printf(" token-sha256 ");
		for (i = 0; i < KEEPALIVE_TOKEN_HASH_SIZE; i++)
			printf("%02x", st.token_sha256[i]);
		printf(">");
	} else if (!strcmp(name, KEEPALIVE_MEMFD_PROP_TOKEN_SHA256)) {
		for (i = 0; i < len && i < MAX_HEX; i++)
			printf("%02x", p[i]);
		if (i < len)
			printf("...");
	} else if (is_strings((const char *)p, len)) {
		for (i = 0; i < len; i += strlen((const char *)p + i) + 1)
			printf("%s\"%s\"", i ? ", " : "", (const char *)p + i);
	} else if (!(len % 4)) {
		printf("<");
		for (i = 0; i < len && i < MAX_HEX; i += 4) {
			fdt32_t v;

			memcpy(&v, p + i, sizeof(v));
			printf("%s%#x", i ? " " : "", fdt32_to_cpu(v));
		}
		printf("%s>", i < len ? " ..." : "");
	} else {
		printf("[");
		for (i = 0; i < len && i < MAX_HEX; i++)
			printf("%s%02x", i ? " " : "", p[i]);
		printf("%s]", i < len ? " ..." : "");
	}
}

static void indent(int depth)
{
	printf("%*s", 4 * depth, "");
}

/*
 * Bytes of the structure block that @node and its subtree take: from its
 * BEGIN_NODE tag to its END_NODE tag, both included. Property names are
 * in the strings block, once per image, and not counted.
 */
static int node_bytes(const void *fdt, int node)
{
	int depth = 0, next = node;

	/* libfdt stops right after the END_NODE that takes depth below 0. */
	do
		next = fdt_next_node(fdt, next, &depth);
	while (next >= 0 && depth >= 0);
	return next < 0 ? next : next - node;
}

/* Returns a libfdt error met on the way, 0 when the walk was clean. */
static int print_node(const void *fdt, int node, int depth)
{
	const char *name;
	const void *val;
	int prop, child, len, err = 0;

	name = fdt_get_name(fdt, node, &len);
	indent(depth);
	if (!name) {
		printf("/* node at %d: %s */\n", node, fdt_strerror(len));
		return len;
	}
	if (depth)
		printf("%s {  /* %d bytes */\n", name, node_bytes(fdt, node));
	else
		printf("/ {\n");
	fdt_for_each_property_offset(prop, fdt, node) {
		val = fdt_getprop_by_offset(fdt, prop, &name, &len);
		indent(depth + 1);
		if (!val) {
			printf("/* property at %d: %s */\n", prop,
			       fdt_strerror(len));
			err = len;
			continue;
		}
		printf("%s", name);
		if (len) {
			printf(" = ");
			print_value(name, val, len);
		}
		printf(";\n");
	}
	if (prop != -FDT_ERR_NOTFOUND) {
		indent(depth + 1);
		printf("/* properties: %s */\n", fdt_strerror(prop));
		err = prop;
	}
	if (depth == MAX_DEPTH) {
		indent(depth + 1);
		printf("/* deeper nodes not shown */\n");
	} else {
		fdt_for_each_subnode(child, fdt, node) {
			len = print_node(fdt, child, depth + 1);
			err = err ?: len;
		}
		if (child != -FDT_ERR_NOTFOUND) {
			indent(depth + 1);
			printf("/* subnodes: %s */\n", fdt_strerror(child));
			err = err ?: child;
		}
	}
	indent(depth);
	printf("};\n");
	return err;
}

/*
 * Print the payload's tree, valid or not, when its structure is one libfdt
 * can walk: libfdt's walk of some malformed structures never ends.
 */
static void print_payload(const void *fdt, size_t len)
{
	char msg[256];

	printf("\npayload:\n");
	if (len < sizeof(struct fdt_header)) {
		printf("  (%zu bytes: no FDT)\n", len);
		return;
	}
	if (keepalive_fdt_check_struct(fdt, len, msg, sizeof(msg))) {
		printf("  (no tree shown: %s)\n", msg);
		return;
	}
	print_node(fdt, 0, 0);
}

int main(int argc, char **argv)
{
	struct keepalive_hdr hdr;
	size_t size, avail;
	u64 fdt_size;
	char msg[256];
	void *fdt;
	u8 *snap;
	int ret;

	if (argc != 2 || argv[1][0] == '-') {
		fprintf(stderr, "usage: %s IMAGE\n"
			"  IMAGE: a snapshot from /sys/kernel/debug/keepalive/{outgoing,incoming}\n",
			argv[0]);
		return 2;
	}
	snap = read_file(argv[1], &size);
	if (!snap)
		return 2;
	if (size < sizeof(hdr)) {
		printf("invalid: snapshot of %zu bytes holds no header (%s)\n",
		       size, ka_errname(ENODATA));
		free(snap);
		return 1;
	}
	memcpy(&hdr, snap, sizeof(hdr));
	avail = size > PAGE ? size - PAGE : 0;
	fdt_size = le64_to_cpu(hdr.fdt_size);
	/* An aligned copy of the payload, of exactly the bytes present. */
	fdt = malloc(avail ?: 1);
	if (!fdt) {
		fprintf(stderr, "out of memory\n");
		free(snap);
		return 2;
	}
	memcpy(fdt, snap + PAGE, avail);
	free(snap);
	print_header(&hdr, fdt, avail);

	ret = keepalive_hdr_check(&hdr, le64_to_cpu(hdr.pool_phys),
				  le64_to_cpu(hdr.pool_size), msg, sizeof(msg));
	/*
	 * The kernel checks the header against its real pool; here the pool
	 * is the header's own, which must at least be a possible one.
	 */
	if (!ret && le64_to_cpu(hdr.pool_phys) + le64_to_cpu(hdr.pool_size) <
		    le64_to_cpu(hdr.pool_phys)) {
		snprintf(msg, sizeof(msg), "pool %#llx+%#llx wraps around",
			 (unsigned long long)le64_to_cpu(hdr.pool_phys),
			 (unsigned long long)le64_to_cpu(hdr.pool_size));
		ret = -ERANGE;
	}
	if (!ret && fdt_size > avail) {
		snprintf(msg, sizeof(msg),
			 "snapshot holds %zu payload bytes, header says %llu",
			 avail, (unsigned long long)fdt_size);
		ret = -ENODATA;
	}
	if (!ret)
		ret = keepalive_fdt_check(&hdr, fdt, msg, sizeof(msg));
	if (ret)
		printf("invalid: %s (%s)\n", msg, ka_errname(ret));
	else
		printf("valid\n");
	if (le64_to_cpu(hdr.fdt_offset) % 8)
		printf("note: fdt_offset is not 8-byte aligned: libfdt refuses\n"
		       "      such a payload where it is in the pool\n");

	print_payload(fdt, fdt_size <= avail ? fdt_size : avail);
	free(fdt);
	return ret ? 1 : 0;
}
