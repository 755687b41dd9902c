/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The handover image test cases, shared by the KUnit suite
 * (kho/tests/image_kunit.c) and the userspace one
 * (tools/keepalive/image_test.c, which builds image_cases.c the way it
 * builds kho/image.c).
 *
 * A test image is a snapshot, as debugfs shows it: the header area, then
 * the payload. The pool it describes has no memory behind it. Each case
 * builds the good image (or a variant of its spec), damages exactly one
 * thing and makes the checksums right again unless the checksum is what
 * it tests, so that the check under test, not a CRC check, has to reject
 * it. Each world runs keepalive_hdr_check() then keepalive_fdt_check() on
 * it its own way, and ka_img_case_passed() judges the result.
 */
#ifndef _KEEPALIVE_IMAGE_CASES_H
#define _KEEPALIVE_IMAGE_CASES_H

#include <linux/types.h>
#include <linux/keepalive/abi/core.h>

#define KA_IMG_POOL_PHYS	0x100000000ULL
#define KA_IMG_POOL_SIZE	0x1000000ULL		/* 16 MiB */
#define KA_IMG_POOL_END		(KA_IMG_POOL_PHYS + KA_IMG_POOL_SIZE)
#define KA_IMG_FDT_OFFSET	0x8000ULL
#define KA_IMG_FDT_MAX		0x4000
#define KA_IMG_GENERATION	3ULL
/* Room for a payload moved off its 8-byte alignment */
#define KA_IMG_SHIFT_MAX	8
#define KA_IMG_SNAP_MAX		(KEEPALIVE_HDR_AREA + KA_IMG_FDT_MAX + \
				 KA_IMG_SHIFT_MAX)
#define KA_IMG_MSG_LEN		160
#define KA_IMG_NR_FILES		2

/* One preserved file of the memfd node, "file@<index>" */
struct ka_img_file {
	const char *name;
	u64 ranges[6];
	int ranges_len;		/* bytes of @ranges to write, 0: none */
};

/* What a test image holds; ka_img_build() turns it into a snapshot. */
struct ka_img_spec {
	const char *root_compatible;	/* NULL: no compatible */
	u64 root_ranges[2];
	int root_ranges_len;
	bool root_ranges_empty;		/* an empty phys-ranges on the root */
	struct ka_img_file file[KA_IMG_NR_FILES];
	int nest;			/* a chain of nodes this deep below the root */
	u64 sub_ranges[2];		/* a subnode of file@1 with these... */
	int sub_ranges_len;		/* ...bytes of them, 0: no subnode */
};

/**
 * struct ka_img - a test image and how it is checked
 * @snap: KA_IMG_SNAP_MAX bytes: the header area, then the payload
 * @spec: what ka_img_build() builds
 * @check_phys: the pool address the checks are given
 * @check_size: the pool size the checks are given
 * @fdt_shift: the payload starts this many bytes into the payload area
 */
struct ka_img {
	u8 *snap;
	struct ka_img_spec spec;
	u64 check_phys;
	u64 check_size;
	unsigned int fdt_shift;
};

/* Which check has to reject a case */
enum ka_img_where {
	KA_IMG_ACCEPT,		/* neither: the image is valid */
	KA_IMG_HDR,		/* keepalive_hdr_check() */
	KA_IMG_FDT,		/* keepalive_fdt_check() */
};

/**
 * struct ka_img_case - one image, valid or damaged in exactly one way
 * @name: the test's name
 * @make: builds the image into a reset struct ka_img; 0 or a libfdt error
 * @want: the errno the checks must return
 * @where: the check that returns it
 */
struct ka_img_case {
	const char *name;
	int (*make)(struct ka_img *img);
	int want;
	enum ka_img_where where;
};

/**
 * struct ka_img_check - a test of the image code with its own checks
 * @name: the test's name
 * @fn: true when it passed; runs on a reset struct ka_img
 */
struct ka_img_check {
	const char *name;
	bool (*fn)(struct ka_img *img);
};

extern const struct ka_img_spec ka_img_good;
extern const struct ka_img_case ka_img_cases[];
extern const unsigned int ka_img_nr_cases;
extern const struct ka_img_check ka_img_checks[];
extern const unsigned int ka_img_nr_checks;

static inline struct keepalive_hdr *ka_img_hdr(struct ka_img *img)
{
	return (struct keepalive_hdr *)img->snap;
}

/* Where the payload is: the header area's end, plus @fdt_shift */
static inline void *ka_img_fdt(struct ka_img *img)
{
	return img->snap + KEEPALIVE_HDR_AREA + img->fdt_shift;
}

void ka_img_reset(struct ka_img *img);
int ka_img_build(struct ka_img *img);
void ka_img_reseal_hdr(struct ka_img *img);
void ka_img_reseal_all(struct ka_img *img);
bool ka_img_case_passed(const struct ka_img_case *c, int ret,
			enum ka_img_where where, const char *msg);

#endif /* _KEEPALIVE_IMAGE_CASES_H */
