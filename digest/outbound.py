"""Where a paper can be read outside the digest: its links out, and URLs found in text.

Pure: URLs from a paper's facts, never fetched. With an arXiv id the paper
has its arXiv abstract, PDF and Hugging Face pages; without one, searches
for its exact title stand in for them, labelled as searches.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import quote, urlsplit

from .model import Paper

ARXIV_ABS = "https://arxiv.org/abs/{id}"
_VERSION = re.compile(r"v\d+$")
# A URL in running text: http(s), up to whitespace or a character that cannot
# be in one unquoted. Trailing punctuation is the sentence's, not the URL's.
URL_PATTERN = r"(?i)\bhttps?://[^\s<>\"'`{}|\\^\[\]\x00-\x1f\x7f]+"
URL_IN_TEXT = re.compile(URL_PATTERN)
_TRAILING = ".,;:!?*_~'\""


@dataclass(frozen=True)
class OutboundLink:
    label: str
    url: str


def is_web_url(url: str) -> bool:
    """Whether a URL is one a page may link to: http or https with a host."""
    try:
        parts = urlsplit(url)
    except ValueError:
        return False
    return parts.scheme.lower() in ("http", "https") and bool(parts.netloc)


def outbound_links(paper: Paper) -> tuple[OutboundLink, ...]:
    """The paper's links out, most useful first; searches by title when it has no arXiv id."""
    links: list[OutboundLink] = []
    if paper.arxiv:
        bare = _VERSION.sub("", paper.arxiv)  # Hugging Face knows the paper, not the version
        links += [
            OutboundLink("arXiv", ARXIV_ABS.format(id=paper.arxiv)),
            OutboundLink("PDF", f"https://arxiv.org/pdf/{paper.arxiv}"),
            OutboundLink("Hugging Face", f"https://huggingface.co/papers/{bare}"),
        ]
    else:
        exact = quote(f'"{paper.title}"', safe="")
        links += [
            OutboundLink("Search arXiv for this title",
                         f"https://arxiv.org/search/?query={exact}&searchtype=title"),
            OutboundLink("Search Hugging Face Papers for this title",
                         f"https://huggingface.co/papers?q={exact}"),
        ]
    for url, label in ((paper.code, "Code"), (paper.project, "Project page")):
        if url and is_web_url(url):
            links.append(OutboundLink(label, url))
    return tuple(links)


def split_urls(text: str) -> list[tuple[str, bool]]:
    """`text` as (piece, is_url) pieces, in order; joined they are `text` again."""
    if "://" not in text:  # most abstracts: no need for the regular expression
        return [(text, False)] if text else []
    pieces: list[tuple[str, bool]] = []
    last = 0
    for match in URL_IN_TEXT.finditer(text):
        url = trim_url(match.group())
        if not is_web_url(url):
            continue
        start = match.start()
        if start > last:
            pieces.append((text[last:start], False))
        pieces.append((url, True))
        last = start + len(url)
    if last < len(text):
        pieces.append((text[last:], False))
    return pieces


def trim_url(url: str) -> str:
    """Drop the sentence's punctuation from a URL's end, and a `)` it did not open."""
    while url:
        if url[-1] in _TRAILING:
            url = url[:-1]
        elif url[-1] == ")" and url.count(")") > url.count("("):
            url = url[:-1]
        else:
            break
    return url
