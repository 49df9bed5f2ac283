//! Running the real `bucket-admin` binary from the end-to-end tests: with exactly the
//! environment a test gives it, never the test runner's own credentials or `RUST_LOG`.
// Each test binary includes this module and uses only part of it.
#![allow(dead_code)]

use std::path::Path;

use bucket_admin_emulator::Emulator;

/// The binary under test.
pub const BIN: &str = env!("CARGO_BIN_EXE_bucket-admin");

/// One run of the binary: its exit code and output.
pub struct Run {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

impl Run {
    /// Standard output parsed as JSON; panics with the whole run when it is not.
    pub fn json(&self) -> serde_json::Value {
        serde_json::from_str(&self.stdout)
            .unwrap_or_else(|e| panic!("stdout is not JSON ({e}):\n{self:?}"))
    }
}

impl std::fmt::Debug for Run {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "exit {}\n--- stdout\n{}\n--- stderr\n{}",
            self.code, self.stdout, self.stderr
        )
    }
}

/// Runs the binary in `dir` with exactly `env` (plus `PATH`) and no stdin.
pub async fn run_in(dir: &Path, env: &[(String, String)], args: &[&str]) -> Run {
    let (dir, env) = (dir.to_owned(), env.to_owned());
    let args: Vec<String> = args.iter().map(|s| s.to_string()).collect();
    // Blocking wait on a worker thread, so an in-process emulator keeps serving on the runtime.
    let out = tokio::task::spawn_blocking(move || {
        std::process::Command::new(BIN)
            .args(&args)
            .current_dir(dir)
            .env_clear()
            .env("PATH", std::env::var("PATH").unwrap_or_default())
            .envs(env)
            .stdin(std::process::Stdio::null())
            .output()
            .expect("run bucket-admin")
    })
    .await
    .unwrap();
    Run {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

/// The variables a user exports after `bucket-admin emulator`: COS and R2 pointed at `emu`.
pub fn emulator_env(emu: &Emulator) -> Vec<(String, String)> {
    let (c, r) = (emu.cos_credentials(), emu.r2_credentials());
    vec![
        ("COS_SECRET_ID".into(), c.secret_id.clone()),
        ("COS_SECRET_KEY".into(), c.secret_key.clone()),
        ("COS_REGION".into(), c.region.clone()),
        ("COS_ENDPOINT".into(), emu.cos_endpoint()),
        ("CLOUDFLARE_API_TOKEN".into(), r.api_token.clone()),
        ("CLOUDFLARE_ACCOUNT_ID".into(), r.account_id.clone()),
        ("CLOUDFLARE_BASE_URL".into(), emu.r2_base_url()),
    ]
}
