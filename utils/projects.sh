# Sourced: the real C projects used by the tests and the benchmarks, fetched
# as Debian source packages, with the flags their own build systems pass.
#   project_setup PACKAGE BUILD_DIR WORK_DIR   sets srcdir, flags[], files[]
# Returns 77 when the source cannot be had here.
project_setup() {
  local pkg=$1 build=$2 work=$3 tree
  tree=$("$(dirname "${BASH_SOURCE[0]}")/fetch-source.sh" "$pkg" "$build/sources") || return $?
  case $pkg in
    zlib)
      srcdir=$tree
      flags=(-w -D_LARGEFILE64_SOURCE=1 -DHAVE_HIDDEN -DHAVE_UNISTD_H)
      ;;
    lua5.4)
      srcdir=$tree/src
      # debian/rules generates this header; it only names the multiarch triple.
      mkdir -p "$work"
      echo '#define DEB_HOST_MULTIARCH "x86_64-linux-gnu"' > "$work/lua5.4-deb-multiarch.h"
      flags=(-w -DLUA_COMPAT_5_3 -DLUA_USE_LINUX -I"$work")
      ;;
    *) echo "projects: no build recipe for $pkg" >&2; return 2 ;;
  esac
  mapfile -t files < <(cd "$srcdir" && ls *.c)
}
