//! `CORSConfiguration`.

use bucket_admin_core::{CorsConfiguration, CorsExtras, CorsMethod, CorsRule, Error, ErrorKind};
use serde::{Deserialize, Serialize};

#[derive(Debug, Default, Serialize, Deserialize)]
#[serde(rename = "CORSConfiguration")]
pub(crate) struct CorsXml {
    #[serde(rename = "CORSRule", default)]
    rules: Vec<CorsRuleXml>,
}

// Field order is the element order of the S3 API reference (and boto3).
#[derive(Debug, Default, Serialize, Deserialize)]
struct CorsRuleXml {
    #[serde(rename = "ID", default, skip_serializing_if = "Option::is_none")]
    id: Option<String>,
    #[serde(rename = "AllowedHeader", default)]
    allowed_headers: Vec<String>,
    #[serde(rename = "AllowedMethod", default)]
    allowed_methods: Vec<String>,
    #[serde(rename = "AllowedOrigin", default)]
    allowed_origins: Vec<String>,
    #[serde(rename = "ExposeHeader", default)]
    expose_headers: Vec<String>,
    #[serde(
        rename = "MaxAgeSeconds",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    max_age_seconds: Option<String>,
}

impl CorsXml {
    pub(crate) fn from_model(cfg: &CorsConfiguration) -> Self {
        Self {
            rules: cfg
                .rules
                .iter()
                .map(|r| CorsRuleXml {
                    id: r.id.clone(),
                    max_age_seconds: r.max_age_seconds.map(|s| s.to_string()),
                    allowed_origins: r.allowed_origins.clone(),
                    allowed_methods: r
                        .allowed_methods
                        .iter()
                        .map(|m| m.as_str().to_owned())
                        .collect(),
                    allowed_headers: r.allowed_headers.clone(),
                    expose_headers: r.expose_headers.clone(),
                })
                .collect(),
        }
    }

    pub(crate) fn into_model(self) -> Result<CorsConfiguration, Error> {
        let decode = |msg: String| Error::new(ErrorKind::Decode, msg);
        let mut rules = Vec::with_capacity(self.rules.len());
        for (i, r) in self.rules.into_iter().enumerate() {
            let mut methods = Vec::with_capacity(r.allowed_methods.len());
            for m in &r.allowed_methods {
                let m = m.trim().to_ascii_uppercase();
                methods.push(m.parse::<CorsMethod>().map_err(|e| {
                    decode(format!(
                        "the server returned CORS rule {i} with a bad method: {e}"
                    ))
                })?);
            }
            let max_age_seconds = match r.max_age_seconds.as_deref().map(str::trim) {
                None | Some("") => None,
                Some(v) => Some(v.parse::<u32>().map_err(|_| {
                    decode(format!(
                        "the server returned CORS rule {i} with MaxAgeSeconds `{v}`, not a number of seconds"
                    ))
                })?),
            };
            let mut cors_rule = CorsRule::new(r.allowed_origins, methods)
                .with_allowed_headers(r.allowed_headers)
                .with_expose_headers(r.expose_headers);
            cors_rule.id = super::non_empty(r.id);
            cors_rule.max_age_seconds = max_age_seconds;
            rules.push(cors_rule);
        }
        Ok(CorsConfiguration::new(rules).with_extras(CorsExtras::default()))
    }
}
