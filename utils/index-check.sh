# Sourced: the project-wide report on a real project built with index=.
#   index_check
# Reads: clang, plugin, build, root, work, srcdir, flags[], files[], and
# planted_from (the project file copied whole; default files[0]). Expects
# each file compiled at -O2 with index=$work/index and with index=object
# into $work/BASE-O2.index-object.o, and the copied file compiled with
# report=$work/BASE-O2.report.json.
#
# It plants two cross-file clones: planted_from copied whole into a TU of
# its own (every analysed function identical or similar to its copy), and
# a generated function in two TUs, the second with a fixed share of its
# statements changed (a near-duplicate whose LCS the check computes from
# the records). Then the report must find both, the same with every pair
# aligned and with every strategy (the sim GPU included) and thread count,
# and the same from the objects' index sections as from index=DIR.
index_check() {
  local planted=$work/planted first=${planted_from:-${files[0]}}
  local report=$build/bin/accelstrat-report
  mkdir -p "$planted"
  cp "$srcdir/$first" "$planted/planted_${first//\//_}"
  python3 - "$planted" <<'PY'
import sys
# 60 statements of 4 instructions (load, xor or add, multiply, and the
# address), every other one of the copy with its xor made an add.
def body(name, changed):
    lines = [f"unsigned {name}(const unsigned *x) {{", "  unsigned h = 2166136261u;"]
    for k in range(60):
        op = "+" if changed and k % 2 else "^"
        lines.append(f"  h = (h {op} x[{k}]) * {16777619 + 2 * k}u;")
    return "\n".join(lines + ["  return h;", "}", ""])
open(f"{sys.argv[1]}/planted_near_a.c", "w").write(body("planted_near_a", False))
open(f"{sys.argv[1]}/planted_near_b.c", "w").write(body("planted_near_b", True))
PY
  local f objects=()
  for f in "planted_${first//\//_}" planted_near_a.c planted_near_b.c; do
    for kind in index object; do
      local where=$work/index
      [[ $kind == object ]] && where=object
      (cd "$srcdir" && "$clang" -O2 "${flags[@]}" -I"$srcdir/$(dirname "$first")" \
        -c "$planted/$f" -o "$planted/${f%.c}.$kind.o" \
        -fplugin="$plugin" -fplugin-arg-accelstrat-index="$where")
    done
    objects+=("$planted/${f%.c}.object.o")
  done
  for f in "${files[@]}"; do objects+=("$work/${f%.c}-O2.index-object.o"); done

  "$report" --format=json "$work/index" >"$work/project.json"
  "$report" --format=json "${objects[@]}" >"$work/project.objects.json"
  "$report" --format=json --search=exhaustive "$work/index" >"$work/project.exhaustive.json"
  # Strategy and thread count: the sim GPU stands in for a GPU here.
  local runs=("cpu 1" "cpu 2" "auto 2" "gpu 1" "hybrid 2" "hybrid:0.5 3")
  local r
  for r in "${runs[@]}"; do
    read -r strategy threads <<<"$r"
    ACCELSTRAT_GPU=sim "$report" --format=json --strategy="$strategy" --threads="$threads" \
      "$work/index" >"$work/project.$strategy.$threads.json"
  done
  python3 - "$work" "$first" "$work/${first%.c}-O2.report.json" "$root/bench" "${runs[@]}" <<'PY'
import glob, json, sys
work, first, tu_report, bench = sys.argv[1:5]
runs = sys.argv[5:]
sys.path.insert(0, bench)
from importlib import import_module
records = import_module("index-scale")  # the record decoder
load = lambda name: json.load(open(f"{work}/{name}"))
filt = load("project.json")
fn = lambda m: (m["symbol"], m["file"].split("/")[-1])
key = lambda r: (sorted((fn(p["a"]), fn(p["b"]), p["lcs"]) for p in r["pairs"]),
                 [[fn(m) for m in g["members"]] for g in r["groups"]])
assert key(filt) == key(load("project.exhaustive.json")), \
    "the filter lost pairs that aligning every pair finds"
assert key(filt) == key(load("project.objects.json")), \
    "the objects' index sections give another report than index=DIR"
for r in runs:
    strategy, threads = r.split()
    assert key(filt) == key(load(f"project.{strategy}.{threads}.json")), \
        f"strategy {strategy}, {threads} threads: other findings"
# Functions linked by a group or a pair, in components.
parent = {}
def root(x):
    parent.setdefault(x, x)
    while parent[x] != x:
        parent[x] = parent[parent[x]]
        x = parent[x]
    return x
for g in filt["groups"]:
    for m in g["members"][1:]:
        parent[root(fn(m))] = root(fn(g["members"][0]))
for p in filt["pairs"]:
    parent[root(fn(p["a"]))] = root(fn(p["b"]))
orig = first.split("/")[-1]
copy = "planted_" + first.replace("/", "_")
mine = [x for x in list(parent) if x[1] == orig]
lost = [s for s, f in mine if root((s, f)) != root((s, copy))]
assert mine and not lost, f"{orig}: reported without their planted copy: {lost}"
analysed = json.load(open(tu_report))["functions_analysed"]
assert len(mine) == analysed, f"{orig}: {len(mine)} of {analysed} analysed functions reported with their copy"
# The changed copy: its LCS with the original, by a plain DP over the
# token streams of the records, and the report's pair.
streams = {}
for path in glob.glob(f"{work}/index/*.asx"):
    for tu in records.read_records(path):
        for f in tu["funcs"]:
            if f["symbol"] in (b"planted_near_a", b"planted_near_b"):
                streams[f["symbol"].decode()] = f["tokens"]
a, b = streams["planted_near_a"], streams["planted_near_b"]
row = [0] * (len(b) + 1)
for x in a:
    prev = 0
    for j, y in enumerate(b, 1):
        prev, row[j] = row[j], prev + 1 if x == y else max(row[j], row[j - 1])
lcs = row[-1]
similarity = 2 * lcs / (len(a) + len(b))
near = [p for p in filt["pairs"] if {p["a"]["symbol"], p["b"]["symbol"]} == {"planted_near_a", "planted_near_b"}]
assert 0.85 <= similarity < 0.97, f"the planted near-duplicate is {similarity:.3f} similar"
assert len(near) == 1 and near[0]["lcs"] == lcs, \
    f"the planted near-duplicate ({similarity:.3f}, LCS {lcs}): reported as {near}"
print(f"project report: {filt['functions']} functions, {len(filt['groups'])} groups, "
      f"{len(filt['pairs'])} pairs; {len(mine)} functions of {orig} found with their planted copy; "
      f"the planted near-duplicate found at {100 * similarity:.1f}% (LCS {lcs} of {len(a)} and {len(b)}); "
      f"the same from the objects, with every pair aligned, and under {', '.join(runs)} (strategy threads, sim GPU)")
PY
}
