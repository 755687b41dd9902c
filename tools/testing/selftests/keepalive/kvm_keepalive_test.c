// SPDX-License-Identifier: GPL-2.0
/*
 * kvm_keepalive_test - a KVM guest keeps running across the host kexec,
 * its passthrough NVMe controller doing I/O.
 *
 * The VMM is the kernel's own KVM selftest library (tools/testing/
 * selftests/kvm/lib of the same tree, compiled by this directory's
 * Makefile): VM creation, the guest code is C in this binary, ucall,
 * vcpu_save_state() and vcpu_load_state(). Around it, what a VMM adds for
 * keepalive (Documentation/keepalive/kvm.rst):
 *
 *   - guest RAM (memslot 0, all of it) is a preserved file: the library
 *     builds the VM in anonymous memory, then the file is mapped over the
 *     slot's host range (MAP_FIXED) before any vCPU runs;
 *   - the controller's BAR0 is memslot 1, mapped into the guest;
 *   - vfio type1 maps the guest RAM with IOVA = guest physical address;
 *   - MSI-X vector 1 goes to an eventfd, KVM_IRQFD with an MSI route into
 *     the guest's local APIC (x2APIC, vector KVM_GUEST_VEC).
 *
 * The guest is an NVMe driver: it resets the controller, identifies
 * namespace 1, creates its own I/O queue pair (CQ on vector 1), then loops
 * writing a pattern to a block and reading it back and the block before,
 * one command at a time, each completion taken by its interrupt (IDT
 * handler, EOI), checked, counted and logged in its own RAM (struct glog).
 *
 * Stage 1: the guest runs; the next kernel is loaded; PREPARE; the VMM
 * checks that every memslot is preserved; PRE-STOP; the VMM pauses the
 * vCPU with a command just submitted, saves the vCPU (vcpu_save_state())
 * and what the library does not cover (local APIC, kvmclock, irqchip, TSC
 * rate and the host's TSC) into the state file, and exits with the device
 * kept; STOP; the harness kexecs. Stage 2: a new VMM builds the same VM,
 * reclaims the controller with its token, maps the preserved RAM, loads
 * the vCPU, arms the irqfd and its vectors, and resumes. The guest goes
 * on: same queues, no admin command, its data intact; its log shows one
 * pause. Both stages print their points on the host's TSC (KVM-T1,
 * KVM-T2) for scripts/kvmpause.sh. Scenarios (kt_scenario=):
 *
 * keep     as above, on a drive of QEMU's: every block checked. With
 *          --stages N the guest is handed over again in every stage.
 * held     as keep, on a drive whose every request takes 4 s (vmtest.sh
 *          --slow-nvme; reads give zeroes, so data is not checked): the
 *          command in flight at the pause completes during the kexec, its
 *          interrupt waits in the device's PBA and reaches the guest
 *          through KVM_IRQFD when the new VMM arms the vector.
 * nokeep   control: the controller is not marked kept. In the next kernel
 *          it was reset: the guest's I/O times out (guest_resumes fails).
 * running  control: no PREPARE/PRE-STOP/STOP, a kexec from RUNNING: no
 *          handover, the preserved files are gone (guest_resumes fails).
 * anon     control: guest RAM stays anonymous memory: the VMM refuses
 *          PRE-STOP naming the memslot and aborts (update fails).
 * hello    one kernel: the library's VM runs guest C code in the test VM
 *          (nested SVM under TCG) and ucalls back; no device. Its RAM is
 *          a preserved file, destroyed while KVM maps it: the guest runs
 *          on.
 * cold     the figure to compare with: stage 1 as running; stage 2 starts
 *          a new guest on the same controller, which its driver resets
 *          and sets up again, to its first command.
 */
#define _GNU_SOURCE	/* program_invocation_name, as the KVM selftests */
#include <assert.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>
#include <linux/pci_regs.h>
#include <linux/vfio.h>

#include "kvm_util.h"
#include "processor.h"
#include "apic.h"

/* The library's own ASSERT_EQ gives way to the kselftest harness's. */
#undef ASSERT_EQ

#include "ka_uapi.h"
#include "kt_harness.h"
#include "nvme_vfio.h"

#define KVM_RAM_PAGES	2048		/* 8 MiB: memslot 0, all guest RAM */
#define KVM_RAM_SIZE	(KVM_RAM_PAGES * 4096ULL)
#define KVM_STATE_SIZE	(128u << 10)	/* the state file */
#define KVM_BAR_GPA	0xc0000000ULL	/* memslot 1: the controller's BAR0 */
#define KVM_BAR_GVA	0x80000000ULL
#define KVM_DMA_GVA	0x90000000ULL	/* the driver's pages, virtually */
#define KVM_DMA_PAGES	8
#define KVM_GUEST_VEC	0x40		/* the I/O CQ's interrupt in the guest */
#define KVM_MSI_GSI	32		/* its KVM route */
#define KVM_IOQ_SIZE	16
#define KVM_AQ_SIZE	16
#define KVM_LBA_SLOTS	64		/* blocks the loop cycles over */
#define KVM_OPS_BEFORE	12		/* I/O commands before the pause */
#define KVM_OPS_AFTER	24		/* ... and after the resume */
#define KVM_LOG_LEN	64
#define KVM_SEED	0x6b76

/* The driver's pages, in page units from KVM_DMA_GVA and its GPA. */
enum { PG_ASQ, PG_ACQ, PG_IOSQ, PG_IOCQ, PG_ID, PG_WBUF, PG_RBUF };

/* ---------------------------------------------------------------- guest */

struct nvme_sqe {
	uint8_t opc, flags;
	uint16_t cid;
	uint32_t nsid;
	uint64_t rsvd, mptr, prp1, prp2;
	uint32_t cdw10, cdw11, cdw12, cdw13, cdw14, cdw15;
};

struct nvme_cqe {
	uint32_t dw0, dw1;
	uint16_t sqhd, sqid, cid, status;
};

struct gq {
	struct nvme_sqe *sq;
	struct nvme_cqe *cq;
	uint16_t qid, size, tail, head;
	uint8_t phase;
};

/* What the VMM tells the guest (written before the first run). */
struct gcfg {
	uint64_t bar;			/* BAR0, guest virtual */
	uint64_t dma_gva, dma_gpa;	/* KVM_DMA_PAGES pages */
	uint64_t tsc_khz;
	uint64_t timeout_ms;		/* of running time, per command */
	uint64_t nocheck;		/* a null-co drive: reads zeroes */
};

/* The guest's own log, in its RAM: what it saw. */
struct glog_ent {
	uint64_t op, tsc, lba;
	uint16_t cid, status;
	uint8_t opc, pad[3];
};

struct glog {
	uint64_t ready;			/* controller and queues set up */
	uint64_t admin_cmds;		/* admin commands it ever submitted */
	uint64_t ops;			/* I/O commands completed and checked */
	uint64_t irqs;			/* interrupts taken on KVM_GUEST_VEC */
	uint64_t inflight;		/* an I/O command is in flight */
	uint64_t submits;		/* I/O commands submitted */
	uint64_t max_gap_tsc;		/* longest gap between two looks */
	uint64_t max_gap_op;		/* the op it waited for then */
	uint64_t target;		/* VMM: GUEST_DONE at this many ops */
	uint32_t lba_size, dstrd;
	uint64_t nsze;
	struct glog_ent ent[KVM_LOG_LEN];
};

static struct gcfg gcfg;
static struct glog glog;
static struct gq gaq, gioq;
static uint16_t gcid;

static inline uint32_t grd32(uint32_t off)
{
	return READ_ONCE(*(uint32_t *)(gcfg.bar + off));
}

static inline void gwr32(uint32_t off, uint32_t v)
{
	WRITE_ONCE(*(uint32_t *)(gcfg.bar + off), v);
}

static inline void gwr64(uint32_t off, uint64_t v)
{
	gwr32(off, (uint32_t)v);
	gwr32(off + 4, v >> 32);
}

static void *gpage(int pg)
{
	return (void *)(gcfg.dma_gva + pg * 4096ULL);
}

static uint64_t gpa(int pg)
{
	return gcfg.dma_gpa + pg * 4096ULL;
}

static void guest_irq(struct ex_regs *regs)
{
	glog.irqs++;
	x2apic_write_reg(APIC_EOI, 0);
}

/* A fault in the guest: say where. */
static void guest_fault(struct ex_regs *regs)
{
	ucall(UCALL_ABORT, 4, "fault: vector, rip, error code", regs->vector,
	      regs->rip, regs->error_code);
}

/*
 * The guest's heartbeat: the gap since the last one is what it saw of a
 * pause. It beats in every wait loop and around every command.
 */
static uint64_t glast_beat;

static void gbeat(void)
{
	uint64_t now = rdtsc(), d = now - glast_beat;

	if (glast_beat && d > glog.max_gap_tsc) {
		glog.max_gap_tsc = d;
		glog.max_gap_op = glog.ops;
	}
	glast_beat = now;
}

/* Spin until @pred or the running time passes the timeout. */
#define GUEST_WAIT(pred, what, a)					\
	do {								\
		uint64_t __prev = rdtsc(), __ran = 0, __now, __d;	\
		uint64_t __cap = gcfg.tsc_khz * 50;			\
		uint64_t __lim = gcfg.tsc_khz * gcfg.timeout_ms;	\
		while (!(pred)) {					\
			__now = rdtsc();				\
			__d = __now - __prev;				\
			__prev = __now;					\
			gbeat();					\
			__ran += __d < __cap ? __d : __cap;		\
			if (__ran > __lim)				\
				ucall(UCALL_ABORT, 4, "timed out: " what,\
				      __LINE__, (uint64_t)(a),		\
				      grd32(NVME_REG_CSTS));		\
			asm volatile("pause");				\
		}							\
	} while (0)

static uint32_t gdb(uint16_t qid, bool cq)
{
	return 0x1000 + (2 * qid + cq) * (4u << glog.dstrd);
}

static uint16_t gsubmit(struct gq *q, struct nvme_sqe *cmd)
{
	cmd->cid = ++gcid;
	memcpy(&q->sq[q->tail], cmd, sizeof(*cmd));
	q->tail = (q->tail + 1) % q->size;
	barrier();	/* the entry before the doorbell */
	gwr32(gdb(q->qid, false), q->tail);
	return cmd->cid;
}

/* Reap the CQE of @cid; its status (0: success). */
static uint16_t greap(struct gq *q, uint16_t cid)
{
	struct nvme_cqe *e = &q->cq[q->head];
	uint16_t st = READ_ONCE(e->status) >> 1;

	if (READ_ONCE(e->cid) != cid)
		ucall(UCALL_ABORT, 4, "completion of another command", __LINE__,
		      e->cid, cid);
	if (++q->head == q->size) {
		q->head = 0;
		q->phase ^= 1;
	}
	gwr32(gdb(q->qid, true), q->head);
	return st;
}

static bool gcqe_ready(struct gq *q)
{
	return (READ_ONCE(q->cq[q->head].status) & 1) == q->phase;
}

static void gadmin(struct nvme_sqe *cmd)
{
	uint16_t cid, st;

	glog.admin_cmds++;
	cid = gsubmit(&gaq, cmd);
	GUEST_WAIT(gcqe_ready(&gaq), "admin command", cmd->opc);
	st = greap(&gaq, cid);
	if (st)
		ucall(UCALL_ABORT, 4, "admin command failed", __LINE__,
		      cmd->opc, st);
}

static void ginit(void)
{
	struct nvme_sqe c;
	uint8_t *id = gpage(PG_ID);
	uint64_t cap = grd32(NVME_REG_CAP) | (uint64_t)grd32(NVME_REG_CAP + 4) << 32;
	uint8_t flbas;

	glog.dstrd = (cap >> 32) & 0xf;
	gwr32(NVME_REG_CC, 0);
	GUEST_WAIT(!(grd32(NVME_REG_CSTS) & NVME_CSTS_RDY), "reset", 0);
	memset(gpage(PG_ASQ), 0, 4096);
	memset(gpage(PG_ACQ), 0, 4096);
	gaq = (struct gq){ gpage(PG_ASQ), gpage(PG_ACQ), 0, KVM_AQ_SIZE, 0, 0, 1 };
	gwr32(NVME_REG_AQA, (KVM_AQ_SIZE - 1) << 16 | (KVM_AQ_SIZE - 1));
	gwr64(NVME_REG_ASQ, gpa(PG_ASQ));
	gwr64(NVME_REG_ACQ, gpa(PG_ACQ));
	gwr32(NVME_REG_CC, 4 << 20 | 6 << 16 | NVME_CC_EN);
	GUEST_WAIT(grd32(NVME_REG_CSTS) & NVME_CSTS_RDY, "enable", 0);

	/* Identify namespace 1: its size and LBA size. */
	memset(&c, 0, sizeof(c));
	c.opc = 0x06;
	c.nsid = 1;
	c.prp1 = gpa(PG_ID);
	gadmin(&c);
	glog.nsze = *(uint64_t *)id;
	flbas = id[26] & 0xf;
	glog.lba_size = 1u << id[128 + 4 * flbas + 2];

	/* I/O CQ 1 on vector 1, interrupts enabled; I/O SQ 1. */
	memset(gpage(PG_IOCQ), 0, 4096);
	gioq = (struct gq){ gpage(PG_IOSQ), gpage(PG_IOCQ), 1, KVM_IOQ_SIZE, 0, 0, 1 };
	memset(&c, 0, sizeof(c));
	c.opc = 0x05;
	c.prp1 = gpa(PG_IOCQ);
	c.cdw10 = (KVM_IOQ_SIZE - 1) << 16 | 1;
	c.cdw11 = 1 << 16 | 2 | 1;
	gadmin(&c);
	memset(&c, 0, sizeof(c));
	c.opc = 0x01;
	c.prp1 = gpa(PG_IOSQ);
	c.cdw10 = (KVM_IOQ_SIZE - 1) << 16 | 1;
	c.cdw11 = 1 << 16 | 1;
	gadmin(&c);
	glog.ready = 1;
}

/* A pattern every byte of which depends on @seed and its offset. */
static void gpattern(uint64_t *p, uint32_t len, uint64_t seed)
{
	for (uint32_t i = 0; i < len / 8; i++)
		p[i] = (seed << 32 | i) * 0x9e3779b97f4a7c15ULL;
}

/* One I/O command, its completion taken by interrupt, logged. */
static void gio(uint8_t opc, uint64_t lba, int pg)
{
	uint32_t nlb = 4096 / glog.lba_size;
	uint64_t irqs = glog.irqs;
	struct glog_ent *ent;
	struct nvme_sqe c;
	uint16_t cid, st;

	memset(&c, 0, sizeof(c));
	c.opc = opc;
	c.nsid = 1;
	c.prp1 = gpa(pg);
	c.cdw10 = (uint32_t)(lba * nlb);
	c.cdw11 = (lba * nlb) >> 32;
	c.cdw12 = nlb - 1;
	gbeat();
	glog.inflight = 1;
	cid = gsubmit(&gioq, &c);
	glog.submits++;
	GUEST_WAIT(glog.irqs != irqs, "interrupt of an I/O command", cid);
	GUEST_WAIT(gcqe_ready(&gioq), "completion after its interrupt", cid);
	st = greap(&gioq, cid);
	glog.inflight = 0;
	gbeat();
	ent = &glog.ent[glog.ops % KVM_LOG_LEN];
	ent->op = glog.ops;
	ent->tsc = rdtsc();
	ent->lba = lba;
	ent->cid = cid;
	ent->status = st;
	ent->opc = opc;
	if (st)
		ucall(UCALL_ABORT, 4, "I/O command failed", __LINE__, cid, st);
	glog.ops++;
}

static void gcheck(uint64_t i)
{
	uint64_t want[512], *got = gpage(PG_RBUF);

	if (gcfg.nocheck)
		return;
	gpattern(want, 4096, KVM_SEED + i);
	if (memcmp(got, want, 4096))
		ucall(UCALL_ABORT, 4, "wrong data", __LINE__, i, got[0]);
}

static void guest_code(void)
{
	uint64_t i;

	x2apic_enable();
	asm volatile("sti");
	ginit();
	for (i = 0;; i++) {
		gpattern(gpage(PG_WBUF), 4096, KVM_SEED + i);
		gio(0x01, i % KVM_LBA_SLOTS, PG_WBUF);
		memset(gpage(PG_RBUF), 0, 4096);
		gio(0x02, i % KVM_LBA_SLOTS, PG_RBUF);
		gcheck(i);
		if (i) {
			memset(gpage(PG_RBUF), 0, 4096);
			gio(0x02, (i - 1) % KVM_LBA_SLOTS, PG_RBUF);
			gcheck(i - 1);
		}
		if (READ_ONCE(glog.target) && glog.ops >= READ_ONCE(glog.target))
			GUEST_DONE();
	}
}

static void guest_hello(void)
{
	uint64_t t = rdtsc();

	GUEST_SYNC(42);
	x2apic_enable();
	GUEST_SYNC(x2apic_read_reg(APIC_ID));
	ucall(UCALL_DONE, 1, rdtsc() - t);
}

/* ------------------------------------------------------------------ VMM */

/*
 * The state file: what the VMM of one kernel saves at PRE-STOP and the
 * VMM of the next loads. It is an ABI between the two: fixed-width
 * fields, then the library's struct kvm_x86_state (its xsave pointer
 * meaningless here), its MSR entries, the xsave area. Bump
 * KVM_STATE_VERSION on any change of this header or of what follows it.
 */
#define KVM_STATE_MAGIC		0x6b766d7374617465ULL	/* "kvmstate" */
#define KVM_STATE_VERSION	1

struct kvm_ka_state {
	uint64_t magic;
	uint32_t version, hdr_size;
	uint64_t saved_tsc;		/* the host's TSC at the save */
	uint64_t tsc_khz;
	uint64_t ram_size;
	uint32_t x86_size;		/* sizeof(struct kvm_x86_state) */
	uint32_t nmsrs, xsave_size, pad;
	struct kvm_lapic_state lapic;	/* the library does not save these */
	struct kvm_clock_data clock;	/* kvmclock */
	struct kvm_irqchip chip[3];	/* PIC master, PIC slave, IOAPIC */
} __packed;
static_assert(sizeof(struct kvm_ka_state) == 56 + 1024 + 48 + 3 * 520,
	      "struct kvm_ka_state is ABI: bump KVM_STATE_VERSION");

/* A VMM: a KVM VM of the library, its kept controller, its files. */
struct kvmm {
	struct kvm_vm *vm;
	struct kvm_vcpu *vcpu;
	int kadev;
	char bdf[32];
	uint8_t token[KEEPALIVE_TOKEN_SIZE];
	struct nvme_vfio_dev vdev;
	int ram_fd, state_fd;		/* -1: none */
	bool ram_preserved;		/* memslot 0 is the RAM file */
	struct kvm_ka_state *state;	/* the state file, mapped */
	bool kept;
	uint64_t tsc_khz;
	int irqfd;			/* the eventfd KVM_IRQFD was given */
	uint64_t saved_tsc;		/* the host's TSC at the save, loaded */
};

static int kfail(const char *what, int err)
{
	fprintf(stderr, "vmm: %s: %s\n", what, strerror(-err));
	return err;
}

static struct glog *kvmm_log(struct kvmm *v)
{
	return addr_gva2hva(v->vm, (vm_vaddr_t)&glog);
}

static void kvmm_reset(struct kvmm *v, int kadev)
{
	memset(v, 0, sizeof(*v));
	v->kadev = kadev;
	v->ram_fd = -1;
	v->state_fd = -1;
	v->irqfd = -1;
	v->vdev.container = -1;
	v->vdev.group = -1;
	v->vdev.device = -1;
	for (int i = 0; i < NVME_VFIO_MAX_IRQS; i++)
		v->vdev.irq_fd[i] = -1;
	ka_token(v->token, KVM_SEED);
}

/*
 * The VM, built by the library in the same order in either kernel, so
 * that every guest address is the same: ELF, irqchip, vCPU, IDT, the
 * interrupt handler, the driver's pages.
 */
static void kvmm_build(struct kvmm *v, void *entry)
{
	struct kvm_regs regs;
	vm_paddr_t dma;

	v->vm = ____vm_create(VM_MODE_DEFAULT, KVM_RAM_PAGES);
	kvm_vm_elf_load(v->vm, program_invocation_name);
	vm_create_irqchip(v->vm);
	v->vcpu = vm_vcpu_add(v->vm, 0, entry);
	/*
	 * 6.1's library enters the guest with RSP 16-byte aligned, as no
	 * call would: the ABI wants RSP + 8 aligned at a function's entry,
	 * or the compiler's movaps to the stack faults.
	 */
	vcpu_regs_get(v->vcpu, &regs);
	regs.rsp -= 8;
	vcpu_regs_set(v->vcpu, &regs);
	vm_init_descriptor_tables(v->vm);
	vcpu_init_descriptor_tables(v->vcpu);
	vm_install_exception_handler(v->vm, KVM_GUEST_VEC, guest_irq);
	vm_install_exception_handler(v->vm, GP_VECTOR, guest_fault);
	vm_install_exception_handler(v->vm, PF_VECTOR, guest_fault);
	vm_install_exception_handler(v->vm, UD_VECTOR, guest_fault);
	dma = vm_phy_pages_alloc(v->vm, KVM_DMA_PAGES, 0x100000, 0);
	virt_map(v->vm, KVM_DMA_GVA, dma, KVM_DMA_PAGES);
	gcfg.dma_gva = KVM_DMA_GVA;
	gcfg.dma_gpa = dma;
	gcfg.bar = KVM_BAR_GVA;
	gcfg.timeout_ms = 5000;
	v->tsc_khz = __vcpu_ioctl(v->vcpu, KVM_GET_TSC_KHZ, NULL);
	gcfg.tsc_khz = v->tsc_khz;
}

/*
 * Guest RAM becomes the preserved file @fd: mapped over memslot 0's host
 * range, before any vCPU runs; @copy: with what the library put there.
 */
static int kvmm_ram_to_file(struct kvmm *v, int fd, bool copy)
{
	struct userspace_mem_region *r = memslot2region(v->vm, 0);
	size_t size = r->region.memory_size;
	void *p;

	if (copy) {
		p = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
		if (p == MAP_FAILED)
			return kfail("mmap of the RAM file", -errno);
		memcpy(p, r->host_mem, size);
		munmap(p, size);
	}
	p = mmap(r->host_mem, size, PROT_READ | PROT_WRITE,
		 MAP_SHARED | MAP_FIXED, fd, 0);
	if (p == MAP_FAILED)
		return kfail("mmap of the RAM file over memslot 0", -errno);
	v->ram_preserved = true;
	return 0;
}

/*
 * The controller's BAR0 as memslot 1, mapped in the guest's page tables
 * (before guest RAM becomes the preserved file, which has them already
 * in the next kernel).
 */
static int kvmm_map_bar(struct kvmm *v)
{
	if (!v->vdev.bar)
		return kfail("BAR0 cannot be mmapped", -EOPNOTSUPP);
	vm_set_user_memory_region(v->vm, 1, 0, KVM_BAR_GPA, v->vdev.bar_size,
				  v->vdev.bar);
	virt_map(v->vm, KVM_BAR_GVA, KVM_BAR_GPA, v->vdev.bar_size / 4096);
	return 0;
}

/* Guest RAM mapped for the controller's DMA, IOVA = guest physical. */
static int kvmm_map_dma(struct kvmm *v)
{
	struct userspace_mem_region *r = memslot2region(v->vm, 0);
	struct vfio_iommu_type1_dma_map map = {
		.argsz = sizeof(map),
		.flags = VFIO_DMA_MAP_FLAG_READ | VFIO_DMA_MAP_FLAG_WRITE,
		.vaddr = (uintptr_t)r->host_mem,
		.iova = r->region.guest_phys_addr,
		.size = r->region.memory_size,
	};

	if (ioctl(v->vdev.container, VFIO_IOMMU_MAP_DMA, &map))
		return kfail("VFIO_IOMMU_MAP_DMA of guest RAM", -errno);
	return 0;
}

/* MSI-X vector 1 -> eventfd -> KVM_IRQFD -> MSI to APIC 0, KVM_GUEST_VEC. */
static int kvmm_irqfd(struct kvmm *v)
{
	struct kvm_irq_routing *rt;
	struct kvm_irqfd irqfd = { .gsi = KVM_MSI_GSI };
	int ret;

	if (!v->vdev.nr_irqs) {
		ret = nvme_vfio_irq_enable(&v->vdev, 2);
		if (ret)
			return kfail("MSI-X vectors", ret);
	}
	rt = calloc(1, sizeof(*rt) + sizeof(rt->entries[0]));
	if (!rt)
		return -ENOMEM;
	rt->nr = 1;
	rt->entries[0].gsi = KVM_MSI_GSI;
	rt->entries[0].type = KVM_IRQ_ROUTING_MSI;
	rt->entries[0].u.msi.address_lo = 0xfee00000;
	rt->entries[0].u.msi.data = KVM_GUEST_VEC;
	ret = __vm_ioctl(v->vm, KVM_SET_GSI_ROUTING, rt);
	free(rt);
	if (ret)
		return kfail("KVM_SET_GSI_ROUTING", -errno);
	irqfd.fd = v->vdev.irq_fd[1];
	if (__vm_ioctl(v->vm, KVM_IRQFD, &irqfd))
		return kfail("KVM_IRQFD", -errno);
	/* Its own reference: the device's close closes vector 1's fd. */
	if (v->irqfd >= 0)
		close(v->irqfd);
	v->irqfd = dup(irqfd.fd);
	return v->irqfd < 0 ? kfail("dup of the irqfd", -errno) : 0;
}

/* The irqfd off: KVM finishes the injections it had started. */
static int kvmm_unroute(struct kvmm *v)
{
	struct kvm_irqfd irqfd = {
		.fd = v->irqfd,
		.gsi = KVM_MSI_GSI,
		.flags = KVM_IRQFD_FLAG_DEASSIGN,
	};

	if (__vm_ioctl(v->vm, KVM_IRQFD, &irqfd))
		return kfail("KVM_IRQFD deassign", -errno);
	return 0;
}

static int kvmm_keep(struct kvmm *v)
{
	struct {
		struct vfio_device_feature hdr;
		struct vfio_device_feature_keepalive ka;
	} f = {
		.hdr.argsz = sizeof(f),
		.hdr.flags = VFIO_DEVICE_FEATURE_SET |
			     VFIO_DEVICE_FEATURE_KEEPALIVE,
		.ka.flags = VFIO_KEEPALIVE_KEEP,
	};

	memcpy(f.ka.token, v->token, sizeof(f.ka.token));
	if (ioctl(v->vdev.device, VFIO_DEVICE_FEATURE, &f))
		return kfail("VFIO_DEVICE_FEATURE_KEEPALIVE", -errno);
	v->kept = true;
	return 0;
}

static int kvmm_files(struct kvmm *v, bool create)
{
	v->ram_fd = create ? ka_memfd_create(v->kadev, "kvm-ram", KVM_RAM_SIZE, v->token) :
			     ka_memfd_retrieve(v->kadev, "kvm-ram", v->token);
	if (v->ram_fd < 0)
		return kfail(create ? "create the RAM file" : "retrieve the RAM file",
			     v->ram_fd);
	v->state_fd = create ? ka_memfd_create(v->kadev, "kvm-state", KVM_STATE_SIZE, v->token) :
			       ka_memfd_retrieve(v->kadev, "kvm-state", v->token);
	if (v->state_fd < 0)
		return kfail(create ? "create the state file" : "retrieve the state file",
			     v->state_fd);
	v->state = mmap(NULL, KVM_STATE_SIZE, PROT_READ | PROT_WRITE,
			MAP_SHARED, v->state_fd, 0);
	if (v->state == MAP_FAILED) {
		v->state = NULL;
		return kfail("mmap of the state file", -errno);
	}
	return 0;
}

/*
 * The VMM's own check at PRE-STOP: every memslot of guest RAM must be a
 * preserved file, or the guest cannot go on after the kexec. Memslot 1 is
 * the kept controller's BAR, not RAM.
 */
static int kvmm_check_preserved(struct kvmm *v)
{
	struct userspace_mem_region *r = memslot2region(v->vm, 0);

	if (v->ram_preserved)
		return 0;
	fprintf(stderr, "vmm: memslot 0 (guest RAM, GPA %#llx-%#llx, %llu MiB) %s\n",
		(unsigned long long)r->region.guest_phys_addr,
		(unsigned long long)(r->region.guest_phys_addr +
				     r->region.memory_size - 1),
		(unsigned long long)r->region.memory_size >> 20,
		"is anonymous memory: it does not survive the kexec; PRE-STOP refused");
	return -EINVAL;
}

/* A tick only interrupts KVM_RUN. */
static void kvm_tick(int sig)
{
}

/* SIGALRM every @ms (0: off): it takes the vCPU out of KVM_RUN. */
static void kvm_ticker(int ms)
{
	struct itimerval it = {
		.it_interval.tv_usec = ms * 1000,
		.it_value.tv_usec = ms * 1000,
	};
	struct sigaction sa = { .sa_handler = kvm_tick };

	sigaction(SIGALRM, &sa, NULL);
	setitimer(ITIMER_REAL, &it, NULL);
}

/*
 * Run the vCPU once: 0 when a tick took it out, the ucall's command, or
 * -errno. An abort is printed with the guest's message.
 */
static int kvmm_run(struct kvmm *v, struct ucall *uc)
{
	int ret = __vcpu_run(v->vcpu);

	if (ret)
		return errno == EINTR ? 0 : kfail("KVM_RUN", -errno);
	if (v->vcpu->run->exit_reason != KVM_EXIT_IO) {
		fprintf(stderr, "vmm: exit reason %u (%s)\n",
			v->vcpu->run->exit_reason,
			exit_reason_str(v->vcpu->run->exit_reason));
		return -EIO;
	}
	switch (get_ucall(v->vcpu, uc)) {
	case UCALL_ABORT:
		fprintf(stderr, "vmm: guest: %s (line %lu) %#lx %#lx\n",
			(const char *)addr_gva2hva(v->vm, uc->args[0]),
			uc->args[1], uc->args[2], uc->args[3]);
		return -EFAULT;
	case UCALL_UNHANDLED:
		fprintf(stderr, "vmm: guest: unhandled vector %lu at %#lx\n",
			uc->args[0], uc->args[1]);
		return -EFAULT;
	default:
		return uc->cmd;
	}
}

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return ts.tv_sec * 1000000000ULL + ts.tv_nsec;
}

/* Save the paused vCPU into the state file. */
static int kvmm_save(struct kvmm *v)
{
	struct kvm_x86_state *st = vcpu_save_state(v->vcpu);
	struct kvm_ka_state *h = v->state;
	uint8_t *p = (uint8_t *)(h + 1);
	size_t msrs = st->msrs.nmsrs * sizeof(st->msrs.entries[0]);
	int xs = vm_check_cap(v->vm, KVM_CAP_XSAVE2);

	if (xs < (int)sizeof(struct kvm_xsave))
		xs = sizeof(struct kvm_xsave);
	if (sizeof(*h) + sizeof(*st) + msrs + xs > KVM_STATE_SIZE)
		return kfail("the vCPU state does not fit its file", -ENOSPC);
	memset(h, 0, sizeof(*h));
	vcpu_ioctl(v->vcpu, KVM_GET_LAPIC, &h->lapic);
	vm_ioctl(v->vm, KVM_GET_CLOCK, &h->clock);
	for (int i = 0; i < 3; i++) {
		h->chip[i].chip_id = i;
		vm_ioctl(v->vm, KVM_GET_IRQCHIP, &h->chip[i]);
	}
	h->magic = KVM_STATE_MAGIC;
	h->version = KVM_STATE_VERSION;
	h->hdr_size = sizeof(*h);
	h->tsc_khz = v->tsc_khz;
	h->ram_size = KVM_RAM_SIZE;
	h->x86_size = sizeof(*st);
	h->nmsrs = st->msrs.nmsrs;
	h->xsave_size = xs;
	memcpy(p, st, sizeof(*st));
	memcpy(p + sizeof(*st), st->msrs.entries, msrs);
	memcpy(p + sizeof(*st) + msrs, st->xsave, xs);
	h->saved_tsc = rdtsc();
	kvm_x86_state_cleanup(st);
	return 0;
}

/*
 * Load the vCPU from the state file; its TSC moved on by the time the VMM
 * was away (the host's TSC runs on across a kexec), so that the guest sees
 * the pause, as kvmclock would tell it. @away: in host TSC cycles.
 */
static int kvmm_load(struct kvmm *v, uint64_t *away)
{
	struct kvm_ka_state *h = v->state;
	uint8_t *p = (uint8_t *)(h + 1);
	struct kvm_x86_state *st;
	size_t msrs;

	if (h->magic != KVM_STATE_MAGIC || h->version != KVM_STATE_VERSION ||
	    h->hdr_size != sizeof(*h) || h->x86_size != sizeof(*st) ||
	    h->ram_size != KVM_RAM_SIZE) {
		fprintf(stderr, "vmm: state file: magic %#llx version %u: not this VMM's\n",
			(unsigned long long)h->magic, h->version);
		return -EPROTO;
	}
	/*
	 * The guest's TSC rate: the saved one if KVM can scale to it; else
	 * this kernel's calibration, which under TCG differs by some
	 * hundred ppm from the previous one's.
	 */
	if (h->tsc_khz > v->tsc_khz) {
		int ret = __vcpu_ioctl(v->vcpu, KVM_SET_TSC_KHZ,
				       (void *)(uintptr_t)h->tsc_khz);

		fprintf(stderr, "vmm: TSC %llu kHz before, %llu kHz here: KVM_SET_TSC_KHZ %s\n",
			(unsigned long long)h->tsc_khz,
			(unsigned long long)v->tsc_khz,
			ret ? "refused, the guest sees the new rate" : "accepted");
	} else if (h->tsc_khz < v->tsc_khz) {
		/* Without TSC scaling KVM refuses a slower rate. */
		fprintf(stderr, "vmm: TSC %llu kHz before, %llu kHz here: %s\n",
			(unsigned long long)h->tsc_khz,
			(unsigned long long)v->tsc_khz, "the guest sees the new rate");
	}
	msrs = h->nmsrs * sizeof(st->msrs.entries[0]);
	st = malloc(sizeof(*st) + msrs);
	if (!st)
		return -ENOMEM;
	memcpy(st, p, sizeof(*st));
	memcpy(st->msrs.entries, p + sizeof(*st), msrs);
	st->xsave = malloc(h->xsave_size);
	if (!st->xsave) {
		free(st);
		return -ENOMEM;
	}
	memcpy(st->xsave, p + sizeof(*st) + msrs, h->xsave_size);
	*away = rdtsc() - h->saved_tsc;
	v->saved_tsc = h->saved_tsc;
	for (uint32_t i = 0; i < h->nmsrs; i++)
		if (st->msrs.entries[i].index == MSR_IA32_TSC)
			st->msrs.entries[i].data += *away;
	vcpu_load_state(v->vcpu, st);
	vcpu_ioctl(v->vcpu, KVM_SET_LAPIC, &h->lapic);
	for (int i = 0; i < 3; i++)
		vm_ioctl(v->vm, KVM_SET_IRQCHIP, &h->chip[i]);
	/* kvmclock on by the pause too; KVM_SET_CLOCK takes the clock only. */
	h->clock.clock += *away * 1000000 / h->tsc_khz;
	h->clock.flags = 0;
	vm_ioctl(v->vm, KVM_SET_CLOCK, &h->clock);
	kvm_x86_state_cleanup(st);
	return 0;
}

/* The VMM exits: the VM, then the device (kept: DMA stays mapped), files. */
static void kvmm_exit(struct kvmm *v)
{
	kvm_ticker(0);
	if (v->vm)
		kvm_vm_free(v->vm);
	v->vm = NULL;
	nvme_vfio_dev_close(&v->vdev);
	if (v->state)
		munmap(v->state, KVM_STATE_SIZE);
	v->state = NULL;
	if (v->ram_fd >= 0)
		close(v->ram_fd);
	if (v->state_fd >= 0)
		close(v->state_fd);
	if (v->irqfd >= 0)
		close(v->irqfd);
	v->irqfd = -1;
	v->ram_fd = -1;
	v->state_fd = -1;
}

/* ----------------------------------------------------------------- tests */

/*
 * The MSI-X Pending Bit Array's first word, through the BAR mapping: a
 * vector's bit is set while the device holds its interrupt.
 */
static int kvmm_pba(struct kvmm *v, uint32_t *pba)
{
	struct kt_msix m;
	int ret = kt_msix_read(v->bdf, &m);

	if (ret)
		return ret;
	*pba = READ_ONCE(*(uint32_t *)(v->vdev.bar + m.pba));
	return 0;
}

/*
 * The next kernel's points on the host TSC, for scripts/kvmpause.sh (t4
 * the new VMM's start, t5 the VM rebuilt, t6 the device reclaimed, t7 the
 * vCPU loaded, t9 the first command done after the resume; stage 1's
 * KVM-T1: t0 the pause, t1 saved, t2 the VMM gone, t3 STOP), and
 * the parts it knows: rebuild, reclaim, restore, resume (to the first
 * command completed after it); @guest_ms, the guest's own longest gap.
 */
static void kvmm_report(unsigned long long *tp, unsigned long long khz,
			unsigned long long guest_ms)
{
	fprintf(stderr, "# KVM-T2 t4=%llu t5=%llu t6=%llu t7=%llu t9=%llu khz=%llu guest=%llu\n",
		tp[4], tp[5], tp[6], tp[7], tp[9], khz, guest_ms);
	fprintf(stderr, "# here (ms): rebuild %llu reclaim %llu restore %llu resume %llu\n",
		(tp[5] - tp[4]) / khz, (tp[6] - tp[5]) / khz,
		(tp[7] - tp[6]) / khz, (tp[9] - tp[7]) / khz);
}

FIXTURE(kq)
{
	int kadev;
	struct kvmm v;
};

/* The scenarios of the header, as what each does. */
FIXTURE_VARIANT(kq)
{
	bool hello;		/* one kernel, no device */
	bool keep;		/* the VMM marks the controller kept */
	bool transitions;	/* PREPARE, PRE-STOP, STOP before the kexec */
	bool preserved;		/* guest RAM is a preserved file */
	bool plain_open;	/* stage 2 opens the controller without token */
	bool slow;		/* a drive that takes seconds: data unchecked */
	bool cold;		/* stage 2 starts a new guest: the figure to beat */
};

FIXTURE_VARIANT_ADD(kq, keep) {
	.keep = true,
	.transitions = true,
	.preserved = true,
};

FIXTURE_VARIANT_ADD(kq, held) {
	.keep = true,
	.transitions = true,
	.preserved = true,
	.slow = true,
};

FIXTURE_VARIANT_ADD(kq, nokeep) {
	.transitions = true,
	.preserved = true,
	.plain_open = true,
};

FIXTURE_VARIANT_ADD(kq, running) {
	.keep = true,
	.preserved = true,
};

FIXTURE_VARIANT_ADD(kq, anon) {
	.keep = true,
	.transitions = true,
};

FIXTURE_VARIANT_ADD(kq, hello) {
	.hello = true,
};

FIXTURE_VARIANT_ADD(kq, cold) {
	.cold = true,
};

FIXTURE_SETUP(kq)
{
	self->kadev = open(KA_DEV, O_RDWR | O_CLOEXEC);
	ASSERT_LE(0, self->kadev);
	kvmm_reset(&self->v, self->kadev);
}

FIXTURE_TEARDOWN(kq)
{
	kvmm_exit(&self->v);
	close(self->kadev);
}

/* Milestone: the library's VM runs guest C code here and ucalls back. */
TEST_F_TIMEOUT(kq, guest_code_runs, 120)
{
	struct kvmm *v = &self->v;
	struct ucall uc;
	uint64_t t0 = now_ns(), t1;
	int ret;

	if (!variant->hello)
		SKIP(return, "scenario hello only");
	ASSERT_EQ(0, kvmm_files(v, true));
	kvmm_build(v, guest_hello);
	ASSERT_EQ(0, kvmm_ram_to_file(v, v->ram_fd, true));
	t1 = now_ns();
	ASSERT_EQ(UCALL_SYNC, kvmm_run(v, &uc));
	ASSERT_EQ(42, uc.args[1]);
	/*
	 * Destroying the RAM file while KVM maps it (no device): refused,
	 * or the name goes and the pages stay until the last mapping.
	 */
	ret = ka_memfd_destroy(self->kadev, "kvm-ram", v->token);
	ASSERT_TRUE(ret == 0 || ret == -EBUSY) TH_LOG("destroy: %d", ret);
	TH_LOG("destroying the RAM file KVM maps: %s",
	       ret ? "refused (EBUSY)" : "allowed, the guest runs on");
	ASSERT_EQ(UCALL_SYNC, kvmm_run(v, &uc));
	ASSERT_EQ(0, uc.args[1]) TH_LOG("x2APIC ID %lu", uc.args[1]);
	ASSERT_EQ(UCALL_DONE, kvmm_run(v, &uc));
	TH_LOG("VM built in %llu ms, guest ran, ucalled back in %llu ms (%lu cycles, %llu kHz)",
	       (unsigned long long)(t1 - t0) / 1000000,
	       (unsigned long long)(now_ns() - t1) / 1000000, uc.args[0],
	       (unsigned long long)v->tsc_khz);
}

/* Run until the guest has completed @ops commands; 0, or -errno. */
static int kvmm_run_until(struct kvmm *v, uint64_t ops, int limit_s)
{
	uint64_t end = now_ns() + limit_s * 1000000000ULL;
	struct ucall uc;
	int ret;

	while (kvmm_log(v)->ops < ops) {
		ret = kvmm_run(v, &uc);
		if (ret < 0)
			return ret;
		if (ret == UCALL_DONE)
			return 0;
		if (ret)
			return kfail("unexpected ucall", -EPROTO);
		if (now_ns() > end)
			return kfail("the guest makes no progress", -ETIMEDOUT);
	}
	return 0;
}

/*
 * Run until the guest has just submitted a command (the first tick after
 * a new one): the pause then has a command in flight, on a slow drive
 * for seconds more.
 */
static int kvmm_run_to_submit(struct kvmm *v, int limit_s)
{
	uint64_t end = now_ns() + limit_s * 1000000000ULL;
	struct glog *gl = kvmm_log(v);
	uint64_t seen = gl->submits;
	struct ucall uc;
	int ret;

	for (;;) {
		ret = kvmm_run(v, &uc);
		if (ret)
			return ret < 0 ? ret : kfail("unexpected ucall", -EPROTO);
		if (gl->submits != seen && gl->inflight)
			return 0;
		seen = gl->submits;
		if (now_ns() > end)
			return kfail("no command submitted", -ETIMEDOUT);
	}
}

/*
 * The update, from a running guest: the next kernel loaded, PREPARE, the
 * VMM's check, PRE-STOP, the pause with a command just submitted, the
 * save, the VMM's exit, STOP (those the scenario does). The harness then
 * kexecs.
 */
static void kvmm_handover(struct __test_metadata *_metadata,
			  struct _test_data_kq *self,
			  const struct _fixture_variant_kq *variant)
{
	struct kvmm *v = &self->v;
	struct keepalive_transition t;
	struct kvm_x86_state *x86;
	unsigned long long tp[4];
	struct kt_msix m;
	struct glog *gl;
	char words[96];
	uint32_t irr;
	long irte;

	kvm_ticker(20);
	gl = kvmm_log(v);
	gl->target = 0;
	ASSERT_EQ(0, kvmm_run_until(v, gl->ops + (variant->slow ? 1 : KVM_OPS_BEFORE),
				    120));
	/*
	 * The next kernel, loaded now: the pause does not include the load.
	 * kt_irte= tells vm/irq_trace.sh which remapping entry the held
	 * vector's message names (on AMD-Vi, an index only the table of
	 * this device knows).
	 */
	ASSERT_EQ(0, kt_msix_read(v->bdf, &m));
	irte = kt_msix_irte(v->bdf, &m, 1);
	ASSERT_LE(0, irte) TH_LOG("vector 1's message names no remapping entry");
	snprintf(words, sizeof(words), "initcall_blacklist=nvme_init kt_irte=%ld",
		 irte);
	ASSERT_EQ(0, kt_cmdline_append(words));
	ASSERT_EQ(0, kt_kexec_load_next());
	ASSERT_EQ(3, gl->admin_cmds);
	if (variant->transitions) {
		ASSERT_EQ(0, ka_transition(self->kadev, KEEPALIVE_EV_PREPARE, &t));
		/*
		 * The VMM's own check comes first: the kernel refuses
		 * PRE-STOP too (EXDEV) when a kept device maps memory that
		 * is not preserved, but not a memslot no device maps.
		 */
		if (kvmm_check_preserved(v)) {
			ka_transition(self->kadev, KEEPALIVE_EV_ABORT, &t);
			ASSERT_EQ(0, -EINVAL) TH_LOG("the VMM refused PRE-STOP and aborted");
		}
		ASSERT_EQ(0, ka_transition(self->kadev, KEEPALIVE_EV_PRE_STOP, &t))
			TH_LOG("PRE-STOP failed in %s: %d", t.participant, t.error);
	}
	/*
	 * Pause with a command just submitted. The guest's longest gap is
	 * counted from here: this VMM has one thread, so the load and the
	 * transitions above paused the vCPU too (a VMM does them in another
	 * thread).
	 */
	gl->max_gap_tsc = 0;
	ASSERT_EQ(0, kvmm_run_to_submit(v, variant->slow ? 60 : 30));
	tp[0] = rdtsc();
	kvm_ticker(0);
	/*
	 * The device first: its close holds its interrupts (MSI-X masked,
	 * latched in its PBA); then the irqfd goes, which finishes what it
	 * was injecting. The local APIC saved next has every interrupt the
	 * device raised before the hold. Saved before the close, an
	 * interrupt raised in between reached the saved-and-gone APIC and
	 * was lost (the guest's command timed out after the resume).
	 */
	nvme_vfio_dev_close(&v->vdev);
	ASSERT_EQ(0, kvmm_unroute(v));
	ASSERT_EQ(0, kvmm_save(v));
	tp[1] = rdtsc();
	irr = *(uint32_t *)&v->state->lapic.regs[0x200 + KVM_GUEST_VEC / 32 * 0x10];
	x86 = (struct kvm_x86_state *)(v->state + 1);
	TH_LOG("paused: %lu commands done, one in flight, %lu interrupts; rip %#llx",
	       gl->ops, gl->irqs, x86->regs.rip);
	TH_LOG("the interrupt of the command in flight: %s",
	       irr & 1u << (KVM_GUEST_VEC % 32) ? "in the saved local APIC (IRR)" :
	       gl->irqs > gl->ops ? "taken by the guest" : "not raised yet");
	if (variant->slow)
		ASSERT_EQ(gl->ops, gl->irqs) TH_LOG("the slow command completed already");
	kvmm_exit(v);
	tp[2] = rdtsc();
	if (variant->transitions)
		ASSERT_EQ(0, ka_transition(self->kadev, KEEPALIVE_EV_STOP, &t))
			TH_LOG("STOP failed in %s: %d", t.participant, t.error);
	tp[3] = rdtsc();
	/* The host's TSC runs on across the kexec: the phases' clock. */
	TH_LOG("KVM-T1 t0=%llu t1=%llu t2=%llu t3=%llu",
	       tp[0], tp[1], tp[2], tp[3]);
}

/* Stage 1: the guest does I/O; the update pauses it, saves, keeps. */
TEST_F_TIMEOUT(kq, update, 240)
{
	struct kvmm *v = &self->v;

	if (kt_stage() != 1)
		SKIP(return, "stage 1 only");
	if (variant->hello)
		SKIP(return, "not scenario hello");
	ASSERT_EQ(0, kt_find_pci(0x1b36, 0x0010, 0, v->bdf, sizeof(v->bdf)));
	ASSERT_LE(0, nvme_vfio_bind(v->bdf));
	ASSERT_EQ(0, kvmm_files(v, true));
	kvmm_build(v, guest_code);
	gcfg.nocheck = variant->slow;
	gcfg.timeout_ms = variant->slow ? 20000 : 5000;
	ASSERT_EQ(0, nvme_vfio_dev_open(&v->vdev, v->bdf, false));
	ASSERT_EQ(0, kvmm_map_bar(v));
	if (variant->preserved)
		ASSERT_EQ(0, kvmm_ram_to_file(v, v->ram_fd, true));
	ASSERT_EQ(0, kvmm_map_dma(v));
	/* Pinned for the device's DMA, the RAM file cannot be destroyed. */
	if (variant->preserved)
		ASSERT_EQ(-EBUSY, ka_memfd_destroy(self->kadev, "kvm-ram", v->token));
	ASSERT_EQ(0, kvmm_irqfd(v));
	sync_global_to_guest(v->vm, gcfg);
	if (variant->keep)
		ASSERT_EQ(0, kvmm_keep(v));

	kvmm_handover(_metadata, self, variant);
}

/* Stage 2: a new VMM rebuilds the VM and resumes it; the guest goes on. */
TEST_F_TIMEOUT(kq, guest_resumes, 240)
{
	struct kvmm *v = &self->v;
	struct keepalive_transition t;
	unsigned long long tp[10], khz;
	uint64_t away, ops, irqs, more;
	char name[128];
	struct glog *gl;
	uint32_t pba;

	if (kt_stage() < 2)
		SKIP(return, "stage 2 and later only");
	if (variant->hello || variant->cold)
		SKIP(return, "not scenario hello or cold");
	tp[4] = rdtsc();
	ASSERT_EQ(0, kt_find_pci(0x1b36, 0x0010, 0, v->bdf, sizeof(v->bdf)));
	ASSERT_EQ(0, kvmm_files(v, false));
	kvmm_build(v, guest_code);
	if (variant->plain_open) {
		ASSERT_LE(0, nvme_vfio_bind(v->bdf));
		snprintf(name, sizeof(name), "%s", v->bdf);
	} else {
		ka_reclaim_name(v->bdf, v->token, name, sizeof(name));
	}
	tp[5] = rdtsc();
	ASSERT_EQ(0, nvme_vfio_dev_open(&v->vdev, name, false));
	ASSERT_EQ(0, kvmm_map_bar(v));
	ASSERT_EQ(0, kvmm_ram_to_file(v, v->ram_fd, false));
	ASSERT_EQ(0, kvmm_map_dma(v));
	tp[6] = rdtsc();
	ASSERT_EQ(0, kvmm_load(v, &away));
	tp[7] = rdtsc();
	/* Held in the device until its vectors are armed again. */
	ASSERT_EQ(0, kvmm_pba(v, &pba));
	ASSERT_EQ(0, kvmm_irqfd(v));
	gl = kvmm_log(v);
	ops = gl->ops;
	irqs = gl->irqs;
	ASSERT_EQ(1, gl->inflight);
	TH_LOG("VMM away %llu ms; the guest had done %lu commands",
	       (unsigned long long)(away / v->tsc_khz), ops);
	TH_LOG("PBA %#x at the re-arm: vector 1 %s", pba,
	       pba & 2 ? "held an interrupt across the kexec" : "had nothing pending");
	if (variant->slow)
		ASSERT_NE(0, pba & 2) TH_LOG("the command in flight raised no held interrupt");
	more = variant->slow ? 2 : KVM_OPS_AFTER;
	gl->target = ops + more;
	kvm_ticker(20);
	tp[8] = rdtsc();
	ASSERT_EQ(0, kvmm_run_until(v, ops + 1, 120));
	tp[9] = rdtsc();
	ASSERT_EQ(0, kvmm_run_until(v, ops + more, 120));
	khz = v->tsc_khz;
	kvmm_report(tp, khz, gl->max_gap_tsc / khz);
	ASSERT_EQ(3, gl->admin_cmds) TH_LOG("the guest issued admin commands");
	ASSERT_EQ(gl->ops, gl->irqs)
		TH_LOG("%lu commands, %lu interrupts", gl->ops, gl->irqs);
	/* Its log: every command in order, each successful, none lost. */
	for (uint64_t n = gl->ops > KVM_LOG_LEN ? gl->ops - KVM_LOG_LEN : 0;
	     n < gl->ops; n++) {
		struct glog_ent *e = &gl->ent[n % KVM_LOG_LEN];

		ASSERT_EQ(n, e->op);
		ASSERT_EQ(0, e->status) TH_LOG("command %lu: status %#x", n, e->status);
	}
	TH_LOG("the guest went on: %lu commands, %lu interrupts after the resume, no admin command",
	       gl->ops - ops, gl->irqs - irqs);
	TH_LOG("guest-visible pause: %llu ms (its longest gap, before its command %lu)",
	       (unsigned long long)(gl->max_gap_tsc / v->tsc_khz), gl->max_gap_op);
	TH_LOG("host: %llu ms from the save to the first command after the resume",
	       (tp[9] - v->saved_tsc) / khz);
	ASSERT_EQ(0, ka_transition(self->kadev, KEEPALIVE_EV_POST_RESUME, &t))
		TH_LOG("POST-RESUME failed in %s: %d", t.participant, t.error);
	ASSERT_EQ(0, ka_transition(self->kadev, KEEPALIVE_EV_CONCLUDE, &t));
	gl->target = gl->ops + (variant->slow ? 1 : 6);
	ASSERT_EQ(0, kvmm_run_until(v, gl->target, 60));
	if (kt_is_last_stage())
		return;
	/* More kexecs (--stages N): the same guest is handed over again. */
	ASSERT_EQ(0, kvmm_keep(v));
	kvmm_handover(_metadata, self, variant);
}

/*
 * Stage 2, cold: what a VMM without keepalive does after the kexec: a new
 * guest on the same controller (reset, its driver starts over), to its
 * first command; the figure keepalive's pause is compared with.
 */
TEST_F_TIMEOUT(kq, cold_restart, 240)
{
	struct kvmm *v = &self->v;
	unsigned long long tp[10];
	struct glog *gl;

	if (kt_stage() != 2)
		SKIP(return, "stage 2 only");
	if (!variant->cold)
		SKIP(return, "scenario cold only");
	tp[4] = rdtsc();
	ASSERT_EQ(0, kt_find_pci(0x1b36, 0x0010, 0, v->bdf, sizeof(v->bdf)));
	ASSERT_LE(0, nvme_vfio_bind(v->bdf));
	kvmm_build(v, guest_code);
	tp[5] = rdtsc();
	ASSERT_EQ(0, nvme_vfio_dev_open(&v->vdev, v->bdf, false));
	ASSERT_EQ(0, kvmm_map_bar(v));
	ASSERT_EQ(0, kvmm_map_dma(v));
	tp[6] = rdtsc();
	ASSERT_EQ(0, kvmm_irqfd(v));
	sync_global_to_guest(v->vm, gcfg);
	tp[7] = rdtsc();
	kvm_ticker(20);
	ASSERT_EQ(0, kvmm_run_until(v, 1, 120));
	tp[9] = rdtsc();
	gl = kvmm_log(v);
	kvmm_report(tp, v->tsc_khz, 0);
	ASSERT_EQ(3, gl->admin_cmds);
	TH_LOG("a new guest: its controller set up again (%lu admin commands), first I/O done",
	       gl->admin_cmds);
}

int main(int argc, char **argv)
{
	return kt_harness_run(argc, argv, "keep");
}
