//! How a publication travels through Redis: a few bytes saying its class,
//! then the client-ready frame exactly as it was serialized (once, on the
//! publishing node). The channel is the pub/sub channel's, so it is not
//! repeated. The receiving node shares the frame's bytes with every local
//! subscriber, as the in-process broker does.
//!
//! ```text
//! durable:   0x01 | seq u64 LE | offset u64 LE (u64::MAX: none) | closes u8 | frame
//! ephemeral: 0x02 | key length u16 LE | key | frame
//! ```

use std::sync::Arc;

use bytes::{BufMut, Bytes, BytesMut};
use trackwire_broker::{Channel, Class, Publication};

const DURABLE: u8 = 1;
const EPHEMERAL: u8 = 2;
const NO_OFFSET: u64 = u64::MAX;

/// A publication's message body.
pub fn encode(publication: &Publication) -> Bytes {
    let mut out = BytesMut::with_capacity(publication.payload.len() + 24);
    match &publication.class {
        Class::Durable {
            seq,
            offset,
            closes_topic,
        } => {
            out.put_u8(DURABLE);
            out.put_u64_le(*seq);
            out.put_u64_le(offset.unwrap_or(NO_OFFSET));
            out.put_u8(u8::from(*closes_topic));
        }
        Class::Ephemeral { key } => {
            out.put_u8(EPHEMERAL);
            let key = key.as_bytes();
            let len = u16::try_from(key.len()).unwrap_or(u16::MAX);
            out.put_u16_le(len);
            out.put_slice(&key[..usize::from(len)]);
        }
    }
    out.put_slice(&publication.payload);
    out.freeze()
}

/// The publication a message body on `channel` carries, or `None` for a
/// body that is not one (another program's message on our prefix).
pub fn decode(channel: Channel, body: Bytes) -> Option<Publication> {
    let (&kind, rest) = body.split_first()?;
    let (class, header) = match kind {
        DURABLE => {
            let seq = u64::from_le_bytes(rest.get(..8)?.try_into().ok()?);
            let offset = u64::from_le_bytes(rest.get(8..16)?.try_into().ok()?);
            let closes = *rest.get(16)? != 0;
            let class = Class::Durable {
                seq,
                offset: (offset != NO_OFFSET).then_some(offset),
                closes_topic: closes,
            };
            (class, 1 + 17)
        }
        EPHEMERAL => {
            let len = usize::from(u16::from_le_bytes(rest.get(..2)?.try_into().ok()?));
            let key = std::str::from_utf8(rest.get(2..2 + len)?).ok()?;
            let class = Class::Ephemeral {
                key: Arc::from(key),
            };
            (class, 1 + 2 + len)
        }
        _ => return None,
    };
    Some(Publication {
        channel,
        class,
        payload: body.slice(header..),
    })
}

#[cfg(test)]
mod tests {
    use trackwire_domain::Audience;

    use super::*;

    #[test]
    fn every_class_round_trips_with_its_bytes() {
        let channel = Channel::new("t", "order:A", Audience::Customer);
        let payload = Bytes::from_static(br#"{"type":"event"}"#);
        let classes = [
            Class::Durable {
                seq: 7,
                offset: Some(41),
                closes_topic: true,
            },
            Class::Durable {
                seq: u64::MAX - 1,
                offset: None,
                closes_topic: false,
            },
            Class::Ephemeral {
                key: "location:order:A".into(),
            },
        ];
        for class in classes {
            let sent = Publication {
                channel: channel.clone(),
                class: class.clone(),
                payload: payload.clone(),
            };
            let got = decode(channel.clone(), encode(&sent)).expect("decodes");
            assert_eq!(got.class, class);
            assert_eq!(got.payload, payload);
        }
    }

    #[test]
    fn foreign_or_cut_bodies_are_refused() {
        let channel = Channel::new("t", "order:A", Audience::Staff);
        for body in [&b""[..], b"\x09hello", b"\x01\x01\x02", b"\x02\xff\x00ab"] {
            assert!(decode(channel.clone(), Bytes::copy_from_slice(body)).is_none());
        }
    }
}
