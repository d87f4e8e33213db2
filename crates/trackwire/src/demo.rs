//! `trackwire demo`: the server plus a simulator that plays a shop, its
//! kitchen and its couriers, through the same OrderService as the API.
//!
//! ZX-1001 goes all the way to delivered, ZX-1002 gets delayed twice,
//! ZX-1003 is cancelled; then a new order arrives every little while.

use std::ops::Range;
use std::sync::Arc;
use std::time::Duration;

use anyhow::{bail, Context, Result};
use chrono::Utc;
use rand::seq::IndexedRandom;
use rand::Rng;
use tokio_util::sync::CancellationToken;
use trackwire_auth::{Identity, Role};
use trackwire_domain::{
    Classified, CourierAssigned, Delayed, DeliveryFailed, DurableEvent, EphemeralSignal,
    EtaChanged, Item, Location, OrderCreated, OrderId, OrderStatus, Party, StatusChanged,
};
use trackwire_gateway::{CreateOrder, GatewayError, OrderService, RecordOutcome};
use trackwire_server::rest::routes::demo::{Persona, Personas};
use trackwire_store::StoreError;

use crate::cli::DemoArgs;
use crate::{security, server};

/// One step of an order's story.
#[derive(Clone)]
enum Step {
    Status(OrderStatus),
    Courier(&'static str, &'static str),
    Eta(i64),
    Delay(&'static str, i64),
    Failed(&'static str),
}

pub(crate) async fn run(args: DemoArgs, shutdown: CancellationToken) -> Result<()> {
    let pace = parse_pace(&args.pace)?;
    let temp_dir;
    let data_dir = match &args.common.data_dir {
        Some(dir) => dir.clone(),
        None => {
            temp_dir = tempfile::tempdir().context("cannot make a temporary data directory")?;
            temp_dir.path().to_path_buf()
        }
    };
    // The demo's tokens are signed with the configured secret, or with one
    // made for this run (then no other process can mint them).
    let security = &args.common.security;
    let generated = security::generate_secret();
    let node = server::build(&args.common, &data_dir, Some(&generated)).await?;
    let secret = match (&security.jwt_secret, &security.jwks_file) {
        (Some(secret), _) => Some(secret.clone()),
        (None, None) => Some(generated),
        // Keys held elsewhere: the demo cannot sign for its personas.
        (None, Some(_)) => None,
    };
    let personas = secret.map(|secret| {
        Arc::new(Personas::new(
            secret.into_bytes(),
            security.jwt_issuer.clone(),
            security.jwt_audience.clone(),
            personas(),
        ))
    });
    let listener = server::bind(&args.common).await?;
    let base = format!(
        "{}://{}",
        server::scheme(&args.common),
        listener.local_addr()?
    );
    println!();
    println!(
        "Trackwire demo is running (data in {}).",
        data_dir.display()
    );
    println!("  Open in a browser:");
    println!("    Demo orders:   {base}/");
    println!("    Customer page: {base}/track/ZX-1001");
    println!("    Dispatcher:    {base}/dispatch");
    if personas.is_some() {
        println!("    Operator:      {base}/ops (log in as the operator first)");
        println!(
            "    Log in as:     {base}/login (two customers, a courier, a dispatcher, the operator)"
        );
    }
    println!("  The API:");
    println!("    Order ZX-1001: {base}/v1/orders/ZX-1001");
    println!("    Its events:    {base}/v1/orders/ZX-1001/events?since=0");
    println!("    Tenant feed:   {base}/v1/feed?since=0");
    println!("    Description:   {base}/v1/openapi.json");
    if personas.is_some() {
        println!("    Personas:      {base}/v1/demo/personas (with tokens)");
    }
    println!("Press Ctrl+C to stop.");
    let simulator = tokio::spawn(simulate(node.orders.clone(), pace, shutdown.clone()));
    server::run(listener, &node, personas, shutdown).await?;
    simulator.await.context("simulator failed")?;
    Ok(())
}

/// Parses `MIN-MAX` seconds.
fn parse_pace(raw: &str) -> Result<Range<f64>> {
    let parsed = raw
        .split_once('-')
        .and_then(|(a, b)| Some((a.trim().parse::<f64>().ok()?, b.trim().parse::<f64>().ok()?)));
    match parsed {
        Some((min, max)) if min > 0.0 && max >= min => Ok(min..max + f64::EPSILON),
        _ => bail!("--pace takes MIN-MAX seconds, e.g. 3-10 (got '{raw}')"),
    }
}

fn simulator() -> Identity {
    Identity {
        tenant: Identity::DEV_TENANT.into(),
        subject: "simulator".into(),
        role: Role::Service,
    }
}

async fn simulate(orders: Arc<OrderService>, pace: Range<f64>, shutdown: CancellationToken) {
    let stories = [
        ("ZX-1001", "cust-ada", "Ada Lovelace", happy_path()),
        ("ZX-1002", "cust-grace", "Grace Hopper", delayed_path()),
        ("ZX-1003", "cust-alan", "Alan Turing", cancelled_path()),
    ];
    for (id, customer, name, steps) in stories {
        spawn_story(
            &orders,
            id.to_owned(),
            customer,
            name,
            steps,
            &pace,
            &shutdown,
        )
        .await;
    }
    // A new order now and then, with a story drawn at random.
    for n in 1004.. {
        let wait = random_secs(&(pace.start * 3.0..pace.end * 3.0));
        tokio::select! {
            _ = shutdown.cancelled() => return,
            _ = tokio::time::sleep(wait) => {}
        }
        let (customer, name) = random_customer();
        let steps = match rand::rng().random_range(0..10) {
            0..=5 => happy_path(),
            6 | 7 => delayed_path(),
            8 => failed_then_delivered(),
            _ => cancelled_path(),
        };
        spawn_story(
            &orders,
            format!("ZX-{n}"),
            customer,
            name,
            steps,
            &pace,
            &shutdown,
        )
        .await;
    }
}

async fn spawn_story(
    orders: &Arc<OrderService>,
    id: String,
    customer: &'static str,
    name: &'static str,
    steps: Vec<Step>,
    pace: &Range<f64>,
    shutdown: &CancellationToken,
) {
    let Ok(order_id) = OrderId::parse(&id) else {
        return;
    };
    let created = CreateOrder {
        id: Some(order_id.clone()),
        created: OrderCreated {
            customer: Party {
                id: customer.into(),
                name: Some(name.into()),
                phone: None,
            },
            items: random_items(),
            address: "Unter den Linden 77, Berlin".into(),
            courier: None,
            instructions: None,
            eta: Some(Utc::now() + chrono::Duration::minutes(45)),
            internal_note: None,
        },
    };
    match orders.create(&simulator(), created, None).await {
        Ok(_) => tracing::info!(order = %id, "demo order created"),
        // A kept data dir already has it: its story was told before.
        Err(GatewayError::Store(StoreError::OrderExists(_))) => return,
        Err(error) => {
            tracing::warn!(order = %id, %error, "demo order not created");
            return;
        }
    }
    let orders = orders.clone();
    let pace = pace.clone();
    let shutdown = shutdown.clone();
    tokio::spawn(async move { tell(orders, order_id, steps, pace, shutdown).await });
}

/// Plays an order's steps at the demo's pace; drives the courier while the
/// order is out for delivery.
async fn tell(
    orders: Arc<OrderService>,
    id: OrderId,
    steps: Vec<Step>,
    pace: Range<f64>,
    shutdown: CancellationToken,
) {
    let who = simulator();
    let total = steps.len();
    let mut driving: Option<CancellationToken> = None;
    for (n, step) in steps.into_iter().enumerate() {
        tokio::select! {
            _ = shutdown.cancelled() => break,
            _ = tokio::time::sleep(random_secs(&pace)) => {}
        }
        let event = match step {
            Step::Status(status) => DurableEvent::StatusChanged(StatusChanged {
                status,
                reason: (status == OrderStatus::Cancelled)
                    .then(|| "Customer changed their mind".to_owned()),
                internal_note: None,
            }),
            Step::Courier(courier, name) => DurableEvent::CourierAssigned(CourierAssigned {
                courier: Party {
                    id: courier.into(),
                    name: Some(name.into()),
                    phone: Some("+49 30 1234567".into()),
                },
                internal_note: None,
            }),
            Step::Eta(minutes) => DurableEvent::EtaChanged(EtaChanged {
                eta: Utc::now() + chrono::Duration::minutes(minutes),
            }),
            Step::Delay(reason, minutes) => DurableEvent::Delayed(Delayed {
                reason: reason.into(),
                eta: Some(Utc::now() + chrono::Duration::minutes(minutes)),
                internal_note: None,
            }),
            Step::Failed(reason) => DurableEvent::DeliveryFailed(DeliveryFailed {
                reason: reason.into(),
                internal_note: None,
            }),
        };
        let starts_driving = matches!(
            &event,
            DurableEvent::StatusChanged(StatusChanged {
                status: OrderStatus::OutForDelivery,
                ..
            })
        );
        if let Err(error) = orders
            .record(&who, &id, Classified::Durable(event), None)
            .await
        {
            // Someone else moved the order (a customer cancelled it, say).
            tracing::info!(order = %id, %error, "demo story ends early");
            break;
        }
        if starts_driving {
            let stop = shutdown.child_token();
            let remaining = total.saturating_sub(n + 1).max(1);
            let trip = Duration::from_secs_f64(pace.end * remaining as f64);
            tokio::spawn(drive(orders.clone(), id.clone(), trip, stop.clone()));
            driving = Some(stop);
        }
    }
    if let Some(stop) = driving {
        stop.cancel();
    }
}

/// Sends the courier's position about once a second along a straight
/// route, until stopped or the order is final.
async fn drive(orders: Arc<OrderService>, id: OrderId, trip: Duration, stop: CancellationToken) {
    let who = simulator();
    let (from, to) = ((52.5079, 13.3915), (52.5170, 13.3889));
    let started = tokio::time::Instant::now();
    loop {
        let progress = (started.elapsed().as_secs_f64() / trip.as_secs_f64()).min(1.0);
        let location = Location {
            lat: from.0 + (to.0 - from.0) * progress,
            lng: from.1 + (to.1 - from.1) * progress,
            heading: Some(350.0),
            ts: Utc::now().timestamp_millis(),
        };
        let signal = Classified::Ephemeral(EphemeralSignal::Location(location));
        match orders.record(&who, &id, signal, None).await {
            Ok(RecordOutcome::Signal { taken: false }) | Err(_) => return,
            Ok(_) => {}
        }
        tokio::select! {
            _ = stop.cancelled() => return,
            _ = tokio::time::sleep(Duration::from_secs(1)) => {}
        }
    }
}

fn happy_path() -> Vec<Step> {
    vec![
        Step::Status(OrderStatus::Confirmed),
        Step::Status(OrderStatus::Preparing),
        Step::Courier("courier-max", "Max Mustermann"),
        Step::Status(OrderStatus::Shipped),
        Step::Eta(20),
        Step::Status(OrderStatus::OutForDelivery),
        Step::Eta(8),
        Step::Status(OrderStatus::Delivered),
    ]
}

fn delayed_path() -> Vec<Step> {
    vec![
        Step::Status(OrderStatus::Confirmed),
        Step::Status(OrderStatus::Preparing),
        Step::Delay("Kitchen backlog", 40),
        Step::Courier("courier-erika", "Erika Musterfrau"),
        Step::Status(OrderStatus::Shipped),
        Step::Status(OrderStatus::OutForDelivery),
        Step::Delay("Heavy traffic on the route", 25),
        Step::Status(OrderStatus::Delivered),
    ]
}

fn cancelled_path() -> Vec<Step> {
    vec![
        Step::Status(OrderStatus::Confirmed),
        Step::Status(OrderStatus::Cancelled),
    ]
}

fn failed_then_delivered() -> Vec<Step> {
    vec![
        Step::Status(OrderStatus::Confirmed),
        Step::Courier("courier-max", "Max Mustermann"),
        Step::Status(OrderStatus::Shipped),
        Step::Status(OrderStatus::OutForDelivery),
        Step::Failed("Nobody answered the door"),
        Step::Eta(30),
        Step::Status(OrderStatus::Delivered),
    ]
}

fn random_secs(range: &Range<f64>) -> Duration {
    Duration::from_secs_f64(rand::rng().random_range(range.clone()))
}

/// Who can log in to the demo: the customers of ZX-1001 and ZX-1002, the
/// courier who delivers them, a dispatcher, and the operator who runs the
/// installation (the ops console).
fn personas() -> Vec<Persona> {
    let person = |name: &str, subject: &str, role: Role, about: &str| Persona {
        name: name.into(),
        description: about.into(),
        identity: Identity {
            tenant: Identity::DEV_TENANT.into(),
            subject: subject.into(),
            role,
        },
    };
    vec![
        person(
            "Ada Lovelace",
            "cust-ada",
            Role::Customer,
            "customer of ZX-1001",
        ),
        person(
            "Grace Hopper",
            "cust-grace",
            Role::Customer,
            "customer of ZX-1002",
        ),
        person(
            "Max Mustermann",
            "courier-max",
            Role::Courier,
            "courier of ZX-1001",
        ),
        person(
            "Dana Dispatch",
            "dispatch-dana",
            Role::Dispatcher,
            "sees every order",
        ),
        person(
            "Olga Operator",
            "ops-olga",
            Role::Operator,
            "runs the installation: the ops console",
        ),
    ]
}

fn random_customer() -> (&'static str, &'static str) {
    const CUSTOMERS: [(&str, &str); 4] = [
        ("cust-ada", "Ada Lovelace"),
        ("cust-grace", "Grace Hopper"),
        ("cust-alan", "Alan Turing"),
        ("cust-edsger", "Edsger Dijkstra"),
    ];
    CUSTOMERS[rand::rng().random_range(0..CUSTOMERS.len())]
}

fn random_items() -> Vec<Item> {
    const MENU: [&str; 6] = [
        "Margherita pizza",
        "Pad thai",
        "Falafel wrap",
        "Ramen",
        "Caesar salad",
        "Lemonade",
    ];
    let mut rng = rand::rng();
    let count = rng.random_range(1..=3);
    // Distinct dishes: the same one twice is one line with a quantity.
    let dishes: Vec<&str> = MENU.choose_multiple(&mut rng, count).copied().collect();
    dishes
        .into_iter()
        .map(|name| Item {
            name: name.into(),
            quantity: rng.random_range(1..=2),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::{parse_pace, random_items};

    #[test]
    fn pace_is_min_dash_max_seconds() {
        assert!(parse_pace("3-10").is_ok());
        assert!(parse_pace("0.05-0.1").is_ok());
        assert!(parse_pace("10-3").is_err());
        assert!(parse_pace("fast").is_err());
        assert!(parse_pace("0-1").is_err());
    }

    #[test]
    fn an_order_lists_each_dish_once() {
        for _ in 0..500 {
            let items = random_items();
            let mut names: Vec<_> = items.iter().map(|item| item.name.as_str()).collect();
            names.sort_unstable();
            names.dedup();
            assert_eq!(names.len(), items.len(), "{items:?}");
            assert!((1..=3).contains(&items.len()));
        }
    }
}
