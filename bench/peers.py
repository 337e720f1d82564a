#!/usr/bin/env python3
"""The peers of accelstrat-bench kernels, over the same batch: RapidFuzz's
LCSseq for the align kernel (process.cpdist with LCSseq.similarity, one
worker: LCS(a, b) of every task's pair). Prints one JSON line:
{"peer", "version", "best_s", "runs", "lcs_sum"}, or {"skipped": why} when
rapidfuzz (and numpy) are not importable: pip install rapidfuzz numpy.
    peers.py align BATCH_FILE [RUNS]
BATCH_FILE is what accelstrat-bench writes (the format of
runtime/kernels/batchfile.h, as the plugin's dump= key writes it)."""
import json
import struct
import sys
import time


def read_align_batch(path):
    """The (a, b) token lists of an align batch file."""
    with open(path, "rb") as f:
        data = f.read()
    if data[:8] != b"ASBATCH1":
        raise ValueError(f"{path}: not a batch file")
    at = 8
    (name_len,) = struct.unpack_from("<I", data, at)
    at += 4
    name = data[at:at + name_len].decode()
    at += name_len
    if name != "align":
        raise ValueError(f"{path}: a {name} batch, not align")
    _version, n, data_bytes, shared_bytes, has_offsets = struct.unpack_from(
        "<IQQQB", data, at)
    at += 4 + 8 * 3 + 1
    if not has_offsets:
        raise ValueError(f"{path}: align tasks need offsets")
    offsets = struct.unpack_from(f"<{n + 1}Q", data, at)
    at += 8 * (n + 1)
    body = data[at:at + data_bytes]
    pairs = []
    for i in range(n):
        o = offsets[i]
        len_a, len_b = struct.unpack_from("<II", body, o)
        tokens = struct.unpack_from(f"<{len_a + len_b}I", body, o + 8)
        pairs.append((list(tokens[:len_a]), list(tokens[len_a:])))
    return pairs


def main():
    if len(sys.argv) < 3 or sys.argv[1] != "align":
        print(__doc__, file=sys.stderr)
        return 2
    runs = int(sys.argv[3]) if len(sys.argv) > 3 else 5
    try:
        import rapidfuzz
        from rapidfuzz import process
        from rapidfuzz.distance import LCSseq
    except ImportError as e:
        print(json.dumps({"skipped": f"rapidfuzz not importable ({e}); "
                                     "pip install rapidfuzz numpy"}))
        return 0
    pairs = read_align_batch(sys.argv[2])
    queries = [a for a, _ in pairs]
    choices = [b for _, b in pairs]
    best, lcs_sum = None, 0
    for _ in range(runs):
        start = time.perf_counter()
        scores = process.cpdist(queries, choices, scorer=LCSseq.similarity,
                                workers=1)
        took = time.perf_counter() - start
        best = took if best is None or took < best else best
        lcs_sum = int(sum(int(x) for x in scores))
    print(json.dumps({"peer": "rapidfuzz process.cpdist(LCSseq.similarity, "
                              "workers=1)",
                      "version": rapidfuzz.__version__, "best_s": best,
                      "runs": runs, "lcs_sum": lcs_sum}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
