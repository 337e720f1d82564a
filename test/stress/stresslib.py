"""What test/stress/kill.py and test/stress/enospc.py share: the checks and
their count, child processes (stopped by stopper.so where asked, killed),
the tools, the test TUs and the compile command, temporaries (as__open_temp's
names), flock locks (/proc/locks), the shapes of a record and of a profile,
and the metrics summary."""
import fcntl
import json
import os
import random
import re
import shutil
import signal
import subprocess
import sys
import time

SKIP = 77  # what utils/check.sh counts as skipped


class Failure(Exception):
    pass


class Checks:
    """Counts the checks made; check() raises Failure on a false one."""

    def __init__(self):
        self.n = 0

    def check(self, cond, what):
        self.n += 1
        if not cond:
            raise Failure(what)


class Children:
    """Processes started in groups of their own, their stderr in a file;
    with stopper.so (stopper.c) preloaded where asked: KILLTEST_STOP."""

    def __init__(self, cwd, errlog):
        self.cwd, self.errlog, self.stopper = cwd, errlog, None
        self.checks = Checks()
        self.spawned, self.killed = set(), set()
        self.live = set()  # started, not yet waited for

    def check(self, cond, what):
        self.checks.check(cond, what)

    def build_stopper(self, clang, out):
        src = os.path.join(os.path.dirname(os.path.abspath(__file__)), "stopper.c")
        r = subprocess.run([clang, "-shared", "-fPIC", "-O1", src, "-o", out, "-ldl"],
                           capture_output=True, text=True)
        self.check(r.returncode == 0, f"cannot build stopper.so: {r.stderr[-1000:]}")
        self.stopper = out

    def start(self, cmd, env, stop=None):
        """cmd in a process group of its own; stop: KILLTEST_STOP for the
        stopper (stopper.c)."""
        if stop:
            # After what is preloaded already: a sanitizer's runtime first.
            env = dict(env, KILLTEST_STOP=stop, LD_PRELOAD=":".join(
                filter(None, [env.get("LD_PRELOAD"), self.stopper])))
        with open(self.errlog, "wb") as err:
            p = subprocess.Popen(cmd, cwd=self.cwd, env=env,
                                 stdin=subprocess.DEVNULL,
                                 stdout=subprocess.DEVNULL, stderr=err,
                                 process_group=0)
        self.spawned.add(p.pid)
        self.live.add(p)
        return p

    def stderr(self):
        with open(self.errlog, errors="replace") as f:
            return f.read()[-2000:]

    @staticmethod
    def running(p):
        """Whether p runs; never reaps it, so that its pid (and group id)
        cannot be reused before the SIGKILL."""
        return os.waitid(os.P_PID, p.pid,
                         os.WEXITED | os.WNOHANG | os.WNOWAIT) is None

    def wait_stopped(self, p, busy=False, timeout=60.0):
        """Waits for p to stop (True) or end (False); busy: polling without
        a pause, to time the stop."""
        end = time.monotonic() + timeout
        while time.monotonic() < end and self.running(p):
            if stopped(p.pid):
                return True
            if not busy:
                time.sleep(0.0002)
        return False

    def finish(self, p, what):
        """Waits for p's end; a stop is a failure."""
        while self.running(p):
            if stopped(p.pid):
                self.kill(p)
                self.check(False, f"{what}: stopped where no stop was asked")
            time.sleep(0.001)
        p.wait()
        self.live.discard(p)
        self.check(p.returncode == 0,
                   f"{what}: exit status {p.returncode}: {self.stderr()}")

    def kill(self, p):
        """SIGKILL to p's group; True when p died of it."""
        try:
            os.killpg(p.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        p.wait()
        self.live.discard(p)
        if p.returncode == -signal.SIGKILL:
            self.killed.add(p.pid)
            return True
        return False


class Tools:
    """The build's programs, the repository's scripts and the compiler;
    exits 2 (no build) or 77 (no compiler) where they are missing."""

    def __init__(self, name, build, clang):
        build = os.path.abspath(build)
        self.root = os.path.dirname(os.path.dirname(
            os.path.dirname(os.path.abspath(__file__))))
        self.plugin = os.path.join(build, "lib", "libaccelstrat.so")
        self.bench = os.path.join(build, "bin", "accelstrat-bench")
        self.report = os.path.join(build, "bin", "accelstrat-report")
        self.summary = os.path.join(self.root, "utils", "metrics-summary.py")
        for f in (self.plugin, self.bench, self.report):
            if not os.path.exists(f):
                print(f"{name}: {f} is missing: build first", file=sys.stderr)
                sys.exit(2)
        self.clang = shutil.which(clang)
        if not self.clang:
            skip(name, f"no {clang}")

    def compile_cmd(self, tu, *keys):
        """A compile of tu with the plugin and -fplugin-arg-accelstrat-KEYs.
        One thread: on a machine of two cores, OpenMP's spinning workers
        would keep a test from seeing the moment it aims at."""
        return [self.clang, "-O0", "-fplugin=" + self.plugin,
                "-fplugin-arg-accelstrat-threads=1",
                "-fplugin-arg-accelstrat-min-similarity=0.99"] + \
            ["-fplugin-arg-accelstrat-" + k for k in keys] + \
            ["-emit-llvm", "-c", tu, "-o", "/dev/null"]


def skip(name, why):
    print(f"{name}: skipped: {why}", file=sys.stderr)
    sys.exit(SKIP)


def base_env(**more):
    """The environment without the caller's ACCELSTRAT_ settings."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("ACCELSTRAT_")}
    env.update(ACCELSTRAT_PROFILE="off", ACCELSTRAT_GPU="off",
               LLVM_DISABLE_SYMBOLIZATION="1")
    env.update(more)
    return env


IDENTICAL = ("int identical_function_with_a_long_name_%04d(const int *v, int n, "
             "int k) { int s = 0; for (int i = 0; i < n; i++) { if (v[i] > k) s += "
             "v[i] * k; else s -= v[i] ^ k; } return s / (n ? n : 1); }")


def write_tus(src, root):
    """src/tu.c: 300 distinct functions (the filter and align batches dump
    44 and 738 KB) and 500 identical ones (499 pairs: a record of 224 KB,
    more than a page); src/small.c: the plugin tests' clones.c."""
    os.makedirs(src, exist_ok=True)
    gen = random.Random(1)
    lines = []
    for i in range(300):
        body = " ".join("x = x %s %s;" % (gen.choice("+-*/"), gen.choice("abc"))
                        for _ in range(45))
        lines.append("double distinct_function_with_a_long_name_%04d(double a, "
                     "double b, double c) { double x = a; %s return x; }" % (i, body))
    lines += [IDENTICAL % i for i in range(500)]
    with open(os.path.join(src, "tu.c"), "w") as f:
        f.write("\n".join(lines) + "\n")
    # 2000 identical ones: a record of 910 KB, a write long enough to be
    # killed in.
    with open(os.path.join(src, "big.c"), "w") as f:
        f.write("".join(IDENTICAL % i + "\n" for i in range(2000)))
    shutil.copy(os.path.join(root, "test", "plugin", "Inputs", "clones.c"),
                os.path.join(src, "small.c"))


def read(file):
    with open(file, "rb") as f:
        return f.read()


def replace(file, data):
    """The test's own atomic replace (a name no writer of ours uses)."""
    tmp = file + ".test-replace"
    with open(tmp, "wb") as f:
        f.write(data)
    os.replace(tmp, file)


# ---- temporaries: DIR/.BASE.tmp.PID.XXXXXXXX (support/fsutil.c) ----

TEMP = re.compile(r"^\.(.+)\.tmp\.(\d+)\.[0-9a-f]{8}$")


def temps(dirname, base=None):
    """{name: pid} of the temporaries in dirname (of DIR/BASE only, if given)."""
    out = {}
    for n in os.listdir(dirname):
        m = TEMP.match(n)
        if m and (base is None or m.group(1) == base):
            out[n] = int(m.group(2))
    return out


def med(v):
    return sorted(v)[len(v) // 2]


def spin(seconds):
    end = time.perf_counter() + seconds
    while time.perf_counter() < end:
        pass


def stopped(pid):
    """Whether process pid is stopped (its state in /proc/PID/stat)."""
    try:
        with open(f"/proc/{pid}/stat", "rb") as f:
            s = f.read()
    except OSError:
        return False
    i = s.rindex(b")")
    return s[i + 2:i + 3] in (b"T", b"t")


def pid_alive(pid):
    try:
        os.kill(pid, 0)
        return True
    except ProcessLookupError:
        return False
    except PermissionError:
        return True


# ---- flock locks ----

def lock_key(file):
    """A file's key in /proc/locks (MAJOR:MINOR:INODE, in hex, hex, decimal)."""
    st = os.stat(file)
    return "%02x:%02x:%d" % (os.major(st.st_dev), os.minor(st.st_dev), st.st_ino)


def locks():
    """(holders, waiters): {key: [pid]} of the flock locks in /proc/locks."""
    holders, waiters = {}, {}
    with open("/proc/locks") as f:
        for line in f:
            w = line.split()
            waiting = len(w) > 1 and w[1] == "->"
            if waiting:
                w = w[:1] + w[2:]
            if len(w) < 6 or w[1] != "FLOCK":
                continue
            (waiters if waiting else holders).setdefault(w[5], []).append(int(w[4]))
    return holders, waiters


def holds(pid, key):
    return pid in locks()[0].get(key, [])


def lock_is_free(file):
    fd = os.open(file, os.O_RDONLY)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        return True
    except BlockingIOError:
        return False
    finally:
        os.close(fd)


def locked_files(top):
    """The files under top that a process holds or waits for."""
    holders, waiters = locks()
    out = []
    for dirpath, _, files in os.walk(top):
        for n in files:
            f = os.path.join(dirpath, n)
            try:
                key = lock_key(f)
            except OSError:
                continue
            if key in holders or key in waiters:
                out.append(f)
    return out


# ---- what a record and a profile must be ----

def shape(rec):
    """What every record of one TU has in common (not its times)."""
    return {
        "keys": sorted(rec),
        "tu": rec["tu"],
        "counts": [rec["functions"], rec["functions_analysed"],
                   rec["candidate_pairs"]],
        "pairs": rec["pairs"],
        "batches": [(b["kernel"], b["tasks"], b["error"]) for b in rec["batches"]],
    }


def record_shape(text):
    """The shape of a whole record, or None."""
    try:
        return shape(json.loads(text))
    except (ValueError, KeyError, TypeError):
        return None


PROFILE_LINE = re.compile(r"^(gpu|rates) (\w+=\S+ ?)+$")


def profile_ok(data, planted=()):
    """Whether data is a whole profile (the header, then whole lines) that
    keeps every line of planted."""
    text = data.decode("utf-8", "replace")
    lines = text.split("\n")
    if not text.endswith("\n") or len(lines) < 3 or \
            lines[0] != "accelstrat-profile 1" or not lines[1].startswith("host="):
        return False
    if not all(PROFILE_LINE.match(line) for line in lines[2:-1]):
        return False
    return all(p in text for p in planted)


def other_machines(n=100):
    """n rates lines of other machines, which every save must keep."""
    return ["rates kernel=filter version=1 device=cpu/Some_other_machine_%03d "
            "batch_ns=20000 task_ns=1400 unit_ns=3.7 lane_ns=3.7 byte_ns=0 "
            "eff=0.9 calibrated=1 ratios=1,1.01,0.99,1,1,1.02,0.98,1,1" % k
            for k in range(n)]


def summarise(tools, metrics):
    """utils/metrics-summary.py on metrics: (exit status, records read,
    lines skipped, stderr)."""
    r = subprocess.run([sys.executable, tools.summary, metrics],
                       capture_output=True, text=True)
    m = re.match(r"(\d+) translation units", r.stdout)
    skipped = r.stderr.count("warning: skipping a line that is not a whole record")
    return r.returncode, int(m.group(1)) if m else -1, skipped, r.stderr
