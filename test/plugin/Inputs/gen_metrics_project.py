"""Writes N translation units and a Makefile into DIR for the concurrent
metrics test.  tuK.c holds 1 + (36 + K % 7) identical copies of one
function, so its record has 36 + K % 7 pairs and is well over 8 KiB long
(a record written in pieces could interleave with another).

The Makefile compiles every tuK.c with $(CC) and the plugin, appending to
$(METRICS).

Usage: gen_metrics_project.py N DIR
"""
import os
import sys

n, d = int(sys.argv[1]), sys.argv[2]
body = ("{ int s = 0; for (int i = 0; i < n; i++) { if (v[i] > k) s += v[i] * k; "
        "else s -= v[i] / (k | 1); } return s; }")
for k in range(n):
    with open(os.path.join(d, "tu%d.c" % k), "w") as f:
        for c in range(1 + 36 + k % 7):
            f.write("int tu%d_copy%d(const int *v, int n, int k) %s\n" % (k, c, body))
with open(os.path.join(d, "Makefile"), "w") as f:
    f.write("OBJS = %s\n" % " ".join("tu%d.o" % k for k in range(n)))
    f.write("all: $(OBJS)\n")
    f.write("%.o: %.c\n")
    f.write("\t$(CC) -O0 -fplugin=$(PLUGIN) -fplugin-arg-accelstrat-metrics=$(METRICS) -c $< -o $@\n")
