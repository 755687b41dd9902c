/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Kexec device keepalive: the handover core's kernel API, for
 * participants and users of the pool. The hooks the patched kernel calls
 * are in <linux/keepalive/boot.h> (x86 boot and kexec) and
 * <linux/keepalive/pci.h> (PCI and vfio-pci); the handover image's ABI is
 * in <linux/keepalive/abi/>.
 *
 * Participants (preserved memory files, the IOMMU, interrupt remapping,
 * kept devices) register a struct keepalive_participant and follow one
 * global state machine:
 *
 *   RUNNING -> PREPARE -> PRE-STOP -> STOP -> (kexec)
 *     -> RESUME -> POST-RESUME -> (conclude) -> RUNNING
 *
 * with ABORT from PREPARE, PRE-STOP and STOP back to RUNNING. Forward
 * callbacks run in ascending priority order (memory, IOMMU, IRQ, devices);
 * undo callbacks run in the reverse order. See
 * Documentation/keepalive/core.rst.
 *
 * Lock order (outermost first), asserted with lockdep where taken:
 *   keepalive_sm.lock (kho/core.c) -> a participant's own locks
 *     -> the pool's spinlock (kho/pool.c)
 */
#ifndef _LINUX_KEEPALIVE_H
#define _LINUX_KEEPALIVE_H

#include <linux/list.h>
#include <linux/types.h>
#include <uapi/linux/keepalive.h>

struct keepalive_participant;

/**
 * struct keepalive_ops - a participant's transition callbacks
 *
 * Every forward callback returns 0 or a negative errno; if it fails, the
 * participants that already completed this transition are undone (their
 * undo callback for it, in reverse order) and the state machine stays in
 * the state it was in. A forward callback that fails must itself leave
 * nothing behind. Undo callbacks cannot fail.
 *
 * All callbacks are Optional; a participant provides the ones its state
 * needs and, for each forward callback that changes something, its undo.
 * All are called with keepalive_sm.lock held, in process context, and
 * may sleep.
 *
 * @prepare: RUNNING -> PREPARE. Reserve or allocate what the handover will
 *	need (pool memory sized for the copies). Return: 0, -ENOMEM, -ENOSPC
 *	(pool exhausted), or the participant's own errno.
 * @unprepare: undo @prepare (on ABORT, or when a later participant's
 *	@prepare failed).
 * @pre_stop: PREPARE -> PRE-STOP. Copy or freeze what must survive.
 *	Return: 0 or a negative errno.
 * @unpre_stop: undo @pre_stop: thaw, drop the copies.
 * @stop: PRE-STOP -> STOP. Serialize into the outgoing handover image:
 *	@fdt is the image's flattened device tree, @node the offset of this
 *	participant's node, already carrying its KEEPALIVE_PROP_COMPATIBLE.
 *	Use libfdt to add properties and subnodes. Return: 0, -ENOSPC (image
 *	full: STOP fails and names this participant), or a negative errno.
 * @unstop: undo @stop (the node itself is discarded by the core).
 * @resume: next kernel: adopt what the previous kernel handed over. @fdt
 *	and @node locate this participant's node in the validated incoming
 *	image (its KEEPALIVE_PROP_COMPATIBLE was checked). Called once, after every
 *	participant named in &keepalive_participant.depends resumed, whatever
 *	the order they registered in (see "Resume order" in
 *	Documentation/keepalive/core.rst); not called when the image has no
 *	node for this participant. Validate everything; claim pool ranges
 *	with keepalive_pool_claim(). Return: 0, or a negative errno, which is
 *	logged: whatever the participant did not adopt starts cold, and the
 *	participants that depend on it fall back.
 * @fallback: next kernel, called instead of @resume when a dependency
 *	failed to resume, fell back itself, or never registered, and after
 *	@resume when @resume failed (or fault injection failed it before it
 *	ran): make safe what the previous kernel left running for this
 *	participant (reset kept devices before any driver sees them) without
 *	adopting anything. @dep names the dependency, or this participant
 *	when its own @resume failed, and @err is why. Without a @fallback,
 *	the participant's node is ignored. Return: 0, or a negative errno,
 *	which is logged.
 * @post_resume: RESUME -> POST-RESUME. Return: 0 or a negative errno.
 * @unpost_resume: undo @post_resume.
 * @conclude: POST-RESUME -> RUNNING: release everything nobody reclaimed
 *	(free pool ranges, reset unclaimed devices). Cannot fail.
 * @corrupt: a test hook, called only with CONFIG_KEEPALIVE_FAULT_INJECTION
 *	(the debugfs "corrupt" knob, in STOP): damage this participant's
 *	records in the sealed outgoing image the way the word @what names, so
 *	that a test sees the next kernel refuse them. @fdt is the image, @node
 *	this participant's node in it, or a negative libfdt error when it has
 *	none. The core reseals the image afterwards. Leave it NULL in a build
 *	without fault injection (IS_ENABLED() in the initializer). Return: 0
 *	when damaged; -EOPNOTSUPP when @what is not one of this participant's
 *	words; -ENOENT when there is nothing of that kind to damage.
 */
struct keepalive_ops {
	int (*prepare)(struct keepalive_participant *p);
	void (*unprepare)(struct keepalive_participant *p);
	int (*pre_stop)(struct keepalive_participant *p);
	void (*unpre_stop)(struct keepalive_participant *p);
	int (*stop)(struct keepalive_participant *p, void *fdt, int node);
	void (*unstop)(struct keepalive_participant *p);
	int (*resume)(struct keepalive_participant *p, const void *fdt,
		      int node);
	int (*fallback)(struct keepalive_participant *p, const void *fdt,
			int node, const char *dep, int err);
	int (*post_resume)(struct keepalive_participant *p);
	void (*unpost_resume)(struct keepalive_participant *p);
	void (*conclude)(struct keepalive_participant *p);
	int (*corrupt)(struct keepalive_participant *p, void *fdt, int node,
		       const char *what);
};

/**
 * enum keepalive_priority - order in which participants run
 * @KEEPALIVE_PRIO_MEMORY: preserved memory files
 * @KEEPALIVE_PRIO_IOMMU: DMA remapping
 * @KEEPALIVE_PRIO_IRQ: interrupt remapping
 * @KEEPALIVE_PRIO_DEVICE: kept devices
 */
enum keepalive_priority {
	KEEPALIVE_PRIO_MEMORY	= 100,
	KEEPALIVE_PRIO_IOMMU	= 200,
	KEEPALIVE_PRIO_IRQ	= 300,
	KEEPALIVE_PRIO_DEVICE	= 400,
};

/**
 * enum keepalive_resume - a participant's resume in the next kernel
 * @KEEPALIVE_RESUME_IDLE: no incoming handover (or it was concluded)
 * @KEEPALIVE_RESUME_WAITING: registered, waiting for a dependency
 * @KEEPALIVE_RESUME_DONE: its @resume succeeded, or the image had nothing
 *	for it
 * @KEEPALIVE_RESUME_FAILED: its @resume failed, or its node is of another
 *	version
 * @KEEPALIVE_RESUME_FELL_BACK: a dependency failed: @fallback ran instead
 *	of @resume
 */
enum keepalive_resume {
	KEEPALIVE_RESUME_IDLE,
	KEEPALIVE_RESUME_WAITING,
	KEEPALIVE_RESUME_DONE,
	KEEPALIVE_RESUME_FAILED,
	KEEPALIVE_RESUME_FELL_BACK,
};

/**
 * struct keepalive_participant - a registered participant
 * @name: node name in the handover image and name reported on failure;
 *	unique, at most 31 characters of [a-z0-9-]
 * @compatible: versioned value of its node's KEEPALIVE_PROP_COMPATIBLE,
 *	e.g. KEEPALIVE_MEMFD_COMPATIBLE; a next kernel only hands a node to a
 *	participant whose @compatible matches exactly
 * @priority: an enum keepalive_priority; ties run in registration order,
 *	but a dependency before what depends on it
 * @depends: NULL-terminated names of the participants whose incoming
 *	state this one relies on (a kept device relies on the memory it
 *	DMAs into), or NULL. In the next kernel @resume runs only after each
 *	of them resumed; if one failed, @fallback runs instead. A dependency
 *	whose node is absent from the image has nothing to lose and counts
 *	as resumed. None of them may have a higher @priority: forward
 *	callbacks run a dependency first (keepalive_register() refuses).
 * @ops: callbacks
 * @list: private to the core
 * @resume: private to the core: where its resume is
 * @resume_err: private to the core: why it failed, for its dependents
 */
struct keepalive_participant {
	const char *name;
	const char *compatible;
	unsigned int priority;
	const char * const *depends;
	const struct keepalive_ops *ops;
	struct list_head list;
	enum keepalive_resume resume;
	int resume_err;
};

#if IS_ENABLED(CONFIG_KEEPALIVE)

int keepalive_register(struct keepalive_participant *p);
void keepalive_unregister(struct keepalive_participant *p);
enum keepalive_state keepalive_get_state(void);
bool keepalive_state_before(enum keepalive_state step);
bool keepalive_pool_ready(void);
bool keepalive_kexec_handover(void);
int keepalive_freeze_check(const char *what);
void keepalive_abort_async(const char *why);
void keepalive_resume_now(struct keepalive_participant *p);

int keepalive_incoming_node(const char *name, const char *compatible,
			    const void **fdt);
int keepalive_incoming_record(const char *owner, const char *compatible,
			      const void **fdt);
const void *keepalive_fdt_prop(const void *fdt, int node, const char *name,
			       int len);
int keepalive_fdt_u32(const void *fdt, int node, const char *name, u32 *v);
int keepalive_fdt_u64(const void *fdt, int node, const char *name, u64 *v);
int keepalive_fdt_pci_place(const void *fdt, int node, u32 *segment,
			    u32 *bus, u32 *devfn);
int keepalive_fdt_first_pci(const void *fdt, int node);
int keepalive_fdt_add_pci_node(void *fdt, int parent, u32 segment, u32 bus,
			       u32 devfn);
int keepalive_incoming_pci_record(const char *owner, const char *compatible,
				  u32 segment, u32 bus, u32 devfn,
				  const void **fdt);

void *keepalive_pool_alloc(size_t size, phys_addr_t *phys);
void *keepalive_pool_alloc_aligned(size_t size, size_t align,
				   phys_addr_t *phys);
void *keepalive_pool_alloc_snug(size_t size, size_t align, phys_addr_t *phys);
void keepalive_pool_free(void *addr, size_t size);
void *keepalive_pool_claim(phys_addr_t phys, size_t size);
bool keepalive_pool_contains(phys_addr_t phys, u64 size);
bool keepalive_memfd_backs(phys_addr_t phys, u64 len);
struct keepalive_memfd;
struct keepalive_memfd *keepalive_memfd_hold(phys_addr_t phys, u64 len);
void keepalive_memfd_unhold(struct keepalive_memfd *mf);

#endif /* CONFIG_KEEPALIVE */

#if IS_ENABLED(CONFIG_KEEPALIVE_FAULT_INJECTION)
bool keepalive_should_fail(void);
#else
static inline bool keepalive_should_fail(void)
{
	return false;
}
#endif

#endif /* _LINUX_KEEPALIVE_H */
