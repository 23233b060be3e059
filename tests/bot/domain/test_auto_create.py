"""Which help-channel messages are not tickets, stated as properties: a greeting or thank-you
(with fillers, punctuation, emoji and mentions) never is; any message with a word of substance
is; the skip prefix always wins."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from bot.domain.auto_create import DEFAULT_GREETINGS, FILLERS, AutoCreateRules, words_of

RULES = AutoCreateRules()
greetings = st.sampled_from(DEFAULT_GREETINGS)
fillers = st.sampled_from(sorted(FILLERS))
decor = st.sampled_from(["", "!", "!!", ".", " :wave:", " :pray:", " <@U123ABC>", ",", " 🙏"])
substance = st.sampled_from(["printer", "vpn", "password", "laptop", "access", "broken", "error", "cannot"])


@given(st.lists(st.tuples(greetings, st.lists(fillers, max_size=2), decor), min_size=1, max_size=4))
def test_greetings_and_thanks_alone_are_not_tickets(parts: list[tuple[str, list[str], str]]) -> None:
    text = " ".join(f"{g} {' '.join(f)}{d}".strip() for g, f, d in parts)
    assert RULES.skip_reason(text) == "greeting", text


@given(st.lists(greetings, max_size=3), substance, st.lists(greetings | fillers, max_size=3), decor)
def test_a_word_of_substance_makes_it_a_ticket(before: list[str], word: str, after: list[str], end: str) -> None:
    text = " ".join([*before, word, *after]) + end
    assert RULES.skip_reason(text) is None, text


@given(st.text(max_size=80))
def test_the_skip_prefix_always_wins(text: str) -> None:
    assert RULES.skip_reason("!" + text) == "skip prefix"
    assert AutoCreateRules(skip_prefix="").skip_reason("!printer broken") is None


def test_a_message_of_emoji_or_mentions_only_is_not_a_ticket() -> None:
    assert RULES.skip_reason(":wave: <@U1> :tada:") == "no words"
    assert words_of("Hi <@U1>, the VPN's down :sob:") == ["hi", "the", "vpn's", "down"]


def test_the_greetings_are_configurable() -> None:
    rules = AutoCreateRules(greetings=frozenset({"gm"}))
    assert rules.skip_reason("gm team") == "greeting"
    assert rules.skip_reason("thanks") is None
