//! Page-by-page bucket listing with every option, against the emulator.
#![cfg(all(feature = "cos", feature = "r2"))]

use bucket_admin::cos::{CosClient, ListBucketsOptions as CosOptions};
use bucket_admin::r2::{ListBucketsOptions as R2Options, ListDirection, R2Client};
use bucket_admin::{BucketAdmin, CreateBucketOptions, Tag};
use bucket_admin_emulator::Emulator;

fn cos(emu: &Emulator) -> CosClient {
    let c = emu.cos_credentials();
    CosClient::builder()
        .region("ap-beijing")
        .secret_id(c.secret_id.clone())
        .secret_key(c.secret_key.clone())
        .endpoint(emu.cos_endpoint())
        .build()
        .unwrap()
}

fn r2(emu: &Emulator) -> R2Client {
    let c = emu.r2_credentials();
    R2Client::builder()
        .account_id(c.account_id.clone())
        .api_token(c.api_token.clone())
        .base_url(emu.r2_base_url())
        .pacing(None)
        .build()
        .unwrap()
}

#[tokio::test]
async fn cos_pages_with_max_keys_marker_tags_and_region() {
    let emu = Emulator::start().await.unwrap();
    let client = cos(&emu);
    for (i, name) in ["a", "b", "c", "d", "e"].iter().enumerate() {
        let options = CreateBucketOptions::new().with_tags(if i % 2 == 0 {
            vec![Tag::new("team", "web")]
        } else {
            Vec::new()
        });
        client
            .create_bucket(&format!("{name}-1250000000"), &options)
            .await
            .unwrap();
    }

    // Two at a time: three pages, every bucket once, in order.
    let mut pages = client.bucket_pages(CosOptions::new().max_keys(2));
    let mut sizes = Vec::new();
    let mut names = Vec::new();
    while let Some(page) = pages.next_page().await.unwrap() {
        sizes.push(page.len());
        names.extend(page.into_iter().map(|b| b.name));
    }
    assert_eq!(sizes, [2, 2, 1]);
    assert_eq!(names.len(), 5);
    assert_eq!(
        names,
        client
            .list_buckets()
            .await
            .unwrap()
            .into_iter()
            .map(|b| b.name)
            .collect::<Vec<_>>()
    );

    let page = client
        .list_buckets_page(&CosOptions::new().marker("b-1250000000"))
        .await
        .unwrap();
    assert_eq!(page.buckets[0].name, "c-1250000000");
    assert_eq!(page.next, None);

    let tagged = client
        .list_buckets_page(&CosOptions::new().tag("team", "web"))
        .await
        .unwrap();
    let tagged: Vec<_> = tagged.buckets.into_iter().map(|b| b.name).collect();
    assert_eq!(tagged, ["a-1250000000", "c-1250000000", "e-1250000000"]);

    let elsewhere = client
        .list_buckets_page(&CosOptions::new().region("ap-shanghai"))
        .await
        .unwrap();
    assert!(elsewhere.buckets.is_empty());
    let here = client
        .list_buckets_page(&CosOptions::new().region("ap-beijing"))
        .await
        .unwrap();
    assert_eq!(here.buckets.len(), 5);
}

#[tokio::test]
async fn r2_pages_with_every_option() {
    let emu = Emulator::start().await.unwrap();
    let client = r2(&emu);
    for name in ["logs-a", "logs-b", "logs-c", "media", "site"] {
        client
            .create_bucket(name, &CreateBucketOptions::default())
            .await
            .unwrap();
    }

    let mut pages = client.bucket_pages(R2Options::new().name_contains("logs").per_page(2));
    let mut names = Vec::new();
    let mut count = 0;
    while let Some(page) = pages.next_page().await.unwrap() {
        count += 1;
        names.extend(page.into_iter().map(|b| b.name));
    }
    assert_eq!(names, ["logs-a", "logs-b", "logs-c"]);
    assert_eq!(count, 2);

    let desc = client
        .list_buckets_page(
            &R2Options::new()
                .order("name")
                .direction(ListDirection::Desc)
                .per_page(2),
        )
        .await
        .unwrap();
    let first: Vec<_> = desc.buckets.iter().map(|b| b.name.as_str()).collect();
    assert_eq!(first, ["site", "media"]);
    let next = desc.next.expect("more pages");
    assert!(next.cursor.is_some(), "the emulator answers with a cursor");
    let second = client.list_buckets_page(&next).await.unwrap();
    assert_eq!(second.buckets[0].name, "logs-c");

    let after = client
        .list_buckets_page(&R2Options::new().start_after("logs-c"))
        .await
        .unwrap();
    let after: Vec<_> = after.buckets.into_iter().map(|b| b.name).collect();
    assert_eq!(after, ["media", "site"]);

    let info = client
        .create_bucket_info("fresh", &CreateBucketOptions::default())
        .await
        .unwrap();
    assert_eq!(info.name, "fresh");
    assert!(info.created.is_some());
}
