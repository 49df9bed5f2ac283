use bucket_admin_core::{
    Capabilities, CorsConfiguration, CorsMethod, CorsRule, Provider, VersioningStatus,
};

use super::*;

fn r2_caps() -> Capabilities {
    let mut c = Capabilities::none(Provider::R2);
    c.cors = true;
    c.lifecycle = true;
    c.max_cors_max_age_seconds = Some(86_400);
    c
}

fn cors(origin: &str) -> CorsConfiguration {
    CorsConfiguration::new(vec![CorsRule::new([origin], [CorsMethod::Get])])
}

fn exists(cors: Option<CorsConfiguration>) -> BucketState {
    BucketState {
        exists: true,
        cors,
        ..Default::default()
    }
}

#[test]
fn every_problem_is_reported_with_its_path() {
    let err = parse(
        r#"
[buckets."r2://assets"]
cors = [
  { allowed_origins = ["https://a.com"], allowed_methods = ["GET"] },
  { allowed_origins = ["https://b.com"], allowed_methods = ["GET"] },
  { allowed_origins = ["https://*.*.c.com"], allowed_methods = ["GET"] },
]
versioning = "delete"
colour = "blue"

[buckets."r2://other"]
cors = [{ allowed_origins = ["x"], allowed_methods = ["FETCH"] }]
lifecycle = { use = "nope" }

[buckets."r2://"]
"#,
    )
    .unwrap_err();
    let fields: Vec<&str> = err.0.iter().map(|v| v.field.as_str()).collect();
    assert!(
        fields.contains(&r#"buckets."r2://assets".cors[2].allowed_origins[0]"#),
        "{fields:?}"
    );
    assert!(
        fields.contains(&r#"buckets."r2://assets".versioning"#),
        "{fields:?}"
    );
    assert!(
        fields.contains(&r#"buckets."r2://assets".colour"#),
        "{fields:?}"
    );
    assert!(
        fields.contains(&r#"buckets."r2://other".cors[0].allowed_methods[0]"#),
        "{fields:?}"
    );
    assert!(
        fields.contains(&r#"buckets."r2://other".lifecycle.use"#),
        "{fields:?}"
    );
    assert!(fields.contains(&r#"buckets."r2://""#), "{fields:?}");
    assert_eq!(err.0.len(), 6, "{err}");
}

#[test]
fn shared_sets_resolve_and_report_once() {
    let e = parse(
        r#"
[shared.cors]
web = [{ allowed_origins = ["https://a.com"], allowed_methods = ["GET"] }]
[buckets."r2://a"]
cors = { use = "web" }
[buckets."cos://b-1250000000?region=ap-beijing"]
cors = { use = "web" }
lifecycle = []
policy = "delete"
"#,
    )
    .unwrap();
    assert_eq!(
        e.buckets["r2://a"].cors,
        Desired::Present(cors("https://a.com"))
    );
    let b = &e.buckets["cos://b-1250000000?region=ap-beijing"];
    assert_eq!(b.cors, Desired::Present(cors("https://a.com")));
    assert_eq!(b.lifecycle, Desired::Absent);
    assert_eq!(b.policy, Desired::Absent);
    assert_eq!(b.replication, Desired::Unmanaged);

    let err = parse(
        r#"
[shared.cors]
web = [{ allowed_origins = [], allowed_methods = ["GET"] }]
[buckets."r2://a"]
cors = { use = "web" }
[buckets."r2://b"]
cors = { use = "web" }
"#,
    )
    .unwrap_err();
    assert_eq!(err.0.len(), 1, "{err}");
    assert!(
        err.0[0]
            .field
            .starts_with("shared.cors.web[0].allowed_origins"),
        "{err}"
    );
}

#[test]
fn json_is_accepted_and_toml_round_trips() {
    let e = parse(r#"{"buckets":{"r2://a":{"cors":[{"allowed_origins":["*"],"allowed_methods":["GET"]}],"versioning":"enabled"}}}"#).unwrap();
    assert_eq!(
        e.buckets["r2://a"].versioning,
        Desired::Present(VersioningStatus::Enabled)
    );
    let text = to_toml(&e);
    assert!(text.contains(r#"[buckets."r2://a"]"#), "{text}");
    assert_eq!(parse(&text).unwrap(), e);
}

#[test]
fn planner_puts_deletes_creates_and_leaves_alone() {
    let e = parse(
        r#"
[buckets."r2://same"]
cors = [{ allowed_origins = ["https://a.com"], allowed_methods = ["GET"] }]
[buckets."r2://changed"]
cors = [{ allowed_origins = ["https://new.com"], allowed_methods = ["GET"] }]
[buckets."r2://emptied"]
cors = []
[buckets."r2://new"]
cors = [{ allowed_origins = ["https://a.com"], allowed_methods = ["GET"] }]
[buckets."r2://new".create]
location = "weur"
"#,
    )
    .unwrap();
    let mut with_id = cors("https://a.com");
    with_id.rules[0].id = Some("filled-in-by-provider".into());
    let state = FetchedState::from([
        ("r2://same".into(), exists(Some(with_id))),
        ("r2://changed".into(), exists(Some(cors("https://old.com")))),
        ("r2://emptied".into(), exists(Some(cors("https://old.com")))),
    ]);
    let caps: CapabilityMap = e.buckets.keys().map(|k| (k.clone(), r2_caps())).collect();
    let p = plan(&e, &state, &caps);
    assert_eq!(
        p.drift_lines(),
        [
            "r2://changed cors: put",
            "r2://emptied cors: delete",
            "r2://new bucket: create (does not exist)",
            "r2://new cors: put",
        ]
    );
    let changed = &p.buckets[0].sections[0];
    assert!(
        changed.diff.contains("-        \"https://old.com\""),
        "{}",
        changed.diff
    );
    assert!(
        changed.diff.contains("+        \"https://new.com\""),
        "{}",
        changed.diff
    );
    assert_eq!(
        p.buckets[2]
            .create
            .as_ref()
            .unwrap()
            .location_hint
            .as_deref(),
        Some("weur")
    );
    assert!(!p.is_lossy());
    let json = serde_json::to_value(&p).unwrap();
    assert_eq!(json["buckets"][1]["sections"][0]["action"], "delete");
}

#[test]
fn lossy_conversion_is_reported_and_unmanaged_sections_are_not_planned() {
    let e = parse(
        r#"
[buckets."r2://a"]
cors = [{ allowed_origins = ["*"], allowed_methods = ["GET"], max_age_seconds = 200000 }]
versioning = "enabled"
"#,
    )
    .unwrap();
    let caps = CapabilityMap::from([("r2://a".into(), r2_caps())]);
    let p = plan(
        &e,
        &FetchedState::from([("r2://a".into(), exists(None))]),
        &caps,
    );
    assert!(p.is_lossy());
    let s = &p.buckets[0].sections;
    assert_eq!(s.len(), 2, "only managed sections are planned");
    assert_eq!(s[0].changes[0].path, "cors.rules[0].max_age_seconds");
    assert_eq!(s[1].action, Action::Unsupported);
}

#[test]
fn retarget_moves_an_account() {
    let r = Retarget::parse("cos://?region=ap-beijing=r2://?jurisdiction=eu").unwrap();
    assert_eq!(
        r.apply("cos://assets-1250000000?region=ap-beijing")
            .as_deref(),
        Some("r2://assets?jurisdiction=eu")
    );
    assert_eq!(r.apply("cos://assets-1250000000?region=ap-shanghai"), None);
    assert_eq!(r.apply("r2://x"), None);
    assert!(Retarget::parse("cos://bucket=r2://").is_err());
    let e = parse("[buckets.\"cos://a-1?region=ap-beijing\"]\ncors = []\n[buckets.\"r2://a?jurisdiction=eu\"]\ncors = []\n").unwrap();
    assert!(retarget(&e, &[r]).unwrap_err().contains("two buckets"));
}

#[test]
fn create_options_and_sections_a_provider_lacks() {
    let e = parse(
        r#"
[buckets."r2://logs"]
replication = { rules = [{ enabled = true, destination = { bucket = "r2://copy" } }] }
policy = "delete"
[buckets."r2://logs".create]
jurisdiction = "eu"
tags = { team = "web" }
"#,
    )
    .unwrap();
    let caps = CapabilityMap::from([("r2://logs".into(), r2_caps())]);
    let p = plan(&e, &FetchedState::new(), &caps);
    let b = &p.buckets[0];
    let opts = b.create.as_ref().expect("missing bucket is created");
    assert_eq!(opts.jurisdiction, Some(bucket_admin_core::Jurisdiction::Eu));
    assert_eq!(opts.tags, [bucket_admin_core::Tag::new("team", "web")]);
    assert_eq!(b.sections[0].action, Action::Unsupported);
    assert!(b.sections[0].changes[0].detail.contains("no replication"));
    // Nothing to delete on a bucket that holds no policy.
    assert_eq!(b.sections[1].action, Action::Unchanged);
    assert!(p.is_lossy());
}

#[test]
fn a_bad_create_option_and_a_bad_version_are_named() {
    let err = parse("version = 2\n[buckets.\"r2://a\".create]\nacl = \"everyone\"\n").unwrap_err();
    let fields: Vec<&str> = err.0.iter().map(|v| v.field.as_str()).collect();
    assert_eq!(
        fields,
        ["version", r#"buckets."r2://a".create.acl"#],
        "{err}"
    );
}
