"""Everything that differs between the two SQL dialects the stores run on, in one place.

The stores write one SQL text, in SQLite's spelling (`?` or `:name` placeholders, upserts with
`ON CONFLICT … excluded.`, which PostgreSQL shares), and ask the database's `Dialect` for the
few expressions that are spelled differently: the current time, a list aggregate, a two-value
maximum. `postgres_statement` rewrites the placeholders for asyncpg (`$1`, `$2`, …).
Timestamps are stored as fixed-width UTC ISO-8601 text in both (see `timestamps.py`), so text
order is time order and a row reads the same from either database.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache


@dataclass(frozen=True, slots=True)
class Dialect:
    name: str  # "sqlite" or "postgresql"
    now: str  # the current UTC time, as `timestamps.to_db` writes it (bookkeeping columns)
    _list: str  # a distinct, comma-separated list of an expression's values per group
    _greatest: str  # the larger of two values

    def distinct_list(self, expression: str) -> str:
        return self._list.format(expression)

    def greatest(self, first: str, second: str) -> str:
        return self._greatest.format(first, second)


SQLITE = Dialect(
    name="sqlite",
    now="strftime('%Y-%m-%dT%H:%M:%fZ', 'now')",
    _list="group_concat(DISTINCT {0})",
    _greatest="max({0}, {1})",
)
POSTGRESQL = Dialect(
    name="postgresql",
    now=("to_char(clock_timestamp() AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.US\"+00:00\"')"),
    _list="string_agg(DISTINCT ({0})::text, ',')",
    _greatest="greatest({0}, {1})",
)


@dataclass(frozen=True, slots=True)
class _Numbered:
    sql: str
    names: tuple[str, ...]  # `:name` placeholders in $-order; empty for `?` placeholders


@lru_cache(maxsize=2048)
def _number(sql: str) -> _Numbered:
    """`?` → `$1, $2, …`; `:name` → `$k` (a name used twice is one parameter). String
    literals, quoted names and `::type` casts are left alone."""
    out: list[str] = []
    names: list[str] = []
    count = 0
    i = 0
    while i < len(sql):
        char = sql[i]
        if char in "'\"":
            end = sql.index(char, i + 1) + 1
            out.append(sql[i:end])
            i = end
        elif char == "?":
            count += 1
            out.append(f"${count}")
            i += 1
        elif char == ":" and sql.startswith("::", i):
            out.append("::")
            i += 2
        elif char == ":" and i + 1 < len(sql) and (sql[i + 1].isalpha() or sql[i + 1] == "_"):
            j = i + 1
            while j < len(sql) and (sql[j].isalnum() or sql[j] == "_"):
                j += 1
            name = sql[i + 1 : j]
            if name not in names:
                names.append(name)
            out.append(f"${names.index(name) + 1}")
            i = j
        else:
            out.append(char)
            i += 1
    if names and count:
        raise ValueError("a statement mixes ? and :name placeholders")
    return _Numbered("".join(out), tuple(names))


def postgres_statement(
    sql: str, params: Sequence[object] | Mapping[str, object] = ()
) -> tuple[str, list[object]]:
    """The statement and its arguments as asyncpg takes them."""
    numbered = _number(sql)
    if isinstance(params, Mapping):
        return numbered.sql, [params[name] for name in numbered.names]
    return numbered.sql, list(params)
