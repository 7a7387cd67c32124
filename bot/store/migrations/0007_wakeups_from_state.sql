-- Every wake-up is derived from these rows, so what used to live only in scheduler jobs is
-- stored: when a failed post or expert answer is tried again (retry_at, with `attempts`), and
-- each recap's progress. A recap is claimed (recap_posted_at), sent, then recorded
-- (recap_message_id); a claim without a message was cut short and is resumed.
ALTER TABLE series_days ADD COLUMN retry_at TEXT;
ALTER TABLE series_days ADD COLUMN recap_message_id INTEGER;
ALTER TABLE series_days ADD COLUMN recap_attempts INTEGER NOT NULL DEFAULT 0;
ALTER TABLE series_days ADD COLUMN recap_retry_at TEXT;
-- Recaps recorded by earlier releases were sent (0: sent, message id not kept).
UPDATE series_days SET recap_message_id = 0 WHERE recap_posted_at IS NOT NULL;
