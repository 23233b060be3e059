"""Tickets from a help channel's messages without a click: which messages are not tickets, by
their words alone (a greeting or a thank-you, the skip prefix), and how long a message waits for
a "no ticket" reaction, and for its author's next messages to join it, before it is filed. Pure."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field

DEFAULT_GREETINGS = (
    "hi", "hello", "hey", "hiya", "yo", "morning", "good morning", "good afternoon", "good evening",
    "thanks", "thank you", "thx", "ty", "tysm", "cheers", "much appreciated", "appreciated",
    "ok", "okay", "great", "perfect", "awesome", "cool", "nice", "got it", "+1", "bye", "have a nice day",
    "bonjour", "merci", "salut", "hola", "gracias", "danke", "hallo",
)  # fmt: skip
FILLERS = frozenset({"team", "all", "everyone", "folks", "guys", "there", "again", "so", "much", "a", "lot", "you"})
"""Words that may come with a greeting without making it a request ("thanks so much team")."""
_MARKUP = re.compile(r"<[^>]*>|:[a-z0-9_+'-]+:")
_NOT_WORD = re.compile(r"[^\w+']+")


def words_of(text: str) -> list[str]:
    """Lower-case words, without mentions, links, channel names and emoji."""
    return [w.strip("'") for w in _NOT_WORD.split(_MARKUP.sub(" ", text.lower())) if w.strip("'")]


@dataclass(frozen=True)
class AutoCreateRules:
    greetings: frozenset[str] = field(default_factory=lambda: frozenset(DEFAULT_GREETINGS))
    """Phrases a message may consist of (with ``FILLERS`` and punctuation) and not be a request."""
    skip_prefix: str = "!"
    """A message starting with it is not a ticket (empty: no prefix)."""
    no_ticket_reaction: str = "no_entry_sign"
    """This reaction within ``grace_seconds`` of the message withdraws it."""
    grace_seconds: float = 0.0
    """How long a message waits before it is filed (0: at once; "Not a ticket" withdraws after)."""
    coalesce_seconds: float = 10.0
    """A person's messages within this long of their first one are one ticket: the first waits
    this long (at least) for the others to join it (0: each message is its own ticket)."""

    @property
    def hold_seconds(self) -> float:
        """How long a new request waits before it is filed."""
        return max(self.grace_seconds, self.coalesce_seconds)

    def skip_reason(self, text: str) -> str | None:
        """Why the message is not a ticket, or ``None`` when it is one."""
        stripped = text.strip()
        if self.skip_prefix and stripped.startswith(self.skip_prefix):
            return "skip prefix"
        words = words_of(stripped)
        if not words:
            return "no words"
        if only_greets(words, self.greetings):
            return "greeting"
        return None


def only_greets(words: list[str], greetings: Iterable[str]) -> bool:
    """The words are greeting phrases and fillers only, at least one greeting among them."""
    phrases = sorted((words_of(g) for g in greetings), key=len, reverse=True)
    rest, greeted, index = [], False, 0
    while index < len(words):
        match = next((p for p in phrases if p and words[index : index + len(p)] == p), None)
        if match:
            greeted, index = True, index + len(match)
        else:
            rest.append(words[index])
            index += 1
    return greeted and all(w in FILLERS for w in rest)
