//! Instructions per call of the codec and signing rows of issue 16, counted by valgrind's
//! callgrind.
//!
//! Wall time on a shared virtual machine moves with its neighbours (this one has lost all of
//! its CPU to steal for seconds at a time), so a small change to a codec can vanish in the
//! noise of a criterion run. An instruction count does not move: it shows whether a change
//! removed work, and `micro` (criterion) shows what that work costs in time.
//!
//! `cargo bench --bench instructions` prints a table; without valgrind on the `PATH` it says
//! so and exits. Each row runs this binary under callgrind twice, with N calls and with none,
//! and reports the difference divided by N, so setting up the documents is not counted.

use std::hint::black_box;

use bucket_admin::CorsConfiguration;
use bucket_admin::cos::codec as cos_codec;
use bucket_admin::cos::sign::{HeaderSelection, KeyTime, SigningKey, sign, sign_with_key};
use bucket_admin::r2::codec as r2_codec;

#[path = "callgrind.rs"]
mod callgrind;
#[path = "fixtures.rs"]
mod fixtures;
use fixtures::{hundred_rules, indented, thousand_lifecycle_rules, xml_events};

/// One measured call.
struct Case {
    name: &'static str,
    /// Calls per counted run: enough that the call dominates the process's own start-up.
    calls: usize,
    run: fn(&Documents),
}

/// What the cases read and write, built once per process.
struct Documents {
    cors: CorsConfiguration,
    cos_cors: String,
    cos_cors_one: String,
    cos_cors_one_indented: String,
    cos_lifecycle: String,
    lifecycle: bucket_admin::LifecycleConfiguration,
    r2_cors: String,
    r2_lifecycle: String,
}

impl Documents {
    fn new() -> Self {
        let cors = hundred_rules();
        let one = CorsConfiguration::new(cors.rules.iter().take(1).cloned().collect());
        let lifecycle = thousand_lifecycle_rules();
        Self {
            cos_cors: cos_codec::encode_cors(&cors).expect("encode"),
            cos_cors_one: cos_codec::encode_cors(&one).expect("encode"),
            cos_cors_one_indented: indented(&cos_codec::encode_cors(&one).expect("encode")),
            cos_lifecycle: cos_codec::encode_lifecycle(&lifecycle).expect("encode"),
            r2_cors: r2_codec::encode_cors(&cors).expect("encode"),
            r2_lifecycle: r2_codec::encode_lifecycle(&lifecycle).expect("encode"),
            cors,
            lifecycle,
        }
    }
}

const SECRET_ID: &str = "AKIDQjz3ltompVjBni5LitkWHFlFpwkn9U5q";
const SECRET_KEY: &str = "BQYIM75p8x0iWVFSIgqEKwFprpRSVHlz";
const KEY_TIME: KeyTime = KeyTime::new(1_557_989_151, 1_557_996_351);
const HEADERS: [(&str, &str); 4] = [
    (
        "Host",
        "examplebucket-1250000000.cos.ap-beijing.myqcloud.com",
    ),
    ("Content-MD5", "mQ/fVh815F3k6TAUm8m0eg=="),
    ("Content-Type", "application/xml"),
    ("Content-Length", "312"),
];

const CASES: &[Case] = &[
    Case {
        name: "COS XML, 100 CORS rules, encode + decode",
        calls: 50,
        run: |d| {
            let xml = cos_codec::encode_cors(black_box(&d.cors)).expect("encode");
            drop(black_box(cos_codec::decode_cors(&xml)));
        },
    },
    Case {
        name: "COS XML, 100 CORS rules, decode",
        calls: 50,
        run: |d| drop(black_box(cos_codec::decode_cors(black_box(&d.cos_cors)))),
    },
    Case {
        name: "quick-xml events only, the same 100 rules (anchor)",
        calls: 50,
        run: |d| {
            black_box(xml_events(black_box(&d.cos_cors)));
        },
    },
    Case {
        name: "COS XML, 1 CORS rule, decode (every get_cors)",
        calls: 2000,
        run: |d| {
            drop(black_box(cos_codec::decode_cors(black_box(
                &d.cos_cors_one,
            ))))
        },
    },
    Case {
        name: "COS XML, 1 CORS rule indented as COS sends it, decode",
        calls: 2000,
        run: |d| {
            drop(black_box(cos_codec::decode_cors(black_box(
                &d.cos_cors_one_indented,
            ))))
        },
    },
    Case {
        name: "COS XML, 1,000 lifecycle rules, decode",
        calls: 10,
        run: |d| {
            drop(black_box(cos_codec::decode_lifecycle(black_box(
                &d.cos_lifecycle,
            ))))
        },
    },
    Case {
        name: "COS XML, 1,000 lifecycle rules, encode",
        calls: 10,
        run: |d| {
            drop(black_box(cos_codec::encode_lifecycle(black_box(
                &d.lifecycle,
            ))))
        },
    },
    Case {
        name: "R2 JSON, 100 CORS rules, encode + decode",
        calls: 50,
        run: |d| {
            let json = r2_codec::encode_cors(black_box(&d.cors)).expect("encode");
            drop(black_box(r2_codec::decode_cors(&json)));
        },
    },
    Case {
        name: "R2 JSON, 100 CORS rules, encode",
        calls: 50,
        run: |d| drop(black_box(r2_codec::encode_cors(black_box(&d.cors)))),
    },
    Case {
        name: "R2 JSON, 100 CORS rules, decode",
        calls: 50,
        run: |d| drop(black_box(r2_codec::decode_cors(black_box(&d.r2_cors)))),
    },
    Case {
        name: "100 CORS rules, model clone + drop (the allocation floor of a decode)",
        calls: 50,
        run: |d| drop(black_box(black_box(&d.cors).clone())),
    },
    Case {
        name: "R2 JSON, 1,000 lifecycle rules, decode",
        calls: 10,
        run: |d| {
            drop(black_box(r2_codec::decode_lifecycle(black_box(
                &d.r2_lifecycle,
            ))))
        },
    },
    Case {
        name: "R2 JSON, 1,000 lifecycle rules, encode",
        calls: 10,
        run: |d| {
            drop(black_box(r2_codec::encode_lifecycle(black_box(
                &d.lifecycle,
            ))))
        },
    },
    Case {
        name: "1,000 lifecycle rules, model clone + drop (the allocation floor of a decode)",
        calls: 10,
        run: |d| drop(black_box(black_box(&d.lifecycle).clone())),
    },
    Case {
        name: "COS signature, typical bucket request",
        calls: 2000,
        run: |_| {
            drop(black_box(sign(
                SECRET_ID,
                black_box(SECRET_KEY),
                "PUT",
                "/",
                &[("cors", "")],
                black_box(&HEADERS),
                KEY_TIME,
            )));
        },
    },
    Case {
        name: "COS signature, signing key reused (the client's path)",
        calls: 2000,
        run: |_| {
            thread_local! {
                static KEY: SigningKey = SigningKey::new(SECRET_KEY, KEY_TIME);
            }
            KEY.with(|key| {
                drop(black_box(sign_with_key(
                    HeaderSelection::Sdk,
                    SECRET_ID,
                    black_box(key),
                    "PUT",
                    "/",
                    &[("cors", "")],
                    black_box(&HEADERS),
                )));
            });
        },
    },
];

fn main() {
    let args: Vec<String> = std::env::args().collect();
    // The child: `--run <case> <calls>`.
    if let Some(at) = args.iter().position(|a| a == "--run") {
        let case = args.get(at + 1).and_then(|c| c.parse::<usize>().ok());
        let calls = args.get(at + 2).and_then(|n| n.parse::<usize>().ok());
        let (Some(case), Some(calls)) = (case, calls) else {
            eprintln!("usage: instructions --run <case> <calls>");
            std::process::exit(2);
        };
        let documents = Documents::new();
        for _ in 0..calls {
            (CASES[case].run)(&documents);
        }
        return;
    }
    if !callgrind::available() {
        println!("valgrind is not installed: no instruction counts (apt-get install valgrind)");
        return;
    }
    println!("## Instructions per call (callgrind)\n");
    println!("| call | instructions per call |");
    println!("| --- | ---: |");
    for (i, case) in CASES.iter().enumerate() {
        let per_call = match (count(i, case.calls), count(i, 0)) {
            (Some(with), Some(without)) => {
                format!("{}", with.saturating_sub(without) / case.calls as u64)
            }
            _ => "callgrind failed".to_owned(),
        };
        println!("| {} | {per_call} |", case.name);
    }
}

/// Instructions callgrind counted for the whole child process running `calls` calls of case
/// `case`.
fn count(case: usize, calls: usize) -> Option<u64> {
    let exe = std::env::current_exe().ok()?;
    callgrind::instructions(&exe, "/dev/null", |c| {
        c.args(["--run", &case.to_string(), &calls.to_string()])
    })
}
