"""Writes a Makefile for the jobserver test into DIR.

  solo.o      compiled first, alone: it finds every spare token free
  p1..p5.o    then compiled together, fighting over the tokens
  q.o         like them, but its recipe is not marked recursive ('+'), so
              make 4.3 does not hand it the jobserver: it must use 1 thread
  tokens.txt  last, alone: tokens.py counts the tokens back in the jobserver

Every compile is the 3,000-function TU (large enough that more than one
thread pays) with threads=8, so each asks for more than make allows, and
appends its record to m.jsonl.

Usage: gen_jobserver_project.py DIR
"""
import os
import sys

d = sys.argv[1]
tus = ["p%d" % i for i in range(1, 6)]
flags = ("-O1 -emit-llvm -fplugin=$(PLUGIN) -fplugin-arg-accelstrat-stage=late "
         "-fplugin-arg-accelstrat-threads=8 -fplugin-arg-accelstrat-metrics=m.jsonl")
lines = [
    "all: tokens.txt",
    "tokens.txt: %s q.o" % " ".join(t + ".o" for t in tus),
    "\t+$(PYTHON) $(TOKENS) > $@",
    "solo.o: many.c",
    "\t+$(CC) %s -c many.c -o $@" % flags,
]
for t in tus:
    lines += ["%s.o: solo.o" % t, "\t+$(CC) %s -c many.c -o $@" % flags]
lines += ["q.o: solo.o", "\t$(CC) %s -c many.c -o $@" % flags]
with open(os.path.join(d, "Makefile"), "w") as f:
    f.write("\n".join(lines) + "\n")
