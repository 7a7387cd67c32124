"""ML & DL Morocco Challenges — a Discord bot for a twelve-day series."""

__version__ = "0.1.0"
