//! Writing the output: the whole folder appears at once, or not at all.

pub mod output;
