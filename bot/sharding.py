"""Which process serves which server: Discord routes a server's events to one shard, and a
process runs some shards (SHARD_COUNT, SHARD_IDS). Pure functions, no discord import."""

from __future__ import annotations

from bot.settings import Settings


def shard_of(guild_id: int, shard_count: int) -> int:
    """The shard Discord sends a server's events to."""
    return (guild_id >> 22) % shard_count


def process_shards(settings: Settings) -> list[int]:
    """The shards this process runs ([0] without sharding)."""
    if settings.shard_count is None:
        return [0]
    return settings.shards or list(range(settings.shard_count))


def owns(settings: Settings, guild_id: int) -> bool:
    """Whether this process serves the server (always, without sharding)."""
    if settings.shard_count is None:
        return True
    return shard_of(guild_id, settings.shard_count) in process_shards(settings)


def describe(settings: Settings) -> str:
    """One line for the log: the shards run here and whether GUILD_ID is served here."""
    if settings.shard_count is None:
        text = "Sharding off: one shard"
    else:
        shards = ",".join(str(s) for s in process_shards(settings))
        text = f"Shards {shards} of SHARD_COUNT={settings.shard_count} run in this process"
    guild_id = settings.guild_id
    if guild_id is None:
        return text
    if owns(settings, guild_id):
        return f"{text}; GUILD_ID {guild_id} is served here"
    assert settings.shard_count is not None
    return (
        f"{text}; GUILD_ID {guild_id} is on shard {shard_of(guild_id, settings.shard_count)}, "
        "served by another process: not scheduled here"
    )
