//! End-to-end benchmarks against the emulator, printed as Markdown tables:
//!
//! 1. client overhead: `get_cors` in a keep-alive loop versus a raw `reqwest` loop sending the
//!    identical pre-built request (same URL, headers and signature) to the same emulator in the
//!    same run: the floor;
//! 2. bulk scaling: copy CORS for many bucket pairs with 20 ms injected latency at several
//!    concurrencies, against the ideal (requests x latency / concurrency);
//! 3. memory as the bucket count grows (100, 1,000, 10,000 pairs);
//! 4. the R2 JSON codec on 100 CORS rules (encode + decode) against `serde_json`'s own
//!    untyped round trip of the same document;
//! 5. R2 pacing: a bulk of `get_cors` calls through the client's [`Pacing`] against the
//!    emulator's sliding-window rate limit, both scaled from Cloudflare's 1,200 requests /
//!    5 min to 1,200 / 30 s (same count and burst, a clock ten times faster): achieved rate as
//!    a share of the cap, and the 429s;
//! 6. client CPU per call against the official Python SDKs (`qcloud_cos`, `cloudflare`): the
//!    same "get the bucket's CORS" keep-alive loop, driven by `tools/sdk/bench_cpu.py` in a
//!    Python child process, interleaved round by round with the library's loop against the
//!    same emulator. Skipped, with a line saying why, when Python or an SDK is missing; the
//!    interpreter is `$BUCKET_ADMIN_SDK_PYTHON`, else `python3`.
//!
//! The emulator runs in a child process (this binary, re-executed with
//! `BUCKET_ADMIN_E2E_CHILD=1`), so the measured process holds only the client: its peak RSS
//! is the client's, and the server does not compete with it for the same runtime.
//!
//! `cargo bench --bench e2e` (add `-- --quick` for a shorter run, `-- --only overhead` for one
//! section: codec, overhead, pacing, bulk or sdk). Ratios are compared within
//! one run; absolute numbers depend on the machine. Results: `docs/benchmarks.md`.

use std::io::{BufRead, BufReader, Write};
use std::process::{Child, ChildStdin, ChildStdout, Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

use bucket_admin::cos::CosClient;
use bucket_admin::cos::sign::{KeyTime, sign};
use bucket_admin::r2::{Pacing, R2Client};
use bucket_admin::{
    BucketAdmin, CorsConfiguration, CorsMethod, CorsRule, CreateBucketOptions, RetryPolicy,
};
use bucket_admin_emulator::{Emulator, Latency, Limits, RateLimit};
use tokio::sync::Semaphore;

#[path = "callgrind.rs"]
mod callgrind;

const CHILD_ENV: &str = "BUCKET_ADMIN_E2E_CHILD";
const LATENCY: Duration = Duration::from_millis(20);
/// The R2 bucket of the overhead and SDK sections.
const R2_BUCKET: &str = "bench";

fn cors() -> CorsConfiguration {
    CorsConfiguration::new(vec![
        CorsRule::new(["https://example.com"], CorsMethod::ALL)
            .with_allowed_headers(["content-type", "x-cos-meta-*"])
            .with_expose_headers(["ETag"])
            .with_max_age_seconds(600),
    ])
}

/// What the child tells the parent: where it listens and which credentials it accepts.
struct Server {
    /// The emulator child; `None` in a process that only talks to another's.
    child: Option<Child>,
    /// The child's `READY ...` line, which [`Server::from_ready`] reads back.
    ready: String,
    cos_endpoint: String,
    r2_base_url: String,
    appid: String,
    secret_id: String,
    secret_key: String,
    region: String,
    account_id: String,
    token: String,
}

impl Server {
    /// Starts an emulator child with `pairs` R2 bucket pairs (`src-i` with CORS, `dst-i`) and
    /// `latency_ms` of latency on every request once set up.
    fn spawn(pairs: usize, latency_ms: u64) -> Server {
        let mut child = Command::new(std::env::current_exe().expect("current exe"))
            .env(CHILD_ENV, format!("{pairs} {latency_ms}"))
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .spawn()
            .expect("spawn the emulator child");
        let stdout = child.stdout.take().expect("stdout");
        let mut line = String::new();
        BufReader::new(stdout)
            .read_line(&mut line)
            .expect("child READY line");
        let mut server = Server::from_ready(&line);
        server.child = Some(child);
        server
    }

    /// The server a `READY <cos endpoint> <r2 base URL> <appid> <secret id> <secret key>
    /// <region> <account id> <token>` line describes.
    fn from_ready(line: &str) -> Server {
        let f: Vec<String> = line.split_whitespace().map(str::to_owned).collect();
        assert!(
            f.len() == 9 && f[0] == "READY",
            "the emulator child said {line:?}"
        );
        Server {
            child: None,
            ready: line.trim().to_owned(),
            cos_endpoint: f[1].clone(),
            r2_base_url: f[2].clone(),
            appid: f[3].clone(),
            secret_id: f[4].clone(),
            secret_key: f[5].clone(),
            region: f[6].clone(),
            account_id: f[7].clone(),
            token: f[8].clone(),
        }
    }

    fn cos(&self) -> CosClient {
        CosClient::builder()
            .region(self.region.clone())
            .secret_id(self.secret_id.clone())
            .secret_key(self.secret_key.clone())
            .endpoint(self.cos_endpoint.clone())
            .allow_http(true)
            .retry_policy(RetryPolicy::disabled())
            .build()
            .expect("cos client")
    }

    fn r2(&self) -> R2Client {
        R2Client::builder()
            .account_id(self.account_id.clone())
            .api_token(self.token.clone())
            .base_url(self.r2_base_url.clone())
            .allow_http(true)
            .pacing(None)
            .retry_policy(RetryPolicy::disabled())
            .build()
            .expect("r2 client")
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        if let Some(child) = &mut self.child {
            // Closing stdin tells the child to exit.
            drop(child.stdin.take());
            let _ = child.wait();
        }
    }
}

/// The child: an emulator with the requested bucket pairs, serving until stdin closes.
fn run_child(spec: &str) {
    let mut parts = spec
        .split_whitespace()
        .map(|n| n.parse::<u64>().unwrap_or(0));
    let pairs = parts.next().unwrap_or(0) as usize;
    let latency_ms = parts.next().unwrap_or(0);
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("runtime");
    rt.block_on(async {
        let emulator = Emulator::builder()
            .limits(Limits {
                r2_max_buckets: 2 * pairs + 10,
                ..Limits::default()
            })
            .start()
            .await
            .expect("emulator");
        let c = emulator.r2_credentials().clone();
        let admin = R2Client::builder()
            .account_id(c.account_id.clone())
            .api_token(c.api_token.clone())
            .base_url(emulator.r2_base_url())
            .allow_http(true)
            .pacing(None)
            .build()
            .expect("setup client");
        let cfg = cors();
        for i in 0..pairs {
            admin
                .create_bucket(&format!("src-{i}"), &CreateBucketOptions::default())
                .await
                .expect("create src");
            admin
                .put_cors(&format!("src-{i}"), &cfg)
                .await
                .expect("put");
            admin
                .create_bucket(&format!("dst-{i}"), &CreateBucketOptions::default())
                .await
                .expect("create dst");
        }
        emulator.clear_requests();
        if latency_ms > 0 {
            emulator
                .faults()
                .set_latency(Latency::Fixed(Duration::from_millis(latency_ms)));
        }
        let cos = emulator.cos_credentials().clone();
        println!(
            "READY {} {} {} {} {} {} {} {}",
            emulator.cos_endpoint(),
            emulator.r2_base_url(),
            cos.appid,
            cos.secret_id,
            cos.secret_key,
            cos.region,
            c.account_id,
            c.api_token
        );
        std::io::stdout().flush().expect("flush");
        // Serve until the parent closes our stdin.
        tokio::task::spawn_blocking(|| {
            let mut sink = String::new();
            while std::io::stdin().read_line(&mut sink).unwrap_or(0) > 0 {}
        })
        .await
        .expect("stdin watcher");
        // Requests are recorded by the emulator; drop them before exiting.
        emulator.clear_requests();
    });
}

/// Peak resident set size of this process, in MiB (Linux `VmHWM`).
fn peak_rss_mib() -> f64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmHWM:"))
                .and_then(|l| l.split_whitespace().nth(1))
                .and_then(|kb| kb.parse::<f64>().ok())
        })
        .map_or(f64::NAN, |kb| kb / 1024.0)
}

/// CPU time used so far by every live thread of this process, in nanoseconds (the sum of
/// `/proc/self/task/*/schedstat`). Unlike wall time it barely moves when other processes
/// compete for the cores, so it is the steadier measure of the client's own cost.
fn process_cpu_ns() -> u64 {
    let Ok(tasks) = std::fs::read_dir("/proc/self/task") else {
        return 0;
    };
    tasks
        .filter_map(|t| t.ok())
        .filter_map(|t| std::fs::read_to_string(t.path().join("schedstat")).ok())
        .filter_map(|s| s.split_whitespace().next()?.parse::<u64>().ok())
        .sum()
}

/// Calls per second of `f` over `n` calls, and this process's CPU microseconds per call.
async fn rate<F, Fut>(n: usize, mut f: F) -> (f64, f64)
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = ()>,
{
    let cpu = process_cpu_ns();
    let start = Instant::now();
    for _ in 0..n {
        f().await;
    }
    let per_sec = n as f64 / start.elapsed().as_secs_f64();
    let cpu_us = process_cpu_ns().saturating_sub(cpu) as f64 / 1e3 / n as f64;
    (per_sec, cpu_us)
}

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(|a, b| a.total_cmp(b));
    v[v.len() / 2]
}

/// One loop's medians: the library, the raw floor, and the floor plus decoding the body with
/// the provider's codec (work the library must do on top of the floor).
struct Rates {
    library: f64,
    floor: f64,
    floor_and_decode: f64,
    /// Client CPU µs per call: library, floor.
    library_cpu: f64,
    floor_cpu: f64,
    /// Client CPU µs per call of the floor sent through a `reqwest::Client` configured as the
    /// library configures its own (its three timeouts, no redirects): what reqwest's timers
    /// cost, apart from the library's code.
    timed_floor_cpu: f64,
    /// Library CPU / timed-floor CPU of each round, the two loops run back to back: a slow
    /// spell of the shared machine lands on both sides of one ratio, where the ratio of the
    /// medians can pair a slow library round with a fast floor round.
    paired: Vec<f64>,
}

/// Alternates rounds of the library loop and the raw loops; returns the medians.
#[allow(clippy::too_many_arguments)]
async fn compare(
    admin: &dyn BucketAdmin,
    bucket: &str,
    raw: &reqwest::Client,
    timed_raw: &reqwest::Client,
    request: &reqwest::Request,
    decode: fn(&[u8]),
    n: usize,
    rounds: usize,
) -> Rates {
    admin.get_cors(bucket).await.expect("warm-up");
    let raw_loop = |with_decode: bool, timed: bool| {
        let raw = if timed { timed_raw } else { raw };
        rate(n, move || {
            let req = request.try_clone().expect("clone");
            async move {
                let resp = raw.execute(req).await.expect("raw");
                assert!(resp.status().is_success(), "{}", resp.status());
                let body = resp.bytes().await.expect("body");
                if with_decode {
                    decode(&body);
                }
            }
        })
    };
    let (mut lib, mut floor, mut decoded) = (Vec::new(), Vec::new(), Vec::new());
    let (mut lib_cpu, mut floor_cpu, mut timed_cpu) = (Vec::new(), Vec::new(), Vec::new());
    let library_loop = || {
        rate(n, || async {
            admin.get_cors(bucket).await.expect("get_cors");
        })
    };
    let mut paired = Vec::new();
    for round in 0..rounds {
        // Every other round runs in the opposite order, so a drift of the machine's speed
        // during a round does not always favour the same side; the library and the timed
        // floor stay next to each other.
        let library_first = round % 2 == 1;
        let mut library = None;
        if library_first {
            library = Some(library_loop().await);
        }
        let timed = raw_loop(false, true).await.1;
        if !library_first {
            library = Some(library_loop().await);
        }
        let (r, c) = library.expect("the library loop ran");
        lib.push(r);
        lib_cpu.push(c);
        timed_cpu.push(timed);
        paired.push(c / timed);
        let (r, c) = raw_loop(false, false).await;
        floor.push(r);
        floor_cpu.push(c);
        decoded.push(raw_loop(true, false).await.0);
    }
    Rates {
        library: median(lib),
        floor: median(floor),
        floor_and_decode: median(decoded),
        library_cpu: median(lib_cpu),
        floor_cpu: median(floor_cpu),
        timed_floor_cpu: median(timed_cpu),
        paired,
    }
}

/// One overhead comparison: label, client, bucket, the floor's request, the body decoder.
type Case<'a> = (
    &'a str,
    &'a dyn BucketAdmin,
    &'a str,
    &'a reqwest::Request,
    fn(&[u8]),
);

fn decode_cos(body: &[u8]) {
    let text = std::str::from_utf8(body).expect("utf-8");
    bucket_admin::cos::codec::decode_cors(text).expect("COS CORS XML");
}

fn decode_r2(body: &[u8]) {
    let envelope: serde_json::Value = serde_json::from_slice(body).expect("envelope");
    let result = serde_json::to_string(&envelope["result"]).expect("result");
    bucket_admin::r2::codec::decode_cors(&result).expect("R2 CORS JSON");
}

/// The overhead and SDK sections' buckets, each with [`cors`] set: `bench-<appid>` on COS,
/// `bench` on R2 (its name is [`R2_BUCKET`]). Returns the two clients and the COS bucket name.
async fn bench_buckets(server: &Server) -> (CosClient, R2Client, String) {
    let cos = server.cos();
    let r2 = server.r2();
    let bucket = format!("bench-{}", server.appid);
    cos.create_bucket(&bucket, &CreateBucketOptions::default())
        .await
        .expect("create");
    cos.put_cors(&bucket, &cors()).await.expect("put");
    r2.create_bucket(R2_BUCKET, &CreateBucketOptions::default())
        .await
        .expect("create");
    r2.put_cors(R2_BUCKET, &cors()).await.expect("put");
    (cos, r2, bucket)
}

/// A `reqwest::Client` configured as the library configures its own (its three timeouts, no
/// redirects), without the library.
fn timed_client() -> reqwest::Client {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .timeout(bucket_admin::cos::DEFAULT_TIMEOUT)
        .connect_timeout(bucket_admin::cos::DEFAULT_CONNECT_TIMEOUT)
        .read_timeout(bucket_admin::cos::DEFAULT_READ_TIMEOUT)
        .build()
        .expect("timed client")
}

/// The requests the floor replays: what the library sends for `get_cors` on COS and R2, the
/// COS one signed once with the public signer for a window that covers the run (the floor
/// pays no signing).
fn floor_requests(
    server: &Server,
    cos: &CosClient,
    bucket: &str,
    raw: &reqwest::Client,
) -> (reqwest::Request, reqwest::Request) {
    let host = cos.bucket_host(bucket);
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .expect("clock")
        .as_secs() as i64;
    let sig = sign(
        &server.secret_id,
        &server.secret_key,
        "GET",
        "/",
        &[("cors", "")],
        &[("Host", host.as_str())],
        KeyTime::new(now - 60, now + 3600),
    );
    let cos_request = raw
        .get(format!("{}/?cors", server.cos_endpoint))
        .header("Host", &host)
        .header("Authorization", sig.authorization())
        .build()
        .expect("cos request");
    let r2_request = raw
        .get(format!(
            "{}/accounts/{}/r2/buckets/{R2_BUCKET}/cors",
            server.r2_base_url, server.account_id
        ))
        .bearer_auth(&server.token)
        .build()
        .expect("r2 request");
    (cos_request, r2_request)
}

async fn overhead(quick: bool) {
    println!("\n## Client overhead (keep-alive loop against the emulator)\n");
    let (n, rounds) = if quick { (300, 3) } else { (1500, 15) };
    let server = Server::spawn(0, 0);
    let (cos, r2, bucket) = bench_buckets(&server).await;

    let raw = reqwest::Client::new();
    let timed_raw = timed_client();
    let (cos_request, r2_request) = floor_requests(&server, &cos, &bucket, &raw);

    println!(
        "| call | library req/s | raw reqwest req/s (floor) | floor / library | raw + decode req/s | (raw + decode) / library | client CPU µs/call, library | client CPU µs/call, floor | CPU library / floor | client CPU µs/call, floor with the library's timeouts | CPU library / timed floor | same, median of the rounds' paired ratios (lowest–highest) |"
    );
    println!(
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |"
    );
    let cases: [Case<'_>; 2] = [
        (
            "COS get_cors (signs every request)",
            &cos,
            bucket.as_str(),
            &cos_request,
            decode_cos,
        ),
        ("R2 get_cors", &r2, R2_BUCKET, &r2_request, decode_r2),
    ];
    for (name, admin, bucket, request, decode) in cases {
        let r = compare(admin, bucket, &raw, &timed_raw, request, decode, n, rounds).await;
        println!(
            "| {name} | {:.0} | {:.0} | {:.3}x | {:.0} | {:.3}x | {:.1} | {:.1} | {:.3}x | {:.1} | {:.3}x | {:.3}x ({:.2}–{:.2}) |",
            r.library,
            r.floor,
            r.floor / r.library,
            r.floor_and_decode,
            r.floor_and_decode / r.library,
            r.library_cpu,
            r.floor_cpu,
            r.library_cpu / r.floor_cpu,
            r.timed_floor_cpu,
            r.library_cpu / r.timed_floor_cpu,
            median(r.paired.clone()),
            r.paired.iter().copied().fold(f64::INFINITY, f64::min),
            r.paired.iter().copied().fold(0.0, f64::max),
        );
    }
}

async fn copy_all(admin: &Arc<dyn BucketAdmin>, pairs: usize, concurrency: usize) -> Duration {
    let gate = Arc::new(Semaphore::new(concurrency));
    let start = Instant::now();
    let mut tasks = tokio::task::JoinSet::new();
    for i in 0..pairs {
        let (admin, gate) = (admin.clone(), gate.clone());
        let permit = gate.acquire_owned().await.expect("semaphore");
        tasks.spawn(async move {
            let cfg = admin
                .get_cors(&format!("src-{i}"))
                .await
                .expect("get")
                .expect("configured");
            admin
                .put_cors(&format!("dst-{i}"), &cfg)
                .await
                .expect("put");
            drop(permit);
        });
        // Reap finished tasks as we go so memory follows the concurrency, not the bucket count.
        while let Some(done) = tasks.try_join_next() {
            done.expect("task");
        }
    }
    while let Some(done) = tasks.join_next().await {
        done.expect("task");
    }
    start.elapsed()
}

async fn bulk(quick: bool) {
    println!(
        "\n## Bulk CORS copy (R2 -> R2, 20 ms injected latency per request, 2 requests per pair)\n"
    );
    let pairs = if quick { 100 } else { 1000 };
    println!("| pairs | concurrency | wall | ideal | wall / ideal |");
    println!("| ---: | ---: | ---: | ---: | ---: |");
    let server = Server::spawn(pairs, LATENCY.as_millis() as u64);
    let admin: Arc<dyn BucketAdmin> = Arc::new(server.r2());
    let concurrencies: &[usize] = if quick { &[8, 64] } else { &[1, 8, 64] };
    for &c in concurrencies {
        let wall = copy_all(&admin, pairs, c).await;
        let ideal = LATENCY * (2 * pairs) as u32 / c as u32;
        println!(
            "| {pairs} | {c} | {:.2} s | {:.2} s | {:.2}x |",
            wall.as_secs_f64(),
            ideal.as_secs_f64(),
            wall.as_secs_f64() / ideal.as_secs_f64()
        );
    }
    drop(server);

    println!(
        "\n## Client memory as the bucket count grows (concurrency 64, emulator in another process)\n"
    );
    println!("| pairs | wall | wall / ideal | peak RSS of the client process |");
    println!("| ---: | ---: | ---: | ---: |");
    let sizes: &[usize] = if quick {
        &[100, 1000]
    } else {
        &[100, 1000, 10_000]
    };
    for &size in sizes {
        let server = Server::spawn(size, LATENCY.as_millis() as u64);
        let admin: Arc<dyn BucketAdmin> = Arc::new(server.r2());
        let wall = copy_all(&admin, size, 64).await;
        let ideal = LATENCY * (2 * size) as u32 / 64;
        println!(
            "| {size} | {:.2} s | {:.2}x | {:.1} MiB |",
            wall.as_secs_f64(),
            wall.as_secs_f64() / ideal.as_secs_f64(),
            peak_rss_mib()
        );
    }
}

/// Mean time per call of `f` over `n` calls, median of `rounds` rounds, in microseconds.
fn micros_per_call(n: usize, rounds: usize, mut f: impl FnMut()) -> f64 {
    let mut per = Vec::with_capacity(rounds);
    for _ in 0..rounds {
        let start = Instant::now();
        for _ in 0..n {
            f();
        }
        per.push(start.elapsed().as_secs_f64() * 1e6 / n as f64);
    }
    median(per)
}

fn codec(quick: bool) {
    println!("\n## R2 JSON codec, 100 CORS rules\n");
    let rules = (0..100)
        .map(|i| {
            CorsRule::new([format!("https://app{i}.example.com")], CorsMethod::ALL)
                .with_allowed_headers(["content-type", "x-amz-meta-*"])
                .with_expose_headers(["ETag"])
                .with_max_age_seconds(600)
        })
        .collect();
    let cfg = CorsConfiguration::new(rules);
    let json = bucket_admin::r2::codec::encode_cors(&cfg).expect("encode");
    let (n, rounds) = if quick { (200, 3) } else { (2000, 7) };
    // Interleaved: the anchor (serde_json parsing and writing the same text as an untyped
    // tree, no validation) and the codec alternate round by round.
    let (mut ours, mut anchor) = (Vec::new(), Vec::new());
    for _ in 0..rounds {
        anchor.push(micros_per_call(n, 1, || {
            let v: serde_json::Value = serde_json::from_str(std::hint::black_box(&json)).unwrap();
            std::hint::black_box(serde_json::to_string(&v).unwrap());
        }));
        ours.push(micros_per_call(n, 1, || {
            let text = bucket_admin::r2::codec::encode_cors(std::hint::black_box(&cfg)).unwrap();
            let back = bucket_admin::r2::codec::decode_cors(&text).unwrap();
            std::hint::black_box(back);
        }));
    }
    let (ours, anchor) = (median(ours), median(anchor));
    println!(
        "| measure | µs per encode + decode | serde_json::Value round trip µs | ratio | target |"
    );
    println!("| --- | ---: | ---: | ---: | --- |");
    println!(
        "| R2 JSON, 100 CORS rules (typed, validated) | {ours:.1} | {anchor:.1} | {:.2}x | < 60 µs |",
        ours / anchor
    );
}

/// R2 bulk through the client's pacer against the emulator's sliding-window limit.
async fn pacing(quick: bool) {
    println!("\n## R2 pacing against the emulator's rate limit (Cloudflare's limit, clock x10)\n");
    let limit = RateLimit {
        max: 1200,
        window: Duration::from_secs(30),
    };
    let pace = Pacing::new(limit.max, limit.window);
    let requests: usize = if quick { 600 } else { 1800 };
    let emulator = Emulator::builder()
        .r2_rate_limit(limit)
        .start()
        .await
        .expect("emulator");
    let c = emulator.r2_credentials().clone();
    let client = |pacing: Option<Pacing>| {
        R2Client::builder()
            .account_id(c.account_id.clone())
            .api_token(c.api_token.clone())
            .base_url(emulator.r2_base_url())
            .allow_http(true)
            .pacing(pacing)
            // Every 429 is counted, none is retried away.
            .retry_policy(RetryPolicy::disabled())
            .build()
            .expect("r2 client")
    };
    let setup = client(None);
    setup
        .create_bucket("paced", &CreateBucketOptions::default())
        .await
        .expect("create");
    setup.put_cors("paced", &cors()).await.expect("put");
    // The setup calls count against the window too: let them age out first.
    tokio::time::sleep(limit.window).await;
    emulator.clear_requests();

    let admin: Arc<dyn BucketAdmin> = Arc::new(client(Some(pace)));
    let gate = Arc::new(Semaphore::new(16));
    let start = Instant::now();
    let mut tasks = tokio::task::JoinSet::new();
    let mut refused = 0usize;
    for _ in 0..requests {
        let (admin, gate) = (admin.clone(), gate.clone());
        let permit = gate.acquire_owned().await.expect("semaphore");
        tasks.spawn(async move {
            let r = admin.get_cors("paced").await;
            drop(permit);
            // `true` for a 429: the limiter refused it.
            match r {
                Ok(_) => false,
                Err(e) if e.status() == Some(429) => true,
                Err(e) => panic!("paced get_cors: {e}"),
            }
        });
        while let Some(done) = tasks.try_join_next() {
            refused += usize::from(done.expect("task"));
        }
    }
    while let Some(done) = tasks.join_next().await {
        refused += usize::from(done.expect("task"));
    }
    let elapsed = start.elapsed().as_secs_f64();
    emulator.clear_requests();
    let ok = requests - refused;
    let cap = f64::from(limit.max) / limit.window.as_secs_f64();
    let achieved = ok as f64 / elapsed;
    // The share uses the whole run, the initial burst included (over 1.5 windows it adds
    // under 1%).
    println!("| requests | wall | achieved req/s | cap req/s | achieved / cap | 429s | target |");
    println!("| ---: | ---: | ---: | ---: | ---: | ---: | --- |");
    println!(
        "| {requests} | {elapsed:.1} s | {achieved:.2} | {cap:.2} | {:.1}% | {refused} | ≥ 95%, zero 429s |",
        100.0 * achieved / cap
    );
}

/// `tools/sdk/bench_cpu.py`: the official Python SDKs' loop for the `sdk` section.
const SDK_SCRIPT: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tools/sdk/bench_cpu.py");

/// The interpreter for the `sdk` section: `$BUCKET_ADMIN_SDK_PYTHON`, else `python3`.
fn sdk_python() -> String {
    std::env::var("BUCKET_ADMIN_SDK_PYTHON").unwrap_or_else(|_| "python3".to_owned())
}

/// One official SDK's `get_bucket_cors` loop in a Python child process
/// (`tools/sdk/bench_cpu.py`): warmed up, then one round of calls per count sent on its stdin.
/// The connection details go over the pipe, never on a command line.
struct SdkLoop {
    child: Child,
    stdin: Option<ChildStdin>,
    stdout: BufReader<ChildStdout>,
}

impl SdkLoop {
    /// Starts the script with `config` (see the script's docstring) and waits until it has
    /// made its warm-up calls.
    fn start(python: &str, config: &serde_json::Value) -> Result<SdkLoop, String> {
        let mut child = Command::new(python)
            .arg(SDK_SCRIPT)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .spawn()
            .map_err(|e| format!("cannot run `{python}`: {e}"))?;
        let stdin = child.stdin.take();
        let stdout = BufReader::new(child.stdout.take().expect("piped stdout"));
        let mut sdk = SdkLoop {
            child,
            stdin,
            stdout,
        };
        sdk.send(&config.to_string())?;
        let ready = sdk.receive()?;
        if ready["ready"] != serde_json::Value::Bool(true) {
            return Err(format!("unexpected first line from the script: {ready}"));
        }
        Ok(sdk)
    }

    fn send(&mut self, line: &str) -> Result<(), String> {
        let stdin = self.stdin.as_mut().ok_or("stdin closed")?;
        writeln!(stdin, "{line}")
            .and_then(|()| stdin.flush())
            .map_err(|e| format!("the script stopped reading ({e}); see its stderr above"))
    }

    fn receive(&mut self) -> Result<serde_json::Value, String> {
        let mut line = String::new();
        match self.stdout.read_line(&mut line) {
            Ok(0) => Err("the script exited; see its stderr above".to_owned()),
            Ok(_) => serde_json::from_str(&line).map_err(|e| format!("{e} in {line:?}")),
            Err(e) => Err(format!("reading the script's output: {e}")),
        }
    }

    /// `n` calls: the Python process's CPU µs per call (`time.process_time()`), wall µs per
    /// call.
    fn round(&mut self, n: usize) -> Result<(f64, f64), String> {
        self.send(&n.to_string())?;
        let r = self.receive()?;
        match (
            r["cpu_us_per_call"].as_f64(),
            r["wall_us_per_call"].as_f64(),
        ) {
            (Some(cpu), Some(wall)) => Ok((cpu, wall)),
            _ => Err(format!("unexpected round line from the script: {r}")),
        }
    }
}

impl Drop for SdkLoop {
    fn drop(&mut self) {
        // End of stdin ends the script.
        drop(self.stdin.take());
        let _ = self.child.wait();
    }
}

/// One provider's side by side: the SDK process and the library client, per-round figures.
struct SdkCase<'a> {
    provider: &'static str,
    sdk_call: &'static str,
    admin: &'a dyn BucketAdmin,
    bucket: &'a str,
    sdk: Option<SdkLoop>,
    /// Per round: SDK CPU µs/call, SDK wall µs/call, library CPU µs/call, library wall µs/call.
    sdk_cpu: Vec<f64>,
    sdk_wall: Vec<f64>,
    lib_cpu: Vec<f64>,
    lib_wall: Vec<f64>,
}

impl SdkCase<'_> {
    async fn library_round(&mut self, n: usize) {
        let (admin, bucket) = (self.admin, self.bucket);
        let (per_sec, cpu) = rate(n, || async {
            admin.get_cors(bucket).await.expect("get_cors");
        })
        .await;
        self.lib_cpu.push(cpu);
        self.lib_wall.push(1e6 / per_sec);
    }

    /// `false` (and a line saying why) when the SDK process failed: the case is dropped.
    fn sdk_round(&mut self, n: usize) -> bool {
        let Some(sdk) = self.sdk.as_mut() else {
            return false;
        };
        match sdk.round(n) {
            Ok((cpu, wall)) => {
                self.sdk_cpu.push(cpu);
                self.sdk_wall.push(wall);
                true
            }
            Err(e) => {
                println!("{}: the SDK loop failed, row dropped: {e}\n", self.provider);
                self.sdk = None;
                false
            }
        }
    }
}

/// Client CPU per call of the official Python SDKs against the library's, same call, same
/// emulator, rounds interleaved.
async fn sdk(quick: bool) {
    println!(
        "\n## Client CPU per call against the official Python SDKs (get the bucket's CORS, keep-alive loop)\n"
    );
    let (n, rounds, warmup) = if quick { (200, 3, 50) } else { (2000, 5, 200) };
    let python = sdk_python();
    let hint = "set BUCKET_ADMIN_SDK_PYTHON to a Python 3 with tools/sdk/requirements.txt and tools/sdk/r2/requirements.txt installed";
    let versions: serde_json::Value = match Command::new(&python)
        .arg(SDK_SCRIPT)
        .arg("--check")
        .output()
    {
        Err(e) => {
            println!("Skipped: cannot run `{python}` ({e}); {hint}.");
            return;
        }
        Ok(out) if !out.status.success() => {
            println!(
                "Skipped: `{python} {SDK_SCRIPT} --check` failed ({}): {}; {hint}.",
                out.status,
                String::from_utf8_lossy(&out.stderr).trim()
            );
            return;
        }
        Ok(out) => match serde_json::from_slice(&out.stdout) {
            Ok(v) => v,
            Err(e) => {
                println!("Skipped: `{python} {SDK_SCRIPT} --check` printed no JSON ({e}).");
                return;
            }
        },
    };

    let server = Server::spawn(0, 0);
    let (cos, r2, bucket) = bench_buckets(&server).await;
    let configs = [
        (
            "cos",
            serde_json::json!({
                "provider": "cos",
                "warmup": warmup,
                "endpoint": server.cos_endpoint,
                "region": server.region,
                "secret_id": server.secret_id,
                "secret_key": server.secret_key,
                "bucket": bucket,
            }),
        ),
        (
            "r2",
            serde_json::json!({
                "provider": "r2",
                "warmup": warmup,
                "base_url": server.r2_base_url,
                "api_token": server.token,
                "account_id": server.account_id,
                "bucket": R2_BUCKET,
            }),
        ),
    ];
    let mut cases = vec![
        SdkCase {
            provider: "COS",
            sdk_call: "qcloud_cos `CosS3Client.get_bucket_cors`",
            admin: &cos,
            bucket: bucket.as_str(),
            sdk: None,
            sdk_cpu: Vec::new(),
            sdk_wall: Vec::new(),
            lib_cpu: Vec::new(),
            lib_wall: Vec::new(),
        },
        SdkCase {
            provider: "R2",
            sdk_call: "cloudflare `client.r2.buckets.cors.get`",
            admin: &r2,
            bucket: R2_BUCKET,
            sdk: None,
            sdk_cpu: Vec::new(),
            sdk_wall: Vec::new(),
            lib_cpu: Vec::new(),
            lib_wall: Vec::new(),
        },
    ];
    for (case, (key, config)) in cases.iter_mut().zip(&configs) {
        if versions[*key].is_null() {
            let why = versions["missing"][*key]
                .as_str()
                .unwrap_or("not importable");
            println!(
                "Skipped {}: the SDK is missing for `{python}` ({why}); {hint}.\n",
                case.provider
            );
            continue;
        }
        match SdkLoop::start(&python, config) {
            Ok(sdk) => case.sdk = Some(sdk),
            Err(e) => println!(
                "Skipped {}: the SDK loop did not start: {e}\n",
                case.provider
            ),
        }
    }
    cases.retain(|c| c.sdk.is_some());
    if cases.is_empty() {
        return;
    }
    for case in &cases {
        for _ in 0..warmup {
            case.admin.get_cors(case.bucket).await.expect("warm-up");
        }
    }
    // Interleaved, and the order flips each round, so drift and noise hit both sides alike.
    for round in 0..rounds {
        for case in &mut cases {
            if round % 2 == 0 {
                if case.sdk_round(n) {
                    case.library_round(n).await;
                }
            } else {
                case.library_round(n).await;
                if !case.sdk_round(n) {
                    case.lib_cpu.pop();
                    case.lib_wall.pop();
                }
            }
        }
        cases.retain(|c| c.sdk.is_some());
    }
    if cases.is_empty() {
        return;
    }
    println!(
        "{rounds} interleaved rounds of {n} calls after {warmup} warm-up calls, medians. Python {}, qcloud_cos {}, cloudflare {}.\n",
        versions["python"].as_str().unwrap_or("?"),
        versions["cos"].as_str().unwrap_or("-"),
        versions["r2"].as_str().unwrap_or("-"),
    );
    println!(
        "| provider | official SDK call | SDK CPU µs/call | library CPU µs/call | SDK / library (CPU) | per-round ratio, min–max | SDK wall µs/call | library wall µs/call | target |"
    );
    println!("| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | --- |");
    for case in cases {
        let ratios: Vec<f64> = case
            .sdk_cpu
            .iter()
            .zip(&case.lib_cpu)
            .map(|(s, l)| s / l)
            .collect();
        let lo = ratios.iter().copied().fold(f64::INFINITY, f64::min);
        let hi = ratios.iter().copied().fold(0.0, f64::max);
        let (sdk_cpu, lib_cpu) = (median(case.sdk_cpu), median(case.lib_cpu));
        println!(
            "| {} | {} | {sdk_cpu:.1} | {lib_cpu:.1} | {:.1}x | {lo:.1}x–{hi:.1}x | {:.1} | {:.1} | ≥ 20x |",
            case.provider,
            case.sdk_call,
            sdk_cpu / lib_cpu,
            median(case.sdk_wall),
            median(case.lib_wall),
        );
    }
    println!(
        "\nSDK CPU: the Python process's `time.process_time()` over the N calls / N, i.e. the interpreter's per-call work in-process only (start-up, imports and warm-up excluded). \
         Library CPU: this client process's CPU over the N calls / N (the sum of its threads' schedstat, tokio workers included). \
         Neither includes the emulator, which runs in its own process."
    );
}

/// Set in a counting child: `<case> <calls>` (see [`count_child`]).
const COUNT_ENV: &str = "BUCKET_ADMIN_E2E_COUNT";
/// Set in a counting child: the emulator's `READY ...` line.
const SERVER_ENV: &str = "BUCKET_ADMIN_E2E_SERVER";
/// The calls of the `instructions` section, library and floor alike.
const COUNTED: [&str; 4] = ["cos-library", "cos-floor", "r2-library", "r2-floor"];

/// A counting child, run under callgrind by [`instructions`]: opens the keep-alive connection
/// with a few calls, then makes `calls` more of `case` against the parent's emulator.
fn count_child(spec: &str, ready: &str) {
    let mut parts = spec.split_whitespace();
    let case = parts.next().unwrap_or_default().to_owned();
    let calls: usize = parts.next().and_then(|n| n.parse().ok()).unwrap_or(0);
    let server = Server::from_ready(ready);
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("runtime");
    rt.block_on(async {
        let (cos, r2) = (server.cos(), server.r2());
        let bucket = format!("bench-{}", server.appid);
        let client = timed_client();
        let (cos_request, r2_request) = floor_requests(&server, &cos, &bucket, &client);
        let call = || async {
            match case.as_str() {
                "cos-library" => drop(cos.get_cors(&bucket).await.expect("get_cors")),
                "r2-library" => drop(r2.get_cors(R2_BUCKET).await.expect("get_cors")),
                "cos-floor" | "r2-floor" => {
                    let request = if case == "cos-floor" {
                        &cos_request
                    } else {
                        &r2_request
                    };
                    let req = request.try_clone().expect("clone");
                    let resp = client.execute(req).await.expect("raw");
                    assert!(resp.status().is_success(), "{}", resp.status());
                    drop(resp.bytes().await.expect("body"));
                }
                other => panic!("unknown counted call {other}"),
            }
        };
        for _ in 0..10 {
            call().await;
        }
        for _ in 0..calls {
            call().await;
        }
    });
}

/// Instructions the client process executes per `get_cors`, library and floor (the identical
/// request replayed through a `reqwest::Client` with the library's timeouts), counted by
/// callgrind. CPU time on this shared virtual machine moves by ±10% from one round to the
/// next; an instruction count does not, so it shows how close the library's work is to the
/// wire's. Needs valgrind; says so and returns without it. `BUCKET_ADMIN_E2E_CALLGRIND_DIR`
/// keeps the profiles.
async fn instructions(quick: bool) {
    println!(
        "\n## Client instructions per call (callgrind, keep-alive, emulator in another process)\n"
    );
    if !callgrind::available() {
        println!("valgrind is not installed: section skipped (apt-get install valgrind)");
        return;
    }
    let calls = if quick { 50 } else { 300 };
    let server = Server::spawn(0, 0);
    bench_buckets(&server).await;
    // Set to a directory to keep each run's profile for `callgrind_annotate`.
    let keep = std::env::var("BUCKET_ADMIN_E2E_CALLGRIND_DIR").ok();
    let count = |case: &str, calls: usize| -> Option<u64> {
        let out_file = keep.as_ref().map_or_else(
            || "/dev/null".to_owned(),
            |dir| format!("{dir}/callgrind.{case}.{calls}"),
        );
        let exe = std::env::current_exe().ok()?;
        callgrind::instructions(&exe, &out_file, |c| {
            c.env(COUNT_ENV, format!("{case} {calls}"))
                .env(SERVER_ENV, &server.ready)
        })
    };
    let mut per_call = Vec::new();
    for case in COUNTED {
        let counted = match (count(case, calls), count(case, 0)) {
            (Some(with), Some(without)) => Some(with.saturating_sub(without) / calls as u64),
            _ => None,
        };
        per_call.push(counted);
    }
    println!(
        "| call | library instructions / call | floor instructions / call | library / floor | target |"
    );
    println!("| --- | ---: | ---: | ---: | --- |");
    for (name, at, target) in [
        ("COS get_cors", 0, "≤ 1.10x"),
        ("R2 get_cors", 2, "≤ 1.05x"),
    ] {
        match (per_call[at], per_call[at + 1]) {
            (Some(library), Some(floor)) => println!(
                "| {name} | {library} | {floor} | {:.3}x | {target} |",
                library as f64 / floor as f64
            ),
            _ => println!("| {name} | callgrind failed | | | {target} |"),
        }
    }
    println!(
        "\n{calls} calls after 10 that open the connection, minus a run with none; the client process only (tokio workers included), never the emulator."
    );
}

fn main() {
    if let Ok(spec) = std::env::var(CHILD_ENV) {
        run_child(&spec);
        return;
    }
    if let (Ok(spec), Ok(ready)) = (std::env::var(COUNT_ENV), std::env::var(SERVER_ENV)) {
        count_child(&spec, &ready);
        return;
    }
    let quick = std::env::args().any(|a| a == "--quick");
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("runtime");
    // `-- --only overhead` (or codec, pacing, bulk, sdk, instructions) runs one section.
    let args: Vec<String> = std::env::args().collect();
    let only = args
        .iter()
        .position(|a| a == "--only")
        .and_then(|i| args.get(i + 1).cloned());
    let run = |name: &str| only.as_deref().is_none_or(|o| o == name);
    if run("codec") {
        codec(quick);
    }
    rt.block_on(async {
        if run("overhead") {
            overhead(quick).await;
        }
        if run("pacing") {
            pacing(quick).await;
        }
        if run("bulk") {
            bulk(quick).await;
        }
        if run("sdk") {
            sdk(quick).await;
        }
        if run("instructions") {
            instructions(quick).await;
        }
    });
}
