//! The faithful rate over tests/fixtures/mermaid-corpus.
