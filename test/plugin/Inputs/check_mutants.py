"""Checks a report of IR mutated by mutate_ir.py against the similarities
known by construction: a mutant of an original of n instructions has
n - deleted + inserted and aligns n - deleted - replaced of them, so it is
reported against its original, at exactly that LCS, if and only if
2 * lcs / (n + its length) reaches the threshold (as identical when nothing
was changed). A function of an identity class is searched as its class's
first member, so the copy may stand against any member of the original's
class. Prints one summary line, and a PROBLEM line per mismatch.

Usage: check_mutants.py REPORT.json KNOWN.json"""
import json
import sys

r = json.load(open(sys.argv[1]))
known = json.load(open(sys.argv[2]))
s = r["min_similarity"]
found, leader = {}, {}
for p in r["pairs"]:
    a, b = p["function"]["symbol"], p["match"]["symbol"]
    found[(a, b)] = found[(b, a)] = p
    if p["identical"]:
        leader[a] = b
due = reported = bad = 0
for copy, (orig, n, ins, dele, rep) in sorted(known.items()):
    m, lcs = n - dele + ins, n - dele - rep
    should = 2.0 * lcs >= s * (n + m)
    due += should
    members = [orig, leader.get(orig)] + [f for f, l in leader.items() if l == leader.get(orig, orig)]
    p = next((found[(copy, o)] for o in members if (copy, o) in found), None)
    if p is None:
        if should:
            bad += 1
            print("PROBLEM: %s vs %s missed: lcs %d of %d + %d" % (copy, orig, lcs, n, m))
        continue
    reported += 1
    lengths = sorted([p["function"]["instructions"], p["match"]["instructions"]])
    unchanged = ins == dele == rep == 0
    if (not should or lengths != sorted([n, m]) or p["lcs"] != lcs
            or p["identical"] != unchanged):
        bad += 1
        print("PROBLEM: %s vs %s: lcs %d identical %s, expected lcs %d of %d + %d"
              % (copy, orig, p["lcs"], p["identical"], lcs, n, m))
print("threshold %g: mutants %d due %d reported %d problems %d"
      % (s, len(known), due, reported, bad))
