//! A refreshing COS credential provider against the emulator's temporary credentials: a stale
//! token is rejected, the provider is asked again, and the request is resent once.
#![cfg(feature = "cos")]

use std::sync::Arc;
use std::sync::atomic::{AtomicU32, Ordering};

use bucket_admin::cos::{CosClient, CredentialProvider, Credentials};
use bucket_admin::{BucketAdmin, Result, async_trait};
use bucket_admin_emulator::Emulator;

/// Hands out the emulator's temporary key with a stale token first, the right one after.
#[derive(Debug)]
struct Sts {
    id: String,
    key: String,
    token: String,
    calls: Arc<AtomicU32>,
}

#[async_trait]
impl CredentialProvider for Sts {
    async fn credentials(&self) -> Result<Credentials> {
        let n = self.calls.fetch_add(1, Ordering::SeqCst);
        let token = if n == 0 {
            "token-from-an-earlier-session".to_owned()
        } else {
            self.token.clone()
        };
        Ok(Credentials::new(self.id.clone(), self.key.clone()).with_session_token(token))
    }
}

#[tokio::test]
async fn a_rejected_token_is_refreshed_and_the_call_retried_once() {
    let emu = Emulator::builder()
        .cos_session_token("the-current-session-token")
        .start()
        .await
        .unwrap();
    let temp = emu.cos_temporary_credentials().unwrap().clone();
    let calls = Arc::new(AtomicU32::new(0));
    let client = CosClient::builder()
        .region("ap-beijing")
        .endpoint(emu.cos_endpoint())
        .credentials_provider(Sts {
            id: temp.secret_id.clone(),
            key: temp.secret_key.clone(),
            token: temp.token.clone(),
            calls: calls.clone(),
        })
        .build()
        .unwrap();
    client
        .create_bucket("web-1250000000", &Default::default())
        .await
        .unwrap();
    assert_eq!(
        calls.load(Ordering::SeqCst),
        2,
        "asked, rejected, asked again"
    );
    assert!(client.bucket_exists("web-1250000000").await.unwrap());
    assert_eq!(
        calls.load(Ordering::SeqCst),
        2,
        "the good credentials stay cached"
    );
}
