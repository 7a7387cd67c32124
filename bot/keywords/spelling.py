"""Correcting a misspelt word against a vocabulary, fast (symmetric-delete index).

Every vocabulary word is indexed under itself and each one-letter deletion. A query word's
own deletions (one or two deep) are looked up there; the few candidates found are checked
with the real edit distance (OSA: insert, delete, substitute, swap neighbours). That costs
a few dictionary look-ups instead of a scan of the whole vocabulary.
"""

from __future__ import annotations

from collections.abc import Iterable

from rapidfuzz.distance import OSA


def _deletes(word: str) -> set[str]:
    return {word[:i] + word[i + 1 :] for i in range(len(word))}


class Speller:
    def __init__(self, words: Iterable[str]) -> None:
        self.words = frozenset(w for w in words if w)
        self._index: dict[str, list[str]] = {}
        for word in sorted(self.words):
            for key in (word, *_deletes(word)):
                self._index.setdefault(key, []).append(word)

    def __contains__(self, word: str) -> bool:
        return word in self.words

    def __len__(self) -> int:
        return len(self.words)

    def correct(self, word: str) -> str:
        """The closest word (1 edit for words up to 7 letters, 2 beyond), or `word` itself.

        Words shorter than 4 letters are never corrected: too many neighbours.
        """
        if len(word) < 4 or word in self.words:
            return word
        allowed = 1 if len(word) <= 7 else 2
        probes = {word} | _deletes(word)
        if allowed > 1:
            probes |= {d for first in _deletes(word) for d in _deletes(first)}
        best: tuple[int, str] | None = None
        for probe in probes:
            for candidate in self._index.get(probe, ()):
                if best is not None and candidate == best[1]:
                    continue
                distance = OSA.distance(word, candidate, score_cutoff=allowed)
                if distance <= allowed and (best is None or (distance, candidate) < best):
                    best = (distance, candidate)
        return best[1] if best else word
