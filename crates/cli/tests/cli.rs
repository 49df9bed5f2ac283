//! End-to-end tests: the real `bucket-admin` binary against an emulator started in this test
//! process, with endpoint and credentials passed through the environment as a user would.

use bucket_admin_core::{BucketAdmin, CorsConfiguration, CorsMethod, CorsRule};
use bucket_admin_cos::CosClientBuilder;
use bucket_admin_emulator::{Api, Emulator, Fault, FaultRule};
use bucket_admin_r2::R2ClientBuilder;

#[path = "support/run.rs"]
mod run;
use run::{BIN, Run, emulator_env, run_in};

/// The environment a user would export after `bucket-admin emulator`.
fn env_for(emu: &Emulator) -> Vec<(String, String)> {
    emulator_env(emu)
}

struct Env {
    emu: Emulator,
    env: Vec<(String, String)>,
    dir: tempfile::TempDir,
}

impl Env {
    async fn new() -> Self {
        let emu = Emulator::start().await.expect("start emulator");
        let env = env_for(&emu);
        Self {
            emu,
            env,
            dir: tempfile::tempdir().unwrap(),
        }
    }

    async fn run(&self, args: &[&str]) -> Run {
        run_in(self.dir.path(), &self.env, args).await
    }

    async fn ok(&self, args: &[&str]) -> Run {
        let r = self.run(args).await;
        assert_eq!(r.code, 0, "{args:?}\n{r:?}");
        r
    }

    fn write(&self, name: &str, text: &str) {
        std::fs::write(self.dir.path().join(name), text).unwrap();
    }
}

const S3_CORS: &str = r#"{"CORSRules":[{"AllowedOrigins":["https://app.example.com"],"AllowedMethods":["GET","PUT"],"AllowedHeaders":["*"],"ExposeHeaders":["ETag"],"MaxAgeSeconds":600,"ID":"web"}]}"#;

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn buckets_commands() {
    let t = Env::new().await;
    t.ok(&["buckets", "create", "cos://assets-1250000000"])
        .await;
    t.ok(&["buckets", "create", "r2://assets"]).await;
    t.ok(&["buckets", "create", "r2://assets-eu?jurisdiction=eu"])
        .await;
    t.ok(&["buckets", "exists", "cos://assets-1250000000"])
        .await;
    let missing = t.run(&["buckets", "exists", "r2://nothing-here"]).await;
    assert_eq!(missing.code, 5, "{missing:?}");
    let list = t
        .ok(&["buckets", "list", "cos://?region=ap-beijing", "--json"])
        .await;
    assert_eq!(list.json()[0]["name"], "assets-1250000000");
    // Jurisdictions are separate namespaces: each listing holds its own bucket only.
    let names = |r: &Run| -> Vec<String> {
        r.json()
            .as_array()
            .unwrap()
            .iter()
            .map(|b| b["name"].as_str().unwrap().to_owned())
            .collect()
    };
    let eu = t
        .ok(&["buckets", "list", "r2://?jurisdiction=eu", "--json"])
        .await;
    assert_eq!(names(&eu), ["assets-eu"], "{eu:?}");
    let default = t
        .ok(&["buckets", "list", "r2://?jurisdiction=default", "--json"])
        .await;
    assert_eq!(names(&default), ["assets"], "{default:?}");
    let table = t.ok(&["buckets", "list", "r2://?jurisdiction=eu"]).await;
    let rows: Vec<&str> = table.stdout.lines().skip(2).collect();
    assert_eq!(rows.len(), 1, "{table:?}");
    assert!(rows[0].starts_with("assets-eu "), "{table:?}");
    t.ok(&["buckets", "delete", "r2://assets"]).await;
    assert_eq!(t.run(&["buckets", "exists", "r2://assets"]).await.code, 5);
    let bad = t.run(&["buckets", "create", "cos://noappid"]).await;
    assert_eq!(bad.code, 2, "{bad:?}");
    assert!(bad.stderr.contains("APPID"), "{bad:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn cors_get_put_delete_in_every_format() {
    let t = Env::new().await;
    t.ok(&["buckets", "create", "cos://web-1250000000"]).await;
    t.ok(&["buckets", "create", "r2://web"]).await;
    t.write("s3.json", S3_CORS);
    let put = t
        .ok(&["cors", "put", "r2://web", "--file", "s3.json"])
        .await;
    assert!(put.stdout.contains("as s3"), "{put:?}");
    for format in ["neutral", "s3", "cos-json", "cos-xml", "r2"] {
        let got = t
            .ok(&["cors", "get", "r2://web", "--output-format", format])
            .await;
        let file = format!("out-{format}.txt");
        t.write(&file, &got.stdout);
        // Each written shape reads back, detected, into the same configuration on COS.
        t.ok(&["cors", "put", "cos://web-1250000000", "--file", &file])
            .await;
        let diff = t
            .run(&["cors", "diff", "r2://web", "cos://web-1250000000"])
            .await;
        assert_eq!(diff.code, 0, "{format}: {diff:?}");
    }
    // Forcing the wrong shape explains the mix-up.
    let wrong = t
        .run(&[
            "cors", "put", "r2://web", "--file", "s3.json", "--format", "r2",
        ])
        .await;
    assert_eq!(wrong.code, 2, "{wrong:?}");
    assert!(wrong.stderr.contains("AWS/S3 JSON"), "{wrong:?}");
    assert!(wrong.stderr.contains("10040"), "{wrong:?}");
    t.write("garbage.json", "\u{1}\u{2} not a config");
    let garbage = t
        .run(&["cors", "put", "r2://web", "--file", "garbage.json"])
        .await;
    assert_eq!(garbage.code, 2, "{garbage:?}");
    assert!(
        garbage.stderr.contains("not a CORS configuration"),
        "{garbage:?}"
    );

    t.ok(&["cors", "delete", "r2://web"]).await;
    let none = t.ok(&["cors", "get", "r2://web", "--json"]).await;
    assert_eq!(none.json(), serde_json::Value::Null);
    let differs = t
        .run(&["cors", "diff", "r2://web", "cos://web-1250000000"])
        .await;
    assert_eq!(differs.code, 5, "{differs:?}");
    let missing = t.run(&["cors", "get", "r2://no-such-bucket"]).await;
    assert_eq!(
        missing.code, 6,
        "not found has its own exit code: {missing:?}"
    );
    assert!(
        missing
            .stderr
            .contains("R2 get_cors on bucket `no-such-bucket`"),
        "{missing:?}"
    );
    assert!(missing.stderr.contains("request id"), "{missing:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn cors_copy_plans_refuses_lossy_backs_up_and_verifies() {
    let t = Env::new().await;
    t.ok(&["buckets", "create", "cos://web-1250000000"]).await;
    t.ok(&["buckets", "create", "r2://web"]).await;
    // ResponseVary exists on COS only: copying it to R2 is lossy.
    t.write(
        "vary.xml",
        "<CORSConfiguration><CORSRule><AllowedOrigin>https://a.com</AllowedOrigin><AllowedMethod>GET</AllowedMethod><MaxAgeSeconds>60</MaxAgeSeconds></CORSRule><ResponseVary>true</ResponseVary></CORSConfiguration>",
    );
    t.ok(&["cors", "put", "cos://web-1250000000", "--file", "vary.xml"])
        .await;
    t.write("old.json", S3_CORS);
    t.ok(&["cors", "put", "r2://web", "--file", "old.json"])
        .await;

    let refused = t
        .run(&[
            "cors",
            "copy",
            "--from",
            "cos://web-1250000000",
            "--to",
            "r2://web",
        ])
        .await;
    assert_eq!(refused.code, 3, "{refused:?}");
    assert!(
        refused.stdout.contains("extras.cos_response_vary dropped"),
        "{refused:?}"
    );
    assert!(refused.stdout.contains("--allow-lossy"), "{refused:?}");

    let dry = t
        .ok(&[
            "cors",
            "copy",
            "--from",
            "cos://web-1250000000",
            "--to",
            "r2://web",
            "--allow-lossy",
            "--dry-run",
            "--json",
        ])
        .await;
    assert_eq!(dry.json()["outcome"], "planned");
    let before = t.ok(&["cors", "get", "r2://web", "--json"]).await;
    assert_eq!(
        before.json()["rules"][0]["id"],
        "web",
        "dry run wrote nothing"
    );

    let applied = t
        .ok(&[
            "cors",
            "copy",
            "--from",
            "cos://web-1250000000",
            "--to",
            "r2://web",
            "--allow-lossy",
            "--backup-dir",
            "bk",
            "--json",
        ])
        .await;
    let report = applied.json();
    assert_eq!(report["outcome"], "applied", "{applied:?}");
    let backup = report["backup"].as_str().unwrap();
    let saved = std::fs::read_to_string(t.dir.path().join(backup)).unwrap();
    assert!(saved.contains("\"id\": \"web\""), "{saved}");
    // The backup restores with a plain put.
    t.ok(&["cors", "put", "r2://web", "--file", backup]).await;
    let restored = t.ok(&["cors", "get", "r2://web", "--json"]).await;
    assert_eq!(restored.json()["rules"][0]["id"], "web");

    // A lossless file source, then a second run is unchanged.
    t.write("cors.json", S3_CORS);
    let first = t
        .ok(&[
            "cors",
            "copy",
            "--from",
            "file://cors.json",
            "--to",
            "cos://web-1250000000",
        ])
        .await;
    assert!(first.stdout.contains("applied and verified"), "{first:?}");
    let second = t
        .ok(&[
            "cors",
            "copy",
            "--from",
            "file://cors.json",
            "--to",
            "cos://web-1250000000",
        ])
        .await;
    assert!(second.stdout.contains("unchanged"), "{second:?}");
    // Export to a file (format from the extension).
    t.ok(&[
        "cors",
        "copy",
        "--from",
        "r2://web",
        "--to",
        "file://export.xml",
    ])
    .await;
    assert!(
        std::fs::read_to_string(t.dir.path().join("export.xml"))
            .unwrap()
            .contains("<CORSConfiguration>")
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn cors_check_offline_and_live() {
    let t = Env::new().await;
    t.ok(&["buckets", "create", "cos://web-1250000000"]).await;
    t.write("cors.json", S3_CORS);
    t.ok(&["cors", "put", "cos://web-1250000000", "--file", "cors.json"])
        .await;
    let allowed = t
        .ok(&[
            "cors",
            "check",
            "file://cors.json",
            "--origin",
            "https://app.example.com",
            "--method",
            "PUT",
            "--header",
            "content-type",
        ])
        .await;
    assert!(
        allowed.stdout.contains("allowed by rule #0 (web)"),
        "{allowed:?}"
    );
    let denied = t
        .run(&[
            "cors",
            "check",
            "cos://web-1250000000",
            "--origin",
            "https://evil.example",
            "--method",
            "GET",
        ])
        .await;
    assert_eq!(denied.code, 5, "{denied:?}");
    assert!(denied.stdout.contains("origin not allowed"), "{denied:?}");
    for (origin, code) in [("https://app.example.com", 0), ("https://evil.example", 5)] {
        let live = t
            .run(&[
                "cors",
                "check",
                "cos://web-1250000000",
                "--origin",
                origin,
                "--method",
                "GET",
                "--live",
                "--json",
            ])
            .await;
        assert_eq!(live.code, code, "{live:?}");
        assert_eq!(live.json()["same_answer"], true, "{live:?}");
    }
    let r2_live = t
        .run(&[
            "cors",
            "check",
            "r2://web",
            "--origin",
            "https://a.com",
            "--method",
            "GET",
            "--live",
        ])
        .await;
    assert_eq!(r2_live.code, 2, "{r2_live:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn lifecycle_versioning_replication_policy_presign() {
    let t = Env::new().await;
    t.ok(&["buckets", "create", "cos://logs-1250000000"]).await;
    t.ok(&["buckets", "create", "cos://replica-1250000000"])
        .await;
    t.ok(&["buckets", "create", "r2://logs"]).await;
    t.write(
        "rules.json",
        r#"{"rules":[{"id":"expire-logs","enabled":true,"filter":{"prefix":"logs/"},"expiration":{"after":{"days":30}},"noncurrent_version_expiration_days":7}]}"#,
    );
    t.ok(&[
        "lifecycle",
        "put",
        "cos://logs-1250000000",
        "--file",
        "rules.json",
    ])
    .await;
    let got = t
        .ok(&["lifecycle", "get", "cos://logs-1250000000", "--json"])
        .await;
    assert_eq!(got.json()["rules"][0]["id"], "expire-logs");
    // R2 has no noncurrent versions: lossy.
    let refused = t
        .run(&[
            "lifecycle",
            "copy",
            "--from",
            "cos://logs-1250000000",
            "--to",
            "r2://logs",
        ])
        .await;
    assert_eq!(refused.code, 3, "{refused:?}");
    let copied = t
        .ok(&[
            "lifecycle",
            "copy",
            "--from",
            "cos://logs-1250000000",
            "--to",
            "r2://logs",
            "--allow-lossy",
            "--json",
        ])
        .await;
    assert_eq!(copied.json()["outcome"], "applied", "{copied:?}");
    let r2 = t.ok(&["lifecycle", "get", "r2://logs", "--json"]).await;
    assert_eq!(r2.json()["rules"][0]["expiration"]["after"]["days"], 30);
    t.ok(&["lifecycle", "delete", "r2://logs"]).await;
    t.write("cors.json", S3_CORS);
    let wrong = t
        .run(&["lifecycle", "put", "r2://logs", "--file", "cors.json"])
        .await;
    assert_eq!(wrong.code, 2);
    assert!(wrong.stderr.contains("cors"), "{wrong:?}");

    let v = t.ok(&["versioning", "get", "cos://logs-1250000000"]).await;
    assert_eq!(v.stdout.trim(), "unversioned");
    t.ok(&["versioning", "put", "cos://logs-1250000000", "enabled"])
        .await;
    let v = t
        .ok(&["versioning", "get", "cos://logs-1250000000", "--json"])
        .await;
    assert_eq!(v.json()["status"], "enabled");
    let r2v = t.run(&["versioning", "get", "r2://logs"]).await;
    assert_eq!(r2v.code, 1);
    assert!(r2v.stderr.contains("unsupported"), "{r2v:?}");

    t.write(
        "replication.json",
        r#"{"role":"qcs::cam::uin/100000000001:uin/100000000001","rules":[{"id":"all","enabled":true,"prefix":"","destination":{"bucket":"qcs::cos:ap-beijing::replica-1250000000"}}]}"#,
    );
    t.ok(&[
        "replication",
        "put",
        "cos://logs-1250000000",
        "--file",
        "replication.json",
    ])
    .await;
    let rep = t
        .ok(&["replication", "get", "cos://logs-1250000000", "--json"])
        .await;
    assert_eq!(rep.json()["rules"][0]["id"], "all", "{rep:?}");
    t.ok(&["replication", "delete", "cos://logs-1250000000"])
        .await;

    t.write(
        "policy.json",
        r#"{"version":"2.0","statements":[{"effect":"allow","principal":{"qcs":["qcs::cam::anyone:anyone"]},"actions":["name/cos:GetObject"],"resources":["qcs::cos:ap-beijing:uid/1250000000:logs-1250000000/*"]}]}"#,
    );
    t.ok(&[
        "policy",
        "put",
        "cos://logs-1250000000",
        "--file",
        "policy.json",
    ])
    .await;
    let pol = t
        .ok(&["policy", "get", "cos://logs-1250000000", "--json"])
        .await;
    assert_eq!(
        pol.json()["statements"][0]["actions"][0],
        "name/cos:GetObject",
        "{pol:?}"
    );
    t.ok(&["policy", "delete", "cos://logs-1250000000"]).await;
    let none = t.ok(&["policy", "get", "cos://logs-1250000000"]).await;
    assert!(none.stderr.contains("has no bucket policy"), "{none:?}");
    t.write("aws-policy.json", r#"{"Statement":[{"Effect":"Allow"}]}"#);
    let aws = t
        .run(&[
            "policy",
            "put",
            "cos://logs-1250000000",
            "--file",
            "aws-policy.json",
        ])
        .await;
    // Read as a COS policy; what it lacks is named.
    assert_eq!(aws.code, 2);
    assert!(aws.stderr.contains("statements[0].actions"), "{aws:?}");

    let url = t
        .ok(&[
            "presign",
            "cos://logs-1250000000",
            "--key",
            "a/b.txt",
            "--expires",
            "600",
        ])
        .await;
    assert!(url.stdout.contains("q-signature="), "{url:?}");
    assert!(url.stdout.contains("/a/b.txt?"), "{url:?}");
    let presign_r2 = t.run(&["presign", "r2://logs", "--key", "x"]).await;
    assert_eq!(presign_r2.code, 2);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn in_process_emulator_and_usage_errors() {
    let dir = tempfile::tempdir().unwrap();
    let r = run_in(
        dir.path(),
        &[],
        &["--emulator", "buckets", "list", "r2://", "--json"],
    )
    .await;
    assert_eq!(r.code, 0, "{r:?}");
    assert_eq!(r.json(), serde_json::json!([]));
    let bad = run_in(dir.path(), &[], &["cors", "get", "s3://bucket"]).await;
    assert_eq!(bad.code, 2, "{bad:?}");
    let no_creds = run_in(dir.path(), &[], &["cors", "get", "r2://bucket"]).await;
    assert_eq!(no_creds.code, 2, "{no_creds:?}");
    assert!(
        no_creds.stderr.contains("CLOUDFLARE_API_TOKEN"),
        "{no_creds:?}"
    );
    let clap = run_in(dir.path(), &[], &["cors", "copy", "--from", "r2://abc"]).await;
    assert_eq!(clap.code, 2, "{clap:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn secrets_never_appear_in_output_even_at_trace() {
    let t = Env::new().await;
    let secret_key = t.emu.cos_credentials().secret_key.clone();
    let token = t.emu.r2_credentials().api_token.clone();
    let mut env = t.env.clone();
    env.push(("RUST_LOG".into(), "trace".into()));
    t.ok(&["buckets", "create", "cos://web-1250000000"]).await;
    t.ok(&["buckets", "create", "r2://web"]).await;
    t.write("cors.json", S3_CORS);
    let runs: [&[&str]; 6] = [
        &[
            "--verbose",
            "--verbose",
            "cors",
            "put",
            "cos://web-1250000000",
            "--file",
            "cors.json",
        ],
        &[
            "-vv",
            "cors",
            "copy",
            "--from",
            "cos://web-1250000000",
            "--to",
            "r2://web",
        ],
        &["-vv", "cors", "get", "r2://missing-bucket"],
        &["-vv", "buckets", "list", "cos://"],
        &["-vv", "presign", "cos://web-1250000000", "--key", "k"],
        &["-vv", "--emulator", "buckets", "list", "cos://"],
    ];
    for args in runs {
        let r = run_in(t.dir.path(), &env, args).await;
        assert!(
            !r.stderr.is_empty(),
            "trace logging produced nothing for {args:?}"
        );
        for secret in [&secret_key, &token] {
            assert!(
                !r.stdout.contains(secret.as_str()),
                "{args:?} leaked on stdout\n{r:?}"
            );
            assert!(
                !r.stderr.contains(secret.as_str()),
                "{args:?} leaked on stderr\n{r:?}"
            );
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn match_names_pairs_buckets_and_reports_unmatched() {
    let t = Env::new().await;
    for b in ["alpha", "beta", "gamma"] {
        t.ok(&["buckets", "create", &format!("cos://{b}-1250000000")])
            .await;
        t.write("cors.json", S3_CORS);
        t.ok(&[
            "cors",
            "put",
            &format!("cos://{b}-1250000000"),
            "--file",
            "cors.json",
        ])
        .await;
    }
    t.ok(&["buckets", "create", "r2://alpha"]).await;
    t.ok(&["buckets", "create", "r2://beta"]).await;
    let r = t
        .ok(&[
            "cors",
            "copy",
            "--match-names",
            "--from-account",
            "cos://?region=ap-beijing",
            "--to-account",
            "r2://",
            "--state",
            "match.state",
            "--json",
        ])
        .await;
    let v = r.json();
    assert_eq!(v["results"].as_array().unwrap().len(), 2, "{r:?}");
    assert_eq!(v["summary"]["applied"], 2);
    assert_eq!(
        v["unmatched"][0],
        "cos://gamma-1250000000?region=ap-beijing"
    );
    assert!(r.stderr.contains("gamma-1250000000"), "{r:?}");
}

/// 200 buckets with 10% of requests failing and retries disabled: every bucket ends applied
/// or reported failed, none is skipped silently, and a rerun completes the failed ones.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn bulk_copy_of_200_buckets_with_faults_resumes_to_completion() {
    const N: usize = 200;
    let t = Env::new().await;
    let c = t.emu.cos_credentials();
    let r = t.emu.r2_credentials();
    let cos = CosClientBuilder::new()
        .secret_id(c.secret_id.clone())
        .secret_key(c.secret_key.clone())
        .region(c.region.clone())
        .endpoint(t.emu.cos_endpoint())
        .allow_http(true)
        .build()
        .unwrap();
    let r2 = R2ClientBuilder::new()
        .account_id(r.account_id.clone())
        .api_token(r.api_token.clone())
        .base_url(t.emu.r2_base_url())
        .allow_http(true)
        .pacing(None)
        .build()
        .unwrap();
    let cfg = |i: usize| {
        CorsConfiguration::new(vec![
            CorsRule::new([format!("https://site{i}.example.com")], [CorsMethod::Get])
                .with_max_age_seconds(600),
        ])
    };
    let mut mapping = String::from("# source,target\n");
    for i in 0..N {
        let (src, dst) = (format!("b{i:03}-1250000000"), format!("b{i:03}"));
        cos.create_bucket(&src, &Default::default()).await.unwrap();
        cos.put_cors(&src, &cfg(i)).await.unwrap();
        r2.create_bucket(&dst, &Default::default()).await.unwrap();
        mapping.push_str(&format!("cos://{src}?region=ap-beijing,r2://{dst}\n"));
    }
    t.write("buckets.csv", &mapping);
    t.emu.faults().set_error_rate(0.1, 42);
    let args = [
        "cors",
        "copy",
        "--mapping",
        "buckets.csv",
        "--retries",
        "1",
        "--concurrency",
        "8",
        "--json",
    ];
    let first = t.run(&args).await;
    assert_eq!(
        first.code, 1,
        "some buckets must fail at a 10% error rate\n{first:?}"
    );
    let v = first.json();
    let results = v["results"].as_array().unwrap();
    assert_eq!(results.len(), N);
    let mut failed = 0;
    for r in results {
        match r["outcome"].as_str().unwrap() {
            "applied" => {}
            "failed" => {
                failed += 1;
                assert!(r["error"].as_str().is_some_and(|e| !e.is_empty()), "{r}");
            }
            other => panic!("unexpected outcome {other}: {r}"),
        }
    }
    assert!(failed > 0 && failed < N, "failed {failed}");
    let state = std::fs::read_to_string(t.dir.path().join("buckets.csv.state.jsonl")).unwrap();
    assert_eq!(state.lines().count(), N - failed);

    t.emu.faults().clear();
    let second = t.run(&args).await;
    assert_eq!(second.code, 0, "{second:?}");
    let v = second.json();
    assert_eq!(v["summary"]["already_done"], N - failed);
    let completed = v["summary"]["applied"].as_u64().unwrap_or(0)
        + v["summary"]["unchanged"].as_u64().unwrap_or(0);
    assert_eq!(completed as usize, failed, "{:?}", v["summary"]);
    for i in 0..N {
        assert_eq!(
            r2.get_cors(&format!("b{i:03}")).await.unwrap(),
            Some(cfg(i)),
            "bucket {i}"
        );
    }
}

/// On a terminal a bulk copy draws a progress bar (count, rate, time left, counts), and
/// prints problems above it; on a pipe the same run writes one plain line per pair and no
/// escape sequences. Runs the binary under `script` for a pseudo-terminal.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn bulk_progress_is_a_bar_on_a_terminal_and_plain_on_a_pipe() {
    if std::process::Command::new("script")
        .arg("--version")
        .output()
        .is_err()
    {
        eprintln!("skipped: no `script` for a pseudo-terminal");
        return;
    }
    let t = Env::new().await;
    let mut mapping = String::new();
    for i in 0..3 {
        t.ok(&["buckets", "create", &format!("cos://s{i}-1250000000")])
            .await;
        t.ok(&["buckets", "create", &format!("r2://ttt{i}")]).await;
        t.write("s3.json", S3_CORS);
        t.ok(&[
            "cors",
            "put",
            &format!("cos://s{i}-1250000000"),
            "--file",
            "s3.json",
        ])
        .await;
        mapping.push_str(&format!("cos://s{i}-1250000000,r2://ttt{i}\n"));
    }
    mapping.push_str("cos://nope-1250000000,r2://ttt9\n");
    t.write("map.csv", &mapping);
    let (dir, env) = (t.dir.path().to_owned(), t.env.clone());
    let out = tokio::task::spawn_blocking(move || {
        std::process::Command::new("script")
            .args([
                "-qfec",
                &format!("{BIN} cors copy --mapping map.csv"),
                "/dev/null",
            ])
            .current_dir(dir)
            .env_clear()
            .env("PATH", std::env::var("PATH").unwrap_or_default())
            .env("TERM", "xterm")
            .envs(env)
            .output()
            .expect("run script")
    })
    .await
    .unwrap();
    let tty = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(1), "{tty}");
    assert!(tty.contains("] 4/4 "), "the bar's count: {tty}");
    assert!(tty.contains("/s "), "the bar's rate: {tty}");
    assert!(
        tty.contains("applied 3, failed 1"),
        "counts on the bar: {tty}"
    );
    assert!(tty.contains("failed cos://nope-1250000000"), "{tty}");
    assert!(tty.contains("4 pair(s): 3 applied, 1 failed"), "{tty}");

    let plain = t
        .run(&["cors", "copy", "--mapping", "map.csv", "--fresh"])
        .await;
    assert_eq!(plain.code, 1, "{plain:?}");
    assert!(!plain.stderr.contains('\x1b'), "{plain:?}");
    assert!(!plain.stderr.contains('\r'), "{plain:?}");
    assert_eq!(
        plain.stderr.lines().filter(|l| l.starts_with('[')).count(),
        4,
        "{plain:?}"
    );
}

/// While R2 pacing holds requests back, the bar says so (`--r2-pacing 10/10`: one request at
/// once, then one every 1.1 s, so the pair's R2 requests wait seconds).
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn the_bar_shows_the_r2_pacing_wait() {
    let t = Env::new().await;
    t.ok(&["buckets", "create", "cos://paced-1250000000"]).await;
    t.ok(&["buckets", "create", "r2://paced"]).await;
    t.write("s3.json", S3_CORS);
    t.ok(&["cors", "put", "cos://paced-1250000000", "--file", "s3.json"])
        .await;
    t.write("map.csv", "cos://paced-1250000000,r2://paced\n");
    let Some(tty) = run_tty(&t, "--r2-pacing 10/10 cors copy --mapping map.csv").await else {
        eprintln!("skipped: no `script` for a pseudo-terminal");
        return;
    };
    assert!(tty.contains("pacing: waiting "), "{tty}");
    assert!(tty.contains("1 pair(s): 1 applied"), "{tty}");
    // Without pacing nothing is said about it.
    let Some(fast) = run_tty(&t, "cors copy --mapping map.csv --fresh").await else {
        return;
    };
    assert!(!fast.contains("pacing"), "{fast}");
}

/// The binary's combined output on a pseudo-terminal (`script`), or `None` without `script`.
async fn run_tty(t: &Env, args: &str) -> Option<String> {
    std::process::Command::new("script")
        .arg("--version")
        .output()
        .ok()?;
    let (dir, env, cmd) = (
        t.dir.path().to_owned(),
        t.env.clone(),
        format!("{BIN} {args}"),
    );
    let out = tokio::task::spawn_blocking(move || {
        std::process::Command::new("script")
            .args(["-qfec", &cmd, "/dev/null"])
            .current_dir(dir)
            .env_clear()
            .env("PATH", std::env::var("PATH").unwrap_or_default())
            .env("TERM", "xterm")
            .envs(env)
            .output()
            .expect("run script")
    })
    .await
    .unwrap();
    Some(String::from_utf8_lossy(&out.stdout).into_owned())
}

/// `lifecycle get` at a terminal shows a table, R2 ages in R2's seconds with the days
/// beside; into a pipe it stays the neutral JSON `lifecycle put` reads.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn lifecycle_get_shows_r2_ages_in_seconds_at_a_terminal() {
    let t = Env::new().await;
    t.ok(&["buckets", "create", "r2://logs"]).await;
    t.ok(&["buckets", "create", "cos://logs-1250000000"]).await;
    t.write(
        "aws.json",
        r#"{"Rules":[{"ID":"expire-logs","Status":"Enabled","Filter":{"Prefix":"logs/"},"Expiration":{"Days":30}}]}"#,
    );
    for target in ["r2://logs", "cos://logs-1250000000"] {
        t.ok(&["lifecycle", "put", target, "--file", "aws.json"])
            .await;
    }
    let Some(r2) = run_tty(&t, "lifecycle get r2://logs").await else {
        eprintln!("skipped: no `script` for a pseudo-terminal");
        return;
    };
    assert!(r2.contains("after 2592000 s (30 d)"), "{r2}");
    assert!(r2.contains("expire-logs"), "{r2}");
    let cos = run_tty(&t, "lifecycle get cos://logs-1250000000")
        .await
        .unwrap();
    assert!(cos.contains("after 30 d"), "{cos}");
    let piped = t.ok(&["lifecycle", "get", "r2://logs"]).await;
    assert_eq!(piped.json()["rules"][0]["expiration"]["after"]["days"], 30);
}

fn backup_in(stdout: &str) -> String {
    let at = stdout
        .find("previous configuration saved to ")
        .unwrap_or_else(|| panic!("no backup path in {stdout}"));
    stdout[at + "previous configuration saved to ".len()..]
        .lines()
        .next()
        .unwrap()
        .trim()
        .to_owned()
}

/// Every put and delete saves what it replaces, says where, and stops when the current
/// configuration cannot be read.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn every_put_and_delete_backs_up_what_it_replaces() {
    let t = Env::new().await;
    t.ok(&["buckets", "create", "cos://web-1250000000"]).await;
    t.ok(&["buckets", "create", "cos://replica-1250000000"])
        .await;
    t.ok(&["buckets", "create", "r2://web"]).await;
    t.write("cors.json", S3_CORS);
    let first = t
        .ok(&["cors", "put", "r2://web", "--file", "cors.json"])
        .await;
    assert!(
        first
            .stdout
            .contains("no previous configuration to back up"),
        "{first:?}"
    );
    t.write(
        "other.json",
        r#"{"CORSRules":[{"AllowedOrigins":["https://other.example"],"AllowedMethods":["GET"]}]}"#,
    );
    let second = t
        .ok(&["cors", "put", "r2://web", "--file", "other.json"])
        .await;
    let saved = std::fs::read_to_string(t.dir.path().join(backup_in(&second.stdout))).unwrap();
    assert!(saved.contains("https://app.example.com"), "{saved}");
    let deleted = t
        .ok(&["cors", "delete", "r2://web", "--backup-dir", "bk", "--json"])
        .await;
    let path = deleted.json()["backup"].as_str().unwrap().to_owned();
    assert!(path.starts_with("bk/"), "{path}");
    let saved = std::fs::read_to_string(t.dir.path().join(&path)).unwrap();
    assert!(saved.contains("https://other.example"), "{saved}");

    // New R2 buckets hold a default lifecycle rule: a put replaces it, so it is saved.
    t.write(
        "rules.json",
        r#"{"rules":[{"id":"expire","enabled":true,"expiration":{"after":{"days":30}}}]}"#,
    );
    let lc = t
        .ok(&["lifecycle", "put", "r2://web", "--file", "rules.json"])
        .await;
    let saved = std::fs::read_to_string(t.dir.path().join(backup_in(&lc.stdout))).unwrap();
    assert!(saved.contains("abort_incomplete_multipart"), "{saved}");
    let lcd = t.ok(&["lifecycle", "delete", "r2://web"]).await;
    let saved = std::fs::read_to_string(t.dir.path().join(backup_in(&lcd.stdout))).unwrap();
    assert!(saved.contains("\"expire\""), "{saved}");

    t.write(
        "policy.json",
        r#"{"version":"2.0","statements":[{"effect":"allow","principal":{"qcs":["qcs::cam::anyone:anyone"]},"actions":["name/cos:GetObject"],"resources":["qcs::cos:ap-beijing:uid/1250000000:web-1250000000/*"]}]}"#,
    );
    t.ok(&[
        "policy",
        "put",
        "cos://web-1250000000",
        "--file",
        "policy.json",
    ])
    .await;
    let pd = t.ok(&["policy", "delete", "cos://web-1250000000"]).await;
    let saved = std::fs::read_to_string(t.dir.path().join(backup_in(&pd.stdout))).unwrap();
    assert!(saved.contains("name/cos:GetObject"), "{saved}");
    t.ok(&["versioning", "put", "cos://web-1250000000", "enabled"])
        .await;
    t.ok(&["versioning", "put", "cos://replica-1250000000", "enabled"])
        .await;
    t.write(
        "replication.json",
        r#"{"role":"qcs::cam::uin/100000000001:uin/100000000001","rules":[{"id":"all","enabled":true,"prefix":"","destination":{"bucket":"qcs::cos:ap-beijing::replica-1250000000"}}]}"#,
    );
    t.ok(&[
        "replication",
        "put",
        "cos://web-1250000000",
        "--file",
        "replication.json",
    ])
    .await;
    let rd = t
        .ok(&["replication", "delete", "cos://web-1250000000"])
        .await;
    let saved = std::fs::read_to_string(t.dir.path().join(backup_in(&rd.stdout))).unwrap();
    assert!(saved.contains("replica-1250000000"), "{saved}");

    // --no-backup says so and reads nothing first.
    t.ok(&["cors", "put", "r2://web", "--file", "cors.json"])
        .await;
    let skipped = t
        .ok(&[
            "cors",
            "put",
            "r2://web",
            "--file",
            "other.json",
            "--no-backup",
        ])
        .await;
    assert!(
        skipped.stdout.contains("not backed up (--no-backup)"),
        "{skipped:?}"
    );
    let copied = t
        .ok(&[
            "cors",
            "copy",
            "--from",
            "file://cors.json",
            "--to",
            "r2://web",
            "--no-backup",
        ])
        .await;
    assert!(
        copied.stdout.contains("was not backed up (--no-backup)"),
        "{copied:?}"
    );

    // An answer that cannot be decoded is not "nothing configured": stop, write nothing.
    t.ok(&["cors", "put", "cos://web-1250000000", "--file", "cors.json"])
        .await;
    t.emu.faults().push(
        FaultRule::new(Fault::MalformedBody)
            .api(Api::Cos)
            .method("GET")
            .path_contains("cors"),
    );
    let refused = t
        .run(&[
            "--retries",
            "1",
            "cors",
            "put",
            "cos://web-1250000000",
            "--file",
            "other.json",
        ])
        .await;
    assert_ne!(refused.code, 0, "{refused:?}");
    assert!(
        refused.stderr.contains("nothing was written"),
        "{refused:?}"
    );
    assert!(refused.stderr.contains("--no-backup"), "{refused:?}");
    let still = t
        .ok(&["cors", "get", "cos://web-1250000000", "--json"])
        .await;
    assert_eq!(
        still.json()["rules"][0]["allowed_origins"][0],
        "https://app.example.com"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn missing_files_and_zero_timeouts_are_errors() {
    let t = Env::new().await;
    for args in [
        &["cors", "get", "file://does-not-exist.json"][..],
        &["lifecycle", "get", "file://does-not-exist.json"],
        &[
            "cors",
            "diff",
            "file://does-not-exist.json",
            "file://nope.json",
        ],
        &["cors", "put", "r2://web", "--file", "does-not-exist.json"],
    ] {
        let r = t.run(args).await;
        assert_eq!(r.code, 6, "{args:?}: {r:?}");
        assert!(
            r.stderr.contains("does-not-exist.json does not exist"),
            "{r:?}"
        );
    }
    let zero = t.run(&["--timeout", "0", "buckets", "list", "r2://"]).await;
    assert_eq!(zero.code, 2, "{zero:?}");
    assert!(zero.stderr.contains("at least 1"), "{zero:?}");
    let help = t.ok(&["--help"]).await;
    assert!(help.stdout.contains("6  not found"), "{help:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn json_errors_carry_the_library_error_fields() {
    let t = Env::new().await;
    let r = t
        .run(&["cors", "get", "r2://no-such-bucket", "--json"])
        .await;
    assert_eq!(r.code, 6, "{r:?}");
    let e = &r.json()["error"];
    assert_eq!(e["kind"], "not_found", "{e}");
    assert_eq!(e["provider"], "r2", "{e}");
    assert_eq!(e["operation"], "get_cors", "{e}");
    assert_eq!(e["bucket"], "no-such-bucket", "{e}");
    assert_eq!(e["status"], 404, "{e}");
    assert!(
        e["request_id"].as_str().is_some_and(|s| !s.is_empty()),
        "{e}"
    );
    assert_eq!(e["attempts"], 1, "{e}");
    assert_eq!(e["exit_code"], 6, "{e}");
}

const OTHER_CORS: &str =
    r#"{"CORSRules":[{"AllowedOrigins":["https://other.example"],"AllowedMethods":["GET"]}]}"#;

fn outcomes(v: &serde_json::Value) -> Vec<String> {
    v["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["outcome"].as_str().unwrap().to_owned())
        .collect()
}

/// A rerun re-reads each source: a pair verified earlier is copied again when its source
/// changed, skipped only when the plan is the one verified; `--fresh` ignores the state.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn bulk_rerun_recopies_a_changed_source_and_fresh_ignores_the_state() {
    let t = Env::new().await;
    t.ok(&["buckets", "create", "cos://src-1250000000"]).await;
    t.ok(&["buckets", "create", "r2://dst"]).await;
    t.write("cors.json", S3_CORS);
    t.write("other.json", OTHER_CORS);
    t.ok(&["cors", "put", "cos://src-1250000000", "--file", "cors.json"])
        .await;
    t.write("map.csv", "cos://src-1250000000,r2://dst\n");
    let args = ["cors", "copy", "--mapping", "map.csv", "--json"];
    let first = t.ok(&args).await;
    assert_eq!(outcomes(&first.json()), ["applied"], "{first:?}");
    let table = t
        .ok(&[
            "cors",
            "copy",
            "--mapping",
            "map.csv",
            "--fresh",
            "--state",
            "other.jsonl",
        ])
        .await;
    assert!(table.stdout.contains("unchanged"), "{table:?}");
    let state = std::fs::read_to_string(t.dir.path().join("map.csv.state.jsonl")).unwrap();
    assert!(state.contains("\"plan_sha1\":\""), "{state}");

    t.ok(&[
        "cors",
        "put",
        "cos://src-1250000000",
        "--file",
        "other.json",
    ])
    .await;
    let second = t.ok(&args).await;
    assert_eq!(outcomes(&second.json()), ["applied"], "{second:?}");
    let backup = second.json()["results"][0]["backup"]
        .as_str()
        .unwrap_or_else(|| panic!("the overwrite is backed up: {second:?}"))
        .to_owned();
    let saved = std::fs::read_to_string(t.dir.path().join(backup)).unwrap();
    assert!(saved.contains("https://app.example.com"), "{saved}");
    t.ok(&["cors", "diff", "cos://src-1250000000", "r2://dst"])
        .await;

    // Same source, spelled differently: one state key.
    t.write(
        "map.csv",
        "cos://src-1250000000?region=ap-beijing,r2://dst/\n",
    );
    let third = t.ok(&args).await;
    let v = third.json();
    assert_eq!(outcomes(&v), ["already_done"], "{third:?}");
    assert_eq!(v["summary"]["already_done"], 1, "one key style: {v}");
    let fresh = t
        .ok(&["cors", "copy", "--mapping", "map.csv", "--json", "--fresh"])
        .await;
    assert_eq!(outcomes(&fresh.json()), ["unchanged"], "{fresh:?}");
}

/// `r2://t`, `r2://t?jurisdiction=default` and `r2://t/` are one bucket.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn duplicate_targets_are_found_on_canonical_urls() {
    let t = Env::new().await;
    t.write(
        "map.csv",
        "r2://aaa,r2://ttt\nr2://bbb,r2://ttt?jurisdiction=default\nr2://ccc,r2://ttt/\n",
    );
    let r = t.run(&["cors", "copy", "--mapping", "map.csv"]).await;
    assert_eq!(r.code, 2, "{r:?}");
    assert!(
        r.stderr
            .contains("line 2: target r2://ttt is already the target of line 1"),
        "{r:?}"
    );
    assert!(
        r.stderr
            .contains("line 3: target r2://ttt is already the target of line 1"),
        "{r:?}"
    );
}

/// A stalled connection fails its pair after --pair-timeout and frees the slot.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_stalled_pair_times_out_without_holding_the_run() {
    let t = Env::new().await;
    for b in ["fast", "slow"] {
        t.ok(&["buckets", "create", &format!("cos://{b}-1250000000")])
            .await;
        t.ok(&["buckets", "create", &format!("r2://{b}")]).await;
        t.write("cors.json", S3_CORS);
        t.ok(&[
            "cors",
            "put",
            &format!("cos://{b}-1250000000"),
            "--file",
            "cors.json",
        ])
        .await;
    }
    t.write(
        "map.csv",
        "cos://slow-1250000000,r2://slow\ncos://fast-1250000000,r2://fast\n",
    );
    t.emu.faults().push(
        FaultRule::new(Fault::Stall(std::time::Duration::from_secs(30)))
            .api(Api::R2)
            .path_contains("/buckets/slow/"),
    );
    let started = std::time::Instant::now();
    let r = t
        .run(&[
            "cors",
            "copy",
            "--mapping",
            "map.csv",
            "--concurrency",
            "1",
            "--pair-timeout",
            "2",
            "--json",
        ])
        .await;
    assert!(started.elapsed().as_secs() < 20, "{r:?}");
    assert_eq!(r.code, 1, "{r:?}");
    let v = r.json();
    assert_eq!(outcomes(&v), ["failed", "applied"], "{r:?}");
    assert!(
        v["results"][0]["error"]
            .as_str()
            .unwrap()
            .contains("gave up after 2 s (--pair-timeout)"),
        "{v}"
    );
}

/// Rules a copy removes from the target are in the loss report and the JSON changes.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn copies_report_the_target_rules_they_remove() {
    let t = Env::new().await;
    t.ok(&["buckets", "create", "cos://logs-1250000000"]).await;
    t.ok(&["buckets", "create", "r2://logs"]).await;
    t.write(
        "rules.json",
        r#"{"rules":[{"id":"expire-logs","enabled":true,"filter":{"prefix":"logs/"},"expiration":{"after":{"days":30}}}]}"#,
    );
    t.ok(&[
        "lifecycle",
        "put",
        "cos://logs-1250000000",
        "--file",
        "rules.json",
    ])
    .await;
    let from = [
        "lifecycle",
        "copy",
        "--from",
        "cos://logs-1250000000",
        "--to",
        "r2://logs",
    ];
    let dry: Vec<&str> = from.iter().copied().chain(["--dry-run"]).collect();
    let plan = t.ok(&dry).await;
    assert!(!plan.stdout.contains("nothing lost or changed"), "{plan:?}");
    assert!(plan.stdout.contains("target.rules[0] dropped"), "{plan:?}");
    assert!(plan.stdout.contains("the copy removes it"), "{plan:?}");
    let json: Vec<&str> = from.iter().copied().chain(["--json"]).collect();
    let applied = t.ok(&json).await;
    let v = applied.json();
    assert_eq!(v["outcome"], "applied", "{v}");
    let changes = v["changes"].as_array().unwrap();
    assert_eq!(changes.len(), 1, "{v}");
    assert_eq!(changes[0]["path"], "target.rules[0]");
    assert_eq!(changes[0]["kind"], "dropped");
    assert!(v["backup"].as_str().is_some(), "{v}");

    // CORS: the replaced rule is named.
    t.write("cors.json", S3_CORS);
    t.write("other.json", OTHER_CORS);
    t.ok(&["cors", "put", "r2://logs", "--file", "cors.json"])
        .await;
    let c = t
        .ok(&[
            "cors",
            "copy",
            "--from",
            "file://other.json",
            "--to",
            "r2://logs",
        ])
        .await;
    assert!(
        c.stdout.contains(
            "target.rules[0] dropped: the target's existing rule `web` (https://app.example.com)"
        ),
        "{c:?}"
    );
}

/// `cos://?region=X` lists region X only, and --match-names addresses each bucket in its
/// own region.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn cos_regions_are_honoured_when_listing_and_matching() {
    let t = Env::new().await;
    t.ok(&["buckets", "create", "cos://beijing-1250000000"])
        .await;
    t.ok(&[
        "buckets",
        "create",
        "cos://shanghai-1250000000?region=ap-shanghai",
    ])
    .await;
    let sh = t
        .ok(&["buckets", "list", "cos://?region=ap-shanghai", "--json"])
        .await;
    let names: Vec<String> = sh
        .json()
        .as_array()
        .unwrap()
        .iter()
        .map(|b| b["name"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(names, ["shanghai-1250000000"], "{sh:?}");
    let all = t.ok(&["buckets", "list", "cos://", "--json"]).await;
    assert_eq!(all.json().as_array().unwrap().len(), 2, "{all:?}");

    t.write("cors.json", S3_CORS);
    t.ok(&[
        "cors",
        "put",
        "cos://shanghai-1250000000?region=ap-shanghai",
        "--file",
        "cors.json",
    ])
    .await;
    t.ok(&["buckets", "create", "r2://shanghai"]).await;
    t.ok(&["buckets", "create", "r2://beijing"]).await;
    let r = t
        .ok(&[
            "cors",
            "copy",
            "--match-names",
            "--from-account",
            "cos://",
            "--to-account",
            "r2://",
            "--json",
        ])
        .await;
    let v = r.json();
    let results = v["results"].as_array().unwrap();
    let sh = results
        .iter()
        .find(|r| r["target"] == "r2://shanghai")
        .unwrap_or_else(|| panic!("{v}"));
    assert_eq!(
        sh["source"], "cos://shanghai-1250000000?region=ap-shanghai",
        "{v}"
    );
    assert_eq!(sh["outcome"], "applied", "{v}");
    let bj = results
        .iter()
        .find(|r| r["target"] == "r2://beijing")
        .unwrap();
    assert_eq!(bj["outcome"], "source_empty", "{v}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn uppercase_cos_names_are_created_in_lower_case_and_said_so() {
    let t = Env::new().await;
    let r = t.ok(&["buckets", "create", "cos://Media-1250000000"]).await;
    assert!(
        r.stderr
            .contains("created `media-1250000000` (you asked for `Media-1250000000`)"),
        "{r:?}"
    );
    t.ok(&["buckets", "exists", "cos://media-1250000000"]).await;
    assert_eq!(t.emu.cos_bucket_names(), ["media-1250000000"]);
}

/// COS dates are midnight +08:00, R2's midnight UTC: a copy reports the shift; neutral files
/// take RFC 3339 dates, and a bare date means UTC.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn lifecycle_dates_keep_their_zone_through_files_and_copies() {
    let t = Env::new().await;
    t.ok(&["buckets", "create", "cos://logs-1250000000"]).await;
    t.ok(&["buckets", "create", "r2://logs"]).await;
    t.write(
        "rules.json",
        r#"{"rules":[{"id":"old","enabled":true,"expiration":{"on":"2031-04-20T00:00:00+08:00"}}]}"#,
    );
    t.ok(&[
        "lifecycle",
        "put",
        "cos://logs-1250000000",
        "--file",
        "rules.json",
    ])
    .await;
    let got = t
        .ok(&["lifecycle", "get", "cos://logs-1250000000", "--json"])
        .await;
    assert_eq!(
        got.json()["rules"][0]["expiration"]["on"],
        "2031-04-20T00:00:00+08:00"
    );
    let copy = t
        .run(&[
            "lifecycle",
            "copy",
            "--from",
            "cos://logs-1250000000",
            "--to",
            "r2://logs",
            "--json",
        ])
        .await;
    assert_eq!(copy.code, 3, "a moved date is a change to accept: {copy:?}");
    let v = copy.json();
    let shift = v["changes"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["path"].as_str().unwrap().starts_with("rules[0]"))
        .unwrap_or_else(|| panic!("{v}"));
    assert!(
        shift["detail"]
            .as_str()
            .unwrap()
            .contains("8 hour(s) later"),
        "{shift}"
    );
    t.write(
        "utc.json",
        r#"{"rules":[{"id":"old","enabled":true,"expiration":{"on":"2031-04-20"}}]}"#,
    );
    t.ok(&["lifecycle", "put", "r2://logs", "--file", "utc.json"])
        .await;
    let r2 = t.ok(&["lifecycle", "get", "r2://logs", "--json"]).await;
    assert_eq!(
        r2.json()["rules"][0]["expiration"]["on"],
        "2031-04-20T00:00:00Z"
    );
}

/// `ResponseVary: false` (the COS default) loses nothing on R2; `true` is a loss that `put`
/// refuses unless `--allow-lossy`, as `copy` does.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn response_vary_false_puts_to_r2_and_true_needs_allow_lossy() {
    let t = Env::new().await;
    t.ok(&["buckets", "create", "r2://web"]).await;
    let xml = |vary: &str| {
        format!(
            "<CORSConfiguration><CORSRule><AllowedOrigin>https://a.com</AllowedOrigin><AllowedMethod>GET</AllowedMethod></CORSRule><ResponseVary>{vary}</ResponseVary></CORSConfiguration>"
        )
    };
    t.write("false.xml", &xml("false"));
    t.write("true.xml", &xml("true"));
    let put = t
        .ok(&["cors", "put", "r2://web", "--file", "false.xml"])
        .await;
    assert!(put.stdout.contains("put 1 CORS rule(s)"), "{put:?}");
    let got = t.ok(&["cors", "get", "r2://web", "--json"]).await;
    assert_eq!(
        got.json()["rules"][0]["allowed_origins"][0],
        "https://a.com"
    );
    let refused = t
        .run(&["cors", "put", "r2://web", "--file", "true.xml"])
        .await;
    assert_eq!(refused.code, 3, "{refused:?}");
    assert!(
        refused.stderr.contains("extras.cos_response_vary dropped"),
        "{refused:?}"
    );
    assert!(refused.stderr.contains("--allow-lossy"), "{refused:?}");
    let lossy = t
        .ok(&[
            "cors",
            "put",
            "r2://web",
            "--file",
            "true.xml",
            "--allow-lossy",
        ])
        .await;
    assert!(
        lossy.stderr.contains("warning (--allow-lossy)"),
        "{lossy:?}"
    );
    // The same file copies losslessly too.
    t.ok(&[
        "cors",
        "copy",
        "--from",
        "file://false.xml",
        "--to",
        "r2://web",
    ])
    .await;
}

/// Errors speak of flags and variables: --allow-http, -J, every missing variable at once;
/// COS_APPID completes bucket names, --region and -J fill in what a URL leaves out.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn messages_and_defaults_in_cli_terms() {
    let t = Env::new().await;
    let dir = tempfile::tempdir().unwrap();
    let cos = run_in(dir.path(), &[], &["cors", "get", "cos://web-1250000000"]).await;
    assert_eq!(cos.code, 2, "{cos:?}");
    assert!(
        cos.stderr.contains(
            "COS needs settings that are not set: COS_SECRET_ID, COS_SECRET_KEY, COS_REGION"
        ),
        "{cos:?}"
    );
    let r2 = run_in(dir.path(), &[], &["cors", "get", "r2://web"]).await;
    assert!(
        r2.stderr.contains(
            "R2 needs settings that are not set: CLOUDFLARE_API_TOKEN, CLOUDFLARE_ACCOUNT_ID"
        ),
        "{r2:?}"
    );
    for target in ["cos://web-1250000000", "r2://web"] {
        let http = t
            .run(&["--endpoint", "http://192.0.2.1:9000", "cors", "get", target])
            .await;
        assert_eq!(http.code, 2, "{http:?}");
        assert!(http.stderr.contains("--allow-http"), "{http:?}");
        assert!(!http.stderr.contains("allow_http("), "{http:?}");
    }
    let missing = t.run(&["cors", "get", "r2://nothing-here"]).await;
    assert_eq!(missing.code, 6, "{missing:?}");
    assert!(missing.stderr.contains("-J eu"), "{missing:?}");
    assert!(!missing.stderr.contains("R2Client"), "{missing:?}");

    // COS_APPID: cos://web is web-<appid>.
    let mut env = t.env.clone();
    env.push(("COS_APPID".into(), t.emu.cos_credentials().appid.clone()));
    let created = run_in(t.dir.path(), &env, &["buckets", "create", "cos://appweb"]).await;
    assert_eq!(created.code, 0, "{created:?}");
    let appid = &t.emu.cos_credentials().appid;
    assert_eq!(t.emu.cos_bucket_names(), [format!("appweb-{appid}")]);
    // --region and -J for URLs that name none.
    t.ok(&[
        "--region",
        "ap-shanghai",
        "buckets",
        "create",
        "cos://sh-1250000000",
    ])
    .await;
    let sh = t
        .ok(&[
            "buckets",
            "list",
            "cos://",
            "--region",
            "ap-shanghai",
            "--json",
        ])
        .await;
    assert_eq!(sh.json().as_array().unwrap().len(), 1, "{sh:?}");
    assert_eq!(sh.json()[0]["name"], "sh-1250000000");
    t.ok(&["-J", "eu", "buckets", "create", "r2://in-eu"]).await;
    assert_eq!(
        t.emu.r2_bucket_names(bucket_admin_core::Jurisdiction::Eu),
        ["in-eu"]
    );
    let eu = t
        .ok(&["buckets", "list", "r2://", "-J", "eu", "--json"])
        .await;
    assert_eq!(eu.json()[0]["name"], "in-eu", "{eu:?}");
}

/// Completion scripts are generated for every shell, and bash parses the bash one.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn shell_completions_are_generated_and_bash_parses_them() {
    let dir = tempfile::tempdir().unwrap();
    for shell in ["bash", "zsh", "fish", "powershell"] {
        let r = run_in(dir.path(), &[], &["completions", shell]).await;
        assert_eq!(r.code, 0, "{shell}: {r:?}");
        assert!(r.stdout.contains("bucket-admin"), "{shell}: {r:?}");
        assert!(r.stdout.contains("lifecycle"), "{shell}: {r:?}");
    }
    let bash = run_in(dir.path(), &[], &["completions", "bash"]).await;
    std::fs::write(dir.path().join("c.bash"), &bash.stdout).unwrap();
    let out = std::process::Command::new("bash")
        .arg("-c")
        .arg("source ./c.bash && complete -p bucket-admin")
        .current_dir(dir.path())
        .output()
        .expect("run bash");
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{text} {}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(text.contains("bucket-admin"), "{text}");
    let bad = run_in(dir.path(), &[], &["completions", "tcsh"]).await;
    assert_eq!(bad.code, 2, "{bad:?}");
}

/// Host-style COS addresses are understood; a missing COS bucket hints at the region; the
/// CLI's --timeout reaches the COS client.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn cos_hosts_region_hints_and_timeouts() {
    let t = Env::new().await;
    t.ok(&[
        "buckets",
        "create",
        "cos://web-1250000000?region=ap-shanghai",
    ])
    .await;
    t.ok(&[
        "buckets",
        "exists",
        "https://web-1250000000.cos.ap-shanghai.myqcloud.com",
    ])
    .await;
    t.ok(&[
        "buckets",
        "exists",
        "cos://web-1250000000.cos.ap-shanghai.myqcloud.com",
    ])
    .await;
    let wrong = t.run(&["cors", "get", "cos://web-1250000000"]).await;
    assert_eq!(wrong.code, 6, "{wrong:?}");
    assert!(
        wrong.stderr.contains("another region") && wrong.stderr.contains("--region"),
        "{wrong:?}"
    );
    t.emu.faults().push(
        FaultRule::new(Fault::Stall(std::time::Duration::from_secs(30)))
            .api(Api::Cos)
            .times(5),
    );
    let started = std::time::Instant::now();
    let slow = t
        .run(&[
            "--timeout",
            "1",
            "--retries",
            "1",
            "cors",
            "get",
            "cos://web-1250000000?region=ap-shanghai",
        ])
        .await;
    assert!(started.elapsed().as_secs() < 15, "{slow:?}");
    assert_eq!(slow.code, 1, "{slow:?}");
    assert!(slow.stderr.contains("timeout"), "{slow:?}");
}

/// `buckets create` takes the options the library has, and they reach the server.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn create_options_reach_the_emulator() {
    let t = Env::new().await;
    t.ok(&[
        "buckets",
        "create",
        "cos://opts-1250000000",
        "--acl",
        "public-read",
        "--grant-read",
        "100000000001",
        "--tag",
        "env=prod",
        "--multi-az",
    ])
    .await;
    let put = t
        .emu
        .requests()
        .into_iter()
        .find(|r| r.method == "PUT" && r.header("x-cos-acl").is_some())
        .expect("the create request");
    assert_eq!(put.header("x-cos-acl"), Some("public-read"));
    assert_eq!(put.header("x-cos-grant-read"), Some("id=\"100000000001\""));
    assert!(
        put.header("x-cos-tagging").unwrap().contains("env=prod"),
        "{put:?}"
    );
    assert!(
        String::from_utf8_lossy(&put.body).contains("MAZ"),
        "{put:?}"
    );
    t.ok(&[
        "buckets",
        "create",
        "r2://opts",
        "--location",
        "weur",
        "--storage-class",
        "infrequent-access",
    ])
    .await;
    let list = t.ok(&["buckets", "list", "r2://", "--json"]).await;
    let b = &list.json()[0];
    assert_eq!(b["name"], "opts", "{list:?}");
    assert_eq!(b["region"], "weur", "{list:?}");
    assert_eq!(b["storage_class"], "infrequent_access", "{list:?}");
    let refused = t
        .run(&["buckets", "create", "r2://nope", "--acl", "private"])
        .await;
    assert_eq!(refused.code, 1, "{refused:?}");
    assert!(
        refused.stderr.contains("R2 does not support canned ACLs"),
        "{refused:?}"
    );
    assert!(
        t.emu
            .r2_bucket_names(bucket_admin_core::Jurisdiction::Default)
            .len()
            == 1
    );
}

/// `--emulator` keeps its buckets between commands when a data directory is named.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn in_process_emulator_keeps_state_in_a_data_dir() {
    let dir = tempfile::tempdir().unwrap();
    let env = [(
        "BUCKET_ADMIN_EMULATOR_DIR".to_owned(),
        dir.path().join("emu").display().to_string(),
    )];
    let created = run_in(
        dir.path(),
        &env,
        &["--emulator", "buckets", "create", "r2://kept"],
    )
    .await;
    assert_eq!(created.code, 0, "{created:?}");
    let list = run_in(
        dir.path(),
        &env,
        &["--emulator", "buckets", "list", "r2://", "--json"],
    )
    .await;
    assert_eq!(list.code, 0, "{list:?}");
    assert_eq!(list.json()[0]["name"], "kept", "{list:?}");
    let fresh = run_in(
        dir.path(),
        &[],
        &["--emulator", "buckets", "list", "r2://", "--json"],
    )
    .await;
    assert_eq!(fresh.json(), serde_json::json!([]), "{fresh:?}");
    let help = run_in(dir.path(), &[], &["--help"]).await;
    assert!(
        help.stdout.contains("BUCKET_ADMIN_EMULATOR_DIR"),
        "{help:?}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_bad_value_in_a_file_is_named_by_its_field() {
    let t = Env::new().await;
    t.write(
        "cos.json",
        r#"{"CORSRule":[{"AllowedOrigin":["*"],"AllowedMethod":["GET"],"MaxAgeSeconds":-5}]}"#,
    );
    t.write(
        "rules.json",
        r#"{"rules":[{"id":"x","enabled":true,"expiration":{"after":{"days":-3}}}]}"#,
    );
    let cors = t
        .run(&["cors", "put", "r2://web", "--file", "cos.json"])
        .await;
    assert_eq!(cors.code, 2, "{cors:?}");
    assert!(
        cors.stderr.contains("CORSRule[0].MaxAgeSeconds: `-5`"),
        "{cors:?}"
    );
    let lc = t
        .run(&["lifecycle", "put", "r2://web", "--file", "rules.json"])
        .await;
    assert_eq!(lc.code, 2, "{lc:?}");
    assert!(
        lc.stderr.contains("rules[0].expiration.after.days"),
        "{lc:?}"
    );
}

/// `cors get` shows a table to a person; an empty lifecycle shows the file shape, and so
/// does `--help`.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn readable_output_and_discoverable_shapes() {
    let t = Env::new().await;
    t.ok(&["buckets", "create", "r2://web"]).await;
    t.write("cors.json", S3_CORS);
    t.ok(&["cors", "put", "r2://web", "--file", "cors.json"])
        .await;
    let table = t.ok(&["cors", "get", "r2://web"]).await;
    let lines: Vec<&str> = table.stdout.lines().collect();
    assert!(lines[0].starts_with("#  id"), "{table:?}");
    assert!(
        lines[2].contains("web")
            && lines[2].contains("https://app.example.com")
            && lines[2].contains("600 s"),
        "{table:?}"
    );
    assert!(!table.stdout.contains('{'), "{table:?}");
    let empty = t.ok(&["lifecycle", "get", "r2://web", "--json"]).await;
    // A new R2 bucket holds the default rule; delete it to see an empty bucket.
    assert!(empty.stdout.contains("rules"), "{empty:?}");
    t.ok(&["lifecycle", "delete", "r2://web", "--no-backup"])
        .await;
    let empty = t.ok(&["lifecycle", "get", "r2://web", "--json"]).await;
    assert_eq!(empty.json(), serde_json::Value::Null);
    let at = empty
        .stderr
        .find('{')
        .unwrap_or_else(|| panic!("{empty:?}"));
    t.write("example.json", &empty.stderr[at..]);
    t.ok(&["lifecycle", "put", "r2://web", "--file", "example.json"])
        .await;
    let help = t.ok(&["lifecycle", "put", "--help"]).await;
    assert!(
        help.stdout
            .contains("\"abort_incomplete_multipart_upload\""),
        "{help:?}"
    );
}

/// Lifecycle files in the shapes users bring (AWS JSON, COS dict, COS XML, R2/wrangler)
/// are read, written with --output-format, and diffed.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn lifecycle_files_in_every_shape() {
    let t = Env::new().await;
    t.ok(&["buckets", "create", "r2://logs"]).await;
    t.ok(&["buckets", "create", "cos://logs-1250000000"]).await;
    t.write(
        "aws.json",
        r#"{"Rules":[{"ID":"expire-logs","Status":"Enabled","Filter":{"Prefix":"logs/"},"Expiration":{"Days":30},"AbortIncompleteMultipartUpload":{"DaysAfterInitiation":7}}]}"#,
    );
    t.ok(&["lifecycle", "put", "r2://logs", "--file", "aws.json"])
        .await;
    let got = t.ok(&["lifecycle", "get", "r2://logs", "--json"]).await;
    let v = got.json();
    assert_eq!(v["rules"][0]["id"], "expire-logs", "{v}");
    assert_eq!(v["rules"][0]["filter"]["prefix"], "logs/", "{v}");
    assert_eq!(v["rules"][0]["expiration"]["after"]["days"], 30, "{v}");
    assert_eq!(
        v["rules"][0]["abort_incomplete_multipart_upload"]["days"], 7,
        "{v}"
    );
    t.ok(&["lifecycle", "diff", "file://aws.json", "r2://logs"])
        .await;
    for format in ["cos-xml", "r2", "neutral", "aws"] {
        let out = t
            .ok(&["lifecycle", "get", "r2://logs", "--output-format", format])
            .await;
        let file = format!("lc-{format}.txt");
        t.write(&file, &out.stdout);
        t.ok(&[
            "lifecycle",
            "put",
            "cos://logs-1250000000",
            "--file",
            &file,
            "--no-backup",
        ])
        .await;
        let diff = t
            .run(&["lifecycle", "diff", "cos://logs-1250000000", "r2://logs"])
            .await;
        assert_eq!(diff.code, 0, "{format}: {diff:?}");
    }
    let xml = t
        .ok(&[
            "lifecycle",
            "get",
            "file://aws.json",
            "--output-format",
            "cos-xml",
        ])
        .await;
    assert!(xml.stdout.contains("<LifecycleConfiguration>"), "{xml:?}");
    // The AWS shape is what `aws s3api put-bucket-lifecycle-configuration` takes.
    let aws = t
        .ok(&["lifecycle", "get", "r2://logs", "--output-format", "aws"])
        .await;
    let v: serde_json::Value = serde_json::from_str(&aws.stdout).expect("AWS JSON");
    assert_eq!(v["Rules"][0]["ID"], "expire-logs", "{aws:?}");
    assert_eq!(v["Rules"][0]["Expiration"]["Days"], 30, "{aws:?}");
    assert_eq!(
        v["Rules"][0]["AbortIncompleteMultipartUpload"]["DaysAfterInitiation"], 7,
        "{aws:?}"
    );
    t.write(
        "cos-dict.json",
        r#"{"Rule":[{"ID":"c","Status":"Enabled","Filter":{"Prefix":""},"Expiration":{"Date":"2031-04-20T00:00:00+08:00"}}]}"#,
    );
    let dict = t
        .ok(&["lifecycle", "get", "file://cos-dict.json", "--json"])
        .await;
    assert_eq!(
        dict.json()["rules"][0]["expiration"]["on"],
        "2031-04-20T00:00:00+08:00"
    );
    let differs = t
        .run(&["lifecycle", "diff", "file://cos-dict.json", "r2://logs"])
        .await;
    assert_eq!(differs.code, 5, "{differs:?}");
    // cors put now points at the right command, which reads the file.
    let wrong = t
        .run(&["cors", "put", "r2://logs", "--file", "aws.json"])
        .await;
    assert_eq!(wrong.code, 2, "{wrong:?}");
    assert!(wrong.stderr.contains("lifecycle put"), "{wrong:?}");
}

/// Policies and replication rules in the COS shapes (policy JSON, SDK dict, XML) are read.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn policy_and_replication_files_in_cos_shapes() {
    let t = Env::new().await;
    t.ok(&["buckets", "create", "cos://src-1250000000"]).await;
    t.ok(&["buckets", "create", "cos://dst-1250000000"]).await;
    t.ok(&["versioning", "put", "cos://src-1250000000", "enabled"])
        .await;
    t.ok(&["versioning", "put", "cos://dst-1250000000", "enabled"])
        .await;
    t.write(
        "cos-policy.json",
        r#"{"version":"2.0","Statement":[{"Effect":"Allow","Principal":{"qcs":["qcs::cam::anyone:anyone"]},"Action":["name/cos:GetObject"],"Resource":["qcs::cos:ap-beijing:uid/1250000000:src-1250000000/*"]}]}"#,
    );
    t.ok(&[
        "policy",
        "put",
        "cos://src-1250000000",
        "--file",
        "cos-policy.json",
    ])
    .await;
    let pol = t
        .ok(&["policy", "get", "cos://src-1250000000", "--json"])
        .await;
    assert_eq!(
        pol.json()["statements"][0]["actions"][0],
        "name/cos:GetObject",
        "{pol:?}"
    );
    t.write(
        "rep-dict.json",
        r#"{"Role":"qcs::cam::uin/100000000001:uin/100000000001","Rule":[{"ID":"all","Status":"Enabled","Prefix":"","Destination":{"Bucket":"qcs::cos:ap-beijing::dst-1250000000"}}]}"#,
    );
    t.ok(&[
        "replication",
        "put",
        "cos://src-1250000000",
        "--file",
        "rep-dict.json",
    ])
    .await;
    let rep = t
        .ok(&["replication", "get", "cos://src-1250000000", "--json"])
        .await;
    assert_eq!(rep.json()["rules"][0]["id"], "all", "{rep:?}");
    t.write(
        "rep.xml",
        "<ReplicationConfiguration><Role>qcs::cam::uin/100000000001:uin/100000000001</Role><Rule><ID>xml</ID><Status>Enabled</Status><Prefix>logs/</Prefix><Destination><Bucket>qcs::cos:ap-beijing::dst-1250000000</Bucket></Destination></Rule></ReplicationConfiguration>",
    );
    t.ok(&[
        "replication",
        "put",
        "cos://src-1250000000",
        "--file",
        "rep.xml",
    ])
    .await;
    let rep = t
        .ok(&["replication", "get", "cos://src-1250000000", "--json"])
        .await;
    assert_eq!(rep.json()["rules"][0]["id"], "xml", "{rep:?}");
}

/// A signature mismatch hints at the key and the clock, and -v shows what COS computed.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_cos_signature_mismatch_says_what_to_check() {
    let t = Env::new().await;
    let mut env: Vec<(String, String)> = t
        .env
        .iter()
        .filter(|(k, _)| k != "COS_SECRET_KEY")
        .cloned()
        .collect();
    env.push((
        "COS_SECRET_KEY".into(),
        "not-the-right-key-000000000000000".into(),
    ));
    let r = run_in(
        t.dir.path(),
        &env,
        &[
            "-v",
            "--retries",
            "1",
            "cors",
            "get",
            "cos://web-1250000000",
        ],
    )
    .await;
    assert_eq!(r.code, 1, "{r:?}");
    assert!(r.stderr.contains("SignatureDoesNotMatch"), "{r:?}");
    assert!(r.stderr.contains("check COS_SECRET_KEY"), "{r:?}");
    assert!(r.stderr.contains("clock"), "{r:?}");
    assert!(r.stderr.contains("COS computed string_to_sign"), "{r:?}");
    assert!(!r.stderr.contains("not-the-right-key"), "{r:?}");
}

/// A copy's plan is shown whole: nothing the target will hold is cut with `...`.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn copy_plans_are_shown_whole() {
    let t = Env::new().await;
    t.ok(&["buckets", "create", "r2://web"]).await;
    let rules: Vec<String> = (0..6)
        .map(|i| {
            format!(
                r#"{{"AllowedOrigins":["https://site{i}.example.com"],"AllowedMethods":["GET"],"MaxAgeSeconds":60}}"#
            )
        })
        .collect();
    t.write(
        "many.json",
        &format!(r#"{{"CORSRules":[{}]}}"#, rules.join(",")),
    );
    t.ok(&["cors", "put", "r2://web", "--file", "many.json"])
        .await;
    let mut changed = rules.clone();
    changed[5] = changed[5].replace("\"MaxAgeSeconds\":60", "\"MaxAgeSeconds\":61");
    t.write(
        "changed.json",
        &format!(r#"{{"CORSRules":[{}]}}"#, changed.join(",")),
    );
    let plan = t
        .ok(&[
            "cors",
            "copy",
            "--from",
            "file://changed.json",
            "--to",
            "r2://web",
            "--dry-run",
        ])
        .await;
    assert!(!plan.stdout.contains("  ...\n"), "{plan:?}");
    assert!(
        plan.stdout.contains("https://site0.example.com"),
        "{plan:?}"
    );
    assert!(
        plan.stdout
            .contains("-       \"max_age_seconds\": 60\n+       \"max_age_seconds\": 61"),
        "{plan:?}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn an_unsupported_configuration_is_not_blamed_on_the_backup() {
    let t = Env::new().await;
    t.ok(&["buckets", "create", "r2://web"]).await;
    let r = t.run(&["policy", "delete", "r2://web"]).await;
    assert_eq!(r.code, 1, "{r:?}");
    assert!(r.stderr.contains("unsupported"), "{r:?}");
    assert!(!r.stderr.contains("--no-backup"), "{r:?}");
}

/// A copy whose target answers with an undecodable body stops before writing.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_copy_onto_an_unreadable_target_writes_nothing() {
    let t = Env::new().await;
    t.ok(&["buckets", "create", "cos://web-1250000000"]).await;
    t.write("cors.json", S3_CORS);
    t.write("other.json", OTHER_CORS);
    t.ok(&["cors", "put", "cos://web-1250000000", "--file", "cors.json"])
        .await;
    t.emu.faults().push(
        FaultRule::new(Fault::MalformedBody)
            .api(Api::Cos)
            .method("GET")
            .path_contains("cors"),
    );
    let r = t
        .run(&[
            "--retries",
            "1",
            "cors",
            "copy",
            "--from",
            "file://other.json",
            "--to",
            "cos://web-1250000000",
            "--json",
        ])
        .await;
    assert_eq!(r.code, 1, "{r:?}");
    assert_eq!(r.json()["outcome"], "failed", "{r:?}");
    let puts = t
        .emu
        .requests()
        .iter()
        .filter(|q| q.method == "PUT" && q.query.contains("cors"))
        .count();
    assert_eq!(puts, 1, "only the first put reached the server");
    let still = t
        .ok(&["cors", "get", "cos://web-1250000000", "--json"])
        .await;
    assert_eq!(still.json()["rules"][0]["id"], "web");
}
