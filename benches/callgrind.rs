//! Counting a child process's instructions with valgrind's callgrind, shared by the
//! `instructions` and `e2e` benches.

use std::process::Command;

/// Whether valgrind can be run at all.
pub fn available() -> bool {
    Command::new("valgrind").arg("--version").output().is_ok()
}

/// The instructions callgrind counts for `program` (run with `configure`'s arguments and
/// environment), keeping the profile in `out_file` (`/dev/null` to drop it); `None` when
/// valgrind fails or says nothing.
pub fn instructions(
    program: &std::path::Path,
    out_file: &str,
    configure: impl FnOnce(&mut Command) -> &mut Command,
) -> Option<u64> {
    let mut command = Command::new("valgrind");
    command
        .arg("--tool=callgrind")
        .arg(format!("--callgrind-out-file={out_file}"))
        .arg(program);
    let out = configure(&mut command).output().ok()?;
    // `==123== Collected : 4567890`
    String::from_utf8_lossy(&out.stderr)
        .lines()
        .find_map(|l| l.split("Collected :").nth(1))
        .and_then(|n| n.trim().parse().ok())
}
