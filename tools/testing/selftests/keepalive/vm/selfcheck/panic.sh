#!/bin/sh
# Harness self-check: a kernel panic fails the run.
echo 1 >/proc/sys/kernel/sysrq
echo c >/proc/sysrq-trigger
