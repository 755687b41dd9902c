#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Stage 1 of the keepalivectl update run, after nvme_keepalive_test
# (kt_scenario=ctl) left its NVMe controller marked and running: the state
# is still RUNNING. Hands the kexec to "keepalivectl update" (vm/init runs
# $KT_RUN/kexec-cmd instead of its own kexec): it loads the next kernel
# with kexec-tools' "kexec -s", walks PREPARE, PRE-STOP, STOP and runs
# "kexec -e". Its output goes to the console, which scripts/check.sh reads;
# stage 2 (ctl_resume.sh keep, then the nvme test) checks the handover.
. /ka/user/ctl_lib.sh
O=/run/ctl.out

echo "TAP version 13"
$K status >$O 2>&1; show $O
check "status: running, nothing loaded" \
	sh -c "grep -Eq '^state: +running$' $O && grep -Eq '^kexec: +no kernel loaded' $O"
check "kexec-tools' kexec in the VM" sh -c "kexec --version | grep -q kexec-tools"
cat >"$KT_RUN/kexec-cmd" <<EOC
$K update "\$KT_NEXT_KERNEL" --initrd "\$KT_NEXT_INITRD" --append "\$KT_NEXT_CMDLINE" --pre-stop "echo keepalivectl-test: pre-stop hook ran in state \\\$(cat $S/state)"
EOC
show "$KT_RUN/kexec-cmd"
check "kexec handed to keepalivectl update" test -s "$KT_RUN/kexec-cmd"
finish
