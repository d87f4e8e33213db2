-- The topics' heads move onto the order's row. Every write to an order
-- locks that row anyway; with the heads on it, a batch locks and updates
-- one row per order instead of three (the order and its two topics), which
-- is most of what a batch costs PostgreSQL when its writes touch many
-- orders (docs/benchmarks.md, "Cluster").
ALTER TABLE orders
    ADD COLUMN order_seq   BIGINT NOT NULL DEFAULT 0,
    ADD COLUMN order_epoch TEXT NOT NULL DEFAULT '',
    ADD COLUMN chat_seq    BIGINT NOT NULL DEFAULT 0,
    ADD COLUMN chat_epoch  TEXT NOT NULL DEFAULT '';

UPDATE orders o SET order_seq = t.seq, order_epoch = t.epoch
FROM topics t WHERE t.tenant = o.tenant AND t.topic = 'order:' || o.id;
UPDATE orders o SET chat_seq = t.seq, chat_epoch = t.epoch
FROM topics t WHERE t.tenant = o.tenant AND t.topic = 'chat:' || o.id;

DROP TABLE topics;

-- Room on each page for the row's next version, so the update of an
-- order's heads and snapshot stays on its page (a HOT update: no index
-- entry is written while no indexed column changes).
ALTER TABLE orders SET (fillfactor = 70);
