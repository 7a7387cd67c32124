from __future__ import annotations

from bot.settings import load_settings
from bot.sharding import describe, owns, process_shards, shard_of

GUILD = (10 << 22) | 0x3FFFFF  # created at millisecond 10 of the Discord epoch


def test_shard_of_is_discords_formula() -> None:
    assert shard_of(GUILD, 1) == 0 and shard_of(GUILD, 2) == 0 and shard_of(GUILD, 3) == 1
    assert shard_of(1076977287281901568, 4) == (1076977287281901568 >> 22) % 4
    assert shard_of(5 << 22, 4) == 1 and shard_of((5 << 22) + 123, 4) == 1  # low bits ignored
    assert [shard_of(n << 22, 3) for n in range(6)] == [0, 1, 2, 0, 1, 2]


def test_unsharded_process_serves_everything() -> None:
    settings = load_settings(_env_file=None, guild_id=GUILD)
    assert process_shards(settings) == [0] and owns(settings, GUILD) and owns(settings, 7 << 22)
    assert describe(settings) == f"Sharding off: one shard; GUILD_ID {GUILD} is served here"


def test_a_process_serves_only_its_shards() -> None:
    settings = load_settings(_env_file=None, shard_count=3, shard_ids="1", guild_id=GUILD)
    assert process_shards(settings) == [1]
    assert owns(settings, GUILD) and not owns(settings, 3 << 22)
    assert describe(settings) == (
        f"Shards 1 of SHARD_COUNT=3 run in this process; GUILD_ID {GUILD} is served here"
    )
    other = load_settings(_env_file=None, shard_count=3, shard_ids="0,2", guild_id=GUILD)
    assert not owns(other, GUILD) and owns(other, 3 << 22) and owns(other, 2 << 22)
    assert describe(other).endswith(
        f"GUILD_ID {GUILD} is on shard 1, served by another process: not scheduled here"
    )
    every = load_settings(_env_file=None, shard_count=3)
    assert process_shards(every) == [0, 1, 2] and all(owns(every, n << 22) for n in range(3))
