// SPDX-License-Identifier: GPL-2.0-only
/*
 * Kexec device keepalive: /sys/kernel/keepalive/
 * (Documentation/ABI/testing/sysfs-kernel-keepalive).
 */
#define pr_fmt(fmt) "keepalive: " fmt

#include <linux/init.h>
#include <linux/kobject.h>
#include <linux/sysfs.h>

#include "kho.h"

static DEFINE_MUTEX(last_lock);
static struct keepalive_result last;

static ssize_t state_show(struct kobject *kobj, struct kobj_attribute *attr,
			  char *buf)
{
	return sysfs_emit(buf, "%s\n", keepalive_state_name(keepalive_get_state()));
}

static ssize_t state_store(struct kobject *kobj, struct kobj_attribute *attr,
			   const char *buf, size_t count)
{
	struct keepalive_result res;
	enum keepalive_event ev;
	int ret;

	ret = keepalive_event_parse(buf, &ev);
	if (ret) {
		pr_warn("state: unknown event \"%.*s\"\n",
			(int)strcspn(buf, "\n"), buf);
		return ret;
	}
	ret = keepalive_transition(ev, &res);
	mutex_lock(&last_lock);
	last = res;
	mutex_unlock(&last_lock);
	return ret ?: count;
}

static struct kobj_attribute state_attr = __ATTR_RW_MODE(state, 0644);

static ssize_t last_error_show(struct kobject *kobj,
			       struct kobj_attribute *attr, char *buf)
{
	ssize_t ret;

	mutex_lock(&last_lock);
	ret = sysfs_emit(buf, "%d %s\n", last.error,
			 last.participant[0] ? last.participant : "-");
	mutex_unlock(&last_lock);
	return ret;
}

static struct kobj_attribute last_error_attr = __ATTR_RO(last_error);

#define POOL_ATTR(_name, _expr)						\
static ssize_t _name##_show(struct kobject *kobj,			\
			    struct kobj_attribute *attr, char *buf)	\
{									\
	struct keepalive_pool_usage u;					\
									\
	keepalive_pool_usage(&u);					\
	return sysfs_emit(buf, "%llu\n", (unsigned long long)(_expr));	\
}									\
static struct kobj_attribute _name##_attr = __ATTR_RO(_name)

static ssize_t pool_phys_show(struct kobject *kobj,
			      struct kobj_attribute *attr, char *buf)
{
	return sysfs_emit(buf, "%#llx\n", (u64)keepalive_pool_phys());
}

static struct kobj_attribute pool_phys_attr = __ATTR_RO_MODE(pool_phys, 0400);

POOL_ATTR(pool_size, u.size);
POOL_ATTR(pool_used, u.used);
POOL_ATTR(pool_objects, u.objects);

static ssize_t files_show(struct kobject *kobj, struct kobj_attribute *attr,
			  char *buf)
{
	return sysfs_emit(buf, "%u\n", keepalive_memfd_count());
}

static struct kobj_attribute files_attr = __ATTR_RO(files);

static ssize_t generation_show(struct kobject *kobj,
			       struct kobj_attribute *attr, char *buf)
{
	return sysfs_emit(buf, "%llu\n", keepalive_handover_generation());
}

static struct kobj_attribute generation_attr = __ATTR_RO(generation);

static ssize_t handover_show(struct kobject *kobj,
			     struct kobj_attribute *attr, char *buf)
{
	return sysfs_emit(buf, "%s\n", keepalive_handover_status());
}

static struct kobj_attribute handover_attr = __ATTR_RO(handover);

static struct attribute *keepalive_attrs[] = {
	&state_attr.attr,
	&last_error_attr.attr,
	&pool_phys_attr.attr,
	&pool_size_attr.attr,
	&pool_used_attr.attr,
	&pool_objects_attr.attr,
	&files_attr.attr,
	&generation_attr.attr,
	&handover_attr.attr,
	NULL,
};

static const struct attribute_group keepalive_group = {
	.attrs = keepalive_attrs,
};

static int __init keepalive_sysfs_init(void)
{
	struct kobject *kobj;
	int ret;

	kobj = kobject_create_and_add("keepalive", kernel_kobj);
	if (!kobj)
		return -ENOMEM;
	ret = sysfs_create_group(kobj, &keepalive_group);
	if (ret) {
		pr_err("cannot create /sys/kernel/keepalive: %d\n", ret);
		kobject_put(kobj);
	}
	return ret;
}
device_initcall(keepalive_sysfs_init);
