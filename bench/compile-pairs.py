#!/usr/bin/env python3
"""The timing loop of bench/compile-overhead.sh: RUNS pairs of whole builds
without (A) and with (B) the plugin, after one warm-up of each. Within a
pair the two builds are interleaved file by file, each file's two compiles
back to back in alternating order (A B for one, B A for the next, the other
way round in the next pair), so that a machine whose speed drifts (a shared
VM) slows both alike. Each compile's CPU time (user + system, from the
kernel's accounting of the child) and wall time are summed per build.

Usage: compile-pairs.py SRCDIR RUNS COMPILER -- FLAGS... -- PLUGIN_FLAGS... -- FILES...
Prints one JSON object: without/with CPU and wall seconds per pair, and
from one more build with metrics= the plugin's recorded time (plugin_ns,
frontend_ns of it) against that build's CPU time (plugin_build_cpu_s)."""
import json
import os
import subprocess
import sys
import tempfile
import time


def split_args(argv):
    parts, cur = [], []
    for a in argv:
        if a == "--":
            parts.append(cur)
            cur = []
        else:
            cur.append(a)
    parts.append(cur)
    return parts


def compile_once(srcdir, cmd):
    """(cpu seconds, wall seconds) of one compile, CPU time to the
    microsecond from wait4's resource usage."""
    t0 = time.perf_counter()
    proc = subprocess.Popen(cmd, cwd=srcdir, stdout=subprocess.DEVNULL)
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - t0
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode != 0:
        sys.exit("compile-pairs: %s failed (exit %d)" % (" ".join(cmd), proc.returncode))
    return usage.ru_utime + usage.ru_stime, wall


def main():
    head, flags, plugin_flags, files = split_args(sys.argv[1:])
    srcdir, runs, compiler = head[0], int(head[1]), head[2]

    def cmd(f, with_plugin):
        return [compiler, "-O2", *flags, *(plugin_flags if with_plugin else []),
                "-c", f, "-o", os.devnull]

    for f in files:  # warm-up: caches, the plugin's profile, the page cache
        compile_once(srcdir, cmd(f, False))
        compile_once(srcdir, cmd(f, True))
    result = {"without_cpu_s": [], "with_cpu_s": [], "without_wall_s": [], "with_wall_s": []}
    for i in range(runs):
        tot = {False: [0.0, 0.0], True: [0.0, 0.0]}
        for k, f in enumerate(files):
            order = (False, True) if (i + k) % 2 == 0 else (True, False)
            for w in order:
                cpu, wall = compile_once(srcdir, cmd(f, w))
                tot[w][0] += cpu
                tot[w][1] += wall
        result["without_cpu_s"].append(tot[False][0])
        result["with_cpu_s"].append(tot[True][0])
        result["without_wall_s"].append(tot[False][1])
        result["with_wall_s"].append(tot[True][1])
        print("pair %d: CPU without %.3f s, with %.3f s; wall %.3f s, %.3f s" % (
            i + 1, tot[False][0], tot[True][0], tot[False][1], tot[True][1]), file=sys.stderr)
    # The plugin's own share, measured inside the same compiles: one more
    # build with metrics=, its recorded CPU time (pass and frontend) against
    # the compiles' CPU time. A shared VM's drift cancels here, as both
    # come from one process; what the plugin costs clang indirectly (caches,
    # memory) does not show, which the pairs and instruction counts cover.
    with tempfile.TemporaryDirectory() as tmp:
        metrics = os.path.join(tmp, "metrics.jsonl")
        cpu = 0.0
        for f in files:
            cpu += compile_once(srcdir, cmd(f, True) + ["-fplugin-arg-accelstrat-metrics=" + metrics])[0]
        with open(metrics) as m:
            recs = [json.loads(line) for line in m]
        result["plugin_ns"] = sum(r["total_ns"] for r in recs)
        result["plugin_cpu_ns"] = sum(r["cpu_ns"] for r in recs)
        result["frontend_ns"] = sum(r.get("frontend_ns", 0) for r in recs)
        result["plugin_build_cpu_s"] = cpu
    print(json.dumps(result))


if __name__ == "__main__":
    main()
