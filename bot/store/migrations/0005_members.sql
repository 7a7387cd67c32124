-- Completion roles the bot gave, so each is granted (and congratulated) exactly once per
-- member, even if an organiser removes it later. Recaps are recorded in
-- series_days.recap_posted_at.
CREATE TABLE granted_roles (
    guild_id   INTEGER NOT NULL,
    user_id    INTEGER NOT NULL,
    role_id    INTEGER NOT NULL,
    granted_at TEXT    NOT NULL,
    PRIMARY KEY (guild_id, user_id, role_id)
) WITHOUT ROWID;
