//! `bucket-admin-emulator`: run the COS + R2 emulator until Ctrl-C. Its flags are
//! [`bucket_admin_emulator::cli::EmulatorArgs`], the same as `bucket-admin emulator`'s.

use bucket_admin_emulator::cli::EmulatorArgs;
use clap::Parser;

/// Local emulator of the Tencent COS XML API and the Cloudflare R2 REST API.
#[derive(Debug, Parser)]
#[command(name = "bucket-admin-emulator", version)]
struct Cmd {
    #[command(flatten)]
    args: EmulatorArgs,
}

#[tokio::main]
async fn main() -> std::process::ExitCode {
    let cmd = Cmd::parse();
    match cmd.args.run().await {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e}");
            std::process::ExitCode::FAILURE
        }
    }
}
