//! COS request signing (`q-sign-algorithm=sha1`), as a pure function.
//!
//! [`sign`] reproduces byte for byte what the official Python SDK's `qcloud_cos.CosS3Auth`
//! produces for the same inputs (checked against hundreds of vectors generated with
//! `cos-python-sdk-v5` 1.9.44):
//!
//! 1. `KeyTime = "{start};{end}"` (Unix seconds); `q-sign-time` and `q-key-time` are equal.
//! 2. `SignKey = hex(HMAC-SHA1(SecretKey, KeyTime))`.
//! 3. The path is the **decoded** key with one leading `/` (added when missing); bucket-level
//!    operations sign `/`.
//! 4. Query pairs and header pairs are URL-encoded keeping only `A-Z a-z 0-9 - _ . ~`
//!    (uppercase `%XX`), names are lowercased *after* encoding, pairs are sorted by encoded name
//!    and, as in the SDK's dict, a later pair replaces an earlier one with the same name.
//! 5. `HttpString = lower(method)\npath\nparams\nheaders\n`,
//!    `StringToSign = sha1\nKeyTime\nhex(sha1(HttpString))\n`,
//!    `Signature = hex(HMAC-SHA1(SignKey, StringToSign))`.
//!
//! # Which headers are signed
//!
//! With [`HeaderSelection::Sdk`] (what [`sign`] uses) exactly the Python SDK's list:
//! `cache-control`, `content-disposition`, `content-encoding`, `content-type`, `content-md5`,
//! `content-length`, `expect`, `expires`, `host`, `if-match`, `if-modified-since`,
//! `if-none-match`, `if-unmodified-since`, `origin`, `range`, `transfer-encoding`,
//! `pic-operations`, plus every header whose name starts with `x-cos-` or `x-ci-`
//! (names compared case-insensitively). `Date`, `User-Agent`, `Accept*` and `Connection` are
//! never signed. [`HeaderSelection::All`] signs every header given (the form Tencent's
//! documentation examples use, which sign `date` too).
//!
//! The signer never adds a `host` header: pass the `Host` you send (the SDK signs the URL's
//! hostname without port, or an explicit `Host` header verbatim).
//!
//! ```
//! use bucket_admin_cos::sign::{sign, KeyTime};
//!
//! let sig = sign(
//!     "AKIDZfbOA78asKUYBcXFrJD0a1ICvR98JM-example",
//!     "not-a-real-secret",
//!     "GET",
//!     "/",
//!     &[("cors", "")],
//!     &[("Host", "examplebucket-1250000000.cos.ap-beijing.myqcloud.com")],
//!     KeyTime::new(1_700_000_000, 1_700_000_900),
//! );
//! assert_eq!(sig.http_string(), "get\n/\ncors=\nhost=examplebucket-1250000000.cos.ap-beijing.myqcloud.com\n");
//! assert!(sig.authorization().contains("&q-url-param-list=cors&"));
//! ```

use std::fmt::{self, Write as _};

use hmac::{Hmac, KeyInit, Mac};
use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, utf8_percent_encode};
use sha1::{Digest, Sha1};

/// Everything except `A-Z a-z 0-9 - _ . ~` is percent-encoded (Python `quote(s, safe='-_.~')`).
/// Private: [`encode`] is the public face, so `percent_encoding` stays out of the API.
const COS_ENCODE_SET: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'_')
    .remove(b'.')
    .remove(b'~');

/// Like [`COS_ENCODE_SET`] but keeping `/`: how object keys are written in URL paths.
const PATH_ENCODE_SET: &AsciiSet = &COS_ENCODE_SET.remove(b'/');

/// The headers the official Python SDK signs (besides every `x-cos-*` and `x-ci-*` header).
pub const SDK_SIGNED_HEADERS: &[&str] = &[
    "cache-control",
    "content-disposition",
    "content-encoding",
    "content-type",
    "content-md5",
    "content-length",
    "expect",
    "expires",
    "host",
    "if-match",
    "if-modified-since",
    "if-none-match",
    "if-unmodified-since",
    "origin",
    "range",
    "transfer-encoding",
    "pic-operations",
];

/// Whether the official SDK signs a header of this name (case-insensitive).
pub fn is_sdk_signed_header(name: &str) -> bool {
    let starts_with = |prefix: &str| {
        name.len() >= prefix.len()
            && name.as_bytes()[..prefix.len()].eq_ignore_ascii_case(prefix.as_bytes())
    };
    starts_with("x-cos-")
        || starts_with("x-ci-")
        || SDK_SIGNED_HEADERS
            .iter()
            .any(|h| h.eq_ignore_ascii_case(name))
}

/// Which of the given headers are signed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum HeaderSelection {
    /// The official Python SDK's list (see the [module docs](self)).
    #[default]
    Sdk,
    /// Every header given.
    All,
}

/// The validity window of a signature, in Unix seconds.
// Deliberately exhaustive: a validity window is a start and an end and can never grow.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct KeyTime {
    /// First second the signature is valid.
    pub start: i64,
    /// Last second the signature is valid.
    pub end: i64,
}

impl KeyTime {
    /// A window from `start` to `end`.
    pub const fn new(start: i64, end: i64) -> Self {
        Self { start, end }
    }

    /// The SDK's window: from one minute before `now` (to tolerate small clock differences) to
    /// `expires_in` seconds after it.
    pub const fn around(now: i64, expires_in: i64) -> Self {
        Self {
            start: now - 60,
            end: now + expires_in,
        }
    }

    /// Parses `"start;end"`.
    pub fn parse(s: &str) -> Option<Self> {
        let (a, b) = s.split_once(';')?;
        Some(Self::new(a.trim().parse().ok()?, b.trim().parse().ok()?))
    }
}

impl fmt::Display for KeyTime {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{};{}", self.start, self.end)
    }
}

/// A computed signature with its intermediate strings.
///
/// `Debug` shows the intermediate strings (safe to log: they are what the server echoes in a
/// `SignatureDoesNotMatch` error) but never the signing key, the signature or the
/// authorization, which grant access until the key time ends.
#[derive(Clone, PartialEq, Eq)]
pub struct Signature {
    key_time: KeyTime,
    sign_key: String,
    http_string: String,
    string_to_sign: String,
    header_list: String,
    url_param_list: String,
    signature: String,
    authorization: String,
}

impl Signature {
    /// The key time.
    pub fn key_time(&self) -> KeyTime {
        self.key_time
    }
    /// `hex(HMAC-SHA1(SecretKey, KeyTime))`. A credential for the key time: do not log it.
    pub fn sign_key(&self) -> &str {
        &self.sign_key
    }
    /// The `HttpString` (what COS returns as `FormatString` when signatures differ).
    pub fn http_string(&self) -> &str {
        &self.http_string
    }
    /// The `StringToSign`.
    pub fn string_to_sign(&self) -> &str {
        &self.string_to_sign
    }
    /// `q-header-list`: the signed header names, encoded, lowercased, sorted, `;`-separated.
    pub fn header_list(&self) -> &str {
        &self.header_list
    }
    /// `q-url-param-list`: the signed query names, encoded, lowercased, sorted, `;`-separated.
    pub fn url_param_list(&self) -> &str {
        &self.url_param_list
    }
    /// `q-signature`, lowercase hex.
    pub fn signature(&self) -> &str {
        &self.signature
    }
    /// The `Authorization` header value. A credential for the key time: do not log it.
    pub fn authorization(&self) -> &str {
        &self.authorization
    }

    /// The authorization as query-string pairs, in order, for a pre-signed URL.
    pub fn query_pairs(&self) -> [(&'static str, String); 7] {
        let kt = self.key_time.to_string();
        [
            ("q-sign-algorithm", "sha1".to_owned()),
            ("q-ak", self.q_ak().to_owned()),
            ("q-sign-time", kt.clone()),
            ("q-key-time", kt),
            ("q-header-list", self.header_list.clone()),
            ("q-url-param-list", self.url_param_list.clone()),
            ("q-signature", self.signature.clone()),
        ]
    }

    fn q_ak(&self) -> &str {
        self.authorization
            .strip_prefix("q-sign-algorithm=sha1&q-ak=")
            .and_then(|rest| rest.split("&q-sign-time=").next())
            .unwrap_or("")
    }
}

impl fmt::Debug for Signature {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Signature")
            .field("key_time", &self.key_time)
            .field("http_string", &self.http_string)
            .field("string_to_sign", &self.string_to_sign)
            .field("header_list", &self.header_list)
            .field("url_param_list", &self.url_param_list)
            .finish_non_exhaustive()
    }
}

/// Signs a request the way the official SDK does, signing the headers of
/// [`HeaderSelection::Sdk`]. See the [module docs](self).
pub fn sign(
    secret_id: &str,
    secret_key: &str,
    method: &str,
    path: &str,
    query: &[(&str, &str)],
    headers: &[(&str, &str)],
    key_time: KeyTime,
) -> Signature {
    sign_with(
        HeaderSelection::Sdk,
        secret_id,
        secret_key,
        method,
        path,
        query,
        headers,
        key_time,
    )
}

/// [`sign`] with an explicit choice of signed headers.
#[allow(clippy::too_many_arguments)]
pub fn sign_with(
    selection: HeaderSelection,
    secret_id: &str,
    secret_key: &str,
    method: &str,
    path: &str,
    query: &[(&str, &str)],
    headers: &[(&str, &str)],
    key_time: KeyTime,
) -> Signature {
    sign_with_key(
        selection,
        secret_id,
        &SigningKey::new(secret_key, key_time),
        method,
        path,
        query,
        headers,
    )
}

/// The part of a signature that depends only on the secret key and the key time:
/// `SignKey = hex(HMAC-SHA1(SecretKey, KeyTime))`, already keyed for the final HMAC.
///
/// A client signing many requests in one key time computes it once and passes it to
/// [`sign_with_key`]; the result is byte for byte what [`sign_with`] gives. Its `Debug`
/// shows the key time only: the key is as secret as the secret key.
#[derive(Clone)]
pub struct SigningKey {
    key_time: KeyTime,
    key_time_text: String,
    sign_key: String,
    /// HMAC-SHA1 keyed with `sign_key`, before any message: cloning it skips the key setup.
    keyed: Hmac<Sha1>,
}

impl SigningKey {
    /// Derives the key of `key_time` from `secret_key`.
    pub fn new(secret_key: &str, key_time: KeyTime) -> Self {
        let mut key_time_text = String::with_capacity(24);
        let _ = write!(key_time_text, "{key_time}");
        let sign_key = hmac_sha1_hex(secret_key.as_bytes(), key_time_text.as_bytes());
        let keyed = hmac_sha1(sign_key.as_bytes());
        Self {
            key_time,
            key_time_text,
            sign_key,
            keyed,
        }
    }

    /// The key time this key signs for.
    pub fn key_time(&self) -> KeyTime {
        self.key_time
    }
}

impl fmt::Debug for SigningKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SigningKey")
            .field("key_time", &self.key_time)
            .finish_non_exhaustive()
    }
}

/// [`sign_with`] with a [`SigningKey`] derived beforehand (the same bytes, one HMAC fewer).
pub fn sign_with_key(
    selection: HeaderSelection,
    secret_id: &str,
    key: &SigningKey,
    method: &str,
    path: &str,
    query: &[(&str, &str)],
    headers: &[(&str, &str)],
) -> Signature {
    let key_time = key.key_time;
    let key_time_text = &key.key_time_text;
    let sign_key = key.sign_key.clone();

    let params = encode_pairs(query.iter().copied());
    let signed_headers = encode_pairs(
        headers
            .iter()
            .copied()
            .filter(|(name, _)| selection == HeaderSelection::All || is_sdk_signed_header(name)),
    );

    let mut http_string =
        String::with_capacity(64 + path.len() + params.len() * 24 + signed_headers.len() * 48);
    for c in method.chars() {
        http_string.push(c.to_ascii_lowercase());
    }
    http_string.push('\n');
    if !path.starts_with('/') {
        http_string.push('/');
    }
    http_string.push_str(path);
    http_string.push('\n');
    join_pairs(&mut http_string, &params);
    http_string.push('\n');
    join_pairs(&mut http_string, &signed_headers);
    http_string.push('\n');

    let mut string_to_sign = String::with_capacity(5 + key_time_text.len() + 1 + 40 + 1);
    string_to_sign.push_str("sha1\n");
    string_to_sign.push_str(key_time_text);
    string_to_sign.push('\n');
    push_hex(&mut string_to_sign, &Sha1::digest(http_string.as_bytes()));
    string_to_sign.push('\n');

    let mut mac = key.keyed.clone();
    mac.update(string_to_sign.as_bytes());
    let mut signature = String::with_capacity(40);
    push_hex(&mut signature, &mac.finalize().into_bytes());

    let mut header_list = String::new();
    join_names(&mut header_list, &signed_headers);
    let mut url_param_list = String::new();
    join_names(&mut url_param_list, &params);

    let mut authorization = String::with_capacity(
        120 + secret_id.len() + 2 * key_time_text.len() + header_list.len() + url_param_list.len(),
    );
    authorization.push_str("q-sign-algorithm=sha1&q-ak=");
    authorization.push_str(secret_id);
    authorization.push_str("&q-sign-time=");
    authorization.push_str(key_time_text);
    authorization.push_str("&q-key-time=");
    authorization.push_str(key_time_text);
    authorization.push_str("&q-header-list=");
    authorization.push_str(&header_list);
    authorization.push_str("&q-url-param-list=");
    authorization.push_str(&url_param_list);
    authorization.push_str("&q-signature=");
    authorization.push_str(&signature);

    Signature {
        key_time,
        sign_key,
        http_string,
        string_to_sign,
        header_list,
        url_param_list,
        signature,
        authorization,
    }
}

/// Percent-encodes `s` like Python's `quote(s, safe='-_.~')`: everything except
/// `A-Z a-z 0-9 - _ . ~` (uppercase hex, space as `%20`).
pub fn encode(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    push_encoded(&mut out, s);
    out
}

fn push_encoded(out: &mut String, s: &str) {
    for chunk in utf8_percent_encode(s, COS_ENCODE_SET) {
        out.push_str(chunk);
    }
}

/// The URL path for an object key, as the SDK writes it: `/` plus the key encoded keeping
/// `/ - _ . ~`, with `./` written `.%2F` so that no HTTP stack collapses dot segments.
/// An empty key gives `/`.
pub fn object_path(key: &str) -> String {
    let key = key.strip_prefix('/').unwrap_or(key);
    let mut out = String::with_capacity(key.len() + 1);
    out.push('/');
    for chunk in utf8_percent_encode(key, PATH_ENCODE_SET) {
        out.push_str(chunk);
    }
    if out.contains("./") {
        out = out.replace("./", ".%2F");
    }
    out
}

/// Python `quote_plus(s, safe='')`: like [`encode`] but a space becomes `+`.
fn push_form_encoded(out: &mut String, s: &str) {
    for chunk in utf8_percent_encode(s, COS_ENCODE_SET) {
        if chunk == "%20" {
            out.push('+');
        } else {
            out.push_str(chunk);
        }
    }
}

/// A pre-signed URL the way the SDK's `get_presigned_url` builds it: `object_url`, `?`, the
/// authorization fields form-encoded in order, then `params` form-encoded (the same params that
/// were signed, in the caller's order).
pub fn presigned_url(object_url: &str, signature: &Signature, params: &[(&str, &str)]) -> String {
    let mut url = String::with_capacity(object_url.len() + signature.authorization.len() + 64);
    url.push_str(object_url);
    url.push('?');
    for (i, (name, value)) in signature.query_pairs().iter().enumerate() {
        if i > 0 {
            url.push('&');
        }
        url.push_str(name);
        url.push('=');
        push_form_encoded(&mut url, value);
    }
    for (name, value) in params {
        url.push('&');
        push_form_encoded(&mut url, name);
        url.push('=');
        push_form_encoded(&mut url, value);
    }
    url
}

fn encode_pairs<'a>(pairs: impl Iterator<Item = (&'a str, &'a str)>) -> Vec<(String, String)> {
    let mut out: Vec<(String, String)> = pairs
        .map(|(k, v)| {
            let mut key = encode(k);
            key.make_ascii_lowercase();
            (key, encode(v))
        })
        .collect();
    // Stable sort, then keep the last of equal names: the SDK holds pairs in a dict.
    out.sort_by(|a, b| a.0.cmp(&b.0));
    let mut deduped: Vec<(String, String)> = Vec::with_capacity(out.len());
    for pair in out {
        match deduped.last_mut() {
            Some(last) if last.0 == pair.0 => *last = pair,
            _ => deduped.push(pair),
        }
    }
    deduped
}

fn join_pairs(out: &mut String, pairs: &[(String, String)]) {
    for (i, (k, v)) in pairs.iter().enumerate() {
        if i > 0 {
            out.push('&');
        }
        out.push_str(k);
        out.push('=');
        out.push_str(v);
    }
}

fn join_names(out: &mut String, pairs: &[(String, String)]) {
    for (i, (k, _)) in pairs.iter().enumerate() {
        if i > 0 {
            out.push(';');
        }
        out.push_str(k);
    }
}

fn hmac_sha1(key: &[u8]) -> Hmac<Sha1> {
    match <Hmac<Sha1> as KeyInit>::new_from_slice(key) {
        Ok(mac) => mac,
        Err(_) => unreachable!("HMAC accepts keys of any length"),
    }
}

fn hmac_sha1_hex(key: &[u8], msg: &[u8]) -> String {
    let mut mac = hmac_sha1(key);
    mac.update(msg);
    let mut out = String::with_capacity(40);
    push_hex(&mut out, &mac.finalize().into_bytes());
    out
}

fn push_hex(out: &mut String, bytes: &[u8]) {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    for b in bytes {
        out.push(HEX[usize::from(b >> 4)] as char);
        out.push(HEX[usize::from(b & 0x0f)] as char);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn repeated_names_keep_the_last_value_like_the_sdks_dict() {
        let pairs = encode_pairs([("X-A", "1"), ("b", "3"), ("x-a", "2")].into_iter());
        assert_eq!(
            pairs,
            [
                ("b".to_owned(), "3".to_owned()),
                ("x-a".to_owned(), "2".to_owned())
            ]
        );
    }

    #[test]
    fn debug_shows_what_was_signed_but_not_the_signature() {
        let sig = sign(
            "AKIDexample",
            "secret-key-never-shown",
            "GET",
            "/",
            &[("cors", "")],
            &[("Host", "b-1250000000.cos.ap-beijing.myqcloud.com")],
            KeyTime::new(1_700_000_000, 1_700_000_600),
        );
        let shown = format!("{sig:?}");
        assert!(
            shown.contains("1700000000") && shown.contains("1700000600"),
            "{shown}"
        );
        assert!(shown.contains("string_to_sign"), "{shown}");
        assert!(shown.contains("header_list: \"host\""), "{shown}");
        assert!(!shown.contains(sig.signature()), "{shown}");
        assert!(!shown.contains("secret-key-never-shown"), "{shown}");
    }

    #[test]
    fn go_sdk_known_answer() {
        let sig = sign(
            "QmFzZTY0IGlzIGEgZ2VuZXJp",
            "AKIDZfbOA78asKUYBcXFrJD0a1ICvR98JM",
            "PUT",
            "/testfile2",
            &[],
            &[
                ("Host", "testbucket-125000000.cos.ap-guangzhou.myqcloud.com"),
                (
                    "x-cos-content-sha1",
                    "db8ac1c259eb89d4a131b253bacfca5f319d54f2",
                ),
                ("x-cos-stroage-class", "nearline"),
            ],
            KeyTime::new(1480932292, 1481012292),
        );
        assert_eq!(sig.signature(), "ce4ac0ecbcdb30538b3fee0a97cc6389694ce53a");
    }

    #[test]
    fn doc_7778_known_answers_sign_date_too() {
        let host = (
            "host",
            "examplebucket-1250000000.cos.ap-beijing.myqcloud.com",
        );
        let put = sign_with(
            HeaderSelection::All,
            "AKIDQjz3ltompVjBni5LitkWHFlFpwkn9U5q",
            "BQYIM75p8x0iWVFSIgqEKwFprpRSVHlz",
            "PUT",
            "/exampleobject(腾讯云)",
            &[],
            &[
                ("Content-Length", "13"),
                ("Content-MD5", "mQ/fVh815F3k6TAUm8m0eg=="),
                ("Content-Type", "text/plain"),
                ("Date", "Thu, 16 May 2019 06:45:51 GMT"),
                host,
                ("x-cos-acl", "private"),
                ("x-cos-grant-read", "uin=\"100000000011\""),
            ],
            KeyTime::new(1557989151, 1557996351),
        );
        assert_eq!(put.sign_key(), "eb2519b498b02ac213cb1f3d1a3d27a3b3c9bc5f");
        assert!(
            put.string_to_sign()
                .contains("8b2751e77f43a0995d6e9eb9477f4b685cca4172")
        );
        assert_eq!(put.signature(), "3b8851a11a569213c17ba8fa7dcf2abec6935172");

        let get = sign_with(
            HeaderSelection::All,
            "AKIDQjz3ltompVjBni5LitkWHFlFpwkn9U5q",
            "BQYIM75p8x0iWVFSIgqEKwFprpRSVHlz",
            "GET",
            "/exampleobject(腾讯云)",
            &[
                ("response-content-type", "application/octet-stream"),
                ("response-cache-control", "max-age=600"),
            ],
            &[("Date", "Thu, 16 May 2019 06:55:53 GMT"), host],
            KeyTime::new(1557989753, 1557996953),
        );
        assert_eq!(get.signature(), "01681b8c9d798a678e43b685a9f1bba0f6c0e012");
    }

    #[test]
    fn debug_hides_credentials() {
        let sig = sign("id", "key", "GET", "/", &[], &[], KeyTime::new(1, 2));
        let shown = format!("{sig:?}");
        assert!(!shown.contains(sig.signature()));
        assert!(!shown.contains(sig.sign_key()));
    }

    #[test]
    fn object_paths_match_the_sdk() {
        assert_eq!(object_path(""), "/");
        assert_eq!(object_path("a/./b/../c.txt"), "/a/.%2Fb/..%2Fc.txt");
        assert_eq!(
            object_path("a+b#c %d~😀.txt"),
            "/a%2Bb%23c%20%25d~%F0%9F%98%80.txt"
        );
    }
}
