//! Page-by-page bucket listing with every option of `GET /accounts/{id}/r2/buckets`.

use bucket_admin_core::BucketInfo;

/// Sort direction of a bucket listing.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ListDirection {
    /// `asc` (the default).
    Asc,
    /// `desc`.
    Desc,
}

impl ListDirection {
    /// The wire value.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Asc => "asc",
            Self::Desc => "desc",
        }
    }
}

/// The options of one bucket-list page.
///
/// ```
/// use bucket_admin_r2::{ListBucketsOptions, ListDirection};
/// let opts = ListBucketsOptions::new()
///     .name_contains("logs")
///     .per_page(100)
///     .direction(ListDirection::Desc);
/// assert_eq!(opts.per_page, Some(100));
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct ListBucketsOptions {
    /// Only buckets whose name contains this (`name_contains`).
    pub name_contains: Option<String>,
    /// Buckets per page (`per_page`, 1 to 1000; default 1000).
    pub per_page: Option<u32>,
    /// Continue from this cursor (`cursor`, from a previous page's `result_info`).
    pub cursor: Option<String>,
    /// Start after this bucket name (`start_after`; ignored by R2 when `cursor` is set).
    pub start_after: Option<String>,
    /// Field to order by (`order`; default `name`, the only one R2 documents).
    pub order: Option<String>,
    /// Sort direction (`direction`; default ascending).
    pub direction: Option<ListDirection>,
}

impl ListBucketsOptions {
    /// No filter, the largest pages, from the start, by name ascending.
    pub fn new() -> Self {
        Self::default()
    }
    /// Only names containing `text`.
    #[must_use]
    pub fn name_contains(mut self, text: impl Into<String>) -> Self {
        self.name_contains = Some(text.into());
        self
    }
    /// Buckets per page (1 to 1000).
    #[must_use]
    pub fn per_page(mut self, n: u32) -> Self {
        self.per_page = Some(n);
        self
    }
    /// Continue from a cursor.
    #[must_use]
    pub fn cursor(mut self, cursor: impl Into<String>) -> Self {
        self.cursor = Some(cursor.into());
        self
    }
    /// Start after a bucket name.
    #[must_use]
    pub fn start_after(mut self, name: impl Into<String>) -> Self {
        self.start_after = Some(name.into());
        self
    }
    /// Order by this field.
    #[must_use]
    pub fn order(mut self, field: impl Into<String>) -> Self {
        self.order = Some(field.into());
        self
    }
    /// Sort direction.
    #[must_use]
    pub fn direction(mut self, direction: ListDirection) -> Self {
        self.direction = Some(direction);
        self
    }
}

/// One page of buckets, and the options that fetch the next one (`None`: this was the last).
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
#[must_use]
pub struct BucketPage {
    /// The buckets of this page, each tagged with the handle's jurisdiction.
    pub buckets: Vec<BucketInfo>,
    /// The same filters with the cursor (or `start_after`) of the next page, or `None`.
    pub next: Option<ListBucketsOptions>,
}

/// Walks the bucket list page by page, holding one page at a time (see
/// [`R2Client::bucket_pages`](crate::R2Client::bucket_pages)).
#[derive(Debug)]
#[must_use = "a pager lists nothing until `next_page` is awaited"]
pub struct BucketPages {
    pub(crate) client: crate::R2Client,
    pub(crate) next: Option<ListBucketsOptions>,
    pub(crate) pages: usize,
    /// The cursors and `start_after` names already followed: a server that repeats one would
    /// otherwise be listed forever. Bounded by the page limit.
    pub(crate) seen: std::collections::HashSet<String>,
}

impl BucketPages {
    /// The next page's buckets, or `None` once the list has ended. A repeated cursor or
    /// more pages than [`R2ClientBuilder::max_list_pages`](crate::R2ClientBuilder::max_list_pages)
    /// is an error, not an endless loop.
    pub async fn next_page(&mut self) -> bucket_admin_core::Result<Option<Vec<BucketInfo>>> {
        let Some(opts) = self.next.take() else {
            return Ok(None);
        };
        let page = self.client.list_page_checked(&opts, self.pages).await?;
        self.pages += 1;
        if let Some(next) = &page.next {
            let key = match (&next.cursor, &next.start_after) {
                (Some(c), _) => format!("cursor:{c}"),
                (None, Some(s)) => format!("start_after:{s}"),
                (None, None) => String::new(),
            };
            if !self.seen.insert(key) {
                return Err(crate::client::repeated_page(next, self.pages));
            }
        }
        self.next = page.next;
        Ok(Some(page.buckets))
    }
}
