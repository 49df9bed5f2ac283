//! End-to-end tests of configuration as code (`export`, `plan`, `apply`, `drift`): the real
//! `bucket-admin` binary against an emulator started in this test process.

use std::path::Path;

use bucket_admin_emulator::{Api, Emulator, Fault, FaultRule};
use serde_json::{Value, json};

#[path = "support/run.rs"]
mod run;
use run::{Run, emulator_env, run_in};

struct Env {
    emu: Emulator,
    env: Vec<(String, String)>,
    dir: tempfile::TempDir,
}

impl Env {
    async fn new() -> Self {
        let emu = Emulator::start().await.expect("start emulator");
        let env = emulator_env(&emu);
        Self {
            emu,
            env,
            dir: tempfile::tempdir().unwrap(),
        }
    }

    /// Runs the binary in the test directory with exactly this environment (plus PATH).
    async fn run(&self, args: &[&str]) -> Run {
        run_in(self.dir.path(), &self.env, args).await
    }

    async fn code(&self, want: i32, args: &[&str]) -> Run {
        let r = self.run(args).await;
        assert_eq!(r.code, want, "{args:?}\n{r:?}");
        r
    }

    fn write(&self, name: &str, text: &str) {
        std::fs::write(self.dir.path().join(name), text).unwrap();
    }

    fn read(&self, name: &str) -> String {
        std::fs::read_to_string(self.dir.path().join(name)).unwrap()
    }

    fn path(&self, name: &str) -> std::path::PathBuf {
        self.dir.path().join(name)
    }
}

fn cors_file(origin: &str, extras: Value) -> String {
    json!({"rules": [{"allowed_origins": [origin], "allowed_methods": ["GET"], "max_age_seconds": 600}], "extras": extras}).to_string()
}

fn count_files(dir: &Path) -> usize {
    std::fs::read_dir(dir).map(|d| d.count()).unwrap_or(0)
}

const COS: &str = "cos://web-1250000000?region=ap-beijing";

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn export_plan_edit_apply_and_drift_a_mixed_estate() {
    let t = Env::new().await;
    t.write("a.json", &cors_file("https://a.com", json!({})));
    t.write("b.json", &cors_file("https://b.com", json!({})));
    for b in ["cos://web-1250000000", "r2://assets"] {
        t.code(0, &["buckets", "create", b]).await;
        t.code(0, &["cors", "put", b, "--file", "a.json", "--no-backup"])
            .await;
    }

    // Export both accounts; the unchanged estate plans nothing.
    t.code(0, &["export", "cos://", "r2://", "-o", "estate.toml"])
        .await;
    let toml = t.read("estate.toml");
    assert!(
        toml.contains(&format!("[[buckets.\"{COS}\".cors]]")),
        "{toml}"
    );
    assert!(toml.contains("[[buckets.\"r2://assets\".cors]]"), "{toml}");
    let plan = t.code(0, &["plan", "-f", "estate.toml"]).await;
    assert!(plan.stdout.contains("nothing to change"), "{plan:?}");

    // Edit it (as JSON, which is accepted too): add a rule, delete a section, add a bucket.
    t.code(0, &["export", "cos://", "r2://", "-o", "estate.json"])
        .await;
    let mut e: Value = serde_json::from_str(&t.read("estate.json")).unwrap();
    e["buckets"][COS]["cors"]
        .as_array_mut()
        .unwrap()
        .push(json!({"allowed_origins": ["https://b.com"], "allowed_methods": ["PUT"]}));
    e["buckets"]["r2://assets"]["cors"] = json!("delete");
    e["buckets"]["r2://fresh"] = json!({
        "create": {"location": "weur"},
        "cors": [{"allowed_origins": ["https://c.com"], "allowed_methods": ["GET"]}],
    });
    t.write("edited.json", &e.to_string());

    let plan = t.code(5, &["plan", "-f", "edited.json", "--json"]).await;
    let p = plan.json();
    assert_eq!(p["changes"], true);
    assert_eq!(p["lossy"], false);
    let drift = t.code(5, &["drift", "-f", "edited.json"]).await;
    assert_eq!(
        drift.stdout.lines().collect::<Vec<_>>(),
        [
            format!("{COS} cors: put").as_str(),
            "r2://assets cors: delete",
            "r2://fresh bucket: create (does not exist)",
            "r2://fresh cors: put",
        ],
        "{drift:?}"
    );
    let text = t.code(5, &["plan", "-f", "edited.json"]).await;
    assert!(
        text.stdout.contains("+        \"https://b.com\""),
        "{text:?}"
    );

    // Apply: backups of both overwritten sections, verified, the new bucket created.
    let applied = t
        .code(
            0,
            &["apply", "-f", "edited.json", "--yes", "--backup-dir", "bk"],
        )
        .await;
    assert!(applied.stdout.contains("applied"), "{applied:?}");
    assert_eq!(count_files(&t.path("bk")), 2, "{applied:?}");
    let cos = t.code(0, &["cors", "get", COS, "--json"]).await.json();
    assert_eq!(cos["rules"].as_array().unwrap().len(), 2);
    let gone = t.run(&["cors", "get", "r2://assets", "--json"]).await;
    assert!(!gone.stdout.contains("https://a.com"), "{gone:?}");
    let fresh = t
        .code(0, &["cors", "get", "r2://fresh", "--json"])
        .await
        .json();
    assert_eq!(fresh["rules"][0]["allowed_origins"][0], "https://c.com");

    // In sync afterwards; drifted after a change behind its back.
    let sync = t.code(0, &["drift", "-f", "edited.json"]).await;
    assert_eq!(sync.stdout.trim(), "in sync");
    t.code(
        0,
        &[
            "cors",
            "put",
            "r2://fresh",
            "--file",
            "b.json",
            "--no-backup",
        ],
    )
    .await;
    let drifted = t.code(5, &["drift", "-f", "edited.json", "--json"]).await;
    assert_eq!(drifted.json()["drifted"], json!(["r2://fresh cors: put"]));

    // Versioning is managed like the rule sections, through the same verified write.
    e["buckets"][COS]["versioning"] = json!("enabled");
    t.write("versioned.json", &e.to_string());
    let drift = t.code(5, &["drift", "-f", "versioned.json"]).await;
    assert_eq!(
        drift.stdout.lines().collect::<Vec<_>>(),
        [
            format!("{COS} versioning: put").as_str(),
            "r2://fresh cors: put"
        ],
        "{drift:?}"
    );
    t.code(
        0,
        &[
            "apply",
            "-f",
            "versioned.json",
            "--yes",
            "--backup-dir",
            "bk",
        ],
    )
    .await;
    let status = t.code(0, &["versioning", "get", COS, "--json"]).await;
    assert!(status.stdout.contains("enabled"), "{status:?}");
    t.code(0, &["drift", "-f", "versioned.json"]).await;

    // An invalid file is exit 2 with the field's path.
    t.write(
        "bad.toml",
        "[buckets.\"r2://assets\"]\ncors = [{ allowed_origins = [\"https://a.com\"], allowed_methods = [\"FETCH\"] }]\n",
    );
    let bad = t.code(2, &["plan", "-f", "bad.toml"]).await;
    assert!(
        bad.stderr
            .contains("buckets.\"r2://assets\".cors[0].allowed_methods[0]"),
        "{bad:?}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_lossy_retarget_to_r2_is_refused_without_allow_lossy() {
    let t = Env::new().await;
    t.write(
        "vary.json",
        &cors_file("https://a.com", json!({"cos_response_vary": true})),
    );
    t.code(0, &["buckets", "create", "cos://web-1250000000"])
        .await;
    t.code(
        0,
        &[
            "cors",
            "put",
            "cos://web-1250000000",
            "--file",
            "vary.json",
            "--no-backup",
        ],
    )
    .await;
    t.code(
        0,
        &[
            "export",
            "cos://?region=ap-beijing",
            "--sections",
            "cors",
            "-o",
            "estate.toml",
        ],
    )
    .await;
    let retarget = "cos://?region=ap-beijing=r2://";

    let plan = t
        .code(3, &["plan", "-f", "estate.toml", "--retarget", retarget])
        .await;
    assert!(plan.stdout.contains("r2://web"), "{plan:?}");
    assert!(plan.stdout.contains("loss: cors.extras"), "{plan:?}");
    let refused = t
        .code(
            3,
            &[
                "apply",
                "-f",
                "estate.toml",
                "--retarget",
                retarget,
                "--yes",
            ],
        )
        .await;
    assert!(
        refused.stderr.contains("nothing was written"),
        "{refused:?}"
    );
    t.code(5, &["buckets", "exists", "r2://web"]).await;

    t.code(
        0,
        &[
            "apply",
            "-f",
            "estate.toml",
            "--retarget",
            retarget,
            "--yes",
            "--allow-lossy",
        ],
    )
    .await;
    let moved = t
        .code(0, &["cors", "get", "r2://web", "--json"])
        .await
        .json();
    assert_eq!(moved["rules"][0]["allowed_origins"][0], "https://a.com");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn an_interrupted_apply_resumes() {
    let t = Env::new().await;
    let mut estate = String::new();
    for b in ["res-a", "res-b", "res-c"] {
        t.code(0, &["buckets", "create", &format!("r2://{b}")])
            .await;
        estate.push_str(&format!(
            "[buckets.\"r2://{b}\"]\ncors = [{{ allowed_origins = [\"https://{b}.com\"], allowed_methods = [\"GET\"] }}]\n"
        ));
    }
    t.write("estate.toml", &estate);
    t.emu.faults().push(
        FaultRule::new(Fault::InternalError)
            .api(Api::R2)
            .method("PUT")
            .path_contains("res-b/cors")
            .always(),
    );
    // An unreadable bucket fails alone too.
    t.emu.faults().push(
        FaultRule::new(Fault::InternalError)
            .api(Api::R2)
            .method("GET")
            .path_contains("res-c/cors")
            .always(),
    );
    let first = t
        .code(
            1,
            &[
                "--retries",
                "1",
                "apply",
                "-f",
                "estate.toml",
                "--yes",
                "--json",
            ],
        )
        .await;
    let outcomes: Vec<(String, String)> = first.json()["buckets"]
        .as_array()
        .unwrap()
        .iter()
        .map(|b| {
            (
                b["url"].as_str().unwrap().to_owned(),
                b["outcome"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    assert_eq!(
        outcomes,
        [
            ("r2://res-a".to_owned(), "applied".to_owned()),
            ("r2://res-b".to_owned(), "failed".to_owned()),
            ("r2://res-c".to_owned(), "failed".to_owned()),
        ]
    );
    assert_eq!(t.read("estate.toml.state.jsonl").lines().count(), 1);

    // The rerun skips what was verified and finishes the rest.
    t.emu.faults().clear();
    let second = t
        .code(0, &["apply", "-f", "estate.toml", "--yes", "--json"])
        .await;
    let s = second.json();
    assert_eq!(s["already_done"], json!(["r2://res-a"]));
    assert_eq!(s["buckets"][0]["url"], "r2://res-b");
    assert_eq!(s["buckets"][0]["outcome"], "applied");
    assert_eq!(s["buckets"][1]["url"], "r2://res-c");
    assert_eq!(s["buckets"][1]["outcome"], "applied");
    t.code(0, &["drift", "-f", "estate.toml"]).await;
}
