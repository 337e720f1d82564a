"""Checks that every report names the same pairs as the first one, and that
each batch's tasks add up across devices."""
import json
import sys


def pairs(report):
    return [(p["function"]["symbol"], p["match"]["symbol"], p["identical"], p["lcs"])
            for p in report["pairs"]]


reference = json.load(open(sys.argv[1]))
for path in sys.argv[2:]:
    report = json.load(open(path))
    if pairs(report) != pairs(reference):
        sys.exit(f"{path}: pairs differ from {sys.argv[1]}")
    for batch in report["batches"]:
        on = batch["tasks_per_device"]
        if on["cpu"] + on["gpu"] != batch["tasks"]:
            sys.exit(f"{path}: {batch['kernel']}: {on} for {batch['tasks']} tasks")
print(f"{len(sys.argv) - 2} reports agree with {sys.argv[1]}")
