# SPDX-License-Identifier: GPL-2.0-only
#
# User targets. (kbuild reads ./Kbuild when this tree is linked into a
# kernel as drivers/keepalive; this file is never read by kbuild.)
#
#   make demo      boot the VM, kexec, show what happened in each kernel
#   make check     every test: checkpatch, userspace units, KUnit, VM tests
#   make kernel    build build/obj/arch/x86/boot/bzImage only
#   make deb       Debian kernel package with keepalive, on Debian's own
#                  configuration (KA_DEB_CONFIG=test: the test kernel's)
#   make vmtest ARGS="..."   tools/testing/selftests/keepalive/vmtest.sh ARGS
#   make clean     remove build/ (the ccache in ~/.cache stays)

SELFTESTS := tools/testing/selftests/keepalive

.PHONY: all kernel selftests check demo vmtest checkpatch clean deb

all: kernel selftests

kernel:
	@bash scripts/kernel.sh

deb:
	@bash scripts/deb.sh

selftests: kernel
	@$(MAKE) -s -C $(SELFTESTS)

check:
	@bash scripts/check.sh

demo:
	@bash scripts/demo.sh

vmtest: selftests
	@bash $(SELFTESTS)/vmtest.sh $(ARGS)

checkpatch: kernel
	@bash scripts/checkpatch.sh

clean:
	rm -rf build $(SELFTESTS)/out
