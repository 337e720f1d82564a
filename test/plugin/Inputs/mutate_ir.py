"""Copies every defined function of an LLVM IR file under a new name and
changes the copy at a random rate, in ways whose effect on the aligned
similarity is known exactly: unused `freeze` instructions inserted, stores
deleted, and integer `add`/`sub`/`mul` replaced by a `freeze` of their first
operand. Clang never emits `freeze` at -O0, so no changed instruction can be
aligned with an instruction of the original, and what is left of the
original is a subsequence of it: LCS = n - deleted - replaced exactly, for
an original of n instructions.

Usage: mutate_ir.py IN.ll OUT.ll SEED KNOWN.json
KNOWN.json: {copy name: [original name, its instructions, inserted, deleted,
replaced]}."""
import json
import random
import re
import sys

src, dst, seed, known_path = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4]
rng = random.Random(seed)
lines = open(src).read().split("\n")
out, known = [], {}
define = re.compile(r"^define .*@([A-Za-z0-9_.]+)\(")
binop = re.compile(r"^  (%[\w.]+) = (add|sub|mul)( nuw)?( nsw)? (i\d+) ([^,]+), .*$")
i = 0
while i < len(lines):
    out.append(lines[i])
    m = define.match(lines[i])
    if not m:
        i += 1
        continue
    end = i
    while lines[end] != "}":
        end += 1
    body = lines[i:end + 1]
    out.extend(lines[i + 1:end + 1])
    name = m.group(1)
    copy = name + "_mutant"
    rate = rng.choice([0.02, 0.05, 0.1, 0.2, 0.35])
    inserted = deleted = replaced = 0
    new = [body[0].replace("@%s(" % name, "@%s(" % copy, 1)]
    for k, line in enumerate(body[1:], 1):
        is_inst = line.startswith("  ") and not line.startswith("   ")
        b = binop.match(line)
        if is_inst and line.lstrip().startswith("store ") and rng.random() < rate:
            deleted += 1
            continue
        if b and rng.random() < rate:
            new.append("  %s = freeze %s %s" % (b.group(1), b.group(5), b.group(6)))
            replaced += 1
        else:
            new.append(line)
        terminator = re.match(r"^  (ret|br|switch|unreachable|resume|indirectbr)\b", line)
        phi_next = k + 1 < len(body) and " = phi " in body[k + 1]
        if is_inst and not terminator and not phi_next and rng.random() < rate:
            new.append("  %%ins%d = freeze i64 %d" % (inserted, inserted))
            inserted += 1
    out.append("")
    out.extend(new)
    n = sum(1 for line in body[1:] if line.startswith("  ") and not line.startswith("   "))
    known[copy] = [name, n, inserted, deleted, replaced]
    i = end + 1
open(dst, "w").write("\n".join(out))
json.dump(known, open(known_path, "w"))
