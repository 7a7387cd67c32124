-- Articles name the challenge days they belong to (front matter `days: [1, 10]`) and say
-- which of their aliases are French and Arabic names (`aliases_fr`, `aliases_ar`).
ALTER TABLE keyword_articles ADD COLUMN days TEXT NOT NULL DEFAULT '[]';        -- JSON ints
ALTER TABLE keyword_articles ADD COLUMN aliases_fr TEXT NOT NULL DEFAULT '[]';  -- JSON names
ALTER TABLE keyword_articles ADD COLUMN aliases_ar TEXT NOT NULL DEFAULT '[]';  -- JSON names
-- Forget the imported fingerprint so the next start re-reads the files into the new columns.
DELETE FROM keyword_source;
