-- The join each member was last greeted for (see the SQLite migration 0011).
CREATE TABLE welcomes (
    guild_id  BIGINT NOT NULL,
    user_id   BIGINT NOT NULL,
    joined_at TEXT   NOT NULL,
    PRIMARY KEY (guild_id, user_id)
);
