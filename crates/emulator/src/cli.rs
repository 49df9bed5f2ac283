//! The emulator's command-line flags: one clap definition shared by the
//! `bucket-admin-emulator` binary and the `bucket-admin emulator` subcommand
//! (`#[command(flatten)]` it into another parser).

use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

use clap::Args;

use crate::{Emulator, EmulatorBuilder, FaultRule, Latency, RateLimit, ServerLimits};

fn parse_duration(s: &str) -> Result<Duration, String> {
    crate::faults::parse_duration(s)
}

fn parse_rate(s: &str) -> Result<f64, String> {
    let r: f64 = s
        .parse()
        .map_err(|_| format!("`{s}` is not a number between 0 and 1"))?;
    if (0.0..=1.0).contains(&r) {
        Ok(r)
    } else {
        Err(format!("{r} is not between 0 and 1"))
    }
}

/// Flags of R2's S3 endpoint. `Debug` never shows the secret.
#[derive(Clone, Args)]
pub struct R2S3Args {
    /// Address of R2's S3 endpoint (default: --bind's port + 1, or a free port with port 0).
    #[arg(long, env = "BUCKET_ADMIN_EMULATOR_R2_S3_BIND")]
    pub r2_s3_bind: Option<SocketAddr>,
    /// Access key id R2's S3 endpoint accepts (default: generated at start).
    #[arg(
        long,
        env = "BUCKET_ADMIN_EMULATOR_R2_S3_KEY_ID",
        requires = "r2_s3_secret",
        hide_env_values = true
    )]
    pub r2_s3_key_id: Option<String>,
    /// Secret access key R2's S3 endpoint accepts (default: generated at start).
    #[arg(
        long,
        env = "BUCKET_ADMIN_EMULATOR_R2_S3_SECRET",
        requires = "r2_s3_key_id",
        hide_env_values = true
    )]
    pub r2_s3_secret: Option<String>,
}

impl std::fmt::Debug for R2S3Args {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("R2S3Args")
            .field("r2_s3_bind", &self.r2_s3_bind)
            .field("r2_s3_key_id", &self.r2_s3_key_id)
            .field(
                "r2_s3_secret",
                &self.r2_s3_secret.as_ref().map(|_| "<redacted>"),
            )
            .finish()
    }
}

/// Flags of the COS + R2 emulator.
#[derive(Clone, Args)]
pub struct EmulatorArgs {
    /// Address to listen on (`127.0.0.1:0` picks a free port). A non-loopback address needs
    /// explicit credentials or --insecure.
    #[arg(
        long,
        default_value = "127.0.0.1:9000",
        env = "BUCKET_ADMIN_EMULATOR_BIND"
    )]
    pub bind: SocketAddr,
    /// Persist buckets in this directory (loaded again at the next start; locked while the
    /// emulator runs).
    #[arg(long, value_name = "DIR", env = "BUCKET_ADMIN_EMULATOR_DATA_DIR")]
    pub data_dir: Option<PathBuf>,
    /// COS SecretId to accept (default: generated at start).
    #[arg(
        long,
        env = "BUCKET_ADMIN_EMULATOR_COS_SECRET_ID",
        requires = "cos_secret_key",
        hide_env_values = true
    )]
    pub cos_secret_id: Option<String>,
    /// COS SecretKey to accept (default: generated at start).
    #[arg(
        long,
        env = "BUCKET_ADMIN_EMULATOR_COS_SECRET_KEY",
        requires = "cos_secret_id",
        hide_env_values = true
    )]
    pub cos_secret_key: Option<String>,
    /// COS APPID (bucket names end in `-<appid>`).
    #[arg(long, env = "BUCKET_ADMIN_EMULATOR_COS_APPID", default_value = crate::DEFAULT_COS_APPID)]
    pub cos_appid: String,
    /// R2 API token to accept (default: generated at start).
    #[arg(long, env = "BUCKET_ADMIN_EMULATOR_R2_TOKEN", hide_env_values = true)]
    pub r2_token: Option<String>,
    /// R2 account id (32 hex digits).
    #[arg(long, env = "BUCKET_ADMIN_EMULATOR_R2_ACCOUNT", default_value = crate::DEFAULT_R2_ACCOUNT_ID)]
    pub r2_account: String,
    /// R2's S3 endpoint (boxed: the flags struct stays small inside the CLI's command enum).
    #[command(flatten)]
    pub r2_s3: Box<R2S3Args>,
    /// Allow a non-loopback --bind with generated credentials (prints a warning).
    #[arg(long)]
    pub insecure: bool,
    /// Seed of the random faults (--error-rate, latency jitter): the same seed replays the
    /// same faults. Default: random, printed at start.
    #[arg(long, value_name = "N")]
    pub fault_seed: Option<u64>,
    /// A scripted fault, repeatable:
    /// `FAULT[:ARG][,api=cos|r2][,method=M|write][,path=TEXT][,times=N|always]`.
    /// FAULT is `slowdown`, `internal`, `429[:SECS]`, `429-date[:SECS]`, `reset`, `truncate`,
    /// `malformed`, `stall[:DUR]`, `skew`, `error-in-200`, `html`, `wrong-root`,
    /// `not-configured[:STATUS]`, `endless-pages` or `huge[:BYTES]`.
    /// Example: `slowdown,method=PUT,path=?cors,times=3`.
    #[arg(long = "fault", value_name = "RULE")]
    pub faults: Vec<FaultRule>,
    /// Latency added to every request: `20ms`, `20ms±5ms` (or `20ms+-5ms`), `15ms..25ms`.
    #[arg(long, value_name = "LATENCY")]
    pub latency: Option<Latency>,
    /// Latency added to every request, in milliseconds (same as `--latency Nms`).
    #[arg(long, value_name = "MS", conflicts_with = "latency", hide = true)]
    pub latency_ms: Option<u64>,
    /// Fraction (0.0..=1.0) of requests answered 503 SlowDown / 10043, drawn from the seed.
    #[arg(long, default_value_t = 0.0, value_parser = parse_rate)]
    pub error_rate: f64,
    /// Emulate Cloudflare's API rate limit: `MAX/WINDOW`, e.g. `1200/300` (1,200 requests per
    /// token in any sliding 300 s) answers 429 code 10058 with `retry-after` past it.
    #[arg(long, value_name = "MAX/WINDOW")]
    pub r2_rate_limit: Option<RateLimit>,
    /// Emulate COS's limit on bucket management: `MAX/WINDOW`, e.g. `50/1s` (COS documents
    /// 50 QPS per APPID for list, create and delete buckets); past it those answer 503
    /// `SlowDown`.
    #[arg(long, value_name = "MAX/WINDOW")]
    pub cos_rate_limit: Option<RateLimit>,
    /// Close a connection that has not sent a request's headers within this time (also the
    /// keep-alive idle timeout).
    #[arg(long, default_value = "10s", value_parser = parse_duration)]
    pub header_timeout: Duration,
    /// Close a connection whose request body pauses longer than this.
    #[arg(long, default_value = "10s", value_parser = parse_duration)]
    pub body_timeout: Duration,
    /// Connections served at once (more wait in the listen backlog).
    #[arg(long, default_value_t = 256, value_parser = clap::value_parser!(u32).range(1..))]
    pub max_connections: u32,
    /// Requests kept in the request log (the oldest are dropped). Only in-process users
    /// (`Emulator::requests`) read the log, so the command keeps none unless asked.
    #[arg(long, default_value_t = 0)]
    pub request_log_size: usize,
    /// Bytes of each authenticated request's body the log keeps.
    #[arg(long, default_value_t = 64 * 1024)]
    pub request_log_body_limit: usize,
    /// Bytes of object data kept across all buckets (objects live in memory, and in the state
    /// file under --data-dir); a put beyond it is refused.
    #[arg(
        long,
        default_value_t = 64 * 1024 * 1024,
        env = "BUCKET_ADMIN_EMULATOR_MAX_OBJECT_BYTES"
    )]
    pub max_object_bytes: usize,
}

impl std::fmt::Debug for EmulatorArgs {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // The secrets are shown by the builder's own (redacting) Debug.
        std::fmt::Debug::fmt(&self.to_builder(), f)
    }
}

impl EmulatorArgs {
    /// The builder these flags describe.
    pub fn to_builder(&self) -> EmulatorBuilder {
        let mut b = Emulator::builder()
            .bind(self.bind)
            .cos_appid(self.cos_appid.clone())
            .r2_account_id(self.r2_account.clone())
            .insecure(self.insecure)
            .error_rate(self.error_rate)
            .limits(crate::Limits {
                max_object_bytes: self.max_object_bytes,
                ..crate::Limits::default()
            })
            .server_limits(ServerLimits {
                header_timeout: self.header_timeout,
                body_timeout: self.body_timeout,
                max_connections: self.max_connections as usize,
                request_log_capacity: self.request_log_size,
                request_log_body_limit: self.request_log_body_limit,
            });
        if let Some(dir) = &self.data_dir {
            b = b.data_dir(dir.clone());
        }
        if let (Some(id), Some(key)) = (&self.cos_secret_id, &self.cos_secret_key) {
            b = b.cos_account(self.cos_appid.clone(), id.clone(), key.clone());
        }
        if let Some(token) = &self.r2_token {
            b = b.r2_account(self.r2_account.clone(), token.clone());
        }
        if let (Some(id), Some(secret)) = (&self.r2_s3.r2_s3_key_id, &self.r2_s3.r2_s3_secret) {
            b = b.r2_s3_keys(id.clone(), secret.clone());
        }
        if let Some(addr) = self.r2_s3.r2_s3_bind {
            b = b.r2_s3_bind(addr);
        }
        if let Some(seed) = self.fault_seed {
            b = b.fault_seed(seed);
        }
        for rule in &self.faults {
            b = b.fault(rule.clone());
        }
        if let Some(latency) = self.latency {
            b = b.latency(latency);
        } else if let Some(ms) = self.latency_ms.filter(|ms| *ms > 0) {
            b = b.latency(Latency::Fixed(Duration::from_millis(ms)));
        }
        if let Some(limit) = self.r2_rate_limit {
            b = b.r2_rate_limit(limit);
        }
        if let Some(limit) = self.cos_rate_limit {
            b = b.cos_rate_limit(limit);
        }
        b
    }

    /// Start the emulator these flags describe, print its connection details and serve until
    /// Ctrl-C.
    pub async fn run(&self) -> Result<(), crate::EmulatorError> {
        crate::serve_until_ctrl_c(self.to_builder()).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::Parser;

    #[derive(Debug, Parser)]
    struct Cmd {
        #[command(flatten)]
        args: EmulatorArgs,
    }

    #[test]
    fn every_flag_reaches_the_builder_and_secrets_stay_out_of_debug() {
        let cmd = Cmd::try_parse_from([
            "emu",
            "--bind",
            "127.0.0.1:0",
            "--cos-secret-id",
            "AKIDgivenSecretId",
            "--cos-secret-key",
            "givenSecretKeyValue",
            "--r2-token",
            "givenR2TokenValue",
            "--fault-seed",
            "9",
            "--fault",
            "slowdown,method=PUT,path=?cors,times=3",
            "--fault",
            "429:2,api=r2,method=write,times=always",
            "--latency",
            "20ms±5ms",
            "--r2-rate-limit",
            "1200/300",
            "--header-timeout",
            "2s",
            "--max-connections",
            "10",
        ])
        .unwrap();
        let a = &cmd.args;
        assert_eq!(a.faults.len(), 2);
        assert_eq!(a.faults[0].times, 3);
        assert_eq!(a.r2_rate_limit, Some(RateLimit::CLOUDFLARE));
        assert_eq!(a.header_timeout, Duration::from_secs(2));
        let debug = format!("{cmd:?}");
        for secret in [
            "givenSecretKeyValue",
            "givenR2TokenValue",
            "AKIDgivenSecretId",
        ] {
            assert!(!debug.contains(secret), "{secret} in {debug}");
        }
        assert!(debug.contains("fault_seed: Some(9)"), "{debug}");
    }

    #[test]
    fn bad_flags_are_refused_with_the_reason() {
        let e = Cmd::try_parse_from(["emu", "--fault", "explode"])
            .unwrap_err()
            .to_string();
        assert!(e.contains("unknown fault `explode`"), "{e}");
        let e = Cmd::try_parse_from(["emu", "--r2-rate-limit", "0/300"])
            .unwrap_err()
            .to_string();
        assert!(e.contains("positive"), "{e}");
        let e = Cmd::try_parse_from(["emu", "--cos-secret-id", "x"])
            .unwrap_err()
            .to_string();
        assert!(e.contains("--cos-secret-key"), "{e}");
        assert!(Cmd::try_parse_from(["emu", "--error-rate", "2"]).is_err());
    }
}
