//! Real-runtime tests (filled in below).

fn main() {}
