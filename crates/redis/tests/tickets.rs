//! Stream tickets on Redis: issued on one node, redeemed once on another,
//! and not after their TTL.

mod support;

use std::time::Duration;

use trackwire_auth::tickets::{TicketError, Tickets};
use trackwire_auth::{Authenticated, Identity, Role};
use trackwire_redis::RedisTickets;

fn caller() -> Authenticated {
    Authenticated {
        identity: Identity {
            tenant: "acme".into(),
            subject: "cust-1".into(),
            role: Role::Customer,
        },
        expires: Some(std::time::UNIX_EPOCH + Duration::from_secs(4_000_000_000)),
    }
}

#[tokio::test]
async fn a_ticket_issued_on_one_node_works_once_on_another() {
    let Some(client) = support::shared_redis().await else {
        return;
    };
    let prefix = support::prefix();
    let a = RedisTickets::connect(&client, &prefix, Duration::from_secs(30))
        .await
        .expect("a");
    let c = RedisTickets::connect(&client, &prefix, Duration::from_secs(30))
        .await
        .expect("c");
    let ticket = a.issue(caller()).await.expect("issued on a");
    assert_eq!(ticket.len(), 32);
    // Two nodes race to redeem it: exactly one gets the caller.
    let (first, second) = tokio::join!(c.redeem(&ticket), a.redeem(&ticket));
    let mut results = [first, second];
    results.sort_by_key(|r| r.is_err());
    assert_eq!(results[0], Ok(caller()));
    assert_eq!(results[1], Err(TicketError::Invalid));
    assert_eq!(c.redeem("made-up").await, Err(TicketError::Invalid));
}

#[tokio::test]
async fn a_ticket_is_gone_after_its_ttl() {
    let Some(client) = support::shared_redis().await else {
        return;
    };
    let prefix = support::prefix();
    let ttl = Duration::from_millis(100);
    let tickets = RedisTickets::connect(&client, &prefix, ttl)
        .await
        .expect("tickets");
    let ticket = tickets.issue(caller()).await.expect("issued");
    // Redis drops the key at the TTL, by its own clock: wait for that.
    let key = trackwire_redis::names::ticket(&prefix, &ticket);
    let mut conn = client
        .get_multiplexed_async_connection()
        .await
        .expect("conn");
    let deadline = tokio::time::Instant::now() + Duration::from_secs(5);
    while redis::cmd("EXISTS")
        .arg(&key)
        .query_async::<i64>(&mut conn)
        .await
        .expect("exists")
        == 1
    {
        assert!(
            tokio::time::Instant::now() < deadline,
            "the ticket never expired"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    assert_eq!(tickets.redeem(&ticket).await, Err(TicketError::Invalid));
}
