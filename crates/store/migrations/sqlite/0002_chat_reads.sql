-- Chat read receipts: how far each participant has read an order's chat.
-- Only ever moves forward (the write keeps the larger seq).
CREATE TABLE chat_reads (
    tenant   TEXT NOT NULL,
    order_id TEXT NOT NULL,
    subject  TEXT NOT NULL,
    seq      INTEGER NOT NULL,
    PRIMARY KEY (tenant, order_id, subject)
);
