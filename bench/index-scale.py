#!/usr/bin/env python3
"""Index directories of N functions for accelstrat-report's scale bench:
the records of a real project (an index=DIR the plugin wrote) replicated
into TUs of their own with seeded mutations of their tokens (each token
replaced with probability RATE), written in the record format of
index/include/index/index.h.

  bench/index-scale.py SOURCE_INDEX_DIR OUT_DIR N [--rate R] [--seed S]
"""
import argparse
import os
import random
import struct

MAGIC = b"ASINDEX\0"


def fnv1a(data):
    h = 0xCBF29CE484222325
    for b in data:
        h = ((h ^ b) * 0x100000001B3) & 0xFFFFFFFFFFFFFFFF
    return h


class Reader:
    def __init__(self, data):
        self.d, self.i = data, 0

    def take(self, fmt):
        v = struct.unpack_from("<" + fmt, self.d, self.i)
        self.i += struct.calcsize("<" + fmt)
        return v if len(v) > 1 else v[0]

    def many(self, n, fmt):
        v = struct.unpack_from("<%d%s" % (n, fmt), self.d, self.i)
        self.i += struct.calcsize("<%d%s" % (n, fmt))
        return list(v)

    def string(self):
        n = self.take("I")
        s = self.d[self.i:self.i + n]
        self.i += n
        return s

    def array(self, fmt):
        return self.many(self.take("I"), fmt)


def decode(payload):
    r = Reader(payload)
    tu = {k: r.string() for k in ("source", "directory", "output", "producer")}
    tu["key"] = r.take("Q")
    tu["externs"] = [r.string() for _ in range(r.take("I"))]
    funcs = []
    for _ in range(r.take("I")):
        f = {k: r.string() for k in ("symbol", "name", "file")}
        f["line"], f["col"], f["linkage"], f["flags"] = r.take("IIBB")
        n = r.take("I")
        f["hash"] = r.take("Q")
        f["callees"] = r.array("I")
        f["tokens"] = r.many(n, "I")
        f["consts"] = r.array("Q")
        funcs.append(f)
    tu["funcs"] = funcs
    return tu


def read_records(path):
    data = open(path, "rb").read()
    i, out = 0, []
    while i + 32 <= len(data) and data[i:i + 8] == MAGIC:
        size = struct.unpack_from("<Q", data, i + 16)[0]
        out.append(decode(data[i + 32:i + 32 + size]))
        i += 32 + size
    return out


def encode(tu):
    p = bytearray()
    s = lambda b: p.extend(struct.pack("<I", len(b)) + b)
    for k in ("source", "directory", "output", "producer"):
        s(tu[k])
    p += struct.pack("<Q", tu["key"])
    p += struct.pack("<I", len(tu["externs"]))
    for e in tu["externs"]:
        s(e)
    p += struct.pack("<I", len(tu["funcs"]))
    for f in tu["funcs"]:
        for k in ("symbol", "name", "file"):
            s(f[k])
        p += struct.pack("<IIBBI", f["line"], f["col"], f["linkage"], f["flags"],
                         len(f["tokens"]))
        p += struct.pack("<Q", f["hash"])
        p += struct.pack("<I%dI" % len(f["callees"]), len(f["callees"]), *f["callees"])
        p += struct.pack("<%dI" % len(f["tokens"]), *f["tokens"])
        p += struct.pack("<I%dQ" % len(f["consts"]), len(f["consts"]), *f["consts"])
    return MAGIC + struct.pack("<IIQQ", 1, 0, len(p), fnv1a(bytes(p))) + bytes(p)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("source")
    ap.add_argument("out")
    ap.add_argument("n", type=int)
    ap.add_argument("--rate", type=float, default=0.1)
    ap.add_argument("--seed", type=int, default=1)
    a = ap.parse_args()
    rng = random.Random(a.seed)
    tus = []
    for name in sorted(os.listdir(a.source)):
        tus += read_records(os.path.join(a.source, name))
    os.makedirs(a.out, exist_ok=True)
    total, copy, written = 0, 0, 0
    while total < a.n:
        for tu in tus:
            if total >= a.n:
                break
            t = dict(tu)
            t["source"] = b"copy%d/" % copy + tu["source"]
            t["key"] = fnv1a(t["source"])
            funcs = []
            for f in tu["funcs"][:a.n - total]:
                g = dict(f)
                g["file"] = b"copy%d/" % copy + f["file"]
                if copy:  # the first copy is the project itself
                    g["tokens"] = [rng.getrandbits(32) if rng.random() < a.rate else x
                                   for x in f["tokens"]]
                    g["hash"] = fnv1a(struct.pack("<%dI" % len(g["tokens"]), *g["tokens"]))
                funcs.append(g)
            t["funcs"] = funcs
            # callees must stay in range of the cut function list
            for g in funcs:
                g["callees"] = [c if c < len(funcs) else len(funcs) + (c - len(tu["funcs"]))
                                for c in g["callees"]
                                if c < len(funcs) or c >= len(tu["funcs"])]
            total += len(funcs)
            with open(os.path.join(a.out, "t%06d.asx" % written), "wb") as out:
                out.write(encode(t))
            written += 1
        copy += 1
    print("%d functions in %s (%d copies of %s, rate %g, seed %d)" %
          (total, a.out, copy, a.source, a.rate, a.seed))


if __name__ == "__main__":
    main()
