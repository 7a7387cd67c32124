-- Keyword articles, loaded from KEYWORDS_DIR. They are global content shared by every server
-- (the same 60+ articles everywhere), so unlike server-owned tables they have no guild_id.
CREATE TABLE keyword_articles (
    slug     TEXT PRIMARY KEY,
    title    TEXT NOT NULL,
    category TEXT NOT NULL,
    aliases  TEXT NOT NULL DEFAULT '[]',    -- JSON list of names
    related  TEXT NOT NULL DEFAULT '[]',    -- JSON list of slugs
    source   TEXT,
    url      TEXT,
    path     TEXT,                          -- the file it came from, for messages
    body     TEXT NOT NULL                  -- Markdown
) WITHOUT ROWID;

-- Full-text index. `title` and `aliases` hold folded names (bot/keywords/normalise.py);
-- `body` holds the article as written so snippet() shows real text. unicode61 with
-- remove_diacritics 2 folds case and accents on both sides: "reseaux" finds "réseaux".
CREATE VIRTUAL TABLE keyword_fts USING fts5(
    slug UNINDEXED,
    title,
    aliases,
    body,
    tokenize = 'unicode61 remove_diacritics 2'
);
-- bm25 column weights used by ORDER BY rank: title > aliases > body.
INSERT INTO keyword_fts (keyword_fts, rank) VALUES ('rank', 'bm25(0.0, 10.0, 6.0, 1.0)');

-- Titles and aliases alone (folded), for name lookups and autocomplete: much smaller
-- posting lists than keyword_fts, whose entries include every word of every body.
CREATE VIRTUAL TABLE keyword_names_fts USING fts5(
    slug UNINDEXED,
    title,
    aliases,
    tokenize = 'unicode61 remove_diacritics 2'
);
INSERT INTO keyword_names_fts (keyword_names_fts, rank) VALUES ('rank', 'bm25(0.0, 2.0, 1.0)');

-- What is loaded: a fingerprint of KEYWORDS_DIR so start-up skips an unchanged import.
CREATE TABLE keyword_source (
    id            INTEGER PRIMARY KEY CHECK (id = 1),
    fingerprint   TEXT    NOT NULL,
    article_count INTEGER NOT NULL,
    imported_at   TEXT    NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
);
