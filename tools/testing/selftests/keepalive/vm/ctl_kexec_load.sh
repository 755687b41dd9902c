#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Stage 1 of the kexec -c run, after nvme_keepalive_test
# (kt_scenario=kexecload) left its NVMe controller marked: walk to STOP
# through sysfs (the controller is recorded), then have vm/init kexec with
# kexec-tools' "kexec -c" (kexec_load), which cannot pass the pool on. The
# reboot notifier must wipe the header and say so on the console
# (scripts/check.sh reads it); stage 2 (ctl_resume.sh cold, then the nvme
# test) finds no handover and the controller reset.
. /ka/user/ctl_lib.sh
BDF=$(nvme_bdf)
O=/run/ctl.out

echo "TAP version 13"
for e in prepare pre-stop stop; do
	check "sysfs: $e" sh -c "echo $e > $S/state"
done
$K status >$O 2>&1; show $O
check "status: stop, the controller recorded" \
	sh -c "grep -Eq '^state: +stop$' $O && grep -q '^  $BDF 1b36:0010' $O"
cat >"$KT_RUN/kexec-cmd" <<EOC
kexec -c -l "\$KT_NEXT_KERNEL" --initrd="\$KT_NEXT_INITRD" --append="\$KT_NEXT_CMDLINE" && kexec -e
EOC
show "$KT_RUN/kexec-cmd"
check "kexec handed to kexec -c" test -s "$KT_RUN/kexec-cmd"
finish
