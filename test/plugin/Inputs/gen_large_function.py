"""Writes a C file with three functions of N straight-line statements each
(5 instructions per statement at -O0, plus the return):

  big_a  line 2
  big_b  line N+4: big_a with statement N/2 changed ("+ x * k" becomes "- x":
         one instruction less, one different)
  big_c  line 2N+6: a copy of big_a under another name (identical)

Usage: gen_large_function.py N > big.c
"""
import sys

n = int(sys.argv[1])
out = ["volatile int v[64];"]
for name, changed in (("big_a", None), ("big_b", n // 2), ("big_c", None)):
    out.append("void %s(void) {" % name)
    for i in range(n):
        dst, a, b = i % 64, (i * 7) % 64, (i * 13) % 64
        if i == changed:
            out.append("  v[%d] = v[%d] - v[%d];" % (dst, a, b))
        else:
            out.append("  v[%d] = v[%d] + v[%d] * %d;" % (dst, a, b, i % 9 + 1))
    out.append("}")
sys.stdout.write("\n".join(out) + "\n")
