//! Which web pages may open a real-time connection.
//!
//! A browser attaches `Origin` to every WebSocket upgrade and to
//! cross-site EventSource and fetch requests. Without a check, any site a
//! user visits could open a WebSocket to us and ride on whatever
//! credentials the browser volunteers (cross-site WebSocket hijacking). A
//! request without `Origin` is not from a browser page and is let through:
//! it must still authenticate like any other.

/// The allowlist: same-origin pages always, plus the listed origins, or
/// every origin with `*`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct OriginPolicy {
    allowed: Vec<String>,
    any: bool,
}

impl OriginPolicy {
    /// From `--allowed-origin` values: `https://shop.example`, or `*`.
    pub fn new<I, S>(origins: I) -> Result<Self, String>
    where
        I: IntoIterator<Item = S>,
        S: AsRef<str>,
    {
        let mut policy = Self::default();
        for origin in origins {
            let origin = origin.as_ref().trim();
            if origin == "*" {
                policy.any = true;
            } else if let Some(normal) = normalize(origin) {
                policy.allowed.push(normal);
            } else {
                return Err(format!(
                    "'{origin}' is not an origin: write scheme://host[:port], e.g. https://shop.example"
                ));
            }
        }
        Ok(policy)
    }

    /// Every origin may connect (development only).
    pub fn any() -> Self {
        Self {
            allowed: Vec::new(),
            any: true,
        }
    }

    /// True when a request with this `Origin` (and `Host`) may connect.
    pub fn allows(&self, origin: Option<&str>, host: Option<&str>) -> bool {
        let Some(origin) = origin else { return true };
        if self.any {
            return true;
        }
        let Some(origin) = normalize(origin) else {
            // `null` (sandboxed frames, file: pages) and garbage.
            return false;
        };
        let same_origin = host.is_some_and(|host| {
            origin
                .split_once("://")
                .is_some_and(|(_, authority)| authority.eq_ignore_ascii_case(host.trim()))
        });
        same_origin || self.allowed.contains(&origin)
    }
}

/// `scheme://host[:port]` in lower case without a trailing slash, or None.
fn normalize(origin: &str) -> Option<String> {
    let origin = origin.trim().trim_end_matches('/').to_ascii_lowercase();
    let (scheme, authority) = origin.split_once("://")?;
    let valid = matches!(scheme, "http" | "https")
        && !authority.is_empty()
        && !authority.contains(['/', '?', '#', '@', ' ']);
    valid.then_some(origin)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn same_origin_and_listed_origins_pass() {
        let policy = OriginPolicy::new(["https://shop.example/"]).expect("valid");
        assert!(policy.allows(None, Some("track.example")), "not a browser");
        assert!(policy.allows(Some("https://shop.example"), Some("track.example")));
        assert!(policy.allows(Some("HTTPS://Shop.Example"), None));
        assert!(policy.allows(Some("http://127.0.0.1:7311"), Some("127.0.0.1:7311")));
        assert!(!policy.allows(Some("https://evil.example"), Some("track.example")));
        assert!(!policy.allows(Some("null"), Some("track.example")));
        assert!(!policy.allows(Some("https://shop.example.evil"), None));
        assert!(OriginPolicy::any().allows(Some("https://evil.example"), None));
        assert!(OriginPolicy::new(["shop.example"]).is_err());
    }
}
