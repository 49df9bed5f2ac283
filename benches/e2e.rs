//! End-to-end benchmarks against the in-process emulator, printed as Markdown tables:
//!
//! 1. client overhead: `get_cors` in a keep-alive loop versus a raw `reqwest` loop sending the
//!    identical pre-built request to the same emulator in the same run (the floor);
//! 2. bulk scaling: copy CORS for many bucket pairs with 20 ms injected latency at several
//!    concurrencies, against the ideal (requests x latency / concurrency), and peak memory as
//!    the bucket count grows.
//!
//! `cargo bench --bench e2e` (add `-- --quick` for a shorter run). Ratios are compared within
//! one run; absolute numbers depend on the machine. Results: `docs/benchmarks.md`.

use std::sync::Arc;
use std::time::{Duration, Instant};

use bucket_admin::cos::CosClient;
use bucket_admin::r2::R2Client;
use bucket_admin::{
    BucketAdmin, CorsConfiguration, CorsMethod, CorsRule, CreateBucketOptions, RetryPolicy,
};
use bucket_admin_emulator::{Emulator, Latency, Limits};
use tokio::sync::Semaphore;

fn cors() -> CorsConfiguration {
    CorsConfiguration::new(vec![
        CorsRule::new(["https://example.com"], CorsMethod::ALL)
            .with_allowed_headers(["content-type", "x-cos-meta-*"])
            .with_expose_headers(["ETag"])
            .with_max_age_seconds(600),
    ])
}

fn cos_client(emulator: &Emulator) -> CosClient {
    let c = emulator.cos_credentials().clone();
    CosClient::builder()
        .region(c.region)
        .secret_id(c.secret_id)
        .secret_key(c.secret_key)
        .endpoint(emulator.cos_endpoint())
        .allow_http(true)
        .build()
        .expect("cos client")
}

fn r2_client(emulator: &Emulator) -> R2Client {
    let c = emulator.r2_credentials().clone();
    R2Client::builder()
        .account_id(c.account_id)
        .api_token(c.api_token)
        .base_url(emulator.r2_base_url())
        .allow_http(true)
        .pacing(None)
        .retry_policy(RetryPolicy::disabled())
        .build()
        .expect("r2 client")
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

/// Runs `f` `n` times sequentially and returns requests per second.
async fn rate<F, Fut>(n: usize, mut f: F) -> f64
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = ()>,
{
    let start = Instant::now();
    for _ in 0..n {
        f().await;
    }
    n as f64 / start.elapsed().as_secs_f64()
}

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(|a, b| a.total_cmp(b));
    v[v.len() / 2]
}

/// The raw floor: the exact request the library sent last, replayed with plain reqwest.
async fn overhead(
    name: &str,
    emulator: &Emulator,
    admin: &dyn BucketAdmin,
    bucket: &str,
    n: usize,
    rounds: usize,
) -> (String, f64, f64) {
    admin.get_cors(bucket).await.expect("warm-up");
    let sent = emulator.requests().pop().expect("a request was recorded");
    let base = emulator.cos_endpoint();
    let url = if sent.query.is_empty() {
        format!("{base}{}", sent.path)
    } else {
        format!("{base}{}?{}", sent.path, sent.query)
    };
    let raw = reqwest::Client::builder().build().expect("reqwest");
    let mut headers = reqwest::header::HeaderMap::new();
    for (k, v) in &sent.headers {
        if let (Ok(k), Ok(v)) = (
            reqwest::header::HeaderName::from_bytes(k.as_bytes()),
            reqwest::header::HeaderValue::from_str(v),
        ) {
            headers.append(k, v);
        }
    }
    let request = raw
        .request(sent.method.parse().expect("method"), &url)
        .headers(headers)
        .build()
        .expect("request");
    // Interleave the two loops so drift on a shared machine hits both alike.
    let (mut lib, mut floor) = (Vec::new(), Vec::new());
    for _ in 0..rounds {
        emulator.clear_requests();
        floor.push(
            rate(n, || {
                let req = request.try_clone().expect("clone");
                let raw = &raw;
                async move {
                    let resp = raw.execute(req).await.expect("raw");
                    assert!(resp.status().is_success());
                    resp.bytes().await.expect("body");
                }
            })
            .await,
        );
        emulator.clear_requests();
        lib.push(
            rate(n, || async {
                admin.get_cors(bucket).await.expect("get_cors");
            })
            .await,
        );
    }
    (name.to_owned(), median(lib), median(floor))
}

async fn copy_all(
    src: &Arc<dyn BucketAdmin>,
    dst: &Arc<dyn BucketAdmin>,
    pairs: usize,
    concurrency: usize,
) -> Duration {
    let gate = Arc::new(Semaphore::new(concurrency));
    let start = Instant::now();
    let mut tasks = tokio::task::JoinSet::new();
    for i in 0..pairs {
        let (src, dst, gate) = (src.clone(), dst.clone(), gate.clone());
        let permit = gate.acquire_owned().await.expect("semaphore");
        tasks.spawn(async move {
            let cfg = src
                .get_cors(&format!("src-{i}"))
                .await
                .expect("get")
                .expect("configured");
            dst.put_cors(&format!("dst-{i}"), &cfg).await.expect("put");
            drop(permit);
        });
        // Reap finished tasks as we go so memory tracks concurrency, not the bucket count.
        while let Some(done) = tasks.try_join_next() {
            done.expect("task");
        }
    }
    while let Some(done) = tasks.join_next().await {
        done.expect("task");
    }
    start.elapsed()
}

async fn setup_pairs(admin: &dyn BucketAdmin, pairs: usize, from: usize) {
    let cfg = cors();
    for i in from..pairs {
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
}

fn main() {
    let quick = std::env::args().any(|a| a == "--quick");
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("runtime");
    rt.block_on(async {
        println!("## Client overhead (keep-alive loop against the emulator)\n");
        let (n, rounds) = if quick { (300, 3) } else { (2000, 5) };
        let emulator = Emulator::start().await.expect("emulator");
        let cos = cos_client(&emulator);
        let r2 = r2_client(&emulator);
        let cos_bucket = format!("bench-{}", emulator.cos_credentials().appid);
        cos.create_bucket(&cos_bucket, &CreateBucketOptions::default())
            .await
            .expect("create");
        cos.put_cors(&cos_bucket, &cors()).await.expect("put");
        r2.create_bucket("bench", &CreateBucketOptions::default())
            .await
            .expect("create");
        r2.put_cors("bench", &cors()).await.expect("put");
        let rows = [
            overhead(
                "COS get_cors (signs every request)",
                &emulator,
                &cos,
                &cos_bucket,
                n,
                rounds,
            )
            .await,
            overhead("R2 get_cors", &emulator, &r2, "bench", n, rounds).await,
        ];
        println!("| call | library req/s | raw reqwest req/s (floor) | floor / library |");
        println!("| --- | ---: | ---: | ---: |");
        for (name, lib, floor) in rows {
            println!("| {name} | {lib:.0} | {floor:.0} | {:.3}x |", floor / lib);
        }
        drop(emulator);

        println!("\n## Bulk CORS copy (R2 -> R2, 20 ms injected latency per request)\n");
        let latency = Duration::from_millis(20);
        let emulator = Emulator::builder()
            .limits(Limits {
                r2_max_buckets: 30_000,
                ..Limits::default()
            })
            .start()
            .await
            .expect("emulator");
        let admin: Arc<dyn BucketAdmin> = Arc::new(r2_client(&emulator));
        let pairs = if quick { 100 } else { 1000 };
        setup_pairs(admin.as_ref(), pairs, 0).await;
        emulator.faults().set_latency(Latency::Fixed(latency));
        println!("| pairs | concurrency | wall | ideal | wall / ideal |");
        println!("| ---: | ---: | ---: | ---: | ---: |");
        let concurrencies: &[usize] = if quick { &[8, 64] } else { &[1, 8, 64] };
        for &c in concurrencies {
            let wall = copy_all(&admin, &admin, pairs, c).await;
            let ideal = latency * (2 * pairs) as u32 / c as u32;
            println!(
                "| {pairs} | {c} | {:.2} s | {:.2} s | {:.2}x |",
                wall.as_secs_f64(),
                ideal.as_secs_f64(),
                wall.as_secs_f64() / ideal.as_secs_f64()
            );
        }

        println!("\n## Memory as the bucket count grows (concurrency 64)\n");
        println!("| pairs | wall | peak RSS of the process (client + emulator) |");
        println!("| ---: | ---: | ---: |");
        emulator.faults().set_latency(Latency::None);
        let sizes: &[usize] = if quick {
            &[100, 1000]
        } else {
            &[100, 1000, 10_000]
        };
        let mut ready = pairs;
        for &size in sizes {
            if size > ready {
                emulator.faults().set_latency(Latency::None);
                setup_pairs(admin.as_ref(), size, ready).await;
                ready = size;
            }
            emulator.faults().set_latency(Latency::Fixed(latency));
            emulator.clear_requests();
            let wall = copy_all(&admin, &admin, size, 64).await;
            println!(
                "| {size} | {:.2} s | {:.1} MiB |",
                wall.as_secs_f64(),
                peak_rss_mib()
            );
        }
    });
}
