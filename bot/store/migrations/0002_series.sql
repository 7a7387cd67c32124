-- One row per (server, series, day): the database is the truth about the schedule.
-- state: scheduled → posting (intent recorded, nonce chosen) → posted | skipped | missed
CREATE TABLE series_days (
    guild_id        INTEGER NOT NULL,
    series          TEXT    NOT NULL,
    day             INTEGER NOT NULL CHECK (day >= 1),
    title           TEXT    NOT NULL,
    planned_at      TEXT    NOT NULL,           -- UTC ISO-8601
    state           TEXT    NOT NULL DEFAULT 'scheduled'
                    CHECK (state IN ('scheduled', 'posting', 'posted', 'skipped', 'missed')),
    nonce           TEXT,                       -- marker of our post, to find it after a crash
    channel_id      INTEGER,
    message_id      INTEGER,                    -- first message of the post (forum: starter)
    thread_id       INTEGER,                    -- discussion thread or forum post
    posted_at       TEXT,
    late            INTEGER NOT NULL DEFAULT 0, -- posted after its planned time
    answer_state    TEXT    NOT NULL DEFAULT 'pending'
                    CHECK (answer_state IN ('pending', 'posting', 'posted', 'none')),
    answer_nonce    TEXT,
    answer_posted_at TEXT,
    recap_posted_at TEXT,
    error           TEXT,                       -- last problem, shown in /challenge status
    PRIMARY KEY (guild_id, series, day)
);
CREATE UNIQUE INDEX series_days_thread ON series_days (thread_id) WHERE thread_id IS NOT NULL;
