"""Paper identity: the key that says two titles are one paper, and the slug id."""

from __future__ import annotations

import hashlib
import re
import unicodedata
from collections.abc import Container

MAX_SLUG = 80
_NON_ALNUM = re.compile(r"[^a-z0-9]+")
_SPACE = re.compile(r"\s+")
_ARXIV_VERSION = re.compile(r"v\d+$")


def title_key(title: str) -> str:
    """Normalise a title so the same paper seen twice gets the same key.

    Unicode compatibility forms, case and runs of whitespace do not make a
    different paper.
    """
    return _SPACE.sub(" ", unicodedata.normalize("NFKC", title).casefold()).strip()


def arxiv_key(arxiv: object) -> str | None:
    """The arXiv id without its version: 2510.12345v2 and 2510.12345 are one paper."""
    return _ARXIV_VERSION.sub("", arxiv) if isinstance(arxiv, str) and arxiv else None


def slugify(title: str) -> str:
    """A readable URL-safe slug of a title: ASCII, lowercase, hyphenated, <= 80 chars."""
    ascii_text = unicodedata.normalize("NFKD", title).encode("ascii", "ignore").decode()
    slug = _NON_ALNUM.sub("-", ascii_text.lower()).strip("-")
    if len(slug) > MAX_SLUG:
        # Cut at a word boundary so the slug never ends mid-word.
        slug = slug[: MAX_SLUG + 1].rsplit("-", 1)[0]
    return slug or "paper"


def title_hash(title: str) -> str:
    """Six hex digits that tell apart two titles with the same slug."""
    return hashlib.sha1(title_key(title).encode("utf-8")).hexdigest()[:6]


def new_paper_id(title: str, taken: Container[str]) -> str:
    """The id for a new paper: its slug, or slug-<hash> when the slug is taken.

    The hash suffix depends only on the title, so the same dumps always yield
    the same ids whatever order they are ingested in.
    """
    slug = slugify(title)
    if slug not in taken:
        return slug
    candidate = f"{slug}-{title_hash(title)}"
    n = 2
    while candidate in taken:  # only if two titles share slug and hash prefix
        candidate = f"{slug}-{title_hash(title)}-{n}"
        n += 1
    return candidate
