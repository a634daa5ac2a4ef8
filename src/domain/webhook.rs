//! Webhook endpoints: their body, the targets they may name, their secrets, and the Standard
//! Webhooks signature (<https://www.standardwebhooks.com/>) each delivery carries.

use std::net::{IpAddr, Ipv4Addr};

use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use hmac::{Hmac, Mac};
use rand::RngCore;
use serde_json::Value;
use sha2::Sha256;

use super::event;
use super::input::{Mode, Object, Patch};
use super::FieldErrors;

pub const MAX_URL_LEN: usize = 2048;
const SECRET_PREFIX: &str = "whsec_";
/// Key sizes the spec allows (24 to 64 bytes); generated keys take 32.
const KEY_BYTES: std::ops::RangeInclusive<usize> = 24..=64;

/// A valid endpoint body; on update, `None` leaves a field alone.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct EndpointInput {
    pub url: Option<String>,
    /// The patterns as given (stored), checked to select at least one type.
    pub events: Option<Vec<String>>,
    pub enabled: Option<bool>,
    /// Create only: `None` has one generated.
    pub secret: Option<String>,
}

impl EndpointInput {
    /// `Create` requires `url`; `events` defaults to every type (`["*"]`). `PUT` is `PATCH`.
    /// Whether the target may be private is the server's setting: see [`private_target`].
    pub fn parse(body: &Value, mode: Mode) -> Result<EndpointInput, FieldErrors> {
        let creating = mode == Mode::Create;
        let object = Object::root(body)?;
        let mut errors = FieldErrors::new();
        let url = match object.text("url", &mut errors) {
            Patch::Set(url) => match check_url(url.trim()) {
                Ok(()) => Some(url.trim().to_string()),
                Err(message) => {
                    errors.add("url", message);
                    None
                }
            },
            Patch::Absent if !creating => None,
            _ => {
                if !errors.contains("url") {
                    errors.add("url", "is required");
                }
                None
            }
        };
        let events = match object.array("events", &mut errors) {
            Patch::Set(items) => {
                let mut patterns = Vec::new();
                for (index, item) in items.iter().enumerate() {
                    match item.as_str() {
                        Some(p) => patterns.push(p.trim().to_string()),
                        None => errors.add(format!("events.{index}"), "must be a string"),
                    }
                }
                if items.is_empty() {
                    errors.add("events", "must name at least one event type (`*`: all)");
                } else if items.len() > event::TYPES.len() {
                    errors.add(
                        "events",
                        format!("must have at most {} items", event::TYPES.len()),
                    );
                }
                event::select(&patterns, "events", &mut errors);
                Some(patterns)
            }
            Patch::Absent if creating => Some(vec!["*".to_string()]),
            Patch::Absent => None,
            Patch::Clear => {
                errors.add("events", "must name at least one event type (`*`: all)");
                None
            }
        };
        let enabled = match object.boolean("enabled", &mut errors) {
            Patch::Set(b) => Some(b),
            Patch::Absent => creating.then_some(true),
            Patch::Clear => {
                errors.add("enabled", "must be true or false");
                None
            }
        };
        let secret = match (object.has("secret"), object.text("secret", &mut errors)) {
            (false, _) => None,
            (true, _) if !creating => {
                errors.add(
                    "secret",
                    "is set when the endpoint is created; create another endpoint for a new one",
                );
                None
            }
            (true, Patch::Set(secret)) => match key_of(secret.trim()) {
                Some(_) => Some(secret.trim().to_string()),
                None => {
                    errors.add(
                        "secret",
                        "must be `whsec_` and a base64 key of 24 to 64 bytes (leave it out to have one generated)",
                    );
                    None
                }
            },
            (true, _) => {
                if !errors.contains("secret") {
                    errors.add(
                        "secret",
                        "is missing its key: send `whsec_…`, or leave it out to have one generated",
                    );
                }
                None
            }
        };
        errors.into_result(EndpointInput {
            url,
            events,
            enabled,
            secret,
        })
    }
}

/// Why `url` can't be an endpoint: only `http(s)://host…`, without credentials.
pub fn check_url(url: &str) -> Result<(), String> {
    if url.len() > MAX_URL_LEN {
        return Err(format!("must be at most {MAX_URL_LEN} characters"));
    }
    let parsed = url::Url::parse(url).map_err(|e| format!("is not a URL ({e})"))?;
    if !matches!(parsed.scheme(), "http" | "https") {
        return Err("must be an http or https URL".into());
    }
    if !parsed.username().is_empty() || parsed.password().is_some() {
        return Err("must not carry credentials; the signature authenticates deliveries".into());
    }
    if parsed.host().is_none() {
        return Err("must name a host".into());
    }
    Ok(())
}

/// Why deliveries may not go to `url` unless the server allows private targets: it names a
/// loopback, private or link-local address, or `localhost`. (Names that resolve to such
/// addresses are refused at delivery, where they are resolved.)
pub fn private_target(url: &str) -> Option<&'static str> {
    let parsed = url::Url::parse(url).ok()?;
    let private = match parsed.host()? {
        url::Host::Ipv4(ip) => is_private(IpAddr::V4(ip)),
        url::Host::Ipv6(ip) => is_private(IpAddr::V6(ip)),
        url::Host::Domain(name) => {
            let name = name.trim_end_matches('.').to_ascii_lowercase();
            name == "localhost" || name.ends_with(".localhost")
        }
    };
    private.then_some("must not be a loopback, private or link-local address")
}

/// Whether deliveries must not reach `ip`: loopback, private, link-local, shared (CGNAT),
/// unspecified, multicast, broadcast or reserved addresses, including IPv4 inside IPv6.
pub fn is_private(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => is_private_v4(v4),
        IpAddr::V6(v6) => {
            if let Some(v4) = v6.to_ipv4_mapped() {
                return is_private_v4(v4);
            }
            let s = v6.segments();
            // NAT64 (64:ff9b::/96) carries an IPv4 address in its last 32 bits.
            if s[0..6] == [0x64, 0xff9b, 0, 0, 0, 0] {
                let [.., a, b, c, d] = v6.octets();
                return is_private_v4(Ipv4Addr::new(a, b, c, d));
            }
            v6.is_loopback()
                || v6.is_unspecified()
                || v6.is_multicast()
                || (s[0] & 0xfe00) == 0xfc00 // unique local fc00::/7
                || (s[0] & 0xffc0) == 0xfe80 // link-local fe80::/10
        }
    }
}

fn is_private_v4(ip: Ipv4Addr) -> bool {
    let [a, b, ..] = ip.octets();
    ip.is_loopback()
        || ip.is_private()
        || ip.is_link_local()
        || ip.is_unspecified()
        || ip.is_broadcast()
        || ip.is_multicast()
        || a == 0 // "this network"
        || (a == 100 && (64..128).contains(&b)) // shared address space (CGNAT)
        || (a == 192 && b == 0 && ip.octets()[2] == 0) // IETF protocol assignments
        || a >= 240 // reserved
}

/// A new secret: `whsec_` and 32 random bytes in base64.
pub fn generate_secret() -> String {
    let mut key = [0u8; 32];
    rand::thread_rng().fill_bytes(&mut key);
    format!("{SECRET_PREFIX}{}", STANDARD.encode(key))
}

/// The HMAC key a `whsec_…` secret holds.
fn key_of(secret: &str) -> Option<Vec<u8>> {
    let key = STANDARD.decode(secret.strip_prefix(SECRET_PREFIX)?).ok()?;
    KEY_BYTES.contains(&key.len()).then_some(key)
}

/// The `webhook-signature` of a delivery: `v1,` and the base64 HMAC-SHA256, keyed by the secret,
/// of `{id}.{timestamp}.{body}`.
pub fn sign(secret: &str, id: &str, timestamp: i64, body: &[u8]) -> Option<String> {
    let key = key_of(secret)?;
    let mut mac = Hmac::<Sha256>::new_from_slice(&key).ok()?;
    mac.update(id.as_bytes());
    mac.update(b".");
    mac.update(timestamp.to_string().as_bytes());
    mac.update(b".");
    mac.update(body);
    Some(format!(
        "v1,{}",
        STANDARD.encode(mac.finalize().into_bytes())
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn signs_as_the_standard_webhooks_reference_does() {
        // The example of the Standard Webhooks specification and its reference libraries.
        let signature = sign(
            "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw",
            "msg_p5jXN8AQM9LWM0D4loKWxJek",
            1614265330,
            br#"{"test": 2432232314}"#,
        );
        assert_eq!(
            signature.as_deref(),
            Some("v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=")
        );
        let generated = generate_secret();
        assert!(key_of(&generated).is_some_and(|k| k.len() == 32));
    }

    #[test]
    fn urls_must_be_http_and_targets_public() {
        for bad in [
            "ftp://example.com/hook",
            "not a url",
            "http://user:pw@example.com/",
        ] {
            assert!(check_url(bad).is_err(), "{bad}");
        }
        for private in [
            "http://127.0.0.1:9000/",
            "http://10.1.2.3/",
            "http://169.254.169.254/latest/meta-data",
            "http://[::1]/",
            "http://[::ffff:192.168.0.1]/",
            "http://[fe80::1]/",
            "http://localhost:8080/",
            "http://0.0.0.0/",
            "http://100.64.0.1/",
            "http://[64:ff9b::a00:1]/",
        ] {
            assert!(check_url(private).is_ok(), "{private}");
            assert!(private_target(private).is_some(), "{private}");
        }
        for public in ["https://hooks.example.com/in", "http://93.184.216.34/"] {
            assert!(check_url(public).is_ok() && private_target(public).is_none());
        }
    }

    #[test]
    fn bodies_name_the_field_that_is_wrong() {
        let errors = EndpointInput::parse(
            &json!({"url": "gopher://x/", "events": ["nope"], "secret": ""}),
            Mode::Create,
        )
        .unwrap_err();
        for field in ["url", "events.0", "secret"] {
            assert!(errors.contains(field), "{field}");
        }
        let input = EndpointInput::parse(&json!({"url": "https://example.com/hook"}), Mode::Create)
            .unwrap();
        assert_eq!(input.events.unwrap(), ["*"]);
        assert_eq!(input.enabled, Some(true));
        assert!(input.secret.is_none());
        let errors = EndpointInput::parse(&json!({"secret": "whsec_x"}), Mode::Patch).unwrap_err();
        assert!(errors.contains("secret"));
    }
}
