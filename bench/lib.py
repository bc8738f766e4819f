#!/usr/bin/env python3
"""Helpers of bench/run.sh (stdlib only).

    lib.py measure --runs R [--before CMD] -- CMD...   time CMD R times (median wall, max RSS) -> JSON
    lib.py floor CONTENT                                text bytes + 4/3 x unique image bytes -> JSON
    lib.py to-hugo CONTENT SITE [--env NAME]            the same text as a Hugo site, one page per node
    lib.py edit FILE N                                  change one sentence of a diagram (edit number N)
    lib.py bytes DIR                                    total and largest size of the *.html files -> JSON
    lib.py durable-copy SRC DST [NAME...]               copy SRC's files (or only NAMEs) into DST, fsync each
    lib.py report RESULTS.json OUT.md                   the Markdown results table
"""

import hashlib
import json
import os
import re
import shlex
import statistics
import subprocess
import sys
import tempfile
import time
import tomllib

IMG_RE = re.compile(r"!\[[^\]]*\]\(([^)\s]+)\)")
VAR_RE = re.compile(r"\{\{\s*([A-Za-z0-9_]+)\s*\}\}")


def measure(argv):
    runs, before = 3, None
    while argv and argv[0] != "--":
        if argv[0] == "--runs":
            runs = int(argv[1])
            argv = argv[2:]
        elif argv[0] == "--before":
            before = argv[1]
            argv = argv[2:]
        else:
            sys.exit(f"measure: unknown option {argv[0]}")
    cmd = argv[1:]
    walls, rss = [], []
    for i in range(runs):
        if before:
            subprocess.run(["bash", "-c", before.replace("{i}", str(i))], check=True)
        with tempfile.NamedTemporaryFile("r", suffix=".time") as tf:
            t0 = time.perf_counter()
            p = subprocess.run(["/usr/bin/time", "-v", "-o", tf.name] + cmd,
                               stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
            wall = time.perf_counter() - t0
            if p.returncode != 0:
                sys.stderr.write(p.stderr[-4000:])
                sys.exit(f"measure: `{shlex.join(cmd)}` failed ({p.returncode})")
            m = re.search(r"Maximum resident set size \(kbytes\): (\d+)", tf.read())
        walls.append(wall)
        rss.append(int(m.group(1)) if m else 0)
    print(json.dumps({"median_s": statistics.median(walls), "min_s": min(walls), "runs": runs,
                      "walls": walls, "max_rss_kb": max(rss)}))


def split_front(text):
    if text.startswith("\ufeff"):
        text = text[1:]
    lines = text.split("\n")
    assert lines[0].strip() == "+++", "no front matter"
    end = next(i for i in range(1, len(lines)) if lines[i].strip() == "+++")
    return tomllib.loads("\n".join(lines[1:end])), "\n".join(lines[end + 1:])


def entries_of(content):
    for name in sorted(os.listdir(content)):
        d = os.path.join(content, name)
        if os.path.isdir(d) and not name.startswith(("_", ".")):
            yield name, d


def floor(content):
    """Per entry point: the Markdown bytes of its diagrams, and its distinct images (by content) x 4/3."""
    out = {"entries": {}, "text_bytes": 0, "image_bytes": 0, "floor_bytes": 0}
    for eid, edir in entries_of(content):
        text, images = 0, {}
        for f in sorted(os.listdir(edir)):
            if not f.endswith(".md"):
                continue
            raw = open(os.path.join(edir, f), "rb").read()
            text += len(raw)
            for dest in IMG_RE.findall(raw.decode("utf-8")):
                path = os.path.normpath(os.path.join(edir, dest))
                data = open(path, "rb").read()
                images[hashlib.sha256(data).hexdigest()] = len(data)
        img = sum(images.values())
        fl = text + 4 * img / 3
        out["entries"][eid] = {"text_bytes": text, "image_bytes": img, "images": len(images), "floor_bytes": fl}
        out["text_bytes"] += text
        out["image_bytes"] += img
        out["floor_bytes"] += fl
    print(json.dumps(out))


def to_hugo(content, site, env=None):
    """One Hugo page per node with the node's Markdown (variables substituted), images as static files."""
    conf = tomllib.load(open(os.path.join(content, "site.toml"), "rb"))
    env = env or conf.get("environment")
    values = {k: str(v) for k, v in conf.get("environments", {}).get(env, {}).items()}
    os.makedirs(site, exist_ok=True)
    with open(os.path.join(site, "hugo.toml"), "w") as f:
        f.write('baseURL = "http://example.org/"\nlanguageCode = "fr"\ntitle = "Bench"\n'
                'disableKinds = ["taxonomy", "term", "RSS", "sitemap", "robotsTXT", "404"]\n'
                "[markup.goldmark.renderer]\nunsafe = true\n")
    layouts = os.path.join(site, "layouts", "_default")
    os.makedirs(layouts, exist_ok=True)
    page = ('<!DOCTYPE html><html lang="fr"><head><meta charset="utf-8"><title>{{ .Title }}</title></head>'
            "<body><h1>{{ .Title }}</h1>{{ .Content }}</body></html>\n")
    for name in ("single.html", "list.html"):
        open(os.path.join(layouts, name), "w").write(page)
    open(os.path.join(site, "layouts", "index.html"), "w").write(
        "<!DOCTYPE html><title>{{ .Site.Title }}</title><ul>{{ range .Site.Sections }}"
        '<li><a href="{{ .RelPermalink }}">{{ .Title }}</a></li>{{ end }}</ul>\n')
    pages = 0
    static = os.path.join(site, "static")
    for root, _dirs, files in os.walk(content):
        for f in files:
            if f.endswith((".png", ".svg", ".jpg", ".jpeg", ".gif", ".webp")):
                src = os.path.join(root, f)
                dst = os.path.join(static, os.path.relpath(src, content))
                os.makedirs(os.path.dirname(dst), exist_ok=True)
                if not os.path.exists(dst):
                    os.link(src, dst)
    for eid, edir in entries_of(content):
        for f in sorted(os.listdir(edir)):
            if not f.endswith(".md"):
                continue
            front, body = split_front(open(os.path.join(edir, f), encoding="utf-8").read())
            body = VAR_RE.sub(lambda m: values.get(m.group(1), m.group(0)), body)
            ddir = os.path.join(site, "content", eid, f[:-3])
            os.makedirs(ddir, exist_ok=True)
            open(os.path.join(ddir, "_index.md"), "w").write(f"+++\ntitle = {json.dumps(front['title'])}\n+++\n")
            sections = re.split(r"(?m)^## ", body)
            for i, sec in enumerate(sections[1:]):
                head, _, rest = sec.partition("\n")
                head = re.sub(r"\s*\{#[^}]*\}\s*$", "", head)
                rest = re.sub(r"\]\(([^)#:]*\.md)?(#[^)]*)?\)", lambda m: "](" + (m.group(2) or "#") + ")", rest)
                open(os.path.join(ddir, f"n{i:03d}.md"), "w").write(
                    f"+++\ntitle = {json.dumps(head.strip())}\n+++\n{rest}")
                pages += 1
    print(json.dumps({"pages": pages}))


def edit(path, n):
    """Replaces one sentence in the first node of a diagram (a typical one-line edit)."""
    text = open(path, encoding="utf-8").read()
    marker = re.search(r"(?m)^## .*\n\n", text)
    note = f"Modification de test numéro {n} : vérifiez la mise à jour.\n\n"
    text = re.sub(r"Modification de test numéro \d+ : vérifiez la mise à jour\.\n\n", "", text)
    text = text[:marker.end()] + note + text[marker.end():]
    open(path, "w", encoding="utf-8").write(text)


def durable_copy(src, dst, names):
    """The durable I/O floor: what writing these bytes costs when every file is synced, as lifeboat does."""
    os.makedirs(dst)
    for name in names or sorted(os.listdir(src)):
        with open(os.path.join(src, name), "rb") as i, open(os.path.join(dst, name), "wb") as o:
            while chunk := i.read(1 << 20):
                o.write(chunk)
            o.flush()
            os.fsync(o.fileno())
    fd = os.open(dst, os.O_RDONLY)
    os.fsync(fd)
    os.close(fd)


def html_bytes(d):
    """Bytes of the entry-point files the manifest lists (not the launcher nor the documents)."""
    import tomllib
    manifest = tomllib.load(open(os.path.join(d, "bcp-manifest.toml"), "rb"))
    sizes = [os.path.getsize(os.path.join(d, e["file"])) for e in manifest["entries"]]
    print(json.dumps({"total": sum(sizes), "largest": max(sizes), "files": len(sizes)}))


def fmt_s(s):
    if s is None:
        return "—"
    return f"{s * 1000:.0f} ms" if s < 1 else f"{s:.2f} s"


def mib(b):
    return f"{b / 1048576:.1f} MiB" if b is not None else "—"


def desk_table(r):
    """The viewer on a slow desk PC (issue 19): bench/desk.js at 1x and 4x, bench/firstview.js in Firefox/WebKit."""
    desk, fv = r.get("desk"), r.get("firstview")
    if not desk:
        return []
    x1, x4 = desk["rates"].get("1x", {}), desk["rates"].get("4x", {})
    engines = (fv or {}).get("engines", {})
    ms = lambda v: "—" if v is None else f"{v:,.0f} ms"
    first = lambda e: ms((engines.get(e) or {}).get("median", {}).get("painted"))
    rows = [("first view (home list) painted, from navigation start", "< 400 ms",
             lambda x: ms(x.get("view_ms")), True),
            ("answer clicked → next step painted (median / p95)", "< 32 ms",
             lambda x: f"{x['answer_ms']['median']:.0f} / {x['answer_ms']['p95']:.0f} ms" if x.get("answer_ms", {}).get("median") is not None else "—", False),
            ("search keystroke → results painted (p95; median)", "< 50 ms",
             lambda x: f"{x['keystroke_ms']['p95']:.0f} ms ({x['keystroke_ms']['median']:.0f})" if x.get("keystroke_ms", {}).get("p95") is not None else "—", False),
            ("search ready (index built), from navigation start", "< 1.5 s",
             lambda x: ms(x.get("search_ready_ms")), False),
            (f"map of a {desk['map_diagram']['nodes']}-node diagram opened → painted", "< 150 ms",
             lambda x: ms(x.get("map_ms", {}).get("median")), False),
            ("JS heap after a 30-keystroke search (after a GC)", "< 64 MB",
             lambda x: "—" if x.get("heap_after_search_mib") is None else f"{x['heap_after_search_mib']:.1f} MiB", False)]
    head = "| measure | goal at 4× | Chromium 4× | Chromium 1× |"
    sep = "|---|---|---:|---:|"
    extra = [e for e in ("firefox", "webkit") if e in engines]
    for e in extra:
        head += f" {e.capitalize()} 1× |"
        sep += "---:|"
    out = ["", "## The viewer on a slow desk PC (issue 19)", "",
           f"Entry point `{desk['file']}` ({mib(desk['bytes'])}, {desk['nodes']:,} nodes), from `file://`, "
           f"median of {desk['runs']} loads (interactions: the last two loads). Chromium: `bench/desk.js`, CPU "
           "throttled by CDP (4× is Lighthouse's mid-tier desk). Firefox and WebKit have no CPU throttling: "
           "their first view at 1× (`bench/firstview.js`, a fresh browser per load: the task after the first "
           "frame with the home list); the interactions are measured in Chromium only.", "", head, sep]
    for name, goal, value, first_view in rows:
        row = f"| {name} | {goal} | {value(x4)} | {value(x1)} |"
        for e in extra:
            row += f" {first(e) if first_view else '—'} |"
        out.append(row)
    return out


def build_goals(r):
    """The build goals of issue 19, each a ratio to a floor or peer measured in this run."""
    sizes = {s["nodes"]: s for s in r.get("sizes", [])}
    if not sizes:
        return []
    out = ["", "## Builds against their own floor (issue 19)", "",
           "| goal | measured | met |", "|---|---|:-:|"]
    yes = lambda ok: "yes" if ok else "**no**"
    for n, s in sorted(sizes.items()):
        lt = s["build"]["median_s"]
        if s.get("hugo"):
            ratio = s["hugo"]["median_s"] / lt
            out.append(f"| throughput ≥ 3× Hugo's at {n:,} nodes | {ratio:.2f}× | {yes(ratio >= 3)} |")
        if s.get("durable_cp"):
            ratio = lt / s["durable_cp"]["median_s"]
            out.append(f"| full build ≤ 1.5× the durable copy of its output at {n:,} | {ratio:.2f}× | {yes(ratio <= 1.5)} |")
        rss, largest = s["build"]["max_rss_kb"] * 1024, s["output"]["largest"]
        limit = 2 * largest + 64 * 1048576
        out.append(f"| peak RSS < 2× the largest file + 64 MiB at {n:,} | {mib(rss)} against {mib(limit)} | {yes(rss < limit)} |")
    rb = r.get("rebuild")
    if rb and rb.get("floor"):
        ratio = rb["median_s"] / rb["floor"]["median_s"]
        out.append(f"| rebuild after one edit ≤ 1.5× the durable copy of the files that change ({rb['nodes']:,}) "
                   f"| {fmt_s(rb['median_s'])} against {fmt_s(rb['floor']['median_s'])}: {ratio:.2f}× | {yes(ratio <= 1.5)} |")
    if 10000 in sizes and 100000 in sizes:
        a = sizes[10000]["build"]["median_s"] / 10
        b = sizes[100000]["build"]["median_s"] / 100
        out.append(f"| per-node cost flat from 10k to 100k within 20 % | {fmt_s(a)} → {fmt_s(b)} per 1,000 nodes "
                   f"({(b / a - 1) * 100:+.0f} %) | {yes(b <= a * 1.2)} |")
    return out


def report(results_path, out_path):
    r = json.load(open(results_path))
    lines = [f"# Lifeboat benchmark results ({r.get('mode', 'full')})", "",
             f"{r.get('date', '')} — {r.get('machine', '')}", ""]
    lines += ["## Build", "",
              "| nodes | entries | lifeboat build | per 1k nodes | peak RSS | RSS / largest file | output | floor | output / floor "
              "| Hugo build | lifeboat ÷ Hugo throughput | `cp -r` output | lifeboat ÷ cp "
              "| durable copy (fsync) | lifeboat ÷ durable copy | 5× Hugo's throughput needs |",
              "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"]
    for s in r["sizes"]:
        b, fl, out, hugo, cp = s["build"], s["floor"], s["output"], s.get("hugo"), s.get("cp")
        dcp = s.get("durable_cp")
        lt = b["median_s"]
        row = [f"{s['nodes']:,}", str(s["entries"]), fmt_s(lt) + (f" (×{b['runs']})"),
               fmt_s(lt / s["nodes"] * 1000), mib(b["max_rss_kb"] * 1024),
               f"{b['max_rss_kb'] * 1024 / out['largest']:.2f}", mib(out["total"]), mib(fl["floor_bytes"]),
               f"{out['total'] / fl['floor_bytes']:.3f}",
               fmt_s(hugo["median_s"]) + f" (×{hugo['runs']}, {hugo.get('pages', '?'):,} pages)" if hugo else "skipped",
               f"{hugo['median_s'] / lt:.2f}×" if hugo else "—",
               fmt_s(cp["median_s"]) if cp else "—",
               f"{lt / cp['median_s']:.1f}×" if cp else "—",
               fmt_s(dcp["median_s"]) if dcp else "—",
               f"{lt / dcp['median_s']:.2f}×" if dcp else "—",
               fmt_s(hugo["median_s"] / 5) if hugo else "—"]
        lines.append("| " + " | ".join(row) + " |")
    if r.get("shapes"):
        lines += ["", "## Degenerate shapes (issue 22)", "",
                  "Fastest of the runs. Linear cost: twice the nodes take about twice the time.", "",
                  "| shape | N | build at N | build at 2N | 2N ÷ N |", "|---|---:|---:|---:|---:|"]
        by = {}
        for s in r["shapes"]:
            by.setdefault(s["shape"], []).append(s)
        for shape, runs in by.items():
            runs.sort(key=lambda s: s["nodes"])
            for a, b in zip(runs[::2], runs[1::2]):
                ta, tb = a["build"]["min_s"], b["build"]["min_s"]
                lines.append(f"| {shape} | {a['nodes']:,} | {fmt_s(ta)} | {fmt_s(tb)} | {tb / ta:.2f} |")
    if r.get("rebuild"):
        rb = r["rebuild"]
        lines += ["", "## Rebuild after editing one diagram", "",
                  "| nodes | full build | rebuild after one edit | rebuild / full "
                  "| durable copy of the files that change | that copy / full |", "|---:|---:|---:|---:|---:|---:|",
                  f"| {rb['nodes']:,} | {fmt_s(rb['full_s'])} | {fmt_s(rb['median_s'])} (×{rb['runs']}) "
                  f"| {rb['median_s'] / rb['full_s'] * 100:.0f} % "
                  + (f"| {fmt_s(rb['floor']['median_s'])} | {rb['floor']['median_s'] / rb['full_s'] * 100:.0f} % |"
                     if rb.get("floor") else "| — | — |")]
    if r.get("browser"):
        br = r["browser"]
        k = br["search"]
        lines += ["", "## Viewer in headless Chromium (file://)", "",
                  f"Entry point `{br['file']}`: {br['nodes']:,} nodes, {br['images']:,} images, "
                  f"{mib(br['file_bytes'])} file; median of {br['runs']} loads.", "",
                  "| measure | value |", "|---|---:|",
                  f"| first node shown (heading in DOM, from navigation start) | {br['first_node_ms']:.0f} ms |",
                  f"| first node painted (next frame after it is shown) | {br['first_node_painted_ms']:.0f} ms |",
                  f"| DOMContentLoaded | {br['dcl_ms']:.0f} ms |",
                  f"| load event | {br['load_ms']:.0f} ms |",
                  f"| time to interactive (end of last long task, ≥ first node) | {br['tti_ms']:.0f} ms |",
                  f"| longest task during load | {br['longest_task_ms']:.0f} ms |",
                  f"| search keystroke: handler, median / max ({k['count']} keys) | {k['handler_median_ms']:.1f} / {k['handler_max_ms']:.1f} ms |",
                  f"| search keystroke: handler + style/layout, median / max | {k['layout_median_ms']:.1f} / {k['layout_max_ms']:.1f} ms |",
                  f"| search keystroke: to next frame, median / max | {k['frame_median_ms']:.1f} / {k['frame_max_ms']:.1f} ms |",
                  f"| JS heap used after load (CDP JSHeapUsedSize) | {mib(br['heap_used_bytes'])} |",
                  f"| JS heap total after load (CDP JSHeapTotalSize) | {mib(br['heap_total_bytes'])} |",
                  f"| JS heap used after searching (performance.memory) | {mib(br['heap_after_search_bytes'])} |"]
    lines += desk_table(r)
    lines += build_goals(r)
    if r.get("serve"):
        lines += ["", "## Author's save in `serve`", "",
                  "`bench/serve.js`: `lifeboat serve` on a copy of the corpus, the largest entry point open in headless "
                  "Chromium at one node; one line of that node's Markdown changed (a new word each save, written to a "
                  "temporary file then renamed over it), timed from just before the write to the new word in the "
                  "page's DOM (the page reloads itself through serve's live reload). Goal (issue 19): < 300 ms at 10k. "
                  "The rebuild part is serve's own log (`built generation G in X s`); the other columns are the "
                  "medians of the rest of the way, in order.", "",
                  "| nodes | entry point | saves | save → new text in DOM, median | max | rebuild part, median | max "
                  "| write → rebuild starts (watcher + 50 ms quiet) | rebuild done → reload starts | reload → first byte "
                  "| first byte → text in DOM |",
                  "|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|"]
        for sv in r["serve"]:
            ms = lambda x: "—" if x is None else fmt_s(x / 1000)
            d, rb, ph = sv["to_dom_ms"], sv.get("rebuild_ms") or {}, sv.get("phases_median_ms") or {}
            lines.append("| " + " | ".join([
                f"{sv['nodes']:,}", f"`{sv['entry']}` ({mib(sv['file_bytes'])})", str(sv["runs"]),
                ms(d["median"]), ms(d["max"]), ms(rb.get("median")), ms(rb.get("max")),
                ms(ph.get("quiet_ms")), ms(ph.get("to_reload_ms")), ms(ph.get("first_byte_ms")),
                ms(ph.get("page_ms"))]) + " |")
    if r.get("notes"):
        lines += ["", "## Notes", ""] + [f"- {n}" for n in r["notes"]]
    text = "\n".join(lines) + "\n"
    open(out_path, "w").write(text)
    sys.stdout.write(text)


def main():
    cmd, args = sys.argv[1], sys.argv[2:]
    if cmd == "measure":
        measure(args)
    elif cmd == "floor":
        floor(args[0])
    elif cmd == "to-hugo":
        to_hugo(args[0], args[1], args[3] if len(args) > 3 and args[2] == "--env" else None)
    elif cmd == "edit":
        edit(args[0], int(args[1]))
    elif cmd == "durable-copy":
        durable_copy(args[0], args[1], args[2:])
    elif cmd == "bytes":
        html_bytes(args[0])
    elif cmd == "report":
        report(args[0], args[1])
    else:
        sys.exit(__doc__)


if __name__ == "__main__":
    main()
