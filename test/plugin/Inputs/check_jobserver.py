"""Checks the metrics of the jobserver test: every batch used at most the
threads it held tokens for (the implicit one included), the compile of a
recipe without '+' saw the jobserver unreachable and used one thread, and the
lone first compile got extra tokens. Prints a stable summary for FileCheck.

Usage: check_jobserver.py METRICS"""
import json
import sys

lines = [json.loads(l) for l in open(sys.argv[1])]
over = unreachable = extra = batches = 0
for rec in lines:
    blind = 0
    for b in rec["batches"]:
        batches += 1
        if b["jobserver_tokens"] < 1 or b["threads"] > b["jobserver_tokens"]:
            over += 1
            print("PROBLEM: %s threads %d, tokens %d (%s)"
                  % (b["kernel"], b["threads"], b["jobserver_tokens"], b["thread_limit_by"]))
        if b["thread_limit_by"].startswith("jobserver unreachable"):
            blind += 1
            if b["threads"] != 1:
                print("PROBLEM: unreachable jobserver but %d threads" % b["threads"])
        if b["jobserver_tokens"] > 1:
            extra += 1
    if rec["batches"] and blind == len(rec["batches"]):
        unreachable += 1
print("compiles %d" % len(lines))
print("batches over their tokens %d" % over)
print("compiles that saw the jobserver unreachable %d" % unreachable)
print("batches with extra tokens: %s" % ("some" if extra else "none"))
