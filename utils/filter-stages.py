#!/usr/bin/env python3
"""How many pairs each stage of the exact candidate search keeps, from the
batches the plugin dumped (dump=DIR): for every TU's filter batch, all pairs
of representatives, those whose lengths can reach the threshold, of those the
ones that share a prefix element (what the index meets), of those the ones
whose positional bound at the first meeting reaches it (what is verified),
those whose token-multiset overlap reaches it (the filter's output, the
align batch), and of those the pairs whose LCS (computed here independently,
with rapidfuzz) reaches it. Prints one row per TU and the totals.

Usage: filter-stages.py DUMP_DIR [DUMP_DIR...]"""
import glob
import os
import struct
import sys

try:
    from rapidfuzz.distance import LCSseq
except ImportError:  # the last column is then left out
    LCSseq = None


def read_batch(path):
    with open(path, "rb") as f:
        raw = f.read()
    if raw[:8] != b"ASBATCH1":
        raise ValueError("%s: not a batch file" % path)
    at = 8
    (name_len,) = struct.unpack_from("<I", raw, at)
    at += 4
    name = raw[at:at + name_len].decode()
    at += name_len
    _version, n, data_len, shared_len, has_off = struct.unpack_from("<IQQQB", raw, at)
    at += 4 + 8 * 3 + 1
    offsets = None
    if has_off:
        offsets = struct.unpack_from("<%dQ" % (n + 1), raw, at)
        at += 8 * (n + 1)
    data = raw[at:at + data_len]
    shared = raw[at + data_len:at + data_len + shared_len]
    return name, n, offsets, data, shared


def filter_view(shared):
    n, n_el, n_hist, n_prefix, n_post, _res, s = struct.unpack_from("<6Id", shared, 0)
    words = struct.unpack_from("<%dI" % ((len(shared) - 32) // 4), shared, 32)
    at = 0

    def take(k):
        nonlocal at
        part = words[at:at + k]
        at += k
        return part
    length = take(n)
    hist_start = take(n + 1)
    prefix_start = take(n + 1)
    post_start = take(n_el + 1)
    hist_token = take(n_hist)
    hist_count = take(n_hist)
    prefix = take(n_prefix)
    post = take(n_post)
    prefix_place = take(n_prefix)
    post_place = take(n_post)
    hist = [dict(zip(hist_token[hist_start[f]:hist_start[f + 1]],
                     hist_count[hist_start[f]:hist_start[f + 1]])) for f in range(n)]
    return s, length, hist, prefix_start, prefix, post_start, post, prefix_place, post_place


def reaches(common, total, s):
    return 2.0 * common >= s * total


def stages(filter_path, align_path):
    _, _, _, _, shared = read_batch(filter_path)
    s, length, hist, prefix_start, prefix, post_start, post, prefix_place, post_place = \
        filter_view(shared)
    n = len(length)
    by_length = 0
    for i in range(n):
        for j in range(i):
            by_length += reaches(min(length[i], length[j]), length[i] + length[j], s)
    shared_prefix = placed = bounded = 0
    for i in range(n):
        seen, kept = set(), []
        for p in range(prefix_start[i], prefix_start[i + 1]):
            e = prefix[p]
            for q in range(post_start[e], post_start[e + 1]):
                j = post[q]
                if j < i and j not in seen and \
                        reaches(min(length[i], length[j]), length[i] + length[j], s):
                    seen.add(j)
                    rest = min(length[i] - prefix_place[p], length[j] - post_place[q])
                    if reaches(rest, length[i] + length[j], s):
                        kept.append(j)
        shared_prefix += len(seen)
        placed += len(kept)
        for j in kept:
            overlap = sum(min(c, hist[j].get(t, 0)) for t, c in hist[i].items())
            bounded += reaches(overlap, length[i] + length[j], s)
    aligned = None
    if LCSseq and os.path.exists(align_path):
        _, m, offsets, data, _ = read_batch(align_path)
        aligned = 0
        for t in range(m):
            la, lb = struct.unpack_from("<II", data, offsets[t])
            toks = struct.unpack_from("<%dI" % (la + lb), data, offsets[t] + 8)
            lcs = LCSseq.similarity(list(toks[:la]), list(toks[la:]))
            aligned += reaches(lcs, la + lb, s)
    return [n, n * (n - 1) // 2, by_length, shared_prefix, placed, bounded, aligned]


def main():
    rows = []
    for d in sys.argv[1:]:
        for fp in sorted(glob.glob(os.path.join(d, "*-filter.asb"))):
            head, seq = fp[:-len("-filter.asb")].rsplit("-", 1)
            ap = "%s-%d-align.asb" % (head, int(seq) + 1)
            rows.append([os.path.basename(head).split("-")[0]] + stages(fp, ap))
    cols = ["TU", "functions", "all pairs", "lengths pass", "and share a prefix element",
            "positional bound passes", "overlap bound passes", "LCS reaches the threshold"]
    print("| " + " | ".join(cols) + " |")
    print("|" + "---|" * len(cols))
    totals = [0] * 7
    for r in rows:
        print("| " + " | ".join("-" if v is None else str(v) for v in r) + " |")
        for k, v in enumerate(r[1:]):
            totals[k] = None if v is None or totals[k] is None else totals[k] + v
    print("| **all** | " + " | ".join("-" if v is None else str(v) for v in totals) + " |")


if __name__ == "__main__":
    main()
