-- Articles name the challenge days they belong to (front matter `days: [1, 10]`).
ALTER TABLE keyword_articles ADD COLUMN days TEXT NOT NULL DEFAULT '[]';  -- JSON list of ints
-- Forget the imported fingerprint so the next start re-reads the files into the new column.
DELETE FROM keyword_source;
