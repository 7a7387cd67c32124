-- The language each member chose with /language (erased with /forgetme). A choice is the
-- person's, so it follows them to every server the bot shares with them.
CREATE TABLE member_languages (
    user_id     INTEGER PRIMARY KEY,
    language    TEXT    NOT NULL,            -- en, fr, ar
    chosen_at   TEXT    NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
);
-- Articles carry short French and Arabic summaries (front matter summary_fr, summary_ar).
ALTER TABLE keyword_articles ADD COLUMN summaries TEXT NOT NULL DEFAULT '{}';  -- JSON {lang: text}
-- Forget the imported fingerprint so the next start re-reads the files into the new column.
DELETE FROM keyword_source;
