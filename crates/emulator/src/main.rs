//! `bucket-admin-emulator`: run the COS + R2 emulator until Ctrl-C.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

use bucket_admin_emulator::{Emulator, Latency};
use clap::Parser;

/// Local emulator of the Tencent COS XML API and the Cloudflare R2 REST API.
#[derive(Debug, Parser)]
#[command(name = "bucket-admin-emulator", version)]
struct Args {
    /// Address to listen on.
    #[arg(long, default_value = "127.0.0.1:9000")]
    bind: SocketAddr,
    /// Persist buckets as JSON in this directory (loaded again at the next start).
    #[arg(long)]
    data_dir: Option<PathBuf>,
    /// Latency added to every request, in milliseconds.
    #[arg(long, default_value_t = 0)]
    latency_ms: u64,
    /// Fraction (0.0..=1.0) of requests answered 503 SlowDown / 10043.
    #[arg(long, default_value_t = 0.0)]
    error_rate: f64,
}

#[tokio::main]
async fn main() -> std::process::ExitCode {
    let args = Args::parse();
    let mut builder = Emulator::builder().bind(args.bind);
    if let Some(dir) = args.data_dir {
        builder = builder.data_dir(dir);
    }
    let latency = args.latency_ms;
    let error_rate = args.error_rate;
    let result = bucket_admin_emulator::serve_with(builder, move |emu| {
        if latency > 0 {
            emu.faults()
                .set_latency(Latency::Fixed(Duration::from_millis(latency)));
        }
        if error_rate > 0.0 {
            emu.faults().set_error_rate(error_rate, fastrand::u64(..));
        }
    })
    .await;
    match result {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e}");
            std::process::ExitCode::FAILURE
        }
    }
}
