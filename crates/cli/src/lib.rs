//! The `bucket-admin` command line, as a library so its logic is unit-testable.
//!
//! Layout: [`formats`] (CORS file shapes), [`url`] (target URLs), [`endpoint`] (buckets and
//! files behind one interface), [`diff`], [`copy`] (the planner), [`backup`] (saving what an overwrite replaces), [`bulk`] (mapping files,
//! concurrency, resumable state), [`targets`] (the only module that builds provider clients),
//! [`cli`] (clap definitions) and [`commands`] (handlers). Exit codes are in [`exit`].
#![deny(missing_docs)]

pub mod backup;
pub mod browser;
pub mod bulk;
pub mod cli;
pub mod commands;
pub mod copy;
pub mod diff;
pub mod endpoint;
pub mod estate;
pub mod exit;
pub mod formats;
pub mod output;
pub mod targets;
pub mod url;

#[cfg(any(test, feature = "bench"))]
#[doc(hidden)]
#[allow(missing_docs)]
pub mod fake;

/// Sets up logging on stderr: `RUST_LOG` if set, otherwise by `-v` count.
///
/// The HTTP stack's own crates are capped at `info` whatever is asked for: they do not promise
/// to redact credentials at trace level, and our provider crates already log each request
/// (without secrets) at debug.
pub fn init_logging(verbose: u8) {
    use tracing_subscriber::EnvFilter;
    let base = std::env::var("RUST_LOG").unwrap_or_else(|_| {
        match verbose {
            0 => "warn",
            1 => "info,bucket_admin_cli=debug,bucket_admin_cos=debug,bucket_admin_r2=debug",
            _ => "debug,bucket_admin_cli=trace,bucket_admin_cos=trace,bucket_admin_r2=trace",
        }
        .to_owned()
    });
    let directives = format!("{base},hyper=info,hyper_util=info,h2=info,rustls=info,reqwest=info");
    let filter = EnvFilter::try_new(&directives).unwrap_or_else(|_| EnvFilter::new("warn"));
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_target(verbose > 0)
        .try_init();
}
