#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Judge one vmtest.sh run from its logs.

results.log (the guest's second serial port) holds, per stage, the output of
each program between "KT: BEGIN stage=S name=N" and "KT: END ... rc=R", the
first kernel's KUnit report as the program "kunit", and the stage markers
"KT: BOOT stage=S" / "KT: STAGE S DONE". console.log is the kernel console.

Counting: in a KUnit report every test case (the KTAP lines one level deep)
is a test (a report without any is a failure: the suites were not
built in); in any other program every top-level TAP result is a test; a
program that prints no TAP result is one test, passed when it exits 0. A
program that exits non-zero without a "not ok", or that prints fewer results
than its plan announced, adds a failure. A program whose only TAP is a plan
of none ("1..0", skip all) is one test, skipped. A missing or unfinished
stage, a timeout and a kernel panic, Oops, BUG or WARNING each add a
failure, and so does a run that has no result at all, or whose every result
is a SKIP: it tested nothing.

Prints a table and ends with "vmtest: N passed, N failed, N skipped"; exits
non-zero on any failure.
"""
import argparse
import re
import sys

RESULT = re.compile(r"^(?P<indent>\s*)(?P<not>not )?ok \d+\s*-?\s*(?P<desc>.*)$")
PLAN = re.compile(r"^(?P<indent>\s*)1\.\.(?P<n>\d+)\s*(#.*)?$")
MARK = re.compile(r"^KT: (?P<what>BEGIN|END) stage=(?P<stage>\d+) name=(?P<name>\S+)(?: rc=(?P<rc>-?\d+))?")
KERNEL_BAD = [
    (re.compile(r"Kernel panic - not syncing"), "kernel panic"),
    (re.compile(r"\bOops\b|general protection fault"), "kernel Oops"),
    (re.compile(r"\bBUG: "), "kernel BUG"),
    # "WARNING: CPU: 0 PID: 1 at file:line func", or the older "WARNING: at"
    (re.compile(r"WARNING: (CPU: |at )|-+\[ cut here \]-+"), "kernel WARNING"),
    (re.compile(r"possible (recursive|circular) locking|inconsistent lock state"), "lockdep splat"),
]


class Section:
    def __init__(self, stage, name):
        self.stage, self.name = stage, name
        self.lines, self.rc = [], None

    def judge(self):
        """Return (passed, failed, skipped, [failure descriptions])."""
        level = 4 if self.name == "kunit" else 0
        p = f = s = 0
        fails, plan = [], None
        for line in self.lines:
            line = line.rstrip("\r\n")
            m = PLAN.match(line)
            if m and len(m.group("indent")) == level and plan is None:
                plan = int(m.group("n"))
                if self.name == "kunit":
                    plan = None  # one plan per suite; checked by the suite lines
            m = RESULT.match(line)
            if not m or len(m.group("indent")) != level:
                continue
            desc = m.group("desc")
            if m.group("not"):
                if "# TODO" in desc:
                    s += 1
                else:
                    f += 1
                    fails.append(f"stage {self.stage} {self.name}: not ok {desc}")
            elif "# SKIP" in desc:
                s += 1
            else:
                p += 1
        if self.name == "kunit":
            # A suite that failed without a failed case (its init failed,
            # say) still counts as one failure.
            case_fails = 0
            for line in self.lines:
                m = RESULT.match(line.rstrip())
                if m and len(m.group("indent")) == level and m.group("not"):
                    case_fails += 1
                elif m and m.group("indent") == "":
                    if m.group("not") and case_fails == 0:
                        f += 1
                        fails.append(f"stage {self.stage} kunit suite: not ok {m.group('desc')}")
                    case_fails = 0
        if self.rc is None:
            f += 1
            fails.append(f"stage {self.stage} {self.name}: never finished (no END marker)")
        elif p + f + s == 0 and self.name == "kunit":
            f += 1
            fails.append(f"stage {self.stage} kunit: no KUnit test case ran")
        elif p + f + s == 0:
            if self.rc == 0 and plan == 0:
                s += 1  # "1..0": the program skipped everything
            elif self.rc == 0:
                p += 1
            else:
                f += 1
                fails.append(f"stage {self.stage} {self.name}: exited {self.rc}")
        else:
            if plan is not None and p + f + s < plan:
                fails.append(f"stage {self.stage} {self.name}: {p + f + s} of {plan} planned results")
                f += 1
            if self.rc != 0 and f == 0:
                f += 1
                fails.append(f"stage {self.stage} {self.name}: exited {self.rc} without a failed test")
        return p, f, s, fails


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--stages", type=int, required=True)
    ap.add_argument("--qemu-rc", type=int, default=0)
    ap.add_argument("--console", required=True)
    ap.add_argument("--results", required=True)
    ap.add_argument("--quiet", action="store_true")
    a = ap.parse_args()

    def read(path):
        try:
            with open(path, errors="replace") as fh:
                return fh.read().splitlines()
        except OSError:
            return []

    results, console = read(a.results), read(a.console)
    sections, cur = [], None
    booted, done = set(), set()
    for line in results:
        line = line.rstrip("\r")
        m = MARK.match(line)
        if m and m.group("what") == "BEGIN":
            cur = Section(int(m.group("stage")), m.group("name"))
            sections.append(cur)
            continue
        if m and m.group("what") == "END":
            if cur and cur.name == m.group("name"):
                cur.rc = int(m.group("rc"))
            cur = None
            continue
        m = re.match(r"^KT: BOOT stage=(\d+)", line)
        if m:
            booted.add(int(m.group(1)))
        m = re.match(r"^KT: STAGE (\d+) DONE", line)
        if m:
            done.add(int(m.group(1)))
        if cur:
            cur.lines.append(line)

    tp = tf = ts = 0
    failures = []
    rows = []
    for sec in sections:
        p, f, s, fl = sec.judge()
        tp, tf, ts = tp + p, tf + f, ts + s
        failures += fl
        rows.append(f"  stage {sec.stage}  {sec.name:<28} {p:4d} passed {f:3d} failed {s:3d} skipped")

    for st in range(1, a.stages + 1):
        if st not in booted:
            tf += 1
            failures.append(f"stage {st}: never booted")
        elif st not in done:
            tf += 1
            failures.append(f"stage {st}: booted but did not finish")
    for extra in sorted(booted - set(range(1, a.stages + 1))):
        tf += 1
        failures.append(f"stage {extra}: unexpected stage")

    # A run that tested nothing is not a pass.
    if tp == 0 and tf == 0:
        tf += 1
        if ts:
            failures.append(f"no test ran: every result is SKIP ({ts} skipped)")
        else:
            failures.append("no test ran: no result at all")

    if a.qemu_rc in (124, 137):
        tf += 1
        failures.append("timeout: the VM was killed")
    seen = set()
    for line in console:
        for rx, what in KERNEL_BAD:
            if what not in seen and rx.search(line):
                seen.add(what)
                tf += 1
                failures.append(f"console: {what}: {line.strip()}")

    if not a.quiet:
        print("\n".join(rows))
        for fl in failures:
            print(f"  FAIL {fl}")
    print(f"vmtest: {tp} passed, {tf} failed, {ts} skipped")
    return 1 if tf else 0


if __name__ == "__main__":
    sys.exit(main())
