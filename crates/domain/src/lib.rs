//! # trackwire-domain
//!
//! The product's vocabulary, pure and free of I/O, so every rule here can be
//! tested exhaustively:
//!
//! - [`status`]: order statuses and the transitions the server allows.
//! - [`order`]: the order snapshot and [`Order::apply`], the state machine.
//! - [`event`]: durable events, ephemeral signals and their payloads.
//! - [`action`]: customer actions (cancel, change instructions) as events.
//! - [`envelope`]: the wire envelope every client receives.
//! - [`projection`]: what each audience (customer, courier, staff) may see
//!   of an order and its events.
//! - [`topic`]: topic names (`order:{id}`, `chat:{id}`, `orders`).
//! - [`ids`]: order ids and event ids.
//! - [`validate`]: JSON parsing with field-level errors.
//! - [`codes`]: [`Code`], every stable code a client can be given.
//! - [`records`]: what the store keeps and gives back (stored events, write
//!   results, pages), as plain data.

pub mod action;
pub mod codes;
pub mod envelope;
pub mod event;
pub mod ids;
pub mod order;
pub mod projection;
pub mod records;
pub mod status;
pub mod topic;
pub mod validate;

pub use action::Action;
pub use codes::Code;
pub use envelope::{Envelope, PAYLOAD_VERSION};
pub use event::{
    ChatMessage, ChatSender, Classified, CourierAssigned, Delayed, DeliveryFailed, DurableEvent,
    EphemeralSignal, EtaChanged, InstructionsChanged, Item, Location, OrderCreated, Party,
    RecordedInput, StatusChanged,
};
pub use ids::{new_event_id, OrderId};
pub use order::{Delay, Order, TransitionError};
pub use projection::Audience;
pub use status::OrderStatus;
pub use topic::{Topic, TopicKind};
pub use validate::{FieldError, ParseError, ValidationErrors};
