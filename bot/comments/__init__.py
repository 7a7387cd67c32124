"""Members' replies in the challenge threads: recording, backfill, exports and privacy."""
