"""Writes a compile database of N TUs into DIR, without CMake: t1.c ...
copies of parse.c and copies.c (Inputs/project) in turn, and
compile_commands.json with a "command" for the odd ones and "arguments"
for the even ones, for accelstrat-report -p's tests.

Usage: gen-db.py DIR N
"""
import json
import os
import sys

here = os.path.dirname(os.path.abspath(__file__))
d, n = os.path.abspath(sys.argv[1]), int(sys.argv[2])
os.makedirs(d, exist_ok=True)
sources = [open(os.path.join(here, f)).read() for f in ("parse.c", "copies.c")]
db = []
for i in range(1, n + 1):
    name = "t%d.c" % i
    with open(os.path.join(d, name), "w") as f:
        f.write(sources[(i - 1) % 2])
    entry = {"directory": d, "file": name}
    if i % 2:
        entry["command"] = "cc -O0 -c %s -o t%d.o" % (name, i)
    else:
        entry["arguments"] = ["cc", "-O0", "-MD", "-c", name, "-o", "t%d.o" % i]
    db.append(entry)
with open(os.path.join(d, "compile_commands.json"), "w") as f:
    json.dump(db, f, indent=1)
