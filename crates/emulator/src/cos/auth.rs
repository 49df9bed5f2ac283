//! COS request-signature verification (`q-sign-algorithm=sha1`, cos-protocol.md §1).
//!
//! The server side of signing: the HttpString is rebuilt from the request *as received*
//! (decoded path, the listed query parameters and headers re-encoded), never from anything the
//! client claims, so a client that signs one thing and sends another is caught.

use hmac::{Hmac, KeyInit, Mac};
use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, utf8_percent_encode};
use sha1::{Digest, Sha1};

/// Everything except `A-Z a-z 0-9 - _ . ~` is percent-encoded (uppercase hex).
const COS_ENCODE: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'_')
    .remove(b'.')
    .remove(b'~');

/// Key-time starts more than this far in the future are `RequestTimeTooSkewed`.
pub(crate) const MAX_FUTURE_SKEW_SECS: i64 = 15 * 60;

/// URL-encode per §1.6.
pub(crate) fn encode(s: &str) -> String {
    utf8_percent_encode(s, COS_ENCODE).to_string()
}

/// The parsed `q-*` fields of an Authorization value (or pre-signed query).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct ParsedAuth {
    pub algorithm: String,
    pub ak: String,
    pub sign_time: String,
    pub key_time: String,
    pub header_list: Vec<String>,
    pub param_list: Vec<String>,
    pub signature: String,
}

fn split_list(v: &str) -> Vec<String> {
    v.split(';')
        .filter(|s| !s.is_empty())
        .map(str::to_owned)
        .collect()
}

impl ParsedAuth {
    /// Parse `q-sign-algorithm=sha1&q-ak=...&...`.
    pub fn parse(value: &str) -> Result<ParsedAuth, String> {
        let pairs: Vec<(String, String)> = value
            .trim()
            .split('&')
            .filter(|p| !p.is_empty())
            .map(|p| match p.split_once('=') {
                Some((k, v)) => (k.trim().to_owned(), v.trim().to_owned()),
                None => (p.trim().to_owned(), String::new()),
            })
            .collect();
        Self::from_pairs(&pairs)
    }

    /// Build from already-decoded `(name, value)` pairs (query parameters of a pre-signed URL).
    pub fn from_pairs(pairs: &[(String, String)]) -> Result<ParsedAuth, String> {
        let get = |name: &str| {
            pairs
                .iter()
                .find(|(k, _)| k == name)
                .map(|(_, v)| v.clone())
        };
        let need = |name: &str| get(name).ok_or_else(|| format!("{name} is missing"));
        Ok(ParsedAuth {
            algorithm: need("q-sign-algorithm")?,
            ak: need("q-ak")?,
            sign_time: need("q-sign-time")?,
            key_time: need("q-key-time")?,
            header_list: split_list(&get("q-header-list").unwrap_or_default()),
            param_list: split_list(&get("q-url-param-list").unwrap_or_default()),
            signature: need("q-signature")?,
        })
    }
}

/// Parse `start;end` Unix seconds.
pub(crate) fn parse_key_time(kt: &str) -> Option<(i64, i64)> {
    let (a, b) = kt.split_once(';')?;
    let a = a.trim().parse().ok()?;
    let b = b.trim().parse().ok()?;
    (a <= b).then_some((a, b))
}

/// `lower(urlencode(k))=urlencode(v)` for every listed name, in list order. A listed name the
/// request does not carry contributes nothing: emitting `name=` would let a client sign
/// `?versioning` and send `?cors` (both canonicalise to an empty value).
fn canonical(pairs: &[(String, String)], list: &[String]) -> String {
    let mut out = Vec::new();
    for name in list {
        for (k, v) in pairs {
            if encode(k).to_ascii_lowercase() == *name {
                out.push(format!("{name}={}", encode(v)));
            }
        }
    }
    out.join("&")
}

/// The server's HttpString (the `FormatString` of a `SignatureDoesNotMatch`).
pub(crate) fn format_string(
    method: &str,
    decoded_path: &str,
    query: &[(String, String)],
    headers: &[(String, String)],
    auth: &ParsedAuth,
) -> String {
    format!(
        "{}\n{}\n{}\n{}\n",
        method.to_ascii_lowercase(),
        decoded_path,
        canonical(query, &auth.param_list),
        canonical(headers, &auth.header_list)
    )
}

fn hmac_sha1_hex(key: &[u8], msg: &[u8]) -> String {
    // HMAC accepts keys of any length, so this cannot fail.
    let mut mac = <Hmac<Sha1> as KeyInit>::new_from_slice(key).expect("HMAC takes any key length");
    mac.update(msg);
    hex::encode(mac.finalize().into_bytes())
}

/// `(StringToSign, Signature)` for an HttpString.
pub(crate) fn sign(
    secret_key: &str,
    sign_time: &str,
    key_time: &str,
    http_string: &str,
) -> (String, String) {
    let sign_key = hmac_sha1_hex(secret_key.as_bytes(), key_time.as_bytes());
    let sts = format!(
        "sha1\n{sign_time}\n{}\n",
        hex::encode(Sha1::digest(http_string.as_bytes()))
    );
    let sig = hmac_sha1_hex(sign_key.as_bytes(), sts.as_bytes());
    (sts, sig)
}

/// Compare without an early exit, so timing does not reveal how much of a guess was right.
pub(crate) fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    if a.len() != b.len() {
        return false;
    }
    a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// Why a request failed authentication; mapped to COS error codes by the router.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum AuthError {
    /// No Authorization header and no pre-signed query: 403 `AccessDenied`.
    Missing,
    /// Unparseable Authorization: 403 `AccessDenied`.
    Malformed(String),
    /// Unknown `q-ak`: 403 `InvalidAccessKeyId`.
    UnknownKey,
    /// Temporary key without `x-cos-security-token`: 403 `AccessDenied`.
    MissingToken,
    /// Temporary key with the wrong token: 403 `InvalidToken`.
    BadToken,
    /// Key time ended: 403 `AccessDenied` "Request has expired".
    Expired,
    /// Key time starts too far in the future: 403 `RequestTimeTooSkewed`.
    Skewed,
    /// `host` not signed: 403 `AccessDenied`.
    HostNotSigned,
    /// Recomputed signature differs: 403 `SignatureDoesNotMatch`.
    Mismatch {
        /// The server's StringToSign.
        string_to_sign: String,
        /// The server's HttpString.
        format_string: String,
    },
}

/// One accepted key pair.
#[derive(Debug, Clone)]
pub(crate) struct KeyEntry<'a> {
    pub secret_id: &'a str,
    pub secret_key: &'a str,
    /// `Some(token)` for temporary credentials.
    pub token: Option<&'a str>,
}

/// A request, as the verifier sees it: the decoded path and decoded query/header pairs.
#[derive(Debug, Clone)]
pub(crate) struct SignedRequest<'a> {
    pub method: &'a str,
    pub decoded_path: &'a str,
    pub query: &'a [(String, String)],
    pub headers: &'a [(String, String)],
}

const PRESIGN_PARAMS: [&str; 7] = [
    "q-sign-algorithm",
    "q-ak",
    "q-sign-time",
    "q-key-time",
    "q-header-list",
    "q-url-param-list",
    "q-signature",
];

/// Verify a request against the accepted keys at server time `now` (Unix seconds).
pub(crate) fn verify(
    req: &SignedRequest<'_>,
    keys: &[KeyEntry<'_>],
    now: i64,
) -> Result<(), AuthError> {
    let header = |name: &str| {
        req.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    };
    let auth = match header("authorization") {
        Some(v) if !v.trim().is_empty() => ParsedAuth::parse(v).map_err(AuthError::Malformed)?,
        _ if req.query.iter().any(|(k, _)| k == "q-signature") => {
            ParsedAuth::from_pairs(req.query).map_err(AuthError::Malformed)?
        }
        _ => return Err(AuthError::Missing),
    };
    if !auth.algorithm.eq_ignore_ascii_case("sha1") {
        return Err(AuthError::Malformed(format!(
            "unsupported q-sign-algorithm `{}`",
            auth.algorithm
        )));
    }
    let key = keys
        .iter()
        .find(|k| k.secret_id == auth.ak)
        .ok_or(AuthError::UnknownKey)?;
    if let Some(expected) = key.token {
        let sent = header("x-cos-security-token").or_else(|| {
            req.query
                .iter()
                .find(|(k, _)| k == "x-cos-security-token")
                .map(|(_, v)| v.as_str())
        });
        match sent {
            None => return Err(AuthError::MissingToken),
            Some(t) if !constant_time_eq(t.as_bytes(), expected.as_bytes()) => {
                return Err(AuthError::BadToken);
            }
            Some(_) => {}
        }
    }
    let Some((start, end)) = parse_key_time(&auth.key_time) else {
        return Err(AuthError::Malformed(
            "q-key-time must be `start;end`".into(),
        ));
    };
    if parse_key_time(&auth.sign_time).is_none() {
        return Err(AuthError::Malformed(
            "q-sign-time must be `start;end`".into(),
        ));
    }
    if now > end {
        return Err(AuthError::Expired);
    }
    if start > now + MAX_FUTURE_SKEW_SECS {
        return Err(AuthError::Skewed);
    }
    if !auth.header_list.iter().any(|h| h == "host") {
        return Err(AuthError::HostNotSigned);
    }
    // The pre-signing parameters themselves are never part of the signed parameters.
    let query: Vec<(String, String)> = req
        .query
        .iter()
        .filter(|(k, _)| !PRESIGN_PARAMS.contains(&k.as_str()))
        .cloned()
        .collect();
    let fs = format_string(req.method, req.decoded_path, &query, req.headers, &auth);
    let (sts, sig) = sign(key.secret_key, &auth.sign_time, &auth.key_time, &fs);
    if constant_time_eq(
        sig.as_bytes(),
        auth.signature.to_ascii_lowercase().as_bytes(),
    ) {
        Ok(())
    } else {
        Err(AuthError::Mismatch {
            string_to_sign: sts,
            format_string: fs,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::Value;

    fn pairs(v: &Value) -> Vec<(String, String)> {
        v.as_array()
            .into_iter()
            .flatten()
            .map(|p| {
                (
                    p[0].as_str().unwrap_or_default().to_owned(),
                    p[1].as_str().unwrap_or_default().to_owned(),
                )
            })
            .collect()
    }

    fn url_host(url: &str) -> String {
        let rest = url.split_once("://").map_or(url, |(_, r)| r);
        let authority = rest.split(['/', '?']).next().unwrap_or_default();
        authority.split(':').next().unwrap_or_default().to_owned()
    }

    /// The recomputation must reproduce every official-SDK vector from its inputs, and the
    /// full verifier must accept each one at its pinned time.
    #[test]
    fn verifier_reproduces_every_sign_vector() {
        let path = concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../cos/tests/data/sign_vectors.json"
        );
        let Ok(text) = std::fs::read_to_string(path) else {
            eprintln!("no sign vectors at {path}; skipping");
            return;
        };
        let vectors: Vec<Value> = serde_json::from_str(&text).expect("valid vectors JSON");
        assert!(!vectors.is_empty());
        for v in &vectors {
            let id = v["id"].as_str().unwrap_or("?");
            let auth = ParsedAuth::parse(v["authorization"].as_str().unwrap()).unwrap();
            let query = pairs(&v["query"]);
            let mut headers = pairs(&v["headers_at_signing"]);
            if !headers.iter().any(|(k, _)| k.eq_ignore_ascii_case("host")) {
                let host = v["sign_host"]
                    .as_str()
                    .map(str::to_owned)
                    .unwrap_or_else(|| url_host(v["url"].as_str().unwrap_or_default()));
                headers.push(("Host".into(), host));
            }
            let method = v["method"].as_str().unwrap();
            let path = v["path"].as_str().unwrap();
            let fs = format_string(method, path, &query, &headers, &auth);
            assert_eq!(
                fs,
                v["http_string"].as_str().unwrap(),
                "http string of {id}"
            );
            let (sts, sig) = sign(
                v["secret_key"].as_str().unwrap(),
                &auth.sign_time,
                &auth.key_time,
                &fs,
            );
            assert_eq!(sts, v["string_to_sign"].as_str().unwrap(), "sts of {id}");
            assert_eq!(sig, v["signature"].as_str().unwrap(), "signature of {id}");
            let mut all_headers = headers.clone();
            all_headers.push((
                "Authorization".into(),
                v["authorization"].as_str().unwrap().into(),
            ));
            let (start, _) = parse_key_time(&auth.key_time).unwrap();
            let keys = [KeyEntry {
                secret_id: v["secret_id"].as_str().unwrap(),
                secret_key: v["secret_key"].as_str().unwrap(),
                token: None,
            }];
            let req = SignedRequest {
                method,
                decoded_path: path,
                query: &query,
                headers: &all_headers,
            };
            let host_signed = auth.header_list.iter().any(|h| h == "host");
            let got = verify(&req, &keys, start + 1);
            if host_signed {
                assert_eq!(got, Ok(()), "verify {id}");
            } else {
                assert_eq!(got, Err(AuthError::HostNotSigned), "verify {id}");
            }
        }
    }

    #[test]
    fn known_answer_from_doc_7778() {
        let auth = ParsedAuth {
            algorithm: "sha1".into(),
            ak: "x".into(),
            sign_time: "1557989753;1557996953".into(),
            key_time: "1557989753;1557996953".into(),
            header_list: vec!["date".into(), "host".into()],
            param_list: vec![
                "response-cache-control".into(),
                "response-content-type".into(),
            ],
            signature: String::new(),
        };
        let q = vec![
            (
                "response-content-type".to_owned(),
                "application/octet-stream".to_owned(),
            ),
            (
                "response-cache-control".to_owned(),
                "max-age=600".to_owned(),
            ),
        ];
        let h = vec![
            (
                "Date".to_owned(),
                "Thu, 16 May 2019 06:55:53 GMT".to_owned(),
            ),
            (
                "Host".to_owned(),
                "examplebucket-1250000000.cos.ap-beijing.myqcloud.com".to_owned(),
            ),
        ];
        let fs = format_string("GET", "/exampleobject(腾讯云)", &q, &h, &auth);
        let (_, sig) = sign(
            "BQYIM75p8x0iWVFSIgqEKwFprpRSVHlz",
            &auth.sign_time,
            &auth.key_time,
            &fs,
        );
        assert_eq!(sig, "01681b8c9d798a678e43b685a9f1bba0f6c0e012");
    }

    const AK: &str = "AKIDtest";
    const SK: &str = "secret-key";
    const TOKEN: &str = "session-token";
    /// Signing time of the requests below: valid from 1000 to 2000.
    const KT: &str = "1000;2000";

    fn h(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
        pairs
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect()
    }

    /// The `q-*` fields of a correct signature over `query` and `headers` with `params` and
    /// `header_names` listed, signed with `secret` for key time `kt`.
    fn signature_fields(
        secret: &str,
        kt: &str,
        query: &[(String, String)],
        headers: &[(String, String)],
        header_names: &str,
        params: &str,
    ) -> Vec<(String, String)> {
        let auth = ParsedAuth {
            algorithm: "sha1".into(),
            ak: AK.into(),
            sign_time: kt.into(),
            key_time: kt.into(),
            header_list: split_list(header_names),
            param_list: split_list(params),
            signature: String::new(),
        };
        let fs = format_string("GET", "/k", query, headers, &auth);
        let (_, sig) = sign(secret, kt, kt, &fs);
        h(&[
            ("q-sign-algorithm", "sha1"),
            ("q-ak", AK),
            ("q-sign-time", kt),
            ("q-key-time", kt),
            ("q-header-list", header_names),
            ("q-url-param-list", params),
            ("q-signature", &sig),
        ])
    }

    fn header_value(fields: &[(String, String)]) -> String {
        fields
            .iter()
            .map(|(k, v)| format!("{k}={v}"))
            .collect::<Vec<_>>()
            .join("&")
    }

    fn check(
        query: &[(String, String)],
        headers: &[(String, String)],
        keys: &[KeyEntry<'_>],
        now: i64,
    ) -> Result<(), AuthError> {
        verify(
            &SignedRequest {
                method: "GET",
                decoded_path: "/k",
                query,
                headers,
            },
            keys,
            now,
        )
    }

    fn key(token: Option<&'static str>) -> [KeyEntry<'static>; 1] {
        [KeyEntry {
            secret_id: AK,
            secret_key: SK,
            token,
        }]
    }

    /// A request signed in an `Authorization` header, `extra` headers beside `host`.
    fn header_signed(kt: &str, extra: &[(&str, &str)]) -> Vec<(String, String)> {
        let mut headers = h(&[("Host", "b-1250000000.cos.ap-guangzhou.myqcloud.com")]);
        headers.extend(h(extra));
        let fields = signature_fields(SK, kt, &[], &headers, "host", "");
        headers.push(("Authorization".into(), header_value(&fields)));
        headers
    }

    #[test]
    fn key_time_bounds_are_inclusive_and_the_future_skew_is_fifteen_minutes() {
        assert_eq!(MAX_FUTURE_SKEW_SECS, 900);
        let keys = key(None);
        let headers = header_signed(KT, &[]);
        // The last second of the key time is still valid; the next one is not.
        assert_eq!(check(&[], &headers, &keys, 2000), Ok(()));
        assert_eq!(check(&[], &headers, &keys, 2001), Err(AuthError::Expired));
        assert_eq!(check(&[], &headers, &keys, 1500), Ok(()));
        // Starting exactly 900 s ahead of the server is accepted, 901 s is skew.
        let ahead = header_signed("1900;5000", &[]);
        assert_eq!(check(&[], &ahead, &keys, 1000), Ok(()));
        assert_eq!(check(&[], &ahead, &keys, 999), Err(AuthError::Skewed));
        assert_eq!(check(&[], &ahead, &keys, 1900), Ok(()));
    }

    #[test]
    fn every_refusal_has_its_own_reason() {
        let keys = key(None);
        assert_eq!(
            check(&[], &h(&[("Host", "h")]), &keys, 1500),
            Err(AuthError::Missing)
        );
        // A blank Authorization header is no Authorization, and other query parameters are no
        // pre-signed query.
        assert_eq!(
            check(
                &h(&[("acl", "")]),
                &h(&[("Authorization", "  ")]),
                &keys,
                1500
            ),
            Err(AuthError::Missing)
        );
        assert!(matches!(
            check(&[], &h(&[("Authorization", "q-ak=x")]), &keys, 1500),
            Err(AuthError::Malformed(m)) if m == "q-sign-algorithm is missing"
        ));
        let mut md5 = header_signed(KT, &[]);
        let last = md5.len() - 1;
        md5[last].1 = md5[last]
            .1
            .replace("q-sign-algorithm=sha1", "q-sign-algorithm=md5");
        assert!(matches!(
            check(&[], &md5, &keys, 1500),
            Err(AuthError::Malformed(m)) if m.contains("md5")
        ));
        let other = [KeyEntry {
            secret_id: "AKIDother",
            secret_key: SK,
            token: None,
        }];
        assert_eq!(
            check(&[], &header_signed(KT, &[]), &other, 1500),
            Err(AuthError::UnknownKey)
        );
        let bad_time = header_signed("2000;1000", &[]);
        assert!(matches!(
            check(&[], &bad_time, &keys, 1500),
            Err(AuthError::Malformed(m)) if m.contains("q-key-time")
        ));
        // Host not among the signed headers.
        let mut headers = h(&[("Host", "h"), ("Date", "d")]);
        let fields = signature_fields(SK, KT, &[], &headers, "date", "");
        headers.push(("Authorization".into(), header_value(&fields)));
        assert_eq!(
            check(&[], &headers, &keys, 1500),
            Err(AuthError::HostNotSigned)
        );
        // Signed with another secret: the server's strings are reported.
        let mut headers = h(&[("Host", "h")]);
        let fields = signature_fields("wrong", KT, &[], &headers, "host", "");
        headers.push(("Authorization".into(), header_value(&fields)));
        match check(&[], &headers, &keys, 1500) {
            Err(AuthError::Mismatch {
                string_to_sign,
                format_string,
            }) => {
                assert_eq!(format_string, "get\n/k\n\nhost=h\n");
                assert!(
                    string_to_sign.starts_with("sha1\n1000;2000\n"),
                    "{string_to_sign}"
                );
            }
            other => panic!("{other:?}"),
        }
        // The signature's letter case does not matter.
        let mut upper = header_signed(KT, &[]);
        let last = upper.len() - 1;
        let (head, sig) = upper[last].1.rsplit_once("q-signature=").unwrap();
        upper[last].1 = format!("{head}q-signature={}", sig.to_ascii_uppercase());
        assert_eq!(check(&[], &upper, &keys, 1500), Ok(()));
    }

    #[test]
    fn temporary_keys_need_their_own_token_in_a_header_or_the_query() {
        let keys = key(Some(TOKEN));
        assert_eq!(
            check(&[], &header_signed(KT, &[]), &keys, 1500),
            Err(AuthError::MissingToken)
        );
        assert_eq!(
            check(
                &[],
                &header_signed(KT, &[("x-cos-security-token", TOKEN)]),
                &keys,
                1500
            ),
            Ok(())
        );
        assert_eq!(
            check(
                &[],
                &header_signed(KT, &[("x-cos-security-token", "other")]),
                &keys,
                1500
            ),
            Err(AuthError::BadToken)
        );
        // Pre-signed: the token rides in the query, after the signature fields.
        let headers = h(&[("Host", "h")]);
        let mut query = signature_fields(SK, KT, &[], &headers, "host", "");
        query.push(("x-cos-security-token".into(), TOKEN.into()));
        assert_eq!(check(&query, &headers, &keys, 1500), Ok(()));
        let last = query.len() - 1;
        query[last].1 = "other".into();
        assert_eq!(
            check(&query, &headers, &keys, 1500),
            Err(AuthError::BadToken)
        );
    }

    #[test]
    fn presigned_queries_sign_their_listed_parameters_but_not_themselves() {
        let keys = key(None);
        let headers = h(&[("Host", "h"), ("Authorization", " ")]);
        let params = h(&[("response-content-type", "text/plain")]);
        let mut query = params.clone();
        query.extend(signature_fields(
            SK,
            KT,
            &params,
            &headers[..1],
            "host",
            "response-content-type",
        ));
        assert_eq!(check(&query, &headers, &keys, 1500), Ok(()));
        // Another value for the signed parameter does not verify.
        query[0].1 = "text/html".into();
        assert!(matches!(
            check(&query, &headers, &keys, 1500),
            Err(AuthError::Mismatch { .. })
        ));
    }

    #[test]
    fn authorization_values_parse_field_by_field() {
        let auth = ParsedAuth::parse(
            " q-sign-algorithm=sha1&&q-ak= AK &q-sign-time=1;2&q-key-time=3;4&q-header-list=date;;host&q-url-param-list=&q-signature=ab ",
        )
        .unwrap();
        assert_eq!(
            auth,
            ParsedAuth {
                algorithm: "sha1".into(),
                ak: "AK".into(),
                sign_time: "1;2".into(),
                key_time: "3;4".into(),
                header_list: vec!["date".into(), "host".into()],
                param_list: vec![],
                signature: "ab".into(),
            }
        );
        assert_eq!(split_list(";a;;b;"), ["a", "b"]);
        assert_eq!(
            ParsedAuth::parse("q-sign-algorithm=sha1&q-ak=a&q-sign-time=1;2&q-key-time=1;2"),
            Err("q-signature is missing".to_owned())
        );
        assert_eq!(parse_key_time(" 4 ; 5 "), Some((4, 5)));
        assert_eq!(parse_key_time("5;5"), Some((5, 5)));
        assert_eq!(parse_key_time("-3;7"), Some((-3, 7)));
        assert_eq!(parse_key_time("5"), None);
    }

    #[test]
    fn constant_time_eq_compares_every_byte() {
        assert!(constant_time_eq(b"", b""));
        assert!(constant_time_eq(b"abc", b"abc"));
        assert!(!constant_time_eq(b"abc", b"abd"));
        // Differences that cancel out under XOR-accumulation or AND still differ.
        assert!(!constant_time_eq(b"ab", b"ba"));
        assert!(!constant_time_eq(b"\x01\x02", b"\x03\x00"));
        assert!(!constant_time_eq(b"abc", b"ab"));
    }

    #[test]
    fn encoding_rules() {
        assert_eq!(encode("a b+c/d~e"), "a%20b%2Bc%2Fd~e");
        assert_eq!(encode("中"), "%E4%B8%AD");
        assert!(parse_key_time("5;4").is_none());
        assert!(parse_key_time("x;4").is_none());
        assert!(constant_time_eq(b"ab", b"ab"));
        assert!(!constant_time_eq(b"ab", b"abc"));
    }
}
