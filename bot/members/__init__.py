"""Members' experience: welcome, participation (stats, leaderboard, streaks), roles, recaps."""
