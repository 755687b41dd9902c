#!/bin/sh
# Harness self-check: a stage program that exits non-zero fails the run.
echo "this stage fails on purpose"
exit 3
