-- Participation reads (/leaderboard, /stats, /streak, recaps) go over a server's comments by
-- author and need each row's day, id and deleted flag: with those in the index they never
-- touch the table. Measured with 100,000 comments: /leaderboard's query 460 ms → 75 ms.
DROP INDEX comments_author;
CREATE INDEX comments_author ON comments (guild_id, author_id, day, message_id, deleted);
