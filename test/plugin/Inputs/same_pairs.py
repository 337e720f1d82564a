"""Checks that every report names the same pairs as the first one, and that
each batch's figures agree: its tasks add up across devices, the tasks its
events moved ran on the CPU, and a batch chosen for the GPU whose tasks all
ran on the CPU says in its reason that it fell back."""
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
        moved = sum(e["tasks_moved"] for e in batch["events"])
        if not batch["events_dropped"] and moved > on["cpu"]:
            sys.exit(f"{path}: {batch['kernel']}: {moved} tasks moved, {on['cpu']} on the CPU")
        if (batch["chosen"] != "cpu" and batch["tasks"] and not on["gpu"]
                and "fell back" not in batch["reason"]):
            sys.exit(f"{path}: {batch['kernel']}: chosen {batch['chosen']}, no task on the GPU, "
                     f"and the reason does not say why: {batch['reason']}")
print(f"{len(sys.argv) - 2} reports agree with {sys.argv[1]}")
