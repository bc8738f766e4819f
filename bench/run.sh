#!/usr/bin/env bash
# Lifeboat benchmark harness (issue 6). Usage: bench/run.sh [--smoke]
#   full:    1k, 10k and 100k nodes; browser on a 5,000-node / ~85 MB entry point (the 10k corpus: Chromium
#            at 1x and 4x CPU with bench/desk.js, Firefox and WebKit's first view with bench/firstview.js); the
#            author's save in `lifeboat serve` (bench/serve.js) at every size
#   --smoke: tiny sizes, one run each, a few seconds (CI keeps the harness working)
# Environment: BENCH_RESUME=1 (keep sizes measured by an interrupted run), BENCH_WORK (scratch folder, default /tmp/lifeboat-bench), BENCH_SIZES (e.g. "1000 10000"),
#   BENCH_SKIP_HUGO=1, BENCH_SKIP_BROWSER=1 (no Chromium: no viewer timings, no serve save), BENCH_RUNS (repeats for sizes <= 10k; 1 above),
#   BENCH_BIN (a lifeboat binary to use instead of building the release one), BENCH_SKIP_SHAPES=1 (no
#   degenerate shapes: chain, fan-out, cross-diagram links, each at N and 2N nodes).
# Writes the Markdown table to stdout and bench/results.md (smoke: $BENCH_WORK-smoke/results-smoke.md), raw numbers
# to the matching .json.
set -euo pipefail

here="$(cd "$(dirname "$0")" && pwd)"
repo="$(dirname "$here")"
mode=full
[[ "${1:-}" == "--smoke" ]] && mode=smoke
work="${BENCH_WORK:-/tmp/lifeboat-bench}"
[[ $mode == smoke ]] && work="$work-smoke"
mkdir -p "$work"
lib=(python3 "$here/lib.py")
# A fixed snapshot time: the corpora are not in git, so the snapshot would otherwise be "now", a new one
# every build, and no incremental rebuild could reuse anything (the date is in every file).
export SOURCE_DATE_EPOCH="${SOURCE_DATE_EPOCH:-1763800000}"
log() { echo "[bench] $*" >&2; }

if [[ $mode == smoke ]]; then
  sizes="${BENCH_SIZES:-60 240}"; runs="${BENCH_RUNS:-1}"; img_mb_per_node=0.002
  rebuild_size=""; browser_runs=1; serve_runs=1; desk_runs=1; out_md="$work/results-smoke.md"
  shape_sizes="chain:200 fanout:200 links:50"
else
  sizes="${BENCH_SIZES:-1000 10000 100000}"; runs="${BENCH_RUNS:-3}"; img_mb_per_node=0.01
  rebuild_size=10000; browser_runs=3; serve_runs=5; desk_runs=5; out_md="$here/results.md"
  shape_sizes="chain:50000 fanout:10000 links:5000"
fi
out_json="${out_md%.md}.json"

# ---- tools
# The benchmark installs nothing: .ci/run (or you) installs its tools first.
if [[ ! -x /usr/bin/time ]]; then
  echo "bench: GNU time (/usr/bin/time) is missing: apt-get install time (.ci/run installs it)" >&2; exit 1
fi
if [[ -z "${BENCH_SKIP_HUGO:-}" ]] && ! command -v hugo >/dev/null; then
  echo "bench: hugo (the peer) is missing: apt-get install hugo (.ci/run installs it), or set BENCH_SKIP_HUGO=1" >&2; exit 1
fi
have_hugo=0; [[ -z "${BENCH_SKIP_HUGO:-}" ]] && command -v hugo >/dev/null && have_hugo=1

if [[ -n "${BENCH_BIN:-}" ]]; then
  bin="$BENCH_BIN"   # e.g. the test suite's own binary for the smoke run (tests/bench_smoke.rs)
else
  log "building the release binary"
  (cd "$repo" && cargo build --release --locked --quiet)
  bin="$repo/target/release/lifeboat"
fi

gen_sha="$(sha256sum "$here/gen-corpus.py" | cut -c1-16)"
corpus() { # nodes -> path; regenerated only when the generator changed
  local n=$1 dir="$work/corpus-$1" mb
  mb=$(python3 -c "print($n * $img_mb_per_node)")
  if [[ "$(cat "$dir.stamp" 2>/dev/null)" != "$gen_sha $mb" ]]; then
    rm -rf "$dir" "$dir.stamp"
    log "generating $n nodes ($mb MiB of images)"
    python3 "$here/gen-corpus.py" "$dir" --nodes "$n" --image-mb "$mb" >&2
    echo "$gen_sha $mb" > "$dir.stamp"
  fi
  echo "$dir"
}

results="$work/results.tmp.json"
# BENCH_RESUME=1 keeps the sizes already measured by an interrupted run
[[ -n "${BENCH_RESUME:-}" && -f "$results" ]] || python3 - "$results" "$mode" <<'EOF'
import json, sys, datetime, platform, os
cpu = next((l.split(":", 1)[1].strip() for l in open("/proc/cpuinfo") if l.startswith("model name")), "?")
mem = next((int(l.split()[1]) // 1048576 for l in open("/proc/meminfo") if l.startswith("MemTotal")), 0)
json.dump({"mode": sys.argv[2], "date": datetime.date.today().isoformat(),
           "machine": f"{os.cpu_count()} cores ({cpu}), {mem} GiB RAM, {platform.platform()}",
           "sizes": [], "notes": []}, open(sys.argv[1], "w"))
EOF
add() { # jq-free JSON update: add KEY JSON-VALUE [list]
  python3 - "$results" "$1" "$2" "${3:-}" <<'EOF'
import json, sys
path, key, value, how = sys.argv[1:]
r = json.load(open(path)); v = json.loads(value)
if how == "list": r.setdefault(key, []).append(v)
else: r[key] = v
json.dump(r, open(path, "w"))
EOF
}

for n in $sizes; do
  if [[ -n "${BENCH_RESUME:-}" ]] && python3 -c "import json,sys; sys.exit(0 if any(s['nodes']==$n for s in json.load(open('$results'))['sizes']) else 1)"; then
    log "$n nodes: already measured"; continue
  fi
  c="$(corpus "$n")"
  r=$runs; (( n > 10000 )) && r=1
  log "$n nodes: check"
  "$bin" check "$c" > "$work/check-$n.txt" 2>&1 || { cat "$work/check-$n.txt" >&2; log "check failed"; exit 1; }
  out="$work/out-$n"
  log "$n nodes: lifeboat build ×$r"
  build=$("${lib[@]}" measure --runs "$r" -- "$bin" build "$c" --out "$out" --quiet --no-cache)
  floor=$("${lib[@]}" floor "$c")
  bytes=$("${lib[@]}" bytes "$out")
  entries=$(python3 -c "import json,sys; print(json.loads(sys.argv[1])['files'])" "$bytes")
  log "$n nodes: cp -r ×$r"
  cp=$("${lib[@]}" measure --runs "$r" --before "rm -rf '$work/cp-$n'" -- cp -r "$out" "$work/cp-$n")
  rm -rf "$work/cp-$n"
  log "$n nodes: durable copy ×$r"
  dcp=$("${lib[@]}" measure --runs "$r" --before "rm -rf '$work/cp-$n'" -- "${lib[@]}" durable-copy "$out" "$work/cp-$n")
  rm -rf "$work/cp-$n"
  hugo=null
  if (( have_hugo )); then
    site="$work/hugo-$n"
    if [[ "$(cat "$site.stamp" 2>/dev/null)" != "$gen_sha" ]]; then
      rm -rf "$site"; "${lib[@]}" to-hugo "$c" "$site" > "$work/hugo-$n.pages"; echo "$gen_sha" > "$site.stamp"
    fi
    log "$n nodes: hugo build ×$r"
    hugo=$("${lib[@]}" measure --runs "$r" --before "rm -rf '$site/public'" -- hugo --quiet --source "$site")
    hugo=$(python3 -c "import json,sys; h=json.loads(sys.argv[1]); h.update(json.load(open(sys.argv[2]))); print(json.dumps(h))" "$hugo" "$work/hugo-$n.pages")
    rm -rf "$site/public"
  fi
  add sizes "{\"nodes\": $n, \"entries\": $entries, \"build\": $build, \"floor\": $floor, \"output\": $bytes, \"cp\": $cp, \"durable_cp\": $dcp, \"hugo\": $hugo}" list
done

# ---- degenerate shapes (issue 22): each at N and 2N nodes; linear cost means a ratio near 2
if [[ -z "${BENCH_SKIP_SHAPES:-}" ]]; then
  for spec in $shape_sizes; do
    shape=${spec%%:*}; n=${spec##*:}
    for m in "$n" "$((2 * n))"; do
      dir="$work/shape-$shape-$m"
      if [[ "$(cat "$dir.stamp" 2>/dev/null)" != "$gen_sha" ]]; then
        rm -rf "$dir"; python3 "$here/gen-corpus.py" "$dir" --nodes "$m" --shape "$shape" >&2
        echo "$gen_sha" > "$dir.stamp"
      fi
      log "shape $shape, $m nodes: lifeboat build ×$runs"
      t=$("${lib[@]}" measure --runs "$runs" -- "$bin" build "$dir" --out "$work/out-shape" --quiet --no-cache)
      add shapes "{\"shape\": \"$shape\", \"nodes\": $m, \"build\": $t}" list
    done
  done
  rm -rf "$work/out-shape"
fi

# ---- rebuild after editing one diagram
if [[ -z "$rebuild_size" ]]; then rebuild_size="${sizes##* }"; fi
c="$(corpus "$rebuild_size")"
out="$work/out-$rebuild_size"
mds=("$c"/*/*.md); victim="${mds[0]}"
cp "$victim" "$work/victim.bak"
log "rebuild after one edit at $rebuild_size nodes"
"$bin" build "$c" --out "$out" --quiet
full=$("${lib[@]}" measure --runs "$runs" -- "$bin" build "$c" --out "$out" --quiet --no-cache)
rebuild=$("${lib[@]}" measure --runs "$runs" --before "python3 '$here/lib.py' edit '$victim' {i}" -- "$bin" build "$c" --out "$out" --quiet)
cp "$work/victim.bak" "$victim"
# The floor of a rebuild: writing, durably, the files that must change (every file but the other entry
# points, which a rebuild links from the previous output).
mapfile -t changed < <(python3 - "$out" "$(basename "$(dirname "$victim")").html" <<'EOF'
import os, sys, tomllib
out, edited = sys.argv[1:]
entries = {e["file"] for e in tomllib.load(open(os.path.join(out, "bcp-manifest.toml"), "rb"))["entries"]}
for name in sorted(os.listdir(out)):
    if name == edited or name not in entries:
        print(name)
EOF
)
rebuild_floor=$("${lib[@]}" measure --runs "$runs" --before "rm -rf '$work/cp-rebuild'" -- "${lib[@]}" durable-copy "$out" "$work/cp-rebuild" "${changed[@]}")
rm -rf "$work/cp-rebuild"
add rebuild "$(python3 -c "import json,sys; f=json.loads(sys.argv[1]); r=json.loads(sys.argv[2]); r.update(nodes=$rebuild_size, full_s=f['median_s'], floor=json.loads(sys.argv[3])); print(json.dumps(r))" "$full" "$rebuild" "$rebuild_floor")"

# ---- viewer in Chromium: the first entry point of the corpus (5,000 nodes, ~50 MB at 10k)
if [[ -z "${BENCH_SKIP_BROWSER:-}" && -x "${LIFEBOAT_CHROMIUM:-/usr/bin/chromium}" ]]; then
  bsize=$rebuild_size
  [[ $mode == full ]] && bsize=10000
  c="$(corpus "$bsize")"; out="$work/out-$bsize"
  "$bin" build "$c" --out "$out" --quiet
  file="$(ls -S "$out"/*.html | head -1)"   # the largest entry point, not the launcher or the documents
  log "browser: $file"
  add browser "$(node "$here/browser.js" "$file" "$browser_runs")"
  # the slow desk PC (issue 19): Chromium at 1x and 4x CPU, the first view and the interactions
  log "desk PC (Chromium 1x, 4x): $file"
  add desk "$(node "$here/desk.js" "$file" --runs "$desk_runs" --rates 1,4)"
  # the first view in Firefox (no CPU throttling there: 1x only) and, with a display, WebKit
  engines=firefox
  if command -v xvfb-run >/dev/null && command -v WebKitWebDriver >/dev/null; then engines=firefox,webkit; fi
  log "first view ($engines): $file"
  if command -v xvfb-run >/dev/null; then
    add firstview "$(xvfb-run -a node "$here/firstview.js" "$file" --runs "$desk_runs" --engines "$engines")"
  else
    add firstview "$(node "$here/firstview.js" "$file" --runs "$desk_runs" --engines "$engines")"
  fi
else
  add notes '"browser measures skipped (BENCH_SKIP_BROWSER or no Chromium)"' list
fi
# ---- the author's save in `lifeboat serve` (issue 19): a one-line edit of one node, timed from the write
# to the new text in the open page's DOM (serve rebuilds, the page reloads itself), per corpus size
if [[ -z "${BENCH_SKIP_BROWSER:-}" && -x "${LIFEBOAT_CHROMIUM:-/usr/bin/chromium}" ]]; then
  for n in $sizes; do
    if [[ -n "${BENCH_RESUME:-}" ]] && python3 -c "import json,sys; sys.exit(0 if any(s['nodes']==$n for s in json.load(open('$results')).get('serve', [])) else 1)"; then
      log "$n nodes: serve save already measured"; continue
    fi
    c="$(corpus "$n")"
    r=$serve_runs; (( n > 10000 && r > 3 )) && r=3
    log "$n nodes: serve save ×$r"
    save=$(node "$here/serve.js" "$bin" "$c" --runs "$r")
    add serve "$(python3 -c "import json,sys; s=json.loads(sys.argv[1]); s.update(nodes=$n); print(json.dumps(s))" "$save")" list
  done
else
  add notes '"serve save skipped (BENCH_SKIP_BROWSER or no Chromium)"' list
fi
(( have_hugo )) || add notes '"Hugo not available: comparison skipped"' list

cp "$results" "$out_json"
"${lib[@]}" report "$out_json" "$out_md"
