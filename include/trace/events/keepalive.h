/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Kexec device keepalive: the phases an operator times, as trace events.
 *
 * One event per transition of the state machine, per participant step
 * (its capture at PRE-STOP, its record at STOP, its resume, POST-RESUME
 * and CONCLUDE), for the sealed image, for the early receive of the
 * incoming one, and per kept device (the capture of each part at its
 * VMM's close, adoption at enumeration, reclaim by token). Every event
 * says how it ended (ret, an errno or 0) and, where it has one, how long
 * it took in nanoseconds of local_clock(), so that perf or trace-cmd on a
 * real host gives the same figures as scripts/blackout.sh in the VM.
 *
 * Events of the next kernel's boot (keepalive_receive, keepalive_adopt,
 * the resume steps) come before userspace: enable them on the command
 * line, "trace_event=keepalive:" (and "trace_clock=local" where the sched
 * clock is unstable, or the switch to the global clock at late_initcall
 * empties the buffer). keepalive_receive is emitted at
 * core_initcall with the figures keepalive_handover_early() measured in
 * setup_arch(), before the ring buffer existed.
 *
 * The format of each event is in tracefs (events/keepalive/NAME/format);
 * the fields are not an ABI of this subsystem beyond what tracefs
 * promises, but scripts/blackout.sh and the selftests parse them by name.
 */
#undef TRACE_SYSTEM
#define TRACE_SYSTEM keepalive

#if !defined(_TRACE_KEEPALIVE_H) || defined(TRACE_HEADER_MULTI_READ)
#define _TRACE_KEEPALIVE_H

#include <linux/tracepoint.h>
#include <linux/types.h>

/* A transition of the state machine, accepted (ret 0) or refused. */
TRACE_EVENT(keepalive_transition,
	TP_PROTO(const char *event, const char *from, const char *to, int ret,
		 u64 ns),
	TP_ARGS(event, from, to, ret, ns),
	TP_STRUCT__entry(
		__string(event, event)
		__string(from, from)
		__string(to, to)
		__field(int, ret)
		__field(u64, ns)
	),
	TP_fast_assign(
		__assign_str(event, event);
		__assign_str(from, from);
		__assign_str(to, to);
		__entry->ret = ret;
		__entry->ns = ns;
	),
	TP_printk("event=%s from=%s to=%s ret=%d ns=%llu", __get_str(event),
		  __get_str(from), __get_str(to), __entry->ret, __entry->ns)
);

/*
 * One participant's part of a transition or of the resume: "prepare",
 * "pre-stop" (its capture), "stop" (its record), "resume", "fallback",
 * "post-resume", "conclude".
 */
TRACE_EVENT(keepalive_step,
	TP_PROTO(const char *participant, const char *step, int ret, u64 ns),
	TP_ARGS(participant, step, ret, ns),
	TP_STRUCT__entry(
		__string(participant, participant)
		__string(step, step)
		__field(int, ret)
		__field(u64, ns)
	),
	TP_fast_assign(
		__assign_str(participant, participant);
		__assign_str(step, step);
		__entry->ret = ret;
		__entry->ns = ns;
	),
	TP_printk("participant=%s step=%s ret=%d ns=%llu",
		  __get_str(participant), __get_str(step), __entry->ret,
		  __entry->ns)
);

/* STOP sealed the outgoing image (or failed to): its size in bytes. */
TRACE_EVENT(keepalive_image_sealed,
	TP_PROTO(u32 bytes, int ret, u64 ns),
	TP_ARGS(bytes, ret, ns),
	TP_STRUCT__entry(
		__field(u32, bytes)
		__field(int, ret)
		__field(u64, ns)
	),
	TP_fast_assign(
		__entry->bytes = bytes;
		__entry->ret = ret;
		__entry->ns = ns;
	),
	TP_printk("bytes=%u ret=%d ns=%llu", __entry->bytes, __entry->ret,
		  __entry->ns)
);

/*
 * The next kernel accepted an incoming image in setup_arch(): its
 * generation, size and ranges, how many of them the pool could not hold,
 * and the time the pool's reservation and the copy and checks took.
 */
TRACE_EVENT(keepalive_receive,
	TP_PROTO(u64 generation, u32 bytes, u32 ranges, u32 unheld,
		 u64 reserve_ns, u64 validate_ns),
	TP_ARGS(generation, bytes, ranges, unheld, reserve_ns, validate_ns),
	TP_STRUCT__entry(
		__field(u64, generation)
		__field(u32, bytes)
		__field(u32, ranges)
		__field(u32, unheld)
		__field(u64, reserve_ns)
		__field(u64, validate_ns)
	),
	TP_fast_assign(
		__entry->generation = generation;
		__entry->bytes = bytes;
		__entry->ranges = ranges;
		__entry->unheld = unheld;
		__entry->reserve_ns = reserve_ns;
		__entry->validate_ns = validate_ns;
	),
	TP_printk("generation=%llu bytes=%u ranges=%u unheld=%u reserve_ns=%llu validate_ns=%llu",
		  __entry->generation, __entry->bytes, __entry->ranges,
		  __entry->unheld, __entry->reserve_ns, __entry->validate_ns)
);

/*
 * A participant captured its part of a kept device as its VMM closed it
 * (the DMA translation, then the interrupts).
 */
TRACE_EVENT(keepalive_device_hold,
	TP_PROTO(const char *dev, const char *part, int ret, u64 ns),
	TP_ARGS(dev, part, ret, ns),
	TP_STRUCT__entry(
		__string(dev, dev)
		__string(part, part)
		__field(int, ret)
		__field(u64, ns)
	),
	TP_fast_assign(
		__assign_str(dev, dev);
		__assign_str(part, part);
		__entry->ret = ret;
		__entry->ns = ns;
	),
	TP_printk("dev=%s part=%s ret=%d ns=%llu", __get_str(dev),
		  __get_str(part), __entry->ret, __entry->ns)
);

/*
 * A recorded device at PCI enumeration: adopted (why is "") or started
 * cold for the reason given.
 */
TRACE_EVENT(keepalive_adopt,
	TP_PROTO(const char *dev, const char *why, u64 ns),
	TP_ARGS(dev, why, ns),
	TP_STRUCT__entry(
		__string(dev, dev)
		__string(why, why)
		__field(u64, ns)
	),
	TP_fast_assign(
		__assign_str(dev, dev);
		__assign_str(why, why);
		__entry->ns = ns;
	),
	TP_printk("dev=%s adopted=%d why=\"%s\" ns=%llu", __get_str(dev),
		  !__get_str(why)[0], __get_str(why), __entry->ns)
);

/* The VMM opened an adopted device with its token (ret 0) or failed to. */
TRACE_EVENT(keepalive_reclaim,
	TP_PROTO(const char *dev, int ret),
	TP_ARGS(dev, ret),
	TP_STRUCT__entry(
		__string(dev, dev)
		__field(int, ret)
	),
	TP_fast_assign(
		__assign_str(dev, dev);
		__entry->ret = ret;
	),
	TP_printk("dev=%s ret=%d", __get_str(dev), __entry->ret)
);

#endif /* _TRACE_KEEPALIVE_H */

/* This part must be outside the include guard. */
#include <trace/define_trace.h>
