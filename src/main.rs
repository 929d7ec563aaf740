//! The `arcadia` command line.
fn main() {}
