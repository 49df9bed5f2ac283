//! COS XML wire formats: parsing request bodies into the core models (with COS's own
//! validation) and rendering responses in the shapes the SDKs expect (tab-indented, like the
//! real service).

use bucket_admin_core::{
    Age, CorsConfiguration, CorsMethod, CorsRule, Expiration, LifecycleConfiguration,
    LifecycleFilter, LifecycleRule, NoncurrentTransition, ReplicationConfiguration,
    ReplicationDestination, ReplicationRule, StorageClass, Tag, Transition, Trigger,
};
use quick_xml::escape::escape;
use serde::Deserialize;

/// A request-body problem: which COS error code and message to answer with (400).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct BodyError {
    pub code: &'static str,
    pub message: String,
}

pub(crate) const MALFORMED_XML: &str =
    "The XML you provided was not well-formed or did not validate against our published schema.";

fn malformed() -> BodyError {
    BodyError {
        code: "MalformedXML",
        message: MALFORMED_XML.into(),
    }
}

fn invalid(message: impl Into<String>) -> BodyError {
    BodyError {
        code: "InvalidArgument",
        message: message.into(),
    }
}

/// Deserialize `body` after checking that its root element is `root` (quick-xml ignores the
/// root name, COS does not).
fn parse<T: for<'de> Deserialize<'de>>(body: &[u8], root: &str) -> Result<T, BodyError> {
    let text = std::str::from_utf8(body).map_err(|_| malformed())?;
    let mut reader = quick_xml::Reader::from_str(text);
    loop {
        match reader.read_event() {
            Ok(quick_xml::events::Event::Start(e)) | Ok(quick_xml::events::Event::Empty(e)) => {
                if e.name().0 != root {
                    return Err(malformed());
                }
                break;
            }
            Ok(quick_xml::events::Event::Eof) | Err(_) => return Err(malformed()),
            Ok(_) => {}
        }
    }
    quick_xml::de::from_str(text).map_err(|_| malformed())
}

fn opt(s: &Option<String>) -> Option<&str> {
    s.as_deref().map(str::trim).filter(|s| !s.is_empty())
}

fn parse_u32(s: &str, what: &str) -> Result<u32, BodyError> {
    s.trim()
        .parse()
        .map_err(|_| invalid(format!("{what} must be a non-negative integer")))
}

// ---------------------------------------------------------------- CORS

#[derive(Deserialize)]
struct CorsXml {
    #[serde(rename = "CORSRule", default)]
    rules: Vec<CorsRuleXml>,
    #[serde(rename = "ResponseVary", default)]
    response_vary: Option<String>,
}

#[derive(Deserialize)]
struct CorsRuleXml {
    #[serde(rename = "ID", default)]
    id: Option<String>,
    #[serde(rename = "AllowedOrigin", default)]
    origins: Vec<String>,
    #[serde(rename = "AllowedMethod", default)]
    methods: Vec<String>,
    #[serde(rename = "AllowedHeader", default)]
    headers: Vec<String>,
    #[serde(rename = "ExposeHeader", default)]
    expose: Vec<String>,
    #[serde(rename = "MaxAgeSeconds", default)]
    max_age: Option<String>,
}

/// Parse and validate a `PUT ?cors` body like COS: ≤ 100 rules, methods from the five, at
/// most one `*` per origin, no `*` in `ExposeHeader`.
pub(crate) fn parse_cors(body: &[u8]) -> Result<CorsConfiguration, BodyError> {
    let x: CorsXml = parse(body, "CORSConfiguration")?;
    if x.rules.is_empty() {
        return Err(malformed());
    }
    if x.rules.len() > 100 {
        return Err(invalid("at most 100 CORS rules are allowed"));
    }
    let mut rules = Vec::new();
    for r in x.rules {
        if r.origins.is_empty() || r.methods.is_empty() {
            return Err(malformed());
        }
        let mut methods = Vec::new();
        for m in &r.methods {
            let m: CorsMethod = m.trim().parse().map_err(|_| {
                invalid(format!(
                    "AllowedMethod `{m}` is invalid: only PUT, GET, POST, DELETE and HEAD are allowed"
                ))
            })?;
            methods.push(m);
        }
        let origins: Vec<String> = r.origins.iter().map(|o| o.trim().to_owned()).collect();
        for o in &origins {
            if o.matches('*').count() > 1 {
                return Err(invalid(format!(
                    "AllowedOrigin `{o}` may contain at most one wildcard"
                )));
            }
        }
        if r.expose.iter().any(|h| h.contains('*')) {
            return Err(invalid("ExposeHeader does not accept wildcards"));
        }
        let max_age = match opt(&r.max_age) {
            Some(s) => Some(parse_u32(s, "MaxAgeSeconds")?),
            None => None,
        };
        let mut cors_rule = CorsRule::new(origins, methods)
            .with_allowed_headers(r.headers.iter().map(|h| h.trim().to_owned()))
            .with_expose_headers(r.expose.iter().map(|h| h.trim().to_owned()));
        cors_rule.id = opt(&r.id).map(str::to_owned);
        cors_rule.max_age_seconds = max_age;
        rules.push(cors_rule);
    }
    let mut cfg = CorsConfiguration::new(rules);
    cfg.extras.cos_response_vary = match opt(&x.response_vary) {
        None => None,
        Some(v) if v.eq_ignore_ascii_case("true") => Some(true),
        Some(v) if v.eq_ignore_ascii_case("false") => Some(false),
        Some(_) => return Err(invalid("ResponseVary must be true or false")),
    };
    Ok(cfg)
}

/// Render a stored CORS configuration as `GET ?cors` returns it.
pub(crate) fn render_cors(cfg: &CorsConfiguration) -> String {
    let mut s = String::from("<?xml version='1.0' encoding='utf-8' ?>\n<CORSConfiguration>\n");
    for r in &cfg.rules {
        s += "\t<CORSRule>\n";
        if let Some(id) = &r.id {
            s += &format!("\t\t<ID>{}</ID>\n", escape(id.as_str()));
        }
        for o in &r.allowed_origins {
            s += &format!(
                "\t\t<AllowedOrigin>{}</AllowedOrigin>\n",
                escape(o.as_str())
            );
        }
        for m in &r.allowed_methods {
            s += &format!("\t\t<AllowedMethod>{m}</AllowedMethod>\n");
        }
        for h in &r.allowed_headers {
            s += &format!(
                "\t\t<AllowedHeader>{}</AllowedHeader>\n",
                escape(h.as_str())
            );
        }
        for h in &r.expose_headers {
            s += &format!("\t\t<ExposeHeader>{}</ExposeHeader>\n", escape(h.as_str()));
        }
        if let Some(age) = r.max_age_seconds {
            s += &format!("\t\t<MaxAgeSeconds>{age}</MaxAgeSeconds>\n");
        }
        s += "\t</CORSRule>\n";
    }
    if let Some(v) = cfg.extras.cos_response_vary {
        s += &format!("\t<ResponseVary>{v}</ResponseVary>\n");
    }
    s += "</CORSConfiguration>";
    s
}

// ---------------------------------------------------------------- lifecycle

#[derive(Deserialize)]
struct LifecycleXml {
    #[serde(rename = "Rule", default)]
    rules: Vec<LcRuleXml>,
}

#[derive(Deserialize, Default)]
struct TagXml {
    #[serde(rename = "Key", default)]
    key: String,
    #[serde(rename = "Value", default)]
    value: String,
}

#[derive(Deserialize, Default)]
struct AndXml {
    #[serde(rename = "Prefix", default)]
    prefix: Option<String>,
    #[serde(rename = "Tag", default)]
    tags: Vec<TagXml>,
}

#[derive(Deserialize, Default)]
struct FilterXml {
    #[serde(rename = "Prefix", default)]
    prefix: Option<String>,
    #[serde(rename = "Tag", default)]
    tags: Vec<TagXml>,
    #[serde(rename = "And", default)]
    and: Option<AndXml>,
}

#[derive(Deserialize, Default)]
struct WhenXml {
    #[serde(rename = "Days", default)]
    days: Option<String>,
    #[serde(rename = "Date", default)]
    date: Option<String>,
    #[serde(rename = "ExpiredObjectDeleteMarker", default)]
    delete_marker: Option<String>,
    #[serde(rename = "StorageClass", default)]
    storage_class: Option<String>,
    #[serde(rename = "NoncurrentDays", default)]
    noncurrent_days: Option<String>,
    #[serde(rename = "DaysAfterInitiation", default)]
    days_after_initiation: Option<String>,
}

#[derive(Deserialize)]
struct LcRuleXml {
    #[serde(rename = "ID", default)]
    id: Option<String>,
    #[serde(rename = "Filter", default)]
    filter: Option<FilterXml>,
    #[serde(rename = "Prefix", default)]
    prefix: Option<String>,
    #[serde(rename = "Status", default)]
    status: Option<String>,
    #[serde(rename = "Transition", default)]
    transitions: Vec<WhenXml>,
    #[serde(rename = "Expiration", default)]
    expiration: Option<WhenXml>,
    #[serde(rename = "AbortIncompleteMultipartUpload", default)]
    abort: Option<WhenXml>,
    #[serde(rename = "NoncurrentVersionTransition", default)]
    nc_transitions: Vec<WhenXml>,
    #[serde(rename = "NoncurrentVersionExpiration", default)]
    nc_expiration: Option<WhenXml>,
}

/// COS storage-class names to the neutral model (case-insensitive, like the service).
pub(crate) fn cos_class(name: &str) -> Result<StorageClass, BodyError> {
    Ok(match name.trim().to_ascii_uppercase().as_str() {
        "STANDARD" => StorageClass::Standard,
        "STANDARD_IA" => StorageClass::InfrequentAccess,
        "ARCHIVE" => StorageClass::Archive,
        "DEEP_ARCHIVE" => StorageClass::DeepArchive,
        "INTELLIGENT_TIERING" => StorageClass::IntelligentTiering,
        other
        @ ("MAZ_STANDARD" | "MAZ_STANDARD_IA" | "MAZ_INTELLIGENT_TIERING" | "MAZ_ARCHIVE") => {
            StorageClass::Other(other.to_owned())
        }
        _ => return Err(invalid(format!("StorageClass `{name}` is invalid"))),
    })
}

pub(crate) fn cos_class_name(c: &StorageClass) -> &str {
    match c {
        StorageClass::Standard => "STANDARD",
        StorageClass::InfrequentAccess => "STANDARD_IA",
        StorageClass::Archive => "ARCHIVE",
        StorageClass::DeepArchive => "DEEP_ARCHIVE",
        StorageClass::IntelligentTiering => "INTELLIGENT_TIERING",
        StorageClass::Other(n) => n,
        // A class newer than the emulator: store and echo its name rather than guess one.
        other => other.as_str(),
    }
}

/// COS dates are ISO 8601 midnights, e.g. `2021-04-20T00:00:00+08:00`; the offset is kept.
fn parse_date(s: &str) -> Result<bucket_admin_core::LifecycleDate, BodyError> {
    bucket_admin_core::LifecycleDate::parse(s.trim()).map_err(|why| invalid(format!("Date: {why}")))
}

fn render_date(d: bucket_admin_core::LifecycleDate) -> String {
    d.to_string()
}

fn trigger(w: &WhenXml, what: &str) -> Result<Trigger, BodyError> {
    match (opt(&w.days), opt(&w.date)) {
        (Some(_), Some(_)) => Err(invalid(format!(
            "{what}: Days and Date cannot be set at the same time"
        ))),
        (Some(d), None) => Ok(Trigger::After(Age::days(parse_u32(d, "Days")?))),
        (None, Some(d)) => Ok(Trigger::On(parse_date(d)?)),
        (None, None) => Err(malformed()),
    }
}

/// Parse and validate a `PUT ?lifecycle` body like COS: 1..=1000 rules, `Status` Enabled or
/// Disabled, never `Days` and `Date` together, ids ≤ 255 characters and unique.
pub(crate) fn parse_lifecycle(body: &[u8]) -> Result<LifecycleConfiguration, BodyError> {
    let x: LifecycleXml = parse(body, "LifecycleConfiguration")?;
    if x.rules.is_empty() {
        return Err(malformed());
    }
    if x.rules.len() > 1000 {
        return Err(invalid("at most 1000 lifecycle rules are allowed"));
    }
    let mut rules: Vec<LifecycleRule> = Vec::new();
    for (i, r) in x.rules.into_iter().enumerate() {
        let enabled = match opt(&r.status) {
            Some("Enabled") => true,
            Some("Disabled") => false,
            _ => return Err(malformed()),
        };
        let id = opt(&r.id).map(str::to_owned);
        if let Some(id) = &id {
            if id.len() > 255 {
                return Err(invalid("a rule ID is at most 255 characters"));
            }
            if rules.iter().any(|o| o.id.as_deref() == Some(id)) {
                return Err(invalid(format!("duplicate rule ID `{id}`")));
            }
        }
        let mut filter = LifecycleFilter::default();
        if let Some(f) = &r.filter {
            let (prefix, tags) = match &f.and {
                Some(and) => (&and.prefix, &and.tags),
                None => (&f.prefix, &f.tags),
            };
            filter.prefix = prefix.clone().filter(|p| !p.is_empty());
            filter.tags = tags.iter().map(|t| Tag::new(&t.key, &t.value)).collect();
        } else if let Some(p) = opt(&r.prefix) {
            filter.prefix = Some(p.to_owned());
        }
        let expiration = match &r.expiration {
            None => None,
            Some(w) => {
                let marker = opt(&w.delete_marker);
                if marker.is_some() && (opt(&w.days).is_some() || opt(&w.date).is_some()) {
                    return Err(invalid(
                        "ExpiredObjectDeleteMarker cannot be combined with Days or Date",
                    ));
                }
                match marker {
                    Some("true") => Some(Expiration::ExpiredObjectDeleteMarker),
                    Some(_) => return Err(malformed()),
                    None => Some(match trigger(w, "Expiration")? {
                        Trigger::After(a) => Expiration::After(a),
                        Trigger::On(d) => Expiration::On(d),
                    }),
                }
            }
        };
        let mut transitions = Vec::new();
        for t in &r.transitions {
            let class = opt(&t.storage_class).ok_or_else(malformed)?;
            transitions.push(Transition::new(
                trigger(t, "Transition")?,
                cos_class(class)?,
            ));
        }
        let mut nc_transitions = Vec::new();
        for t in &r.nc_transitions {
            let class = opt(&t.storage_class).ok_or_else(malformed)?;
            let days = opt(&t.noncurrent_days).ok_or_else(malformed)?;
            nc_transitions.push(NoncurrentTransition::new(
                parse_u32(days, "NoncurrentDays")?,
                cos_class(class)?,
            ));
        }
        let nc_expiration = match &r.nc_expiration {
            Some(w) => Some(parse_u32(
                opt(&w.noncurrent_days).ok_or_else(malformed)?,
                "NoncurrentDays",
            )?),
            None => None,
        };
        let abort = match &r.abort {
            Some(w) => Some(Age::days(parse_u32(
                opt(&w.days_after_initiation).ok_or_else(malformed)?,
                "DaysAfterInitiation",
            )?)),
            None => None,
        };
        let mut rule = LifecycleRule::new()
            .with_enabled(enabled)
            .with_filter(filter)
            .with_transitions(transitions)
            .with_noncurrent_version_transitions(nc_transitions);
        rule.id = id;
        rule.expiration = expiration;
        rule.abort_incomplete_multipart_upload = abort;
        rule.noncurrent_version_expiration_days = nc_expiration;
        if rule.has_no_action() {
            return Err(invalid(format!("rule {i} has no action")));
        }
        rules.push(rule);
    }
    Ok(LifecycleConfiguration::new(rules))
}

/// Render a stored lifecycle configuration as `GET ?lifecycle` returns it.
pub(crate) fn render_lifecycle(cfg: &LifecycleConfiguration) -> String {
    let mut s = String::from("<?xml version='1.0' encoding='utf-8' ?>\n<LifecycleConfiguration>\n");
    for (i, r) in cfg.rules.iter().enumerate() {
        s += "\t<Rule>\n";
        // COS generates an id when none was given; keep it stable per position.
        let id = r.id.clone().unwrap_or_else(|| format!("Rule-{}", i + 1));
        s += &format!("\t\t<ID>{}</ID>\n", escape(id.as_str()));
        s += "\t\t<Filter>\n";
        let prefix = r.filter.prefix.as_deref().unwrap_or("");
        let tag = |t: &Tag, indent: &str| {
            format!(
                "{indent}<Tag>\n{indent}\t<Key>{}</Key>\n{indent}\t<Value>{}</Value>\n{indent}</Tag>\n",
                escape(t.key.as_str()),
                escape(t.value.as_str())
            )
        };
        if r.filter.tags.len() > 1 || (!r.filter.tags.is_empty() && !prefix.is_empty()) {
            s += "\t\t\t<And>\n";
            s += &format!("\t\t\t\t<Prefix>{}</Prefix>\n", escape(prefix));
            for t in &r.filter.tags {
                s += &tag(t, "\t\t\t\t");
            }
            s += "\t\t\t</And>\n";
        } else if let Some(t) = r.filter.tags.first() {
            s += &tag(t, "\t\t\t");
        } else if prefix.is_empty() {
            s += "\t\t\t<Prefix/>\n";
        } else {
            s += &format!("\t\t\t<Prefix>{}</Prefix>\n", escape(prefix));
        }
        s += "\t\t</Filter>\n";
        s += &format!(
            "\t\t<Status>{}</Status>\n",
            if r.enabled { "Enabled" } else { "Disabled" }
        );
        let when = |t: &Trigger| match t {
            Trigger::After(a) => format!("<Days>{}</Days>", a.days_rounded_up()),
            Trigger::On(d) => format!("<Date>{}</Date>", render_date(*d)),
        };
        for t in &r.transitions {
            s += &format!(
                "\t\t<Transition>\n\t\t\t{}\n\t\t\t<StorageClass>{}</StorageClass>\n\t\t</Transition>\n",
                when(&t.trigger),
                cos_class_name(&t.storage_class)
            );
        }
        if let Some(e) = &r.expiration {
            let inner = match e {
                Expiration::After(a) => when(&Trigger::After(*a)),
                Expiration::On(d) => when(&Trigger::On(*d)),
                Expiration::ExpiredObjectDeleteMarker => {
                    "<ExpiredObjectDeleteMarker>true</ExpiredObjectDeleteMarker>".into()
                }
            };
            s += &format!("\t\t<Expiration>\n\t\t\t{inner}\n\t\t</Expiration>\n");
        }
        for t in &r.noncurrent_version_transitions {
            s += &format!(
                "\t\t<NoncurrentVersionTransition>\n\t\t\t<NoncurrentDays>{}</NoncurrentDays>\n\t\t\t<StorageClass>{}</StorageClass>\n\t\t</NoncurrentVersionTransition>\n",
                t.noncurrent_days,
                cos_class_name(&t.storage_class)
            );
        }
        if let Some(d) = r.noncurrent_version_expiration_days {
            s += &format!(
                "\t\t<NoncurrentVersionExpiration>\n\t\t\t<NoncurrentDays>{d}</NoncurrentDays>\n\t\t</NoncurrentVersionExpiration>\n"
            );
        }
        if let Some(a) = r.abort_incomplete_multipart_upload {
            s += &format!(
                "\t\t<AbortIncompleteMultipartUpload>\n\t\t\t<DaysAfterInitiation>{}</DaysAfterInitiation>\n\t\t</AbortIncompleteMultipartUpload>\n",
                a.days_rounded_up()
            );
        }
        s += "\t</Rule>\n";
    }
    s += "</LifecycleConfiguration>";
    s
}

// ---------------------------------------------------------------- versioning

#[derive(Deserialize)]
struct VersioningXml {
    #[serde(rename = "Status", default)]
    status: Option<String>,
}

/// Parse `PUT ?versioning`: `Enabled` or `Suspended` only.
pub(crate) fn parse_versioning(body: &[u8]) -> Result<bool, BodyError> {
    let x: VersioningXml = parse(body, "VersioningConfiguration")?;
    match opt(&x.status) {
        Some("Enabled") => Ok(true),
        Some("Suspended") => Ok(false),
        Some(other) => Err(invalid(format!(
            "versioning Status `{other}` is invalid: use Enabled or Suspended"
        ))),
        None => Err(malformed()),
    }
}

// ---------------------------------------------------------------- replication

#[derive(Deserialize)]
struct ReplicationXml {
    #[serde(rename = "Role", default)]
    role: Option<String>,
    #[serde(rename = "Rule", default)]
    rules: Vec<ReplRuleXml>,
}

#[derive(Deserialize)]
struct ReplRuleXml {
    #[serde(rename = "ID", default)]
    id: Option<String>,
    #[serde(rename = "Status", default)]
    status: Option<String>,
    #[serde(rename = "Priority", default)]
    priority: Option<String>,
    #[serde(rename = "Prefix", default)]
    prefix: Option<String>,
    #[serde(rename = "Filter", default)]
    filter: Option<FilterXml>,
    #[serde(rename = "Destination", default)]
    destination: Option<DestXml>,
    #[serde(rename = "DeleteMarkerReplication", default)]
    delete_marker: Option<StatusXml>,
}

#[derive(Deserialize)]
struct DestXml {
    #[serde(rename = "Bucket", default)]
    bucket: Option<String>,
    #[serde(rename = "StorageClass", default)]
    storage_class: Option<String>,
}

#[derive(Deserialize)]
struct StatusXml {
    #[serde(rename = "Status", default)]
    status: Option<String>,
}

/// Parse and validate `PUT ?replication`: 1..=1000 rules, destinations in
/// `qcs::cos:<region>::<BucketName-APPID>` form, unique ids, non-overlapping prefixes.
pub(crate) fn parse_replication(body: &[u8]) -> Result<ReplicationConfiguration, BodyError> {
    let x: ReplicationXml = parse(body, "ReplicationConfiguration")?;
    if x.rules.is_empty() {
        return Err(malformed());
    }
    let mut rules = Vec::new();
    for r in x.rules {
        let enabled = match opt(&r.status) {
            Some("Enabled") => true,
            Some("Disabled") => false,
            _ => return Err(malformed()),
        };
        let dest = r.destination.ok_or_else(malformed)?;
        let bucket = opt(&dest.bucket).ok_or_else(malformed)?.to_owned();
        let parts: Vec<&str> = bucket.split(':').collect();
        // qcs::cos:<region>::<bucket> splits into ["qcs", "", "cos", region, "", bucket].
        if parts.len() != 6
            || parts[0] != "qcs"
            || parts[2] != "cos"
            || parts[3].is_empty()
            || parts[5].is_empty()
        {
            return Err(invalid(format!(
                "Destination Bucket `{bucket}` must be qcs::cos:<region>::<BucketName-APPID>"
            )));
        }
        let prefix = match &r.filter {
            Some(f) => f
                .prefix
                .clone()
                .or_else(|| f.and.as_ref().and_then(|a| a.prefix.clone())),
            None => r.prefix.clone(),
        };
        // Checked in document order, as before: priority, destination class, delete markers.
        let priority = match opt(&r.priority) {
            Some(p) => Some(parse_u32(p, "Priority")?),
            None => None,
        };
        let mut destination = ReplicationDestination::new(bucket);
        destination.storage_class = match opt(&dest.storage_class) {
            Some(c) => Some(cos_class(c)?),
            None => None,
        };
        let mut rule = ReplicationRule::new(destination).with_enabled(enabled);
        rule.id = opt(&r.id).map(str::to_owned);
        rule.priority = priority;
        rule.prefix = prefix;
        rule.delete_marker_replication = match r.delete_marker.as_ref().and_then(|d| opt(&d.status))
        {
            Some("Enabled") => Some(true),
            Some("Disabled") => Some(false),
            Some(_) => return Err(malformed()),
            None => None,
        };
        rules.push(rule);
    }
    let mut cfg = ReplicationConfiguration::new(rules);
    cfg.role = opt(&x.role).map(str::to_owned);
    if let Some(v) = cfg.validate().as_slice().first() {
        return Err(invalid(format!("{}: {}", v.field, v.rule)));
    }
    Ok(cfg)
}

/// Render a stored replication configuration as `GET ?replication` returns it.
pub(crate) fn render_replication(cfg: &ReplicationConfiguration) -> String {
    let mut s =
        String::from("<?xml version='1.0' encoding='utf-8' ?>\n<ReplicationConfiguration>\n");
    if let Some(role) = &cfg.role {
        s += &format!("\t<Role>{}</Role>\n", escape(role.as_str()));
    }
    for r in &cfg.rules {
        s += "\t<Rule>\n";
        if let Some(id) = &r.id {
            s += &format!("\t\t<ID>{}</ID>\n", escape(id.as_str()));
        }
        s += &format!(
            "\t\t<Status>{}</Status>\n",
            if r.enabled { "Enabled" } else { "Disabled" }
        );
        if let Some(p) = r.priority {
            s += &format!("\t\t<Priority>{p}</Priority>\n");
        }
        s += &format!(
            "\t\t<Prefix>{}</Prefix>\n",
            escape(r.prefix.as_deref().unwrap_or(""))
        );
        s += &format!(
            "\t\t<Destination>\n\t\t\t<Bucket>{}</Bucket>\n",
            escape(r.destination.bucket.as_str())
        );
        if let Some(c) = &r.destination.storage_class {
            s += &format!("\t\t\t<StorageClass>{}</StorageClass>\n", cos_class_name(c));
        }
        s += "\t\t</Destination>\n";
        if let Some(d) = r.delete_marker_replication {
            s += &format!(
                "\t\t<DeleteMarkerReplication>\n\t\t\t<Status>{}</Status>\n\t\t</DeleteMarkerReplication>\n",
                if d { "Enabled" } else { "Disabled" }
            );
        }
        s += "\t</Rule>\n";
    }
    s += "</ReplicationConfiguration>";
    s
}

// ---------------------------------------------------------------- create bucket

#[derive(Deserialize)]
struct CreateXml {
    #[serde(rename = "BucketAZConfig", default)]
    az: Option<String>,
    #[serde(rename = "BucketArchConfig", default)]
    arch: Option<String>,
}

/// Parse the optional `CreateBucketConfiguration`: `(multi_az, arch)`.
pub(crate) fn parse_create(body: &[u8]) -> Result<(bool, Option<String>), BodyError> {
    if body.iter().all(u8::is_ascii_whitespace) {
        return Ok((false, None));
    }
    let x: CreateXml = parse(body, "CreateBucketConfiguration")?;
    let maz = match opt(&x.az) {
        None => false,
        Some(v) if v.eq_ignore_ascii_case("MAZ") => true,
        Some(v) => return Err(invalid(format!("BucketAZConfig `{v}` is invalid"))),
    };
    let arch = match opt(&x.arch) {
        None => None,
        Some(v) if v.eq_ignore_ascii_case("OFS") => Some("OFS".to_owned()),
        Some(v) => return Err(invalid(format!("BucketArchConfig `{v}` is invalid"))),
    };
    Ok((maz, arch))
}

/// `<Error>` body, shaped like the real service's.
pub(crate) fn render_error(
    code: &str,
    message: &str,
    resource: &str,
    request_id: &str,
    trace_id: &str,
    extra: &[(&str, &str)],
) -> String {
    let mut s = format!(
        "<?xml version='1.0' encoding='utf-8' ?>\n<Error>\n\t<Code>{}</Code>\n\t<Message>{}</Message>\n\t<Resource>{}</Resource>\n\t<RequestId>{}</RequestId>\n\t<TraceId>{}</TraceId>\n",
        escape(code),
        escape(message),
        escape(resource),
        escape(request_id),
        escape(trace_id)
    );
    for (k, v) in extra {
        s += &format!("\t<{k}>{}</{k}>\n", escape(*v));
    }
    s += "</Error>";
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cors_round_trip_and_limits() {
        let xml = b"<CORSConfiguration><CORSRule><ID>1</ID><AllowedOrigin>http://*.qq.com</AllowedOrigin><AllowedMethod>GET</AllowedMethod><AllowedMethod>PUT</AllowedMethod><AllowedHeader>*</AllowedHeader><ExposeHeader>ETag</ExposeHeader><MaxAgeSeconds>60</MaxAgeSeconds></CORSRule><ResponseVary>true</ResponseVary></CORSConfiguration>";
        let cfg = parse_cors(xml).unwrap();
        let again = parse_cors(render_cors(&cfg).as_bytes()).unwrap();
        assert_eq!(cfg, again);
        assert_eq!(cfg.extras.cos_response_vary, Some(true));
        let bad = |x: &str| parse_cors(x.as_bytes()).unwrap_err().code;
        assert_eq!(
            bad(
                "<CORSConfiguration><CORSRule><AllowedOrigin>*</AllowedOrigin><AllowedMethod>PATCH</AllowedMethod></CORSRule></CORSConfiguration>"
            ),
            "InvalidArgument"
        );
        assert_eq!(
            bad(
                "<CORSConfiguration><CORSRule><AllowedOrigin>http://*.*.a</AllowedOrigin><AllowedMethod>GET</AllowedMethod></CORSRule></CORSConfiguration>"
            ),
            "InvalidArgument"
        );
        assert_eq!(
            bad(
                "<CORSConfiguration><CORSRule><AllowedOrigin>*</AllowedOrigin><AllowedMethod>GET</AllowedMethod><ExposeHeader>*</ExposeHeader></CORSRule></CORSConfiguration>"
            ),
            "InvalidArgument"
        );
        assert_eq!(bad("<CORSConfiguration><CORSRule>"), "MalformedXML");
        assert_eq!(bad("<Other/>"), "MalformedXML");
        assert_eq!(bad("\u{0}\u{1}garbage"), "MalformedXML");
        let many = format!(
            "<CORSConfiguration>{}</CORSConfiguration>",
            "<CORSRule><AllowedOrigin>*</AllowedOrigin><AllowedMethod>GET</AllowedMethod></CORSRule>".repeat(101)
        );
        assert_eq!(bad(&many), "InvalidArgument");
    }

    #[test]
    fn lifecycle_round_trip_and_days_date_conflict() {
        let xml = b"<LifecycleConfiguration><Rule><ID>a</ID><Filter><And><Prefix>p/</Prefix><Tag><Key>k</Key><Value>v</Value></Tag></And></Filter><Status>Enabled</Status><Transition><Days>30</Days><StorageClass>Standard_IA</StorageClass></Transition><Expiration><Date>2031-04-20T00:00:00+08:00</Date></Expiration><NoncurrentVersionExpiration><NoncurrentDays>3</NoncurrentDays></NoncurrentVersionExpiration><AbortIncompleteMultipartUpload><DaysAfterInitiation>7</DaysAfterInitiation></AbortIncompleteMultipartUpload></Rule><Rule><ID>b</ID><Filter><Prefix/></Filter><Status>Disabled</Status><Expiration><ExpiredObjectDeleteMarker>true</ExpiredObjectDeleteMarker></Expiration></Rule></LifecycleConfiguration>";
        let cfg = parse_lifecycle(xml).unwrap();
        assert_eq!(cfg.rules[0].filter.tags.len(), 1);
        let again = parse_lifecycle(render_lifecycle(&cfg).as_bytes()).unwrap();
        assert_eq!(cfg, again);
        let both = b"<LifecycleConfiguration><Rule><ID>a</ID><Status>Enabled</Status><Expiration><Days>1</Days><Date>2031-04-20T00:00:00+08:00</Date></Expiration></Rule></LifecycleConfiguration>";
        assert_eq!(parse_lifecycle(both).unwrap_err().code, "InvalidArgument");
    }

    #[test]
    fn versioning_and_replication() {
        assert_eq!(
            parse_versioning(
                b"<VersioningConfiguration><Status>Enabled</Status></VersioningConfiguration>"
            ),
            Ok(true)
        );
        assert!(
            parse_versioning(
                b"<VersioningConfiguration><Status>On</Status></VersioningConfiguration>"
            )
            .is_err()
        );
        let xml = b"<ReplicationConfiguration><Role>r</Role><Rule><ID>a</ID><Status>Enabled</Status><Prefix>x/</Prefix><Destination><Bucket>qcs::cos:ap-beijing::dst-1250000000</Bucket><StorageClass>STANDARD</StorageClass></Destination></Rule></ReplicationConfiguration>";
        let cfg = parse_replication(xml).unwrap();
        assert_eq!(
            parse_replication(render_replication(&cfg).as_bytes()).unwrap(),
            cfg
        );
        let bad = b"<ReplicationConfiguration><Rule><Status>Enabled</Status><Destination><Bucket>dst</Bucket></Destination></Rule></ReplicationConfiguration>";
        assert_eq!(parse_replication(bad).unwrap_err().code, "InvalidArgument");
    }
}
