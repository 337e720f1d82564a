"""Writes a C file of N small functions, one per line, with planted clones.

Lines 1..R: f0..f{R-1}, random bodies of 18 statements "x = x OP p;" over
int, unsigned, long, unsigned long, float or double (R = N - 19).  At -O1
the double/float ones have 19 instructions (18 arithmetic and the return),
the integer ones fewer or more, depending on what folds.

Then, on lines R+1.., the planted ones, each from a random double function:
  dup_0 .. dup_9   copies of f{IDENT[k]}, other names only: identical
  dup_10           a second copy of f{IDENT[0]} (a group of three)
  near_0 .. near_7 copies of f{NEAR[k]} with the operator of statement 9
                   replaced by another one: 18 of 19 instructions in
                   common, 2*18/38 = 94.7%

Usage: gen_many_functions.py N > many.c
"""
import random
import sys

n = int(sys.argv[1])
IDENT = [100, 377, 654, 931, 1208, 1485, 1762, 2039, 2316, 2593]
NEAR = [250, 527, 804, 1081, 1358, 1635, 1912, 2189]
planted = len(IDENT) + 1 + len(NEAR)
r = n - planted
assert r > max(IDENT + NEAR)

rng = random.Random(20240611)
TYPES = ["int", "unsigned", "long", "unsigned long", "double", "float"]
INT_OPS = ["+", "-", "*", "^", "|", "&", "/", "%", "<<", ">>"]
FP_OPS = ["+", "-", "*", "/"]


def define(name, t, stmts):
    return "%s %s(%s a, %s b, %s c) { %s x = a; %s return x; }" % (
        t, name, t, t, t, t, " ".join("x = x %s %s;" % s for s in stmts))


funcs = []
for i in range(r):
    t = "double" if i in IDENT or i in NEAR else rng.choice(TYPES)
    ops = FP_OPS if t in ("double", "float") else INT_OPS
    funcs.append((t, [(rng.choice(ops), rng.choice("abc")) for _ in range(18)]))

out = [define("f%d" % i, t, s) for i, (t, s) in enumerate(funcs)]
for k, i in enumerate(IDENT + IDENT[:1]):
    out.append(define("dup_%d" % k, *funcs[i]))
for k, i in enumerate(NEAR):
    t, s = funcs[i]
    s = list(s)
    op, p = s[9]
    s[9] = (FP_OPS[(FP_OPS.index(op) + 1) % len(FP_OPS)], p)
    out.append(define("near_%d" % k, t, s))
sys.stdout.write("\n".join(out) + "\n")
