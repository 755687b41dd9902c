/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Kexec device keepalive: private header of the handover core.
 */
#ifndef _KEEPALIVE_KHO_H
#define _KEEPALIVE_KHO_H

#include <linux/keepalive.h>
#include <linux/keepalive/abi/core.h>
#include <linux/mutex.h>
#include <linux/sizes.h>

struct dentry;

/**
 * struct keepalive_result - outcome of a transition request
 * @state: state after the request, whether it succeeded or not
 * @error: 0, or the negative errno of the failure
 * @participant: name of the participant that failed, or "" when the core
 *	itself refused or failed
 */
struct keepalive_result {
	enum keepalive_state state;
	int error;
	char participant[32];
};

struct keepalive_sm;

/**
 * struct keepalive_image_ops - how a state machine builds its outgoing image
 * @begin: at PRE-STOP -> STOP, before any participant's @stop: provide an
 *	empty FDT (root node only) of the outgoing image in @fdt. Return: 0 or
 *	a negative errno (-ENOMEM, -ENOSPC).
 * @seal: after every participant's @stop succeeded: finish the image (pack
 *	the FDT, write the header). Return: 0 or a negative errno.
 * @discard: forget the outgoing image (after @begin succeeded): on a
 *	failure during STOP, or on ABORT from STOP.
 * @conclude: at CONCLUDE, after the participants: release the incoming
 *	image.
 *
 * The global state machine uses the pool (handover.c); KUnit uses a buffer.
 */
struct keepalive_image_ops {
	int (*begin)(struct keepalive_sm *sm, void **fdt);
	int (*seal)(struct keepalive_sm *sm, void *fdt);
	void (*discard)(struct keepalive_sm *sm);
	void (*conclude)(struct keepalive_sm *sm);
};

/**
 * struct keepalive_sm - a handover state machine
 * @lock: serialises transitions, registration and kexec
 * @state: current state
 * @participants: registered participants, in priority order (a
 *	dependency before its dependents of the same priority)
 * @image: image callbacks
 * @incoming: validated incoming FDT while in RESUME or POST-RESUME, or NULL
 * @should_fail: fault injection, consulted before every forward callback
 *	(true makes that participant fail with -EIO) and before starting the
 *	outgoing image (true makes it fail with -ENOMEM), or NULL
 * @log: print a log line for refused and failed transitions
 * @frozen: from the start of PRE-STOP until ABORT (or for good once a
 *	kexec starts): see keepalive_sm_frozen()
 * @settled: boot is over; a dependency that has not registered never will
 *
 * The core keeps one global instance (core.c); KUnit makes its own with
 * fake participants.
 */
struct keepalive_sm {
	struct mutex lock;	/* see above; outermost of the core's locks */
	enum keepalive_state state;
	struct list_head participants;
	const struct keepalive_image_ops *image;
	const void *incoming;
	bool (*should_fail)(void);
	bool log;
	bool frozen;
	bool settled;
};

void keepalive_sm_init(struct keepalive_sm *sm,
		       const struct keepalive_image_ops *image,
		       bool (*should_fail)(void));
int keepalive_sm_add(struct keepalive_sm *sm, struct keepalive_participant *p);
void keepalive_sm_del(struct keepalive_sm *sm, struct keepalive_participant *p);
int keepalive_sm_event(struct keepalive_sm *sm, enum keepalive_event ev,
		       struct keepalive_result *res);
void keepalive_sm_resume(struct keepalive_sm *sm, const void *fdt);
void keepalive_sm_settle(struct keepalive_sm *sm);
void keepalive_sm_resume_now(struct keepalive_sm *sm,
			     struct keepalive_participant *p);
int keepalive_sm_record(struct keepalive_sm *sm, const char *owner,
			const char *compatible, const void **fdt);
int keepalive_sm_pci_record(struct keepalive_sm *sm, const char *owner,
			    const char *compatible, u32 segment, u32 bus,
			    u32 devfn, const void **fdt);
int keepalive_sm_frozen(struct keepalive_sm *sm, const char *what);
struct keepalive_participant *keepalive_sm_find(struct keepalive_sm *sm,
						const char *name);
void keepalive_sm_resume_pending(struct keepalive_sm *sm);
enum keepalive_state keepalive_sm_kexec(struct keepalive_sm *sm);

const char *keepalive_state_name(enum keepalive_state state);
int keepalive_event_parse(const char *buf, enum keepalive_event *ev);

/* core.c: the global state machine */
extern struct keepalive_sm keepalive_sm;

int keepalive_transition(enum keepalive_event ev, struct keepalive_result *res);

/* handover.c: the outgoing image and the kexec */
extern const struct keepalive_image_ops keepalive_pool_image_ops;
void keepalive_handover_init(void);
struct keepalive_hdr *keepalive_pool_hdr(void);
void *keepalive_outgoing(phys_addr_t *phys);

/* bootnote.c: the boot note and command line of the kernel loaded for kexec */
int keepalive_boot_note_check(const void *kernel, unsigned long len,
			      struct keepalive_boot_note *note,
			      const char **why);
bool keepalive_boot_note_reads(const struct keepalive_boot_note *note,
			       const char *compatible);
int keepalive_boot_note_covers(const struct keepalive_boot_note *note,
			       const void *fdt, const char **missing);
int keepalive_cmdline_check(const char *cmdline, size_t len, char *word,
			    size_t size);
int keepalive_kexec_image_readable(const struct keepalive_sm *sm,
				   const void *fdt, char *why, size_t size);

/* receive.c: the incoming image */
void keepalive_handover_receive(void);
int keepalive_incoming_take(phys_addr_t phys, u64 size);
void keepalive_incoming_conclude(void);
void *keepalive_incoming_snapshot(size_t *size);
void keepalive_incoming_timings(u64 *validate_ns, u64 *accepted_at_ns,
				u64 *fdt_bytes);
const char *keepalive_handover_status(void);
u64 keepalive_handover_generation(void);
bool keepalive_handover_accepted(void);

/* devlist.c: the kept-device list */
int keepalive_devlist_build(const void *fdt, struct keepalive_devlist *dl);
int keepalive_devlist_check(const struct keepalive_devlist *dl, char *msg,
			    size_t msg_len);
int keepalive_devlist_seal(const void *fdt);
void keepalive_devlist_wipe(void);
void keepalive_devlist_receive(phys_addr_t pool_phys);

/**
 * struct keepalive_pool_place - where the pool is (boot.c)
 * @phys: physical address, 0 when there is no pool
 * @size: bytes
 * @inherited: taken over from the previous kernel
 * @reserve_cycles: TSC cycles keepalive_reserve_pool() took
 *
 * Set once in setup_arch(), read-only after boot.
 */
struct keepalive_pool_place {
	phys_addr_t phys;
	u64 size;
	bool inherited;
	u64 reserve_cycles;
};

/*
 * The pool starts and ends on 2 MiB boundaries: its struct pages are added
 * by memory hotplug's subsections (pool.c), and files of 2 MiB or more sit
 * on 2 MiB boundaries inside it (memfd/registry.c).
 */
#define KEEPALIVE_POOL_ALIGN	SZ_2M
/*
 * Its pages are folios of this size (pool.c), which a file of 2 MiB or
 * more maps with PMD entries (memfd/file.c). The pool's alignment is a
 * multiple of it.
 */
#define KEEPALIVE_POOL_FOLIO_SHIFT	PMD_SHIFT

extern struct keepalive_pool_place keepalive_pool_place;
u64 keepalive_pool_reserve_ns(void);

/* pool.c: the pool's allocator */
struct keepalive_pool_usage {
	u64 size;
	u64 used;
	unsigned long objects;
};

int keepalive_pool_init(void);
bool keepalive_pool_inherited(void);
phys_addr_t keepalive_pool_phys(void);
u64 keepalive_pool_size(void);
void *keepalive_pool_va(phys_addr_t phys);
struct page *keepalive_pool_page(phys_addr_t phys);
unsigned long keepalive_pool_pinned(phys_addr_t phys, u64 size);
bool keepalive_pool_unused(phys_addr_t phys, u64 size);
int keepalive_pool_hold(phys_addr_t phys, u64 size);
void keepalive_pool_usage(struct keepalive_pool_usage *u);

/* memfd/: preserved memory files, the core's own participant */
int keepalive_memfd_init(void);
int keepalive_memfd_create(const struct keepalive_memfd_create *arg);
int keepalive_memfd_retrieve(const struct keepalive_memfd_retrieve *arg);
int keepalive_memfd_destroy(const struct keepalive_memfd_retrieve *arg);
unsigned int keepalive_memfd_count(void);
int keepalive_memfd_list(struct keepalive_memfd_info __user *entries, u32 nr);

/* debugfs.c, and with fault injection fault.c and corrupt.c */
extern struct dentry *keepalive_debugfs;
void keepalive_debugfs_init(void);
void *keepalive_image_snapshot(const struct keepalive_hdr *hdr,
			       const void *fdt, size_t *size);

#if IS_ENABLED(CONFIG_KEEPALIVE_FAULT_INJECTION)
void keepalive_fault_init(void);
void keepalive_corrupt_init(void);
#else
static inline void keepalive_fault_init(void)
{
}
#endif

#endif /* _KEEPALIVE_KHO_H */
