#!/usr/bin/env python3
"""A full disk under every write of the plugin and the runtime: metrics=,
report=, dump=, index=DIR and the profile's save, each on a small tmpfs (a
private mount namespace of its own: unshare -m as root, else unshare -rm)
filled to leave none, a few pages, most of a record, or room for the record
but not for the dumps, and once with every inode taken. Each write's
compile alone, from the same files each time; then:

  metrics=  the compile succeeds with one whole line appended, or fails
            with "error: accelstrat: cannot append metrics to 'PATH': No
            space left on device" and the file byte for byte as it was (a
            short write taken back with ftruncate; also when the file ended
            in a killed writer's unfinished line); utils/metrics-summary.py
            reads it.
  report=   a whole new report, or that error ("cannot write report") and
            the previous one byte for byte.
  dump=     the compile succeeds; a batch that does not fit is one warning
            ("cannot dump the KERNEL batch: ... No space left on device")
            and every .asb file there is whole.
  index=DIR the compile succeeds; a record that does not fit is one warning
            and the previous record stays; accelstrat-report reads the
            directory.
  profile   the compile succeeds without a warning (the save is best
            effort); the profile is the previous one or a whole new one
            that keeps the other machines' rates; PATH.lock is free.
and never a temporary left, never a crash; with the space back, each write
works again.

  enospc.py BUILD_DIR [--clang clang-19] [--keep]
Exit 0: every check passed; 1: a check failed; 2: no build; 77: no private
mount namespace or tmpfs here. The last line: enospc: N checks, N failed
"""
import argparse
import errno
import os
import re
import shutil
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import stresslib as sl  # noqa: E402
from stresslib import Failure, read  # noqa: E402

PAGE = os.sysconf("SC_PAGE_SIZE")
SIZE = 8 << 20    # the tmpfs: room for every output and the filler
INODES = 64
NOSPC = "No space left on device"


def inside(argv):
    """Runs this script again in a private mount namespace; its exit status."""
    if os.environ.get("STRESS_ENOSPC_INSIDE") == "1":
        return None
    if not shutil.which("unshare"):
        sl.skip("enospc", "no unshare (util-linux) for a private mount namespace")
    cmd = ["unshare", "-m", "--propagation", "private"]
    if os.geteuid() != 0:
        cmd.insert(1, "-r")
    probe = subprocess.run(cmd + ["true"], capture_output=True, text=True)
    if probe.returncode != 0:
        sl.skip("enospc", f"no private mount namespace ({' '.join(cmd)}: "
                f"{probe.stderr.strip()})")
    env = dict(os.environ, STRESS_ENOSPC_INSIDE="1")
    return subprocess.run(cmd + [sys.executable, os.path.abspath(__file__)] + argv,
                          env=env).returncode


class Disk:
    """A tmpfs at mnt, filled by mnt/filler to leave a chosen space free."""

    def __init__(self, mnt):
        self.mnt = mnt
        os.makedirs(mnt)
        r = subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={SIZE},"
                            f"nr_inodes={INODES},mode=0755", "tmpfs", mnt],
                           capture_output=True, text=True)
        if r.returncode != 0:
            sl.skip("enospc", f"cannot mount a tmpfs: {r.stderr.strip()}")
        self.filler = os.path.join(mnt, "filler")
        self.inode_fillers = []

    def path(self, *p):
        return os.path.join(self.mnt, *p)

    def free(self):
        st = os.statvfs(self.mnt)
        return st.f_bavail * st.f_frsize

    def leave(self, nbytes, inodes=True):
        """Fills the disk but for nbytes (whole pages); with inodes=False,
        takes every free inode too."""
        self.release()
        fd, chunk = os.open(self.filler, os.O_WRONLY | os.O_CREAT), bytes(1 << 20)
        try:
            while True:
                os.write(fd, chunk)  # short, then ENOSPC
        except OSError as e:
            if e.errno != errno.ENOSPC:
                raise
        os.ftruncate(fd, max(0, os.fstat(fd).st_size - nbytes))
        os.close(fd)
        if not inodes:
            try:
                while True:
                    n = self.path(f".inode{len(self.inode_fillers)}")
                    os.close(os.open(n, os.O_CREAT | os.O_WRONLY | os.O_EXCL))
                    self.inode_fillers.append(n)
            except OSError as e:
                if e.errno != errno.ENOSPC:
                    raise

    def release(self):
        if os.path.exists(self.filler):
            os.unlink(self.filler)
        for n in self.inode_fillers:
            os.unlink(n)
        self.inode_fillers = []

    def unmount(self):
        subprocess.run(["umount", self.mnt])


class Test:
    def __init__(self, tools, work, disk):
        self.tools, self.work, self.disk = tools, work, disk
        self.checks = sl.Checks()
        self.failures = []
        sl.write_tus(os.path.join(work, "src"), tools.root)
        self.planted = sl.other_machines()
        self.env = sl.base_env()

    def check(self, cond, what):
        self.checks.n += 1
        if not cond:
            self.failures.append(what)
            print(f"enospc: FAIL: {self.case}: {what}", file=sys.stderr)
        return cond

    def compile(self, *keys, env=None):
        r = subprocess.run(self.tools.compile_cmd("tu.c", *keys),
                           cwd=os.path.join(self.work, "src"), env=env or self.env,
                           capture_output=True, text=True)
        self.check(r.returncode >= 0, f"the compile died of signal {-r.returncode}:"
                   f" {r.stderr[-1500:]}")
        return r

    def no_temps(self, dirname):
        left = sl.temps(dirname)
        self.check(not left, f"temporaries left in {dirname}: {sorted(left)}")

    def failed_cleanly(self, r, message, path):
        """Exit 0, or the error for path with ENOSPC (and nothing else)."""
        if r.returncode == 0:
            self.check("error:" not in r.stderr, f"an error yet exit 0: {r.stderr}")
            return False
        want = f"error: accelstrat: {message} '{path}': {NOSPC}"
        self.check(want in r.stderr and r.stderr.count("error:") == 1,
                   f"exit {r.returncode} without the one error '{want}': "
                   f"{r.stderr[-1500:]}")
        return True

    # ---- each write: set-up (on a disk with room), then one case ----

    def setup(self):
        d = self.disk
        for sub in ("metrics", "report", "dump", "index", "profile"):
            os.makedirs(d.path(sub))
        self.metrics, self.report = d.path("metrics", "m.jsonl"), d.path("report", "r.json")
        self.dump, self.index = d.path("dump"), d.path("index")
        self.profile = d.path("profile", "p.txt")
        self.profile_env = sl.base_env(ACCELSTRAT_PROFILE=self.profile,
                                       ACCELSTRAT_GPU="sim", ACCELSTRAT_GPU_SLOTS="64",
                                       ACCELSTRAT_GPU_SLOT_DIR=os.path.join(self.work, "slots"))
        self.case = "set-up"
        for keys in (["metrics=" + self.metrics], ["report=" + self.report],
                     ["dump=" + self.dump], ["index=" + self.index]):
            r = self.compile(*keys)
            if not self.check(r.returncode == 0, f"{keys[0]}: {r.stderr[-1000:]}"):
                raise Failure("the set-up failed")
        r = self.compile("strategy=gpu", env=self.sim_env(1))
        self.check(r.returncode == 0 and os.path.exists(self.profile),
                   f"no profile saved: {r.stderr[-1000:]}")
        self.ref = sl.record_shape(read(self.report))
        self.check(self.ref is not None and sl.record_shape(read(self.metrics)) == self.ref,
                   "the first report and metrics line are not whole records")
        text = read(self.profile).decode() + "".join(k + "\n" for k in self.planted)
        sl.replace(self.profile, text.encode())
        self.refs = {re.sub(r"-\d+-(\d+-\w+\.asb)$", r"-\1", f):
                     read(os.path.join(self.dump, f)) for f in os.listdir(self.dump)}
        shutil.rmtree(self.dump)
        os.makedirs(self.dump)
        # The metrics file as a killed writer leaves it: an unfinished line.
        self.unfinished = read(self.metrics) + read(self.metrics)[:5000]
        self.saved = {p: read(p) for p in (self.metrics, self.report, self.profile)}
        self.record = len(self.saved[self.report])
        rec = [os.path.join(self.index, n) for n in os.listdir(self.index)]
        self.check(len(rec) == 1, f"index=: {rec}")
        self.saved[rec[0]] = read(rec[0])
        self.index_file = rec[0]

    def sim_env(self, startup=6):
        # Another start-up than the profile's (1 ms): news to save.
        return dict(self.profile_env, ACCELSTRAT_SIM=f"startup={startup}")

    def restore(self):
        self.disk.release()
        for p, data in self.saved.items():
            sl.replace(p, data)

    def case_metrics(self, free, inodes, unfinished=False):
        if unfinished:
            sl.replace(self.metrics, self.unfinished)
        before = read(self.metrics)
        self.disk.leave(free, inodes)
        r = self.compile("metrics=" + self.metrics)
        after = read(self.metrics)
        if self.failed_cleanly(r, "cannot append metrics to", self.metrics):
            self.check(after == before, "the file is not what it was (a partial "
                       f"line left: {len(after) - len(before)} bytes more)")
        else:
            new = after[len(before):]
            if unfinished:
                self.check(new[:1] == b"\n", "the unfinished line was not closed")
                new = new[1:]
            self.check(after.startswith(before) and new.endswith(b"\n") and
                       new.count(b"\n") == 1 and sl.record_shape(new) == self.ref,
                       "exit 0 but not one whole line appended")
        self.disk.release()
        rc, records, skipped, err = sl.summarise(self.tools, self.metrics)
        lines = [sl.record_shape(x) for x in read(self.metrics).split(b"\n") if x]
        whole = sum(x is not None for x in lines)
        self.check(rc == 0 and records == whole and skipped == len(lines) - whole,
                   f"metrics-summary.py (exit {rc}) read {records} records, skipped "
                   f"{skipped} lines; the file has {whole} whole of {len(lines)}: "
                   f"{err[-500:]}")
        self.no_temps(os.path.dirname(self.metrics))
        return r.returncode != 0

    def case_report(self, free, inodes):
        before = read(self.report)
        self.disk.leave(free, inodes)
        r = self.compile("report=" + self.report)
        after = read(self.report)
        if self.failed_cleanly(r, "cannot write report", self.report):
            self.check(after == before, "the previous report is not intact")
        else:
            self.check(sl.record_shape(after) == self.ref and after != before,
                       "exit 0 but not a whole new report")
        self.no_temps(os.path.dirname(self.report))
        return r.returncode != 0

    def case_dump(self, free, inodes):
        self.disk.leave(free, inodes)
        r = self.compile("dump=" + self.dump)
        self.check(r.returncode == 0, f"exit {r.returncode}: {r.stderr[-1500:]}")
        warned = re.findall(r"warning: accelstrat: cannot dump the (\w+) batch: "
                            r"(.*)\[-Wbackend-plugin\]", r.stderr)
        self.check(len(warned) <= 1 and all(NOSPC in w[1] for w in warned) and
                   r.stderr.count("warning:") == len(warned),
                   f"not one warning of a full disk: {r.stderr[-1500:]}")
        files = sorted(os.listdir(self.dump))
        for f in files:
            key = re.sub(r"-\d+-(\d+-\w+\.asb)$", r"-\1", f)
            self.check(read(os.path.join(self.dump, f)) == self.refs.get(key),
                       f"{f} is not the whole batch")
        self.check(bool(warned) or len(files) == 3,
                   f"no warning, yet {len(files)} batches of 3 dumped")
        self.no_temps(self.dump)
        for f in files:
            os.unlink(os.path.join(self.dump, f))
        return bool(warned)

    def case_index(self, free, inodes):
        before = read(self.index_file)
        self.disk.leave(free, inodes)
        r = self.compile("index=" + self.index)
        self.check(r.returncode == 0, f"exit {r.returncode}: {r.stderr[-1500:]}")
        warned = f"warning: accelstrat: index={self.index}: no index record for tu.c" \
            in r.stderr
        self.check(r.stderr.count("warning:") == warned and (not warned or NOSPC in r.stderr),
                   f"a warning, not one of a full disk: {r.stderr[-1500:]}")
        if warned:
            self.check(read(self.index_file) == before, "the previous record is not intact")
        self.no_temps(self.index)
        self.disk.release()
        rep = subprocess.run([self.tools.report, "--format=json", self.index],
                             env=self.env, capture_output=True, text=True)
        self.check(rep.returncode == 0 and "warning" not in rep.stderr,
                   f"accelstrat-report: exit {rep.returncode}: {rep.stderr[-500:]}")
        return warned

    def case_profile(self, free, inodes):
        before, ino = read(self.profile), os.stat(self.profile).st_ino
        self.disk.leave(free, inodes)
        r = self.compile("strategy=gpu", env=self.sim_env())
        self.check(r.returncode == 0 and "warning:" not in r.stderr,
                   f"exit {r.returncode}: {r.stderr[-1500:]}")
        after, saved = read(self.profile), os.stat(self.profile).st_ino != ino
        if saved or after != before:
            self.check(sl.profile_ok(after, self.planted), "not a whole profile with "
                       "the other machines' rates")
        self.check(sl.lock_is_free(self.profile + ".lock"), "PATH.lock is locked")
        self.no_temps(os.path.dirname(self.profile))
        return not saved

    def run(self):
        self.setup()
        cases = [("no space", 0, True), ("one page", PAGE, True),
                 ("a quarter of a record", self.record // 4 // PAGE * PAGE, True),
                 ("all but a page of a record", (self.record // PAGE - 1) * PAGE, True),
                 ("room for a record, not for the dumps", 2 * self.record, True),
                 ("no inode", 1 << 20, False)]
        writes = [("metrics", self.case_metrics), ("metrics after an unfinished "
                  "line", lambda f, i: self.case_metrics(f, i, unfinished=True)),
                  ("report", self.case_report), ("dump", self.case_dump),
                  ("index", self.case_index), ("profile", self.case_profile)]
        hit = {w: 0 for w, _ in writes}
        for what, free, inodes in cases:
            for name, case in writes:
                self.case = f"{name}, {what}"
                self.restore()
                hit[name] += bool(case(free, inodes))
        # Every write met the full disk at least once (else the test tested
        # nothing), and works again with the space back.
        for name, n in hit.items():
            self.case = name
            self.check(n > 0, "never failed for want of space")
        self.case = "the space back"
        self.restore()
        for name, case in writes:
            self.case = f"{name}, the space back"
            self.check(not case(SIZE, True), "failed with the space back")
        print("enospc: writes that met the full disk (of %d cases): %s" % (
            len(cases), ", ".join(f"{w} {n}" for w, n in hit.items())))


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("build")
    ap.add_argument("--clang", default="clang-19")
    ap.add_argument("--keep", action="store_true", help="keep the directory")
    args = ap.parse_args()
    sys.stdout.reconfigure(line_buffering=True)
    tools = sl.Tools("enospc", args.build, args.clang)
    rc = inside(sys.argv[1:])
    if rc is not None:
        return rc
    work = os.path.realpath(tempfile.mkdtemp(prefix="accelstrat-enospc."))
    disk = Disk(os.path.join(work, "disk"))
    test = Test(tools, work, disk)
    try:
        test.run()
    except Failure as e:
        test.failures.append(str(e))
        print(f"enospc: FAIL: {e}", file=sys.stderr)
    finally:
        disk.release()
        if args.keep or test.failures:
            # The tmpfs goes with the namespace: keep a copy of what it held.
            shutil.copytree(disk.mnt, os.path.join(work, "disk-copy"))
            print(f"enospc: kept {work}", file=sys.stderr)
        disk.unmount()
        if not args.keep and not test.failures:
            shutil.rmtree(work)
    print(f"enospc: {test.checks.n} checks, {len(test.failures)} failed")
    return 1 if test.failures else 0


if __name__ == "__main__":
    sys.exit(main())
