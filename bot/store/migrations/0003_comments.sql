-- Members' replies in the challenge threads. message_id is Discord's snowflake, so rows are
-- stored in posting order. A deleted comment keeps its row (deleted = 1) but loses its text
-- and attachments; `/forgetme` removes the rows entirely.
CREATE TABLE comments (
    message_id  INTEGER PRIMARY KEY,
    guild_id    INTEGER NOT NULL,
    day         INTEGER NOT NULL,
    thread_id   INTEGER NOT NULL,
    author_id   INTEGER NOT NULL,
    author_name TEXT    NOT NULL,            -- display name when the comment was posted
    content     TEXT    NOT NULL DEFAULT '',
    attachments TEXT    NOT NULL DEFAULT '[]', -- JSON list of {"name", "url"}
    reply_to    INTEGER,                     -- message_reference.message_id of a reply
    created_at  TEXT    NOT NULL,            -- UTC ISO-8601 with microseconds
    edited_at   TEXT,
    deleted     INTEGER NOT NULL DEFAULT 0 CHECK (deleted IN (0, 1)),
    reactions   INTEGER NOT NULL DEFAULT 0 CHECK (reactions >= 0)
);
CREATE INDEX comments_day ON comments (guild_id, day, message_id);
CREATE INDEX comments_thread ON comments (thread_id, message_id);
CREATE INDEX comments_author ON comments (guild_id, author_id, day);

-- Members who ran /forgetme (or were erased from the CLI): nothing more is recorded for them.
CREATE TABLE erased_users (
    guild_id  INTEGER NOT NULL,
    user_id   INTEGER NOT NULL,
    erased_at TEXT    NOT NULL,
    PRIMARY KEY (guild_id, user_id)
) WITHOUT ROWID;

-- How far each challenge thread's history has been read back from Discord: every message
-- up to read_until is recorded. Backfill continues from here (live messages don't move it,
-- so a gap while the bot was away is never skipped).
CREATE TABLE comment_threads (
    thread_id  INTEGER PRIMARY KEY,
    guild_id   INTEGER NOT NULL,
    read_until INTEGER NOT NULL,
    read_at    TEXT    NOT NULL
);
