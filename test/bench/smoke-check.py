#!/usr/bin/env python3
"""Checks what `accelstrat-bench all --out DIR` wrote: for every subcommand
NAME.md and NAME.json, the JSON well formed with the subcommand's name and
the machine, and the plots' PNGs where gnuplot is installed. Timing is
not looked at.
    smoke-check.py DIR SUBCOMMAND..."""
import json
import os
import shutil
import sys

PLOTS = {"threads": ["threads"], "tasks": ["tasks"], "hybrid": ["hybrid"]}


def main():
    out, names = sys.argv[1], sys.argv[2:]
    bad = []
    for name in names:
        md, js = (os.path.join(out, name + ext) for ext in (".md", ".json"))
        for path in (md, js):
            if not os.path.isfile(path) or os.path.getsize(path) == 0:
                bad.append(f"{path}: missing or empty")
        if not os.path.isfile(js):
            continue
        try:
            with open(js) as f:
                doc = json.load(f)
        except ValueError as e:
            bad.append(f"{js}: not JSON: {e}")
            continue
        if doc.get("subcommand") != name:
            bad.append(f"{js}: subcommand is {doc.get('subcommand')!r}")
        if "cpu_model" not in doc.get("machine", {}):
            bad.append(f"{js}: no machine")
        with open(md) as f:
            if not f.readline().startswith("machine: "):
                bad.append(f"{md}: does not start with the machine")
        for plot in PLOTS.get(name, []):
            want = [".dat", ".gp"] + ([".png"] if shutil.which("gnuplot") else [])
            for ext in want:
                if not os.path.isfile(os.path.join(out, plot + ext)):
                    bad.append(f"{plot}{ext}: not written")
    for b in bad:
        print("smoke-check:", b)
    print(f"smoke-check: {len(names)} subcommands, {len(bad)} problems")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
