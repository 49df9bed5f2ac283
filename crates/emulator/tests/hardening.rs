//! The emulator as a server people leave running (issue 10): bounded under floods and slow
//! clients, its own credentials, durable state, reproducible faults and the R2 rate limit.
//! Every wait is a bounded loop with a generous deadline, never a timed assertion.

mod common;

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::time::{Duration, Instant};

use bucket_admin_emulator::{
    Api, Emulator, EmulatorError, Fault, FaultRule, Jurisdiction, RateLimit, ServerLimits,
};
use common::{Cos, client, code, r2, r2_code};
use serde_json::json;

const DEADLINE: Duration = Duration::from_secs(20);

fn r2_url(emu: &Emulator, path: &str) -> String {
    format!(
        "{}/accounts/{}/r2/buckets{path}",
        emu.r2_base_url(),
        emu.r2_credentials().account_id
    )
}

/// Read until the server closes the connection; `true` when it did before the deadline.
fn closed_by_server(mut s: TcpStream) -> bool {
    s.set_read_timeout(Some(Duration::from_millis(200)))
        .unwrap();
    let start = Instant::now();
    let mut buf = [0u8; 4096];
    while start.elapsed() < DEADLINE {
        match s.read(&mut buf) {
            Ok(0) => return true,
            Ok(_) => {}
            Err(e)
                if e.kind() == std::io::ErrorKind::WouldBlock
                    || e.kind() == std::io::ErrorKind::TimedOut => {}
            Err(_) => return true,
        }
    }
    false
}

#[tokio::test]
async fn unauthenticated_floods_leave_nothing_in_memory_and_the_log_is_a_ring() {
    let emu = Emulator::builder()
        .server_limits(ServerLimits {
            request_log_capacity: 10,
            request_log_body_limit: 1024,
            ..ServerLimits::default()
        })
        .start()
        .await
        .unwrap();
    let mib = vec![b'x'; 1024 * 1024];
    // Unauthenticated 1 MiB PUTs: the server answers from the head, so some clients see the
    // connection close mid-upload; either way nothing of the body may be kept.
    for i in 0..60 {
        let _ = client()
            .put(r2_url(&emu, &format!("/b{i}/cors")))
            .bearer_auth("wrong-token")
            .body(mib.clone())
            .send()
            .await;
    }
    assert_eq!(emu.request_log_body_bytes(), 0);
    let reqs = emu.requests();
    assert!(reqs.len() <= 10, "ring of 10 holds {}", reqs.len());
    assert!(reqs.iter().all(|r| !r.authenticated && r.body.is_empty()));

    // Authenticated bodies are kept, cut to the configured size, and only the newest 10.
    r2(&emu, "POST", "", None, Some(json!({"name": "ring"}))).await;
    let rules = json!({"rules": [{"allowed": {"origins": ["*"], "methods": ["GET"]},
        "exposeHeaders": ["x".repeat(4000)]}]});
    for _ in 0..30 {
        r2(&emu, "PUT", "/ring/cors", None, Some(rules.clone())).await;
    }
    let reqs = emu.requests();
    assert_eq!(reqs.len(), 10);
    assert!(
        reqs.iter()
            .all(|r| r.authenticated && r.body.len() == 1024 && r.body_len > 4000)
    );
    assert_eq!(emu.request_log_body_bytes(), 10 * 1024);
}

#[tokio::test]
async fn slow_headers_slow_bodies_and_idle_connections_are_closed() {
    let limits = ServerLimits {
        header_timeout: Duration::from_millis(300),
        body_timeout: Duration::from_millis(300),
        ..ServerLimits::default()
    };
    let emu = Emulator::builder()
        .server_limits(limits)
        .start()
        .await
        .unwrap();
    let addr = emu.addr();
    let token = emu.r2_credentials().api_token.clone();
    let account = emu.r2_credentials().account_id.clone();
    let outcome = tokio::task::spawn_blocking(move || {
        // Headers that never finish.
        let mut slow_head = TcpStream::connect(addr).unwrap();
        slow_head
            .write_all(b"GET /client/v4 HTTP/1.1\r\nHost: x")
            .unwrap();
        // A body that stops after 10 of 100 bytes.
        let mut slow_body = TcpStream::connect(addr).unwrap();
        write!(
            slow_body,
            "PUT /client/v4/accounts/{account}/r2/buckets/x/cors HTTP/1.1\r\nHost: x\r\n\
             Authorization: Bearer {token}\r\nContent-Length: 100\r\n\r\n0123456789"
        )
        .unwrap();
        // A keep-alive connection that idles after one answer.
        let mut idle = TcpStream::connect(addr).unwrap();
        idle.write_all(b"GET /client/v4 HTTP/1.1\r\nHost: x\r\n\r\n")
            .unwrap();
        (
            closed_by_server(slow_head),
            closed_by_server(slow_body),
            closed_by_server(idle),
        )
    })
    .await
    .unwrap();
    assert_eq!(outcome, (true, true, true));
}

#[tokio::test]
async fn hung_clients_past_the_connection_cap_do_not_lock_out_a_real_request() {
    let emu = Emulator::builder()
        .server_limits(ServerLimits {
            header_timeout: Duration::from_millis(500),
            max_connections: 4,
            ..ServerLimits::default()
        })
        .start()
        .await
        .unwrap();
    let addr: SocketAddr = emu.addr();
    // Twenty connections that never send a byte: five times the cap.
    let hung: Vec<TcpStream> = (0..20).map(|_| TcpStream::connect(addr).unwrap()).collect();
    let resp = client()
        .get(r2_url(&emu, ""))
        .bearer_auth(&emu.r2_credentials().api_token)
        .timeout(DEADLINE)
        .send()
        .await
        .expect("answered once the hung connections time out");
    assert_eq!(resp.status(), 200);
    drop(hung);
}

#[tokio::test]
async fn a_failed_persist_is_not_acknowledged_and_changes_nothing() {
    let root = tempfile::tempdir().unwrap();
    let dir = root.path().join("data");
    let emu = Emulator::builder().data_dir(&dir).start().await.unwrap();
    let cos = Cos::new(&emu);
    cos.create("before").await;
    r2(&emu, "POST", "", None, Some(json!({"name": "before"}))).await;

    // Swap the data directory for a plain file: no temporary file can be created in it.
    let aside = root.path().join("aside");
    std::fs::rename(&dir, &aside).unwrap();
    std::fs::write(&dir, b"not a directory").unwrap();

    let r = cos.bucket("PUT", "lost", None, b"").await;
    assert_eq!(r.status(), 500);
    assert_eq!(code(&r.text().await.unwrap()), "InternalError");
    let (s, _, v) = r2(&emu, "POST", "", None, Some(json!({"name": "lost"}))).await;
    assert_eq!((s, r2_code(&v)), (500, 10001));
    let cors = b"<CORSConfiguration><CORSRule><AllowedOrigin>*</AllowedOrigin><AllowedMethod>GET</AllowedMethod></CORSRule></CORSConfiguration>";
    assert_eq!(
        cos.bucket("PUT", "before", Some("cors"), cors)
            .await
            .status(),
        500
    );
    // The previous state is kept: nothing of the refused writes is visible.
    assert_eq!(emu.cos_bucket_names(), ["before-1250000000"]);
    assert_eq!(emu.r2_bucket_names(Jurisdiction::Default), ["before"]);
    assert_eq!(
        cos.bucket("GET", "before", Some("cors"), b"")
            .await
            .status(),
        404
    );

    // Once the directory is back, writes are acknowledged again.
    std::fs::remove_file(&dir).unwrap();
    std::fs::rename(&aside, &dir).unwrap();
    cos.create("after").await;
    emu.shutdown().await;
    let emu = Emulator::builder().data_dir(&dir).start().await.unwrap();
    assert_eq!(
        emu.cos_bucket_names(),
        ["after-1250000000", "before-1250000000"]
    );
}

#[tokio::test]
async fn a_second_emulator_on_one_data_dir_refuses_to_start() {
    let dir = tempfile::tempdir().unwrap();
    let first = Emulator::builder()
        .data_dir(dir.path())
        .start()
        .await
        .unwrap();
    let err = Emulator::builder()
        .data_dir(dir.path())
        .start()
        .await
        .unwrap_err();
    assert!(
        matches!(err, EmulatorError::DataDirLocked { .. }),
        "{err:?}"
    );
    let msg = err.to_string();
    assert!(
        msg.contains(&dir.path().display().to_string()) && msg.contains("another --data-dir"),
        "{msg}"
    );
    first.shutdown().await;
    // Released at shutdown.
    Emulator::builder()
        .data_dir(dir.path())
        .start()
        .await
        .unwrap();
}

#[cfg(unix)]
#[tokio::test]
async fn a_planted_symlink_at_a_temporary_name_is_not_followed() {
    let dir = tempfile::tempdir().unwrap();
    let victim = tempfile::NamedTempFile::new().unwrap();
    std::fs::write(victim.path(), b"victim").unwrap();
    // The old writer used `emulator-state.json.tmp<pid>`; plant links at every such name a
    // local attacker could predict, and at the state file's own name.
    let pid = std::process::id();
    for name in [
        format!("emulator-state.json.tmp{pid}"),
        "emulator-state.json.tmp".to_owned(),
    ] {
        std::os::unix::fs::symlink(victim.path(), dir.path().join(name)).unwrap();
    }
    let emu = Emulator::builder()
        .data_dir(dir.path())
        .start()
        .await
        .unwrap();
    Cos::new(&emu).create("safe").await;
    assert_eq!(std::fs::read(victim.path()).unwrap(), b"victim");
    let meta = std::fs::symlink_metadata(dir.path().join("emulator-state.json")).unwrap();
    assert!(meta.file_type().is_file());
    let on_disk: serde_json::Value =
        serde_json::from_slice(&std::fs::read(dir.path().join("emulator-state.json")).unwrap())
            .unwrap();
    assert_eq!(on_disk["format"], 2);
    assert!(on_disk["cos"]["safe-1250000000"].is_object());
}

#[tokio::test]
async fn state_files_of_older_formats_load_and_newer_ones_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    let state = dir.path().join("emulator-state.json");
    // Format 0: the bare state object written before the format was versioned.
    std::fs::write(&state, br#"{"cos": {}, "r2": {"eu": {}}}"#).unwrap();
    let emu = Emulator::builder()
        .data_dir(dir.path())
        .start()
        .await
        .unwrap();
    Cos::new(&emu).create("upgraded").await;
    emu.shutdown().await;
    let upgraded: serde_json::Value =
        serde_json::from_slice(&std::fs::read(&state).unwrap()).unwrap();
    assert_eq!(upgraded["format"], 2);

    std::fs::write(&state, br#"{"format": 99, "cos": {}, "r2": {}}"#).unwrap();
    let err = Emulator::builder()
        .data_dir(dir.path())
        .start()
        .await
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("newer emulator") && err.contains("99"),
        "{err}"
    );
}

#[tokio::test]
async fn credentials_are_fresh_per_start_and_never_in_debug() {
    let a = Emulator::start().await.unwrap();
    let b = Emulator::start().await.unwrap();
    assert_ne!(
        a.cos_credentials().secret_key,
        b.cos_credentials().secret_key
    );
    assert_ne!(a.cos_credentials().secret_id, b.cos_credentials().secret_id);
    assert_ne!(a.r2_credentials().api_token, b.r2_credentials().api_token);
    assert!(a.cos_credentials().secret_id.starts_with("AKID"));
    // What start() hands out is what the emulator accepts, and only that.
    assert_eq!(r2(&a, "GET", "", None, None).await.0, 200);
    let wrong = client()
        .get(r2_url(&b, ""))
        .bearer_auth(&a.r2_credentials().api_token)
        .send()
        .await
        .unwrap();
    assert_eq!(wrong.status(), 401);
    let info = a.connection_info();
    assert!(info.contains(&format!(
        "export CLOUDFLARE_API_TOKEN={}",
        a.r2_credentials().api_token
    )));
    assert!(info.contains(&format!(
        "export COS_SECRET_KEY={}",
        a.cos_credentials().secret_key
    )));

    let builder = Emulator::builder()
        .cos_account("1250000000", "AKIDgivenId0000", "given-secret-key-value")
        .cos_session_token("given-session-token")
        .r2_account("0123456789abcdef0123456789abcdef", "given-r2-token-value")
        .r2_s3_keys("0123456789abcdef0123456789abcdef", "given-r2-s3-secret");
    let given = builder.clone().start().await.unwrap();
    Cos::new(&given).create("signed").await;
    let cos_auth = given.requests()[0]
        .header("authorization")
        .unwrap()
        .to_owned();
    assert!(cos_auth.contains("q-signature="));
    r2(&given, "GET", "", None, None).await;
    let r2_auth = given.requests()[1]
        .header("authorization")
        .unwrap()
        .to_owned();
    let temp = given.cos_temporary_credentials().unwrap().clone();
    let debug = format!(
        "{builder:?} {given:?} {:?} {:?} {:?}",
        given.requests(),
        given.cos_credentials(),
        temp
    );
    for secret in [
        "given-secret-key-value",
        "given-session-token",
        "given-r2-token-value",
        "AKIDgivenId0000",
        temp.secret_key.as_str(),
        cos_auth.as_str(),
        r2_auth.as_str(),
        "q-signature=",
        "Bearer ",
    ] {
        assert!(!debug.contains(secret), "{secret} in {debug}");
    }
    assert!(debug.contains("<redacted>"));
    let debug_a = format!("{a:?}");
    assert!(!debug_a.contains(&a.cos_credentials().secret_key));
    assert!(!debug_a.contains(&a.r2_credentials().api_token));
    // Given secrets are not printed back either.
    let info = given.connection_info();
    for secret in [
        "given-secret-key-value",
        "given-r2-token-value",
        "given-session-token",
        "given-r2-s3-secret",
    ] {
        assert!(!info.contains(secret), "{secret} in {info}");
    }
    assert!(!debug.contains("given-r2-s3-secret"));
    // Generated R2 S3 keys are printed (the user needs them), with the endpoint.
    let info_a = a.connection_info();
    assert!(info_a.contains(&a.r2_s3_credentials().secret_access_key));
    assert!(info_a.contains(&format!("R2 S3 endpoint: {}", a.r2_s3_endpoint())));
    assert_eq!(a.r2_s3_credentials().access_key_id.len(), 32);
    assert_eq!(a.r2_s3_credentials().secret_access_key.len(), 64);
}

#[tokio::test]
async fn non_loopback_binds_need_real_credentials_or_insecure() {
    let any: SocketAddr = "0.0.0.0:0".parse().unwrap();
    let err = Emulator::builder().bind(any).start().await.unwrap_err();
    assert!(matches!(err, EmulatorError::InsecureBind { .. }), "{err:?}");
    assert!(err.to_string().contains("--insecure"), "{err}");
    // Only one of the two secrets given is still refused.
    let half = Emulator::builder()
        .bind(any)
        .r2_account("0123456789abcdef0123456789abcdef", "t0ken-given-here")
        .start()
        .await;
    assert!(matches!(half, Err(EmulatorError::InsecureBind { .. })));
    Emulator::builder()
        .bind(any)
        .insecure(true)
        .start()
        .await
        .unwrap()
        .shutdown()
        .await;
    // R2's S3 endpoint listens there too: its keys must be given as well.
    let no_s3 = Emulator::builder()
        .bind(any)
        .cos_account("1250000000", "AKIDx", "k")
        .r2_account("0123456789abcdef0123456789abcdef", "t")
        .start()
        .await;
    assert!(matches!(no_s3, Err(EmulatorError::InsecureBind { .. })));
    Emulator::builder()
        .bind(any)
        .cos_account("1250000000", "AKIDx", "k")
        .r2_account("0123456789abcdef0123456789abcdef", "t")
        .r2_s3_keys("0123456789abcdef0123456789abcdef", "s3-secret-given")
        .start()
        .await
        .unwrap()
        .shutdown()
        .await;
}

#[tokio::test]
async fn address_in_use_says_how_to_pick_another_port() {
    let first = Emulator::start().await.unwrap();
    let err = Emulator::builder()
        .bind(first.addr())
        .start()
        .await
        .unwrap_err();
    assert!(matches!(err, EmulatorError::AddrInUse { .. }), "{err:?}");
    assert!(err.to_string().contains("--bind 127.0.0.1:0"), "{err}");
}

/// Statuses of `n` sequential R2 list requests.
async fn statuses(emu: &Emulator, n: usize) -> Vec<u16> {
    let mut out = Vec::new();
    for _ in 0..n {
        out.push(r2(emu, "GET", "", None, None).await.0);
    }
    out
}

#[tokio::test]
async fn the_same_fault_seed_replays_the_same_faults() {
    let run = |seed| async move {
        let emu = Emulator::builder()
            .fault_seed(seed)
            .error_rate(0.5)
            .start()
            .await
            .unwrap();
        assert_eq!(emu.faults().seed(), seed);
        assert!(
            emu.connection_info()
                .contains(&format!("--fault-seed {seed}"))
        );
        statuses(&emu, 40).await
    };
    let a = run(1234).await;
    assert_eq!(a, run(1234).await);
    assert_ne!(a, run(4321).await);
    assert!(a.contains(&503) && a.contains(&200), "{a:?}");
}

#[tokio::test]
async fn builder_rules_script_per_operation_faults() {
    let emu = Emulator::builder()
        .fault(
            FaultRule::new(Fault::SlowDown)
                .method("PUT")
                .path_contains("?cors")
                .times(3),
        )
        .fault("429:2,api=r2,method=write,times=always".parse().unwrap())
        .start()
        .await
        .unwrap();
    let cos = Cos::new(&emu);
    cos.create("x").await;
    let cors = b"<CORSConfiguration><CORSRule><AllowedOrigin>*</AllowedOrigin><AllowedMethod>GET</AllowedMethod></CORSRule></CORSConfiguration>";
    for _ in 0..3 {
        let r = cos.bucket("PUT", "x", Some("cors"), cors).await;
        assert_eq!(r.status(), 503);
        assert_eq!(code(&r.text().await.unwrap()), "SlowDown");
    }
    assert_eq!(
        cos.bucket("PUT", "x", Some("cors"), cors).await.status(),
        200
    );
    for _ in 0..5 {
        let (s, h, v) = r2(&emu, "POST", "", None, Some(json!({"name": "w"}))).await;
        assert_eq!((s, r2_code(&v)), (429, 10058));
        assert_eq!(h["retry-after"], "2");
    }
    // Reads are not writes.
    assert_eq!(r2(&emu, "GET", "", None, None).await.0, 200);
}

#[tokio::test]
async fn the_r2_rate_limit_answers_429_past_the_limit_with_cloudflares_headers() {
    let emu = Emulator::builder()
        .r2_rate_limit("5/300".parse::<RateLimit>().unwrap())
        .start()
        .await
        .unwrap();
    assert_eq!(statuses(&emu, 5).await, [200; 5]);
    let (s, h, v) = r2(&emu, "GET", "", None, None).await;
    assert_eq!((s, r2_code(&v)), (429, 10058));
    assert_eq!(v["success"], false);
    let retry: u64 = h["retry-after"].to_str().unwrap().parse().unwrap();
    assert!((1..=300).contains(&retry), "{retry}");
    assert_eq!(h["ratelimit-policy"], "\"default\";q=5;w=300");
    // COS is not rate limited by Cloudflare's rule.
    let r = Cos::new(&emu)
        .send("GET", "service.cos.myqcloud.com", "/", &[], &[], b"")
        .await;
    assert_eq!(r.status(), 200);
}

#[tokio::test]
async fn cloudflares_limit_end_to_end_request_1201_is_the_first_429() {
    let emu = Emulator::builder()
        .r2_rate_limit(RateLimit::CLOUDFLARE)
        .start()
        .await
        .unwrap();
    let http = client();
    let url = r2_url(&emu, "");
    let token = emu.r2_credentials().api_token.clone();
    let mut statuses = Vec::with_capacity(1202);
    for _ in 0..1202 {
        let r = http.get(&url).bearer_auth(&token).send().await.unwrap();
        statuses.push(r.status().as_u16());
    }
    assert!(statuses[..1200].iter().all(|s| *s == 200));
    assert_eq!(statuses[1200..], [429, 429]);
    // Another token is another client (it is refused for the token, not for the limit).
    let other = http.get(&url).bearer_auth("other").send().await.unwrap();
    assert_eq!(other.status(), 401);
}

#[tokio::test]
async fn the_cos_bucket_management_limit_answers_slowdown_past_it() {
    let emu = Emulator::builder()
        .cos_rate_limit("3/300".parse::<RateLimit>().unwrap())
        .start()
        .await
        .unwrap();
    let cos = Cos::new(&emu);
    cos.create("one").await;
    cos.create("two").await;
    // Configuration calls do not count.
    for _ in 0..5 {
        assert_eq!(
            cos.bucket("GET", "one", Some("cors"), b"").await.status(),
            404
        );
    }
    let list = cos
        .send("GET", "service.cos.myqcloud.com", "/", &[], &[], b"")
        .await;
    assert_eq!(list.status(), 200);
    let r = cos.bucket("PUT", "three", None, b"").await;
    assert_eq!(r.status(), 503);
    assert_eq!(code(&r.text().await.unwrap()), "SlowDown");
    assert_eq!(
        emu.cos_bucket_names().len(),
        2,
        "a throttled create creates nothing"
    );
}

#[tokio::test]
async fn hostile_answers() {
    let emu = Emulator::start().await.unwrap();
    let cos = Cos::new(&emu);
    cos.create("h").await;
    let f = emu.faults();

    f.push(FaultRule::new(Fault::ErrorIn200).api(Api::Cos));
    let r = cos.bucket("GET", "h", Some("cors"), b"").await;
    assert_eq!(r.status(), 200);
    assert!(r.text().await.unwrap().contains("<Error>"));

    f.push(FaultRule::new(Fault::HtmlIn200));
    let r = cos.bucket("GET", "h", Some("cors"), b"").await;
    assert_eq!(r.status(), 200);
    assert!(
        r.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/html")
    );

    f.push(FaultRule::new(Fault::WrongRoot));
    let r = cos.bucket("GET", "h", Some("cors"), b"").await;
    assert_eq!(r.status(), 200);
    assert!(r.text().await.unwrap().contains("<LifecycleConfiguration>"));
    f.push(FaultRule::new(Fault::WrongRoot));
    let r = cos.bucket("GET", "h", Some("lifecycle"), b"").await;
    assert!(r.text().await.unwrap().contains("<CORSConfiguration>"));

    f.push(FaultRule::new(Fault::NotConfigured { status: 503 }));
    let r = cos.bucket("GET", "h", Some("cors"), b"").await;
    assert_eq!(r.status(), 503);
    assert_eq!(code(&r.text().await.unwrap()), "NoSuchCORSConfiguration");
    f.push(FaultRule::new(Fault::NotConfigured { status: 403 }).api(Api::R2));
    let (s, _, v) = r2(&emu, "GET", "/h/cors", None, None).await;
    assert_eq!((s, r2_code(&v)), (403, 10059));

    f.push(FaultRule::new(Fault::ErrorIn200).api(Api::R2));
    let (s, _, v) = r2(&emu, "GET", "", None, None).await;
    assert_eq!(
        (s, v["success"].as_bool(), r2_code(&v)),
        (200, Some(true), 10001)
    );

    f.push(FaultRule::new(Fault::TooManyRequestsUntil {
        seconds_from_now: 120,
    }));
    let (s, h, _) = r2(&emu, "GET", "", None, None).await;
    assert_eq!(s, 429);
    let at = httpdate::parse_http_date(h["retry-after"].to_str().unwrap()).unwrap();
    let ahead = at.duration_since(std::time::SystemTime::now()).unwrap();
    assert!(
        ahead > Duration::from_secs(60) && ahead <= Duration::from_secs(121),
        "{ahead:?}"
    );

    // Endless pages: the same cursor forever, until the rule is cleared.
    f.push(FaultRule::new(Fault::EndlessPages).api(Api::R2).always());
    let mut cursors = Vec::new();
    for _ in 0..5 {
        let (s, _, v) = r2(&emu, "GET", "?cursor=ZW5kbGVzcw", None, None).await;
        assert_eq!(s, 200);
        assert_eq!(v["result"]["buckets"].as_array().unwrap().len(), 1);
        cursors.push(v["result_info"]["cursor"].as_str().unwrap().to_owned());
    }
    assert!(cursors.iter().all(|c| c == "ZW5kbGVzcw"));
    // Non-list requests answer normally meanwhile.
    assert_eq!(cos.bucket("HEAD", "h", None, b"").await.status(), 200);
    f.clear();
    f.push(FaultRule::new(Fault::EndlessPages).api(Api::Cos).always());
    let r = cos
        .send("GET", "service.cos.myqcloud.com", "/", &[], &[], b"")
        .await;
    let body = r.text().await.unwrap();
    assert!(
        body.contains("<IsTruncated>true</IsTruncated>")
            && body.contains("<NextMarker>endless</NextMarker>")
    );
    f.clear();

    // A huge body is streamed with its announced length.
    let size = 32 * 1024 * 1024;
    f.push(FaultRule::new(Fault::HugeBody {
        status: 500,
        bytes: size,
    }));
    let mut resp = client()
        .get(r2_url(&emu, ""))
        .bearer_auth(&emu.r2_credentials().api_token)
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 500);
    assert_eq!(resp.content_length(), Some(size));
    let mut got = 0u64;
    while let Some(chunk) = resp.chunk().await.unwrap() {
        got += chunk.len() as u64;
    }
    assert_eq!(got, size);
}

#[tokio::test]
async fn uppercase_bucket_names_are_lowercased_on_create() {
    let emu = Emulator::start().await.unwrap();
    let cos = Cos::new(&emu);
    cos.create("MyBucket").await;
    assert_eq!(emu.cos_bucket_names(), ["mybucket-1250000000"]);
    assert_eq!(
        cos.bucket("HEAD", "mybucket", None, b"").await.status(),
        200
    );
    assert_eq!(
        cos.bucket("HEAD", "MYBUCKET", None, b"").await.status(),
        200
    );
}

#[tokio::test]
async fn us_and_fedramp_high_are_their_own_namespaces() {
    let emu = Emulator::start().await.unwrap();
    for j in ["us", "fedramp-high"] {
        let (s, _, v) = r2(&emu, "POST", "", Some(j), Some(json!({"name": "same"}))).await;
        assert_eq!(s, 200, "{v}");
        assert_eq!(v["result"]["jurisdiction"], j);
    }
    assert_eq!(emu.r2_bucket_names(Jurisdiction::Us), ["same"]);
    assert_eq!(emu.r2_bucket_names(Jurisdiction::FedrampHigh), ["same"]);
    assert!(emu.r2_bucket_names(Jurisdiction::Default).is_empty());
    let (_, _, v) = r2(&emu, "GET", "", None, None).await;
    assert_eq!(v["result"]["buckets"], json!([]));
    let (s, _, v) = r2(&emu, "GET", "", Some("mars"), None).await;
    assert_eq!(s, 400);
    assert!(
        v["errors"][0]["message"]
            .as_str()
            .unwrap()
            .contains("fedramp-high")
    );
}

#[tokio::test]
async fn get_service_lists_only_the_region_asked_and_head_reports_the_list_type() {
    let emu = Emulator::start().await.unwrap();
    let cos = Cos::new(&emu);
    cos.create("bj").await;
    let gz = format!(
        "gz-{}.cos.ap-guangzhou.myqcloud.com",
        emu.cos_credentials().appid
    );
    let ofs = b"<CreateBucketConfiguration><BucketArchConfig>OFS</BucketArchConfig></CreateBucketConfiguration>";
    assert_eq!(cos.send("PUT", &gz, "/", &[], &[], ofs).await.status(), 200);
    let names = |body: &str| {
        body.split("<Name>")
            .skip(1)
            .map(|s| s.split('<').next().unwrap().to_owned())
            .collect::<Vec<_>>()
    };
    // The region host, as `CosClient::list_buckets_in_region` sends it.
    let r = cos
        .send("GET", "cos.ap-guangzhou.myqcloud.com", "/", &[], &[], b"")
        .await;
    let body = r.text().await.unwrap();
    assert_eq!(names(&body), ["gz-1250000000"]);
    assert!(body.contains("<BucketType>ofs</BucketType>"));
    // Or the `region` parameter on the global host.
    let r = cos
        .send(
            "GET",
            "service.cos.myqcloud.com",
            "/",
            &[("region", "ap-beijing")],
            &[],
            b"",
        )
        .await;
    let body = r.text().await.unwrap();
    assert_eq!(names(&body), ["bj-1250000000"]);
    assert!(body.contains("<BucketType>cos</BucketType>"));
    let r = cos.bucket("HEAD", "bj", None, b"").await;
    assert_eq!(
        r.headers()["x-cos-bucket-arch"]
            .to_str()
            .unwrap()
            .to_ascii_lowercase(),
        "cos"
    );
    let r = cos.send("HEAD", &gz, "/", &[], &[], b"").await;
    assert_eq!(
        r.headers()["x-cos-bucket-arch"]
            .to_str()
            .unwrap()
            .to_ascii_lowercase(),
        "ofs"
    );
}
