"""Everything the bot sends to Discord is shaped here, within Discord's limits."""
