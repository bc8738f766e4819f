//! Diagrams written in other formats, turned into Lifeboat diagrams.

pub mod drawio;
pub mod mermaid;
pub mod twine;
