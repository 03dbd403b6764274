//! Project automation. Being written: see issue 2.
fn main() {}
