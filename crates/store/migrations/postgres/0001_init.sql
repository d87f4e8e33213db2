-- Trackwire's schema on PostgreSQL (cluster mode). The same tables as the
-- embedded SQLite schema, every one keyed by tenant first. Which rows are
-- locked when is the writer's business: see src/postgres/batch.rs.

-- The tenant feed counter: the next `offset` is feed_offset + 1. Locked
-- only at the end of a write batch, for as long as its commit takes.
CREATE TABLE tenants (
    tenant      TEXT PRIMARY KEY,
    feed_offset BIGINT NOT NULL DEFAULT 0
);

-- One row per topic: its current seq and epoch. Changed only by a writer
-- that holds the order's row lock.
CREATE TABLE topics (
    tenant TEXT NOT NULL,
    topic  TEXT NOT NULL,
    seq    BIGINT NOT NULL DEFAULT 0,
    epoch  TEXT NOT NULL,
    PRIMARY KEY (tenant, topic)
);

-- Order snapshots. `pos` orders the list (newest first) and is its
-- cursor. The row is the order's lock: every write to the order (its
-- events, its chat, its location) takes it first.
CREATE TABLE orders (
    pos         BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    tenant      TEXT NOT NULL,
    id          TEXT NOT NULL,
    customer_id TEXT NOT NULL,
    courier_id  TEXT,
    status      TEXT NOT NULL,
    snapshot    TEXT NOT NULL,
    updated_at  TIMESTAMPTZ NOT NULL,
    UNIQUE (tenant, id)
);
CREATE INDEX orders_by_status ON orders (tenant, status, pos);
CREATE INDEX orders_by_customer ON orders (tenant, customer_id, pos);
CREATE INDEX orders_by_courier ON orders (tenant, courier_id, pos);

-- Durable events. The primary key makes a duplicate seq impossible, the
-- unique index a duplicate offset. Payloads are kept as the exact text
-- that was published live.
CREATE TABLE events (
    tenant      TEXT NOT NULL,
    topic       TEXT NOT NULL,
    seq         BIGINT NOT NULL,
    epoch       TEXT NOT NULL,
    id          TEXT NOT NULL UNIQUE,
    feed_offset BIGINT,
    type        TEXT NOT NULL,
    version     INTEGER NOT NULL,
    occurred_at TIMESTAMPTZ NOT NULL,
    payload     TEXT NOT NULL,
    PRIMARY KEY (tenant, topic, seq)
);
CREATE UNIQUE INDEX events_by_offset ON events (tenant, feed_offset)
    WHERE feed_offset IS NOT NULL;

-- Idempotency keys with the result they produced. A write claims its key
-- first (response NULL until its batch fills it in, in the same
-- transaction), so a second node with the same key waits and then sees
-- the result.
CREATE TABLE idempotency_keys (
    tenant      TEXT NOT NULL,
    subject     TEXT NOT NULL,
    key         TEXT NOT NULL,
    fingerprint TEXT NOT NULL,
    response    TEXT,
    created_at  TIMESTAMPTZ NOT NULL DEFAULT now(),
    PRIMARY KEY (tenant, subject, key)
);

-- Chat read receipts: only ever move forward.
CREATE TABLE chat_reads (
    tenant   TEXT NOT NULL,
    order_id TEXT NOT NULL,
    subject  TEXT NOT NULL,
    seq      BIGINT NOT NULL,
    PRIMARY KEY (tenant, order_id, subject)
);

-- Readiness proves the store can still commit a write: it upserts a row
-- here.
CREATE TABLE store_probe (
    id INTEGER PRIMARY KEY,
    at TIMESTAMPTZ NOT NULL
);
