// SPDX-License-Identifier: GPL-2.0
/*
 * kt_kexec - load a kernel with kexec_file_load() and reboot into it.
 *
 * Usage: kt_kexec KERNEL INITRD CMDLINE [RESULTS]
 *        kt_kexec --exec [RESULTS]
 *
 * The guest's /init uses it to move to the next test stage. It is a static
 * binary of its own so that the initramfs needs no kexec-tools and no
 * shared libraries. With RESULTS (the results port), it reports the TSC
 * when it starts loading and right before the reboot, as
 * "KT: TSC load=N reboot=N", for benchmarks that split the time of a kexec
 * (the TSC runs on across kexec). With --exec, a program of the stage
 * loaded the next kernel already (ahead of what it measures, as an
 * operator would): only the reboot is made, and load= is when kt_kexec
 * started.
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/reboot.h>
#include <stdio.h>
#include <string.h>
#include <sys/reboot.h>
#include <sys/syscall.h>
#include <termios.h>
#include <unistd.h>

static void report(const char *port, unsigned long long load)
{
	unsigned long long now = __builtin_ia32_rdtsc();
	char line[96];
	int fd, n;

	fd = open(port, O_WRONLY | O_NOCTTY | O_CLOEXEC);
	if (fd < 0)
		return;
	n = snprintf(line, sizeof(line), "KT: TSC load=%llu reboot=%llu\n",
		     load, now);
	if (write(fd, line, n) != n)
		fprintf(stderr, "kt_kexec: %s: short write\n", port);
	tcdrain(fd);	/* on the wire before the kexec */
	close(fd);
}

/* The kexec itself: sync, report to @port (if any), reboot. */
static int kexec_now(const char *port, unsigned long long load)
{
	sync();
	if (port)
		report(port, load);
	reboot(LINUX_REBOOT_CMD_KEXEC);
	fprintf(stderr, "kt_kexec: reboot(KEXEC): %s\n", strerror(errno));
	return 1;
}

int main(int argc, char **argv)
{
	unsigned long long load = __builtin_ia32_rdtsc();
	int kfd, ifd;

	if (argc >= 2 && !strcmp(argv[1], "--exec") && argc <= 3)
		return kexec_now(argc == 3 ? argv[2] : NULL, load);
	if (argc != 4 && argc != 5) {
		fprintf(stderr, "usage: %s KERNEL INITRD CMDLINE [RESULTS]\n"
			"       %s --exec [RESULTS]\n", argv[0], argv[0]);
		return 2;
	}
	kfd = open(argv[1], O_RDONLY | O_CLOEXEC);
	if (kfd < 0) {
		fprintf(stderr, "kt_kexec: %s: %s\n", argv[1], strerror(errno));
		return 1;
	}
	ifd = open(argv[2], O_RDONLY | O_CLOEXEC);
	if (ifd < 0) {
		fprintf(stderr, "kt_kexec: %s: %s\n", argv[2], strerror(errno));
		return 1;
	}
	if (syscall(SYS_kexec_file_load, kfd, ifd, strlen(argv[3]) + 1,
		    argv[3], 0UL)) {
		fprintf(stderr, "kt_kexec: kexec_file_load: %s\n", strerror(errno));
		return 1;
	}
	return kexec_now(argc == 5 ? argv[4] : NULL, load);
}
