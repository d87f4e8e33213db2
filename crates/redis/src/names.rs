//! Names of what Trackwire keeps in Redis, all under one prefix (`tw` by
//! default): several clusters, or test runs, can share a Redis.
//!
//! Tenants, topics and subjects are arbitrary text, so a name carries them
//! as a JSON array: unambiguous whatever they contain.

use trackwire_broker::Channel;
use trackwire_gateway::presence::PresenceKey;

/// The default prefix.
pub const DEFAULT_PREFIX: &str = "tw";

/// The pub/sub channel of a broker channel.
pub fn channel(prefix: &str, channel: &Channel) -> String {
    let parts = serde_json::json!([
        &*channel.tenant,
        &*channel.topic,
        channel.audience.as_str(),
        channel.member.as_deref(),
    ]);
    format!("{prefix}:ch:{parts}")
}

/// The text of a presence key, as it appears in key names.
pub fn presence_key(key: &PresenceKey) -> String {
    serde_json::json!([key.tenant, key.topic]).to_string()
}

/// The presence key back from its text.
pub fn parse_presence_key(text: &str) -> Option<PresenceKey> {
    let (tenant, topic): (String, String) = serde_json::from_str(text).ok()?;
    Some(PresenceKey { tenant, topic })
}

/// A stream ticket's key.
pub fn ticket(prefix: &str, ticket: &str) -> String {
    format!("{prefix}:tk:{ticket}")
}

#[cfg(test)]
mod tests {
    use trackwire_domain::Audience;

    use super::*;

    #[test]
    fn names_are_unambiguous() {
        let a = Channel::new("t:1", "order:A", Audience::Staff);
        let b = Channel::new("t", "1:order:A", Audience::Staff);
        assert_ne!(channel("tw", &a), channel("tw", &b));
        let courier = Channel::for_member("t", "order:A", Audience::Courier, "c-1");
        assert_eq!(
            channel("tw", &courier),
            r#"tw:ch:["t","order:A","courier","c-1"]"#
        );
        let key = PresenceKey {
            tenant: "t\"".into(),
            topic: "chat:A".into(),
        };
        assert_eq!(parse_presence_key(&presence_key(&key)), Some(key));
    }
}
