"""Prints "LINE COL NAME" once for each function of a report's pairs, in
line order, so that a test can check where each function was found."""
import json
import sys

report = json.load(open(sys.argv[1]))
sites = {(f["line"], f["col"], f["name"])
         for pair in report["pairs"] for f in (pair["function"], pair["match"])}
for line, col, name in sorted(sites):
    print(line, col, name)
