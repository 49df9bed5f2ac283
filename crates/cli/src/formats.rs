//! The file shapes the CLI reads and writes: [`bucket_admin_formats`], the library crate a Rust
//! migration script uses too (`bucket_admin::formats`). Re-exported here so the commands keep
//! their `formats::` paths.

pub use bucket_admin_formats::*;
