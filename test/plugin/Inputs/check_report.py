"""Validates an accelstrat record (report= file, or one metrics= line) against
the format in README.md and prints it in a stable form for FileCheck.

Usage: check_report.py FILE

Every documented field must be there with its JSON type (extra fields are
allowed); problems are printed as "PROBLEM: ..." lines.  Then one line per
part: the record, each pair, each batch and each event, where times and the
free-text reason/detail are only checked for type (and times for >= 0).
"""
import json
import sys

INT, NUM, STR, BOOL, LIST, OBJ = "int", "number", "string", "bool", "array", "object"
problems = []


def kind(v):
    if isinstance(v, bool):
        return BOOL
    if isinstance(v, int):
        return INT
    if isinstance(v, float):
        return NUM
    if isinstance(v, str):
        return STR
    if isinstance(v, list):
        return LIST
    if isinstance(v, dict):
        return OBJ
    if v is None:
        return "null"
    return type(v).__name__


def need(obj, where, fields):
    if not isinstance(obj, dict):
        problems.append("%s is %s, not an object" % (where, kind(obj)))
        return
    for name, types in fields:
        if name not in obj:
            problems.append("%s: no '%s'" % (where, name))
        elif kind(obj[name]) not in types.split("|"):
            problems.append("%s: '%s' is %s, not %s" % (where, name, kind(obj[name]), types))
        elif name.endswith("_ns") and kind(obj[name]) == INT and obj[name] < 0:
            problems.append("%s: '%s' is negative" % (where, name))


text = open(sys.argv[1]).read()
try:
    r = json.loads(text)
except ValueError as e:
    print("PROBLEM: not JSON: %s" % e)
    sys.exit(0)
need(r, "record", [("tool", STR), ("tu", STR), ("functions", INT), ("functions_analysed", INT),
                   ("candidate_pairs", INT),
                   ("strategy", STR), ("min_similarity", "int|number"), ("min_instructions", INT),
                   ("stage", STR), ("total_ns", INT), ("frontend_ns", INT), ("cpu_ns", INT), ("pairs", LIST), ("batches", LIST)])
FUNC = [("name", STR), ("symbol", STR), ("file", STR), ("line", INT), ("col", INT),
        ("instructions", INT)]
for i, p in enumerate(r.get("pairs", [])):
    need(p, "pair %d" % i, [("function", OBJ), ("match", OBJ), ("identical", BOOL),
                            ("similarity", "int|number"), ("percent", INT), ("lcs", INT),
                            ("strict_similarity", "int|number"), ("differs", OBJ)])
    need(p.get("differs"), "pair %d differs" % i, [("constants", INT), ("callees", INT)])
    if p.get("strict_similarity", 0) > p.get("similarity", 0) + 1e-12:
        problems.append("pair %d: strict similarity above the similarity" % i)
    need(p.get("function"), "pair %d function" % i, FUNC)
    need(p.get("match"), "pair %d match" % i, FUNC)
for i, b in enumerate(r.get("batches", [])):
    need(b, "batch %d" % i, [("kernel", STR), ("tasks", INT), ("work", INT), ("requested", STR),
                             ("chosen", STR), ("reason", STR), ("threads", INT),
                             ("thread_limit", INT), ("thread_limit_by", STR),
                             ("jobserver_tokens", INT), ("gpu_slot", INT), ("gpu_slots", INT),
                             ("predicted_ns", OBJ), ("predicted_gpu_share", "int|number"),
                             ("model", STR),
                             ("select_ns", INT), ("check_ns", INT), ("exec_ns", INT), ("tasks_per_device", OBJ),
                             ("events", LIST), ("error", "null|string")])
    need(b.get("predicted_ns"), "batch %d predicted_ns" % i,
         [("cpu", INT), ("gpu", INT), ("hybrid", INT)])
    if b.get("check_ns", 0) > b.get("select_ns", 0):
        problems.append("batch %d: check_ns %s above select_ns %s, which includes it"
                        % (i, b.get("check_ns"), b.get("select_ns")))
    if b.get("threads", 0) > b.get("thread_limit", 0):
        problems.append("batch %d: %s threads over its limit %s"
                        % (i, b.get("threads"), b.get("thread_limit")))
    need(b.get("tasks_per_device"), "batch %d tasks_per_device" % i, [("cpu", INT), ("gpu", INT)])
    for j, e in enumerate(b.get("events", [])):
        need(e, "batch %d event %d" % (i, j), [("cause", STR), ("chunk", INT), ("tasks_moved", INT),
                                               ("detect_ns", INT), ("switch_ns", INT), ("detail", STR)])
for p in problems:
    print("PROBLEM: " + p)
if problems:
    sys.exit(0)

print("record tool=%s tu=%s functions=%d analysed=%d strategy=%s min_similarity=%s "
      "min_instructions=%d stage=%s pairs=%d batches=%d" % (
          r["tool"], r["tu"], r["functions"], r["functions_analysed"], r["strategy"],
          r["min_similarity"], r["min_instructions"], r["stage"], len(r["pairs"]),
          len(r["batches"])))


def func(f):
    return "%s [%s] %s:%d:%d n=%d" % (f["name"], f["symbol"], f["file"], f["line"], f["col"],
                                      f["instructions"])


for p in r["pairs"]:
    print("pair %s -> %s identical=%s similarity=%.4f percent=%d lcs=%d" % (
        func(p["function"]), func(p["match"]), p["identical"], p["similarity"], p["percent"],
        p["lcs"]))
for b in r["batches"]:
    d = b["tasks_per_device"]
    print("batch %s tasks=%d requested=%s chosen=%s threads>=1:%s cpu=%d gpu=%d events=%d error=%s"
          % (b["kernel"], b["tasks"], b["requested"], b["chosen"], b["threads"] >= 1, d["cpu"],
             d["gpu"], len(b["events"]), b["error"]))
    for e in b["events"]:
        print("event %s chunk=%d tasks_moved=%d" % (e["cause"], e["chunk"], e["tasks_moved"]))
