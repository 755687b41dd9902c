#!/bin/sh
# Harness self-check: a stage 2 that never runs fails the run.
touch "$KT_RUN/no-kexec"
