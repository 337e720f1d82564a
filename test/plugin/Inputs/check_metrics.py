"""Checks the metrics file written by metrics-parallel.test.

Usage: check_metrics.py FILE N TIMES
Prints one summary line: how many lines, how many parse as JSON objects,
how many distinct TUs, whether each of tu0.c..tu{N-1}.c occurs exactly TIMES
times, how many records have the expected pairs (36 + K % 7, all identical,
all named after their own TU), whether the longest line is over 8 KiB and
whether the file ends with a newline.
"""
import collections
import json
import os
import sys

path, n, times = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
data = open(path, "rb").read()
lines = data.split(b"\n")
if lines and lines[-1] == b"":
    lines.pop()
records = []
for line in lines:
    try:
        r = json.loads(line)
    except ValueError:
        continue
    if isinstance(r, dict):
        records.append(r)
tus = collections.Counter(os.path.basename(r.get("tu", "")) for r in records)
expected = {"tu%d.c" % k for k in range(n)}
each = set(tus) == expected and all(c == times for c in tus.values())
pairs_ok = 0
for r in records:
    tu = os.path.basename(r.get("tu", ""))
    if tu not in expected:
        continue
    k = int(tu[2:-2])
    ps = r.get("pairs", [])
    if (r.get("functions") == 37 + k % 7 and len(ps) == 36 + k % 7
            and all(p["identical"] and p["function"]["name"].startswith("tu%d_" % k)
                    and p["match"]["name"] == "tu%d_copy0" % k for p in ps)):
        pairs_ok += 1
print("lines %d, json %d, tus %d, each %d time(s)%s, pairs ok %d, longest >8KiB %s, last newline %s"
      % (len(lines), len(records), len(tus), times, "" if each else " NOT", pairs_ok,
         max(map(len, lines), default=0) > 8192, data.endswith(b"\n")))
