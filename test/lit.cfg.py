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
config.excludes = ["Inputs", "unit", "gpu", "bench", "fuzz", "lit.cfg.py",
                   "lit.site.cfg.py.in"]

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

plugin = os.path.join(config.shlibdir, "libaccelstrat" + config.shlibext)
pass_plugin = os.path.join(config.shlibdir, "libaccelstrat-pass" + config.shlibext)

config.substitutions.append(("%clangxx", os.path.join(tools, "clang++")))
config.substitutions.append(("%clang", os.path.join(tools, "clang")))
config.substitutions.append(("%opt", os.path.join(tools, "opt")))
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
