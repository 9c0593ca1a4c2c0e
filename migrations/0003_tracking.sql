-- A trouble's tracking (its channel, the messages the bot keeps editing, the refresh flag, the
-- timeline's length and head) in a small row beside its body: a delivery result or a timeline
-- entry writes this row instead of the whole trouble. A trouble without a row here carries
-- those fields in its body, as migration 1 stored it.
-- (Version 3: 2 is left to the read indexes.)

CREATE TABLE trouble_tracking (
    id       text  PRIMARY KEY REFERENCES troubles (id),
    tracking bytea NOT NULL
);
