//! Lifeboat: content folder -> self-contained offline HTML bundles of procedures.
//!
//! The pipeline, one module per stage: [`content`] loads the folder into a typed model, [`check`] relates
//! its parts and reports every problem, [`render`] turns the model into a view model and HTML, [`inline`]
//! assembles each self-contained file, and [`package`] writes the output. [`pipeline`] is the front of it
//! that every command building or comparing a bundle shares.

pub mod access;
pub mod bundle;
pub mod calls;
pub mod changes;
pub mod check;
pub mod content;
pub mod diagnostics;
pub mod encode;
#[doc(hidden)]
pub mod harness;
pub mod import;
pub mod inline;
pub mod key;
pub mod package;
pub mod pipeline;
pub mod progress;
pub mod publish;
pub mod render;
pub mod sanitize;
pub mod scaffold;
pub mod serve;

pub mod snapshot;
pub mod stats;
pub mod theme;
pub mod timings;
pub mod verify;
