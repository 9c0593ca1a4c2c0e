-- The store in PostgreSQL: what the sled trees hold, as tables every instance shares.
-- Records the core serializes (troubles, timeline entries, outbox calls, timers) are kept as the
-- exact JSON bytes the bot wrote: a timeline entry's hash covers those bytes (timestamps with
-- nanoseconds), which a timestamptz column would round.

CREATE TABLE troubles (
    id         text PRIMARY KEY,
    body       bytea NOT NULL,
    -- The trouble's channel, once Slack created it: one trouble per channel.
    channel    text UNIQUE,
    -- The `/trouble list` summary while the trouble is open; NULL once closed.
    summary    bytea,
    updated_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE timeline (
    trouble text   NOT NULL REFERENCES troubles (id),
    seq     bigint NOT NULL CHECK (seq >= 0),
    entry   bytea  NOT NULL,
    PRIMARY KEY (trouble, seq)
);

-- Slack calls waiting to be made. A lane ("<trouble or _>/<lane>") is delivered in id order:
-- its next item is claimed only once the one before it is gone.
CREATE TABLE outbox (
    id                 bigserial PRIMARY KEY,
    lane               text        NOT NULL,
    trouble            text,
    item               bytea       NOT NULL,
    created_at         timestamptz NOT NULL,
    -- When the latest attempt at a call that must not happen twice began.
    attempt_started_at timestamptz,
    -- Which instance holds the item, until when: a lease longer than slack_timeout, so an
    -- instance that died lets go of its work.
    claimed_by         text,
    lease_until        timestamptz
);
CREATE INDEX outbox_lane_order ON outbox (lane, id);

CREATE TABLE timers (
    -- The sled key (due millis ++ trouble ++ kind): the same timer set twice is one timer.
    key         bytea PRIMARY KEY,
    due         timestamptz NOT NULL,
    trouble     text        NOT NULL,
    timer       bytea       NOT NULL,
    claimed_by  text,
    lease_until timestamptz
);
CREATE INDEX timers_due ON timers (due);

-- Requests already handled (event ids, request signatures, modal view ids): a second instance
-- that receives the same one finds it here.
CREATE TABLE seen_keys (
    key     text PRIMARY KEY,
    seen_at timestamptz NOT NULL
);
CREATE INDEX seen_keys_age ON seen_keys (seen_at);

-- The per-day trouble number (20261130-3): one row per day, bumped under its row lock.
CREATE TABLE day_counters (
    day  text PRIMARY KEY,
    last bigint NOT NULL CHECK (last >= 0)
);

CREATE TABLE home_viewers (
    user_id text PRIMARY KEY
);

-- Slack's pacing per channel, shared: no instance posts to a channel before `not_before`.
CREATE TABLE channel_pacing (
    channel    text PRIMARY KEY,
    not_before timestamptz NOT NULL
);

-- The sled records `migrate-store` has copied (outbox items, timers): a second copy skips them,
-- even once they were delivered or fired here.
CREATE TABLE copied_from_sled (
    origin text PRIMARY KEY
);
