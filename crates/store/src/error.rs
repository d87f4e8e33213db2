use trackwire_domain::{OrderId, TransitionError};

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("order '{0}' not found")]
    OrderNotFound(OrderId),
    #[error("order '{0}' already exists")]
    OrderExists(OrderId),
    #[error(transparent)]
    Transition(#[from] TransitionError),
    #[error("this Idempotency-Key was already used with a different request")]
    IdempotencyConflict,
    #[error("topic '{0}' has no history of its own")]
    NoHistory(String),
    #[error("stored data could not be read: {0}")]
    Corrupt(String),
    #[error("database error: {0}")]
    Database(#[from] sqlx::Error),
    #[error("database migration failed: {0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),
}

impl From<serde_json::Error> for StoreError {
    fn from(e: serde_json::Error) -> Self {
        StoreError::Corrupt(e.to_string())
    }
}
