#!/usr/bin/env python3
"""Summary of one project's findings for bench/findings.sh: reads the metrics
(JSON lines, one record per TU) and the build log (remarks) of its builds.

Usage: findings-summary.py PACKAGE TREE DEFAULT_DIR ALL_DIR SYSTEM_DIR
  DEFAULT_DIR  built with the defaults
  ALL_DIR      built with min-instructions=1
  SYSTEM_DIR   built with system-headers=include"""
import json
import os
import re
import sys

REMARK = re.compile(r"remark: '.*' is (identical to|\d+% similar to) '.*' \(.*\)(; (.*))? \[-Rpass-analysis=accelstrat\]$")


def records(d):
    with open(os.path.join(d, "metrics.jsonl")) as f:
        return [json.loads(line) for line in f if line.strip()]


def pairs(recs):
    return [p for r in recs for p in r["pairs"]]


def key(p):
    ends = [(p[e]["file"], p[e]["line"], p[e]["col"], p[e]["symbol"]) for e in ("function", "match")]
    return tuple(sorted(ends))


def outside(tree_dir, p):
    """Ends of a pair that are not in the project's tree or its build."""
    return [e for e in ("function", "match")
            if not os.path.normpath(p[e]["file"]).startswith(tree_dir)]


def main():
    pkg, tree, default_dir, all_dir, system_dir = sys.argv[1:6]
    # The sources: the tree fetch-source unpacked, named TREE.
    tree_dir = None
    for p in pairs(records(all_dir)):
        f = p["function"]["file"]
        if "/" + tree + "/" in f:
            tree_dir = f[:f.index("/" + tree + "/") + len(tree) + 2]
            break
    if tree_dir is None:
        sys.exit("findings-summary: no finding in %s's sources" % tree)

    print("## %s (%s)" % (pkg, tree))
    print()
    d = records(default_dir)
    dp = pairs(d)
    s = 0.8 if not d else d[0]["min_similarity"]
    near = [p for p in dp if not p["identical"]]
    with open(os.path.join(default_dir, "build.log"), errors="replace") as f:
        remarks = [line.rstrip("\n") for line in f if "[-Rpass-analysis=accelstrat]" in line]
    near_remarks = [r for r in remarks if "% similar to" in r]
    says = [r for r in near_remarks if (m := REMARK.search(r)) and m.group(3)
            and (m.group(3).startswith("differs in ") or m.group(3).startswith("same instructions"))]
    print("Defaults (min-similarity %.2f, min-instructions %d): %d TUs, %d findings "
          "(%d distinct), %d identical, %d near-duplicates; %d near-duplicate remarks, "
          "%d of them say what differs; findings with an end outside the project's "
          "sources (a system header): %d." % (
              s, d[0]["min_instructions"] if d else 0, len(d), len(dp), len({key(p) for p in dp}),
              len(dp) - len(near), len(near), len(near_remarks), len(says),
              sum(1 for p in dp if outside(tree_dir, p))))
    sp = pairs(records(system_dir))
    print()
    print("With system-headers=include: %d findings, %d of them with an end in a "
          "system header (left out by default)." % (
              len(sp), sum(1 for p in sp if outside(tree_dir, p))))
    print()
    print("By min-instructions (from one build with min-instructions=1; a pair counts "
          "at k when both functions have at least k instructions). Same shape: a "
          "near-duplicate whose strict similarity (callees and constant values "
          "count) is below min-similarity.")
    print()
    print("| min-instructions | findings | distinct | identical | near-duplicates | of them same shape only |")
    print("|---:|---:|---:|---:|---:|---:|")
    ap = pairs(records(all_dir))
    for k in (1, 4, 8, 12, 16, 24, 32, 48):
        sel = [p for p in ap if min(p["function"]["instructions"], p["match"]["instructions"]) >= k]
        nd = [p for p in sel if not p["identical"]]
        shape = sum(1 for p in nd if p["strict_similarity"] < s)
        print("| %d | %d | %d | %d | %d | %d |" % (k, len(sel), len({key(p) for p in sel}),
                                                len(sel) - len(nd), len(nd), shape))
    print()


if __name__ == "__main__":
    main()
