-- Trackwire's embedded schema. Every table is keyed by tenant first.

-- The tenant feed counter: the next `offset` is feed_offset + 1.
CREATE TABLE tenants (
    tenant      TEXT PRIMARY KEY NOT NULL,
    feed_offset INTEGER NOT NULL DEFAULT 0
);

-- One row per topic: its current seq and epoch. seq is assigned by
-- incrementing this row inside the transaction that stores the event.
CREATE TABLE topics (
    tenant TEXT NOT NULL,
    topic  TEXT NOT NULL,
    seq    INTEGER NOT NULL DEFAULT 0,
    epoch  TEXT NOT NULL,
    PRIMARY KEY (tenant, topic)
);

-- Order snapshots. `pos` orders the list (newest first) and is its cursor.
CREATE TABLE orders (
    pos         INTEGER PRIMARY KEY AUTOINCREMENT,
    tenant      TEXT NOT NULL,
    id          TEXT NOT NULL,
    customer_id TEXT NOT NULL,
    courier_id  TEXT,
    status      TEXT NOT NULL,
    snapshot    TEXT NOT NULL,
    updated_at  TEXT NOT NULL,
    UNIQUE (tenant, id)
);
CREATE INDEX orders_by_status ON orders (tenant, status, pos);
CREATE INDEX orders_by_customer ON orders (tenant, customer_id, pos);
CREATE INDEX orders_by_courier ON orders (tenant, courier_id, pos);

-- Durable events. The primary key makes a duplicate seq impossible.
CREATE TABLE events (
    tenant      TEXT NOT NULL,
    topic       TEXT NOT NULL,
    seq         INTEGER NOT NULL,
    epoch       TEXT NOT NULL,
    id          TEXT NOT NULL UNIQUE,
    feed_offset INTEGER,
    type        TEXT NOT NULL,
    version     INTEGER NOT NULL,
    occurred_at TEXT NOT NULL,
    payload     TEXT NOT NULL,
    PRIMARY KEY (tenant, topic, seq)
);
CREATE UNIQUE INDEX events_by_offset ON events (tenant, feed_offset)
    WHERE feed_offset IS NOT NULL;

-- Idempotency keys with the result they produced.
CREATE TABLE idempotency_keys (
    tenant      TEXT NOT NULL,
    subject     TEXT NOT NULL,
    key         TEXT NOT NULL,
    fingerprint TEXT NOT NULL,
    response    TEXT NOT NULL,
    created_at  TEXT NOT NULL,
    PRIMARY KEY (tenant, subject, key)
);
