/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
/*
 * Kexec device keepalive: userspace API of /dev/keepalive.
 *
 * Every ioctl number encodes the size of its argument struct (_IOW(),
 * _IOWR()): userspace passes sizeof() of the struct it was built with.
 * The kernel accepts any size from the struct's first version
 * (KEEPALIVE_*_SIZE_VER0) up: fields beyond a smaller (older) struct read
 * as zero, and a larger (newer) one is accepted as long as every byte the
 * kernel does not know is zero; otherwise the ioctl fails with E2BIG
 * (copy_struct_from_user() semantics). A size below the first version
 * fails with EINVAL, unknown flags and non-zero reserved fields with
 * EINVAL, and an unknown command with ENOTTY. Structs only ever grow at
 * their end, and have the same layout for 32-bit processes.
 */
#ifndef _UAPI_LINUX_KEEPALIVE_H
#define _UAPI_LINUX_KEEPALIVE_H

#include <linux/ioctl.h>
#include <linux/types.h>

/**
 * enum keepalive_state - global state of the handover state machine
 * @KEEPALIVE_STATE_RUNNING: nothing is being handed over.
 * @KEEPALIVE_STATE_PREPARE: memory reserved, next kernel may be loaded.
 * @KEEPALIVE_STATE_PRE_STOP: state copied or frozen; some degradation.
 * @KEEPALIVE_STATE_STOP: handover image final; a kexec now carries it.
 * @KEEPALIVE_STATE_RESUME: next kernel, handover adopted, VMs still stopped.
 * @KEEPALIVE_STATE_POST_RESUME: next kernel, userspace reclaiming.
 * @KEEPALIVE_STATE_REBOOTING: a kexec has started; nothing changes any more.
 *
 * The names in /sys/kernel/keepalive/state are "running", "prepare",
 * "pre-stop", "stop", "resume", "post-resume" and "rebooting".
 */
enum keepalive_state {
	KEEPALIVE_STATE_RUNNING		= 0,
	KEEPALIVE_STATE_PREPARE		= 1,
	KEEPALIVE_STATE_PRE_STOP	= 2,
	KEEPALIVE_STATE_STOP		= 3,
	KEEPALIVE_STATE_RESUME		= 4,
	KEEPALIVE_STATE_POST_RESUME	= 5,
	KEEPALIVE_STATE_REBOOTING	= 6,
};

/**
 * enum keepalive_event - what a transition request asks for
 * @KEEPALIVE_EV_PREPARE: RUNNING -> PREPARE.
 * @KEEPALIVE_EV_PRE_STOP: PREPARE -> PRE-STOP.
 * @KEEPALIVE_EV_STOP: PRE-STOP -> STOP.
 * @KEEPALIVE_EV_ABORT: PREPARE, PRE-STOP or STOP -> RUNNING, undoing all.
 * @KEEPALIVE_EV_POST_RESUME: RESUME -> POST-RESUME.
 * @KEEPALIVE_EV_CONCLUDE: POST-RESUME -> RUNNING, releasing what is left.
 *
 * The words written to /sys/kernel/keepalive/state are "prepare",
 * "pre-stop", "stop", "abort", "post-resume" and "conclude".
 */
enum keepalive_event {
	KEEPALIVE_EV_PREPARE		= 1,
	KEEPALIVE_EV_PRE_STOP		= 2,
	KEEPALIVE_EV_STOP		= 3,
	KEEPALIVE_EV_ABORT		= 4,
	KEEPALIVE_EV_POST_RESUME	= 5,
	KEEPALIVE_EV_CONCLUDE		= 6,
};

/* Bytes of a preserved file's name, its terminating NUL included. */
#define KEEPALIVE_NAME_MAX		64
/* Bytes of a token. */
#define KEEPALIVE_TOKEN_SIZE		16
/* Bytes of a participant's name as reported, its terminating NUL included. */
#define KEEPALIVE_PARTICIPANT_NAME_MAX	32

/**
 * struct keepalive_transition - argument of KEEPALIVE_IOC_TRANSITION
 * @flags: must be 0
 * @event: an enum keepalive_event
 * @state: out: the state after the call, whether it succeeded or not
 * @error: out: 0, or the negative errno of the participant that failed
 * @participant: out: name of the participant that failed, or empty
 *
 * On a participant failure the ioctl fails with that participant's errno
 * and fills @error and @participant; the participants that had already
 * succeeded in this transition have been undone, and @state is the state
 * before the call.
 */
struct keepalive_transition {
	__u32 flags;
	__u32 event;
	__u32 state;
	__s32 error;
	char participant[KEEPALIVE_PARTICIPANT_NAME_MAX];
};

#define KEEPALIVE_TRANSITION_SIZE_VER0	48

/**
 * struct keepalive_memfd_create - argument of KEEPALIVE_IOC_MEMFD_CREATE
 * @flags: must be 0
 * @__reserved: must be 0
 * @length: bytes, a multiple of the page size, > 0
 * @name: NUL-terminated name, unique among preserved files
 * @token: secret that retrieval must present again
 *
 * Return: a new O_RDWR file descriptor (O_CLOEXEC) on the file.
 */
struct keepalive_memfd_create {
	__u32 flags;
	__u32 __reserved;
	__aligned_u64 length;
	char name[KEEPALIVE_NAME_MAX];
	__u8 token[KEEPALIVE_TOKEN_SIZE];
};

#define KEEPALIVE_MEMFD_CREATE_SIZE_VER0	96

/**
 * struct keepalive_memfd_retrieve - argument of KEEPALIVE_IOC_MEMFD_RETRIEVE
 *	and KEEPALIVE_IOC_MEMFD_DESTROY
 * @flags: must be 0
 * @__reserved: must be 0
 * @name: name given at creation
 * @token: token given at creation
 *
 * RETRIEVE returns a new file descriptor on the file; DESTROY frees it (it
 * is gone once the last descriptor on it is closed).
 */
struct keepalive_memfd_retrieve {
	__u32 flags;
	__u32 __reserved;
	char name[KEEPALIVE_NAME_MAX];
	__u8 token[KEEPALIVE_TOKEN_SIZE];
};

#define KEEPALIVE_MEMFD_RETRIEVE_SIZE_VER0	88

/**
 * struct keepalive_memfd_layout - argument of KEEPALIVE_MEMFD_IOC_LAYOUT,
 *	issued on a preserved file's descriptor by a caller with
 *	CAP_SYS_ADMIN (it reports physical addresses)
 * @flags: must be 0
 * @nr_ranges: in: entries at @ranges; out: entries the file has
 * @length: out: the file's length
 * @ranges: user pointer to @nr_ranges struct keepalive_range, filled in
 *	file order
 */
struct keepalive_memfd_layout {
	__u32 flags;
	__u32 nr_ranges;
	__aligned_u64 length;
	__aligned_u64 ranges;
};

#define KEEPALIVE_MEMFD_LAYOUT_SIZE_VER0	24

/**
 * struct keepalive_range - a physically contiguous piece of a file
 * @phys: physical address
 * @length: bytes
 */
struct keepalive_range {
	__u64 phys;
	__u64 length;
};

/**
 * struct keepalive_memfd_info - one preserved memory file, as listed
 * @name: its name
 * @length: bytes
 * @phys: physical address of its first byte
 * @flags: KEEPALIVE_MEMFD_INCOMING: handed over by the previous kernel;
 *	KEEPALIVE_MEMFD_RETRIEVED: and retrieved since
 * @__reserved: 0
 */
struct keepalive_memfd_info {
	char name[KEEPALIVE_NAME_MAX];
	__u64 length;
	__u64 phys;
	__u32 flags;
	__u32 __reserved;
};

#define KEEPALIVE_MEMFD_INCOMING	0x1U
#define KEEPALIVE_MEMFD_RETRIEVED	0x2U

/**
 * struct keepalive_memfd_list - argument of KEEPALIVE_IOC_MEMFD_LIST
 * @flags: must be 0
 * @nr: in: entries at @entries; out: files there are (fewer are written
 *	when @nr was smaller)
 * @entries: user pointer to @nr struct keepalive_memfd_info
 */
struct keepalive_memfd_list {
	__u32 flags;
	__u32 nr;
	__aligned_u64 entries;
};

#define KEEPALIVE_MEMFD_LIST_SIZE_VER0	16

/*
 * VFIO_DEVICE_FEATURE index of device keepalive, on a vfio-pci device fd.
 * Not an upstream index: chosen far from the ones upstream hands out.
 */
#define VFIO_DEVICE_FEATURE_KEEPALIVE	0x4b41

#define VFIO_KEEPALIVE_KEEP		0x1U

/**
 * struct vfio_device_feature_keepalive - data of VFIO_DEVICE_FEATURE_KEEPALIVE
 * @flags: SET: VFIO_KEEPALIVE_KEEP marks the device to be kept alive (its
 *	fds closing neither reset nor disable it; it is recorded at STOP),
 *	0 clears the mark; GET: VFIO_KEEPALIVE_KEEP when it is marked
 * @__reserved: must be 0
 * @token: SET with VFIO_KEEPALIVE_KEEP: the secret that will be needed to
 *	reclaim the device after kexec; only its SHA-256 is kept and handed
 *	over. Marking a marked device again, or clearing the mark, needs
 *	the same token (EPERM otherwise). GET: always zero
 *
 * SET fails with EBUSY once the handover is past PREPARE, ENODEV without a
 * keepalive pool, EINVAL for unknown flags or a non-zero @__reserved,
 * EOPNOTSUPP for a device that cannot be kept (a bridge, an SR-IOV virtual
 * function, not in D0), EXDEV when its IOMMU group holds other devices and
 * EPERM for another token than the mark's.
 */
struct vfio_device_feature_keepalive {
	__u32 flags;
	__u32 __reserved;
	__u8 token[KEEPALIVE_TOKEN_SIZE];
};

/*
 * The ioctl type. 'K', used until now, is linux/kd.h's (all numbers) in
 * Documentation/userspace-api/ioctl/ioctl-number.rst. 0xBB is in no entry
 * of that table in 6.1, nor in later kernels' tables (its neighbour 0xBA
 * went to linux/liveupdate.h). Sequence numbers 0x00-0x1F are ours:
 * 0x00-0x0F on /dev/keepalive, 0x10-0x1F on a preserved file's descriptor.
 * See Documentation/keepalive/uapi.rst.
 */
#define KEEPALIVE_IOC_MAGIC		0xBB
#define KEEPALIVE_IOC_TRANSITION	_IOWR(KEEPALIVE_IOC_MAGIC, 0x00, \
					      struct keepalive_transition)
#define KEEPALIVE_IOC_MEMFD_CREATE	_IOW(KEEPALIVE_IOC_MAGIC, 0x01, \
					     struct keepalive_memfd_create)
#define KEEPALIVE_IOC_MEMFD_RETRIEVE	_IOW(KEEPALIVE_IOC_MAGIC, 0x02, \
					     struct keepalive_memfd_retrieve)
#define KEEPALIVE_IOC_MEMFD_DESTROY	_IOW(KEEPALIVE_IOC_MAGIC, 0x03, \
					     struct keepalive_memfd_retrieve)
#define KEEPALIVE_IOC_MEMFD_LIST	_IOWR(KEEPALIVE_IOC_MAGIC, 0x04, \
					      struct keepalive_memfd_list)
#define KEEPALIVE_MEMFD_IOC_LAYOUT	_IOWR(KEEPALIVE_IOC_MAGIC, 0x10, \
					      struct keepalive_memfd_layout)

#endif /* _UAPI_LINUX_KEEPALIVE_H */
