""""Did you mean ...?" for misspelt keywords and names."""

from __future__ import annotations

import difflib
from collections.abc import Iterable


def suggest(word: str, choices: Iterable[str]) -> str | None:
    """The closest of `choices` to `word`, if any is close enough."""
    match = difflib.get_close_matches(word, sorted(choices), n=1, cutoff=0.6)
    return match[0] if match else None


def did_you_mean(word: str, choices: Iterable[str], fallback: str | None = None) -> str | None:
    choices = list(choices)
    close = suggest(word, choices)
    if close:
        return f"did you mean `{close}`?"
    return fallback
