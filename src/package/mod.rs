//! Writing the output: the whole folder appears at once, or not at all.

pub mod manifest;
pub mod output;
