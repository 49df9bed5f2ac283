//! Test helpers: a small COS signer written independently of the emulator's verifier, and
//! raw reqwest clients for both APIs.
#![allow(dead_code)]

use std::time::{SystemTime, UNIX_EPOCH};

use base64::Engine;
use bucket_admin_emulator::Emulator;
use hmac::{Hmac, KeyInit, Mac};
use md5::Md5;
use sha1::{Digest, Sha1};

pub fn client() -> reqwest::Client {
    reqwest::Client::builder().build().expect("client")
}

fn enc(s: &str) -> String {
    let mut out = String::new();
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || b"-_.~".contains(&b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

fn hmac_hex(key: &[u8], msg: &str) -> String {
    let mut m = <Hmac<Sha1> as KeyInit>::new_from_slice(key).unwrap();
    m.update(msg.as_bytes());
    hex::encode(m.finalize().into_bytes())
}

pub fn now() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64
}

/// Sign per cos-protocol.md §1; returns the Authorization value.
pub fn sign(
    secret_id: &str,
    secret_key: &str,
    method: &str,
    path: &str,
    query: &[(&str, &str)],
    headers: &[(&str, &str)],
    key_time: (i64, i64),
) -> String {
    let kt = format!("{};{}", key_time.0, key_time.1);
    let mut q: Vec<(String, String)> = query
        .iter()
        .map(|(k, v)| (enc(k).to_lowercase(), enc(v)))
        .collect();
    q.sort();
    let mut h: Vec<(String, String)> = headers
        .iter()
        .map(|(k, v)| (enc(k).to_lowercase(), enc(v)))
        .collect();
    h.sort();
    let join = |v: &[(String, String)]| {
        v.iter()
            .map(|(k, v)| format!("{k}={v}"))
            .collect::<Vec<_>>()
            .join("&")
    };
    let list = |v: &[(String, String)]| {
        v.iter()
            .map(|(k, _)| k.clone())
            .collect::<Vec<_>>()
            .join(";")
    };
    let http = format!(
        "{}\n{}\n{}\n{}\n",
        method.to_lowercase(),
        path,
        join(&q),
        join(&h)
    );
    let sts = format!(
        "sha1\n{kt}\n{}\n",
        hex::encode(Sha1::digest(http.as_bytes()))
    );
    let sign_key = hmac_hex(secret_key.as_bytes(), &kt);
    let sig = hmac_hex(sign_key.as_bytes(), &sts);
    format!(
        "q-sign-algorithm=sha1&q-ak={secret_id}&q-sign-time={kt}&q-key-time={kt}&q-header-list={}&q-url-param-list={}&q-signature={sig}",
        list(&h),
        list(&q)
    )
}

pub fn md5_b64(body: &[u8]) -> String {
    base64::engine::general_purpose::STANDARD.encode(Md5::digest(body))
}

/// A COS request builder bound to an emulator.
pub struct Cos<'a> {
    pub emu: &'a Emulator,
    pub secret_id: String,
    pub secret_key: String,
    pub token: Option<String>,
    pub key_time: Option<(i64, i64)>,
}

pub fn bucket_host(emu: &Emulator, name: &str) -> String {
    format!(
        "{name}-{}.cos.ap-beijing.myqcloud.com",
        emu.cos_credentials().appid
    )
}

pub fn bucket_full(emu: &Emulator, name: &str) -> String {
    format!("{name}-{}", emu.cos_credentials().appid)
}

impl<'a> Cos<'a> {
    pub fn new(emu: &'a Emulator) -> Self {
        let c = emu.cos_credentials();
        Cos {
            emu,
            secret_id: c.secret_id.clone(),
            secret_key: c.secret_key.clone(),
            token: None,
            key_time: None,
        }
    }

    /// Send a signed request. `query` items with empty values become `k=` in the URL.
    pub async fn send(
        &self,
        method: &str,
        host: &str,
        path: &str,
        query: &[(&str, &str)],
        extra: &[(&str, &str)],
        body: &[u8],
    ) -> reqwest::Response {
        let mut headers: Vec<(String, String)> = vec![("host".into(), host.into())];
        for (k, v) in extra {
            headers.push(((*k).into(), (*v).into()));
        }
        if !body.is_empty() {
            headers.push(("content-md5".into(), md5_b64(body)));
            if !extra
                .iter()
                .any(|(k, _)| k.eq_ignore_ascii_case("content-type"))
            {
                headers.push(("content-type".into(), "application/xml".into()));
            }
        }
        if let Some(t) = &self.token {
            headers.push(("x-cos-security-token".into(), t.clone()));
        }
        let signed: Vec<(&str, &str)> = headers
            .iter()
            .map(|(k, v)| (k.as_str(), v.as_str()))
            .collect();
        let kt = self.key_time.unwrap_or((now() - 60, now() + 3600));
        let decoded = percent_encoding::percent_decode_str(path)
            .decode_utf8_lossy()
            .into_owned();
        let auth = sign(
            &self.secret_id,
            &self.secret_key,
            method,
            &decoded,
            query,
            &signed,
            kt,
        );
        let qs: Vec<String> = query
            .iter()
            .map(|(k, v)| format!("{}={}", enc(k), enc(v)))
            .collect();
        let url = if qs.is_empty() {
            format!("{}{}", self.emu.cos_endpoint(), path)
        } else {
            format!("{}{}?{}", self.emu.cos_endpoint(), path, qs.join("&"))
        };
        let mut rb = client()
            .request(method.parse().unwrap(), url)
            .header("authorization", auth);
        for (k, v) in &headers {
            rb = rb.header(k.as_str(), v.as_str());
        }
        rb.body(body.to_vec()).send().await.expect("transport")
    }

    pub async fn bucket(
        &self,
        method: &str,
        name: &str,
        sub: Option<&str>,
        body: &[u8],
    ) -> reqwest::Response {
        let q: Vec<(&str, &str)> = sub.map(|s| vec![(s, "")]).unwrap_or_default();
        self.send(method, &bucket_host(self.emu, name), "/", &q, &[], body)
            .await
    }

    pub async fn create(&self, name: &str) {
        let r = self.bucket("PUT", name, None, b"").await;
        assert_eq!(r.status(), 200, "{}", r.text().await.unwrap());
    }
}

/// `<Code>` of a COS error body.
pub fn code(body: &str) -> String {
    tag(body, "Code")
}

pub fn tag(body: &str, name: &str) -> String {
    let open = format!("<{name}>");
    let close = format!("</{name}>");
    body.split_once(&open)
        .and_then(|(_, r)| r.split_once(&close))
        .map(|(v, _)| v.to_owned())
        .unwrap_or_default()
}

/// An R2 request.
pub async fn r2(
    emu: &Emulator,
    method: &str,
    path: &str,
    jurisdiction: Option<&str>,
    body: Option<serde_json::Value>,
) -> (u16, reqwest::header::HeaderMap, serde_json::Value) {
    let url = format!(
        "{}/accounts/{}/r2/buckets{}",
        emu.r2_base_url(),
        emu.r2_credentials().account_id,
        path
    );
    let mut rb = client()
        .request(method.parse().unwrap(), url)
        .bearer_auth(&emu.r2_credentials().api_token);
    if let Some(j) = jurisdiction {
        rb = rb.header("cf-r2-jurisdiction", j);
    }
    if let Some(b) = body {
        rb = rb
            .header("content-type", "application/json")
            .body(b.to_string());
    }
    let resp = rb.send().await.expect("transport");
    let status = resp.status().as_u16();
    let headers = resp.headers().clone();
    let text = resp.text().await.unwrap();
    let json = serde_json::from_str(&text).unwrap_or(serde_json::Value::Null);
    (status, headers, json)
}

pub fn r2_code(v: &serde_json::Value) -> i64 {
    v["errors"][0]["code"].as_i64().unwrap_or(-1)
}
