//! [`RedisTickets`]: stream tickets every node can redeem, once.
//!
//! A ticket is a key holding its caller, with the ticket's TTL as the
//! key's: `SET … PX ttl NX` issues it, `GETDEL` redeems it, so of two
//! nodes racing on one ticket exactly one gets the caller.

use std::time::Duration;

use async_trait::async_trait;
use redis::aio::ConnectionManager;
use trackwire_auth::tickets::{new_ticket, TicketError, Tickets};
use trackwire_auth::Authenticated;

use crate::names;

pub struct RedisTickets {
    commands: ConnectionManager,
    prefix: String,
    ttl: Duration,
}

impl RedisTickets {
    pub async fn connect(
        client: &redis::Client,
        prefix: &str,
        ttl: Duration,
    ) -> Result<Self, redis::RedisError> {
        Ok(Self {
            commands: crate::commands(client).await?,
            prefix: prefix.to_owned(),
            ttl,
        })
    }
}

#[async_trait]
impl Tickets for RedisTickets {
    async fn issue(&self, who: Authenticated) -> Result<String, TicketError> {
        let ticket = new_ticket();
        let caller = serde_json::to_string(&who).map_err(|_| TicketError::Unavailable)?;
        let ttl_ms = u64::try_from(self.ttl.as_millis())
            .unwrap_or(u64::MAX)
            .max(1);
        let mut commands = self.commands.clone();
        let set: Option<String> = redis::cmd("SET")
            .arg(names::ticket(&self.prefix, &ticket))
            .arg(caller)
            .arg("PX")
            .arg(ttl_ms)
            .arg("NX")
            .query_async(&mut commands)
            .await
            .map_err(|error| {
                tracing::warn!(%error, "redis refused a ticket");
                TicketError::Unavailable
            })?;
        // NX on a fresh random name: a clash is as likely as guessing it.
        set.map(|_| ticket).ok_or(TicketError::Unavailable)
    }

    async fn redeem(&self, ticket: &str) -> Result<Authenticated, TicketError> {
        let mut commands = self.commands.clone();
        let caller: Option<String> = redis::cmd("GETDEL")
            .arg(names::ticket(&self.prefix, ticket))
            .query_async(&mut commands)
            .await
            .map_err(|error| {
                tracing::warn!(%error, "redis did not answer a ticket");
                TicketError::Invalid
            })?;
        caller
            .and_then(|caller| serde_json::from_str(&caller).ok())
            .ok_or(TicketError::Invalid)
    }

    fn ttl(&self) -> Duration {
        self.ttl
    }
}
