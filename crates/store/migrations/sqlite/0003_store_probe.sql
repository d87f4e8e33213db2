-- Readiness proves the store can still commit a write that needs new
-- space: it writes a page-sized row here and removes it in one transaction.
CREATE TABLE store_probe (
    at     TEXT NOT NULL,
    filler BLOB NOT NULL
);
