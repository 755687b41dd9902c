// SPDX-License-Identifier: GPL-2.0-only
/*
 * Kexec device keepalive: the boot note of the kernel being loaded.
 *
 * Kept devices go on writing into the pool through the kexec. Only a
 * kernel that finds the pool (SETUP_KEEPALIVE) and reads the handover
 * reserves that memory; any other kernel reuses it under them. So a kexec
 * carries a handover only into a kernel image that declares, in its boot
 * note (include/linux/keepalive/abi/core.h), the handover versions this
 * kernel writes:
 *
 * - kexec_file_load() hands every bzImage it loads to
 *   keepalive_kexec_image_check() (patch 0014), which reads the note in the
 *   image's uncompressed setup code and remembers the answer for that
 *   kimage. While a handover is sealed (STOP), an image that cannot
 *   receive it is refused.
 * - STOP is refused while such an image is loaded (keepalive_kexec_image_
 *   readable()).
 * - At the kexec, the reboot notifier carries the handover only when the
 *   image being kexec'd is the one checked, and it passed; otherwise the
 *   kexec carries nothing, and every kept device loses bus mastering at
 *   shutdown like any other device.
 */
#define pr_fmt(fmt) "keepalive: " fmt

#include <linux/kexec.h>
#include <linux/keepalive.h>
#include <linux/keepalive/boot.h>
#include <linux/mutex.h>
#include <linux/string.h>
#include <asm/unaligned.h>

#include "kho.h"

/* Offset of setup_sects in a bzImage (struct setup_header). */
#define BZ_SETUP_SECTS		0x1f1
/* setup_sects 0 means 4, for old boot loaders. */
#define BZ_SETUP_SECTS_DFLT	4

/*
 * The last image kexec_file_load() loaded: whether it can receive this
 * kernel's handover, and why not.
 */
static DEFINE_MUTEX(note_lock);
static const struct kimage *note_image;
static int note_err;
static char note_why[80];

/**
 * keepalive_boot_note_check() - can a kernel image receive our handover?
 * @kernel: a bzImage
 * @len: its size in bytes
 * @why: out: why not (log text), or NULL
 *
 * Looks for struct keepalive_boot_note in the image's setup code (the
 * first (setup_sects + 1) * 512 bytes, uncompressed) and compares it with
 * what this kernel writes.
 *
 * Context: Any context.
 * Return: 0 when it matches; -ENOEXEC when there is no note (a kernel
 * built without keepalive, a note of another layout, or not a bzImage);
 * -EPROTO when the note names another handover version.
 */
int keepalive_boot_note_check(const void *kernel, unsigned long len,
			      const char **why)
{
	const struct keepalive_boot_note *n = NULL;
	char compat[KEEPALIVE_BOOT_NOTE_COMPAT_LEN + 1];
	const u8 *p = kernel;
	unsigned long setup, i;
	const char *dummy;

	if (!why)
		why = &dummy;
	if (len <= BZ_SETUP_SECTS) {
		*why = "not a bzImage";
		return -ENOEXEC;
	}
	setup = p[BZ_SETUP_SECTS] ?: BZ_SETUP_SECTS_DFLT;
	setup = (setup + 1) * 512;
	if (setup > len) {
		*why = "its setup code is truncated";
		return -ENOEXEC;
	}
	for (i = 0; i + sizeof(*n) <= setup; i++) {
		if (!memcmp(p + i, KEEPALIVE_BOOT_NOTE_MAGIC,
			    KEEPALIVE_BOOT_NOTE_MAGIC_LEN)) {
			n = (const void *)(p + i);
			break;
		}
	}
	if (!n) {
		*why = "it has no keepalive boot note (built without keepalive?)";
		return -ENOEXEC;
	}
	memcpy(compat, n->fdt_compatible, sizeof(n->fdt_compatible));
	compat[sizeof(n->fdt_compatible)] = '\0';
	if (get_unaligned_le32(&n->abi_major) != KEEPALIVE_ABI_MAJOR) {
		*why = "its keepalive boot note names another handover ABI major";
		return -EPROTO;
	}
	if (get_unaligned_le32(&n->setup_data_version) !=
	    KEEPALIVE_SETUP_DATA_VERSION) {
		*why = "its keepalive boot note names another setup_data version";
		return -EPROTO;
	}
	if (strcmp(compat, KEEPALIVE_FDT_COMPATIBLE)) {
		*why = "its keepalive boot note names another handover format";
		return -EPROTO;
	}
	return 0;
}

/**
 * keepalive_kexec_image_check() - kexec_file_load() loads a bzImage
 * @image: the kimage being loaded
 * @kernel: its kernel image
 * @len: the kernel image's size in bytes
 *
 * Reads the image's boot note (keepalive_boot_note_check()) and remembers
 * for @image whether it can receive this kernel's handover. A crash kernel
 * (kexec_file_load -p) is not looked at. While a
 * handover is sealed (STOP), an image that cannot is refused, with a log
 * line saying why.
 *
 * Context: Process context, kexec_file_load() (kexec_mutex held); takes
 * note_lock.
 * Return: 0, or -ENOEXEC or -EPROTO (as keepalive_boot_note_check()) for
 * an image that cannot receive the sealed handover.
 */
int keepalive_kexec_image_check(const struct kimage *image, const void *kernel,
				unsigned long len)
{
	const char *why = "";
	int ret;

	/* A crash kernel never receives a handover (a kdump kernel refuses). */
	if (!keepalive_pool_ready() || image->type == KEXEC_TYPE_CRASH)
		return 0;
	ret = keepalive_boot_note_check(kernel, len, &why);
	mutex_lock(&note_lock);
	note_image = image;
	note_err = ret;
	strscpy(note_why, why, sizeof(note_why));
	mutex_unlock(&note_lock);
	if (!ret)
		return 0;
	if (keepalive_get_state() == KEEPALIVE_STATE_STOP) {
		pr_err("kexec: loading refused: a handover is sealed, and the kernel being loaded cannot receive it: %s (%d)\n",
		       why, ret);
		return ret;
	}
	pr_warn("kexec: the kernel being loaded cannot receive a handover: %s; STOP is refused until another is loaded\n",
		why);
	return 0;
}

/*
 * Can @image receive this kernel's handover? NULL is the image loaded now.
 * Return: 0; or the errno of its check, with *@why; -ENOEXEC for an image
 * that was not checked (loaded with kexec_load()).
 */
static int image_readable(const struct kimage *image, const char **why)
{
	int ret;

	mutex_lock(&note_lock);
	if (image != note_image) {
		*why = "it was not loaded with kexec_file_load()";
		ret = -ENOEXEC;
	} else {
		*why = note_why;
		ret = note_err;
	}
	mutex_unlock(&note_lock);
	return ret;
}

/**
 * keepalive_kexec_image_readable() - can the loaded kernel receive it?
 * @why: out: why not
 *
 * Asked by STOP before it seals a handover, and by the kexec's reboot
 * notifier before it carries one.
 *
 * Context: Process context (also the reboot notifier of a kexec, with
 * kexec_mutex held); takes note_lock.
 * Return: 0 when no kernel is loaded for kexec yet, or the one loaded can
 * receive the handover; otherwise -ENOEXEC or -EPROTO, with *@why.
 */
int keepalive_kexec_image_readable(const char **why)
{
	const struct kimage *image = READ_ONCE(kexec_image);

	if (!image)
		return 0;
	return image_readable(image, why);
}
