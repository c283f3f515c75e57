"""The part of a record's text around a hit, with the query's words in <mark>.

``highlight(text, query)`` takes the text of a record the caller has already read through
``tomoni.access`` (a consultation on the page, a note from ``access.visible``) — never a
search document — and returns escaped HTML: every character of ``text`` goes through
``format_html``, only the <mark> tags are markup, so a note holding ``<script>`` shows it as
text. Words are found as the index finds them (``api.normalize``: NFKC, ASCII lowercased,
whitespace collapsed), and shown in the characters the user wrote (ｶﾀｶﾅ stays ｶﾀｶﾅ).
"""

from __future__ import annotations

import re
import unicodedata

from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString

from .api import normalize, query_words

# Characters shown before the first hit, and at most in all.
BEFORE = 20
WIDTH = 90
ELLIPSIS = "…"
_BLANKS = re.compile(r"[\s\x00-\x1f\x7f]+")


def _normalised_with_spans(text: str) -> tuple[str, list[tuple[int, int]]]:
    """``normalize(text)`` char by char, each with the span of ``text`` it came from.

    Each character is normalised with the marks that follow it (ｶﾞ → ガ, が as か + ゙), so
    the result equals ``normalize(text)`` except in exotic cases (Hangul jamo), where a hit
    may go unmarked — never marked wrongly.
    """
    clusters: list[tuple[int, int]] = []
    for position, char in enumerate(text):
        if clusters and _attaches(char):
            start, _ = clusters[-1]
            clusters[-1] = (start, position + 1)
        else:
            clusters.append((position, position + 1))
    chars: list[str] = []
    spans: list[tuple[int, int]] = []
    for start, end in clusters:
        piece = normalize(text[start:end]) or " "
        for char in piece:
            if char == " " and (not chars or chars[-1] == " "):
                # Collapsed whitespace: the space already there covers this span too.
                if spans:
                    spans[-1] = (spans[-1][0], end)
                continue
            chars.append(char)
            spans.append((start, end))
    while chars and chars[-1] == " ":
        chars.pop()
        spans.pop()
    return "".join(chars), spans


def _attaches(char: str) -> bool:
    """Combining marks and the half-width (semi-)voiced sound marks join the previous char."""
    return unicodedata.category(char).startswith("M") or char in "\uff9e\uff9f"


def _hits(normalised: str, words: list[str]) -> list[tuple[int, int]]:
    """Every occurrence of every word, merged where they overlap, in order."""
    found = []
    for word in words:
        start = normalised.find(word)
        while start != -1:
            found.append((start, start + len(word)))
            start = normalised.find(word, start + 1)
    merged: list[tuple[int, int]] = []
    for start, end in sorted(found):
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
        else:
            merged.append((start, end))
    return merged


def contains_all(text: str, query: str) -> bool:
    """Whether ``text`` holds every word of ``query`` — what ``matching_ids`` decides."""
    words = query_words(query)
    normalised = normalize(text)
    return bool(words) and all(word in normalised for word in words)


def highlight(text: str, query: str) -> SafeString:
    """Escaped HTML: up to WIDTH characters of ``text`` around the first hit, hits marked.

    Without a hit (none of the words occurs), the beginning of the text, unmarked.
    """
    normalised, spans = _normalised_with_spans(text)
    if not spans:
        return format_html("")
    hits = _hits(normalised, query_words(query))
    first = hits[0][0] if hits else 0
    lo = max(0, first - BEFORE)
    hi = min(len(spans), lo + WIDTH)
    lo = max(0, min(lo, hi - WIDTH))

    # Where normalised position i starts in ``text``: a character that shares its source
    # with the one before (㍻ → 平成) starts after that source, so nothing shows twice.
    starts = [
        spans[i][0] if i == 0 or spans[i] != spans[i - 1] else spans[i][1]
        for i in range(len(spans))
    ]
    starts.append(spans[-1][1])

    def original(a: int, b: int) -> str:
        # The user's characters for normalised positions [a, b), on one line.
        return _BLANKS.sub(" ", text[starts[a] : starts[b]])

    pieces: list[tuple[str, str]] = []
    cursor = lo
    for start, end in hits:
        if end <= lo or start >= hi:
            continue
        start, end = max(start, lo), min(end, hi)
        pieces.append((original(cursor, start), original(start, end)))
        cursor = end
    return format_html(
        "{}{}{}{}",
        ELLIPSIS if lo > 0 else "",
        format_html_join("", "{}<mark>{}</mark>", pieces),
        original(cursor, hi),
        ELLIPSIS if hi < len(spans) else "",
    )
