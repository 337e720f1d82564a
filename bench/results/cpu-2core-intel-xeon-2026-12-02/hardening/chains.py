#!/usr/bin/env python3
"""Two identical call chains of N/2 functions each (f0 -> f1 -> ... and
g0 -> g1 -> ...): every fi is identical to gi only once the functions
below it are, one level at a time.  Usage: chains.py N > chains.c"""
import sys

n = int(sys.argv[1]) // 2
print("\n".join(f"int {c}{i}(int x);" for c in "fg" for i in range(n)))
for c in "fg":
    for i in range(n):
        nxt = f"{c}{i + 1}(x * 3 + 1)" if i + 1 < n else "x * 3 + 1"
        print(f"int {c}{i}(int x) {{ return {nxt}; }}")
