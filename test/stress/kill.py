#!/usr/bin/env python3
"""kill -9 at random moments of every write the plugin and the runtime make,
hundreds of times, each followed by the checks of what the code promises:

  metrics=  (O_APPEND under an exclusive flock, one record of 910 KB): the
            file only grows; every line is a whole record of the TU's shape,
            or the unfinished line of a killed writer, which the next append
            closes with a newline (nothing glued to it); a compile that ends
            appends one whole line; utils/metrics-summary.py reads the file,
            skipping exactly the broken lines.
  report=   (a temporary renamed over it): byte for byte the previous
            report, or a whole new one of the same shape.
  profile   (ACCELSTRAT_PROFILE, saved under an flock of PATH.lock, a
            temporary renamed over it): the previous file or a whole new one
            that keeps 100 other machines' rates planted in it; no compile
            warns reading it; a save removes the temporaries of killed
            saves.
  dump=     (a temporary renamed per batch): every .asb file is byte for
            byte the batch this TU always dumps; accelstrat-bench
            cpu-vs-omp --replay runs those batches.
  slots     (ACCELSTRAT_GPU=sim, ACCELSTRAT_GPU_SLOTS=1): after a holder is
            killed the lock file is free, and a new process gets the slot
            with fallback=off.
and after every round: no file of the test's is locked, no temporary of a
writer that was not killed is left.

A round starts one compile in a process group of its own and sends SIGKILL
to the group. Three rounds in four aim at a write: the compile runs with
stopper.so preloaded (built here from test/stress/stopper.c), which stops it
(SIGSTOP) where the write starts (the lock taken, the temporary created)
and where it has ended (before the close that unlocks, before the rename);
the test continues it and kills it once the file has grown by a random part
of the whole (up to 1.2 times: then at the second stop), or, for a slot,
after a random part of the time it is held. Aimed by bytes, not by time:
the moment a continued process runs again is the scheduler's. The other
rounds kill a plain compile at a random moment. The choices come from the
seed printed first (--seed or ACCELSTRAT_TEST_SEED replays them; where a
kill lands still depends on timing).

A killed writer may leave its temporary; the next write of the same file
(report=, the profile; dump= of the same TU) removes it: one that outlives
that write is a failure.

  kill.py BUILD_DIR [--clang clang-19] [--kills N] [--seed N] [--keep]
Exit 0: every check passed; 1: one failed (the seed and the directory, which
is kept, are printed); 2: no build; 77: cannot run here. The last line:
  kill: N kills, N checks, N failed
"""
import argparse
import collections
import fcntl
import os
import random
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import stresslib as sl  # noqa: E402
from stresslib import Failure, read  # noqa: E402


class Lab(sl.Children):
    """The work directory, the processes, the checks."""

    def __init__(self, args, tools, work, rng):
        super().__init__(os.path.join(work, "src"), os.path.join(work, "logs", "stderr.txt"))
        self.tools, self.work, self.rng = tools, work, rng
        self.strays = {}  # path: pid of a killed writer whose temporary is left
        for d in ("metrics", "report", "profile", "dump", "replay", "slots",
                  "slot-index", "scratch", "failed", "logs"):
            os.makedirs(self.path(d))
        sl.write_tus(self.path("src"), tools.root)
        self.current = "the start"

    def path(self, *p):
        return os.path.join(self.work, *p)

    def temps(self, op, dirname, base, ended):
        """Temporaries in dirname (of DIR/BASE): only killed writers' ones,
        none after a write that ended."""
        for name, pid in sl.temps(dirname, base).items():
            full = os.path.join(dirname, name)
            if full not in self.strays:
                self.check(pid in self.killed, f"{op}: {full}: a temporary of a "
                           "writer that was not killed")
                self.strays[full] = pid
            elif ended:
                self.check(False, f"{op}: {full}: a killed writer's "
                           "temporary, left by the next write")
        for full in [f for f in self.strays if not os.path.exists(f)]:
            del self.strays[full]


class Op:
    """One kind of write: its compile, where it aims and what it checks.
    targets: (weight, the stop where the write starts, the one where it has
    ended); progress(target) says, once stopped at the first, how much of
    how much the write has written."""
    name, share, cmd, env = "", 0, None, None
    targets, temp = (), None  # temp: the temporary being written
    compile_s = 0.0

    def __init__(self, lab):
        self.lab, self.tools = lab, lab.tools
        self.kills = self.ended = 0
        self.seen = collections.Counter()  # where the kills landed

    def start(self, stop=None):
        return self.lab.start(self.cmd, self.next_env(), stop)

    def next_env(self):
        return self.env

    def before(self):
        return None

    def final(self):
        pass

    def once(self, what):
        """A compile that ends, and the checks; its seconds."""
        before, t0 = self.before(), time.monotonic()
        p = self.start()
        self.lab.finish(p, f"{self.name}: {what}")
        self.check(before, False, p)
        return time.monotonic() - t0

    def calibrate(self):
        """The first compile (setup()), then the compile's length."""
        self.setup()
        self.compile_s = sl.med([self.once("a compile") for _ in range(2)])

    def round(self, mode, frac):
        before = self.before()
        if mode == "blind":
            p = self.start()
            time.sleep(frac * self.compile_s)
        else:
            target = self.lab.rng.choices(self.targets, [t[0] for t in self.targets])[0]
            p = self.start(",".join(filter(None, target[1:])))
            if self.lab.wait_stopped(p):
                self.aim(p, target, frac)
        done = self.lab.kill(p)
        self.lab.check(done or p.returncode == 0, f"{self.name}: exit status "
                       f"{p.returncode}: {self.lab.stderr()}")
        self.check(before, done, p)
        return done

    def aim(self, p, target, frac):
        """Continues p and returns once it has written frac of the whole,
        or stopped at the write's end."""
        written, whole = self.progress(target)
        goal, polls = frac * whole, 0
        os.kill(p.pid, signal.SIGCONT)
        while written() < goal:
            polls += 1
            if polls % 8 == 0 and (sl.stopped(p.pid) or not self.lab.running(p)):
                break

    def new_temp(self, dirname, base=None, known=()):
        """The path of the temporary there that is no stray seen before."""
        for n in sl.temps(dirname, base):
            full = os.path.join(dirname, n)
            if full not in self.lab.strays and n not in known:
                return full
        return None

    def temp_progress(self, temp, whole):
        """progress() of a temporary file: its size (whole once it is gone)."""
        def written():
            try:
                return os.path.getsize(temp)
            except (OSError, TypeError):
                return whole
        return written, whole

    def landed(self, temp, whole):
        """Counts where a kill landed in a temporary's write."""
        if temp and os.path.exists(temp):
            self.seen["temporary part-written" if os.path.getsize(temp) < whole
                      else "temporary whole, not renamed"] += 1


class Metrics(Op):
    name, share = "metrics", 100
    targets = ((1, "lock", "unlock"),)
    whole = broken = 0  # lines in the file (and in the files before it)
    checked = 0  # where the line after the last newline checked starts
    start_whole = start_broken = 0  # those of the files before it

    def __init__(self, lab):
        super().__init__(lab)
        self.file = lab.path("metrics", "m.jsonl")
        self.cmd = self.tools.compile_cmd("big.c", "metrics=" + self.file)
        self.env = sl.base_env()

    def setup(self):
        self.lab.finish(self.start(), "metrics: the first compile")
        self.ref = sl.record_shape(read(self.file))
        self.lab.check(self.ref is not None, "metrics: the first line is no record")
        self.checked, self.whole = len(read(self.file)), 1
        self.record = self.checked

    def progress(self, target):
        start = os.path.getsize(self.file)
        return (lambda: os.path.getsize(self.file) - start), self.record

    def before(self):
        if os.path.getsize(self.file) > 16 << 20:  # each round reads it: anew
            self.final()
            sl.replace(self.file, b"")
            self.checked, self.start_whole, self.start_broken = 0, self.whole, self.broken
        return read(self.file)

    def check(self, before, killed_now, p):
        c, data = self.lab.check, read(self.file)
        c(data.startswith(before), "metrics: the file is no longer what it "
          "was plus appended lines")
        c(os.listdir(os.path.dirname(self.file)) == ["m.jsonl"],
          "metrics: files beside it: %s" % os.listdir(os.path.dirname(self.file)))
        pending = before[self.checked:]  # a killed writer's unfinished line
        end = data.rfind(b"\n") + 1
        lines = data[self.checked:end].split(b"\n")[:-1]
        tail = data[max(end, self.checked):]
        if pending and len(data) > len(before):
            # The next append closes it first, with nothing glued to it.
            c(data[len(before):len(before) + 1] == b"\n" and lines[:1] == [pending],
              "metrics: an unfinished line was not closed before the next record")
            closed = sl.record_shape(lines.pop(0))
            c(closed in (None, self.ref), "metrics: a record of another shape")
            self.whole += closed is not None
            self.broken += closed is None
        for line in lines:
            c(sl.record_shape(line) == self.ref,
              "metrics: a line that is not a whole record of the TU's shape")
        self.whole += len(lines)
        if tail:
            c(killed_now and tail.startswith(b'{"tool":"accelstrat ') and
              tail.count(b'{"tool":') == 1,
              "metrics: the file ends in an unfinished line not left by a kill")
            self.seen["an unfinished line"] += killed_now and tail != pending
        c(len(lines) <= 1 if killed_now else len(lines) == 1 and not tail,
          f"metrics: a compile ({'killed' if killed_now else 'ended'}) "
          f"added {len(lines)} whole lines")
        self.checked = max(end, self.checked)

    def final(self):
        rc, records, skipped, err = sl.summarise(self.tools, self.file)
        whole = self.whole - self.start_whole
        broken = self.broken - self.start_broken + (read(self.file)[-1:] not in (b"\n", b""))
        self.lab.check(rc == 0 and records == whole and skipped == broken,
                       f"metrics-summary.py (exit {rc}) read {records} records "
                       f"and skipped {skipped} lines; the file has {whole} "
                       f"whole and {broken} broken ones: {err[-500:]}")


class Report(Op):
    name, share = "report", 90
    targets = ((1, "temp", "rename"),)

    def __init__(self, lab):
        super().__init__(lab)
        self.file = lab.path("report", "r.json")
        self.dir = os.path.dirname(self.file)
        self.cmd = self.tools.compile_cmd("tu.c", "report=" + self.file)
        self.env = sl.base_env()

    def setup(self):
        self.lab.finish(self.start(), "report: the first compile")
        self.ref = sl.record_shape(read(self.file))
        self.lab.check(self.ref is not None, "report: the first one is no record")

    def before(self):
        return read(self.file), os.stat(self.file).st_ino

    def progress(self, target):
        self.temp = self.new_temp(self.dir, "r.json")
        return self.temp_progress(self.temp, os.path.getsize(self.file))

    def check(self, before, killed_now, p):
        if killed_now:
            self.landed(self.temp, len(before[0]))
        self.temp = None
        c, cur = self.lab.check, read(self.file)
        new = (cur, os.stat(self.file).st_ino) != before
        c(new or killed_now, "report: a compile that ended left the previous report")
        if new:
            c(sl.record_shape(cur) == self.ref, "report: neither the previous "
              "report nor a whole new one")
        self.lab.temps("report", self.dir, "r.json", not killed_now)

    def final(self):
        self.once("the last compile")


class Profile(Op):
    name, share = "profile", 80
    targets = ((1, "temp", "rename"),)
    flip = 0

    def __init__(self, lab):
        super().__init__(lab)
        self.file = lab.path("profile", "p.txt")
        self.dir, self.lock = os.path.dirname(self.file), self.file + ".lock"
        # strategy=gpu on the sim, its start-up alternating: every compile
        # has news for the profile (a start-up time that moved) and saves.
        self.cmd = self.tools.compile_cmd("tu.c", "strategy=gpu")
        self.env = sl.base_env(ACCELSTRAT_PROFILE=self.file, ACCELSTRAT_GPU="sim",
                               ACCELSTRAT_GPU_SLOTS="64",
                               ACCELSTRAT_GPU_SLOT_DIR=lab.path("scratch", "slots"))
        self.planted = sl.other_machines()

    def next_env(self):
        self.flip ^= 1
        return dict(self.env, ACCELSTRAT_SIM="startup=%d" % (1 if self.flip else 6))

    def setup(self):
        self.lab.finish(self.start(), "profile: the first compile")
        text = read(self.file).decode() + "".join(k + "\n" for k in self.planted)
        sl.replace(self.file, text.encode())

    def before(self):
        self.stale = sl.temps(self.dir, "p.txt")
        return read(self.file), os.stat(self.file).st_ino, self.stale

    def progress(self, target):
        self.temp = self.new_temp(self.dir, "p.txt", self.stale)
        return self.temp_progress(self.temp, os.path.getsize(self.file))

    def check(self, before, killed_now, p):
        c, (data, ino, stale) = self.lab.check, before
        if killed_now:
            self.landed(self.temp, len(data))
        self.temp = None
        err = self.lab.stderr()
        c("warning: accelstrat:" not in err, f"profile: a compile warned: {err}")
        cur = read(self.file)
        saved = os.stat(self.file).st_ino != ino
        if cur != data or saved:
            c(sl.profile_ok(cur, self.planted), "profile: not a whole profile "
              "with the other machines' rates")
        c(saved or killed_now, "profile: a compile that ended did not save it")
        c(sl.lock_is_free(self.lock), "profile: PATH.lock is locked after the kill")
        now = sl.temps(self.dir, "p.txt")
        if saved:
            left = [n for n, pid in stale.items() if n in now and not sl.pid_alive(pid)]
            c(not left, f"profile: a save left killed saves' temporaries: {left}")
        for name, pid in now.items():
            c(pid in self.lab.killed, f"profile: {name}: a temporary of a save "
              "that was not killed")

    def final(self):
        self.once("the last compile")
        self.lab.check(not sl.temps(self.dir, "p.txt"),
                       "profile: temporaries left after the last save")


DUMPED = re.compile(r"^tu\.c-[0-9a-f]{8}-(\d+)-(\d+)-(filter|align)\.asb$")


class Dump(Op):
    name, share = "dump", 90
    # The first align batch (738 KB), at times the filter batch (44 KB).
    targets = ((4, "temp:2", "rename:2"), (1, "temp:1", "rename:1"))

    def __init__(self, lab):
        super().__init__(lab)
        self.dir = lab.path("dump")
        self.cmd = self.tools.compile_cmd("tu.c", "dump=" + self.dir)
        self.env = sl.base_env()
        self.refs, self.whole = {}, None  # seq: bytes; the one aimed at

    def setup(self):
        lab = self.lab
        lab.finish(self.start(), "dump: the first compile")
        for name in os.listdir(self.dir):
            self.refs[int(DUMPED.match(name).group(2))] = read(os.path.join(self.dir, name))
            shutil.copy(os.path.join(self.dir, name), lab.path("replay", name))
        lab.check(sorted(self.refs) == [0, 1, 2], "dump: the first compile "
                  f"dumped {sorted(os.listdir(self.dir))}")
        self.check(None, False, None)

    def progress(self, target):
        seq = int(target[1].split(":")[1]) - 1
        self.temp = self.new_temp(self.dir)
        self.whole = len(self.refs[seq])
        return self.temp_progress(self.temp, self.whole)

    def check(self, before, killed_now, p):
        if killed_now:
            self.landed(self.temp, self.whole)
        self.temp = None
        c, mine = self.lab.check, 0
        c("warning:" not in self.lab.stderr(), f"dump: {self.lab.stderr()}")
        for name in sorted(os.listdir(self.dir)):
            if name.startswith("."):
                continue
            m = DUMPED.match(name)
            c(m and int(m.group(1)) in self.lab.spawned,
              f"dump: {name}: a file of no compile of ours")
            full = os.path.join(self.dir, name)
            c(read(full) == self.refs.get(int(m.group(2))),
              f"dump: {name}: not the whole batch")
            os.unlink(full)  # byte for byte one that the replay runs
            mine += p is not None and int(m.group(1)) == p.pid
        c(killed_now or p is None or mine == 3,
          f"dump: a compile that ended dumped {mine} batches")
        left, ours = os.listdir(self.dir), sl.temps(self.dir)
        c(all(n in ours for n in left), f"dump: files of no writer of ours: {left}")
        self.lab.temps("dump", self.dir, None, not killed_now and p is not None)

    def final(self):
        self.once("the last compile")
        r = subprocess.run([self.tools.bench, "cpu-vs-omp", "--quick", "--replay",
                            self.lab.path("replay"), "--out",
                            self.lab.path("scratch", "bench")],
                           env=sl.base_env(), capture_output=True, text=True)
        rows = len(re.findall(r"^\| tu\.c-\S+\.asb \(\d+ tasks\) \|", r.stdout, re.M))
        self.lab.check(r.returncode == 0 and rows == 3, f"dump: the replay of "
                       f"the 3 batches ran {rows} (exit {r.returncode}): "
                       f"{r.stderr[-1000:]}")


class Slots(Op):
    name, share = "slots", 60
    targets = ((1, "lock", None),)
    holding = False

    def __init__(self, lab):
        super().__init__(lab)
        self.dir = lab.path("slots")
        self.cmd = self.tools.compile_cmd("small.c", "strategy=gpu", "fallback=off")
        self.env = sl.base_env(ACCELSTRAT_GPU="sim", ACCELSTRAT_GPU_SLOTS="1",
                               ACCELSTRAT_GPU_SLOT_DIR=self.dir,
                               ACCELSTRAT_SIM="startup=20")

    def get_slot(self):
        """Whether a new process gets the slot (with fallback=off it fails
        otherwise, AS_EGPU_BUSY)."""
        r = subprocess.run([self.tools.report, "--strategy=gpu", "--fallback=off",
                            self.lab.path("slot-index")], env=self.env,
                           capture_output=True, text=True)
        return r.returncode == 0, r.stderr[-500:]

    def setup(self):
        lab = self.lab
        subprocess.run(self.tools.compile_cmd("small.c", "index=" + lab.path("slot-index")),
                       cwd=lab.path("src"), env=sl.base_env(), check=True)
        lab.finish(self.start(), "slots: the first compile")
        self.check(None, False, None)
        lock = os.path.join(self.dir, os.listdir(self.dir)[0])
        hold = os.open(lock, os.O_RDONLY)
        fcntl.flock(hold, fcntl.LOCK_EX)
        got, _ = self.get_slot()
        os.close(hold)
        lab.check(not got, "slots: the check got a slot that the test held")
        self.key = sl.lock_key(lock)

    def calibrate(self):
        """Then how long a compile holds the slot (from the lock to its end)."""
        super().calibrate()
        held = []
        for _ in range(3):
            p = self.start("lock")
            self.lab.check(self.lab.wait_stopped(p), "slots: never locked")
            t0 = time.perf_counter()
            os.kill(p.pid, signal.SIGCONT)
            while self.lab.running(p):
                pass
            held.append(time.perf_counter() - t0)
            self.lab.finish(p, "slots")
        self.held = sl.med(held)

    def aim(self, p, target, frac):
        os.kill(p.pid, signal.SIGCONT)
        sl.spin(frac * self.held)
        self.holding = sl.holds(p.pid, self.key)

    def check(self, before, killed_now, p):
        self.seen["the slot held"] += killed_now and self.holding
        self.holding = False
        c, names = self.lab.check, os.listdir(self.dir)
        c(len(names) == 1 and names[0].endswith(".0.lock"),
          f"slots: the slot directory holds {names}")
        got, err = self.get_slot()
        c(got, f"slots: a new process got no slot: {err}")

    def final(self):
        self.check(None, True, None)


def rounds(lab, ops, kills):
    """kills rounds in a seeded order, in proportion to the ops' shares;
    returns the rounds run (a compile that ended first is tried again)."""
    rng, n = lab.rng, 0
    total = sum(op.share for op in ops)
    schedule = [op for op in ops for _ in range(op.share * kills // total)]
    schedule += rng.choices(ops, [op.share for op in ops], k=kills - len(schedule))
    rng.shuffle(schedule)
    with open(lab.path("logs", "rounds.txt"), "w", buffering=1) as log:
        for op in schedule:
            for attempt in range(5):
                n += 1
                mode = "blind" if rng.random() < 0.25 else "write"
                frac = rng.uniform(0, 1.1 if mode == "blind" else 1.2) / 2 ** attempt
                lab.current = f"round {n} ({op.name}, {mode}, at {frac:.3f})"
                done = op.round(mode, frac)
                held = sl.locked_files(lab.work)
                lab.check(not held, f"files still locked: {held}")
                log.write(f"{lab.current}: {'killed' if done else 'ended'}\n")
                if done:
                    op.kills += 1
                    break
                op.ended += 1
    return n


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("build")
    ap.add_argument("--clang", default="clang-19")
    ap.add_argument("--kills", type=int, default=200)
    ap.add_argument("--seed", type=int)
    ap.add_argument("--keep", action="store_true", help="keep the directory")
    args = ap.parse_args()
    sys.stdout.reconfigure(line_buffering=True)
    for sig in (signal.SIGTERM, signal.SIGHUP):  # the finally below: no compile left stopped
        signal.signal(sig, lambda n, _: sys.exit(128 + n))
    tools = sl.Tools("kill", args.build, args.clang)
    if not os.access("/proc/locks", os.R_OK):
        sl.skip("kill", "no /proc/locks to see who holds a lock")
    seed = args.seed if args.seed is not None else \
        int(os.environ.get("ACCELSTRAT_TEST_SEED") or int.from_bytes(os.urandom(4), "little"))
    work = os.path.realpath(tempfile.mkdtemp(prefix="accelstrat-kill."))
    print(f"kill: seed {seed} (replay: --seed {seed}), work {work}")
    started, n, failed = time.monotonic(), 0, True
    lab = Lab(args, tools, work, random.Random(seed))
    ops = [cls(lab) for cls in (Metrics, Report, Profile, Dump, Slots)]
    try:
        lab.build_stopper(tools.clang, lab.path("stopper.so"))
        for op in ops:
            lab.current = f"the start ({op.name})"
            op.calibrate()
        print("kill: compiles " + ", ".join(f"{op.name} {1e3 * op.compile_s:.0f}"
                                            for op in ops) +
              f" ms; a slot held {1e3 * ops[4].held:.0f} ms")
        n = rounds(lab, ops, args.kills)
        lab.current = "the final checks"
        for op in ops:
            op.final()
        failed = False
    except Failure as e:
        for f in (ops[0].file, ops[1].file, ops[2].file, lab.errlog):
            if os.path.exists(f):
                shutil.copy(f, lab.path("failed", os.path.basename(f)))
        print(f"kill: FAIL at {lab.current}: {e}", file=sys.stderr)
        print(f"kill: replay with --seed {seed}; the files are in {work} (copies "
              "of the offending ones in failed/, the rounds in logs/rounds.txt)",
              file=sys.stderr)
    finally:
        for p in list(lab.live):  # none stopped or running after us
            lab.kill(p)
    kills, took = sum(op.kills for op in ops), time.monotonic() - started
    print("kill: %d rounds in %.0f s (%.0f ms a kill); %d compiles ended before "
          "their kill (checked too)" % (n, took, 1e3 * took / max(kills, 1),
                                        sum(op.ended for op in ops)))
    print("kill: kills by write: " + ", ".join(f"{op.name} {op.kills}" for op in ops))
    print("kill: kills that left " + "; ".join(
        f"{op.name}: " + ", ".join(f"{k} {what}" for what, k in sorted(op.seen.items()))
        for op in ops if op.seen))
    print(f"kill: metrics files: {ops[0].whole} whole records, {ops[0].broken} "
          "unfinished lines (skipped by the summary)")
    if not failed and not args.keep:
        shutil.rmtree(work)
    print(f"kill: {kills} kills, {lab.checks.n} checks, {int(failed)} failed")
    return int(failed)


if __name__ == "__main__":
    sys.exit(main())
