#!/usr/bin/env python3
"""Whether the plugin's identical pairs are what opt -passes=mergefunc merges,
on one module: IN.ll (what the pass saw), OUT.ll (mergefunc's output of it)
and REPORT.json (the plugin's report of IN.ll, with min-instructions=1 and
system-headers=include, so that every function takes part).

mergefunc merged a function when it is gone from OUT, is an alias there, or
its body became a thunk: one call to another function of IN and a return.
Bodies are compared with metadata and attribute-group numbers left out
(mergefunc renumbers them). The plugin's identity classes are the connected
components of its identical pairs. They agree when mergefunc merged exactly
all but one member of every class, nothing outside the classes, and each
thunk calls a member of its own class.

Usage: mergefunc-agree.py IN.ll OUT.ll REPORT.json
Prints one line of counts; exits 1 with every disagreement listed."""
import collections
import json
import re
import sys

DEFINE = re.compile(r'define [^@]*@("[^"]+"|[\w.$]+)\(')
ALIAS = re.compile(r'@("[^"]+"|[\w.$]+) = .*\balias\b')
CALLEE = re.compile(r'\bcall\b[^@]*@("[^"]+"|[\w.$]+)\(')
NUMBERED = re.compile(r'(, )?!\w+ !\d+|#\d+|!\d+')


def functions(path):
    """Bodies (lines, renumbering left out) by name, and the aliases."""
    bodies, aliases, name, lines = {}, set(), None, []
    with open(path) as f:
        for line in f:
            if name is not None:
                if line.startswith("}"):
                    bodies[name] = lines
                    name = None
                else:
                    lines.append(NUMBERED.sub("", line.strip()))
                continue
            m = DEFINE.match(line)
            if m:
                name, lines = m.group(1).strip('"'), []
                continue
            m = ALIAS.match(line)
            if m:
                aliases.add(m.group(1).strip('"'))
    return bodies, aliases


def thunk_target(body, defined, self):
    insts = [l for l in body if l and not l.endswith(":") and not l.startswith(";")]
    calls = [m.group(1).strip('"') for l in insts if (m := CALLEE.search(l))]
    if len(insts) <= 3 and len(calls) == 1 and calls[0] in defined and calls[0] != self:
        return calls[0]
    return None


def main():
    before, _ = functions(sys.argv[1])
    after, aliases = functions(sys.argv[2])
    merged = {}  # name -> how
    for f, body in before.items():
        if f not in after:
            merged[f] = "alias" if f in aliases else "deleted"
        elif after[f] != body:
            target = thunk_target(after[f], before, f)
            if target:
                merged[f] = "thunk to " + target
    with open(sys.argv[3]) as fp:
        report = json.load(fp)
    parent = {}

    def find(x):
        while parent.setdefault(x, x) != x:
            x = parent[x]
        return x
    for p in report["pairs"]:
        if p["identical"]:
            parent[find(p["function"]["symbol"])] = find(p["match"]["symbol"])
    classes = collections.defaultdict(set)
    for x in list(parent):
        classes[find(x)].add(x)
    bad = []
    for members in classes.values():
        if sum(m in merged for m in members) != len(members) - 1:
            bad.append("class %s: mergefunc merged %s" % (
                sorted(members), {m: merged.get(m, "nothing") for m in sorted(members)}))
    for f, how in sorted(merged.items()):
        if f not in parent:
            bad.append("%s merged (%s) but not reported identical" % (f, how))
        elif how.startswith("thunk to ") and find(how[9:]) != find(f):
            bad.append("%s: %s, outside its class" % (f, how))
    print("%s: %d classes of %d functions, %d merged by mergefunc, %d disagreements" % (
        sys.argv[1], len(classes), len(parent), len(merged), len(bad)))
    for b in bad:
        print("  " + b)
    sys.exit(1 if bad else 0)


if __name__ == "__main__":
    main()
