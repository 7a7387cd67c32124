-- The bot's state on PostgreSQL: the same tables and columns as SQLite's schema 10, less the
-- keyword catalogue (read-only content: every process indexes it locally in SQLite FTS5).
-- Discord ids are BIGINT; timestamps are UTC ISO-8601 text, as in SQLite (text order is time
-- order); flags are 0/1 integers. Later migrations are numbered alike in both folders.

CREATE TABLE guild_settings (
    guild_id   BIGINT NOT NULL,
    key        TEXT   NOT NULL,
    value      TEXT   NOT NULL,
    updated_at TEXT   NOT NULL DEFAULT (to_char(clock_timestamp() AT TIME ZONE 'UTC',
                                        'YYYY-MM-DD"T"HH24:MI:SS.US"+00:00"')),
    PRIMARY KEY (guild_id, key)
);

CREATE TABLE series_runs (
    guild_id    BIGINT  NOT NULL,
    record      TEXT    NOT NULL,
    series_id   TEXT    NOT NULL,
    edition     INTEGER NOT NULL DEFAULT 1 CHECK (edition >= 1),
    kind        TEXT    NOT NULL DEFAULT 'live' CHECK (kind IN ('live', 'rehearsal')),
    channel_id  BIGINT,
    interval_s  DOUBLE PRECISION,
    starts_at   TEXT,
    created_at  TEXT    NOT NULL DEFAULT (to_char(clock_timestamp() AT TIME ZONE 'UTC',
                                         'YYYY-MM-DD"T"HH24:MI:SS.US"+00:00"')),
    ended_at    TEXT,
    PRIMARY KEY (guild_id, record)
);

CREATE TABLE series_days (
    guild_id           BIGINT  NOT NULL,
    series             TEXT    NOT NULL,
    day                INTEGER NOT NULL CHECK (day >= 1),
    title              TEXT    NOT NULL,
    planned_at         TEXT    NOT NULL,
    state              TEXT    NOT NULL DEFAULT 'scheduled'
                       CHECK (state IN ('scheduled', 'posting', 'posted', 'skipped', 'missed')),
    nonce              TEXT,
    channel_id         BIGINT,
    message_id         BIGINT,
    parts_sent         INTEGER NOT NULL DEFAULT 0,
    last_message_id    BIGINT,
    thread_id          BIGINT,
    opening_message_id BIGINT,
    posted_at          TEXT,
    late               INTEGER NOT NULL DEFAULT 0,
    answer_state       TEXT    NOT NULL DEFAULT 'pending'
                       CHECK (answer_state IN ('pending', 'posting', 'posted', 'none')),
    answer_nonce       TEXT,
    answer_parts_sent  INTEGER NOT NULL DEFAULT 0,
    answer_message_id  BIGINT,
    answer_posted_at   TEXT,
    recap_posted_at    TEXT,
    error              TEXT,
    attempts           INTEGER NOT NULL DEFAULT 0,
    updated_at         TEXT    NOT NULL DEFAULT (to_char(clock_timestamp() AT TIME ZONE 'UTC',
                                                'YYYY-MM-DD"T"HH24:MI:SS.US"+00:00"')),
    retry_at           TEXT,
    recap_message_id   BIGINT,
    recap_attempts     INTEGER NOT NULL DEFAULT 0,
    recap_retry_at     TEXT,
    PRIMARY KEY (guild_id, series, day)
);
CREATE UNIQUE INDEX series_days_thread ON series_days (thread_id) WHERE thread_id IS NOT NULL;

CREATE TABLE comments (
    message_id  BIGINT  PRIMARY KEY,
    guild_id    BIGINT  NOT NULL,
    day         INTEGER NOT NULL,
    thread_id   BIGINT  NOT NULL,
    author_id   BIGINT  NOT NULL,
    author_name TEXT    NOT NULL,
    content     TEXT    NOT NULL DEFAULT '',
    attachments TEXT    NOT NULL DEFAULT '[]',
    reply_to    BIGINT,
    created_at  TEXT    NOT NULL,
    edited_at   TEXT,
    deleted     INTEGER NOT NULL DEFAULT 0 CHECK (deleted IN (0, 1)),
    reactions   INTEGER NOT NULL DEFAULT 0 CHECK (reactions >= 0),
    series      TEXT    NOT NULL DEFAULT ''
);
CREATE INDEX comments_author ON comments (guild_id, series, author_id, day, message_id, deleted);
CREATE INDEX comments_day ON comments (guild_id, series, day, message_id);
CREATE INDEX comments_member ON comments (author_id, guild_id);
CREATE INDEX comments_thread ON comments (thread_id, message_id);

CREATE TABLE comment_threads (
    thread_id  BIGINT PRIMARY KEY,
    guild_id   BIGINT NOT NULL,
    read_until BIGINT NOT NULL,
    read_at    TEXT   NOT NULL,
    series     TEXT   NOT NULL DEFAULT ''
);

CREATE TABLE erased_users (
    guild_id  BIGINT NOT NULL,
    user_id   BIGINT NOT NULL,
    erased_at TEXT   NOT NULL,
    PRIMARY KEY (guild_id, user_id)
);

CREATE TABLE granted_roles (
    guild_id   BIGINT NOT NULL,
    series     TEXT   NOT NULL,
    user_id    BIGINT NOT NULL,
    role_id    BIGINT NOT NULL,
    granted_at TEXT   NOT NULL,
    PRIMARY KEY (guild_id, series, user_id, role_id)
);

CREATE TABLE member_languages (
    user_id   BIGINT PRIMARY KEY,
    language  TEXT   NOT NULL,
    chosen_at TEXT   NOT NULL DEFAULT (to_char(clock_timestamp() AT TIME ZONE 'UTC',
                                       'YYYY-MM-DD"T"HH24:MI:SS.US"+00:00"'))
);
