//! Peak memory of a CLI bulk copy as the number of pairs grows (issue 16: "bulk memory
//! flat"). Each size runs in a child process of its own, since a process's peak RSS
//! (`VmHWM`) only ever grows; the backend is the in-memory fake, so the figure is the
//! engine's: the mapping file read as a stream, pairs pulled as slots free up, reports
//! streamed to a spool file and the summary counters.
//!
//! The streamed run also prints the results table as the CLI does: measured in a first pass
//! over the spooled rows and laid out by comfy-table in chunks in a second
//! ([`bucket_admin_cli::output::StreamTable`]), written to a sink.
//!
//! `cargo bench -p bucket-admin-cli --features bench --bench bulk_rss` (Linux: reads
//! `/proc/self/status`). `-- --pairs N [--collect]` runs one size; `--collect` keeps every
//! report in memory, as `bulk::run` does, for comparison.

use std::io::Write;
use std::process::Command;
use std::sync::Arc;
use std::time::{Duration, Instant};

use bucket_admin_cli::bulk::{self, BulkOptions, EndpointFactory, Progress, StateFile, Summary};
use bucket_admin_cli::copy::{CopyOptions, CopyReport};
use bucket_admin_cli::endpoint::{Cors, Endpoint};
use bucket_admin_cli::exit::CliError;
use bucket_admin_cli::fake::FakeAdmin;
use bucket_admin_cli::output::StreamTable;
use bucket_admin_cli::url::UrlDefaults;
use bucket_admin_core::{CorsConfiguration, CorsMethod, CorsRule, Provider};

struct Fakes {
    cos: Arc<FakeAdmin>,
    r2: Arc<FakeAdmin>,
}

impl EndpointFactory for Fakes {
    fn endpoint(&self, url: &str) -> Result<Endpoint, CliError> {
        let (admin, bucket) = if let Some(b) = url.strip_prefix("cos://") {
            (self.cos.clone(), b)
        } else if let Some(b) = url.strip_prefix("r2://") {
            (self.r2.clone(), b)
        } else {
            return Err(CliError::usage(format!("bad url {url}")));
        };
        Ok(Endpoint::Bucket {
            admin,
            bucket: bucket.to_owned(),
            url: url.to_owned(),
        })
    }
}

struct Quiet;
impl Progress for Quiet {
    fn finished(&self, _r: &CopyReport, _done: usize, _total: usize) {}
}

fn peak_rss_kib() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmHWM:"))
                .and_then(|l| l.split_whitespace().nth(1))
                .and_then(|v| v.parse().ok())
        })
        .unwrap_or(0)
}

fn one(pairs: usize, collect: bool) {
    let dir = tempfile::tempdir().unwrap();
    let mapping = dir.path().join("map.csv");
    {
        let mut f = std::io::BufWriter::new(std::fs::File::create(&mapping).unwrap());
        for i in 0..pairs {
            writeln!(f, "cos://bucket-{i}-1250000000,r2://bucket-{i:06}").unwrap();
        }
    }
    let cors = CorsConfiguration::new(vec![
        CorsRule::new(
            ["https://app.example.com"],
            [CorsMethod::Get, CorsMethod::Put],
        )
        .with_max_age_seconds(600),
    ]);
    let factory: Arc<dyn EndpointFactory> = Arc::new(Fakes {
        cos: Arc::new(FakeAdmin::uniform(Provider::Cos, cors.clone())),
        r2: Arc::new(FakeAdmin::uniform(Provider::R2, cors)),
    });
    let opts = BulkOptions {
        copy: CopyOptions {
            allow_lossy: false,
            // Nothing to record: the state file's fsync per pair would time the disk.
            dry_run: true,
            backup_dir: None,
        },
        concurrency: 64,
        pair_timeout: Duration::from_secs(60),
    };
    let state = Arc::new(StateFile::fresh(&dir.path().join("state.jsonl")));
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    let started = Instant::now();
    let total = rt.block_on(async {
        if collect {
            let text = std::fs::read_to_string(&mapping).unwrap();
            let list = bulk::parse_mapping_with(&text, &UrlDefaults::default()).unwrap();
            let reports = bulk::run::<Cors>(list, factory, state, opts, Arc::new(Quiet)).await;
            reports.len()
        } else {
            let file = bulk::MappingFile::open(&mapping, &UrlDefaults::default()).unwrap();
            let mut spool = std::io::BufWriter::new(tempfile::tempfile().unwrap());
            let mut rows = std::io::BufWriter::new(tempfile::tempfile().unwrap());
            let mut summary = Summary::default();
            bulk::run_each::<Cors>(
                file.pairs().unwrap(),
                file.len,
                factory,
                state,
                opts,
                Arc::new(Quiet),
                |r| {
                    summary.add(&r);
                    writeln!(spool, "{}", serde_json::to_string(&r).unwrap()).unwrap();
                    let row = [
                        r.source,
                        r.target,
                        r.outcome.label().to_owned(),
                        String::new(),
                    ];
                    writeln!(rows, "{}", serde_json::to_string(&row).unwrap()).unwrap();
                },
            )
            .await;
            print_table(rows.into_inner().unwrap());
            summary.total
        }
    });
    assert_eq!(total, pairs);
    println!(
        "{pairs} {} {} {:.2}",
        if collect { "collect" } else { "stream" },
        peak_rss_kib(),
        started.elapsed().as_secs_f64()
    );
}

/// The CLI's two-pass table over a spool of rows, written to a sink.
fn print_table(mut file: std::fs::File) {
    use std::io::{BufRead, Seek};
    let mut read = || {
        file.rewind().unwrap();
        std::io::BufReader::new(file.try_clone().unwrap())
            .lines()
            .map(|l| serde_json::from_str::<[String; 4]>(&l.unwrap()).unwrap())
    };
    let mut table = StreamTable::new(["source", "target", "result", "detail"]);
    table.measure(read());
    let mut out = std::io::BufWriter::new(std::io::sink());
    table.write(read(), &mut out).unwrap();
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    if let Some(i) = args.iter().position(|a| a == "--pairs") {
        let n = args[i + 1].parse().expect("--pairs N");
        one(n, args.iter().any(|a| a == "--collect"));
        return;
    }
    let me = std::env::current_exe().unwrap();
    println!("| pairs | mode | peak RSS (MiB) | wall (s) |");
    println!("| ---: | --- | ---: | ---: |");
    for (n, collect) in [
        (100, false),
        (1_000, false),
        (100_000, false),
        (1_000, true),
        (100_000, true),
    ] {
        let mut cmd = Command::new(&me);
        cmd.args(["--pairs", &n.to_string()]);
        if collect {
            cmd.arg("--collect");
        }
        let out = cmd.output().expect("run a size");
        let line = String::from_utf8_lossy(&out.stdout);
        let f: Vec<&str> = line.split_whitespace().collect();
        let [pairs, mode, kib, wall] = f.as_slice() else {
            panic!("child failed: {}", String::from_utf8_lossy(&out.stderr));
        };
        let mib = kib.parse::<f64>().unwrap_or(0.0) / 1024.0;
        println!("| {pairs} | {mode} | {mib:.1} | {wall} |");
    }
}
