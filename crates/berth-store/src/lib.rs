//! berth-store (in progress).
