// SPDX-License-Identifier: GPL-2.0-only
/*
 * Kexec device keepalive: the boot note and the command line of the kernel
 * being loaded.
 *
 * Kept devices go on writing into the pool through the kexec, translated
 * by the IOMMU and with their interrupts remapped. Only a kernel that
 * finds the pool (SETUP_KEEPALIVE), reads the handover and each of its
 * participant nodes, and leaves DMA and interrupt remapping on, keeps them
 * confined; any other reuses that memory under them or lets their DMA
 * through untranslated. So a kexec carries a handover only into a kernel
 * image whose boot note (include/linux/keepalive/abi/core.h) declares the
 * handover versions this kernel writes and every participant whose node
 * the handover carries, and whose command line keeps the IOMMU on:
 *
 * - kexec_file_load() hands every bzImage it loads, with its command line,
 *   to keepalive_kexec_image_check() (from bzImage64_load()), which reads the note in
 *   the image's uncompressed setup code and the command line and
 *   remembers the answer for that kimage. While a handover is sealed
 *   (STOP), an image that cannot receive it is refused.
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
#include <linux/libfdt.h>
#include <linux/moduleparam.h>
#include <linux/mutex.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <asm/unaligned.h>

#include "kho.h"

/* Offset of setup_sects in a bzImage (struct setup_header). */
#define BZ_SETUP_SECTS		0x1f1
/* setup_sects 0 means 4, for old boot loaders. */
#define BZ_SETUP_SECTS_DFLT	4

/* Room for a word of the command line in a log line. */
#define CMDLINE_WORD_LEN	64

/*
 * The last image kexec_file_load() loaded, under note_lock: whether its
 * note names this kernel's handover, and why not; its note; whether its
 * command line keeps the IOMMU on, and the word that does not.
 */
static DEFINE_MUTEX(note_lock);
static const struct kimage *note_image;
static int note_err;
static char note_why[80];
static struct keepalive_boot_note note_copy;
static int cmdline_err;
static char cmdline_word[CMDLINE_WORD_LEN];

/**
 * keepalive_boot_note_check() - can a kernel image receive our handover?
 * @kernel: a bzImage
 * @len: its size in bytes
 * @note: out: a copy of its note when it matches, or NULL
 * @why: out: why not (log text), or NULL
 *
 * Looks for struct keepalive_boot_note in the image's setup code (the
 * first (setup_sects + 1) * 512 bytes, uncompressed) and compares it with
 * what this kernel writes. Which participants it reads is for
 * keepalive_boot_note_reads() and keepalive_boot_note_covers().
 *
 * Context: Any context.
 * Return: 0 when it matches; -ENOEXEC when there is no note (a kernel
 * built without keepalive, or not a bzImage); -EPROTO when the note is of
 * another layout (another KEEPALIVE_BOOT_NOTE_MAGIC digit) or names
 * another handover version.
 */
int keepalive_boot_note_check(const void *kernel, unsigned long len,
			      struct keepalive_boot_note *note,
			      const char **why)
{
	const struct keepalive_boot_note *n = NULL;
	char compat[KEEPALIVE_BOOT_NOTE_COMPAT_LEN + 1];
	const size_t plen = strlen(KEEPALIVE_BOOT_NOTE_PREFIX);
	bool other = false;
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
	for (i = 0; i + KEEPALIVE_BOOT_NOTE_MAGIC_LEN <= setup; i++) {
		if (memcmp(p + i, KEEPALIVE_BOOT_NOTE_PREFIX, plen))
			continue;
		if (memcmp(p + i, KEEPALIVE_BOOT_NOTE_MAGIC,
			   KEEPALIVE_BOOT_NOTE_MAGIC_LEN)) {
			other = true;
			continue;
		}
		if (i + sizeof(*n) <= setup) {
			n = (const void *)(p + i);
			break;
		}
	}
	if (!n && other) {
		*why = "its keepalive boot note is of another layout";
		return -EPROTO;
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
	if (note)
		memcpy(note, n, sizeof(*note));
	return 0;
}

/**
 * keepalive_boot_note_reads() - does a kernel read a participant's node?
 * @note: its boot note, as keepalive_boot_note_check() accepted it
 * @compatible: the participant's compatible ("keepalive,vfio-pci-v2")
 *
 * Context: Any context.
 * Return: true when @compatible is one of @note's participants, exactly
 * (an empty @compatible never is).
 */
bool keepalive_boot_note_reads(const struct keepalive_boot_note *note,
			       const char *compatible)
{
	size_t len = strnlen(compatible, KEEPALIVE_BOOT_NOTE_COMPAT_LEN + 1);
	unsigned int i;

	if (!len || len > KEEPALIVE_BOOT_NOTE_COMPAT_LEN)
		return false;
	for (i = 0; i < KEEPALIVE_BOOT_NOTE_PARTICIPANTS; i++) {
		const char *slot = note->participants[i];

		if (!memcmp(slot, compatible, len) &&
		    (len == KEEPALIVE_BOOT_NOTE_COMPAT_LEN || !slot[len]))
			return true;
	}
	return false;
}

/**
 * keepalive_boot_note_covers() - does a kernel read every node of an image?
 * @note: its boot note, as keepalive_boot_note_check() accepted it
 * @fdt: a handover image's FDT: one node per participant under the root,
 *	each with its compatible
 * @missing: out: the first participant compatible @note lacks
 *
 * Context: Any context; @fdt must not change meanwhile.
 * Return: 0 when @note lists the compatible of every participant node of
 * @fdt, or when @fdt is no FDT at all (the next kernel refuses it whole);
 * -EPROTO otherwise, with *@missing pointing into @fdt, or at
 * "(no compatible)" for a node without a readable one.
 */
int keepalive_boot_note_covers(const struct keepalive_boot_note *note,
			       const void *fdt, const char **missing)
{
	const char *compat;
	int node, len;

	/*
	 * No FDT any more (a stray write after STOP): the next kernel refuses
	 * the image whole and stops its devices by the kept-device list.
	 */
	if (fdt_check_header(fdt))
		return 0;
	fdt_for_each_subnode(node, fdt, 0) {
		compat = fdt_getprop(fdt, node, KEEPALIVE_PROP_COMPATIBLE, &len);
		if (!compat || len < 1 || strnlen(compat, len) != len - 1) {
			*missing = "(no compatible)";
			return -EPROTO;
		}
		if (!keepalive_boot_note_reads(note, compat)) {
			*missing = compat;
			return -EPROTO;
		}
	}
	return 0;
}

/*
 * The command line. The next kernel reads it with next_arg(), as here:
 * words split at spaces outside double quotes, quotes taken off, "--"
 * ends the kernel's parameters (the rest goes to init), '-' and '_' equal
 * in a name. Each word that turns a remapping off is handled in order, so
 * the last of "on" and "off" wins where the kernel's handler lets it.
 */

/* Does @word (of a comma list) start with @what? The handlers use strncmp. */
static bool word_is(const char *word, const char *what)
{
	return !strncmp(word, what, strlen(what));
}

static const char *next_word(const char *word)
{
	word += strcspn(word, ",");
	while (*word == ',')
		word++;
	return word;
}

/* intel_iommu= and intremap=: 1 when the last of on/off is off, 0 when on, -1 neither. */
static int last_on_off(const char *val)
{
	int off = -1;

	for (; *val; val = next_word(val)) {
		if (word_is(val, "on"))
			off = 0;
		else if (word_is(val, "off"))
			off = 1;
	}
	return off;
}

/*
 * iommu= (arch/x86/kernel/pci-dma.c) and amd_iommu=: "off" sticks; iommu=
 * stops reading its list at "usedac" (@stop), amd_iommu= nowhere (NULL).
 */
static bool off_sticks(const char *val, const char *stop)
{
	for (; *val; val = next_word(val)) {
		if (word_is(val, "off"))
			return true;
		if (stop && word_is(val, stop))
			break;
	}
	return false;
}

/* What turned each remapping off, last: a word of the command line. */
struct cmdline_off {
	const char *param;
	const char *val;
};

static void turned(struct cmdline_off *off, int how, const char *param,
		   const char *val)
{
	if (how > 0) {
		off->param = param;
		off->val = val;
	} else if (!how) {
		off->param = NULL;
	}
}

/**
 * keepalive_cmdline_check() - does a command line leave the IOMMU on?
 * @cmdline: a kernel command line, or NULL
 * @len: its size in bytes; a NUL before the end ends it
 * @word: out: the word that turns a remapping off, NUL-terminated
 *	(truncated to @size), or "" when none does
 * @size: the size of @word, at least 1
 *
 * Reads @cmdline as the kernel booted with it would, and tells whether it
 * turns DMA remapping off (intel_iommu=off, iommu=off, amd_iommu=off) or
 * interrupt remapping off (intremap=off, nointremap). intel_iommu= and
 * intremap= take a comma list where the last "on" or "off" wins, also over
 * an earlier word of the same name; "off" in iommu= or amd_iommu= sticks.
 * Words after "--" go to init and are not looked at. iommu=pt and the
 * like keep translation available, and pass. It does not know the next
 * kernel's built-in defaults (CONFIG_INTEL_IOMMU_DEFAULT_ON,
 * CONFIG_CMDLINE): with none of these words, it passes.
 *
 * Context: Process context; allocates with GFP_KERNEL.
 * Return: 0 when it leaves both on; -EPERM when it turns one off, naming
 * the word in @word; -ENOMEM.
 */
int keepalive_cmdline_check(const char *cmdline, size_t len, char *word,
			    size_t size)
{
	struct cmdline_off dmar = {}, iommu = {}, irq = {}, amd = {};
	const struct cmdline_off *off;
	char *buf, *args, *param, *val;

	word[0] = '\0';
	if (!cmdline || !len)
		return 0;
	buf = kmemdup_nul(cmdline, len, GFP_KERNEL);
	if (!buf)
		return -ENOMEM;
	args = skip_spaces(buf);
	while (*args) {
		args = next_arg(args, &param, &val);
		if (!val && !strcmp(param, "--"))
			break;
		if (parameq(param, "nointremap"))
			turned(&irq, 1, param, val);
		if (!val)
			continue;
		if (parameq(param, "intel_iommu"))
			turned(&dmar, last_on_off(val), param, val);
		else if (parameq(param, "intremap"))
			turned(&irq, last_on_off(val), param, val);
		else if (parameq(param, "iommu") && off_sticks(val, "usedac"))
			turned(&iommu, 1, param, val);
		else if (parameq(param, "amd_iommu") && off_sticks(val, NULL))
			turned(&amd, 1, param, val);
	}
	off = iommu.param ? &iommu : dmar.param ? &dmar :
	      irq.param ? &irq : amd.param ? &amd : NULL;
	if (off)
		snprintf(word, size, "%s%s%s", off->param, off->val ? "=" : "",
			 off->val ?: "");
	kfree(buf);
	return off ? -EPERM : 0;
}

/*
 * Can @image receive this kernel's handover? Its note names this
 * handover, lists every participant of @sm (at STOP, before any node is
 * written) or every participant node of @fdt (a sealed image), and its
 * command line keeps the IOMMU on.
 * Return: 0; or -ENOEXEC, -EPROTO or -EPERM, with the reason in @why.
 */
static int image_readable(const struct kimage *image,
			  const struct keepalive_sm *sm, const void *fdt,
			  char *why, size_t size)
{
	const struct keepalive_participant *p;
	const char *missing = NULL;
	int ret;

	mutex_lock(&note_lock);
	if (image != note_image) {
		strscpy(why, "it was not loaded with kexec_file_load()", size);
		ret = -ENOEXEC;
		goto out;
	}
	ret = note_err;
	if (ret) {
		strscpy(why, note_why, size);
		goto out;
	}
	if (fdt) {
		ret = keepalive_boot_note_covers(&note_copy, fdt, &missing);
	} else if (sm) {
		list_for_each_entry(p, &sm->participants, list) {
			if (!keepalive_boot_note_reads(&note_copy,
						       p->compatible)) {
				missing = p->compatible;
				ret = -EPROTO;
				break;
			}
		}
	}
	if (ret) {
		snprintf(why, size,
			 "its keepalive boot note lacks participant %s (built without it?)",
			 missing);
		goto out;
	}
	ret = cmdline_err;
	if (ret)
		snprintf(why, size,
			 "its command line turns the IOMMU or interrupt remapping off: %s",
			 cmdline_word);
out:
	mutex_unlock(&note_lock);
	return ret;
}

/**
 * keepalive_kexec_image_check() - kexec_file_load() loads a bzImage
 * @image: the kimage being loaded
 * @kernel: its kernel image
 * @len: the kernel image's size in bytes
 * @cmdline: the command line it is loaded with, or NULL
 * @cmdline_len: its size in bytes, with its NUL
 *
 * Reads the image's boot note (keepalive_boot_note_check()) and command
 * line (keepalive_cmdline_check()) and remembers for @image whether it
 * can receive this kernel's handover. A crash kernel (kexec_file_load -p)
 * is not looked at. While a handover is sealed (STOP), an image that
 * cannot receive it is refused, with a log line saying why: it has no
 * note or one of another version, its note lacks a participant whose node
 * the sealed image carries, or its command line turns the IOMMU or
 * interrupt remapping off.
 *
 * Context: Process context, kexec_file_load() (kexec lock held); takes
 * keepalive_sm.lock, then note_lock.
 * Return: 0; -ENOEXEC or -EPROTO (as keepalive_boot_note_check(), and
 * -EPROTO for a missing participant) or -EPERM (the command line) for an
 * image that cannot receive the sealed handover; -ENOMEM.
 */
int keepalive_kexec_image_check(const struct kimage *image, const void *kernel,
				unsigned long len, const char *cmdline,
				unsigned long cmdline_len)
{
	struct keepalive_boot_note note = {};
	char word[CMDLINE_WORD_LEN];
	const char *nwhy = "";
	int nret, cret, ret;
	phys_addr_t phys;
	char why[160];
	bool sealed;

	/* A crash kernel never receives a handover (a kdump kernel refuses). */
	if (!keepalive_pool_ready() || image->type == KEXEC_TYPE_CRASH)
		return 0;
	nret = keepalive_boot_note_check(kernel, len, &note, &nwhy);
	cret = keepalive_cmdline_check(cmdline, cmdline_len, word, sizeof(word));
	if (cret == -ENOMEM)
		return cret;
	mutex_lock(&note_lock);
	note_image = image;
	note_err = nret;
	strscpy(note_why, nwhy, sizeof(note_why));
	note_copy = note;
	cmdline_err = cret;
	strscpy(cmdline_word, word, sizeof(cmdline_word));
	mutex_unlock(&note_lock);

	/*
	 * Sealed: every participant node of the outgoing image. Otherwise
	 * the participants registered now, for the warning.
	 */
	mutex_lock(&keepalive_sm.lock);
	sealed = keepalive_sm.state == KEEPALIVE_STATE_STOP;
	ret = image_readable(image, sealed ? NULL : &keepalive_sm,
			     sealed ? keepalive_outgoing(&phys) : NULL,
			     why, sizeof(why));
	mutex_unlock(&keepalive_sm.lock);
	if (!ret)
		return 0;
	if (sealed) {
		pr_err("kexec: loading refused: a handover is sealed, and the kernel being loaded cannot receive it: %s (%d)\n",
		       why, ret);
		return ret;
	}
	pr_warn("kexec: the kernel being loaded cannot receive a handover: %s; STOP is refused until another is loaded\n",
		why);
	return 0;
}

/**
 * keepalive_kexec_image_readable() - can the loaded kernel receive it?
 * @sm: at STOP, before any node is written: the state machine whose
 *	participants will each write one (its lock held); or NULL
 * @fdt: a sealed image's FDT, whose participant nodes it must read; or
 *	NULL (with @sm NULL too, participants are not looked at)
 * @why: out: why not (log text)
 * @size: the size of @why
 *
 * Asked by STOP before it starts a handover, and by the kexec's reboot
 * notifier before it carries one.
 *
 * Context: Process context (also the reboot notifier of a kexec, with the
 * kexec lock held); takes note_lock.
 * Return: 0 when no kernel is loaded for kexec yet, or the one loaded can
 * receive the handover; otherwise -ENOEXEC or -EPROTO (its note, or a
 * participant its note lacks) or -EPERM (its command line), with @why.
 */
int keepalive_kexec_image_readable(const struct keepalive_sm *sm,
				   const void *fdt, char *why, size_t size)
{
	const struct kimage *image = READ_ONCE(kexec_image);

	if (!image)
		return 0;
	return image_readable(image, sm, fdt, why, size);
}
