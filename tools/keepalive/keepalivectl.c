// SPDX-License-Identifier: GPL-2.0-only
/*
 * keepalivectl - drive a kexec device keepalive host update
 *
 * keepalivectl status [--json]
 * keepalivectl update KERNEL [--initrd FILE] [--append ARGS | --reuse-cmdline]
 *                     [--pre-stop CMD] [--kexec PATH] [--no-exec]
 * keepalivectl abort
 * keepalivectl decode [outgoing | incoming | FILE]
 *
 * Only the existing uAPI: /sys/kernel/keepalive/, the /dev/keepalive ioctls
 * (include/uapi/linux/keepalive.h) and the debugfs images. See usage() or
 * Documentation/keepalive/keepalivectl.rst.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <libfdt.h>
#include <linux/keepalive.h>
#include <linux/keepalive/abi/core.h>
#include <linux/keepalive/abi/vfio.h>

#define KA_DEV		"/dev/keepalive"
#define KA_SYSFS	"/sys/kernel/keepalive/"
#define KA_DEBUGFS	"/sys/kernel/debug/keepalive/"
#define KEXEC_LOADED	"/sys/kernel/kexec_loaded"
#define MAX_FILES	256
#define MAX_DEVS	64

static const char *prog = "keepalivectl";
/* The signal that interrupted an update, 0 if none; set by on_signal(). */
static atomic_int interrupted;

static const char manual[] =
	"NAME\n"
	"    keepalivectl - drive a kexec device keepalive host kernel update\n"
	"\n"
	"SYNOPSIS\n"
	"    keepalivectl status [--json]\n"
	"    keepalivectl update KERNEL [--initrd FILE] [--append ARGS | --reuse-cmdline]\n"
	"                        [--pre-stop CMD] [--kexec PATH] [--no-exec]\n"
	"    keepalivectl abort\n"
	"    keepalivectl decode [outgoing | incoming | FILE]\n"
	"    keepalivectl --help\n"
	"\n"
	"DESCRIPTION\n"
	"    Kexec device keepalive keeps vfio-pci devices that their VMMs marked\n"
	"    (VFIO_DEVICE_FEATURE_KEEPALIVE) running across a kexec, with memory\n"
	"    preserved in files of /dev/keepalive. keepalivectl is the admin's side\n"
	"    of it: it shows the state and walks the handover state machine.\n"
	"\n"
	"COMMANDS\n"
	"    status     The state, what became of the incoming handover, the pool,\n"
	"               the preserved files, the kept devices and the last error.\n"
	"               Kept devices are listed from the handover image: the\n"
	"               outgoing one in STOP, the incoming one after a kexec. A\n"
	"               marked device is not listed before STOP (only its VMM knows\n"
	"               it is marked). --json prints one JSON object instead.\n"
	"\n"
	"    update     Load KERNEL with 'kexec -s' (kexec_file_load; kexec -c\n"
	"               does not pass the keepalive pool on), then walk PREPARE,\n"
	"               PRE-STOP and STOP, printing each step, then run 'kexec -e'.\n"
	"               On any failure before 'kexec -e', and on SIGINT or SIGTERM\n"
	"               (Ctrl-C), it requests ABORT, so that every participant\n"
	"               undoes what it did and the state is 'running' again, unloads\n"
	"               the loaded kernel and exits non-zero. Once STOP is reached\n"
	"               and 'kexec -e' started, signals are ignored: that is the\n"
	"               point of no return.\n"
	"\n"
	"               --initrd FILE     initramfs of the next kernel\n"
	"               --append ARGS     its command line (default: this kernel's,\n"
	"                                 kexec --reuse-cmdline)\n"
	"               --reuse-cmdline   the same, explicitly\n"
	"               --pre-stop CMD    run 'sh -c CMD' once PRE-STOP is reached,\n"
	"                                 e.g. to have VMMs save their state into\n"
	"                                 their preserved files; a non-zero exit\n"
	"                                 aborts\n"
	"               --kexec PATH      the kexec binary (default: kexec in PATH,\n"
	"                                 from kexec-tools)\n"
	"               --no-exec         stop in STOP with the kernel loaded, for\n"
	"                                 'systemctl kexec' or 'kexec -e' later\n"
	"                                 ('keepalivectl abort' undoes it)\n"
	"\n"
	"    abort      Request ABORT from PREPARE, PRE-STOP or STOP: every\n"
	"               participant undoes its work in reverse order and the state\n"
	"               is 'running'. Marked vfio devices are unmarked.\n"
	"\n"
	"    decode     Decode and validate a handover image with kadecode (found\n"
	"               next to keepalivectl, or in PATH): 'outgoing' (readable in\n"
	"               STOP), 'incoming' (the one this kernel accepted), or a FILE\n"
	"               saved from either. Default: outgoing in STOP, else incoming.\n"
	"\n"
	"ERRORS\n"
	"    A failed step names the participant that failed and its errno, as\n"
	"    the kernel reports them (KEEPALIVE_IOC_TRANSITION), for example\n"
	"    'stop failed: participant vfio: EIO (errno 5)'.\n"
	"\n"
	"EXIT STATUS\n"
	"    0 success; 1 failure (for update: aborted, state running again);\n"
	"    2 usage error; 3 the abort itself failed (state printed);\n"
	"    130 interrupted and aborted.\n"
	"\n"
	"FILES\n"
	"    /sys/kernel/keepalive/, /dev/keepalive, /sys/kernel/debug/keepalive/\n"
	"    (debugfs must be mounted for the kept devices and decode).\n"
	"\n"
	"SEE ALSO\n"
	"    kexec(8), kadecode, Documentation/keepalive/keepalivectl.rst\n";

static const char *errname(int err)
{
	const char *n = strerrorname_np(err < 0 ? -err : err);

	return n ? n : "E?";
}

static int read_line(const char *path, char *buf, size_t len)
{
	FILE *f = fopen(path, "r");
	int ret = 0;

	if (!f)
		return -errno;
	if (!fgets(buf, (int)len, f))
		ret = ferror(f) ? -EIO : -ENODATA;
	fclose(f);
	if (!ret)
		buf[strcspn(buf, "\n")] = 0;
	return ret;
}

static int sysfs_line(const char *attr, char *buf, size_t len)
{
	char path[128];

	snprintf(path, sizeof(path), KA_SYSFS "%s", attr);
	return read_line(path, buf, len);
}

static long long sysfs_num(const char *attr, long long dflt)
{
	char buf[64];

	return sysfs_line(attr, buf, sizeof(buf)) ? dflt :
	       strtoll(buf, NULL, 0);
}

static void *read_file(const char *path, size_t *size)
{
	size_t len = 0, cap = 0, n;
	char *buf = NULL, *p;
	FILE *f = fopen(path, "rb");

	if (!f)
		return NULL;
	do {
		if (len == cap) {
			cap = cap ? 2 * cap : 65536;
			p = realloc(buf, cap);
			if (!p) {
				free(buf);
				fclose(f);
				errno = ENOMEM;
				return NULL;
			}
			buf = p;
		}
		n = fread(buf + len, 1, cap - len, f);
		len += n;
	} while (n);
	if (ferror(f)) {
		free(buf);
		fclose(f);
		errno = EIO;
		return NULL;
	}
	fclose(f);
	*size = len;
	return buf;
}

struct kept_dev {
	unsigned int seg, bus, devfn;
	unsigned int vendor, device, class;
};

/*
 * The vfio records of a handover image snapshot (debugfs layout: header
 * area, then the payload FDT). Not a validation: kadecode does that.
 * Return: the number of devices, or a negative errno.
 */
static int image_devices(const char *path, struct kept_dev *d, int max)
{
	size_t size;
	char *snap = read_file(path, &size);
	const void *fdt;
	int node, sub, n = 0;

	if (!snap)
		return -errno;
	if (size <= KEEPALIVE_HDR_AREA ||
	    fdt_check_header(snap + KEEPALIVE_HDR_AREA) ||
	    fdt_totalsize(snap + KEEPALIVE_HDR_AREA) > size - KEEPALIVE_HDR_AREA) {
		free(snap);
		return -EBADMSG;
	}
	fdt = snap + KEEPALIVE_HDR_AREA;
	node = fdt_subnode_offset(fdt, 0, KEEPALIVE_VFIO_NODE);
	if (node >= 0) {
		fdt_for_each_subnode(sub, fdt, node) {
			char canon[KEEPALIVE_PCI_NODE_NAME_MAX];
			struct keepalive_vfio_state st;
			const char *name;
			unsigned int sbdf;
			const void *p;
			int len;

			if (n == max)
				break;
			/* "pci@<sbdf>" (abi/core.h), in its one spelling */
			name = fdt_get_name(fdt, sub, NULL);
			if (!name || sscanf(name, KEEPALIVE_PCI_NODE_PREFIX "%x",
					    &sbdf) != 1)
				continue;
			snprintf(canon, sizeof(canon), KEEPALIVE_PCI_NODE_PREFIX "%x",
				 sbdf);
			if (strcmp(canon, name))
				continue;
			d[n].seg = sbdf >> 16;
			d[n].bus = sbdf >> 8 & 0xff;
			d[n].devfn = sbdf & 0xff;
			d[n].vendor = 0;
			d[n].device = 0;
			d[n].class = 0;
			p = fdt_getprop(fdt, sub, KEEPALIVE_VFIO_PROP_STATE, &len);
			if (p && len == sizeof(st)) {
				memcpy(&st, p, sizeof(st));
				d[n].vendor = be32toh(st.vendor_device) >> 16;
				d[n].device = be32toh(st.vendor_device) & 0xffff;
				d[n].class = be32toh(st.class);
			}
			n++;
		}
	}
	free(snap);
	return n;
}

static void json_str(const char *s)
{
	putchar('"');
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;

		if (c == '"' || c == '\\')
			printf("\\%c", c);
		else if (c < 0x20)
			printf("\\u%04x", c);
		else
			putchar(c);
	}
	putchar('"');
}

static int list_files(int dev, struct keepalive_memfd_info *info, int max)
{
	struct keepalive_memfd_list l = {
		.nr = (__u32)max,
		.entries = (uintptr_t)info,
	};

	if (ioctl(dev, KEEPALIVE_IOC_MEMFD_LIST, &l))
		return -errno;
	return l.nr < (__u32)max ? (int)l.nr : max;
}

static int cmd_status(bool json)
{
	static struct keepalive_memfd_info files[MAX_FILES];
	struct kept_dev devs[MAX_DEVS];
	char state[32], handover[256], last[128], lpart[64] = "";
	const char *src = NULL, *img = NULL;
	int nfiles = -1, ndevs = 0, dev, lerr = 0, i;
	long long loaded;

	if (sysfs_line("state", state, sizeof(state))) {
		fprintf(stderr, "%s: %s: %s (is this a kernel with CONFIG_KEEPALIVE?)\n",
			prog, KA_SYSFS "state", strerror(errno));
		return 1;
	}
	if (sysfs_line("handover", handover, sizeof(handover)))
		handover[0] = 0;
	if (!sysfs_line("last_error", last, sizeof(last)))
		sscanf(last, "%d %63s", &lerr, lpart);
	if (!strcmp(lpart, "-"))
		lpart[0] = 0;
	dev = open(KA_DEV, O_RDONLY | O_CLOEXEC);
	if (dev >= 0) {
		nfiles = list_files(dev, files, MAX_FILES);
		close(dev);
	} else {
		nfiles = -errno;
	}
	if (!strcmp(state, "stop")) {
		img = KA_DEBUGFS "outgoing";
		src = "outgoing image (recorded at STOP)";
	} else if (sysfs_num("generation", 0) > 0) {
		img = KA_DEBUGFS "incoming";
		src = "incoming image (handed over by the previous kernel)";
	}
	if (img)
		ndevs = image_devices(img, devs, MAX_DEVS);
	loaded = 0;
	{
		char b[16];

		if (!read_line(KEXEC_LOADED, b, sizeof(b)))
			loaded = atoll(b);
	}

	if (json) {
		printf("{\"state\": ");
		json_str(state);
		printf(", \"handover\": ");
		json_str(handover);
		printf(", \"generation\": %lld", sysfs_num("generation", 0));
		printf(", \"pool\": {\"phys\": %lld, \"size\": %lld, "
		       "\"used\": %lld, \"objects\": %lld}",
		       sysfs_num("pool_phys", -1), sysfs_num("pool_size", 0),
		       sysfs_num("pool_used", 0), sysfs_num("pool_objects", 0));
		printf(", \"files\": ");
		if (nfiles < 0) {
			printf("null");
		} else {
			printf("[");
			for (i = 0; i < nfiles; i++) {
				printf("%s{\"name\": ", i ? ", " : "");
				json_str(files[i].name);
				unsigned int fl = files[i].flags;

				printf(", \"length\": %llu, \"phys\": %llu, "
				       "\"incoming\": %s, \"retrieved\": %s}",
				       (unsigned long long)files[i].length,
				       (unsigned long long)files[i].phys,
				       fl & KEEPALIVE_MEMFD_INCOMING ? "true" : "false",
				       fl & KEEPALIVE_MEMFD_RETRIEVED ? "true" : "false");
			}
			printf("]");
		}
		printf(", \"kept_devices\": {\"source\": ");
		if (img)
			json_str(strstr(img, "outgoing") ? "outgoing" : "incoming");
		else
			printf("null");
		printf(", \"error\": ");
		if (ndevs < 0)
			json_str(errname(ndevs));
		else
			printf("null");
		printf(", \"devices\": [");
		for (i = 0; i < ndevs; i++)
			printf("%s{\"bdf\": \"%04x:%02x:%02x.%u\", "
			       "\"vendor\": \"%04x\", \"device\": \"%04x\", "
			       "\"class\": \"%06x\"}",
			       i ? ", " : "", devs[i].seg, devs[i].bus,
			       devs[i].devfn >> 3, devs[i].devfn & 7,
			       devs[i].vendor, devs[i].device, devs[i].class);
		printf("]}, \"last_error\": {\"errno\": %d, \"name\": ", lerr);
		if (lerr)
			json_str(errname(lerr));
		else
			printf("null");
		printf(", \"participant\": ");
		if (lpart[0])
			json_str(lpart);
		else
			printf("null");
		printf("}, \"kexec_loaded\": %s}\n", loaded ? "true" : "false");
		return 0;
	}

	printf("state:        %s\n", state);
	printf("handover:     %s\n", handover[0] ? handover : "(unknown)");
	printf("generation:   %lld\n", sysfs_num("generation", 0));
	if (sysfs_num("pool_size", 0) > 0)
		printf("pool:         %lld MiB at %#llx, %lld bytes used, %lld object(s)\n",
		       sysfs_num("pool_size", 0) >> 20,
		       (unsigned long long)sysfs_num("pool_phys", 0),
		       sysfs_num("pool_used", 0), sysfs_num("pool_objects", 0));
	else
		printf("pool:         none (boot with keepalive.pool=SIZE)\n");
	if (nfiles < 0) {
		printf("files:        %lld (list: %s: %s)\n", sysfs_num("files", 0),
		       KA_DEV, strerror(-nfiles));
	} else {
		printf("files:        %d\n", nfiles);
		for (i = 0; i < nfiles; i++)
			printf("  %-32s %llu bytes at %#llx%s%s\n", files[i].name,
			       (unsigned long long)files[i].length,
			       (unsigned long long)files[i].phys,
			       files[i].flags & KEEPALIVE_MEMFD_INCOMING ? ", incoming" : "",
			       files[i].flags & KEEPALIVE_MEMFD_RETRIEVED ? ", retrieved" : "");
	}
	if (!img)
		printf("kept devices: none recorded (devices are recorded at STOP)\n");
	else if (ndevs < 0)
		printf("kept devices: unknown: %s: %s (is debugfs mounted?)\n",
		       img, errname(ndevs));
	else
		printf("kept devices: %d, from the %s\n", ndevs, src);
	for (i = 0; i < ndevs; i++)
		printf("  %04x:%02x:%02x.%u %04x:%04x class %06x\n", devs[i].seg,
		       devs[i].bus, devs[i].devfn >> 3, devs[i].devfn & 7,
		       devs[i].vendor, devs[i].device, devs[i].class);
	if (lerr)
		printf("last error:   %s (errno %d)%s%s\n", errname(lerr), -lerr,
		       lpart[0] ? ", participant " : "", lpart);
	else
		printf("last error:   none\n");
	printf("kexec:        %s\n", loaded ? "a kernel is loaded" : "no kernel loaded");
	return 0;
}

/* Run argv, or "sh -c CMD" when argv is NULL; its exit status, or -1. */
static int run(char *const argv[], const char *cmd)
{
	int status;
	pid_t pid;

	fflush(stdout);
	fflush(stderr);
	pid = fork();
	if (pid < 0)
		return -1;
	if (!pid) {
		signal(SIGINT, SIG_DFL);
		signal(SIGTERM, SIG_DFL);
		if (cmd)
			execl("/bin/sh", "sh", "-c", cmd, (char *)NULL);
		else
			execvp(argv[0], argv);
		fprintf(stderr, "%s: %s: %s\n", prog, cmd ? "/bin/sh" : argv[0],
			strerror(errno));
		_exit(127);
	}
	while (waitpid(pid, &status, 0) < 0) {
		if (errno != EINTR)
			return -1;
	}
	if (WIFEXITED(status))
		return WEXITSTATUS(status);
	return 128 + WTERMSIG(status);
}

static long long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000LL + ts.tv_nsec / 1000000;
}

static const char *const ev_word[] = {
	[KEEPALIVE_EV_PREPARE] = "prepare",
	[KEEPALIVE_EV_PRE_STOP] = "pre-stop",
	[KEEPALIVE_EV_STOP] = "stop",
	[KEEPALIVE_EV_ABORT] = "abort",
};

/* Why STOP refuses with these errnos (kho/bootnote.c). */
static const char stop_unfit[] =
	": the loaded kernel cannot receive the handover (the kernel log says why)";

/* One transition by ioctl; on failure, say who failed and with what. */
static int transition(int dev, enum keepalive_event ev)
{
	struct keepalive_transition t = { .event = ev };
	int err;

	if (!ioctl(dev, KEEPALIVE_IOC_TRANSITION, &t))
		return 0;
	err = errno;
	if (t.participant[0]) {
		t.participant[sizeof(t.participant) - 1] = 0;
		fprintf(stderr, "%s: %s failed: participant %s: %s (errno %d)\n",
			prog, ev_word[ev], t.participant,
			errname(t.error ? t.error : err),
			t.error ? -t.error : err);
	} else {
		fprintf(stderr, "%s: %s failed: keepalive core: %s (errno %d)%s\n",
			prog, ev_word[ev], errname(err), err,
			err == EINVAL ? ": not allowed in this state" :
			err == ENODEV ? ": no keepalive pool" :
			ev == KEEPALIVE_EV_STOP &&
			(err == ENOEXEC || err == EPROTO || err == EPERM) ?
			stop_unfit : "");
	}
	return -err;
}

static int cmd_abort(void)
{
	char state[32] = "?";
	int dev, ret;

	dev = open(KA_DEV, O_RDWR | O_CLOEXEC);
	if (dev < 0) {
		fprintf(stderr, "%s: %s: %s\n", prog, KA_DEV, strerror(errno));
		return 1;
	}
	sysfs_line("state", state, sizeof(state));
	if (strcmp(state, "prepare") && strcmp(state, "pre-stop") &&
	    strcmp(state, "stop")) {
		printf("%s: nothing to abort: state is %s\n", prog, state);
		close(dev);
		return 0;
	}
	ret = transition(dev, KEEPALIVE_EV_ABORT);
	close(dev);
	sysfs_line("state", state, sizeof(state));
	if (ret)
		return 3;
	printf("%s: aborted: state %s\n", prog, state);
	return 0;
}

static void on_signal(int sig)
{
	interrupted = sig;
}

struct update_opts {
	const char *kernel, *initrd, *append, *pre_stop, *kexec;
	bool no_exec;
};

/* The failure path: ABORT, unload the kernel, say where things are. */
static int update_abort(int dev, const struct update_opts *o, bool loaded,
			int why)
{
	char state[32] = "?";
	int ret = 0;

	if (interrupted)
		fprintf(stderr, "%s: interrupted by signal %d\n", prog,
			(int)interrupted);
	sysfs_line("state", state, sizeof(state));
	if (!strcmp(state, "prepare") || !strcmp(state, "pre-stop") ||
	    !strcmp(state, "stop")) {
		printf("%s: abort (from %s) ...\n", prog, state);
		ret = transition(dev, KEEPALIVE_EV_ABORT);
		sysfs_line("state", state, sizeof(state));
	}
	if (loaded) {
		char *argv[4] = { (char *)o->kexec, "-s", "-u", NULL };

		if (run(argv, NULL))
			fprintf(stderr, "%s: %s -s -u failed: the next kernel stays loaded\n",
				prog, o->kexec);
	}
	if (ret) {
		fprintf(stderr, "%s: abort failed: state %s\n", prog, state);
		return 3;
	}
	printf("%s: aborted: state %s, nothing handed over%s\n", prog, state,
	       loaded ? ", next kernel unloaded" : "");
	return why;
}

static int cmd_update(const struct update_opts *o)
{
	static const enum keepalive_event steps[] = {
		KEEPALIVE_EV_PREPARE, KEEPALIVE_EV_PRE_STOP, KEEPALIVE_EV_STOP,
	};
	char *argv[12], state[32] = "?", *cmdline = NULL;
	struct sigaction sa = { .sa_handler = on_signal };
	bool loaded = false;
	int dev, i, n = 0, rc;
	long long t0;

	if (access(o->kernel, R_OK)) {
		fprintf(stderr, "%s: %s: %s\n", prog, o->kernel, strerror(errno));
		return 1;
	}
	if (o->initrd && access(o->initrd, R_OK)) {
		fprintf(stderr, "%s: %s: %s\n", prog, o->initrd, strerror(errno));
		return 1;
	}
	dev = open(KA_DEV, O_RDWR | O_CLOEXEC);
	if (dev < 0) {
		fprintf(stderr, "%s: %s: %s\n", prog, KA_DEV, strerror(errno));
		return 1;
	}
	if (sysfs_line("state", state, sizeof(state)) || strcmp(state, "running")) {
		fprintf(stderr, "%s: state is %s, not running: "
			"a handover is under way (keepalivectl abort?)\n",
			prog, state);
		close(dev);
		return 1;
	}
	if (sysfs_num("pool_size", 0) <= 0) {
		fprintf(stderr, "%s: no keepalive pool: boot with keepalive.pool=SIZE\n",
			prog);
		close(dev);
		return 1;
	}
	/* From here on, Ctrl-C and SIGTERM abort instead of killing us. */
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);

	argv[n++] = (char *)o->kexec;
	argv[n++] = "-s";
	argv[n++] = "-l";
	argv[n++] = (char *)o->kernel;
	if (o->initrd) {
		if (asprintf(&argv[n++], "--initrd=%s", o->initrd) < 0)
			return update_abort(dev, o, loaded, 1);
	}
	if (o->append) {
		if (asprintf(&cmdline, "--append=%s", o->append) < 0)
			return update_abort(dev, o, loaded, 1);
		argv[n++] = cmdline;
	} else {
		argv[n++] = "--reuse-cmdline";
	}
	argv[n] = NULL;
	printf("%s: [1/5] load %s with %s -s (kexec_file_load) ...\n", prog,
	       o->kernel, o->kexec);
	t0 = now_ms();
	rc = run(argv, NULL);
	if (rc) {
		fprintf(stderr, "%s: loading the next kernel failed: %s exited %d\n",
			prog, o->kexec, rc);
		return update_abort(dev, o, false, interrupted ? 130 : 1);
	}
	loaded = true;
	printf("%s: [1/5] loaded (%lld ms)\n", prog, now_ms() - t0);

	for (i = 0; i < 3; i++) {
		if (interrupted)
			return update_abort(dev, o, loaded, 130);
		printf("%s: [%d/5] %s ...\n", prog, i + 2, ev_word[steps[i]]);
		t0 = now_ms();
		if (transition(dev, steps[i]))
			return update_abort(dev, o, loaded, interrupted ? 130 : 1);
		sysfs_line("state", state, sizeof(state));
		printf("%s: [%d/5] %s done: state %s (%lld ms)\n", prog, i + 2,
		       ev_word[steps[i]], state, now_ms() - t0);
		if (steps[i] == KEEPALIVE_EV_PRE_STOP && o->pre_stop) {
			printf("%s: pre-stop hook: %s\n", prog, o->pre_stop);
			rc = run(NULL, o->pre_stop);
			if (rc) {
				fprintf(stderr, "%s: pre-stop hook failed: exit status %d\n",
					prog, rc);
				return update_abort(dev, o, loaded,
						    interrupted ? 130 : 1);
			}
		}
	}
	if (interrupted)
		return update_abort(dev, o, loaded, 130);
	if (o->no_exec) {
		printf("%s: state stop, next kernel loaded: run 'kexec -e' "
		       "(or 'systemctl kexec'), or 'keepalivectl abort'\n", prog);
		close(dev);
		return 0;
	}
	/* The point of no return: nothing interrupts the kexec now. */
	signal(SIGINT, SIG_IGN);
	signal(SIGTERM, SIG_IGN);
	signal(SIGHUP, SIG_IGN);
	printf("%s: [5/5] point of no return: %s -e\n", prog, o->kexec);
	argv[0] = (char *)o->kexec;
	argv[1] = "-e";
	argv[2] = NULL;
	rc = run(argv, NULL);
	/* Still here: the kexec did not happen. */
	fprintf(stderr, "%s: %s -e returned %d: no kexec\n", prog, o->kexec, rc);
	return update_abort(dev, o, loaded, 1);
}

/* kadecode next to this program, else in PATH. */
static int cmd_decode(const char *what)
{
	char self[PATH_MAX], path[PATH_MAX + 32], state[32] = "";
	const char *img = what, *names[] = { "kadecode", "kadecode.static" };
	char *argv[3] = { NULL, NULL, NULL };
	ssize_t len;
	size_t i;

	if (!img) {
		sysfs_line("state", state, sizeof(state));
		img = strcmp(state, "stop") ? "incoming" : "outgoing";
	}
	if (!strcmp(img, "outgoing"))
		img = KA_DEBUGFS "outgoing";
	else if (!strcmp(img, "incoming"))
		img = KA_DEBUGFS "incoming";
	argv[1] = (char *)img;
	len = readlink("/proc/self/exe", self, sizeof(self) - 1);
	if (len > 0) {
		self[len] = 0;
		*strrchr(self, '/') = 0;
		for (i = 0; i < 2 && !argv[0]; i++) {
			snprintf(path, sizeof(path), "%s/%s", self, names[i]);
			if (!access(path, X_OK))
				argv[0] = path;
		}
	}
	if (!argv[0])
		argv[0] = "kadecode";
	fflush(stdout);
	execvp(argv[0], argv);
	fprintf(stderr, "%s: %s: %s\n", prog, argv[0], strerror(errno));
	return 2;
}

int main(int argc, char **argv)
{
	struct update_opts o = { .kexec = "kexec" };
	const char *cmd;
	int i;

	/* Progress and errors in the order they happen, even into a file. */
	setvbuf(stdout, NULL, _IOLBF, 0);
	if (argc < 2) {
		fputs(manual, stderr);
		return 2;
	}
	cmd = argv[1];
	if (!strcmp(cmd, "--help") || !strcmp(cmd, "-h") || !strcmp(cmd, "help")) {
		fputs(manual, stdout);
		return 0;
	}
	for (i = 2; i < argc; i++) {
		if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
			fputs(manual, stdout);
			return 0;
		}
	}
	if (!strcmp(cmd, "status")) {
		if (argc > 3 || (argc == 3 && strcmp(argv[2], "--json")))
			goto bad;
		return cmd_status(argc == 3);
	}
	if (!strcmp(cmd, "abort")) {
		if (argc != 2)
			goto bad;
		return cmd_abort();
	}
	if (!strcmp(cmd, "decode")) {
		if (argc > 3)
			goto bad;
		return cmd_decode(argc == 3 ? argv[2] : NULL);
	}
	if (strcmp(cmd, "update"))
		goto bad;
	for (i = 2; i < argc; i++) {
		const char *a = argv[i];
		bool more = i + 1 < argc;

		if (!strcmp(a, "--initrd") && more) {
			o.initrd = argv[++i];
		} else if (!strcmp(a, "--append") && more) {
			o.append = argv[++i];
		} else if (!strcmp(a, "--reuse-cmdline")) {
			o.append = NULL;
		} else if (!strcmp(a, "--pre-stop") && more) {
			o.pre_stop = argv[++i];
		} else if (!strcmp(a, "--kexec") && more) {
			o.kexec = argv[++i];
		} else if (!strcmp(a, "--no-exec")) {
			o.no_exec = true;
		} else if (a[0] != '-' && !o.kernel) {
			o.kernel = a;
		} else {
			fprintf(stderr, "%s: update: bad argument '%s'\n", prog, a);
			goto bad;
		}
	}
	if (!o.kernel)
		goto bad;
	return cmd_update(&o);
bad:
	fprintf(stderr, "usage: %s status [--json] | update KERNEL [options] | "
		"abort | decode [IMAGE]\n"
		"       (%s --help for the manual)\n", prog, prog);
	return 2;
}
