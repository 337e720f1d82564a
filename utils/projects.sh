# Sourced: the real C projects used by the tests and the benchmarks, fetched
# as Debian source packages, with the flags their own build systems pass.
#   project_setup PACKAGE BUILD_DIR WORK_DIR   sets srcdir, flags[], files[]
# Returns 77 when the source cannot be had here.
project_setup() {
  local pkg=$1 build=$2 work=$3 tree
  files=()
  tree=$("$(dirname "${BASH_SOURCE[0]}")/fetch-source.sh" "$pkg" "$build/sources") || return $?
  tree=$(cd "$tree" && pwd) # absolute: recipes run tools from other directories
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
    bzip2)
      # debian/rules' CPPFLAGS and the shared library's -fPIC; the files of
      # libbz2, bzip2 and bzip2recover (not the Makefile's test tools).
      # blocksort.c is the TU where clang's location tracking changes code
      # at -O2, so the plugin must never turn it on.
      srcdir=$tree
      flags=(-w -D_REENTRANT -D_FILE_OFFSET_BITS=64 -fPIC)
      files=(blocksort.c huffman.c crctable.c randtable.c compress.c decompress.c
        bzlib.c bzip2.c bzip2recover.c)
      ;;
    sqlite3)
      # debian/rules' CFLAGS. Its build also passes these to ./configure, which
      # hands the SQLITE_ENABLE_ ones to lemon and mkkeywordhash too (so the
      # parser has UPDATE/DELETE ... LIMIT) and adds the --enable-fts4/fts5 and
      # math ones.
      local defs=(-DSQLITE_SECURE_DELETE -DSQLITE_ENABLE_COLUMN_METADATA
        -DSQLITE_ENABLE_FTS3 -DSQLITE_ENABLE_FTS3_PARENTHESIS -DSQLITE_ENABLE_RTREE=1
        -DSQLITE_SOUNDEX=1 -DSQLITE_ENABLE_UNLOCK_NOTIFY -DSQLITE_OMIT_LOOKASIDE=1
        -DSQLITE_ENABLE_DBSTAT_VTAB -DSQLITE_ALLOW_ROWID_IN_VIEW
        -DSQLITE_ENABLE_UPDATE_DELETE_LIMIT=1 -DSQLITE_ENABLE_LOAD_EXTENSION
        -DSQLITE_ENABLE_JSON1 -DSQLITE_LIKE_DOESNT_MATCH_BLOBS -DSQLITE_THREADSAFE=1
        -DSQLITE_ENABLE_FTS3_TOKENIZER=1 -DSQLITE_USE_URI=1 -DSQLITE_MAX_SCHEMA_RETRY=25
        -DSQLITE_ENABLE_PREUPDATE_HOOK -DSQLITE_ENABLE_SESSION -DSQLITE_ENABLE_STMTVTAB
        -DSQLITE_MAX_VARIABLE_NUMBER=250000)
      # The source package is the tree, not the amalgamation: sqlite3.c (all
      # of the library in one TU) and shell.c are generated from it by its
      # Makefile with tclsh, once, outside the fetched sources.
      srcdir=$build/generated/$(basename "$tree")
      if [[ ! -f $srcdir/sqlite3.c || ! -f $srcdir/shell.c ]]; then
        command -v tclsh >/dev/null || { echo "projects: sqlite3.c is generated with tclsh (package tcl)" >&2; return 77; }
        local gen=$srcdir.tmp.$$
        rm -rf "$gen" && mkdir -p "$gen"
        if ! (cd "$gen" && "$tree/configure" --disable-tcl --enable-threadsafe \
                --enable-load-extension --enable-json --enable-fts4 --enable-fts5 \
                CFLAGS="-O2 ${defs[*]}" && make sqlite3.c shell.c) > "$gen.log" 2>&1; then
          tail -n 20 "$gen.log" >&2
          rm -rf "$gen" "$gen.log"
          echo "projects: generating sqlite3.c and shell.c failed" >&2
          return 1
        fi
        mkdir -p "$srcdir"
        cp "$gen"/{sqlite3.c,sqlite3.h,sqlite3ext.h,shell.c,sqlite_cfg.h} "$srcdir"/
        rm -rf "$gen" "$gen.log"
      fi
      # What its Makefile adds when it compiles them (TCC): configure's
      # sqlite_cfg.h (HAVE_USLEEP, HAVE_LOCALTIME_R, ...) and the options.
      flags=(-w "${defs[@]}" -D_HAVE_SQLITE_CONFIG_H -DBUILD_sqlite -DNDEBUG
        -DSQLITE_ENABLE_MATH_FUNCTIONS -DSQLITE_ENABLE_FTS4 -DSQLITE_ENABLE_FTS5)
      files=(sqlite3.c shell.c)
      ;;
    yaml-cpp)
      # C++: its CMakeLists' library sources (src/ and src/contrib/), defines
      # and the flags of a RelWithDebInfo build.
      srcdir=$tree/src
      flags=(-w -std=gnu++11 -g -DNDEBUG -fvisibility=hidden -DYAML_CPP_USE_VISIBILITY
        -I"$tree/include" -I"$tree/src")
      mapfile -t files < <(cd "$srcdir" && ls *.cpp contrib/*.cpp)
      ;;
    *) echo "projects: no build recipe for $pkg" >&2; return 2 ;;
  esac
  ((${#files[@]})) || mapfile -t files < <(cd "$srcdir" && ls *.c)
}
