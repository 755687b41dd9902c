#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Check that every non-static function defined in the given C files has a
kernel-doc comment right above it, naming it, with a Context: section and,
unless it returns void, a Return: section. Prints one line per problem;
exits 1 if there is any."""
import re
import sys

DEF = re.compile(r"^(?!static\b)(?:[A-Za-z_][\w \t\*]*?[\s\*])(\w+)\(")


def check(path):
    lines = open(path).read().split("\n")
    problems = []
    for i, line in enumerate(lines):
        m = DEF.match(line)
        if not m or line.startswith(("#", "typedef", "return")) or line.rstrip().endswith(";"):
            continue
        # A definition: the parameter list closes and "{" opens at column 0.
        j = i
        while j < len(lines) and not lines[j].rstrip().endswith(")"):
            if lines[j].rstrip().endswith(";"):
                break
            j += 1
        if j + 1 >= len(lines) or lines[j + 1] != "{":
            continue
        name = m.group(1)
        # Walk up over __init-style attribute lines to the comment.
        k = i - 1
        if k < 0 or lines[k].strip() != "*/":
            problems.append(f"{path}:{i + 1}: {name}() has no kernel-doc")
            continue
        start = k
        while start >= 0 and not lines[start].startswith("/**"):
            start -= 1
        block = "\n".join(lines[start:k])
        if not re.search(rf"^ \* {name}\(\) - ", block, re.M):
            problems.append(f"{path}:{i + 1}: kernel-doc above does not name {name}()")
        if "Context:" not in block:
            problems.append(f"{path}:{i + 1}: {name}(): no Context: section")
        rtype = line[:m.start(1)]
        returns_void = re.search(r"\bvoid\b", rtype) is not None and "*" not in rtype
        if not returns_void and "Return:" not in block:
            problems.append(f"{path}:{i + 1}: {name}(): no Return: section")
    return problems


def main():
    problems = []
    for path in sys.argv[1:]:
        problems += check(path)
    for p in problems:
        print(p)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
