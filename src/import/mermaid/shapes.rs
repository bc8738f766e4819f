//! Mermaid 11 shape names (`A@{ shape: … }`), from Mermaid's shape table
//! (packages/mermaid/src/rendering-util/rendering-elements/shapes.ts): every short name and alias, and
//! what each means to an agent. A name Mermaid does not know is refused, as Mermaid refuses it.

use super::Shape;

/// Shapes that hold or carry data (storage, documents, manual input): "write this down".
const DATA: &[&str] = &[
    "datastore",
    "h-cyl",
    "lin-cyl",
    "win-pane",
    "bow-rect",
    "sl-rect",
    "doc",
    "docs",
    "lin-doc",
    "tag-doc",
    "flag",
    "flip-tri",
    "notch-rect",
];

/// Shapes that annotate: background.
const COMMENT: &[&str] = &["brace", "brace-r", "braces", "note"];

/// Every name Mermaid accepts, with the shape it draws: a legacy shape when it has a bracket form,
/// else its short name.
const NAMES: &[(&[&str], Shape)] = &[
    (&["rect", "proc", "process", "rectangle"], Shape::Rect),
    (&["rounded", "event"], Shape::Round),
    (&["stadium", "terminal", "pill"], Shape::Stadium),
    (
        &[
            "fr-rect",
            "subprocess",
            "subproc",
            "framed-rectangle",
            "subroutine",
        ],
        Shape::Subroutine,
    ),
    (&["cyl", "db", "database", "cylinder"], Shape::Cylinder),
    (
        &["circle", "circ", "sm-circ", "start", "small-circle"],
        Shape::Circle,
    ),
    (
        &[
            "dbl-circ",
            "double-circle",
            "doublecircle",
            "fr-circ",
            "stop",
            "framed-circle",
        ],
        Shape::DoubleCircle,
    ),
    (
        &["diam", "decision", "diamond", "question", "choice"],
        Shape::Rhombus,
    ),
    (&["hex", "hexagon", "prepare"], Shape::Hexagon),
    (
        &[
            "lean-r",
            "lean-right",
            "in-out",
            "lean-l",
            "lean-left",
            "out-in",
        ],
        Shape::Parallelogram,
    ),
    (
        &["trap-b", "priority", "trapezoid-bottom", "trapezoid"],
        Shape::Trapezoid,
    ),
    (
        &["trap-t", "manual", "trapezoid-top", "inv-trapezoid"],
        Shape::TrapezoidAlt,
    ),
    (&["odd"], Shape::Asymmetric),
    (&["datastore", "data-store"], Shape::Named("datastore")),
    (
        &["h-cyl", "das", "horizontal-cylinder"],
        Shape::Named("h-cyl"),
    ),
    (
        &["lin-cyl", "disk", "lined-cylinder"],
        Shape::Named("lin-cyl"),
    ),
    (
        &["win-pane", "internal-storage", "window-pane"],
        Shape::Named("win-pane"),
    ),
    (
        &["bow-rect", "stored-data", "bow-tie-rectangle"],
        Shape::Named("bow-rect"),
    ),
    (
        &["sl-rect", "manual-input", "sloped-rectangle"],
        Shape::Named("sl-rect"),
    ),
    (&["doc", "document"], Shape::Named("doc")),
    (
        &["docs", "documents", "st-doc", "stacked-document"],
        Shape::Named("docs"),
    ),
    (&["lin-doc", "lined-document"], Shape::Named("lin-doc")),
    (&["tag-doc", "tagged-document"], Shape::Named("tag-doc")),
    (&["flag", "paper-tape"], Shape::Named("flag")),
    (
        &["flip-tri", "manual-file", "flipped-triangle"],
        Shape::Named("flip-tri"),
    ),
    (
        &["notch-rect", "card", "notched-rectangle"],
        Shape::Named("notch-rect"),
    ),
    (&["brace", "comment", "brace-l"], Shape::Named("brace")),
    (&["brace-r"], Shape::Named("brace-r")),
    (&["braces"], Shape::Named("braces")),
    (&["note"], Shape::Named("note")),
    (&["bang"], Shape::Named("bang")),
    (&["cloud"], Shape::Named("cloud")),
    (&["hourglass", "collate"], Shape::Named("hourglass")),
    (
        &["bolt", "com-link", "lightning-bolt"],
        Shape::Named("bolt"),
    ),
    (
        &["curv-trap", "curved-trapezoid", "display"],
        Shape::Named("curv-trap"),
    ),
    (&["delay", "half-rounded-rectangle"], Shape::Named("delay")),
    (
        &[
            "div-rect",
            "div-proc",
            "divided-rectangle",
            "divided-process",
        ],
        Shape::Named("div-rect"),
    ),
    (&["tri", "extract", "triangle"], Shape::Named("tri")),
    (&["fork", "join"], Shape::Named("fork")),
    (
        &["f-circ", "junction", "filled-circle"],
        Shape::Named("f-circ"),
    ),
    (
        &[
            "lin-rect",
            "lin-proc",
            "lined-rectangle",
            "lined-process",
            "shaded-process",
        ],
        Shape::Named("lin-rect"),
    ),
    (
        &["notch-pent", "loop-limit", "notched-pentagon"],
        Shape::Named("notch-pent"),
    ),
    (
        &["st-rect", "procs", "processes", "stacked-rectangle"],
        Shape::Named("st-rect"),
    ),
    (
        &["cross-circ", "summary", "crossed-circle"],
        Shape::Named("cross-circ"),
    ),
    (
        &["tag-rect", "tag-proc", "tagged-rectangle", "tagged-process"],
        Shape::Named("tag-rect"),
    ),
    (&["text"], Shape::Named("text")),
    (&["state"], Shape::Named("state")),
    (&["icon"], Shape::Named("icon")),
    (&["anchor"], Shape::Named("anchor")),
];

/// The shape a `shape:` value names, or Mermaid's refusal.
pub(super) fn named(name: &str) -> Result<Shape, String> {
    let name = name.trim();
    if name != name.to_lowercase() || name.contains('_') {
        return Err(format!(
            "no such shape `{name}`: Mermaid shape names are lowercase, with `-` (see Mermaid's shape table)"
        ));
    }
    NAMES
        .iter()
        .find(|(names, _)| names.contains(&name))
        .map(|(_, shape)| *shape)
        .ok_or_else(|| {
            format!("no such shape `{name}` in Mermaid's shape table (such as `rect`, `diamond`, `cyl`, `doc`)")
        })
}

/// The callout a Mermaid 11 shape without a bracket form becomes.
pub(super) fn callout(short_name: &str) -> Option<&'static str> {
    if DATA.contains(&short_name) {
        Some("IMPORTANT")
    } else if COMMENT.contains(&short_name) {
        Some("NOTE")
    } else {
        None
    }
}
