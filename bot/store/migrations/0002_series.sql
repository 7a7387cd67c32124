-- One row per (server, series, day): the database is the truth about the schedule.
-- state: scheduled → posting (intent recorded, nonce chosen) → posted | skipped | missed
-- A post is made of steps recorded as they succeed, so an interrupted one resumes where it
-- stopped: message_id (first message), parts_sent/last_message_id (the day's other messages),
-- thread_id, opening_message_id (the discussion question), then state = 'posted'.
-- Times are UTC ISO-8601 strings ending in Z.
CREATE TABLE series_days (
    guild_id           INTEGER NOT NULL,
    series             TEXT    NOT NULL,
    day                INTEGER NOT NULL CHECK (day >= 1),
    title              TEXT    NOT NULL,
    planned_at         TEXT    NOT NULL,
    state              TEXT    NOT NULL DEFAULT 'scheduled'
                       CHECK (state IN ('scheduled', 'posting', 'posted', 'skipped', 'missed')),
    nonce              TEXT,              -- marker of our post, to find it after a crash
    channel_id         INTEGER,           -- where it is (being) posted
    message_id         INTEGER,           -- first message of the post (forum: starter)
    parts_sent         INTEGER NOT NULL DEFAULT 0,  -- messages of the day sent so far
    last_message_id    INTEGER,           -- the latest of them
    thread_id          INTEGER,           -- discussion thread or forum post
    opening_message_id INTEGER,           -- the question posted in the thread
    posted_at          TEXT,
    late               INTEGER NOT NULL DEFAULT 0,  -- posted after its planned time
    answer_state       TEXT    NOT NULL DEFAULT 'pending'
                       CHECK (answer_state IN ('pending', 'posting', 'posted', 'none')),
    answer_nonce       TEXT,
    answer_parts_sent  INTEGER NOT NULL DEFAULT 0,
    answer_message_id  INTEGER,           -- the latest answer message sent
    answer_posted_at   TEXT,
    recap_posted_at    TEXT,              -- set by whoever posts the day's recap
    error              TEXT,              -- last problem, shown in /challenge status
    attempts           INTEGER NOT NULL DEFAULT 0,  -- failed tries since the last success
    updated_at         TEXT    NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
    PRIMARY KEY (guild_id, series, day)
);
CREATE UNIQUE INDEX series_days_thread ON series_days (thread_id) WHERE thread_id IS NOT NULL;
