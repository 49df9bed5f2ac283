//! An in-memory [`BucketAdmin`] for unit tests of the planner and the bulk engine, and for
//! the bulk memory bench (feature `bench`). Not a stable API.

use std::collections::{BTreeMap, HashSet};
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};

use bucket_admin_core::{
    BucketAdmin, BucketInfo, BucketPolicy, Capabilities, CorsConfiguration, CreateBucketOptions,
    Error, ErrorKind, LifecycleConfiguration, Operation, Provider, ReplicationConfiguration,
    Result, VersioningStatus, async_trait,
};

#[derive(Debug, Default, Clone)]
pub struct Bucket {
    pub cors: Option<CorsConfiguration>,
    pub lifecycle: Option<LifecycleConfiguration>,
}

#[derive(Debug)]
pub struct FakeAdmin {
    pub caps: Capabilities,
    pub buckets: Mutex<BTreeMap<String, Bucket>>,
    /// Every operation on these buckets fails with 503.
    pub failing: Mutex<HashSet<String>>,
    /// Puts on these buckets store something else than what was sent.
    pub corrupting: Mutex<HashSet<String>>,
    pub puts: AtomicUsize,
    /// Every bucket exists and holds this CORS configuration; nothing is stored per
    /// bucket, so a bench over 100,000 buckets measures the engine, not the fake.
    pub uniform: Option<CorsConfiguration>,
}

impl FakeAdmin {
    /// An empty fake with CORS and lifecycle support.
    pub fn new(provider: Provider) -> Self {
        let mut caps = Capabilities::none(provider);
        caps.cors = true;
        caps.lifecycle = true;
        caps.max_cors_max_age_seconds = Some(86_400);
        Self {
            caps,
            buckets: Mutex::new(BTreeMap::new()),
            failing: Mutex::new(HashSet::new()),
            corrupting: Mutex::new(HashSet::new()),
            puts: AtomicUsize::new(0),
            uniform: None,
        }
    }

    /// A fake on which every bucket exists and holds `cors` (see [`FakeAdmin::uniform`]).
    pub fn uniform(provider: Provider, cors: CorsConfiguration) -> Self {
        Self {
            uniform: Some(cors),
            ..Self::new(provider)
        }
    }

    /// Adds a bucket.
    pub fn with_bucket(self, name: &str, cors: Option<CorsConfiguration>) -> Self {
        self.buckets.lock().unwrap().insert(
            name.to_owned(),
            Bucket {
                cors,
                lifecycle: None,
            },
        );
        self
    }

    /// The bucket's CORS configuration.
    pub fn cors(&self, name: &str) -> Option<CorsConfiguration> {
        if let Some(c) = &self.uniform {
            return Some(c.clone());
        }
        self.buckets
            .lock()
            .unwrap()
            .get(name)
            .and_then(|b| b.cors.clone())
    }

    fn check(&self, bucket: &str, op: Operation) -> Result<()> {
        let err = |kind, msg: &str| {
            Error::new(kind, msg)
                .with_provider(self.caps.provider)
                .with_operation(op)
                .with_bucket(bucket)
        };
        if self.failing.lock().unwrap().contains(bucket) {
            return Err(err(ErrorKind::Unavailable, "injected failure")
                .with_status(503)
                .with_code("SlowDown")
                .with_request_id("fake-req"));
        }
        if self.uniform.is_none() && !self.buckets.lock().unwrap().contains_key(bucket) {
            return Err(err(ErrorKind::NotFound, "no such bucket").with_status(404));
        }
        Ok(())
    }

    fn unsupported<T>(&self, op: Operation) -> Result<T> {
        Err(Error::unsupported(self.caps.provider, op, "this"))
    }
}

#[async_trait]
impl BucketAdmin for FakeAdmin {
    fn provider(&self) -> Provider {
        self.caps.provider
    }
    fn capabilities(&self) -> &Capabilities {
        &self.caps
    }
    async fn list_buckets(&self) -> Result<Vec<BucketInfo>> {
        Ok(self
            .buckets
            .lock()
            .unwrap()
            .keys()
            .map(BucketInfo::named)
            .collect())
    }
    async fn create_bucket(&self, bucket: &str, _options: &CreateBucketOptions) -> Result<()> {
        self.buckets
            .lock()
            .unwrap()
            .insert(bucket.to_owned(), Bucket::default());
        Ok(())
    }
    async fn head_bucket(&self, bucket: &str) -> Result<BucketInfo> {
        self.check(bucket, Operation::HeadBucket)?;
        Ok(BucketInfo::named(bucket))
    }
    async fn bucket_exists(&self, bucket: &str) -> Result<bool> {
        Ok(self.buckets.lock().unwrap().contains_key(bucket))
    }
    async fn delete_bucket(&self, bucket: &str) -> Result<()> {
        self.check(bucket, Operation::DeleteBucket)?;
        self.buckets.lock().unwrap().remove(bucket);
        Ok(())
    }
    async fn get_cors(&self, bucket: &str) -> Result<Option<CorsConfiguration>> {
        self.check(bucket, Operation::GetCors)?;
        Ok(self.cors(bucket))
    }
    async fn put_cors(&self, bucket: &str, config: &CorsConfiguration) -> Result<()> {
        self.check(bucket, Operation::PutCors)?;
        config.validate().into_result()?;
        self.puts.fetch_add(1, Ordering::SeqCst);
        let mut stored = config.clone();
        if self.corrupting.lock().unwrap().contains(bucket) {
            stored.rules[0].max_age_seconds = Some(1);
        }
        self.buckets
            .lock()
            .unwrap()
            .get_mut(bucket)
            .expect("checked")
            .cors = Some(stored);
        Ok(())
    }
    async fn delete_cors(&self, bucket: &str) -> Result<()> {
        self.check(bucket, Operation::DeleteCors)?;
        self.buckets
            .lock()
            .unwrap()
            .get_mut(bucket)
            .expect("checked")
            .cors = None;
        Ok(())
    }
    async fn get_lifecycle(&self, bucket: &str) -> Result<Option<LifecycleConfiguration>> {
        self.check(bucket, Operation::GetLifecycle)?;
        Ok(self
            .buckets
            .lock()
            .unwrap()
            .get(bucket)
            .and_then(|b| b.lifecycle.clone()))
    }
    async fn put_lifecycle(&self, bucket: &str, config: &LifecycleConfiguration) -> Result<()> {
        self.check(bucket, Operation::PutLifecycle)?;
        self.buckets
            .lock()
            .unwrap()
            .get_mut(bucket)
            .expect("checked")
            .lifecycle = Some(config.clone());
        Ok(())
    }
    async fn delete_lifecycle(&self, bucket: &str) -> Result<()> {
        self.check(bucket, Operation::DeleteLifecycle)?;
        self.buckets
            .lock()
            .unwrap()
            .get_mut(bucket)
            .expect("checked")
            .lifecycle = None;
        Ok(())
    }
    async fn get_versioning(&self, _bucket: &str) -> Result<VersioningStatus> {
        self.unsupported(Operation::GetVersioning)
    }
    async fn put_versioning(&self, _bucket: &str, _status: VersioningStatus) -> Result<()> {
        self.unsupported(Operation::PutVersioning)
    }
    async fn get_replication(&self, _bucket: &str) -> Result<Option<ReplicationConfiguration>> {
        self.unsupported(Operation::GetReplication)
    }
    async fn put_replication(
        &self,
        _bucket: &str,
        _config: &ReplicationConfiguration,
    ) -> Result<()> {
        self.unsupported(Operation::PutReplication)
    }
    async fn delete_replication(&self, _bucket: &str) -> Result<()> {
        self.unsupported(Operation::DeleteReplication)
    }
    async fn get_policy(&self, _bucket: &str) -> Result<Option<BucketPolicy>> {
        self.unsupported(Operation::GetPolicy)
    }
    async fn put_policy(&self, _bucket: &str, _policy: &BucketPolicy) -> Result<()> {
        self.unsupported(Operation::PutPolicy)
    }
    async fn delete_policy(&self, _bucket: &str) -> Result<()> {
        self.unsupported(Operation::DeletePolicy)
    }
}
