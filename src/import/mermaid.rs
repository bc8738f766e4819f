//! Mermaid flowcharts.
