"""Runs CMD as a recipe of `make -j(TOKENS+1)` would run it: under a
jobserver of its own, a named FIFO (make 4.4's style) or a pipe (make
4.3's) holding TOKENS tokens, each a different byte. Optionally sends CMD
SIGTERM once FILE exists (what CMD runs makes it). Then prints CMD's exit
status (negative: the signal that ended it) and whether every token came
back:

  status 0, tokens 2 of 2 back, the same bytes

Usage: fake_jobserver.py fifo|pipe TOKENS [--term-when FILE] CMD...
"""
import os
import signal
import subprocess
import sys
import tempfile
import time

style, n = sys.argv[1], int(sys.argv[2])
args = sys.argv[3:]
term_when = None
if args[:1] == ["--term-when"]:
    term_when, args = args[1], args[2:]
tokens = bytes(range(ord("a"), ord("a") + n))
tmp = tempfile.mkdtemp()
pass_fds = ()
if style == "fifo":
    path = os.path.join(tmp, "jobserver")
    os.mkfifo(path)
    rfd = wfd = os.open(path, os.O_RDWR | os.O_NONBLOCK)
    auth = "fifo:" + path
else:
    rfd, wfd = os.pipe()
    os.set_blocking(rfd, False)
    pass_fds = (rfd, wfd)
    auth = "%d,%d" % (rfd, wfd)
os.write(wfd, tokens)
env = dict(os.environ, MAKEFLAGS=" -j%d --jobserver-auth=%s" % (n + 1, auth))
child = subprocess.Popen(args, env=env, pass_fds=pass_fds)
if term_when is not None:
    for _ in range(600):
        if os.path.exists(term_when) or child.poll() is not None:
            break
        time.sleep(0.05)
    child.send_signal(signal.SIGTERM)
status = child.wait()
back = b""
while True:
    try:
        got = os.read(rfd, 64)
    except BlockingIOError:
        break
    if not got:
        break
    back += got
if style == "fifo":
    os.unlink(path)
os.rmdir(tmp)
print("status %d, tokens %d of %d back, %s" % (
    status, len(back), n,
    "the same bytes" if sorted(back) == sorted(tokens) else "other bytes"))
