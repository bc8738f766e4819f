//! draw.io cell styles (`rhombus;whiteSpace=wrap;html=1;`, `shape=cylinder3;…`) as the shapes the
//! Mermaid writer knows, so both importers give the same callouts: decision, data, document, end point.

use crate::import::mermaid::Shape;

/// A cell style read: its shape name (the first bare word or `shape=`), and its keys.
pub struct Style<'s> {
    pub shape: &'s str,
    raw: &'s str,
}

impl<'s> Style<'s> {
    pub fn parse(raw: &'s str) -> Self {
        let mut shape = "";
        for part in raw.split(';').map(str::trim) {
            match part.split_once('=') {
                Some(("shape", value)) => shape = value,
                None if shape.is_empty() && !part.is_empty() => shape = part,
                _ => {}
            }
        }
        Style { shape, raw }
    }

    /// The value of `key=` in the style.
    pub fn get(&self, key: &str) -> Option<&'s str> {
        self.raw
            .split(';')
            .filter_map(|p| p.trim().split_once('='))
            .find(|(k, _)| *k == key)
            .map(|(_, v)| v)
    }

    pub fn html(&self) -> bool {
        self.get("html") == Some("1")
    }

    /// A picture: not imported.
    pub fn is_image(&self) -> bool {
        self.shape == "image"
            || self.shape.starts_with("mxgraph.aws") && self.get("image").is_some()
    }

    /// Free text on the page (a title, a note).
    pub fn is_text(&self) -> bool {
        self.shape == "text"
    }

    /// What the shape means to an agent, as a Mermaid shape.
    pub fn meaning(&self) -> Shape {
        let name = self
            .shape
            .strip_prefix("mxgraph.flowchart.")
            .unwrap_or(self.shape);
        match name {
            "rhombus" | "decision" => Shape::Rhombus,
            "cylinder" | "cylinder3" | "datastore" | "database" | "stored_data" | "direct_data"
            | "sequential_data" | "internal_storage" => Shape::Cylinder,
            "parallelogram" | "data" => Shape::Parallelogram,
            "document" | "document2" | "multi-document" | "note" | "card" | "tape"
            | "paper_tape" | "punched_tape" | "manual_input" => Shape::Named("doc"),
            "ellipse" | "doubleEllipse" | "start_1" | "start_2" | "on-page_reference" => {
                Shape::Circle
            }
            "terminator" => Shape::Stadium,
            "hexagon" | "preparation" => Shape::Hexagon,
            "process" | "predefined_process" => Shape::Subroutine,
            _ if self.get("rounded") == Some("1") && self.get("arcSize").is_some() => Shape::Round,
            _ => Shape::Rect,
        }
    }
}
