//! berth-archive (in progress).
