//! Command-line definitions (clap derive). Every command carries examples in its `--help`.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

use crate::formats::CorsFormat;

/// An example of the neutral lifecycle JSON, shown in `--help` and when a bucket has no rules
/// (a test checks that it parses).
#[macro_export]
#[doc(hidden)]
macro_rules! LIFECYCLE_EXAMPLE {
    () => {
        r#"{
  "rules": [
    { "id": "expire-logs", "enabled": true, "filter": { "prefix": "logs/" },
      "expiration": { "after": { "days": 30 } } },
    { "id": "end-of-campaign", "enabled": true, "filter": { "prefix": "campaign/" },
      "expiration": { "on": "2031-04-20T00:00:00Z" } },
    { "id": "abort-uploads", "enabled": true,
      "abort_incomplete_multipart_upload": { "days": 7 } }
  ]
}"#
    };
}
pub use LIFECYCLE_EXAMPLE;

const EXIT_CODES: &str = "\
Targets:
  cos://<bucket>-<appid>?region=ap-beijing   a COS bucket (region falls back to COS_REGION)
  r2://<bucket>?jurisdiction=eu              an R2 bucket (jurisdiction: default, eu, fedramp, us, fedramp-high)
  cos://<bucket>                             with COS_APPID set, the bucket <bucket>-<appid>
  s3://<bucket>?region=us-east-1             an S3 bucket (region falls back to AWS_REGION)
  s3://<bucket>?profile=minio&endpoint=http://127.0.0.1:9000
                                             an S3-compatible server (profile: aws, r2, cos,
                                             minio, custom; endpoint falls back to AWS_ENDPOINT_URL)
  file://cors.json                           a configuration file
  cos://?region=ap-beijing, r2://            a whole account (buckets list, --match-names)

Credentials come from the environment: COS_SECRET_ID, COS_SECRET_KEY, COS_SESSION_TOKEN,
COS_REGION, COS_APPID, COS_ENDPOINT (or TENCENTCLOUD_*), CLOUDFLARE_API_TOKEN, CLOUDFLARE_ACCOUNT_ID,
CLOUDFLARE_BASE_URL, R2_JURISDICTION; for s3:// AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY,
AWS_SESSION_TOKEN, AWS_REGION (or AWS_DEFAULT_REGION), AWS_ENDPOINT_URL_S3 (or AWS_ENDPOINT_URL),
else the AWS shared config files' profile: AWS_PROFILE or s3://b?aws_profile=NAME (keys,
region, endpoint_url from ~/.aws/credentials and ~/.aws/config, or AWS_SHARED_CREDENTIALS_FILE
and AWS_CONFIG_FILE).

Exit codes:
  0  success
  1  an operation failed (in bulk mode: at least one bucket failed)
  2  usage error or invalid input (bad flag, URL, file; missing credentials)
  3  a lossy copy was refused (read the loss report; rerun with --allow-lossy)
  4  verification mismatch (read-back differs from what was written; live preflight differs)
  5  negative answer (bucket does not exist, preflight denied, configurations differ)
  6  not found (the bucket or file named does not exist)";

/// Administer and migrate bucket configuration (CORS, lifecycle, versioning, replication,
/// policy) on Tencent COS and Cloudflare R2.
#[derive(Debug, Parser)]
#[command(name = "bucket-admin", version, after_help = EXIT_CODES)]
pub struct Cli {
    /// Options shared by every command.
    #[command(flatten)]
    pub global: GlobalArgs,
    /// The command.
    #[command(subcommand)]
    pub command: Command,
}

/// Options shared by every command.
#[derive(Debug, Clone, Args)]
pub struct GlobalArgs {
    /// Print machine-readable JSON on stdout instead of tables.
    #[arg(long, global = true)]
    pub json: bool,
    /// More logging on stderr (-v: debug, -vv: trace). RUST_LOG overrides. Secrets are never
    /// logged.
    #[arg(short, long, action = clap::ArgAction::Count, global = true)]
    pub verbose: u8,
    /// Start an in-process emulator and run the command against it. Its state is lost when
    /// the command ends unless --emulator-dir (BUCKET_ADMIN_EMULATOR_DIR) names a data
    /// directory, which is loaded at start and saved after every change; or use
    /// `bucket-admin emulator` + --endpoint.
    #[arg(long, global = true, conflicts_with = "endpoint")]
    pub emulator: bool,
    /// With --emulator: keep the emulator's buckets in this directory between commands.
    #[arg(
        long,
        global = true,
        env = "BUCKET_ADMIN_EMULATOR_DIR",
        value_name = "DIR"
    )]
    pub emulator_dir: Option<PathBuf>,
    /// Base URL of a running `bucket-admin emulator` (COS requests go there, R2 requests to
    /// URL/client/v4). Credentials still come from the environment.
    #[arg(long, global = true, env = "BUCKET_ADMIN_ENDPOINT", value_name = "URL")]
    pub endpoint: Option<String>,
    /// Allow plain http:// endpoints that are not on this machine (loopback is always allowed).
    #[arg(long, global = true)]
    pub allow_http: bool,
    /// Attempts per request, including the first (1 disables retries).
    #[arg(long, global = true, value_name = "N", value_parser = clap::value_parser!(u32).range(1..=20))]
    pub retries: Option<u32>,
    /// Per-request timeout in seconds (at least 1), for COS and R2 alike.
    #[arg(long, global = true, value_name = "SECONDS", value_parser = parse_timeout)]
    pub timeout: Option<u64>,
    /// COS region of every cos:// URL that names none (before COS_REGION).
    #[arg(long, global = true, value_name = "REGION")]
    pub region: Option<String>,
    /// R2 jurisdiction of every r2:// URL that names none (before R2_JURISDICTION), like
    /// wrangler's -J: default, eu, fedramp, us, fedramp-high.
    #[arg(short = 'J', long, global = true, value_name = "JURISDICTION", value_parser = parse_jurisdiction)]
    pub jurisdiction: Option<bucket_admin_core::Jurisdiction>,
    /// R2 request pacing as REQUESTS/SECONDS, or `off` (default: Cloudflare's 1200/300 against
    /// Cloudflare, off against an emulator).
    #[arg(long, global = true, value_name = "N/SECS|off")]
    pub r2_pacing: Option<String>,
}

/// Top-level commands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// List, create, delete buckets and test whether one exists.
    #[command(subcommand)]
    Buckets(BucketsCmd),
    /// Read, write, copy, diff and check CORS configurations.
    #[command(subcommand)]
    Cors(CorsCmd),
    /// Read, write, delete and copy lifecycle rules.
    #[command(subcommand)]
    Lifecycle(LifecycleCmd),
    /// Read or change bucket versioning.
    #[command(subcommand)]
    Versioning(VersioningCmd),
    /// Read, write or delete replication rules.
    #[command(subcommand)]
    Replication(DocCmd),
    /// Read, write or delete the bucket policy.
    #[command(subcommand)]
    Policy(DocCmd),
    /// Serve the local COS + R2 emulator until Ctrl-C.
    #[command(after_help = "Examples:
  bucket-admin emulator --data-dir ./emu-data
  bucket-admin emulator --bind 127.0.0.1:9100
  bucket-admin emulator --fault-seed 7 --fault 'slowdown,method=PUT,path=?cors,times=3'
  bucket-admin emulator --r2-rate-limit 1200/300

It prints `export ...` lines; paste them in another terminal and run commands there.")]
    Emulator(EmulatorArgs),
    /// Print a shell completion script (bash, zsh, fish, powershell, elvish).
    #[command(after_help = "Examples:
  bucket-admin completions bash > /etc/bash_completion.d/bucket-admin
  bucket-admin completions zsh > \"${fpath[1]}/_bucket-admin\"
  bucket-admin completions fish > ~/.config/fish/completions/bucket-admin.fish
  bucket-admin completions powershell >> $PROFILE")]
    Completions {
        /// The shell to complete for.
        shell: clap_complete::Shell,
    },
    /// Write what buckets hold now as an estate file (configuration as code).
    #[command(after_help = "Examples:
  bucket-admin export cos://?region=ap-beijing r2:// -o estate.toml
  bucket-admin export r2://assets --sections cors,lifecycle")]
    Export(crate::estate::ExportArgs),
    /// Show what applying an estate file would change (exit 0 none, 5 pending, 3 lossy).
    #[command(after_help = "Examples:
  bucket-admin plan -f estate.toml
  bucket-admin plan -f estate.toml --retarget cos://?region=ap-beijing=r2:// --json")]
    Plan(crate::estate::EstateArgs),
    /// Make the buckets hold what an estate file says, with backups and verification.
    #[command(after_help = "Examples:
  bucket-admin apply -f estate.toml
  bucket-admin apply -f estate.toml --yes --concurrency 4")]
    Apply(crate::estate::ApplyArgs),
    /// For CI: exit 5 and one line per bucket and section that differs from the estate file.
    #[command(after_help = "Examples:
  bucket-admin drift -f estate.toml || echo 'buckets drifted'")]
    Drift(crate::estate::EstateArgs),
    /// Print a pre-signed URL for an object in a COS bucket.
    #[command(after_help = "Examples:
  bucket-admin presign cos://assets-1250000000?region=ap-beijing --key img/logo.png
  bucket-admin presign cos://assets-1250000000?region=ap-beijing --key upload.bin --method PUT --expires 600")]
    Presign(PresignArgs),
}

/// `buckets` subcommands.
#[derive(Debug, Subcommand)]
pub enum BucketsCmd {
    /// List the buckets of an account.
    #[command(after_help = "Examples:
  bucket-admin buckets list cos://?region=ap-beijing
  bucket-admin buckets list r2://?jurisdiction=eu --json")]
    List {
        /// Account URL (cos://?region=.., r2://).
        account: String,
    },
    /// Create a bucket, with the options its provider offers.
    #[command(after_help = "Examples:
  bucket-admin buckets create cos://assets-1250000000?region=ap-beijing
  bucket-admin buckets create cos://assets-1250000000 --acl public-read --tag env=prod --multi-az
  bucket-admin buckets create cos://assets-1250000000 --grant-read 'id=\"100000000001\"'
  bucket-admin buckets create r2://assets?jurisdiction=eu
  bucket-admin buckets create r2://assets --location weur --storage-class infrequent-access

An option the provider does not offer (an ACL on R2, a location on COS) is refused before
anything is sent.")]
    Create {
        /// Bucket URL.
        target: String,
        /// The options.
        #[command(flatten)]
        options: CreateArgs,
    },
    /// Delete an (empty) bucket.
    #[command(after_help = "Examples:
  bucket-admin buckets delete r2://old-assets")]
    Delete {
        /// Bucket URL.
        target: String,
    },
    /// Exit 0 when the bucket exists, 5 when it does not.
    #[command(after_help = "Examples:
  bucket-admin buckets exists r2://assets && echo present")]
    Exists {
        /// Bucket URL.
        target: String,
    },
}

/// `cors` subcommands.
#[derive(Debug, Subcommand)]
pub enum CorsCmd {
    /// Print a bucket's (or file's) CORS configuration, in any format.
    #[command(after_help = "Examples:
  bucket-admin cors get cos://assets-1250000000?region=ap-beijing
  bucket-admin cors get r2://assets --output-format r2 > wrangler-cors.json
  bucket-admin cors get file://s3-cors.json --output-format r2   # convert a file")]
    Get {
        /// Bucket or file URL.
        target: String,
        /// Output shape (default: a table on the terminal; neutral JSON with --json).
        #[arg(long, value_name = "FORMAT", value_parser = parse_format)]
        output_format: Option<CorsFormat>,
        /// Read a file target in this format instead of detecting it.
        #[arg(long, value_parser = parse_format)]
        format: Option<CorsFormat>,
    },
    /// Replace a bucket's CORS configuration from a file (any format, detected).
    #[command(after_help = "Examples:
  bucket-admin cors put r2://assets --file cors.json
  bucket-admin cors put cos://assets-1250000000?region=ap-beijing --file cors.xml
  aws s3api get-bucket-cors --bucket x | bucket-admin cors put r2://assets --file -")]
    Put {
        /// Bucket URL.
        target: String,
        /// File to read (`-` for stdin).
        #[arg(long, short)]
        file: String,
        /// Force the input format instead of detecting it.
        #[arg(long, value_parser = parse_format)]
        format: Option<CorsFormat>,
        /// Write even when the bucket's provider cannot hold everything in the file (the
        /// losses are listed first).
        #[arg(long)]
        allow_lossy: bool,
        /// Backup of the configuration this replaces.
        #[command(flatten)]
        backup: BackupArgs,
    },
    /// Remove a bucket's CORS configuration (saved to a backup first).
    #[command(after_help = "Examples:
  bucket-admin cors delete r2://assets
  bucket-admin cors delete r2://assets --no-backup")]
    Delete {
        /// Bucket URL.
        target: String,
        /// Backup of the configuration this removes.
        #[command(flatten)]
        backup: BackupArgs,
    },
    /// Copy CORS between buckets/files: convert, show the plan and losses, back up, write, verify.
    #[command(after_help = "Examples:
  bucket-admin cors copy --from cos://assets-1250000000?region=ap-beijing --to r2://assets --dry-run
  bucket-admin cors copy --from cos://assets-1250000000?region=ap-beijing --to r2://assets --allow-lossy
  bucket-admin cors copy --from file://cors.json --to r2://assets
  bucket-admin cors copy --mapping buckets.csv --concurrency 8
  bucket-admin cors copy --match-names --from-account cos://?region=ap-beijing --to-account r2://

A mapping file has one `source,target` pair per line; `#` starts a comment. A bulk run appends
each verified bucket, with a hash of what was verified, to the state file; a rerun reads every
source again, skips a bucket only when its source is unchanged, and retries the rest (--fresh
ignores the state file). The target's previous configuration is saved to --backup-dir first.")]
    Copy(CopyArgs),
    /// Show the differences between two CORS configurations (exit 5 when they differ).
    #[command(after_help = "Examples:
  bucket-admin cors diff cos://assets-1250000000?region=ap-beijing r2://assets
  bucket-admin cors diff file://cors.json r2://assets")]
    Diff {
        /// First bucket or file.
        a: String,
        /// Second bucket or file.
        b: String,
    },
    /// Evaluate a preflight offline (live on COS with --live, in Chromium with --browser);
    /// exit 5 when denied, 4 when the answers differ.
    #[command(after_help = "Examples:
  bucket-admin cors check r2://assets --origin https://app.example.com --method PUT --header content-type
  bucket-admin cors check file://cors.json --origin https://x.com --method GET
  bucket-admin cors check cos://assets-1250000000?region=ap-beijing --origin https://x.com --method GET --live
  bucket-admin cors check r2://assets --origin https://app.example.com --method PUT --header content-type --browser

--browser puts the rules (read from the bucket or file; nothing is written there) on a scratch
bucket of an in-process emulator (R2 for r2:// targets, COS otherwise) and lets Chromium
fetch() an object of it from a page of --origin. It needs Chromium (`apt-get install chromium`,
or BUCKET_ADMIN_CHROMIUM=/path) and Playwright for Python (`pip install playwright`, or
BUCKET_ADMIN_BROWSER_PYTHON=/path/to/python); `playwright install` is not needed.")]
    Check(CheckArgs),
}

/// `lifecycle` subcommands.
#[derive(Debug, Subcommand)]
pub enum LifecycleCmd {
    /// Print a bucket's lifecycle rules (neutral JSON).
    #[command(after_help = concat!("Examples:
  bucket-admin lifecycle get cos://logs-1250000000?region=ap-beijing > rules.json
  bucket-admin lifecycle get file://aws-lifecycle.json --output-format r2   # convert a file
  bucket-admin lifecycle get r2://logs --output-format aws > lifecycle.json
  aws s3api put-bucket-lifecycle-configuration --bucket logs --lifecycle-configuration file://lifecycle.json

The neutral lifecycle JSON (what `lifecycle put` reads):
", crate::cli::LIFECYCLE_EXAMPLE!()))]
    Get {
        /// Bucket or file URL.
        target: String,
        /// Output shape (default neutral JSON).
        #[arg(long, value_enum, value_name = "FORMAT")]
        output_format: Option<crate::formats::LifecycleFormat>,
    },
    /// Show the differences between two sets of lifecycle rules (exit 5 when they differ).
    #[command(after_help = "Examples:
  bucket-admin lifecycle diff cos://logs-1250000000?region=ap-beijing r2://logs
  bucket-admin lifecycle diff file://aws-lifecycle.json r2://logs")]
    Diff {
        /// First bucket or file.
        a: String,
        /// Second bucket or file.
        b: String,
    },
    /// Replace a bucket's lifecycle rules from a file: neutral JSON, AWS JSON
    /// (`aws s3api put-bucket-lifecycle-configuration`), a COS SDK dict, COS/S3 XML or R2/wrangler JSON.
    #[command(after_help = concat!("Examples:
  bucket-admin lifecycle put r2://logs --file rules.json
  aws s3api get-bucket-lifecycle-configuration --bucket logs > aws.json
  bucket-admin lifecycle put r2://logs --file aws.json

The file (dates are RFC 3339 midnights; a bare YYYY-MM-DD means UTC; ages in days or seconds):
", crate::cli::LIFECYCLE_EXAMPLE!()))]
    Put {
        /// Bucket URL.
        target: String,
        /// File to read (`-` for stdin).
        #[arg(long, short)]
        file: String,
        /// Backup of the rules this replaces.
        #[command(flatten)]
        backup: BackupArgs,
    },
    /// Remove a bucket's lifecycle rules (saved to a backup first).
    #[command(after_help = "Examples:
  bucket-admin lifecycle delete r2://logs")]
    Delete {
        /// Bucket URL.
        target: String,
        /// Backup of the rules this removes.
        #[command(flatten)]
        backup: BackupArgs,
    },
    /// Copy lifecycle rules: convert (days <-> seconds, unsupported actions), plan, back up,
    /// write, verify.
    #[command(after_help = "Examples:
  bucket-admin lifecycle copy --from cos://logs-1250000000?region=ap-beijing --to r2://logs --dry-run
  bucket-admin lifecycle copy --mapping buckets.csv --allow-lossy")]
    Copy(CopyArgs),
}

/// `versioning` subcommands.
#[derive(Debug, Subcommand)]
pub enum VersioningCmd {
    /// Print the versioning status.
    #[command(after_help = "Examples:
  bucket-admin versioning get cos://assets-1250000000?region=ap-beijing")]
    Get {
        /// Bucket URL.
        target: String,
    },
    /// Enable or suspend versioning.
    #[command(after_help = "Examples:
  bucket-admin versioning put cos://assets-1250000000?region=ap-beijing enabled")]
    Put {
        /// Bucket URL.
        target: String,
        /// New status.
        status: VersioningArg,
    },
}

/// A versioning status that can be set.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum VersioningArg {
    /// Keep every version.
    Enabled,
    /// Stop creating versions (existing ones stay).
    Suspended,
}

/// get/put/delete of a neutral JSON document (replication, policy).
#[derive(Debug, Subcommand)]
pub enum DocCmd {
    /// Print it as neutral JSON.
    #[command(after_help = "Examples:
  bucket-admin policy get cos://assets-1250000000?region=ap-beijing > policy.json
  bucket-admin replication get cos://assets-1250000000?region=ap-beijing")]
    Get {
        /// Bucket URL.
        target: String,
    },
    /// Replace it from a neutral JSON file.
    #[command(after_help = "Examples:
  bucket-admin policy put cos://assets-1250000000?region=ap-beijing --file policy.json
  bucket-admin replication put cos://assets-1250000000?region=ap-beijing --file replication.json")]
    Put {
        /// Bucket URL.
        target: String,
        /// File to read (`-` for stdin).
        #[arg(long, short)]
        file: String,
        /// Backup of the document this replaces.
        #[command(flatten)]
        backup: BackupArgs,
    },
    /// Remove it (saved to a backup first).
    #[command(after_help = "Examples:
  bucket-admin policy delete cos://assets-1250000000?region=ap-beijing")]
    Delete {
        /// Bucket URL.
        target: String,
        /// Backup of the document this removes.
        #[command(flatten)]
        backup: BackupArgs,
    },
}

/// Options of `cors copy` / `lifecycle copy`.
#[derive(Debug, Clone, Args)]
pub struct CopyArgs {
    /// Source bucket or file.
    #[arg(long, requires = "to", conflicts_with_all = ["mapping", "match_names"])]
    pub from: Option<String>,
    /// Target bucket or file.
    #[arg(long, requires = "from")]
    pub to: Option<String>,
    /// Bulk: a file of `source,target` lines.
    #[arg(long, conflicts_with = "match_names")]
    pub mapping: Option<PathBuf>,
    /// Bulk: pair the buckets of two accounts by name (COS `-<appid>` suffix stripped).
    #[arg(long, requires_all = ["from_account", "to_account"])]
    pub match_names: bool,
    /// Source account for --match-names (cos://?region=.., r2://).
    #[arg(long, value_name = "URL")]
    pub from_account: Option<String>,
    /// Target account for --match-names.
    #[arg(long, value_name = "URL")]
    pub to_account: Option<String>,
    /// Apply even when the conversion loses or changes something.
    #[arg(long)]
    pub allow_lossy: bool,
    /// Show the plan; write nothing.
    #[arg(long)]
    pub dry_run: bool,
    /// Backup of what the copy replaces on the target.
    #[command(flatten)]
    pub backup: BackupArgs,
    /// Bulk: buckets processed at once.
    #[arg(long, default_value_t = 8, value_parser = clap::value_parser!(u16).range(1..=256))]
    pub concurrency: u16,
    /// Bulk: state file for resuming (default: MAPPING.state.jsonl, or
    /// ./bucket-admin-match.state.jsonl with --match-names).
    #[arg(long, value_name = "FILE")]
    pub state: Option<PathBuf>,
    /// Bulk: ignore what the state file says was verified and copy every pair again.
    #[arg(long)]
    pub fresh: bool,
    /// Bulk: give up on a pair after this many seconds (a stalled connection must not hold
    /// a slot forever); the pair is reported failed and retried by a rerun.
    #[arg(long, default_value_t = 600, value_name = "SECONDS", value_parser = parse_timeout)]
    pub pair_timeout: u64,
    /// Force the source file's CORS format instead of detecting it.
    #[arg(long, value_parser = parse_format)]
    pub format: Option<CorsFormat>,
}

/// Options of `buckets create`.
#[derive(Debug, Clone, Default, Args)]
pub struct CreateArgs {
    /// COS canned ACL.
    #[arg(long, value_enum)]
    pub acl: Option<AclArg>,
    /// COS: grant read to a grantee (`id="100000000001"`, or a bare account id); repeatable.
    #[arg(long, value_name = "GRANTEE")]
    pub grant_read: Vec<String>,
    /// COS: grant write; repeatable.
    #[arg(long, value_name = "GRANTEE")]
    pub grant_write: Vec<String>,
    /// COS: grant reading the ACL; repeatable.
    #[arg(long, value_name = "GRANTEE")]
    pub grant_read_acp: Vec<String>,
    /// COS: grant writing the ACL; repeatable.
    #[arg(long, value_name = "GRANTEE")]
    pub grant_write_acp: Vec<String>,
    /// COS: grant full control; repeatable.
    #[arg(long, value_name = "GRANTEE")]
    pub grant_full_control: Vec<String>,
    /// COS bucket tag `KEY=VALUE`; repeatable.
    #[arg(long, value_name = "KEY=VALUE", value_parser = parse_tag)]
    pub tag: Vec<(String, String)>,
    /// COS: a multi-AZ bucket.
    #[arg(long)]
    pub multi_az: bool,
    /// R2 location hint (apac, eeur, enam, weur, wnam, oc), like wrangler's --location.
    #[arg(long, value_name = "HINT")]
    pub location: Option<String>,
    /// R2 default storage class of new objects.
    #[arg(long, value_enum)]
    pub storage_class: Option<StorageClassArg>,
    /// S3: switch Object Lock on at creation (`x-amz-bucket-object-lock-enabled`; versioning
    /// comes on with it and neither can be switched off). Only for targets whose capabilities
    /// list "object lock on create" (s3:// with profile aws, minio or custom).
    #[arg(long)]
    pub object_lock: bool,
}

/// A COS canned ACL.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum AclArg {
    /// Owner only.
    Private,
    /// Anyone may read.
    PublicRead,
    /// Anyone may read and write.
    PublicReadWrite,
    /// Any authenticated user may read.
    AuthenticatedRead,
}

/// An R2 storage class.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum StorageClassArg {
    /// Standard.
    Standard,
    /// Infrequent access.
    InfrequentAccess,
}

impl CreateArgs {
    /// The library's create options.
    pub fn to_options(&self) -> bucket_admin_core::CreateBucketOptions {
        use bucket_admin_core::{CannedAcl, Grant, GrantPermission, StorageClass, Tag};
        let grant = |permission, list: &[String]| {
            (!list.is_empty()).then(|| {
                Grant::new(
                    permission,
                    list.iter().map(|g| {
                        if g.contains('=') {
                            g.clone()
                        } else {
                            format!("id=\"{g}\"")
                        }
                    }),
                )
            })
        };
        let mut options = bucket_admin_core::CreateBucketOptions::new()
            .with_grants(
                [
                    grant(GrantPermission::Read, &self.grant_read),
                    grant(GrantPermission::Write, &self.grant_write),
                    grant(GrantPermission::ReadAcp, &self.grant_read_acp),
                    grant(GrantPermission::WriteAcp, &self.grant_write_acp),
                    grant(GrantPermission::FullControl, &self.grant_full_control),
                ]
                .into_iter()
                .flatten(),
            )
            .with_tags(self.tag.iter().map(|(k, v)| Tag {
                key: k.clone(),
                value: v.clone(),
            }))
            .with_multi_az(self.multi_az)
            .with_object_lock_enabled(self.object_lock);
        options.acl = self.acl.map(|a| match a {
            AclArg::Private => CannedAcl::Private,
            AclArg::PublicRead => CannedAcl::PublicRead,
            AclArg::PublicReadWrite => CannedAcl::PublicReadWrite,
            AclArg::AuthenticatedRead => CannedAcl::AuthenticatedRead,
        });
        options.location_hint = self.location.clone();
        options.storage_class = self.storage_class.map(|c| match c {
            StorageClassArg::Standard => StorageClass::Standard,
            StorageClassArg::InfrequentAccess => StorageClass::InfrequentAccess,
        });
        options
    }
}

fn parse_tag(s: &str) -> Result<(String, String), String> {
    match s.split_once('=') {
        Some((k, v)) if !k.trim().is_empty() => Ok((k.trim().to_owned(), v.trim().to_owned())),
        _ => Err(format!("`{s}`: expected KEY=VALUE")),
    }
}

/// Where the configuration an overwrite or delete replaces is saved first.
#[derive(Debug, Clone, Args)]
pub struct BackupArgs {
    /// Directory the previous configuration is saved to before it is overwritten or deleted.
    #[arg(long, default_value = crate::backup::DEFAULT_DIR, value_name = "DIR")]
    pub backup_dir: PathBuf,
    /// Overwrite or delete without saving the previous configuration first.
    #[arg(long)]
    pub no_backup: bool,
}

impl BackupArgs {
    /// The backup directory, `None` with `--no-backup`.
    pub fn dir(&self) -> Option<&std::path::Path> {
        (!self.no_backup).then_some(self.backup_dir.as_path())
    }
}

/// Options of `cors check`.
#[derive(Debug, Clone, Args)]
pub struct CheckArgs {
    /// Bucket or file URL.
    pub target: String,
    /// The `Origin` of the preflight.
    #[arg(long)]
    pub origin: String,
    /// The `Access-Control-Request-Method`.
    #[arg(long)]
    pub method: String,
    /// A requested header (repeatable; comma-separated lists accepted).
    #[arg(long = "header", value_name = "HEADER")]
    pub headers: Vec<String>,
    /// Also send a real OPTIONS to COS and compare (exit 4 when the answers differ).
    #[arg(long)]
    pub live: bool,
    /// Also run the request in a real Chromium against a scratch bucket with these rules on an
    /// in-process emulator, and compare (exit 4 when the browser decides otherwise).
    #[arg(long)]
    pub browser: bool,
    /// Object key the live preflight is sent for.
    #[arg(long, default_value = "bucket-admin-preflight-check")]
    pub key: String,
    /// Force the file's format instead of detecting it.
    #[arg(long, value_parser = parse_format)]
    pub format: Option<CorsFormat>,
}

/// Options of `emulator`: the emulator crate's own flag definition, so `bucket-admin emulator`
/// and `bucket-admin-emulator` accept exactly the same flags.
pub use bucket_admin_emulator::cli::EmulatorArgs;

/// Options of `presign`.
#[derive(Debug, Clone, Args)]
pub struct PresignArgs {
    /// COS bucket URL.
    pub target: String,
    /// Object key.
    #[arg(long)]
    pub key: String,
    /// HTTP method the URL is for.
    #[arg(long, default_value = "GET")]
    pub method: String,
    /// Validity in seconds.
    #[arg(long, default_value_t = 3600, value_parser = clap::value_parser!(u64).range(1..=7 * 24 * 3600))]
    pub expires: u64,
}

fn parse_timeout(s: &str) -> Result<u64, String> {
    match s.trim().parse::<u64>() {
        Ok(0) => Err("0 would give up immediately; give a number of seconds, at least 1".into()),
        Ok(n) => Ok(n),
        Err(_) => Err(format!("`{s}` is not a whole number of seconds")),
    }
}

fn parse_jurisdiction(s: &str) -> Result<bucket_admin_core::Jurisdiction, String> {
    s.parse::<bucket_admin_core::Jurisdiction>()
        .map_err(|e| e.to_string())
}

fn parse_format(s: &str) -> Result<CorsFormat, String> {
    s.parse()
}

#[cfg(test)]
mod tests {
    use clap::CommandFactory;

    use super::*;

    #[test]
    fn definition_is_consistent() {
        Cli::command().debug_assert();
    }

    #[test]
    fn every_leaf_command_has_examples() {
        fn walk(cmd: &clap::Command, path: &str, missing: &mut Vec<String>) {
            let path = format!("{path} {}", cmd.get_name());
            let subs: Vec<_> = cmd
                .get_subcommands()
                .filter(|c| c.get_name() != "help")
                .collect();
            if subs.is_empty() {
                let help = cmd
                    .get_after_help()
                    .map(|h| h.to_string())
                    .unwrap_or_default();
                if !help.contains("Examples:") {
                    missing.push(path.clone());
                }
            }
            for s in subs {
                walk(s, &path, missing);
            }
        }
        let mut missing = Vec::new();
        walk(&Cli::command(), "", &mut missing);
        assert!(missing.is_empty(), "no examples: {missing:?}");
    }

    #[test]
    fn the_lifecycle_example_is_valid_neutral_json() {
        let cfg: bucket_admin_core::LifecycleConfiguration =
            serde_json::from_str(LIFECYCLE_EXAMPLE!()).unwrap();
        assert_eq!(cfg.rules.len(), 3);
        assert!(cfg.rules[2].abort_incomplete_multipart_upload.is_some());
    }

    #[test]
    fn copy_modes_are_exclusive() {
        let ok = Cli::try_parse_from([
            "bucket-admin",
            "cors",
            "copy",
            "--from",
            "r2://aaa",
            "--to",
            "r2://bbb",
        ]);
        assert!(ok.is_ok());
        let both = Cli::try_parse_from([
            "bucket-admin",
            "cors",
            "copy",
            "--from",
            "r2://aaa",
            "--to",
            "r2://bbb",
            "--mapping",
            "m.csv",
        ]);
        assert!(both.is_err());
        let half = Cli::try_parse_from([
            "bucket-admin",
            "cors",
            "copy",
            "--match-names",
            "--from-account",
            "r2://",
        ]);
        assert!(half.is_err());
    }
}
