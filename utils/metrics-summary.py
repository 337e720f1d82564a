#!/usr/bin/env python3
"""Summarises accelstrat metrics (one JSON object per TU per line): the pairs
found, and for each batch the strategy requested and chosen and why."""
import json
import sys


def main(path):
    # Strings hold a file name's bytes that are not UTF-8 as lone surrogates
    # (the plugin writes "\udce9" for 0xE9): printed as those bytes again.
    sys.stdout.reconfigure(errors="surrogateescape")
    pairs, batches, tus = [], [], 0
    with open(path, encoding="utf-8", errors="surrogateescape") as f:
        for lineno, line in enumerate(f, 1):
            # A line a killed compile left unfinished is skipped, not fatal:
            # the plugin starts the next record on a line of its own.
            try:
                rec = json.loads(line)
                rec["tu"], rec["pairs"], rec["batches"]
            except (json.JSONDecodeError, KeyError, TypeError) as e:
                print(f"{path}:{lineno}: warning: skipping a line that is not "
                      f"a whole record ({e})", file=sys.stderr)
                continue
            tus += 1
            pairs += rec["pairs"]
            batches += [(rec["tu"], b) for b in rec["batches"]]
    print(f"{tus} translation units, {len(pairs)} pairs")
    for p in pairs:
        f, g = p["function"], p["match"]
        what = "identical to" if p["identical"] else f"{p['percent']}% similar to"
        print(f"  {f['name']} ({f['file']}:{f['line']}, {f['instructions']} insts)"
              f" {what} {g['name']} ({g['file']}:{g['line']}, {g['instructions']} insts)")
    print("batches:")
    for tu, b in batches:
        events = ", ".join(e["cause"] for e in b["events"]) or "none"
        print(f"  {tu}: {b['kernel']:<11} {b['tasks']:>5} tasks  "
              f"requested {b['requested']:<6} chose {b['chosen']:<6} "
              f"select {b['select_ns'] / 1000:.1f} us  run {b['exec_ns'] / 1000:.1f} us  "
              f"fallbacks: {events}")
        print(f"      why: {b['reason']}")


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "build/demo/metrics.jsonl")
