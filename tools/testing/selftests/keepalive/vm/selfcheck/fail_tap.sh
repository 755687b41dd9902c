#!/bin/sh
# Harness self-check: a "not ok" fails the run even when the program exits 0.
echo "TAP version 13"
echo "1..2"
echo "ok 1 fine"
echo "not ok 2 deliberately broken"
exit 0
