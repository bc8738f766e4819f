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

fn on_border(p: (f64, f64), r: &Item) -> bool {
    let within_x = p.0 >= r.x - 0.5 && p.0 <= r.x + r.w + 0.5;
    let within_y = p.1 >= r.y - 0.5 && p.1 <= r.y + r.h + 0.5;
    within_x && within_y && ((p.1 - r.y).abs() < 0.5 || (p.1 - r.y - r.h).abs() < 0.5)
}

fn check(g: &Graph, start: usize) -> Layout {
    let l = layout(g, start).expect("within the map budget");
    let solid: Vec<(usize, &Item)> = l
        .items
        .iter()
        .enumerate()
        .filter(|(_, i)| i.h > 0.0)
        .collect();
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
        for seg in ep.points.windows(2) {
            for (k, it) in &solid {
                if *k == ep.label {
                    continue;
                }
                assert!(
                    !crosses(seg[0], seg[1], it),
                    "edge {e} segment {seg:?} crosses item {k} {it:?}"
                );
            }
        }
    }
    l
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

fn words() -> MapWords<'static> {
    MapWords {
        decision: "Decision",
        action: "Action",
        end: "End point",
        critical: "Critical",
        elsewhere: "Elsewhere",
        label: "Map: \"Internet\"".into(),
    }
}

#[test]
fn svg_has_a_link_per_node_kinds_in_words_and_escapes_every_text() {
    let nodes = vec![
        MapNode {
            id: "a",
            title: "Check <script>alert(1)</script> & \"lights\"",
            critical: true,
            answers: vec![
                MapAnswer {
                    label: "Red <b>",
                    href: "#/d/b".into(),
                    target: MapTarget::Local(1),
                },
                MapAnswer {
                    label: "Refuses",
                    href: "other.html#/x/y".into(),
                    target: MapTarget::Elsewhere("other.html › x › <y>".into()),
                },
            ],
        },
        MapNode {
            id: "b",
            title: "Restart",
            critical: false,
            answers: vec![MapAnswer {
                label: "Works",
                href: "#/d/c".into(),
                target: MapTarget::Local(2),
            }],
        },
        MapNode {
            id: "c",
            title: "Done",
            critical: false,
            answers: vec![],
        },
    ];
    let svg = render("d", 0, &nodes, &words()).unwrap();
    assert!(svg.starts_with("<svg xmlns=\"http://www.w3.org/2000/svg\""));
    assert!(!svg.contains("<script"), "{svg}");
    assert!(!svg.contains("<b>") && !svg.contains("<y>"));
    assert!(!svg.contains("style="));
    assert!(svg.contains("&lt;script&gt;"));
    assert!(svg.contains("aria-label=\"Map: &quot;Internet&quot;\""));
    assert_eq!(svg.matches("<a class=\"lb-map-box lb-map-node").count(), 3);
    assert_eq!(
        svg.matches("<a class=\"lb-map-box lb-map-stub\" href=\"other.html#/x/y\"")
            .count(),
        1
    );
    assert!(svg.contains("href=\"#/d/a\" data-node=\"a\""));
    assert!(svg.contains("lb-map-decision lb-map-critical"));
    assert!(svg.contains(">Critical · Decision</tspan>"));
    assert!(svg.contains(">Action</tspan>"));
    assert!(svg.contains(">End point</tspan>"));
    assert!(
        svg.contains("<desc>Restart. Works → Done</desc>"),
        "answers in the description"
    );
    assert_eq!(svg.matches("class=\"lb-map-edge\"").count(), 3);
    assert!(!svg.contains("url("));
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
