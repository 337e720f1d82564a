#!/usr/bin/env bash
# Installs what building and testing accelstrat needs on Debian 12, and only
# what is missing; running it again does nothing. As root it runs apt-get;
# otherwise it prints the exact command to run.
#   utils/install-deps.sh            build + test dependencies
#   utils/install-deps.sh --runtime  only the runtime's (no LLVM)
set -euo pipefail

packages=(cmake make gcc g++ python3 pkg-config libjansson-dev)
if [[ "${1:-}" != "--runtime" ]]; then
  packages+=(clang-19 llvm-19-dev libclang-19-dev libomp-19-dev llvm-19-tools
             libclang-rt-19-dev dpkg-dev gnuplot-nox ccache python3-pip chromium tcl)
fi

missing=()
for p in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done
if [[ ${#missing[@]} -gt 0 ]]; then
  cmd="apt-get install -y --no-install-recommends ${missing[*]}"
  if [[ $(id -u) -ne 0 ]]; then
    echo "accelstrat: missing packages: ${missing[*]}" >&2
    echo "accelstrat: run as root: apt-get update && $cmd" >&2
    exit 1
  fi
  echo "accelstrat: installing ${missing[*]}" >&2
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  $cmd
fi

# What the tests read the report's SARIF with: Microsoft's sarif-tools
# (PyPI), a consumer that is not ours.
if [[ "${1:-}" != "--runtime" ]] && ! python3 -c 'import sarif' 2>/dev/null; then
  echo "accelstrat: installing sarif-tools (pip)" >&2
  python3 -m pip install -q sarif-tools 2>/dev/null ||
    python3 -m pip install -q --break-system-packages sarif-tools ||
    { echo "accelstrat: cannot install sarif-tools; run: python3 -m pip install sarif-tools" >&2; exit 1; }
fi
