//! The diagram map: a build-time SVG overview of one diagram, laid out as a layered graph
//! (Sugiyama-style) so that no two boxes overlap and no edge crosses a box.
//!
//! Layout, in short: a depth-first search from the start node finds the edges that close cycles, which
//! are reversed so the graph becomes acyclic; longest-path layering gives every node a layer; each edge
//! gets its own label box in the row just after its source and a dummy point in every further row it
//! crosses, so all links join adjacent rows; barycenter sweeps order each row to reduce crossings; x
//! positions follow the neighbours' centres with a minimum gap. Edges only run diagonally in the gaps
//! between rows and vertically inside their own slot, which is what keeps them off the boxes.
//!
//! The payload carries the layout only, as compact data ([`MapData`], data.rs); the viewer draws the SVG
//! from it and from the node data (themes/default/map.js).

use std::collections::HashMap;

use super::target::Shown;
use super::RenderContext;
use crate::check::resolve::Target;
use crate::content::{Diagram, Entry, Project};

/// Sizes in SVG user units (CSS pixels at zoom 1). The box sizes are also in themes/default/map.js
/// (the payload gives positions only); a test checks that the two agree.
const NODE_W: f64 = 200.0;
const NODE_H: f64 = 64.0;
const STUB_W: f64 = 176.0;
const STUB_H: f64 = 48.0;
const LABEL_W: f64 = 150.0;
const LABEL_H: f64 = 36.0;
const DUMMY_W: f64 = 12.0;
const H_GAP: f64 = 20.0;
const ROW_GAP: f64 = 26.0;
const MARGIN: f64 = 12.0;
const TITLE_CHARS: usize = 26;
const LABEL_CHARS: usize = 22;
const STUB_CHARS: usize = 24;
/// Largest map drawn, in laid-out items (boxes, labels and the points where edges cross rows). Layout
/// cost grows with it; a diagram past this is far beyond a readable map (the whole-diagram view and
/// search still work), and a long chain with back-links would otherwise need rows × edges points.
pub const MAX_MAP_ITEMS: usize = 20_000;

/// A node of the diagram, as the map needs it.
#[derive(Debug, Clone)]
pub struct MapNode<'a> {
    pub id: &'a str,
    pub title: &'a str,
    /// Contains a CAUTION callout.
    pub critical: bool,
    pub answers: Vec<MapAnswer<'a>>,
}

#[derive(Debug, Clone)]
pub struct MapAnswer<'a> {
    pub label: &'a str,
    pub href: String,
    pub target: MapTarget,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum MapTarget {
    /// A node of the same diagram, by index in `nodes`.
    Local(usize),
    /// Somewhere else (another diagram or entry point), shown as a small stub box with this text.
    Elsewhere(String),
}

/// The map of one diagram of `entry`.
pub fn diagram_map(cx: &RenderContext, entry: &Entry, diagram: &Diagram) -> Option<MapData> {
    let (project, checked) = (cx.project, cx.checked);
    let nodes: Vec<MapNode> = diagram
        .nodes
        .iter()
        .map(|node| MapNode {
            id: &node.id,
            title: &node.title,
            critical: node.caution,
            answers: node
                .answers
                .iter()
                .filter_map(|a| {
                    let t = checked.links.get(&(diagram.file, a.dest.clone()))?;
                    let local = (t.entry == entry.id && t.diagram == diagram.id)
                        .then(|| diagram.node_position(&t.node))
                        .flatten();
                    let shown = super::target::shown(project, &entry.id, t);
                    let target = match (local, shown) {
                        (Some(i), _) => MapTarget::Local(i),
                        (None, Shown::Open(t)) => {
                            MapTarget::Elsewhere(elsewhere_text(project, entry, t))
                        }
                        (None, Shown::Protected { entry, .. }) => MapTarget::Elsewhere(format!(
                            "{entry}.html › {}",
                            cx.theme.string("protected_procedure")
                        )),
                    };
                    Some(MapAnswer {
                        label: &a.label,
                        href: shown.href(&entry.id),
                        target,
                    })
                })
                .collect(),
        })
        .collect();
    let start = diagram
        .start_node()
        .and_then(|s| diagram.node_position(&s.id))
        .unwrap_or(0);
    render(start, &nodes)
}

/// "Diagram › Node" for another diagram of this entry point, "file.html › Diagram › Node" otherwise.
fn elsewhere_text(project: &Project, entry: &Entry, t: &Target) -> String {
    let d = project.entry(&t.entry).and_then(|e| e.diagram(&t.diagram));
    let dt = d.map_or(t.diagram.as_str(), |d| d.front.title.as_str());
    let nt = d
        .and_then(|d| d.node(&t.node))
        .map_or(t.node.as_str(), |n| n.title.as_str());
    if t.entry == entry.id {
        format!("{dt} › {nt}")
    } else {
        format!("{}.html › {dt} › {nt}", t.entry)
    }
}

/// Lays out the map of one diagram, as the payload carries it; `None` when the diagram is too large to
/// map (more than [`MAX_MAP_ITEMS`] items to lay out).
pub fn render(start: usize, nodes: &[MapNode]) -> Option<MapData> {
    let graph = Graph::from_nodes(nodes);
    let layout = layout(&graph, start)?;
    Some(data::compact(nodes, &graph, &layout))
}

/* ---------- graph ---------- */

/// Boxes `0..real` are the diagram's nodes, the rest are stubs; edges keep the answers' order.
#[derive(Debug, Clone)]
pub struct Graph {
    pub real: usize,
    /// Titles of the real boxes.
    pub titles: Vec<String>,
    pub stubs: Vec<(String, String)>,
    pub edges: Vec<(usize, usize, String)>,
}

impl Graph {
    fn from_nodes(nodes: &[MapNode]) -> Graph {
        let mut stubs: Vec<(String, String)> = Vec::new();
        // Stub number of each href, so that a node answering to thousands of places stays linear.
        let mut stub_of: HashMap<&str, usize> = HashMap::new();
        let mut edges = Vec::new();
        for (i, n) in nodes.iter().enumerate() {
            for a in &n.answers {
                let to = match &a.target {
                    MapTarget::Local(j) if *j < nodes.len() => *j,
                    MapTarget::Local(_) => continue,
                    MapTarget::Elsewhere(text) => {
                        let k = *stub_of.entry(a.href.as_str()).or_insert_with(|| {
                            stubs.push((a.href.clone(), text.clone()));
                            stubs.len() - 1
                        });
                        nodes.len() + k
                    }
                };
                edges.push((i, to, a.label.to_string()));
            }
        }
        Graph {
            real: nodes.len(),
            titles: nodes.iter().map(|n| n.title.to_string()).collect(),
            stubs,
            edges,
        }
    }

    fn len(&self) -> usize {
        self.real + self.stubs.len()
    }
}

/* ---------- layout ---------- */

#[derive(Debug, Clone, Copy, PartialEq)]
pub enum ItemKind {
    /// A diagram node or stub (`Graph` box index).
    Box(usize),
    /// The label of edge `e`.
    Label(usize),
    /// A point where edge `e` crosses a row.
    Dummy(usize),
}

#[derive(Debug, Clone, Copy)]
pub struct Item {
    pub kind: ItemKind,
    pub row: usize,
    pub x: f64,
    pub y: f64,
    pub w: f64,
    pub h: f64,
}

impl Item {
    fn cx(&self) -> f64 {
        self.x + self.w / 2.0
    }
    fn bottom(&self) -> f64 {
        self.y + self.h
    }
}

#[derive(Debug, Clone)]
pub struct EdgePath {
    pub edge: usize,
    /// From the source box's border to the target box's border, in drawing direction.
    pub points: Vec<(f64, f64)>,
    /// The label item of this edge (index in `Layout::items`).
    pub label: usize,
    /// The arrow points up (the edge goes back to an earlier row).
    pub upward: bool,
}

#[derive(Debug, Clone)]
pub struct Layout {
    pub items: Vec<Item>,
    /// Item index of each graph box.
    pub boxes: Vec<usize>,
    pub edges: Vec<EdgePath>,
    pub width: f64,
    pub height: f64,
}

/// How an edge sits in the layered drawing.
enum Shape {
    /// Top to bottom: item chain from source to target.
    Down,
    /// Reversed to break a cycle: the chain runs from the target (top) to the source (bottom).
    Up,
    /// A node answering to itself: source, then its label below.
    Loop,
}

/// Lays the graph out; `None` when it would take more than [`MAX_MAP_ITEMS`] items. The phases, each
/// a function below: layers (longest path over the graph with its cycles broken), the items and the
/// chains of links between adjacent rows, the order within rows (barycenter sweeps), the rows' heights
/// and the items' x, and last the path of every edge.
pub fn layout(graph: &Graph, start: usize) -> Option<Layout> {
    let back = back_edges(graph, start);
    let layer = layers(graph, &back);
    // Every edge takes a label and one point per row it crosses: count them before allocating any.
    let spans: usize = graph
        .edges
        .iter()
        .map(|&(from, to, _)| 1 + 2 * layer[from].abs_diff(layer[to]))
        .sum();
    if graph.len().saturating_add(spans) > MAX_MAP_ITEMS {
        return None;
    }
    let mut grid = Grid::new(graph, &layer, &back);
    let rows = grid.order_rows();
    let (band, height) = grid.place_rows(&rows);
    let width = grid.place_columns(&rows);
    let edges = grid.route_edges(&band);
    Some(Layout {
        items: grid.items,
        boxes: grid.boxes,
        edges,
        width,
        height,
    })
}

/// Longest-path layering over the acyclic version of the graph (`back` edges reversed, loops left out).
fn layers(graph: &Graph, back: &[bool]) -> Vec<usize> {
    let n = graph.len();
    let mut dag: Vec<Vec<usize>> = vec![Vec::new(); n];
    let mut indegree = vec![0usize; n];
    for (e, &(from, to, _)) in graph.edges.iter().enumerate() {
        if from == to {
            continue;
        }
        let (a, b) = if back[e] { (to, from) } else { (from, to) };
        dag[a].push(b);
        indegree[b] += 1;
    }
    let mut layer = vec![0usize; n];
    let mut queue: Vec<usize> = (0..n).filter(|&v| indegree[v] == 0).collect();
    let mut qi = 0;
    while qi < queue.len() {
        let v = queue[qi];
        qi += 1;
        for &w in &dag[v] {
            layer[w] = layer[w].max(layer[v] + 1);
            indegree[w] -= 1;
            if indegree[w] == 0 {
                queue.push(w);
            }
        }
    }
    layer
}

/// The items of a layout being made, and how they are linked between adjacent rows.
struct Grid {
    /// Boxes at even rows, labels and dummies wherever their edge passes.
    items: Vec<Item>,
    /// Item index of each graph box.
    boxes: Vec<usize>,
    /// Each edge's chain of items, top to bottom, its shape and its label item.
    chains: Vec<(Vec<usize>, Shape, usize)>,
    /// Neighbours in the row above (`up[i]`) and below (`down[i]`) of each item.
    up: Vec<Vec<usize>>,
    down: Vec<Vec<usize>>,
    rows_count: usize,
}

impl Grid {
    fn new(graph: &Graph, layer: &[usize], back: &[bool]) -> Grid {
        let n = graph.len();
        let mut items: Vec<Item> = Vec::new();
        let mut new_item = |kind: ItemKind, row: usize, w: f64, h: f64| {
            items.push(Item {
                kind,
                row,
                x: 0.0,
                y: 0.0,
                w,
                h,
            });
            items.len() - 1
        };
        let boxes: Vec<usize> = (0..n)
            .map(|b| {
                let (w, h) = if b < graph.real {
                    (NODE_W, NODE_H)
                } else {
                    (STUB_W, STUB_H)
                };
                new_item(ItemKind::Box(b), 2 * layer[b], w, h)
            })
            .collect();
        let mut chains: Vec<(Vec<usize>, Shape, usize)> = Vec::new();
        for (e, &(from, to, _)) in graph.edges.iter().enumerate() {
            let (lf, lt) = (layer[from], layer[to]);
            if from == to {
                let label = new_item(ItemKind::Label(e), 2 * lf + 1, LABEL_W, LABEL_H);
                chains.push((vec![boxes[from], label], Shape::Loop, label));
            } else if !back[e] {
                let mut chain = vec![boxes[from]];
                let label = new_item(ItemKind::Label(e), 2 * lf + 1, LABEL_W, LABEL_H);
                chain.push(label);
                for row in 2 * lf + 2..2 * lt {
                    chain.push(new_item(ItemKind::Dummy(e), row, DUMMY_W, 0.0));
                }
                chain.push(boxes[to]);
                chains.push((chain, Shape::Down, label));
            } else {
                let mut chain = vec![boxes[to]];
                for row in 2 * lt + 1..2 * lf - 1 {
                    chain.push(new_item(ItemKind::Dummy(e), row, DUMMY_W, 0.0));
                }
                let label = new_item(ItemKind::Label(e), 2 * lf - 1, LABEL_W, LABEL_H);
                chain.push(label);
                chain.push(boxes[from]);
                chains.push((chain, Shape::Up, label));
            }
        }
        let rows_count = items.iter().map(|i| i.row + 1).max().unwrap_or(0);
        let mut up: Vec<Vec<usize>> = vec![Vec::new(); items.len()];
        let mut down: Vec<Vec<usize>> = vec![Vec::new(); items.len()];
        for (chain, _, _) in &chains {
            for pair in chain.windows(2) {
                down[pair[0]].push(pair[1]);
                up[pair[1]].push(pair[0]);
            }
        }
        Grid {
            items,
            boxes,
            chains,
            up,
            down,
            rows_count,
        }
    }

    /// The items of each row, in creation order (boxes in document order first), then reordered by
    /// barycenter sweeps; the order with the fewest crossings wins.
    fn order_rows(&self) -> Vec<Vec<usize>> {
        let rows_count = self.rows_count;
        let mut rows: Vec<Vec<usize>> = vec![Vec::new(); rows_count];
        for (i, it) in self.items.iter().enumerate() {
            rows[it.row].push(i);
        }
        let mut pos = vec![0.0f64; self.items.len()];
        index_positions(&rows, &mut pos);
        let mut best = (crossings(&rows, &self.down, &pos), rows.clone());
        for sweep in 0..12 {
            let downward = sweep % 2 == 0;
            let order: Vec<usize> = if downward {
                (1..rows_count).collect()
            } else {
                (0..rows_count.saturating_sub(1)).rev().collect()
            };
            for r in order {
                let mut keys: Vec<(f64, usize)> = rows[r]
                    .iter()
                    .map(|&i| {
                        let nb = if downward { &self.up[i] } else { &self.down[i] };
                        let key = if nb.is_empty() {
                            pos[i]
                        } else {
                            nb.iter().map(|&j| pos[j]).sum::<f64>() / nb.len() as f64
                        };
                        (key, i)
                    })
                    .collect();
                keys.sort_by(|a, b| a.0.total_cmp(&b.0));
                rows[r] = keys.into_iter().map(|(_, i)| i).collect();
                for (k, &i) in rows[r].iter().enumerate() {
                    pos[i] = k as f64;
                }
            }
            let c = crossings(&rows, &self.down, &pos);
            if c < best.0 {
                best = (c, rows.clone());
            }
        }
        best.1
    }

    /// y: one band per row, as high as its highest item; items centred in theirs. Returns each row's
    /// band (top, bottom) and the drawing's height.
    fn place_rows(&mut self, rows: &[Vec<usize>]) -> (Vec<(f64, f64)>, f64) {
        let mut y = MARGIN;
        let mut band: Vec<(f64, f64)> = Vec::with_capacity(rows.len());
        for row in rows {
            let h = row.iter().map(|&i| self.items[i].h).fold(0.0, f64::max);
            for &i in row {
                self.items[i].y = y + (h - self.items[i].h) / 2.0;
            }
            band.push((y, y + h));
            y += h + ROW_GAP;
        }
        (band, y - ROW_GAP + MARGIN)
    }

    /// x: packed left, then each item pulled toward its neighbours' centres, order and gaps kept.
    /// Returns the drawing's width.
    fn place_columns(&mut self, rows: &[Vec<usize>]) -> f64 {
        let items = &mut self.items;
        for row in rows {
            let mut x = MARGIN;
            for &i in row {
                items[i].x = x;
                x += items[i].w + H_GAP;
            }
        }
        for sweep in 0..6 {
            let downward = sweep % 2 == 0;
            let order: Vec<usize> = if downward {
                (0..self.rows_count).collect()
            } else {
                (0..self.rows_count).rev().collect()
            };
            for r in order {
                let mut prev_right = f64::NEG_INFINITY;
                for &i in &rows[r] {
                    let nb = if downward { &self.up[i] } else { &self.down[i] };
                    let want = if nb.is_empty() {
                        items[i].cx()
                    } else {
                        nb.iter().map(|&j| items[j].cx()).sum::<f64>() / nb.len() as f64
                    };
                    let x = (want - items[i].w / 2.0)
                        .max(prev_right + H_GAP)
                        .max(MARGIN);
                    items[i].x = x;
                    prev_right = x + items[i].w;
                }
            }
        }
        let min_x = items.iter().map(|i| i.x).fold(f64::INFINITY, f64::min);
        if min_x.is_finite() {
            for it in items.iter_mut() {
                it.x += MARGIN - min_x;
            }
        }
        items.iter().map(|i| i.x + i.w).fold(0.0, f64::max) + MARGIN
    }

    /// The path of every edge, from its source box's border to its target's. Inside a row band a path
    /// only runs vertically in its own slot; diagonals stay in the gaps between rows.
    fn route_edges(&self, band: &[(f64, f64)]) -> Vec<EdgePath> {
        let items = &self.items;
        let ports_down = Ports::of(items, &self.down);
        let ports_up = Ports::of(items, &self.up);
        let mut edges = Vec::with_capacity(self.chains.len());
        for (e, (chain, shape, label)) in self.chains.iter().enumerate() {
            let mut pts: Vec<(f64, f64)> = Vec::new();
            match shape {
                Shape::Loop => {
                    let (b, l) = (chain[0], chain[1]);
                    let (bi, li) = (&items[b], &items[l]);
                    let x0 = ports_down.x(items, b, l);
                    let dx = (bi.w * 0.12).min(24.0);
                    let (bb, lt) = (band[bi.row].1, band[li.row].0);
                    pts.extend([
                        (x0 - dx, bi.bottom()),
                        (x0 - dx, bb),
                        (li.cx() - dx, lt),
                        (li.cx() - dx, li.y),
                        (li.cx() + dx, li.y),
                        (li.cx() + dx, lt),
                        (x0 + dx, bb),
                        (x0 + dx, bi.bottom()),
                    ]);
                }
                Shape::Down | Shape::Up => {
                    for (k, pair) in chain.windows(2).enumerate() {
                        let (a, b) = (pair[0], pair[1]);
                        let xa = ports_down.x(items, a, b);
                        let (top_a, bottom_a) = band[items[a].row];
                        if k == 0 {
                            pts.push((xa, items[a].bottom()));
                        } else {
                            pts.push((xa, top_a));
                        }
                        pts.push((xa, bottom_a));
                        if k == chain.len() - 2 {
                            let xb = ports_up.x(items, b, a);
                            pts.push((xb, band[items[b].row].0));
                            pts.push((xb, items[b].y));
                        }
                    }
                    pts.dedup_by(|p, q| (p.0 - q.0).abs() < 1e-9 && (p.1 - q.1).abs() < 1e-9);
                    if matches!(shape, Shape::Up) {
                        pts.reverse();
                    }
                }
            }
            edges.push(EdgePath {
                edge: e,
                points: pts,
                label: *label,
                upward: !matches!(shape, Shape::Down),
            });
        }
        edges
    }
}

fn index_positions(rows: &[Vec<usize>], pos: &mut [f64]) {
    for row in rows {
        for (k, &i) in row.iter().enumerate() {
            pos[i] = k as f64;
        }
    }
}

/// Where the links leaving one side (top or bottom) of each box meet it: spread along the side in the
/// order of their other ends, computed once per box (a box with thousands of answers sorts them once,
/// not once per answer). A link between the same two items twice shares the first one's port.
struct Ports(HashMap<(usize, usize), f64>);

impl Ports {
    fn of(items: &[Item], sides: &[Vec<usize>]) -> Ports {
        let mut at = HashMap::new();
        for (me, side) in sides.iter().enumerate() {
            let it = &items[me];
            if !matches!(it.kind, ItemKind::Box(_)) || side.len() < 2 {
                continue;
            }
            let mut order: Vec<(f64, usize)> = side
                .iter()
                .enumerate()
                .map(|(k, &j)| (items[j].cx(), k))
                .collect();
            order.sort_by(|a, b| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)));
            let mut rank = vec![0usize; side.len()];
            for (r, &(_, k)) in order.iter().enumerate() {
                rank[k] = r;
            }
            let inset = it.w * 0.15;
            for (k, &other) in side.iter().enumerate() {
                let x = inset
                    + it.x
                    + (it.w - 2.0 * inset) * (rank[k] as f64 + 0.5) / side.len() as f64;
                at.entry((me, other)).or_insert(x);
            }
        }
        Ports(at)
    }

    /// The port of `me` for its link to `other` (the box's centre when it has one link on that side).
    fn x(&self, items: &[Item], me: usize, other: usize) -> f64 {
        self.0
            .get(&(me, other))
            .copied()
            .unwrap_or_else(|| items[me].cx())
    }
}

/// Pairs of links between adjacent rows that cross, for the order given by `pos`.
fn crossings(rows: &[Vec<usize>], down: &[Vec<usize>], pos: &[f64]) -> usize {
    let mut total = 0;
    for row in rows {
        let links: Vec<(f64, f64)> = row
            .iter()
            .flat_map(|&i| down[i].iter().map(move |&j| (pos[i], pos[j])))
            .collect();
        for (k, a) in links.iter().enumerate() {
            for b in &links[k + 1..] {
                if (a.0 - b.0) * (a.1 - b.1) < 0.0 {
                    total += 1;
                }
            }
        }
    }
    total
}

/// Edges that close a cycle in a depth-first search from `start` (then from every box not yet seen).
fn back_edges(graph: &Graph, start: usize) -> Vec<bool> {
    let n = graph.len();
    let mut out: Vec<Vec<(usize, usize)>> = vec![Vec::new(); n];
    for (e, &(from, to, _)) in graph.edges.iter().enumerate() {
        out[from].push((e, to));
    }
    // 0 unseen, 1 on the stack, 2 done
    let mut state = vec![0u8; n];
    let mut back = vec![false; graph.edges.len()];
    let roots = std::iter::once(start.min(n.saturating_sub(1))).chain(0..n);
    for root in roots {
        if n == 0 || state[root] != 0 {
            continue;
        }
        let mut stack: Vec<(usize, usize)> = vec![(root, 0)];
        state[root] = 1;
        while let Some(&mut (v, ref mut next)) = stack.last_mut() {
            if *next < out[v].len() {
                let (e, w) = out[v][*next];
                *next += 1;
                match state[w] {
                    0 => {
                        state[w] = 1;
                        stack.push((w, 0));
                    }
                    1 => back[e] = true,
                    _ => {}
                }
            } else {
                state[v] = 2;
                stack.pop();
            }
        }
    }
    back
}

mod data;

pub use data::{simplify, wrap, BoxAt, EdgeAt, Lines, MapData, Num, StubAt};

#[cfg(test)]
mod tests;
