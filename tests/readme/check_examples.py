#!/usr/bin/env python3
"""Runs the README's worked examples with the built cirrus and compares their output.

    check_examples.py CIRRUS README [--only NAME]... [--show]

An example is a ```-fenced block preceded by an HTML comment (invisible on the rendered page):

    <!-- example: NAME [excerpt] [exit=N] [cwd=DIR] [command="cirrus ARGS"] [skip="REASON"] -->

The block's first line is the command, `$ cirrus ARGS`, and the rest its printed output; a block
that shows output only takes the command from `command=`. The command runs without a shell, in
the repository root (or `cwd=DIR`, relative to it), with `cirrus` replaced by the built binary and
CIRRUS_DATA_DIR unset; stdout and stderr are compared together. It must exit with status N
(default 0). `skip="REASON"` names an example that is not run, and why.

Comparison, line by line, after dropping trailing whitespace and trailing empty lines:

  - a line that is `...` alone (any indentation) stands for any number of lines, none included:
    the README trims long outputs that way;
  - `...` inside a line stands for any text on that line (the README elides long paths and
    figures that way);
  - `excerpt`: the block shows a part of the output, which may start and end anywhere in it.

Everything else must be exact. Exit status: 0 when every example matches, 1 otherwise (each
difference listed), 2 on a malformed marker.
"""
import argparse
import difflib
import os
import re
import shlex
import subprocess
import sys
import time

MARKER = re.compile(r"^<!--\s*example:\s*(.*?)\s*-->\s*$")
GAP = object()


def parse_examples(readme_path):
    lines = open(readme_path, encoding="utf-8").read().split("\n")
    examples = []
    i = 0
    while i < len(lines):
        m = MARKER.match(lines[i])
        if not m:
            i += 1
            continue
        marker_line = i + 1
        try:
            words = shlex.split(m.group(1))
        except ValueError as e:
            raise SystemExit(f"README.md:{marker_line}: bad example marker: {e}")
        if not words:
            raise SystemExit(f"README.md:{marker_line}: example marker without a name")
        ex = {"name": words[0], "line": marker_line, "excerpt": False, "exit": 0, "cwd": ".",
              "command": None, "skip": None}
        for w in words[1:]:
            key, sep, value = w.partition("=")
            if w == "excerpt":
                ex["excerpt"] = True
            elif sep and key == "exit" and value.isdigit():
                ex["exit"] = int(value)
            elif sep and key in ("cwd", "command", "skip"):
                ex[key] = value
            else:
                raise SystemExit(f"README.md:{marker_line}: unknown example option '{w}'")
        j = i + 1
        while j < len(lines) and not lines[j].strip():
            j += 1
        if j >= len(lines) or not lines[j].startswith("```"):
            raise SystemExit(f"README.md:{marker_line}: example '{ex['name']}' is not followed "
                             "by a ```-fenced block")
        k = j + 1
        while k < len(lines) and not lines[k].startswith("```"):
            k += 1
        if k >= len(lines):
            raise SystemExit(f"README.md:{j + 1}: unterminated ``` block")
        body = lines[j + 1:k]
        ex["first_line"] = j + 2  # README line of the block's first line
        if ex["command"] is None:
            if not body or not body[0].startswith("$ "):
                raise SystemExit(f"README.md:{j + 2}: example '{ex['name']}' has no `$ cirrus` "
                                 "line and no command=")
            ex["command"] = body[0][2:]
            body = body[1:]
            ex["first_line"] += 1
        ex["expected"] = body
        examples.append(ex)
        i = k + 1
    names = [e["name"] for e in examples]
    dupes = sorted({n for n in names if names.count(n) > 1})
    if dupes:
        raise SystemExit(f"README.md: example names used twice: {', '.join(dupes)}")
    return examples


def compile_line(line):
    """An expected line: GAP, or a regex that matches the whole actual line."""
    if line.strip() == "...":
        return GAP
    return re.compile("^" + ".*".join(re.escape(p) for p in line.split("...")) + "$")


def trim(lines):
    lines = [l.rstrip() for l in lines]
    while lines and not lines[-1]:
        lines.pop()
    return lines


def match(expected, actual, excerpt):
    """Returns (ok, index of the furthest expected line matched)."""
    pats = [compile_line(l) for l in expected]
    if excerpt:
        pats = [GAP] + pats + [GAP]
    memo = {}
    furthest = [0]

    def go(p, a):
        key = (p, a)
        if key in memo:
            return memo[key]
        furthest[0] = max(furthest[0], p)
        if p == len(pats):
            ok = a == len(actual)
        elif pats[p] is GAP:
            ok = any(go(p + 1, b) for b in range(a, len(actual) + 1))
        else:
            ok = a < len(actual) and pats[p].match(actual[a]) is not None and go(p + 1, a + 1)
        memo[key] = ok
        return ok

    sys.setrecursionlimit(max(10000, 4 * (len(pats) + len(actual))))
    ok = go(0, 0)
    offset = 1 if excerpt else 0
    return ok, max(0, min(len(expected), furthest[0] - offset))


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("cirrus")
    ap.add_argument("readme")
    ap.add_argument("--only", action="append", default=[], help="run only this example")
    ap.add_argument("--show", action="store_true", help="print each example's actual output")
    args = ap.parse_args()

    root = os.path.dirname(os.path.abspath(args.readme))
    cirrus = os.path.abspath(args.cirrus)
    examples = parse_examples(args.readme)
    if args.only:
        unknown = set(args.only) - {e["name"] for e in examples}
        if unknown:
            raise SystemExit(f"no such example: {', '.join(sorted(unknown))}")
        examples = [e for e in examples if e["name"] in args.only]
    env = dict(os.environ)
    env.pop("CIRRUS_DATA_DIR", None)

    failed = []
    skipped = 0
    start = time.monotonic()
    for ex in examples:
        label = f"{ex['name']} (README.md:{ex['line']})"
        if ex["skip"] is not None:
            print(f"SKIP  {label}: {ex['skip']}")
            skipped += 1
            continue
        argv = shlex.split(ex["command"])
        if not argv or argv[0] != "cirrus":
            print(f"FAIL  {label}: the command must start with `cirrus`: {ex['command']}")
            failed.append(ex["name"])
            continue
        t0 = time.monotonic()
        proc = subprocess.run([cirrus] + argv[1:], cwd=os.path.join(root, ex["cwd"]), env=env,
                              stdout=subprocess.PIPE, stderr=subprocess.STDOUT, timeout=300)
        seconds = time.monotonic() - t0
        actual = trim(proc.stdout.decode("utf-8", errors="replace").split("\n"))
        expected = trim(ex["expected"])
        if args.show:
            print("\n".join(actual))
        ok, reached = match(expected, actual, ex["excerpt"])
        problems = []
        if proc.returncode != ex["exit"]:
            problems.append(f"exit status {proc.returncode}, the README says {ex['exit']}")
        if not ok:
            where = ex["first_line"] + reached
            shown = expected[reached] if reached < len(expected) else "(end of the block)"
            problems.append(f"output differs; first README line not matched: README.md:{where}: "
                            f"{shown.strip()!r}")
        if problems:
            print(f"FAIL  {label}: $ {ex['command']}  ({seconds:.2f} s)")
            for p in problems:
                print(f"      {p}")
            if not ok:
                diff = difflib.unified_diff(expected, actual, "README.md", "cirrus", lineterm="", n=1)
                for d in list(diff)[:60]:
                    print(f"      {d}")
            failed.append(ex["name"])
        else:
            print(f"PASS  {label}: $ {ex['command']}  ({seconds:.2f} s)")
    total = time.monotonic() - start
    print(f"README examples: {len(examples) - len(failed) - skipped} passed, {len(failed)} "
          f"failed, {skipped} skipped, {total:.1f} s")
    if failed:
        print("differ: " + ", ".join(failed) + ". A change that moves printed output on purpose "
              "updates the README's example in the same commit (CONTRIBUTING.md).")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
