#!/bin/sh
# Harness self-check: a run whose every result is a SKIP tested nothing and
# fails (with skip_plan.sh: no pass anywhere in the run).
echo "TAP version 13"
echo "1..2"
echo "ok 1 nothing to test here # SKIP no such device"
echo "ok 2 nor here # SKIP no such device"
exit 0
