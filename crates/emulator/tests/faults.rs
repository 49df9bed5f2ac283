//! Faults observed from a raw client, the request log, concurrency and persistence.

mod common;

use std::time::Duration;

use bucket_admin_emulator::{Api, Emulator, Fault, FaultRule, Latency};
use common::*;
use serde_json::json;

#[tokio::test]
async fn scripted_faults_are_consumed_exactly_and_every_retry_is_recorded() {
    let emu = Emulator::start().await.unwrap();
    let cos = Cos::new(&emu);
    cos.create("f").await;
    emu.clear_requests();
    emu.faults().push(
        FaultRule::new(Fault::SlowDown)
            .times(2)
            .api(Api::Cos)
            .method("GET")
            .path_contains("cors"),
    );
    for expected in [503, 503, 404] {
        let r = cos.bucket("GET", "f", Some("cors"), b"").await;
        assert_eq!(r.status(), expected);
        if expected == 503 {
            assert_eq!(code(&r.text().await.unwrap()), "SlowDown");
        }
    }
    let reqs = emu.requests();
    assert_eq!(reqs.len(), 3);
    assert_eq!(emu.request_count(), 3);
    assert!(reqs.iter().all(|r| r.api == Api::Cos && r.query == "cors="));
    assert!(reqs.iter().all(|r| {
        r.header("authorization")
            .is_some_and(|a| a.contains("q-signature="))
    }));
    emu.clear_requests();
    assert_eq!(emu.request_count(), 0);

    emu.faults()
        .push(FaultRule::new(Fault::InternalError).api(Api::R2));
    let (s, _, v) = r2(&emu, "GET", "", None, None).await;
    assert_eq!((s, r2_code(&v)), (500, 10001));
    let (s, _, _) = r2(&emu, "GET", "", None, None).await;
    assert_eq!(s, 200);
    emu.faults()
        .push(FaultRule::new(Fault::SlowDown).api(Api::R2));
    let (s, _, v) = r2(&emu, "GET", "", None, None).await;
    assert_eq!((s, r2_code(&v)), (503, 10043));
}

#[tokio::test]
async fn too_many_requests_carries_retry_after() {
    let emu = Emulator::start().await.unwrap();
    emu.faults().push(
        FaultRule::new(Fault::TooManyRequests {
            retry_after_secs: 7,
        })
        .times(2),
    );
    let (s, h, v) = r2(&emu, "GET", "", None, None).await;
    assert_eq!((s, r2_code(&v)), (429, 10058));
    assert_eq!(h["retry-after"], "7");
    let r = Cos::new(&emu)
        .send("GET", "service.cos.myqcloud.com", "/", &[], &[], b"")
        .await;
    assert_eq!(r.status(), 429);
    assert_eq!(r.headers()["retry-after"], "7");
    assert_eq!(code(&r.text().await.unwrap()), "TooManyRequests");
}

#[tokio::test]
async fn reset_connection_is_a_transport_error_without_status() {
    let emu = Emulator::start().await.unwrap();
    emu.faults().push(FaultRule::new(Fault::ResetConnection));
    let url = format!(
        "{}/accounts/{}/r2/buckets",
        emu.r2_base_url(),
        emu.r2_credentials().account_id
    );
    let err = client()
        .get(&url)
        .bearer_auth(&emu.r2_credentials().api_token)
        .send()
        .await
        .unwrap_err();
    assert!(err.status().is_none(), "{err:?}");
    assert!(!err.is_timeout());
    // The next request on a fresh connection works.
    let (s, _, _) = r2(&emu, "GET", "", None, None).await;
    assert_eq!(s, 200);
    assert_eq!(emu.request_count(), 2);
}

#[tokio::test]
async fn truncated_and_malformed_bodies() {
    let emu = Emulator::start().await.unwrap();
    emu.faults()
        .push(FaultRule::new(Fault::TruncateBody).api(Api::R2));
    let url = format!(
        "{}/accounts/{}/r2/buckets",
        emu.r2_base_url(),
        emu.r2_credentials().account_id
    );
    let resp = client()
        .get(&url)
        .bearer_auth(&emu.r2_credentials().api_token)
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 200);
    assert!(
        resp.text().await.is_err(),
        "body shorter than Content-Length must fail to read"
    );

    emu.faults().push(FaultRule::new(Fault::MalformedBody));
    let (s, _, v) = r2(&emu, "GET", "", None, None).await;
    assert_eq!(s, 200);
    assert!(v.is_null(), "corrupt JSON does not parse");
    emu.faults().push(FaultRule::new(Fault::MalformedBody));
    let r = Cos::new(&emu)
        .send("GET", "service.cos.myqcloud.com", "/", &[], &[], b"")
        .await;
    assert_eq!(r.status(), 200);
    let body = r.text().await.unwrap();
    assert!(!body.trim_end().ends_with('>') || !body.contains("</CORSConfiguration>"));
}

#[tokio::test]
async fn stall_trips_the_client_timeout_and_skew_fault_answers_403() {
    let emu = Emulator::start().await.unwrap();
    emu.faults()
        .push(FaultRule::new(Fault::Stall(Duration::from_secs(30))));
    let url = format!(
        "{}/accounts/{}/r2/buckets",
        emu.r2_base_url(),
        emu.r2_credentials().account_id
    );
    let err = client()
        .get(&url)
        .bearer_auth(&emu.r2_credentials().api_token)
        .timeout(Duration::from_millis(300))
        .send()
        .await
        .unwrap_err();
    assert!(err.is_timeout(), "{err:?}");

    emu.faults()
        .push(FaultRule::new(Fault::RequestTimeTooSkewed).api(Api::Cos));
    let r = Cos::new(&emu)
        .send("GET", "service.cos.myqcloud.com", "/", &[], &[], b"")
        .await;
    assert_eq!(r.status(), 403);
    assert!(r.headers().contains_key("date"));
    assert_eq!(code(&r.text().await.unwrap()), "RequestTimeTooSkewed");
    // Dropping the emulator while a request is stalled must not hang.
    emu.faults()
        .push(FaultRule::new(Fault::Stall(Duration::from_secs(3600))));
    let before = emu.request_count();
    let pending = tokio::spawn({
        let url = url.clone();
        let token = emu.r2_credentials().api_token.clone();
        async move { client().get(&url).bearer_auth(token).send().await }
    });
    // Wait (bounded) until the request arrived and took the stall, so shutdown provably
    // interrupts a stalled request rather than racing a sleep.
    let deadline = std::time::Instant::now() + Duration::from_secs(20);
    while emu.request_count() == before || emu.faults().pending() > 0 {
        assert!(
            std::time::Instant::now() < deadline,
            "the stalled request never arrived"
        );
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    emu.shutdown().await;
    assert!(pending.await.unwrap().is_err());
}

#[tokio::test]
async fn error_rate_and_latency() {
    let emu = Emulator::start().await.unwrap();
    emu.faults().set_error_rate(1.0, 42);
    emu.faults()
        .set_latency(Latency::Fixed(Duration::from_millis(150)));
    // Latency is a lower bound only: measuring "at least" never flakes on a busy machine.
    let started = std::time::Instant::now();
    let (s, _, v) = r2(&emu, "GET", "", None, None).await;
    assert!(
        started.elapsed() >= Duration::from_millis(150),
        "{:?}",
        started.elapsed()
    );
    assert_eq!((s, r2_code(&v)), (503, 10043));
    let r = Cos::new(&emu)
        .send("GET", "service.cos.myqcloud.com", "/", &[], &[], b"")
        .await;
    assert_eq!(code(&r.text().await.unwrap()), "SlowDown");
    emu.faults().clear();
    assert_eq!(r2(&emu, "GET", "", None, None).await.0, 200);
}

#[tokio::test]
async fn parallel_creates_are_all_recorded_and_kept() {
    let emu = Emulator::start().await.unwrap();
    let mut tasks = Vec::new();
    for i in 0..40 {
        let base = emu.r2_base_url();
        let acct = emu.r2_credentials().account_id.clone();
        let token = emu.r2_credentials().api_token.clone();
        tasks.push(tokio::spawn(async move {
            client()
                .post(format!("{base}/accounts/{acct}/r2/buckets"))
                .bearer_auth(token)
                .body(json!({"name": format!("par-{i:02}")}).to_string())
                .send()
                .await
                .unwrap()
                .status()
                .as_u16()
        }));
    }
    for t in tasks {
        assert_eq!(t.await.unwrap(), 200);
    }
    assert_eq!(emu.request_count(), 40);
    assert_eq!(
        emu.r2_bucket_names(bucket_admin_emulator::Jurisdiction::Default)
            .len(),
        40
    );
    // COS in parallel too.
    let cos = Cos::new(&emu);
    let futs: Vec<_> = (0..20)
        .map(|i| {
            let cos = &cos;
            async move {
                cos.bucket("PUT", &format!("par-{i:02}"), None, b"")
                    .await
                    .status()
                    .as_u16()
            }
        })
        .collect();
    for s in futures_join(futs).await {
        assert_eq!(s, 200);
    }
    assert_eq!(emu.cos_bucket_names().len(), 20);
}

async fn futures_join<F: std::future::Future>(futs: Vec<F>) -> Vec<F::Output> {
    // Poll all futures concurrently on this task (no extra dependency needed).
    let mut out = Vec::new();
    let mut pinned: Vec<_> = futs.into_iter().map(Box::pin).collect();
    let mut done: Vec<Option<F::Output>> = (0..pinned.len()).map(|_| None).collect();
    std::future::poll_fn(|cx| {
        let mut all = true;
        for (i, f) in pinned.iter_mut().enumerate() {
            if done[i].is_none() {
                match f.as_mut().poll(cx) {
                    std::task::Poll::Ready(v) => done[i] = Some(v),
                    std::task::Poll::Pending => all = false,
                }
            }
        }
        if all {
            std::task::Poll::Ready(())
        } else {
            std::task::Poll::Pending
        }
    })
    .await;
    for d in done {
        out.extend(d);
    }
    out
}

#[tokio::test]
async fn state_persists_across_restart() {
    let dir = tempfile::tempdir().unwrap();
    let emu = Emulator::builder()
        .data_dir(dir.path())
        .start()
        .await
        .unwrap();
    let cos = Cos::new(&emu);
    cos.create("keep").await;
    let cors = b"<CORSConfiguration><CORSRule><AllowedOrigin>*</AllowedOrigin><AllowedMethod>GET</AllowedMethod></CORSRule></CORSConfiguration>";
    assert_eq!(
        cos.bucket("PUT", "keep", Some("cors"), cors).await.status(),
        200
    );
    r2(&emu, "POST", "", Some("eu"), Some(json!({"name": "kept"}))).await;
    emu.shutdown().await;

    let emu = Emulator::builder()
        .data_dir(dir.path())
        .start()
        .await
        .unwrap();
    let cos = Cos::new(&emu);
    assert_eq!(cos.bucket("HEAD", "keep", None, b"").await.status(), 200);
    let body = cos
        .bucket("GET", "keep", Some("cors"), b"")
        .await
        .text()
        .await
        .unwrap();
    assert!(body.contains("<AllowedOrigin>*</AllowedOrigin>"), "{body}");
    let (s, _, _) = r2(&emu, "GET", "/kept", Some("eu"), None).await;
    assert_eq!(s, 200);
    assert!(dir.path().join("emulator-state.json").exists());
    let mut names: Vec<String> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    assert_eq!(
        names,
        ["emulator-state.json", "emulator.lock"],
        "no temp files left behind"
    );
}

#[tokio::test]
async fn retry_after_dates_are_as_far_ahead_as_asked_up_to_a_century() {
    let emu = Emulator::start().await.unwrap();
    let ahead = |h: &reqwest::header::HeaderMap| {
        let at = httpdate::parse_http_date(h["retry-after"].to_str().unwrap()).unwrap();
        at.duration_since(std::time::SystemTime::now())
            .unwrap()
            .as_secs()
    };
    const YEAR: u64 = 365 * 86_400;
    emu.faults()
        .push(FaultRule::new(Fault::TooManyRequestsUntil {
            seconds_from_now: 10 * YEAR,
        }));
    let (s, h, _) = r2(&emu, "GET", "", None, None).await;
    assert_eq!(s, 429);
    let secs = ahead(&h);
    assert!(
        (10 * YEAR - 120..=10 * YEAR).contains(&secs),
        "{secs} s ahead"
    );
    // Whatever is asked, the date stays a century ahead at most (and never overflows).
    emu.faults()
        .push(FaultRule::new(Fault::TooManyRequestsUntil {
            seconds_from_now: u64::MAX,
        }));
    let (s, h, _) = r2(&emu, "GET", "", None, None).await;
    assert_eq!(s, 429);
    let secs = ahead(&h);
    assert!(
        (100 * YEAR - 120..=100 * YEAR).contains(&secs),
        "{secs} s ahead"
    );
}

#[tokio::test]
async fn endless_cos_pages_answer_only_the_service_listing() {
    let emu = Emulator::start().await.unwrap();
    let cos = Cos::new(&emu);
    cos.create("e").await;
    emu.faults()
        .push(FaultRule::new(Fault::EndlessPages).api(Api::Cos).always());
    // `GET /` of a bucket (listing its objects) is not the bucket list.
    let r = cos.bucket("GET", "e", None, b"").await;
    assert_eq!(r.status(), 200);
    let body = r.text().await.unwrap();
    assert!(!body.contains("<ListAllMyBucketsResult>"), "{body}");
    let r = cos.bucket("GET", "e", Some("cors"), b"").await;
    assert_eq!(r.status(), 404);
    // A write to the service is not a listing either.
    let r = cos
        .send("PUT", "service.cos.myqcloud.com", "/", &[], &[], b"")
        .await;
    assert_ne!(r.status(), 200);
    let r = cos
        .send("GET", "service.cos.myqcloud.com", "/", &[], &[], b"")
        .await;
    assert!(
        r.text()
            .await
            .unwrap()
            .contains("<NextMarker>endless</NextMarker>")
    );
}
