use trackwire_domain::{OrderId, TransitionError};

/// Why a store call failed. Two families, and callers must tell them
/// apart:
///
/// - **Refusals** (the request itself is wrong: not found, an invalid
///   transition, a reused key …): nothing was written, retrying the same
///   request gets the same answer.
/// - **Failures** of the store ([`StoreError::Unavailable`] and the rest):
///   nothing was written either (a write is acknowledged only after its
///   commit), and the same request may succeed later.
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
    #[error("'{0}' is not a cursor this server handed out")]
    InvalidCursor(String),
    /// The store cannot take writes (or reads) now: a full disk, a
    /// read-only file, a lost database connection, a closed store. Nothing
    /// was written; retry later.
    #[error("the store is unavailable: {0}")]
    Unavailable(String),
    /// Writers on several nodes met (a deadlock or a serialization
    /// failure): nothing was written. The backend retries the batch; it
    /// reaches a caller only when the retries ran out, as a failure.
    #[error("the store is busy: {0}")]
    Contention(String),
    /// The store refused to open because its files are damaged or
    /// inconsistent; the message says what to do.
    #[error("{0}")]
    Damaged(String),
    #[error("stored data could not be read: {0}")]
    Corrupt(String),
    #[error("database error: {0}")]
    Database(sqlx::Error),
    /// An error of the embedded write connection (rusqlite) that says
    /// nothing about the environment: a bug more likely than not.
    #[error("database error: {0}")]
    Embedded(rusqlite::Error),
    #[error("database migration failed: {0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),
}

impl StoreError {
    /// True for refusals of the request itself, false for failures of the
    /// store (see the type's doc).
    pub fn is_refusal(&self) -> bool {
        matches!(
            self,
            Self::OrderNotFound(_)
                | Self::OrderExists(_)
                | Self::Transition(_)
                | Self::IdempotencyConflict
                | Self::NoHistory(_)
                | Self::InvalidCursor(_)
        )
    }

    /// This failure as [`StoreError::Unavailable`], for the writes that
    /// shared its fate (without saying "unavailable" twice).
    pub(crate) fn to_unavailable(&self) -> StoreError {
        match self {
            Self::Unavailable(reason) | Self::Contention(reason) => {
                Self::Unavailable(reason.clone())
            }
            other => Self::Unavailable(other.to_string()),
        }
    }

    /// True when the database itself failed (the write path must roll
    /// back and start clean), not just this request.
    pub(crate) fn breaks_the_connection(&self) -> bool {
        matches!(
            self,
            Self::Unavailable(_) | Self::Contention(_) | Self::Database(_) | Self::Embedded(_)
        )
    }
}

impl From<serde_json::Error> for StoreError {
    fn from(e: serde_json::Error) -> Self {
        StoreError::Corrupt(e.to_string())
    }
}

impl From<sqlx::Error> for StoreError {
    /// Sorts a database error into what a caller can act on: the
    /// environment failing (retry later) apart from damaged data and from
    /// bugs.
    fn from(error: sqlx::Error) -> Self {
        use sqlx::Error as E;
        match &error {
            E::Io(_)
            | E::Tls(_)
            | E::Protocol(_)
            | E::PoolTimedOut
            | E::PoolClosed
            | E::WorkerCrashed => StoreError::Unavailable(error.to_string()),
            E::ColumnDecode { .. } | E::Decode(_) => StoreError::Corrupt(error.to_string()),
            E::Database(db) => match classify_code(db.code().as_deref().unwrap_or("")) {
                Class::Unavailable => StoreError::Unavailable(db.message().to_owned()),
                Class::Contention => StoreError::Contention(db.message().to_owned()),
                Class::Corrupt => StoreError::Corrupt(db.message().to_owned()),
                Class::Other => StoreError::Database(error),
            },
            _ => StoreError::Database(error),
        }
    }
}

impl From<rusqlite::Error> for StoreError {
    /// The same sorting for the embedded write connection.
    fn from(error: rusqlite::Error) -> Self {
        use rusqlite::Error as E;
        match &error {
            E::SqliteFailure(failure, _) => match classify_code(&failure.extended_code.to_string())
            {
                Class::Unavailable => StoreError::Unavailable(error.to_string()),
                Class::Contention => StoreError::Contention(error.to_string()),
                Class::Corrupt => StoreError::Corrupt(error.to_string()),
                Class::Other => StoreError::Embedded(error),
            },
            E::FromSqlConversionFailure(..)
            | E::IntegralValueOutOfRange(..)
            | E::InvalidColumnType(..)
            | E::Utf8Error(_) => StoreError::Corrupt(error.to_string()),
            _ => StoreError::Embedded(error),
        }
    }
}

enum Class {
    Unavailable,
    Contention,
    Corrupt,
    Other,
}

/// SQLite result codes (numbers, possibly extended: at most four digits)
/// and PostgreSQL SQLSTATEs (always five characters).
fn classify_code(code: &str) -> Class {
    if let Some(extended) = code.parse::<i32>().ok().filter(|_| code.len() < 5) {
        // The primary code is the low byte of an extended one.
        return match extended & 0xff {
            // BUSY, LOCKED, NOMEM, READONLY, IOERR, FULL, CANTOPEN, PROTOCOL
            5 | 6 | 7 | 8 | 10 | 13 | 14 | 15 => Class::Unavailable,
            // CORRUPT, NOTADB
            11 | 26 => Class::Corrupt,
            _ => Class::Other,
        };
    }
    match code.get(..2) {
        // connection exceptions, insufficient resources, operator
        // intervention (shutdown), read-only transactions
        Some("08" | "53" | "57") => Class::Unavailable,
        // serialization failure, deadlock: retried by the backend
        Some("40") => Class::Contention,
        _ if code == "25006" => Class::Unavailable,
        Some("XX") => Class::Corrupt,
        _ => Class::Other,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_sort_into_failures_and_damage() {
        for code in ["13", "10", "778", "8", "1032", "5", "14", "08006", "57P01"] {
            assert!(matches!(classify_code(code), Class::Unavailable), "{code}");
        }
        for code in ["40001", "40P01"] {
            assert!(matches!(classify_code(code), Class::Contention), "{code}");
        }
        for code in ["11", "26", "XX001"] {
            assert!(matches!(classify_code(code), Class::Corrupt), "{code}");
        }
        for code in ["19", "2067", "23505", "42P01", ""] {
            assert!(matches!(classify_code(code), Class::Other), "{code}");
        }
    }
}
