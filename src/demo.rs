//! Deterministic synthetic upstream data: to be written.
