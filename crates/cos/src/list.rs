//! Page-by-page bucket listing with every GET Service option COS has.

use bucket_admin_core::BucketInfo;

/// The options of one list-buckets (GET Service) page.
///
/// ```
/// use bucket_admin_cos::ListBucketsOptions;
/// let opts = ListBucketsOptions::new()
///     .region("ap-beijing")
///     .max_keys(100)
///     .tag("team", "web");
/// assert_eq!(opts.max_keys, Some(100));
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct ListBucketsOptions {
    /// Buckets per page (`max-keys`, 1 to 2000; default 2000, the most COS returns).
    pub max_keys: Option<u32>,
    /// Start after this bucket name (`marker`); the `next` of a [`BucketPage`] sets it.
    pub marker: Option<String>,
    /// Only buckets with this tag key (`tagkey`).
    pub tag_key: Option<String>,
    /// Only buckets whose tag `tag_key` has this value (`tagvalue`).
    pub tag_value: Option<String>,
    /// Only buckets in this region: sent to `cos.<region>.myqcloud.com` (or the configured
    /// service domain's `{region}`) and as the `region` parameter.
    pub region: Option<String>,
}

impl ListBucketsOptions {
    /// No filter, the largest pages, from the start.
    pub fn new() -> Self {
        Self::default()
    }
    /// Buckets per page (1 to 2000).
    #[must_use]
    pub fn max_keys(mut self, n: u32) -> Self {
        self.max_keys = Some(n);
        self
    }
    /// Start after this bucket name.
    #[must_use]
    pub fn marker(mut self, marker: impl Into<String>) -> Self {
        self.marker = Some(marker.into());
        self
    }
    /// Only buckets tagged `key`.
    #[must_use]
    pub fn tag_key(mut self, key: impl Into<String>) -> Self {
        self.tag_key = Some(key.into());
        self
    }
    /// Only buckets tagged `key` = `value`.
    #[must_use]
    pub fn tag(mut self, key: impl Into<String>, value: impl Into<String>) -> Self {
        self.tag_key = Some(key.into());
        self.tag_value = Some(value.into());
        self
    }
    /// Only buckets in `region`.
    #[must_use]
    pub fn region(mut self, region: impl Into<String>) -> Self {
        self.region = Some(region.into());
        self
    }
}

/// One page of buckets, and the options that fetch the next one (`None`: this was the last).
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
#[must_use]
pub struct BucketPage {
    /// The buckets of this page.
    pub buckets: Vec<BucketInfo>,
    /// The same filters with the marker of the next page, or `None` at the end.
    pub next: Option<ListBucketsOptions>,
}

/// Walks the bucket list page by page, holding one page at a time (see
/// [`CosClient::bucket_pages`](crate::CosClient::bucket_pages)).
#[derive(Debug)]
#[must_use = "a pager lists nothing until `next_page` is awaited"]
pub struct BucketPages {
    pub(crate) client: crate::CosClient,
    pub(crate) next: Option<ListBucketsOptions>,
    pub(crate) pages: usize,
}

impl BucketPages {
    /// The next page's buckets, or `None` once the list has ended. A server whose marker
    /// does not advance, or that never ends the list, is an error, not an endless loop.
    pub async fn next_page(&mut self) -> bucket_admin_core::Result<Option<Vec<BucketInfo>>> {
        let Some(opts) = self.next.take() else {
            return Ok(None);
        };
        let page = self.client.list_page_checked(&opts, self.pages).await?;
        self.pages += 1;
        self.next = page.next;
        Ok(Some(page.buckets))
    }
}
