#!/usr/bin/env bash
# Identical means what LLVM merges, on a real project: every TU of a Debian
# source package as clang emits it for -O2 (before any pass, what the plugin
# sees there), through opt -passes=mergefunc and through the plugin with
# every function taking part (min-instructions=1, system-headers=include);
# utils/mergefunc-agree.py compares the two per TU.
# Exit 77 (skip) when the source cannot be fetched here.
#   utils/mergefunc-project-test.sh PACKAGE BUILD_DIR
set -euo pipefail
pkg=$1 build=$(cd "$2" && pwd)
root=$(cd "$(dirname "$0")/.." && pwd)
llvm=${LLVM_BIN:-/usr/lib/llvm-19/bin}
passplugin=$build/lib/libaccelstrat-pass.so
work=$build/mergefunc-project/$pkg
rm -rf "$work" && mkdir -p "$work"
# shellcheck source=projects.sh
source "$root/utils/projects.sh"
project_setup "$pkg" "$build" "$work" || exit $?

failed=0 classes=0 merged=0
for f in "${files[@]}"; do
  base=$work/$(echo "${f%.*}" | tr / _)
  case $f in *.c) cc=$llvm/clang ;; *) cc=$llvm/clang++ ;; esac
  (cd "$srcdir" && "$cc" -O2 "${flags[@]}" -Xclang -disable-llvm-passes -S -emit-llvm "$f" -o "$base.ll")
  "$llvm/opt" -passes=mergefunc -S "$base.ll" -o "$base.mergefunc.ll"
  "$llvm/opt" -load-pass-plugin="$passplugin" -disable-output "$base.ll" \
    "-passes=accelstrat<min-instructions=1;system-headers=include;report=$base.json>"
  if line=$(python3 "$root/utils/mergefunc-agree.py" "$base.ll" "$base.mergefunc.ll" "$base.json"); then
    read -r c m < <(echo "$line" | sed -E 's/.*: ([0-9]+) classes of [0-9]+ functions, ([0-9]+) merged.*/\1 \2/')
    classes=$((classes + c)) merged=$((merged + m))
  else
    echo "$line" >&2
    failed=$((failed + 1))
  fi
done
echo "$pkg: ${#files[@]} TUs, $classes identity classes, $merged functions merged by mergefunc, $failed TUs disagree"
[[ $failed -eq 0 ]]
