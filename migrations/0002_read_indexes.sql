-- The read indexes: one row per trouble with what `/trouble history`, `stats`, `search` and the
-- App Home look troubles up by, written in the same transaction as the trouble. Rows for
-- troubles stored before this migration are built by the bot when it connects (the customer key
-- and the folded search text are computed in Rust).

CREATE TABLE trouble_index (
    id        text PRIMARY KEY REFERENCES troubles (id),
    -- The customer's key without the configured aliases (they are resolved when reading).
    customer  text        NOT NULL,
    opened_at timestamptz NOT NULL,
    is_open   boolean     NOT NULL,
    -- Whose App Home shows it while open: owner, manager and the manager chain.
    home      text[]      NOT NULL,
    private   boolean,
    -- `/trouble list` orders open troubles by severity, then age.
    severity  smallint    NOT NULL,
    -- What `/trouble stats` needs of it (JSON), so a window is read without the troubles.
    stats     bytea       NOT NULL,
    -- Customer, summary, facts and cause, width- and case-folded, one per line.
    search    text        NOT NULL
);
CREATE INDEX trouble_index_customer ON trouble_index (customer);
CREATE INDEX trouble_index_opened ON trouble_index (opened_at);
CREATE INDEX trouble_index_home ON trouble_index USING gin (home) WHERE is_open;
CREATE INDEX trouble_index_open ON trouble_index (severity, opened_at, id) WHERE is_open;
