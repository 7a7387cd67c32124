-- Every record belongs to a series run ("record"): an edition of a series or a rehearsal.
-- series_days.series already held the series id; the first edition keeps it as its record
-- key, later editions get "<id>#<n>", rehearsals "<id>~rehearsal-<n>". Comments, thread
-- cursors and role grants now carry the record too, so editions never mix.
CREATE TABLE series_runs (
    guild_id    INTEGER NOT NULL,
    record      TEXT    NOT NULL,            -- the key rows of this run carry
    series_id   TEXT    NOT NULL,            -- the configured series (SERIES_ID)
    edition     INTEGER NOT NULL DEFAULT 1 CHECK (edition >= 1),
    kind        TEXT    NOT NULL DEFAULT 'live' CHECK (kind IN ('live', 'rehearsal')),
    channel_id  INTEGER,                     -- a rehearsal's channel (live: the settings')
    interval_s  REAL,                        -- a rehearsal's cadence in seconds
    starts_at   TEXT,                        -- a rehearsal's first post (UTC)
    created_at  TEXT    NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
    ended_at    TEXT,                        -- replaced by a newer edition, or rehearsal over
    PRIMARY KEY (guild_id, record)
);
INSERT INTO series_runs (guild_id, record, series_id)
    SELECT DISTINCT guild_id, series, series FROM series_days;

-- Comments belong to the run whose thread they were written in (else the server's only run).
ALTER TABLE comments ADD COLUMN series TEXT NOT NULL DEFAULT '';
UPDATE comments SET series = coalesce(
    (SELECT d.series FROM series_days d WHERE d.thread_id = comments.thread_id),
    (SELECT min(d.series) FROM series_days d
      WHERE d.guild_id = comments.guild_id AND d.day = comments.day),
    '');
DROP INDEX comments_day;
CREATE INDEX comments_day ON comments (guild_id, series, day, message_id);
DROP INDEX comments_author;
CREATE INDEX comments_author ON comments (guild_id, series, author_id, day, message_id, deleted);
CREATE INDEX comments_member ON comments (author_id, guild_id);

ALTER TABLE comment_threads ADD COLUMN series TEXT NOT NULL DEFAULT '';
UPDATE comment_threads SET series = coalesce(
    (SELECT d.series FROM series_days d WHERE d.thread_id = comment_threads.thread_id), '');

-- A completion role is earned in one run: grants are per record.
CREATE TABLE granted_roles_by_run (
    guild_id   INTEGER NOT NULL,
    series     TEXT    NOT NULL,
    user_id    INTEGER NOT NULL,
    role_id    INTEGER NOT NULL,
    granted_at TEXT    NOT NULL,
    PRIMARY KEY (guild_id, series, user_id, role_id)
) WITHOUT ROWID;
INSERT INTO granted_roles_by_run (guild_id, series, user_id, role_id, granted_at)
    SELECT g.guild_id,
           coalesce((SELECT min(d.series) FROM series_days d WHERE d.guild_id = g.guild_id), ''),
           g.user_id, g.role_id, g.granted_at
      FROM granted_roles g;
DROP TABLE granted_roles;
ALTER TABLE granted_roles_by_run RENAME TO granted_roles;
