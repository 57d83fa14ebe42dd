"""digest/outbound.py: a paper's links out, and http(s) URLs found in text."""

from datetime import date
from urllib.parse import parse_qs, urlsplit

import pytest

from digest.model import Paper
from digest.outbound import is_web_url, outbound_links, split_urls


def paper(**fields) -> Paper:
    fields.setdefault("title", 'Deep & "Wide" Nets?')
    return Paper(id="p", abstract="", added=date(2026, 1, 26), **fields)


def test_an_arxiv_id_gives_the_abstract_pdf_and_hugging_face_pages():
    links = outbound_links(paper(arxiv="2510.12345v2", code="https://github.com/o/r",
                                 project="https://o.example/"))
    assert [(l.label, l.url) for l in links] == [
        ("arXiv", "https://arxiv.org/abs/2510.12345v2"),
        ("PDF", "https://arxiv.org/pdf/2510.12345v2"),
        ("Hugging Face", "https://huggingface.co/papers/2510.12345"),
        ("Code", "https://github.com/o/r"),
        ("Project page", "https://o.example/"),
    ]


def test_without_an_arxiv_id_searches_by_the_exact_title_stand_in():
    links = outbound_links(paper())
    assert [l.label for l in links] == [
        "Search arXiv for this title", "Search Hugging Face Papers for this title"]
    arxiv, hf = (urlsplit(l.url) for l in links)
    assert (arxiv.netloc, arxiv.path, parse_qs(arxiv.query)) == (
        "arxiv.org", "/search/", {"query": ['"Deep & "Wide" Nets?"'], "searchtype": ["title"]})
    assert (hf.netloc, hf.path, parse_qs(hf.query)) == (
        "huggingface.co", "/papers", {"q": ['"Deep & "Wide" Nets?"']})


def test_a_code_url_that_is_not_http_is_left_out():
    links = outbound_links(paper(arxiv="2510.12345", code="javascript:alert(1)"))
    assert [l.label for l in links] == ["arXiv", "PDF", "Hugging Face"]
    assert not any("javascript" in l.url for l in links)


@pytest.mark.parametrize("text, pieces", [
    ("See https://x.org/a_b.", [("See ", False), ("https://x.org/a_b", True), (".", False)]),
    ("(https://x.org/wiki/A_(b))", [("(", False), ("https://x.org/wiki/A_(b)", True), (")", False)]),
    ("HTTP://X.ORG and http://y.org", [("HTTP://X.ORG", True), (" and ", False), ("http://y.org", True)]),
    ("javascript:alert('http://x')", [("javascript:alert('", False), ("http://x", True), ("')", False)]),
    ("data:text/html,x ftp://a www.b.org https://", [("data:text/html,x ftp://a www.b.org https://", False)]),
    ("", []),
])
def test_split_urls_finds_http_urls_and_keeps_every_character(text, pieces):
    assert split_urls(text) == pieces
    assert "".join(piece for piece, _ in pieces) == text


def test_only_http_and_https_with_a_host_are_web_urls():
    assert [is_web_url(u) for u in ("https://a.b", "http://a", "javascript:x", "data:,x",
                                    "https://", "//a.b", "http://[::1")] == [
        True, True, False, False, False, False, False]
