//! Writing the output: the whole folder appears at once, or not at all; the manifest, the documents
//! beside the entry points, and the zip archive of the whole bundle.

pub mod archive;
pub mod cache;
pub mod documents;
pub mod manifest;
pub mod names;
pub mod notice;
pub mod output;
pub mod signing;
pub mod sink;
