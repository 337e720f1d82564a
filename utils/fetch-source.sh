#!/usr/bin/env bash
# Fetches and unpacks a Debian source package into DIR (once; later calls
# reuse it) and prints the unpacked tree's path. Adds deb-src entries for the
# configured Debian mirrors when there are none (as root only).
# Exit 77 when the source cannot be had here, saying why.
#   utils/fetch-source.sh PACKAGE DIR
set -euo pipefail
pkg=$1 dir=$2
mkdir -p "$dir"
existing=$(find "$dir" -mindepth 1 -maxdepth 1 -type d -name "${pkg%%[0-9.]*}*" | head -n 1)
if [[ -n "$existing" ]]; then echo "$existing"; exit 0; fi

have_src() { grep -rqsE '^(deb-src|Types:.*deb-src)' /etc/apt/sources.list /etc/apt/sources.list.d/; }
if ! have_src; then
  if [[ $(id -u) -ne 0 ]]; then
    echo "fetch-source: no deb-src lines in apt's sources and not root to add them" >&2
    exit 77
  fi
  src=/etc/apt/sources.list.d/debian.sources
  if [[ -f $src ]]; then
    sed 's/^Types: deb$/Types: deb-src/' "$src" > /etc/apt/sources.list.d/accelstrat-deb-src.sources
  else
    grep -h '^deb ' /etc/apt/sources.list | sed 's/^deb /deb-src /' \
      > /etc/apt/sources.list.d/accelstrat-deb-src.list
  fi
  apt-get update -qq >&2 || { echo "fetch-source: apt-get update failed" >&2; exit 77; }
fi
command -v dpkg-source >/dev/null || { echo "fetch-source: dpkg-source missing (dpkg-dev)" >&2; exit 77; }
# The candidate version first; then every other version the source lists
# know, newest first: a security update's files leave its pool when the next
# one comes, while the release's version stays in the main archive.
fetch() {
  (cd "$dir" && apt-get source -qq "$pkg" >&2) && return 0
  local v
  for v in $(apt-cache showsrc "$pkg" 2>/dev/null | sed -n 's/^Version: //p' | sort -ruV); do
    echo "fetch-source: trying $pkg=$v" >&2
    (cd "$dir" && apt-get source -qq "$pkg=$v" >&2) && return 0
  done
  return 1
}
if ! fetch; then
  # An apt cache without source lists yet: refresh once and retry.
  if [[ $(id -u) -eq 0 ]] && apt-get update -qq >&2 && fetch; then
    :
  else
    echo "fetch-source: apt-get source $pkg failed (every version)" >&2
    exit 77
  fi
fi
find "$dir" -mindepth 1 -maxdepth 1 -type d -name "${pkg%%[0-9.]*}*" | head -n 1
