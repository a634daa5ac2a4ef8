//! Sending one delivery: a signed POST of the event to the endpoint, through a client that
//! never follows redirects and never connects to a private address unless allowed (the check is
//! made on the addresses a name resolves to, at connect time, so DNS can't be turned against it).

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::{Duration, Instant};

use reqwest::dns::{Addrs, Name, Resolve, Resolving};

use crate::domain::webhook::{self, is_private};

/// What one attempt got.
#[derive(Debug)]
pub struct Sent {
    /// The answer's status, when there was one.
    pub status: Option<u16>,
    pub latency: Duration,
    /// Why it failed, when it did (a non-2xx status included).
    pub error: Option<String>,
}

impl Sent {
    pub fn succeeded(&self) -> bool {
        self.error.is_none()
    }
}

/// Resolves names as the system does, then drops private addresses unless allowed.
struct GuardedResolver {
    allow_private: bool,
}

impl Resolve for GuardedResolver {
    fn resolve(&self, name: Name) -> Resolving {
        let allow_private = self.allow_private;
        Box::pin(async move {
            let host = name.as_str().to_string();
            let found: Vec<SocketAddr> =
                tokio::net::lookup_host((host.as_str(), 0)).await?.collect();
            let allowed: Vec<SocketAddr> = found
                .iter()
                .copied()
                .filter(|addr| allow_private || !is_private(addr.ip()))
                .collect();
            if allowed.is_empty() && !found.is_empty() {
                return Err(format!(
                    "{host} resolves only to loopback, private or link-local addresses"
                )
                .into());
            }
            let addrs: Addrs = Box::new(allowed.into_iter());
            Ok(addrs)
        })
    }
}

#[derive(Clone)]
pub struct Client {
    http: reqwest::Client,
    allow_private: bool,
}

impl Client {
    pub fn new(timeout: Duration, allow_private: bool) -> anyhow::Result<Client> {
        let http = reqwest::Client::builder()
            .timeout(timeout)
            .connect_timeout(timeout)
            .redirect(reqwest::redirect::Policy::none())
            // A proxy would connect on our behalf, past the address check.
            .no_proxy()
            .user_agent(concat!("supportdesk-webhooks/", env!("CARGO_PKG_VERSION")))
            .dns_resolver(Arc::new(GuardedResolver { allow_private }))
            .build()?;
        Ok(Client {
            http,
            allow_private,
        })
    }

    /// POSTs `body` to `url`, signed with `secret` per Standard Webhooks under `id`.
    pub async fn send(&self, url: &str, secret: &str, id: &str, body: String) -> Sent {
        let started = Instant::now();
        let failed = |error: String| Sent {
            status: None,
            latency: started.elapsed(),
            error: Some(error),
        };
        // Names are checked as they resolve; an address in the URL is checked here.
        if let (false, Some(reason)) = (self.allow_private, webhook::private_target(url)) {
            return failed(format!("refused: the URL {reason}"));
        }
        let timestamp = chrono::Utc::now().timestamp();
        let Some(signature) = webhook::sign(secret, id, timestamp, body.as_bytes()) else {
            return failed("the endpoint's secret is not a valid key".into());
        };
        let request = self
            .http
            .post(url)
            .header("content-type", "application/json")
            .header("webhook-id", id)
            .header("webhook-timestamp", timestamp.to_string())
            .header("webhook-signature", signature)
            .body(body);
        match request.send().await {
            Ok(response) => {
                let status = response.status();
                let latency = started.elapsed();
                let error = (!status.is_success())
                    .then(|| format!("the endpoint answered {}", status.as_u16()));
                Sent {
                    status: Some(status.as_u16()),
                    latency,
                    error,
                }
            }
            Err(e) => failed(describe(&e)),
        }
    }
}

/// The error with its causes, one line (reqwest's own message omits the cause).
fn describe(e: &reqwest::Error) -> String {
    let mut text = if e.is_timeout() {
        "timed out".to_string()
    } else {
        e.to_string()
    };
    let mut source = std::error::Error::source(e);
    while let Some(cause) = source {
        text.push_str(": ");
        text.push_str(&cause.to_string());
        source = cause.source();
    }
    text.chars().take(500).collect()
}
