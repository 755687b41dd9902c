#!/bin/sh
# Harness self-check: a plan of no test ("1..0", skip all) counts as a SKIP,
# not as a program that passed.
echo "TAP version 13"
echo "1..0 # SKIP nothing to test on this machine"
exit 0
