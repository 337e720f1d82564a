# lit configuration for the plugin's tests: each test is a source file whose
# RUN lines compile it with the plugin and whose CHECK lines say what must be
# printed.
import os
import shutil

import lit.formats

config.name = "accelstrat"
config.test_format = lit.formats.ShTest(True)
config.suffixes = [".c", ".cpp", ".ll", ".test"]
config.test_source_root = os.path.dirname(__file__)
config.excludes = ["Inputs", "unit", "gpu", "bench", "fuzz", "stress",
                   "lit.cfg.py", "lit.site.cfg.py.in"]

tools = config.llvm_tools_dir
config.environment["PATH"] = os.pathsep.join(
    [tools, config.bindir, config.environment.get("PATH", "")])
# Results must not depend on the machine: remarks are compared as text.
config.environment["LC_ALL"] = "C"
# Nor on what earlier runs taught the cost model, nor on other test processes
# holding the GPU slots; tests about those set their own.
config.environment["ACCELSTRAT_PROFILE"] = "off"
config.environment["ACCELSTRAT_GPU_SLOTS"] = "64"

# The HTML report's browser test renders its page in headless Chromium
# (Debian's chromium, from utils/install-deps.sh) where one is installed.
if shutil.which("chromium"):
    config.available_features.add("chromium")

# A sanitized build (ACCELSTRAT_SANITIZE; config.sanitize, from CMake). Under
# ASan and UBSan the plugin needs their runtime loaded first into clang and
# opt, which are not sanitized themselves: %clang, %clangxx and %opt are then
# wrappers that preload it (LD_PRELOAD for them and what they run, nothing
# else: make, python and the shell stay as they are). The programs the build
# made (accelstrat-report, accelstrat-bench) link it themselves. Leaks are
# errors, the plugin's included; test/lsan.supp names only the linker's.
def preload_wrapper(directory, name, preload):
    """directory/name: the tool `name` of llvm_tools_dir with `preload`
    (a :-separated list) in LD_PRELOAD; rewritten only when it differs."""
    text = ("#!/bin/sh\n"
            "# Written by test/lit.cfg.py: %s with the sanitizer runtime preloaded.\n"
            'LD_PRELOAD="%s${LD_PRELOAD:+:$LD_PRELOAD}" exec "%s" "$@"\n'
            % (name, preload, os.path.join(tools, name)))
    path = os.path.join(directory, name)
    try:
        with open(path) as f:
            if f.read() == text:
                return path
    except OSError:
        pass
    tmp = "%s.tmp%d" % (path, os.getpid())  # whole, then renamed: lit -jN
    with open(tmp, "w") as f:
        f.write(text)
    os.chmod(tmp, 0o755)
    os.replace(tmp, path)
    return path


sanitize = getattr(config, "sanitize", "")
tool_paths = {name: os.path.join(tools, name) for name in ["clang", "clang++", "opt"]}
if sanitize == "address":
    config.available_features.update(["asan", "ubsan"])
    config.environment["ASAN_OPTIONS"] = "detect_leaks=1"
    config.environment["LSAN_OPTIONS"] = "print_suppressions=0:suppressions=" + \
        os.path.join(config.project_source_dir, "test", "lsan.supp")
    config.environment["UBSAN_OPTIONS"] = "print_stacktrace=1:halt_on_error=1"
    preload = ":".join(p for p in config.sanitize_preload.split(";") if p)
    wrappers = os.path.join(config.test_exec_root, "sanitize-bin")
    os.makedirs(wrappers, exist_ok=True)
    tool_paths = {name: preload_wrapper(wrappers, name, preload) for name in tool_paths}
elif sanitize == "thread":
    # TSan is for the runtime's threads, in its unit tests (ctest -L unit);
    # the plugin's tests run under ASan and UBSan (ACCELSTRAT_SANITIZE=ON).
    config.available_features.add("tsan")
    config.unsupported = True
    lit_config.note("a TSan build: the plugin's tests are for an ASan/UBSan "
                    "build (ACCELSTRAT_SANITIZE=ON), every one unsupported here")

plugin = os.path.join(config.shlibdir, "libaccelstrat" + config.shlibext)
pass_plugin = os.path.join(config.shlibdir, "libaccelstrat-pass" + config.shlibext)

config.substitutions.append(("%clangxx", tool_paths["clang++"]))
config.substitutions.append(("%clang", tool_paths["clang"]))
config.substitutions.append(("%opt", tool_paths["opt"]))
config.substitutions.append(("%plugin", plugin))
config.substitutions.append(("%passplugin", pass_plugin))
config.substitutions.append(("%shlibdir", config.shlibdir))
config.substitutions.append(("%shlibext", config.shlibext))
config.substitutions.append(("%bindir", config.bindir))
config.substitutions.append(("%srcroot", config.project_source_dir))
config.substitutions.append(("%python", "python3"))
# The usual way to load it, for the tests that are not about loading.
config.substitutions.append(
    ("%accelstrat", "-fplugin=" + plugin + " -Rpass-analysis=accelstrat"))
