//! # bucket-admin-cos
//!
//! The Tencent Cloud COS provider of [bucket-admin](https://docs.rs/bucket-admin): a
//! [`BucketAdmin`](bucket_admin_core::BucketAdmin) over the COS XML API, with `q-sign`
//! HMAC-SHA1 request signing that matches the official SDK byte for byte ([`sign`]).
//!
//! ```no_run
//! use bucket_admin_core::{BucketAdmin, CorsConfiguration, CorsMethod, CorsRule};
//! use bucket_admin_cos::{CosClient, CosClientBuilder};
//!
//! # async fn run() -> bucket_admin_core::Result<()> {
//! // COS_SECRET_ID, COS_SECRET_KEY and COS_REGION (or the TENCENTCLOUD_* variables).
//! let cos: CosClient = CosClientBuilder::from_env().build()?;
//!
//! let cors = CorsConfiguration::new(vec![
//!     CorsRule::new(["https://example.com"], [CorsMethod::Get, CorsMethod::Put])
//!         .with_allowed_headers(["*"])
//!         .with_max_age_seconds(600),
//! ]);
//! cos.put_cors("examplebucket-1250000000", &cors).await?;
//! assert_eq!(cos.get_cors("examplebucket-1250000000").await?, Some(cors));
//! # Ok(())
//! # }
//! ```
//!
//! ## The official SDK's operations, one by one
//!
//! | `qcloud_cos.CosS3Client` | here |
//! | --- | --- |
//! | `list_buckets()` | [`BucketAdmin::list_buckets`](bucket_admin_core::BucketAdmin::list_buckets), [`CosClient::list_buckets_in_region`] |
//! | `create_bucket(Bucket, BucketAZConfig, ACL, Grant*)` | [`BucketAdmin::create_bucket`](bucket_admin_core::BucketAdmin::create_bucket) with [`CreateBucketOptions`](bucket_admin_core::CreateBucketOptions) |
//! | `head_bucket`, `bucket_exists`, `delete_bucket` | `head_bucket`, `bucket_exists`, `delete_bucket` |
//! | `put/get/delete_bucket_cors` | `put_cors`, `get_cors`, `delete_cors` |
//! | `put/get/delete_bucket_lifecycle` | `put_lifecycle`, `get_lifecycle`, `delete_lifecycle` |
//! | `put/get_bucket_versioning` | `put_versioning`, `get_versioning` |
//! | `put/get/delete_bucket_replication` | `put_replication`, `get_replication`, `delete_replication` |
//! | `put/get/delete_bucket_policy` | `put_policy`, `get_policy`, `delete_policy` |
//! | `get_auth`, `get_presigned_url` | [`CosClient::get_auth`], [`CosClient::presigned_url`] |
//!
//! The seed samples, translated:
//!
//! ```no_run
//! use bucket_admin_core::*;
//! use bucket_admin_cos::CosClientBuilder;
//!
//! # async fn run() -> Result<()> {
//! let client = CosClientBuilder::from_env().build()?;
//! let bucket = "examplebucket-1250000000";
//!
//! // response = client.create_bucket(Bucket=..., BucketAZConfig='MAZ', ACL='private')
//! let options = CreateBucketOptions::new().with_multi_az(true).with_acl(CannedAcl::Private);
//! client.create_bucket(bucket, &options).await?;
//! println!("exists: {}", client.bucket_exists(bucket).await?);
//!
//! // client.put_bucket_cors(Bucket=..., CORSConfiguration={'CORSRule': [{'ID': ..., 'MaxAgeSeconds': 100, ...}]})
//! let cors = CorsConfiguration::new(vec![
//!     CorsRule::new(["http://cloud.tencent.com"], [CorsMethod::Get, CorsMethod::Put])
//!         .with_id("rule-1")
//!         .with_max_age_seconds(100)
//!         .with_allowed_headers(["*"])
//!         .with_expose_headers(["ETag"]),
//! ]);
//! client.put_cors(bucket, &cors).await?;
//!
//! // client.put_bucket_lifecycle(Bucket=..., LifecycleConfiguration={'Rule': [{'Expiration': {'Days': 200}, ...}]})
//! let lifecycle = LifecycleConfiguration::new(vec![
//!     LifecycleRule::new()
//!         .with_id("Rule-1")
//!         .with_expiration(Expiration::After(Age::days(200)))
//!         .with_transition(Transition::after(Age::days(100), StorageClass::InfrequentAccess))
//!         .with_abort_incomplete_multipart_upload(Age::days(7)),
//! ]);
//! client.put_lifecycle(bucket, &lifecycle).await?;
//! // response = client.get_bucket_lifecycle(Bucket=...)
//! println!("{:?}", client.get_lifecycle(bucket).await?);
//!
//! // client.put_bucket_versioning(Bucket=..., Status='Enabled')
//! client.put_versioning(bucket, VersioningStatus::Enabled).await?;
//!
//! // client.put_bucket_replication(Bucket=..., ReplicationConfiguration={'Role': ..., 'Rule': [...]})
//! let replication = ReplicationConfiguration::new(vec![
//!     ReplicationRule::new(
//!         ReplicationDestination::new("qcs::cos:ap-shanghai::destinationbucket-1250000000")
//!             .with_storage_class(StorageClass::Standard),
//!     )
//!     .with_id("rule-1"),
//! ])
//! .with_role("qcs::cam::uin/100000000001:uin/100000000001");
//! client.put_replication(bucket, &replication).await?;
//!
//! // client.get_bucket_policy(Bucket=...); json.loads(response['Policy'])
//! if let Some(policy) = client.get_policy(bucket).await? {
//!     println!("{} statement(s)", policy.statements.len());
//! }
//! # Ok(())
//! # }
//! ```
//!
//! ## Addresses
//!
//! Requests go to `https://<bucket>.cos.<region>.myqcloud.com` (see
//! [`CosClientBuilder::domain_template`]) and list-buckets to `service.cos.myqcloud.com`. With
//! [`CosClientBuilder::endpoint`] every request connects to a fixed address instead (an
//! emulator, a proxy, a private IP) while its `Host` header, and the host that is signed, stay
//! the bucket's virtual host.
//!
//! ## Errors
//!
//! Every failure is a [`bucket_admin_core::Error`] carrying the COS code, message, request id
//! and, in its details, the `trace_id`; a `SignatureDoesNotMatch` error also carries the
//! server's `string_to_sign` and `format_string`.
//!
//! A missing configuration is `Ok(None)` only when COS answers HTTP 404 with the code of the
//! sub-resource asked (`NoSuchCORSConfiguration` for CORS, `NoSuchLifecycleConfiguration`,
//! `NoSuchReplicationConfiguration`, `NoSuchBucketPolicy`). Any other answer is an error:
//! the same code on another status, another sub-resource's code, or an HTTP 200 whose body is
//! not the document asked for (an `<Error>` document, an HTML page, another configuration,
//! trailing content after the root element), which is [`ErrorKind::Decode`](bucket_admin_core::ErrorKind::Decode) with the status
//! and request id. Decoders never drop what they cannot represent: they fail naming the
//! element.
//!
//! ## Bucket names
//!
//! COS lower-cases the capitals of a bucket name on create (its documentation: "the COS
//! backend will automatically convert uppercase letters ... to lowercase"). Every call here
//! does the same before sending (and logs it at `info`), so `ExampleBucket-1250000000`
//! creates, and then addresses, `examplebucket-1250000000`.
//!
//! ## Limits
//!
//! Requests time out after 60 s ([`CosClientBuilder::timeout`]), connections after 10 s, and a
//! response that stops sending for 30 s ([`CosClientBuilder::read_timeout`]). Response bodies
//! are read up to 16 MiB ([`CosClientBuilder::max_response_bytes`]); a larger one fails
//! naming the limit without being buffered.
//! Secrets (the SecretKey, session token, `Authorization` header) never appear in errors,
//! `Debug` output or logs.
//!
//! ## Cargo features and HTTP
//!
//! - `rustls` (default): TLS through rustls with the webpki root certificates.
//! - `native-tls`: TLS through the platform's library (OpenSSL on Linux) and its root store.
//!
//! To add root certificates (a private deployment), a proxy or your own DNS, build a
//! `reqwest::Client` and hand it to [`CosClientBuilder::http_client`]. Plain `http://` is accepted
//! without [`CosClientBuilder::allow_http`] only to loopback addresses (`127.0.0.0/8`, `::1`,
//! `localhost`).
#![deny(missing_docs)]

mod client;
pub mod codec;
mod config;
pub mod credentials;
mod list;
pub mod sign;
pub mod validate;
mod wire;

pub use client::{CosClient, cos_capabilities};
pub use config::{
    ACCELERATE_DOMAIN_TEMPLATE, CosClientBuilder, DEFAULT_CONNECT_TIMEOUT, DEFAULT_DOMAIN_TEMPLATE,
    DEFAULT_MAX_RESPONSE_BYTES, DEFAULT_READ_TIMEOUT, DEFAULT_SERVICE_DOMAIN, DEFAULT_TIMEOUT,
    REGIONAL_SERVICE_DOMAIN, TENCENTCOS_DOMAIN_TEMPLATE,
};
pub use credentials::{CredentialProvider, Credentials, EnvCredentials, StaticCredentials};
pub use list::{BucketPage, BucketPages, ListBucketsOptions};
/// The type secrets are kept in ([`CosClientBuilder::secret_key`] takes anything that converts
/// into it, such as a `String` or `&str`).
pub use secrecy::SecretString;
