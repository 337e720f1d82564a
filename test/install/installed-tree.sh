#!/usr/bin/env bash
# The installed tree as another project sees it: `cmake --install` into a
# fresh prefix, then, away from the source and build trees, runtime_api.c
# built against it with find_package(accelstrat CONFIG) (shared and static
# targets) and with pkg-config (shared, and --static for the archive); each
# program run and its output checked; the installed plugins run through
# clang and opt, and the installed programs started.
#   installed-tree.sh --build DIR --libdir LIBDIR --cc CC
#                     [--plugin FILE --llvm-bindir DIR]
# --plugin is the plugin's file name (empty or absent: built without it).
set -euo pipefail

build='' libdir='' cc='' plugin='' llvm_bindir=''
while [[ $# -gt 0 ]]; do
  case $1 in
  --build) build=$2 ;;
  --libdir) libdir=$2 ;;
  --cc) cc=$2 ;;
  --plugin) plugin=$2 ;;
  --llvm-bindir) llvm_bindir=$2 ;;
  *) echo "installed-tree: unknown argument '$1'" >&2; exit 2 ;;
  esac
  shift 2
done
root=$(cd "$(dirname "$0")/../.." && pwd)

fail() {
  echo "installed-tree: FAIL: $*" >&2
  exit 1
}
# expect FILE PATTERN WHAT: FILE has a line matching the extended PATTERN.
expect() {
  grep -Eq -- "$2" "$1" || { cat "$1" >&2; fail "$3: no line matching '$2'"; }
}

command -v pkg-config >/dev/null ||
  fail "pkg-config not found: utils/install-deps.sh installs it"

work=$(cd "$(mktemp -d "${TMPDIR:-/tmp}/accelstrat-installed.XXXXXX")" && pwd -P)
trap 'rm -rf "$work"' EXIT
prefix=$work/prefix
# Nothing of the build tree may be found at run time.
unset LD_LIBRARY_PATH
# The runtime as the programs below use it: CPU threads, no profile file.
export ACCELSTRAT_STRATEGY=cpu ACCELSTRAT_GPU=off ACCELSTRAT_PROFILE=off

cmake --install "$build" --prefix "$prefix" >"$work/install.log" ||
  { cat "$work/install.log" >&2; fail "cmake --install"; }
for f in "$libdir/cmake/accelstrat/accelstratConfig.cmake" \
  "$libdir/cmake/accelstrat/accelstratConfigVersion.cmake" \
  "$libdir/pkgconfig/accelstrat.pc" include/accelstrat/accelstrat.h; do
  [[ -f $prefix/$f ]] || fail "not installed: $f"
done

# check_api PROGRAM NAME: runtime_api's 2000 tasks all right on CPU threads,
# the batch's report naming its kernel and the strategy asked for.
check_api() {
  local rc=0
  "$1" 2000 >"$work/$2.out" 2>&1 || rc=$?
  [[ $rc -eq 0 ]] || { cat "$work/$2.out" >&2; fail "$2 exited $rc"; }
  expect "$work/$2.out" '^2000 tasks, 0 wrong, strategy cpu, [0-9]+ threads$' "$2"
  expect "$work/$2.out" '^\{"kernel":"sum-squares","tasks":2000,.*"requested":"cpu","chosen":"cpu"' "$2"
}
# linked_to_installed PROGRAM: it loads libaccelstrat-rt.so from the prefix.
linked_to_installed() {
  # ldd's output whole first: grep -q stops reading at the first match, and
  # under pipefail ldd's SIGPIPE would fail the check now and then.
  local libs
  libs=$(ldd "$1")
  grep -q "libaccelstrat-rt\.so\.[0-9]* => $prefix/$libdir/" <<<"$libs" ||
    { echo "$libs" >&2; fail "$1 does not load the installed libaccelstrat-rt.so"; }
}
# not_linked_to_shared PROGRAM: the archive is in it, no libaccelstrat-rt.so.
not_linked_to_shared() {
  local dynamic
  dynamic=$(readelf -d "$1")
  ! grep -q 'NEEDED.*libaccelstrat-rt' <<<"$dynamic" ||
    fail "$1 needs libaccelstrat-rt.so although it linked the archive"
}

# CMake: find_package(accelstrat CONFIG) with CMAKE_PREFIX_PATH only.
mkdir "$work/cmake-src"
cp "$root/test/install/consumer/CMakeLists.txt" "$root/examples/api/runtime_api.c" \
  "$work/cmake-src/"
if ! { cmake -S "$work/cmake-src" -B "$work/cmake-build" -DCMAKE_C_COMPILER="$cc" \
  -DCMAKE_C_FLAGS="-Wall -Wextra -Werror" -DCMAKE_PREFIX_PATH="$prefix" \
  -DCMAKE_FIND_USE_PACKAGE_REGISTRY=OFF && cmake --build "$work/cmake-build"; } \
  >"$work/cmake.log" 2>&1; then
  cat "$work/cmake.log" >&2
  fail "the find_package project did not build"
fi
found=$work/cmake-build/found.txt
expect "$found" "^dir=$prefix/$libdir/cmake/accelstrat\$" "find_package's accelstrat_DIR"
expect "$found" '^version=0\.1\.0$' "find_package's accelstrat_VERSION"
linked_to_installed "$work/cmake-build/api-shared"
not_linked_to_shared "$work/cmake-build/api-static"
check_api "$work/cmake-build/api-shared" cmake-shared
check_api "$work/cmake-build/api-static" cmake-static

# pkg-config: the shared library, and --static's flags with the archive
# named in place of -laccelstrat-rt (the linker prefers the .so beside it).
export PKG_CONFIG_PATH=$prefix/$libdir/pkgconfig
mkdir "$work/pc"
cp "$root/examples/api/runtime_api.c" "$work/pc/"
cd "$work/pc"
pc_cflags=$(pkg-config --cflags accelstrat)
pc_libs=$(pkg-config --libs accelstrat)
pc_static=$(pkg-config --static --libs accelstrat)
[[ $(pkg-config --modversion accelstrat) == 0.1.0 ]] || fail "pkg-config --modversion"
# shellcheck disable=SC2086 # the flags are words
"$cc" -Wall -Wextra -Werror $pc_cflags runtime_api.c -o api-shared $pc_libs \
  -Wl,-rpath,"$prefix/$libdir" || fail "cc \$(pkg-config --cflags --libs accelstrat)"
# shellcheck disable=SC2086
"$cc" -Wall -Wextra -Werror $pc_cflags runtime_api.c -o api-static \
  ${pc_static/-laccelstrat-rt/-l:libaccelstrat-rt.a} ||
  fail "cc with pkg-config --static --libs accelstrat"
linked_to_installed api-shared
not_linked_to_shared api-static
check_api ./api-shared pc-shared
check_api ./api-static pc-static

# The installed programs find the installed runtime without help.
"$prefix/bin/accelstrat-calibrate" --help >"$work/calibrate.out" 2>&1 ||
  { cat "$work/calibrate.out" >&2; fail "accelstrat-calibrate --help"; }
expect "$work/calibrate.out" '^usage: accelstrat-calibrate ' "accelstrat-calibrate --help"
[[ $(ACCELSTRAT_PROFILE="$work/profile.txt" "$prefix/bin/accelstrat-calibrate" --path) == \
  "$work/profile.txt" ]] || fail "accelstrat-calibrate --path does not print ACCELSTRAT_PROFILE"

# accelstrat-report starts from the installed tree (its runtime found from
# there); the project-wide report on the plugin's records is checked below.
[[ -x $prefix/bin/accelstrat-report ]] || fail "accelstrat-report is not installed"
"$prefix/bin/accelstrat-report" --help >"$work/report-tool.out" 2>&1 ||
  { cat "$work/report-tool.out" >&2; fail "accelstrat-report --help"; }
expect "$work/report-tool.out" "^usage: accelstrat-report" "accelstrat-report --help"

if [[ -z $plugin ]]; then
  expect "$found" '^plugin=$' "find_package's ACCELSTRAT_PLUGIN without the plugin"
  echo "installed-tree: the plugin is not built (ACCELSTRAT_PLUGIN=OFF): its checks skipped"
  echo "installed-tree: ok"
  exit 0
fi

# The plugins where the package says they are, and what they find there.
expect "$found" "^plugin=$prefix/$libdir/$plugin\$" "find_package's ACCELSTRAT_PLUGIN"
pass_plugin=$(sed -n 's/^pass_plugin=//p' "$found")
[[ -f $pass_plugin ]] || fail "ACCELSTRAT_PASS_PLUGIN '$pass_plugin' is not a file"
[[ $(realpath "$(pkg-config --variable=plugin accelstrat)") == "$prefix/$libdir/$plugin" ]] ||
  fail "pkg-config --variable=plugin is not the installed plugin"

clones=$root/test/plugin/Inputs/clones.c
"$llvm_bindir/clang" -O1 -fplugin="$prefix/$libdir/$plugin" -Rpass-analysis=accelstrat \
  -fplugin-arg-accelstrat-report="$work/clones.json" -c "$clones" -o "$work/clones.o" \
  2>"$work/clang.out" || { cat "$work/clang.out" >&2; fail "clang -fplugin="; }
expect "$work/clang.out" "clones\.c:13:5: remark: 'sum_scaled_copy' is identical to 'sum_scaled'" \
  "clang -fplugin="
expect "$work/clang.out" "clones\.c:23:5: remark: 'sum_scaled_clamped' is 95% similar to 'sum_scaled'" \
  "clang -fplugin="
python3 - "$work/clones.json" <<'PY' || fail "the plugin's report=FILE"
import json, sys
r = json.load(open(sys.argv[1]))
pairs = [(p["function"]["name"], p["match"]["name"], p["identical"]) for p in r["pairs"]]
assert pairs == [("sum_scaled_copy", "sum_scaled", True),
                 ("sum_scaled_clamped", "sum_scaled", False)], pairs
assert r["strategy"] == "cpu", r["strategy"]
PY

"$llvm_bindir/clang" -O0 -S -emit-llvm -Xclang -disable-O0-optnone "$clones" -o "$work/clones.ll"
"$llvm_bindir/opt" -load-pass-plugin="$pass_plugin" -passes=accelstrat \
  -pass-remarks-analysis=accelstrat -disable-output "$work/clones.ll" 2>"$work/opt.out" ||
  { cat "$work/opt.out" >&2; fail "opt -load-pass-plugin="; }
expect "$work/opt.out" "'sum_scaled_copy' is identical to 'sum_scaled'" "opt -load-pass-plugin="

# The installed plugin's index records, read by the installed report.
"$llvm_bindir/clang" -O1 -fplugin="$prefix/$libdir/$plugin" \
  -fplugin-arg-accelstrat-index="$work/index" -c "$clones" -o "$work/indexed.o" \
  2>"$work/index.out" || { cat "$work/index.out" >&2; fail "clang -fplugin-arg-accelstrat-index="; }
"$prefix/bin/accelstrat-report" "$work/index" >"$work/report.out" 2>&1 ||
  { cat "$work/report.out" >&2; fail "accelstrat-report"; }
expect "$work/report.out" "note: 'sum_scaled_copy' is identical to 'sum_scaled'" "accelstrat-report"
echo "installed-tree: ok"
