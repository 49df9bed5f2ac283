//! # bucket-admin-formats
//!
//! The configuration file shapes in circulation, read into bucket-admin's neutral models and
//! written back out: what the `bucket-admin` command line reads and writes, for a Rust
//! migration script too. Re-exported by the facade as `bucket_admin::formats` (feature
//! `formats`, on by default).
//!
//! Five CORS shapes are in circulation and users mix them up (the classic: AWS/S3-shaped JSON
//! sent to the R2 REST API, which answers with error 10040). Every shape is read into the
//! neutral [`CorsConfiguration`] and can be written back out, so any file can be converted into
//! any other shape (the CLI: `bucket-admin cors get file://in.json --output-format <shape>`).
//!
//! ```
//! use bucket_admin_formats::{CorsFormat, parse_cors, render_cors};
//!
//! // What `aws s3api get-bucket-cors` prints ...
//! let aws = r#"{"CORSRules": [{"AllowedOrigins": ["https://example.com"],
//!                              "AllowedMethods": ["GET"], "MaxAgeSeconds": 600}]}"#;
//! let parsed = parse_cors(aws, None).unwrap();
//! assert_eq!(parsed.format, CorsFormat::S3Json);
//! assert_eq!(parsed.config.rules[0].max_age_seconds, Some(600));
//! // ... as the JSON wrangler and the R2 REST API take; `lost` lists what R2's shape cannot hold.
//! let (r2, lost) = render_cors(&parsed.config, CorsFormat::R2Json);
//! assert!(r2.contains(r#""maxAgeSeconds": 600"#) && lost.is_empty());
//! ```
//!
//! Lifecycle rules ([`parse_lifecycle`], [`render_lifecycle`]: COS/S3 XML, the AWS CLI's JSON,
//! the COS SDK dict, the R2 JSON), replication ([`parse_replication`]) and policies
//! ([`parse_policy`]) go through the COS and R2 clients' own codecs, so a file and the wire
//! agree. Errors ([`FormatError`]) name the field path and, in their hint, the `bucket-admin`
//! command that converts or takes the file.
//!
//! | shape | top level | produced / consumed by |
//! | --- | --- | --- |
//! | [`CorsFormat::Neutral`] | `{"rules":[{"allowed_origins":..}]}` | bucket-admin, the Rust library |
//! | [`CorsFormat::S3Json`] | `{"CORSRules":[{"AllowedOrigins":..}]}` | `aws s3api put-bucket-cors` |
//! | [`CorsFormat::CosJson`] | `{"CORSRule":[{"AllowedOrigin":..}]}` | COS SDKs (`put_bucket_cors`) |
//! | [`CorsFormat::CosXml`] | `<CORSConfiguration><CORSRule>` | COS (and S3) XML API |
//! | [`CorsFormat::R2Json`] | `{"rules":[{"allowed":{"origins":..}}]}` | wrangler, the R2 REST API |

#![deny(missing_docs)]

use std::fmt;
use std::str::FromStr;

use bucket_admin_core::{CorsConfiguration, CorsExtras, CorsMethod, CorsRule};
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use serde_json::Value;

/// A CORS file shape.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum CorsFormat {
    /// bucket-admin's neutral JSON (the serde form of [`CorsConfiguration`]).
    Neutral,
    /// The AWS/S3 JSON `aws s3api put-bucket-cors --cors-configuration` takes.
    S3Json,
    /// The dict shape of the COS SDKs (`CORSRule` / `AllowedOrigin`, singular).
    CosJson,
    /// The COS XML API body (`<CORSConfiguration>`), also what S3's XML API uses.
    CosXml,
    /// The JSON wrangler (`wrangler r2 bucket cors set --file`) and the R2 REST API take.
    R2Json,
}

impl CorsFormat {
    /// Every format, in the order shown in help texts.
    pub const ALL: [CorsFormat; 5] = [
        CorsFormat::Neutral,
        CorsFormat::S3Json,
        CorsFormat::CosJson,
        CorsFormat::CosXml,
        CorsFormat::R2Json,
    ];

    /// The name used on the command line (`--format`, `--output-format`).
    pub fn cli_name(&self) -> &'static str {
        match self {
            CorsFormat::Neutral => "neutral",
            CorsFormat::S3Json => "s3",
            CorsFormat::CosJson => "cos-json",
            CorsFormat::CosXml => "cos-xml",
            CorsFormat::R2Json => "r2",
        }
    }

    /// A human description naming the shape, for messages.
    pub fn describe(&self) -> &'static str {
        match self {
            CorsFormat::Neutral => {
                "bucket-admin neutral JSON ({\"rules\":[{\"allowed_origins\":[..],\"allowed_methods\":[..]}]})"
            }
            CorsFormat::S3Json => {
                "AWS/S3 JSON, as taken by `aws s3api put-bucket-cors` ({\"CORSRules\":[{\"AllowedOrigins\":[..]}]})"
            }
            CorsFormat::CosJson => {
                "COS SDK JSON ({\"CORSRule\":[{\"AllowedOrigin\":[..],\"AllowedMethod\":[..]}]})"
            }
            CorsFormat::CosXml => "COS XML (<CORSConfiguration><CORSRule>..)",
            CorsFormat::R2Json => {
                "R2/wrangler JSON ({\"rules\":[{\"allowed\":{\"origins\":[..],\"methods\":[..]}}]})"
            }
        }
    }
}

impl fmt::Display for CorsFormat {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.cli_name())
    }
}

impl FromStr for CorsFormat {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.to_ascii_lowercase().as_str() {
            "neutral" | "json" => Ok(CorsFormat::Neutral),
            "s3" | "s3-json" | "aws" => Ok(CorsFormat::S3Json),
            "cos-json" | "cos-sdk" => Ok(CorsFormat::CosJson),
            "cos-xml" | "xml" => Ok(CorsFormat::CosXml),
            "r2" | "r2-json" | "wrangler" => Ok(CorsFormat::R2Json),
            other => Err(format!(
                "`{other}` is not a CORS format (expected one of: {})",
                CorsFormat::ALL.map(|f| f.cli_name()).join(", ")
            )),
        }
    }
}

/// What a file turned out to be.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Shape {
    /// A CORS configuration in this format.
    Cors(CorsFormat),
    /// A lifecycle configuration (neutral, S3 or COS); never valid for a CORS command.
    Lifecycle(&'static str),
    /// A bucket policy; never valid for a CORS command.
    Policy,
    /// Nothing recognisable; the string says what was seen.
    Unknown(String),
}

impl fmt::Display for Shape {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Shape::Cors(format) => f.write_str(format.describe()),
            Shape::Lifecycle(which) => write!(f, "a {which} lifecycle configuration"),
            Shape::Policy => f.write_str("a bucket policy"),
            Shape::Unknown(what) => f.write_str(what),
        }
    }
}

/// A file that could not be read as the configuration a command needs.
///
/// `message` says what is wrong; `hint` says how to fix it (which shape the file is and how to
/// convert it). The CLI maps it to exit code 2 (invalid input).
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct FormatError {
    /// What is wrong.
    pub message: String,
    /// How to fix it, when we know.
    pub hint: Option<String>,
}

impl FormatError {
    fn new(message: impl Into<String>) -> Self {
        Self {
            message: message.into(),
            hint: None,
        }
    }

    fn with_hint(mut self, hint: impl Into<String>) -> Self {
        self.hint = Some(hint.into());
        self
    }
}

impl fmt::Display for FormatError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)?;
        if let Some(hint) = &self.hint {
            write!(f, "\nhint: {hint}")?;
        }
        Ok(())
    }
}

impl std::error::Error for FormatError {}

/// Strips a UTF-8 byte order mark and surrounding whitespace: editors on Windows add the BOM and
/// serde_json rejects it with an unhelpful "expected value" error.
fn clean(text: &str) -> &str {
    text.trim_start_matches('\u{feff}').trim()
}

/// Lifecycle rules in a provider's shape: COS/S3 XML, the AWS JSON that
/// `aws s3api put-bucket-lifecycle-configuration` takes (`{"Rules":[..]}`), the COS SDK dict
/// (`{"Rule":[..]}`), or the R2/wrangler JSON. `None` when the text is none of these (the
/// neutral JSON, or something else, for the caller to report).
///
/// The XML and the two dict shapes go through the COS client's own codec (the dicts are the
/// XML's elements as JSON), the R2 shape through the R2 client's, so a file and the wire agree.
/// Dates keep their zone: AWS writes UTC midnights (`...T00:00:00Z`), COS `+08:00`.
pub fn parse_lifecycle(
    text: &str,
) -> Option<Result<(bucket_admin_core::LifecycleConfiguration, &'static str), FormatError>> {
    let which = match detect(text) {
        Shape::Lifecycle(which) if which != "bucket-admin neutral" => which,
        _ => return None,
    };
    let as_file = |e: bucket_admin_core::Error| {
        let message = e
            .message()
            .replace("COS returned ", "")
            .replace("R2 returned ", "")
            .replace("the COS response", "the file");
        FormatError::new(format!("invalid {which} lifecycle file: {message}"))
    };
    let text = clean(text);
    let result = match which {
        "COS/S3 XML" => bucket_admin_cos::codec::decode_lifecycle(text).map_err(as_file),
        "R2" => {
            let mut value: Value = match serde_json::from_str(text) {
                Ok(v) => v,
                Err(e) => return Some(Err(FormatError::new(format!("invalid JSON: {e}")))),
            };
            if let Some(result) = value.get_mut("result").map(Value::take) {
                value = result;
            }
            bucket_admin_r2::codec::decode_lifecycle(&value.to_string())
                .map(Option::unwrap_or_default)
                .map_err(as_file)
        }
        _ => match serde_json::from_str::<Value>(text) {
            Ok(value) => {
                let xml = lifecycle_json_to_xml(&value);
                bucket_admin_cos::codec::decode_lifecycle(&xml).map_err(as_file)
            }
            Err(e) => Err(FormatError::new(format!("invalid JSON: {e}"))),
        },
    };
    Some(result.map(|c| (c, which)))
}

/// Lifecycle shapes [`render_lifecycle`] writes (the CLI's `lifecycle get --output-format`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "clap", derive(clap::ValueEnum))]
#[non_exhaustive]
pub enum LifecycleFormat {
    /// bucket-admin's neutral JSON (what `--json` prints).
    Neutral,
    /// COS/S3 XML, as the COS API takes it.
    CosXml,
    /// The R2 REST API / wrangler JSON (ages in seconds).
    R2,
    /// The AWS JSON `aws s3api put-bucket-lifecycle-configuration --lifecycle-configuration`
    /// takes (`{"Rules":[{"Expiration":{"Days":30},..}]}`).
    Aws,
}

/// Writes lifecycle rules in `format`; fails when the shape cannot hold them (for example a
/// tag filter in the R2 shape), naming what does not fit.
pub fn render_lifecycle(
    config: &bucket_admin_core::LifecycleConfiguration,
    format: LifecycleFormat,
) -> Result<String, FormatError> {
    let fail = |e: bucket_admin_core::Error| {
        FormatError::new(format!(
            "these rules cannot be written as {format:?}: {}",
            e.message()
        ))
    };
    Ok(match format {
        LifecycleFormat::Neutral => {
            let mut t = serde_json::to_string_pretty(config).unwrap_or_default();
            t.push('\n');
            t
        }
        LifecycleFormat::CosXml => {
            let mut t = bucket_admin_cos::codec::encode_lifecycle(config).map_err(fail)?;
            t.push('\n');
            t
        }
        LifecycleFormat::Aws => {
            let xml = bucket_admin_cos::codec::encode_lifecycle(config).map_err(fail)?;
            let mut t =
                serde_json::to_string_pretty(&lifecycle_xml_to_aws_json(&xml)?).unwrap_or_default();
            t.push('\n');
            t
        }
        LifecycleFormat::R2 => {
            let raw = bucket_admin_r2::codec::encode_lifecycle(config).map_err(fail)?;
            let mut t = serde_json::from_str::<Value>(&raw)
                .and_then(|v| serde_json::to_string_pretty(&v))
                .unwrap_or(raw);
            t.push('\n');
            t
        }
    })
}

/// S3 lifecycle XML as the AWS CLI's JSON: the same names, repeated elements as the plural
/// lists AWS uses (`Rules`, `Transitions`, `Tags`), counts as numbers, flags as booleans.
fn lifecycle_xml_to_aws_json(xml: &str) -> Result<Value, FormatError> {
    use quick_xml::events::Event;

    struct Node {
        name: String,
        text: String,
        children: Vec<Node>,
    }
    fn to_json(node: &Node) -> Value {
        const NUMBERS: &[&str] = &[
            "Days",
            "NoncurrentDays",
            "DaysAfterInitiation",
            "NewerNoncurrentVersions",
            "ObjectSizeGreaterThan",
            "ObjectSizeLessThan",
        ];
        if node.children.is_empty() {
            let text = node.text.trim();
            if NUMBERS.contains(&node.name.as_str())
                && let Ok(n) = text.parse::<u64>()
            {
                return Value::from(n);
            }
            if node.name == "ExpiredObjectDeleteMarker" {
                return Value::Bool(text == "true");
            }
            return Value::from(text);
        }
        let mut obj = serde_json::Map::new();
        for child in &node.children {
            let list = match child.name.as_str() {
                "Rule" => Some("Rules"),
                "Transition" => Some("Transitions"),
                "NoncurrentVersionTransition" => Some("NoncurrentVersionTransitions"),
                "Tag" => Some("Tags"),
                _ => None,
            };
            match list {
                Some(key) => {
                    if let Value::Array(items) =
                        obj.entry(key).or_insert_with(|| Value::Array(Vec::new()))
                    {
                        items.push(to_json(child));
                    }
                }
                None => {
                    obj.insert(child.name.clone(), to_json(child));
                }
            }
        }
        Value::Object(obj)
    }

    let bad = |e: String| FormatError::new(format!("cannot write the AWS lifecycle JSON: {e}"));
    let mut reader = quick_xml::Reader::from_str(xml);
    let mut stack = vec![Node {
        name: String::new(),
        text: String::new(),
        children: Vec::new(),
    }];
    loop {
        match reader.read_event().map_err(|e| bad(e.to_string()))? {
            Event::Start(e) => stack.push(Node {
                name: e.local_name().into_inner().to_owned(),
                text: String::new(),
                children: Vec::new(),
            }),
            Event::Empty(e) => {
                let node = Node {
                    name: e.local_name().into_inner().to_owned(),
                    text: String::new(),
                    children: Vec::new(),
                };
                if let Some(top) = stack.last_mut() {
                    top.children.push(node);
                }
            }
            Event::Text(t) => {
                let text: &str = t.as_ref();
                if let Some(top) = stack.last_mut() {
                    top.text.push_str(text);
                }
            }
            Event::GeneralRef(r) => {
                let name: &str = r.as_ref();
                let reference = format!("&{name};");
                let text =
                    quick_xml::escape::unescape(&reference).map_err(|e| bad(e.to_string()))?;
                if let Some(top) = stack.last_mut() {
                    top.text.push_str(&text);
                }
            }
            Event::End(_) => {
                let node = stack.pop().ok_or_else(|| bad("unbalanced XML".into()))?;
                match stack.last_mut() {
                    Some(parent) => parent.children.push(node),
                    None => return Err(bad("unbalanced XML".into())),
                }
            }
            Event::Eof => break,
            _ => {}
        }
    }
    let root = stack
        .pop()
        .and_then(|mut doc| doc.children.pop())
        .ok_or_else(|| bad("no LifecycleConfiguration element".into()))?;
    let mut json = to_json(&root);
    if json.get("Rules").is_none() {
        json = serde_json::json!({ "Rules": [] });
    }
    Ok(json)
}

/// The AWS JSON / COS dict lifecycle shape as the S3/COS XML it mirrors.
fn lifecycle_json_to_xml(value: &Value) -> String {
    dict_to_xml(value, "LifecycleConfiguration", &["Rules", "Rule"])
}

/// A COS SDK dict (or AWS JSON) as the XML document it mirrors: the same element names, with
/// AWS's plural list keys (`Rules`, `Transitions`, `Tags`) as repeated singular elements.
/// Only the top-level keys in `keep` are taken (AWS-only settings of the whole document are
/// not part of what COS reads).
fn dict_to_xml(value: &Value, root_name: &str, keep: &[&str]) -> String {
    fn element(name: &str, value: &Value, out: &mut String) {
        let name = match name {
            "Rules" => "Rule",
            "Transitions" => "Transition",
            "NoncurrentVersionTransitions" => "NoncurrentVersionTransition",
            "Tags" => "Tag",
            other => other,
        };
        match value {
            Value::Null => {}
            Value::Array(items) => {
                for item in items {
                    element(name, item, out);
                }
            }
            Value::Object(obj) => {
                out.push_str(&format!("<{name}>"));
                for (k, v) in obj {
                    element(k, v, out);
                }
                out.push_str(&format!("</{name}>"));
            }
            Value::String(text) => out.push_str(&format!(
                "<{name}>{}</{name}>",
                quick_xml::escape::escape(text.as_str())
            )),
            other => out.push_str(&format!("<{name}>{other}</{name}>")),
        }
    }
    let root = value.get(root_name).unwrap_or(value).as_object();
    let mut out = format!("<{root_name}>");
    for (k, v) in root.into_iter().flatten() {
        if keep.contains(&k.as_str()) {
            element(k, v, &mut out);
        }
    }
    out.push_str(&format!("</{root_name}>"));
    out
}

fn file_error(what: &str, e: &bucket_admin_core::Error) -> FormatError {
    let message = e
        .message()
        .replace("COS returned ", "")
        .replace("the COS response", "the file");
    FormatError::new(format!("invalid {what} file: {message}"))
}

/// A bucket policy in the COS (and AWS) policy language: `{"Statement":[{"Effect":..}]}`,
/// read with the COS client's codec. `None` for other text (the neutral JSON among it).
pub fn parse_policy(text: &str) -> Option<Result<bucket_admin_core::BucketPolicy, FormatError>> {
    let value: Value = serde_json::from_str(clean(text)).ok()?;
    let obj = value.as_object()?;
    let native = obj
        .keys()
        .any(|k| k.eq_ignore_ascii_case("statement") && k != "statements");
    native.then(|| {
        bucket_admin_cos::codec::decode_policy(clean(text))
            .map_err(|e| file_error("COS policy", &e))
    })
}

/// Replication rules as COS XML (`<ReplicationConfiguration>`) or the COS SDK dict
/// (`{"Role":..,"Rule":[..]}`), read with the COS client's codec. `None` for other text.
pub fn parse_replication(
    text: &str,
) -> Option<Result<bucket_admin_core::ReplicationConfiguration, FormatError>> {
    let text = clean(text);
    if text.starts_with('<') {
        return Some(
            bucket_admin_cos::codec::decode_replication(text)
                .map_err(|e| file_error("COS XML replication", &e)),
        );
    }
    let value: Value = serde_json::from_str(text).ok()?;
    let inner = value.get("ReplicationConfiguration").unwrap_or(&value);
    let obj = inner.as_object()?;
    (obj.contains_key("Rule") || obj.contains_key("Role")).then(|| {
        let xml = dict_to_xml(
            &value,
            "ReplicationConfiguration",
            &["Role", "Rule", "Rules"],
        );
        bucket_admin_cos::codec::decode_replication(&xml)
            .map_err(|e| file_error("COS SDK replication", &e))
    })
}

/// Detects the shape of a file's content. Never fails: unknown content is [`Shape::Unknown`]
/// with a description of what was seen.
pub fn detect(text: &str) -> Shape {
    let text = clean(text);
    if text.is_empty() {
        return Shape::Unknown("an empty file".into());
    }
    if text.starts_with('<') {
        return match xml_root(text) {
            Some(root) if root == "CORSConfiguration" => Shape::Cors(CorsFormat::CosXml),
            Some(root) if root == "LifecycleConfiguration" => Shape::Lifecycle("COS/S3 XML"),
            Some(root) => Shape::Unknown(format!("an XML document with root element <{root}>")),
            None => Shape::Unknown("XML-like text without a root element".into()),
        };
    }
    let value: Value = match serde_json::from_str(text) {
        Ok(v) => v,
        Err(e) => return Shape::Unknown(format!("neither JSON nor XML ({e})")),
    };
    detect_json(&value)
}

fn detect_json(value: &Value) -> Shape {
    let obj = match value {
        Value::Object(obj) => obj,
        Value::Array(items) => {
            let first = items.first().and_then(Value::as_object);
            let kind = match first {
                Some(r) if r.contains_key("AllowedOrigins") => "AWS/S3 CORS rules",
                Some(r) if r.contains_key("AllowedOrigin") => "COS CORS rules",
                Some(r) if r.contains_key("allowed") => "R2 CORS rules",
                Some(r) if r.contains_key("allowed_origins") => "neutral CORS rules",
                _ => "values",
            };
            return Shape::Unknown(format!("a bare JSON array of {kind}"));
        }
        other => return Shape::Unknown(format!("a JSON {}", json_type(other))),
    };
    // The R2 REST API wraps answers in {"result": .., "success": ..}; accept what
    // `curl .../cors` returns.
    if let (Some(result), true) = (obj.get("result"), obj.contains_key("success")) {
        return detect_json(result);
    }
    if obj.contains_key("CORSRules") {
        return Shape::Cors(CorsFormat::S3Json);
    }
    if obj.contains_key("CORSRule") {
        return Shape::Cors(CorsFormat::CosJson);
    }
    if let Some(inner) = obj.get("CORSConfiguration") {
        // `aws s3api get-bucket-cors` output pasted with its wrapper, or a COS dict wrapped
        // the way the XML root is.
        return detect_json(inner);
    }
    if obj.contains_key("Rules") || obj.contains_key("Rule") {
        return Shape::Lifecycle("AWS/S3 or COS JSON");
    }
    if obj.contains_key("Statement") || obj.contains_key("statements") {
        return Shape::Policy;
    }
    if let Some(rules) = obj.get("rules") {
        let first = rules
            .as_array()
            .and_then(|r| r.first())
            .and_then(Value::as_object);
        return match first {
            Some(rule) if rule.contains_key("allowed") => Shape::Cors(CorsFormat::R2Json),
            Some(rule) if rule.contains_key("allowed_origins") => Shape::Cors(CorsFormat::Neutral),
            Some(rule)
                if rule.contains_key("enabled")
                    && (rule.contains_key("expiration")
                        || rule.contains_key("transitions")
                        || rule.contains_key("filter")) =>
            {
                Shape::Lifecycle("bucket-admin neutral")
            }
            Some(rule)
                if rule.contains_key("conditions")
                    || rule.contains_key("deleteObjectsTransition")
                    || rule.contains_key("abortMultipartUploadsTransition")
                    || rule.contains_key("storageClassTransitions") =>
            {
                Shape::Lifecycle("R2")
            }
            // `{"rules": []}` reads the same in neutral and R2 shapes.
            _ => Shape::Cors(CorsFormat::Neutral),
        };
    }
    let keys: Vec<_> = obj.keys().take(5).map(|k| format!("`{k}`")).collect();
    if keys.is_empty() {
        Shape::Unknown("an empty JSON object".into())
    } else {
        Shape::Unknown(format!(
            "a JSON object with top-level keys {}",
            keys.join(", ")
        ))
    }
}

fn json_type(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "boolean",
        Value::Number(_) => "number",
        Value::String(_) => "string",
        Value::Array(_) => "array",
        Value::Object(_) => "object",
    }
}

/// The name of the first element of an XML document, skipping the declaration and comments.
fn xml_root(text: &str) -> Option<String> {
    use quick_xml::events::Event;
    let mut reader = quick_xml::Reader::from_str(text);
    loop {
        match reader.read_event() {
            Ok(Event::Start(e)) | Ok(Event::Empty(e)) => {
                return Some(e.local_name().into_inner().to_owned());
            }
            Ok(Event::Eof) | Err(_) => return None,
            Ok(_) => {}
        }
    }
}

/// A parsed CORS file: the configuration and the format it was read as.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct ParsedCors {
    /// The configuration.
    pub config: CorsConfiguration,
    /// The format it was read as.
    pub format: CorsFormat,
}

/// Reads a CORS file, detecting its format unless `forced`.
///
/// A file in another shape than `forced` is refused with a hint naming its actual shape, rather
/// than read into a wrong (typically empty) configuration.
pub fn parse_cors(text: &str, forced: Option<CorsFormat>) -> Result<ParsedCors, FormatError> {
    let shape = detect(text);
    let format = match (forced, &shape) {
        (Some(f), Shape::Cors(found)) if f != *found => {
            return Err(FormatError::new(format!(
                "--format {f} was given, but the file is {}",
                found.describe()
            ))
            .with_hint(wrong_shape_hint(*found, f)));
        }
        (Some(f), Shape::Cors(_)) => f,
        (_, Shape::Cors(found)) => *found,
        (_, Shape::Lifecycle(which)) => {
            return Err(FormatError::new(format!(
                "the file is a {which} lifecycle configuration, not a CORS configuration"
            ))
            .with_hint("use `bucket-admin lifecycle put` for lifecycle rules"));
        }
        (_, Shape::Policy) => {
            return Err(
                FormatError::new("the file is a bucket policy, not a CORS configuration")
                    .with_hint("use `bucket-admin policy put` for bucket policies"),
            );
        }
        (_, Shape::Unknown(what)) => {
            return Err(
                FormatError::new(format!("the file is {what}, not a CORS configuration"))
                    .with_hint(format!(
                        "accepted shapes: {}",
                        CorsFormat::ALL.map(|f| f.describe()).join("; ")
                    )),
            );
        }
    };
    let config = match format {
        CorsFormat::Neutral => from_json::<CorsConfiguration>(text, format)?,
        CorsFormat::S3Json => from_json::<S3Doc>(text, format)?.into_neutral()?,
        CorsFormat::CosJson => from_json::<CosDoc>(text, format)?.into_neutral()?,
        // The R2 client's own decoder (exact maxAgeSeconds, method names), after unwrapping an
        // API envelope; a document without rules is an empty configuration.
        CorsFormat::R2Json => {
            let rules = from_json::<Value>(text, format)?;
            bucket_admin_r2::codec::decode_cors(&rules.to_string())
                .map_err(|e| {
                    FormatError::new(format!("invalid {}: {}", format.describe(), e.message()))
                })?
                .unwrap_or_default()
        }
        // The same codec the COS client sends and parses with, so a file and the wire agree.
        CorsFormat::CosXml => bucket_admin_cos::codec::decode_cors(clean(text)).map_err(|e| {
            // The codec speaks of server answers; this is the user's file.
            let message = e
                .message()
                .replace("COS returned ", "")
                .replace("the COS response", "the file");
            FormatError::new(format!(
                "invalid {}: {message}",
                CorsFormat::CosXml.describe()
            ))
        })?,
    };
    Ok(ParsedCors { config, format })
}

/// The advice for a file of shape `found` given where shape `wanted` was forced.
pub fn wrong_shape_hint(found: CorsFormat, wanted: CorsFormat) -> String {
    let mut hint = format!(
        "drop --format to read it as {found}, or convert it with `bucket-admin cors get file://FILE --output-format {wanted} > converted`"
    );
    if found == CorsFormat::S3Json && wanted == CorsFormat::R2Json {
        hint.push_str(
            "; wrangler and the R2 REST API only take the R2 shape and reject S3-shaped JSON (Cloudflare error 10040), bucket-admin converts it for you",
        );
    }
    hint
}

/// Parses JSON (unwrapping the R2 API envelope or a `CORSConfiguration` wrapper) into `T`,
/// naming the format in any error so the user knows what we expected.
fn from_json<T: DeserializeOwned>(text: &str, format: CorsFormat) -> Result<T, FormatError> {
    let fail =
        |e: serde_json::Error| FormatError::new(format!("invalid {}: {e}", format.describe()));
    let mut value: Value = serde_json::from_str(clean(text)).map_err(fail)?;
    loop {
        let inner = match &mut value {
            Value::Object(obj) if obj.contains_key("success") && obj.contains_key("result") => {
                obj.remove("result")
            }
            Value::Object(obj) if obj.len() == 1 && obj.contains_key("CORSConfiguration") => {
                obj.remove("CORSConfiguration")
            }
            _ => None,
        };
        match inner {
            Some(v) => value = v,
            None => break,
        }
    }
    serde_path_to_error::deserialize(value).map_err(|e| {
        let path = e.path().to_string();
        let inner = e.into_inner();
        if path.is_empty() || path == "." {
            fail(inner)
        } else {
            FormatError::new(format!("invalid {}: {path}: {inner}", format.describe()))
        }
    })
}

/// Writes `config` in `format`. Returns the text and every setting the format cannot hold
/// (only COS `ResponseVary` outside the COS shapes), so callers can warn instead of dropping
/// it silently.
pub fn render_cors(config: &CorsConfiguration, format: CorsFormat) -> (String, Vec<String>) {
    let mut lost = Vec::new();
    let vary_lost = |lost: &mut Vec<String>| {
        if let Some(vary) = config.extras.cos_response_vary {
            lost.push(format!(
                "COS ResponseVary ({vary}) cannot be written in {}; it was left out",
                format.describe()
            ));
        }
    };
    let text = match format {
        CorsFormat::Neutral => pretty(config),
        CorsFormat::S3Json => {
            vary_lost(&mut lost);
            pretty(&S3Doc::from_neutral(config))
        }
        CorsFormat::R2Json => {
            vary_lost(&mut lost);
            pretty(&R2Doc::from_neutral(config))
        }
        CorsFormat::CosJson => pretty(&CosDoc::from_neutral(config)),
        CorsFormat::CosXml => {
            // Encoding the neutral model cannot fail: it holds no map keys or non-UTF-8 text.
            let mut xml = bucket_admin_cos::codec::encode_cors(config).unwrap_or_default();
            xml.push('\n');
            xml
        }
    };
    (text, lost)
}

fn pretty<T: Serialize>(value: &T) -> String {
    // Serialising these plain structs cannot fail (no maps with non-string keys).
    let mut text = serde_json::to_string_pretty(value).unwrap_or_default();
    text.push('\n');
    text
}

fn parse_methods(methods: &[String], at: &str) -> Result<Vec<CorsMethod>, FormatError> {
    methods
        .iter()
        .enumerate()
        .map(|(i, m)| {
            m.parse::<CorsMethod>()
                .map_err(|e| FormatError::new(format!("{at}[{i}]: {e}")))
        })
        .collect()
}

fn method_names(methods: &[CorsMethod]) -> Vec<String> {
    methods.iter().map(|m| m.as_str().to_owned()).collect()
}

/// A list that the COS SDKs write as a bare string when it has one element (they are
/// xmltodict-based).
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize, Serialize)]
#[serde(untagged)]
enum OneOrMany {
    One(String),
    #[default]
    None,
    Many(Vec<String>),
}

impl OneOrMany {
    fn into_vec(self) -> Vec<String> {
        match self {
            OneOrMany::One(s) => vec![s],
            OneOrMany::None => Vec::new(),
            OneOrMany::Many(v) => v,
        }
    }
}

/// A number the COS SDKs may write as a string (`"MaxAgeSeconds": "600"`).
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(untagged)]
enum NumOrString {
    // Any JSON number, checked in `get`, so `-5` or `1.5` is named with its field instead of
    // failing the untagged match.
    Num(serde_json::Number),
    Str(String),
}

impl NumOrString {
    fn get(&self, at: &str) -> Result<u32, FormatError> {
        let text = match self {
            NumOrString::Num(n) => n.to_string(),
            NumOrString::Str(s) => s.trim().to_owned(),
        };
        text.parse().map_err(|_| {
            FormatError::new(format!(
                "{at}: `{text}` is not a whole number of seconds (0 to {})",
                u32::MAX
            ))
        })
    }
}

/// A boolean the COS SDKs write as `"true"` / `"false"`.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(untagged)]
enum BoolOrString {
    Bool(bool),
    Str(String),
}

impl BoolOrString {
    fn get(&self, at: &str) -> Result<bool, FormatError> {
        match self {
            BoolOrString::Bool(b) => Ok(*b),
            BoolOrString::Str(s) => match s.trim().to_ascii_lowercase().as_str() {
                "true" => Ok(true),
                "false" => Ok(false),
                _ => Err(FormatError::new(format!(
                    "{at}: `{s}` is not true or false"
                ))),
            },
        }
    }
}

// ---- AWS/S3 JSON ----

#[derive(Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct S3Doc {
    #[serde(rename = "CORSRules")]
    rules: Vec<S3Rule>,
}

#[derive(Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct S3Rule {
    #[serde(rename = "ID", default, skip_serializing_if = "Option::is_none")]
    id: Option<String>,
    #[serde(rename = "AllowedOrigins")]
    origins: Vec<String>,
    #[serde(rename = "AllowedMethods")]
    methods: Vec<String>,
    #[serde(
        rename = "AllowedHeaders",
        default,
        skip_serializing_if = "Vec::is_empty"
    )]
    headers: Vec<String>,
    #[serde(
        rename = "ExposeHeaders",
        default,
        skip_serializing_if = "Vec::is_empty"
    )]
    expose: Vec<String>,
    #[serde(
        rename = "MaxAgeSeconds",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    max_age: Option<u32>,
}

impl S3Doc {
    fn from_neutral(cfg: &CorsConfiguration) -> Self {
        Self {
            rules: cfg
                .rules
                .iter()
                .map(|r| S3Rule {
                    id: r.id.clone(),
                    origins: r.allowed_origins.clone(),
                    methods: method_names(&r.allowed_methods),
                    headers: r.allowed_headers.clone(),
                    expose: r.expose_headers.clone(),
                    max_age: r.max_age_seconds,
                })
                .collect(),
        }
    }

    fn into_neutral(self) -> Result<CorsConfiguration, FormatError> {
        let mut rules = Vec::with_capacity(self.rules.len());
        for (i, r) in self.rules.into_iter().enumerate() {
            let mut cors_rule = CorsRule::new(
                r.origins,
                parse_methods(&r.methods, &format!("CORSRules[{i}].AllowedMethods"))?,
            )
            .with_allowed_headers(r.headers)
            .with_expose_headers(r.expose);
            cors_rule.id = r.id;
            cors_rule.max_age_seconds = r.max_age;
            rules.push(cors_rule);
        }
        Ok(CorsConfiguration::new(rules))
    }
}

// ---- COS SDK JSON ----

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct CosDoc {
    #[serde(rename = "CORSRule")]
    rules: CosRules,
    #[serde(rename = "ResponseVary", default)]
    response_vary: Option<BoolOrString>,
}

/// The COS SDKs write a single rule as an object instead of a one-element list.
///
/// Deserialized by hand rather than `#[serde(untagged)]`, so an invalid value inside a rule
/// is reported with its field path instead of "did not match any variant".
#[derive(Debug)]
enum CosRules {
    Many(Vec<CosRule>),
    One(Box<CosRule>),
}

impl<'de> Deserialize<'de> for CosRules {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> serde::de::Visitor<'de> for V {
            type Value = CosRules;
            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("a CORS rule or a list of CORS rules")
            }
            fn visit_seq<A: serde::de::SeqAccess<'de>>(self, seq: A) -> Result<CosRules, A::Error> {
                Vec::<CosRule>::deserialize(serde::de::value::SeqAccessDeserializer::new(seq))
                    .map(CosRules::Many)
            }
            fn visit_map<A: serde::de::MapAccess<'de>>(self, map: A) -> Result<CosRules, A::Error> {
                CosRule::deserialize(serde::de::value::MapAccessDeserializer::new(map))
                    .map(|r| CosRules::One(Box::new(r)))
            }
        }
        d.deserialize_any(V)
    }
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct CosRule {
    #[serde(rename = "ID", default)]
    id: Option<String>,
    #[serde(rename = "AllowedOrigin", default)]
    origins: OneOrMany,
    #[serde(rename = "AllowedMethod", default)]
    methods: OneOrMany,
    #[serde(rename = "AllowedHeader", default)]
    headers: OneOrMany,
    #[serde(rename = "ExposeHeader", default)]
    expose: OneOrMany,
    #[serde(rename = "MaxAgeSeconds", default)]
    max_age: Option<NumOrString>,
}

#[derive(Debug, Serialize)]
struct CosDocOut {
    #[serde(rename = "CORSRule")]
    rules: Vec<CosRuleOut>,
    #[serde(rename = "ResponseVary", skip_serializing_if = "Option::is_none")]
    response_vary: Option<String>,
}

#[derive(Debug, Serialize)]
struct CosRuleOut {
    #[serde(rename = "ID", skip_serializing_if = "Option::is_none")]
    id: Option<String>,
    #[serde(rename = "AllowedOrigin")]
    origins: Vec<String>,
    #[serde(rename = "AllowedMethod")]
    methods: Vec<String>,
    #[serde(rename = "AllowedHeader", skip_serializing_if = "Vec::is_empty")]
    headers: Vec<String>,
    #[serde(rename = "ExposeHeader", skip_serializing_if = "Vec::is_empty")]
    expose: Vec<String>,
    #[serde(rename = "MaxAgeSeconds", skip_serializing_if = "Option::is_none")]
    max_age: Option<u32>,
}

impl CosDoc {
    fn from_neutral(cfg: &CorsConfiguration) -> CosDocOut {
        CosDocOut {
            rules: cfg
                .rules
                .iter()
                .map(|r| CosRuleOut {
                    id: r.id.clone(),
                    origins: r.allowed_origins.clone(),
                    methods: method_names(&r.allowed_methods),
                    headers: r.allowed_headers.clone(),
                    expose: r.expose_headers.clone(),
                    max_age: r.max_age_seconds,
                })
                .collect(),
            // The SDKs send it as the XML text, so write the string form they produce.
            response_vary: cfg.extras.cos_response_vary.map(|b| b.to_string()),
        }
    }

    fn into_neutral(self) -> Result<CorsConfiguration, FormatError> {
        let list = match self.rules {
            CosRules::Many(v) => v,
            CosRules::One(r) => vec![*r],
        };
        let mut rules = Vec::with_capacity(list.len());
        for (i, r) in list.into_iter().enumerate() {
            let at = format!("CORSRule[{i}]");
            let mut cors_rule = CorsRule::new(
                r.origins.into_vec(),
                parse_methods(&r.methods.into_vec(), &format!("{at}.AllowedMethod"))?,
            )
            .with_allowed_headers(r.headers.into_vec())
            .with_expose_headers(r.expose.into_vec());
            cors_rule.id = r.id;
            cors_rule.max_age_seconds = r
                .max_age
                .map(|m| m.get(&format!("{at}.MaxAgeSeconds")))
                .transpose()?;
            rules.push(cors_rule);
        }
        let cos_response_vary = self
            .response_vary
            .map(|v| v.get("ResponseVary"))
            .transpose()?;
        Ok(CorsConfiguration::new(rules).with_extras({
            let mut cors_extras = CorsExtras::default();
            cors_extras.cos_response_vary = cos_response_vary;
            cors_extras
        }))
    }
}

// ---- R2 / wrangler JSON ----

/// What `--output-format r2` writes (reading goes through `bucket_admin_r2::codec`).
#[derive(Debug, Serialize)]
struct R2Doc {
    rules: Vec<R2Rule>,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
struct R2Rule {
    #[serde(skip_serializing_if = "Option::is_none")]
    id: Option<String>,
    allowed: R2Allowed,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    expose_headers: Vec<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    max_age_seconds: Option<u32>,
}

#[derive(Debug, Serialize)]
struct R2Allowed {
    origins: Vec<String>,
    methods: Vec<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    headers: Vec<String>,
}

impl R2Doc {
    fn from_neutral(cfg: &CorsConfiguration) -> Self {
        Self {
            rules: cfg
                .rules
                .iter()
                .map(|r| R2Rule {
                    id: r.id.clone(),
                    allowed: R2Allowed {
                        origins: r.allowed_origins.clone(),
                        methods: method_names(&r.allowed_methods),
                        headers: r.allowed_headers.clone(),
                    },
                    expose_headers: r.expose_headers.clone(),
                    max_age_seconds: r.max_age_seconds,
                })
                .collect(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> CorsConfiguration {
        CorsConfiguration::new(vec![
            CorsRule::new(
                ["https://example.com", "https://*.example.org"],
                [CorsMethod::Get, CorsMethod::Put],
            )
            .with_id("web")
            .with_allowed_headers(["content-type", "x-cos-meta-*"])
            .with_expose_headers(["ETag"])
            .with_max_age_seconds(600),
            CorsRule::new(["*"], [CorsMethod::Head]),
        ])
    }

    #[test]
    fn every_format_round_trips_through_neutral() {
        for format in CorsFormat::ALL {
            let (text, lost) = render_cors(&sample(), format);
            assert!(lost.is_empty(), "{format}: {lost:?}");
            assert_eq!(detect(&text), Shape::Cors(format), "{format}:\n{text}");
            let back = parse_cors(&text, None).unwrap();
            assert_eq!(back.format, format);
            assert_eq!(back.config, sample(), "{format}:\n{text}");
            // Forcing the right format also works.
            assert_eq!(parse_cors(&text, Some(format)).unwrap().config, sample());
        }
    }

    #[test]
    fn response_vary_survives_cos_shapes_and_is_reported_elsewhere() {
        let mut cfg = sample();
        cfg.extras.cos_response_vary = Some(true);
        for format in [CorsFormat::Neutral, CorsFormat::CosJson, CorsFormat::CosXml] {
            let (text, lost) = render_cors(&cfg, format);
            assert!(lost.is_empty());
            assert_eq!(parse_cors(&text, None).unwrap().config, cfg, "{format}");
        }
        for format in [CorsFormat::S3Json, CorsFormat::R2Json] {
            let (text, lost) = render_cors(&cfg, format);
            assert_eq!(lost.len(), 1, "{format}");
            assert!(lost[0].contains("ResponseVary"));
            assert_eq!(parse_cors(&text, None).unwrap().config, sample());
        }
    }

    #[test]
    fn documented_examples_of_each_shape_are_detected_and_read() {
        let s3 = r#"{"CORSRules":[{"AllowedOrigins":["https://a.com"],"AllowedMethods":["GET"],"AllowedHeaders":["*"],"ExposeHeaders":["ETag"],"MaxAgeSeconds":300,"ID":"r1"}]}"#;
        let cos = r#"{"CORSRule":[{"AllowedOrigin":["https://a.com"],"AllowedMethod":["GET"],"AllowedHeader":["*"],"ExposeHeader":["ETag"],"MaxAgeSeconds":300,"ID":"r1"}]}"#;
        let xml = "<?xml version=\"1.0\"?>\n<CORSConfiguration><CORSRule><ID>r1</ID><AllowedOrigin>https://a.com</AllowedOrigin><AllowedMethod>GET</AllowedMethod><AllowedHeader>*</AllowedHeader><ExposeHeader>ETag</ExposeHeader><MaxAgeSeconds>300</MaxAgeSeconds></CORSRule><ResponseVary>false</ResponseVary></CORSConfiguration>";
        let r2 = r#"{"rules":[{"id":"r1","allowed":{"origins":["https://a.com"],"methods":["GET"],"headers":["*"]},"exposeHeaders":["ETag"],"maxAgeSeconds":300}]}"#;
        let neutral = r#"{"rules":[{"id":"r1","allowed_origins":["https://a.com"],"allowed_methods":["GET"],"allowed_headers":["*"],"expose_headers":["ETag"],"max_age_seconds":300}]}"#;
        let expected = CorsConfiguration::new(vec![
            CorsRule::new(["https://a.com"], [CorsMethod::Get])
                .with_id("r1")
                .with_allowed_headers(["*"])
                .with_expose_headers(["ETag"])
                .with_max_age_seconds(300),
        ]);
        for (text, format) in [
            (s3, CorsFormat::S3Json),
            (cos, CorsFormat::CosJson),
            (r2, CorsFormat::R2Json),
            (neutral, CorsFormat::Neutral),
        ] {
            assert_eq!(detect(text), Shape::Cors(format));
            assert_eq!(parse_cors(text, None).unwrap().config, expected, "{format}");
        }
        assert_eq!(detect(xml), Shape::Cors(CorsFormat::CosXml));
        let mut with_vary = expected.clone();
        with_vary.extras.cos_response_vary = Some(false);
        assert_eq!(parse_cors(xml, None).unwrap().config, with_vary);
    }

    #[test]
    fn cos_sdk_quirks_are_accepted() {
        // xmltodict output: single values as strings, numbers and booleans as strings, a
        // single rule as an object, and a BOM from a Windows editor.
        let text = "\u{feff}{\"CORSRule\":{\"AllowedOrigin\":\"*\",\"AllowedMethod\":\"GET\",\"MaxAgeSeconds\":\"60\"},\"ResponseVary\":\"true\"}";
        let cfg = parse_cors(text, None).unwrap().config;
        assert_eq!(cfg.rules[0].allowed_origins, ["*"]);
        assert_eq!(cfg.rules[0].max_age_seconds, Some(60));
        assert_eq!(cfg.extras.cos_response_vary, Some(true));
    }

    #[test]
    fn lifecycle_written_as_aws_json_reads_back_the_same() {
        let neutral = r#"{"rules":[{"id":"logs","enabled":true,"filter":{"prefix":"logs/<a&b>"},"expiration":{"after":{"days":30}}},{"id":"end","enabled":false,"filter":{"prefix":"c/"},"expiration":{"on":"2031-04-20T00:00:00Z"}},{"id":"abort","enabled":true,"abort_incomplete_multipart_upload":{"days":7}}]}"#;
        let cfg: bucket_admin_core::LifecycleConfiguration = serde_json::from_str(neutral).unwrap();
        let aws = render_lifecycle(&cfg, LifecycleFormat::Aws).unwrap();
        let v: Value = serde_json::from_str(&aws).unwrap();
        assert_eq!(v["Rules"][0]["ID"], "logs");
        assert_eq!(v["Rules"][0]["Status"], "Enabled");
        assert_eq!(v["Rules"][0]["Filter"]["Prefix"], "logs/<a&b>");
        assert_eq!(v["Rules"][0]["Expiration"]["Days"], 30, "a number: {aws}");
        assert_eq!(v["Rules"][1]["Status"], "Disabled");
        assert_eq!(
            v["Rules"][2]["AbortIncompleteMultipartUpload"]["DaysAfterInitiation"],
            7
        );
        let (back, which) = parse_lifecycle(&aws).expect("detected").unwrap();
        assert!(which.contains("AWS"), "{which}");
        assert_eq!(back, cfg);
    }

    #[test]
    fn r2_api_envelope_and_aws_wrapper_are_unwrapped() {
        let api = r#"{"success":true,"errors":[],"messages":[],"result":{"rules":[{"allowed":{"origins":["*"],"methods":["GET"]}}]}}"#;
        assert_eq!(detect(api), Shape::Cors(CorsFormat::R2Json));
        assert_eq!(parse_cors(api, None).unwrap().config.rules.len(), 1);
        let wrapped = r#"{"CORSConfiguration":{"CORSRules":[{"AllowedOrigins":["*"],"AllowedMethods":["GET"]}]}}"#;
        assert_eq!(detect(wrapped), Shape::Cors(CorsFormat::S3Json));
        assert_eq!(parse_cors(wrapped, None).unwrap().config.rules.len(), 1);
    }

    #[test]
    fn other_documents_are_recognised() {
        assert_eq!(detect(""), Shape::Unknown("an empty file".into()));
        assert!(matches!(detect("[1,2]"), Shape::Unknown(s) if s.contains("array")));
        assert!(
            matches!(detect(r#"[{"AllowedOrigins":["*"]}]"#), Shape::Unknown(s) if s.contains("AWS/S3 CORS rules"))
        );
        assert!(matches!(detect("42"), Shape::Unknown(s) if s.contains("number")));
        assert!(matches!(detect("{}"), Shape::Unknown(s) if s.contains("empty JSON object")));
        assert!(
            matches!(detect("not json"), Shape::Unknown(s) if s.contains("neither JSON nor XML"))
        );
        assert!(
            matches!(detect("<Foo/>"), Shape::Unknown(s) if s.contains("<Foo>")),
            "{:?}",
            detect("<Foo/>")
        );
        assert_eq!(
            detect("<LifecycleConfiguration></LifecycleConfiguration>"),
            Shape::Lifecycle("COS/S3 XML")
        );
        assert_eq!(
            detect(r#"{"Rules":[{"ID":"a","Status":"Enabled"}]}"#),
            Shape::Lifecycle("AWS/S3 or COS JSON")
        );
        assert_eq!(
            detect(r#"{"rules":[{"enabled":true,"expiration":{"after":{"days":3}}}]}"#),
            Shape::Lifecycle("bucket-admin neutral")
        );
        assert_eq!(detect(r#"{"Statement":[]}"#), Shape::Policy);
        assert!(matches!(detect(r#"{"foo":1,"bar":2}"#), Shape::Unknown(s) if s.contains("`bar`")));
    }

    #[test]
    fn wrong_shape_for_forced_format_names_the_shape_and_the_conversion() {
        let s3 = r#"{"CORSRules":[{"AllowedOrigins":["*"],"AllowedMethods":["GET"]}]}"#;
        let err = parse_cors(s3, Some(CorsFormat::R2Json)).unwrap_err();
        assert!(err.message.contains("AWS/S3 JSON"), "{err}");
        let hint = err.hint.unwrap();
        assert!(hint.contains("--output-format r2"), "{hint}");
        assert!(hint.contains("10040"), "{hint}");
    }

    #[test]
    fn non_cors_files_get_pointed_at_the_right_command() {
        let lifecycle =
            r#"{"rules":[{"id":"x","enabled":true,"expiration":{"after":{"days":1}}}]}"#;
        let err = parse_cors(lifecycle, None).unwrap_err();
        assert!(err.message.contains("lifecycle"), "{err}");
        assert!(err.hint.unwrap().contains("lifecycle put"));
        let err = parse_cors(r#"{"Statement":[]}"#, None).unwrap_err();
        assert!(err.hint.unwrap().contains("policy put"));
        let err = parse_cors("hello", None).unwrap_err();
        assert!(err.hint.unwrap().contains("accepted shapes"));
    }

    #[test]
    fn bad_content_gives_located_errors_not_panics() {
        let cases = [
            r#"{"CORSRules":[{"AllowedOrigins":["*"]}]}"#,
            r#"{"CORSRules":[{"AllowedOrigins":["*"],"AllowedMethods":["get"]}]}"#,
            r#"{"CORSRules":[{"AllowedOrigins":["*"],"AllowedMethods":["GET"],"MaxAge":5}]}"#,
            r#"{"CORSRule":[{"AllowedOrigin":"*","AllowedMethod":"GET","MaxAgeSeconds":"soon"}]}"#,
            r#"{"rules":[{"allowed":{"origins":["*"],"methods":["PATCH"]}}]}"#,
            "<CORSConfiguration><CORSRule><AllowedMethod>GET</AllowedMethod><MaxAgeSeconds>-1</MaxAgeSeconds></CORSRule></CORSConfiguration>",
            "<CORSConfiguration><CORSRule>",
            r#"{"rules":[{"allowed_origins":["*"],"allowed_methods":["GET"],"bogus":1}]}"#,
            "\u{0}\u{1}\u{2}",
        ];
        for text in cases {
            let err = parse_cors(text, None).unwrap_err();
            assert!(!err.message.is_empty(), "{text}");
        }
        let err = parse_cors(cases[1], None).unwrap_err();
        assert!(
            err.message.contains("CORSRules[0].AllowedMethods[0]"),
            "{err}"
        );
        let err = parse_cors(cases[3], None).unwrap_err();
        assert!(err.message.contains("MaxAgeSeconds"), "{err}");
    }

    #[test]
    fn xml_escapes_special_characters() {
        let cfg = CorsConfiguration::new(vec![
            CorsRule::new(["https://a.com"], [CorsMethod::Get]).with_id("a<b&c"),
        ]);
        let (xml, _) = render_cors(&cfg, CorsFormat::CosXml);
        assert!(xml.contains("a&lt;b&amp;c"));
        assert_eq!(parse_cors(&xml, None).unwrap().config, cfg);
    }

    #[test]
    fn format_names_parse() {
        for f in CorsFormat::ALL {
            assert_eq!(f.cli_name().parse::<CorsFormat>().unwrap(), f);
        }
        assert_eq!(
            "wrangler".parse::<CorsFormat>().unwrap(),
            CorsFormat::R2Json
        );
        assert!(
            "yaml"
                .parse::<CorsFormat>()
                .unwrap_err()
                .contains("cos-xml")
        );
    }
}
