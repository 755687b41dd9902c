// SPDX-License-Identifier: GPL-2.0
/*
 * kt_kexec - load a kernel with kexec_file_load() and reboot into it.
 *
 * Usage: kt_kexec KERNEL INITRD CMDLINE
 *
 * The guest's /init uses it to move to the next test stage. It is a static
 * binary of its own so that the initramfs needs no kexec-tools and no
 * shared libraries.
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/reboot.h>
#include <stdio.h>
#include <string.h>
#include <sys/reboot.h>
#include <sys/syscall.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	int kfd, ifd;

	if (argc != 4) {
		fprintf(stderr, "usage: %s KERNEL INITRD CMDLINE\n", argv[0]);
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
	sync();
	reboot(LINUX_REBOOT_CMD_KEXEC);
	fprintf(stderr, "kt_kexec: reboot(KEXEC): %s\n", strerror(errno));
	return 1;
}
