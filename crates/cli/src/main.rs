//! `bucket-admin`: see `bucket-admin --help` and the crate README.

use std::process::ExitCode;

use bucket_admin_cli::cli::Cli;
use clap::Parser;

fn main() -> ExitCode {
    let cli = Cli::parse();
    bucket_admin_cli::init_logging(cli.global.verbose);
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("error: cannot start the async runtime: {e}");
            return ExitCode::from(1);
        }
    };
    let exit = runtime.block_on(bucket_admin_cli::commands::run(cli));
    ExitCode::from(exit.code())
}
