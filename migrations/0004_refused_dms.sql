-- The people Slack refuses the bot's DMs for good, for their own reason (no such person, not
-- visible to the bot): a DM about no trouble (the weekly digest) refused so. Their digest goes to
-- the one above them in `[org]` until a DM reaches them again. The refusal is the JSON the bot
-- wrote (Slack's error, when), every field defaulted so older rows read.

CREATE TABLE refused_dms (
    user_id text  PRIMARY KEY,
    refusal bytea NOT NULL
);
