//! One module per command. Commands return an exit code; only `main` exits.

pub mod build;
pub mod check;
pub mod completions;
pub mod import;
pub mod init;
pub mod key;
pub mod new;
pub mod publish;
pub mod schema;
pub mod serve;
pub mod stats;
pub mod verify;

/// Exit code for content problems.
pub const EXIT_PROBLEMS: u8 = 1;

pub use crate::pipeline::load_and_check;

pub use crate::diagnostics::print_to_stderr as print_report;
