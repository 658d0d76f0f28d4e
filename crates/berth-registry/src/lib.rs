//! berth-registry (in progress).
