use super::*;

/// A graph of `real` nodes (titles "N<i>") and edges given as (from, to); `to >= real` makes stubs.
fn graph(real: usize, edges: &[(usize, usize)]) -> Graph {
    let stubs = edges
        .iter()
        .map(|e| e.1)
        .filter(|&t| t >= real)
        .max()
        .map_or(0, |m| m + 1 - real);
    Graph {
        real,
        titles: (0..real).map(|i| format!("N{i}")).collect(),
        stubs: (0..stubs)
            .map(|k| (format!("other.html#/x/{k}"), format!("Stub {k}")))
            .collect(),
        edges: edges
            .iter()
            .enumerate()
            .map(|(k, &(a, b))| (a, b, format!("answer {k}")))
            .collect(),
    }
}

fn overlap(a: &Item, b: &Item) -> bool {
    a.x < b.x + b.w && b.x < a.x + a.w && a.y < b.y + b.h && b.y < a.y + a.h
}

/// Does the segment p-q pass through the inside of `r` (shrunk by a hair, so touching is allowed)?
fn crosses(p: (f64, f64), q: (f64, f64), r: &Item) -> bool {
    let (x0, y0, x1, y1) = (r.x + 0.5, r.y + 0.5, r.x + r.w - 0.5, r.y + r.h - 0.5);
    if x1 <= x0 || y1 <= y0 {
        return false;
    }
    // Liang–Barsky clipping.
    let (dx, dy) = (q.0 - p.0, q.1 - p.1);
    let mut t0: f64 = 0.0;
    let mut t1: f64 = 1.0;
    for (pk, qk) in [
        (-dx, p.0 - x0),
        (dx, x1 - p.0),
        (-dy, p.1 - y0),
        (dy, y1 - p.1),
    ] {
        if pk == 0.0 {
            if qk < 0.0 {
                return false;
            }
        } else {
            let t = qk / pk;
            if pk < 0.0 {
                t0 = t0.max(t);
            } else {
                t1 = t1.min(t);
            }
        }
    }
    t0 < t1
}

/// No segment of `points` crosses a solid item other than the edge's own label `label`.
fn assert_clear(points: &[(f64, f64)], solid: &[(usize, &Item)], label: usize, what: &str) {
    for seg in points.windows(2) {
        for (k, it) in solid {
            if *k == label {
                continue;
            }
            assert!(
                !crosses(seg[0], seg[1], it),
                "{what} segment {seg:?} crosses item {k} {it:?}"
            );
        }
    }
}

fn on_border(p: (f64, f64), r: &Item) -> bool {
    let within_x = p.0 >= r.x - 0.5 && p.0 <= r.x + r.w + 0.5;
    let within_y = p.1 >= r.y - 0.5 && p.1 <= r.y + r.h + 0.5;
    within_x && within_y && ((p.1 - r.y).abs() < 0.5 || (p.1 - r.y - r.h).abs() < 0.5)
}

/// The items that take room on the map (boxes and labels), with their index.
fn solid_items(l: &Layout) -> Vec<(usize, &Item)> {
    l.items
        .iter()
        .enumerate()
        .filter(|(_, i)| i.h > 0.0)
        .collect()
}

fn check(g: &Graph, start: usize) -> Layout {
    let l = layout(g, start).expect("within the map budget");
    check_compact(g, &l);
    let solid = solid_items(&l);
    for (a, ia) in &solid {
        for (b, ib) in &solid {
            assert!(
                a == b || !overlap(ia, ib),
                "items {a} {ia:?} and {b} {ib:?} overlap"
            );
        }
        assert!(ia.x >= 0.0 && ia.y >= 0.0 && ia.x + ia.w <= l.width && ia.y + ia.h <= l.height);
    }
    assert_eq!(l.edges.len(), g.edges.len(), "every edge drawn");
    for (e, ep) in l.edges.iter().enumerate() {
        let (from, to, _) = g.edges[e];
        assert_eq!(ep.edge, e);
        assert!(ep.points.len() >= 2);
        let first = ep.points[0];
        let last = *ep.points.last().unwrap();
        assert!(
            on_border(first, &l.items[l.boxes[from]]),
            "edge {e} starts on its source: {first:?}"
        );
        assert!(
            on_border(last, &l.items[l.boxes[to]]),
            "edge {e} ends on its target: {last:?}"
        );
        assert_clear(&ep.points, &solid, ep.label, &format!("edge {e}"));
    }
    l
}

/// The payload's form of a layout keeps its properties: boxes where the layout put them (to 0.1), and
/// polylines that still join their boxes, cross no other box, have no point in a straight run, and end
/// with a segment going the way the arrow must point.
fn check_compact(g: &Graph, l: &Layout) {
    let nodes: Vec<MapNode> = (0..g.real)
        .map(|b| MapNode {
            id: "n",
            title: &g.titles[b],
            critical: false,
            answers: Vec::new(),
        })
        .collect();
    let map = data::compact(&nodes, g, l);
    assert_eq!(map.boxes.len(), g.real);
    assert_eq!(map.stubs.len(), g.stubs.len());
    assert_eq!(map.edges.len(), g.edges.len());
    assert!(map.w.0 >= l.width && map.h.0 >= l.height);
    let near = |a: f64, b: f64| (a - b).abs() <= 0.05 + 1e-9;
    for (b, at) in map.boxes.iter().enumerate() {
        let it = &l.items[l.boxes[b]];
        assert!(near(at.x.0, it.x) && near(at.y.0, it.y));
        assert_eq!((it.w, it.h), (NODE_W, NODE_H));
    }
    for (k, s) in map.stubs.iter().enumerate() {
        let it = &l.items[l.boxes[g.real + k]];
        assert!(near(s.0 .0, it.x) && near(s.1 .0, it.y));
        assert_eq!((it.w, it.h), (STUB_W, STUB_H));
    }
    let solid = solid_items(l);
    for (e, ce) in map.edges.iter().enumerate() {
        let ep = &l.edges[e];
        let it = &l.items[ep.label];
        assert!(near(ce.label.x.0, it.x) && near(ce.label.y.0, it.y));
        assert_eq!((it.w, it.h), (LABEL_W, LABEL_H));
        let pts: Vec<(f64, f64)> = ce.points.iter().map(|p| (p.0 .0, p.1 .0)).collect();
        assert!(pts.len() >= 2 && pts.len() <= ep.points.len());
        for w in pts.windows(3) {
            let (ux, uy) = (w[1].0 - w[0].0, w[1].1 - w[0].1);
            let (vx, vy) = (w[2].0 - w[1].0, w[2].1 - w[1].1);
            assert!(
                (ux * vy - uy * vx).abs() > 1e-6 || ux * vx + uy * vy < 0.0,
                "edge {e}: {w:?} is a straight run"
            );
        }
        let (last, prev) = (pts[pts.len() - 1], pts[pts.len() - 2]);
        assert_eq!(ep.upward, last.1 < prev.1, "edge {e}: arrow direction");
        let (from, to, _) = g.edges[e];
        let grow = |r: &Item| Item {
            x: r.x - 0.1,
            y: r.y - 0.1,
            w: r.w + 0.2,
            h: r.h + 0.2,
            ..*r
        };
        assert!(on_border(pts[0], &grow(&l.items[l.boxes[from]])));
        assert!(on_border(last, &grow(&l.items[l.boxes[to]])));
        assert_clear(&pts, &solid, ep.label, &format!("compact edge {e}"));
    }
}

#[test]
fn a_chain_goes_down_one_row_per_step() {
    let g = graph(3, &[(0, 1), (1, 2)]);
    let l = check(&g, 0);
    let rows: Vec<usize> = l.boxes.iter().map(|&b| l.items[b].row).collect();
    assert_eq!(rows, vec![0, 2, 4]);
    assert!(l.edges.iter().all(|e| !e.upward));
}

#[test]
fn cycles_are_drawn_upward_without_overlaps() {
    let g = graph(4, &[(0, 1), (1, 2), (2, 0), (2, 3), (3, 1)]);
    let l = check(&g, 0);
    assert_eq!(l.edges.iter().filter(|e| e.upward).count(), 2);
    assert_eq!(l.items[l.boxes[0]].row, 0, "the start is on top");
}

#[test]
fn self_loops_and_parallel_edges_are_drawn() {
    let g = graph(2, &[(0, 0), (0, 1), (0, 1), (1, 1)]);
    check(&g, 0);
}

#[test]
fn long_edges_and_stubs_get_their_own_slots() {
    // 0 -> 1 -> 2 -> 3 -> 4, plus 0 -> 4 (a long edge) and stubs from 1 and 3.
    let g = graph(
        5,
        &[
            (0, 1),
            (1, 2),
            (2, 3),
            (3, 4),
            (0, 4),
            (1, 5),
            (3, 6),
            (2, 5),
        ],
    );
    let l = check(&g, 0);
    assert!(l.items.iter().any(|i| matches!(i.kind, ItemKind::Dummy(_))));
    assert_eq!(l.boxes.len(), 7);
}

#[test]
fn unreachable_nodes_and_empty_graphs_are_laid_out() {
    check(&graph(3, &[(1, 2)]), 0);
    check(&graph(1, &[]), 0);
    let empty = layout(&graph(0, &[]), 0).unwrap();
    assert!(empty.items.is_empty());
}

#[test]
fn dense_pseudo_random_graphs_keep_every_property() {
    let mut seed: u64 = 0x2545_f491_4f6c_dd1d;
    let mut next = |m: usize| {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        (seed % m as u64) as usize
    };
    for round in 0..40 {
        let real = 2 + round % 12;
        let mut edges = Vec::new();
        for from in 0..real {
            for _ in 0..next(4) {
                let to = if next(6) == 0 {
                    real + next(3)
                } else {
                    next(real)
                };
                edges.push((from, to));
            }
        }
        check(&graph(real, &edges), next(real));
    }
}

#[test]
fn wraps_and_cuts_labels() {
    assert_eq!(
        wrap("Vérifier les voyants", 26, 2),
        vec!["Vérifier les voyants"]
    );
    assert_eq!(wrap("one two three four", 9, 2), vec!["one two", "three…"]);
    assert_eq!(wrap("abcdefghijklmnop", 6, 2), vec!["abcde…"]);
    assert!(wrap("", 10, 2).is_empty());
}

fn answer(label: &'static str, href: &str, target: MapTarget) -> MapAnswer<'static> {
    MapAnswer {
        label,
        href: href.into(),
        target,
    }
}

#[test]
fn compact_form_has_positions_lines_and_stubs_and_no_markup() {
    let nodes = vec![
        MapNode {
            id: "a",
            title: "Check <script>alert(1)</script> & \"lights\"",
            critical: true,
            answers: vec![
                answer("Red <b>", "#/d/b", MapTarget::Local(1)),
                answer(
                    "Refuses",
                    "other.html#/x/y",
                    MapTarget::Elsewhere("other.html › x › <y>".into()),
                ),
                answer(
                    "Refuses again",
                    "other.html#/x/y",
                    MapTarget::Elsewhere("other.html › x › <y>".into()),
                ),
            ],
        },
        MapNode {
            id: "b",
            title: "Restart",
            critical: false,
            answers: vec![answer("Works", "#/d/c", MapTarget::Local(2))],
        },
        MapNode {
            id: "c",
            title: "Done",
            critical: false,
            answers: vec![],
        },
    ];
    let map = render(0, &nodes).unwrap();
    assert_eq!(map.boxes.len(), 3, "one box per node, in node order");
    assert_eq!(map.critical, vec![0]);
    assert_eq!(map.edges.len(), 4, "one edge per answer, in answer order");
    assert_eq!(map.stubs.len(), 1, "one stub per distinct target");
    let stub = &map.stubs[0];
    assert_eq!(stub.2, "other.html#/x/y");
    assert_eq!(
        stub.3, "other.html › x › <y>",
        "texts stay raw: the viewer sets textContent"
    );
    assert_eq!(stub.4, vec!["↗ other.html › x › <y>"]);
    // Titles and labels: one line is the text itself, two lines a cut, else the lines.
    assert_eq!(map.boxes[1].lines, Lines::Same);
    assert_eq!(
        map.boxes[0].lines.decode(nodes[0].title),
        wrap(nodes[0].title, TITLE_CHARS, 2)
    );
    assert_eq!(map.edges[0].label.lines, Lines::Same);

    let json = serde_json::to_value(&map).unwrap();
    let text = json.to_string();
    assert!(!text.contains("style") && !text.contains("<svg") && !text.contains("<a "));
    assert_eq!(json["boxes"][1].as_array().unwrap().len(), 2, "[x, y]");
    assert!(json["w"].is_u64() && json["h"].is_u64(), "{text}");
    for b in json["boxes"].as_array().unwrap() {
        for v in &b.as_array().unwrap()[..2] {
            let v = v.as_f64().unwrap();
            assert_eq!((v * 10.0).round() / 10.0, v, "rounded to 0.1");
        }
    }
    let e0 = json["edges"][0].as_array().unwrap();
    assert_eq!(e0.len(), 3, "[x, y, points]: the label is one line");
    assert!(e0[2].as_array().unwrap().len() >= 4);
    // No critical list when no node is critical.
    let plain: Vec<MapNode> = nodes
        .iter()
        .map(|n| MapNode {
            critical: false,
            ..n.clone()
        })
        .collect();
    let json = serde_json::to_value(render(0, &plain).unwrap()).unwrap();
    assert!(json.get("critical").is_none());
}

#[test]
fn lines_are_encoded_against_the_text() {
    for (text, width) in [
        ("Vérifier les voyants du modem et la box", 26),
        ("Vérifier les voyants", 26),
        ("one two three four five six seven", 9),
        ("abcdefghijklmnop", 6),
        ("a  b", 1),
        ("Émoji 🙂 très long titre de nœud", 12),
        ("", 10),
    ] {
        let lines = wrap(text, width, 2);
        let enc = Lines::of(text, lines.clone());
        assert_eq!(enc.decode(text), lines, "{text:?}");
    }
    assert_eq!(
        Lines::of("Émoji 🙂 x", vec!["Émoji 🙂".into(), "x".into()]),
        Lines::Split(8),
        "UTF-16 offsets, as JavaScript slices"
    );
    assert_eq!(
        serde_json::to_string(&Num::of(12.04)).unwrap(),
        "12",
        "no fraction"
    );
    assert_eq!(serde_json::to_string(&Num::of(12.46)).unwrap(), "12.5");
}

#[test]
fn simplified_polylines_drop_only_points_that_draw_nothing() {
    let pts = [
        (0.0, 0.0),
        (0.0, 10.0),
        (0.0, 10.0),
        (0.0, 20.04),
        (10.0, 30.0),
        (20.0, 40.0),
        (20.0, 50.0),
        (20.0, 45.0),
    ];
    let n = |x, y| (Num(x), Num(y));
    assert_eq!(
        simplify(&pts),
        vec![
            n(0.0, 0.0),
            n(0.0, 20.0),
            n(20.0, 40.0),
            n(20.0, 50.0),
            n(20.0, 45.0)
        ],
        "repeats and straight runs go; turns and the reversal stay"
    );
}

#[test]
fn box_sizes_agree_with_the_viewer() {
    let js = include_str!("../../../themes/default/map.js");
    for (name, w, h) in [
        ("NODE", NODE_W, NODE_H),
        ("STUB", STUB_W, STUB_H),
        ("LABEL", LABEL_W, LABEL_H),
    ] {
        let decl = format!("var {name} = [{w}, {h}];");
        assert!(js.contains(&decl), "map.js should declare `{decl}`");
    }
}

#[test]
fn a_chain_with_back_links_past_the_budget_is_not_mapped() {
    // 1,000 steps each answering the next and the first: the back-links cross every row.
    let n = 1_000;
    let edges: Vec<(usize, usize)> = (0..n - 1).flat_map(|i| [(i, i + 1), (i + 1, 0)]).collect();
    assert!(layout(&graph(n, &edges), 0).is_none());
    // The same chain without back-links is mapped.
    let chain: Vec<(usize, usize)> = (0..n - 1).map(|i| (i, i + 1)).collect();
    assert!(layout(&graph(n, &chain), 0).is_some());
}
