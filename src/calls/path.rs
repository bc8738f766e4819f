//! A call's path as one CSV cell: the steps joined by ` | `, each `Diagram › Step → answer`, the last
//! without `→ answer`.
//!
//! [`split`] reads a cell back into steps. Names holding a separator (` | `, ` › `, ` → `) make a
//! cell ambiguous; the split is then a guess, but always one that [`join`] turns back into the same
//! text, so a CSV export merged into a CSV file keeps its paths byte for byte.

use super::Step;

const STEPS: &str = " | ";
const IN_DIAGRAM: &str = " › ";
const ANSWER: &str = " → ";

/// The path as the CSV export writes it.
pub fn join(path: &[Step]) -> String {
    let mut out = String::new();
    for (i, step) in path.iter().enumerate() {
        if i > 0 {
            out.push_str(STEPS);
        }
        if !step.diagram.is_empty() {
            out.push_str(&step.diagram);
            out.push_str(IN_DIAGRAM);
        }
        out.push_str(&step.step);
        if let Some(answer) = &step.answer {
            out.push_str(ANSWER);
            out.push_str(answer);
        }
    }
    out
}

/// The steps of a CSV path cell. Every step but the last has an answer (after its last ` → `); the
/// diagram is what comes before a step's first ` › `.
pub fn split(text: &str) -> Vec<Step> {
    if text.is_empty() {
        return Vec::new();
    }
    let pieces: Vec<&str> = text.split(STEPS).collect();
    let last = pieces.len() - 1;
    pieces
        .into_iter()
        .enumerate()
        .map(|(i, piece)| {
            let (rest, answer) = match piece.rsplit_once(ANSWER) {
                Some((rest, answer)) if i < last => (rest, Some(answer.to_string())),
                _ => (piece, None),
            };
            let (diagram, step) = match rest.split_once(IN_DIAGRAM) {
                Some((diagram, step)) if !diagram.is_empty() => (diagram, step),
                _ => ("", rest),
            };
            Step {
                diagram: diagram.to_string(),
                step: step.to_string(),
                answer,
            }
        })
        .collect()
}
