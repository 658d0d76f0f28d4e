//! berth-manifest (in progress).
