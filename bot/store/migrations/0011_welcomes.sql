-- The join each member was last greeted for: two processes that both receive a join (a shard
-- wrongly run twice) greet once, whoever writes the row first; rejoining greets again.
CREATE TABLE welcomes (
    guild_id  INTEGER NOT NULL,
    user_id   INTEGER NOT NULL,
    joined_at TEXT    NOT NULL,  -- the join's time as Discord sent it
    PRIMARY KEY (guild_id, user_id)
) WITHOUT ROWID;
