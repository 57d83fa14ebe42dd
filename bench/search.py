"""Search as a reader meets it, on the corpus site: Pagefind against the old lunr search.

    python3 bench/search.py                      # ingest the corpus, build, measure
    python3 bench/search.py --keep /tmp/sb       # the same, keeping the built sites in /tmp/sb
    python3 bench/search.py --keep /tmp/sb       # again: reuses /tmp/sb's sites, no rebuild
                                                 # (delete /tmp/sb/site, or site-lunr, to rebuild it)
    python3 bench/search.py --content content    # the shipped seed library instead

Builds the corpus (../shared/corpus/scale, ingested as bench/build.py does)
with `digest build` (Pagefind) and, over the same Markdown pages, a bare
`mkdocs build` with Material's search plugin on (lunr, the old engine). Both
are served on 127.0.0.1 and driven in Debian's Chromium by Playwright, each
cold query in a fresh browser context (its own cache). Prints: time from the
last keystroke to the first result, bytes of search assets and index
downloaded per cold query, the top-3 hit rate of two distinctive title words
for 20 random titles, the share of `digest build` spent indexing, and sizes.
Targets: median <= 0.5 s and every query <= 1.0 s; median <= 0.6 MB; >= 19 of
20; indexing <= 25% of the build; site <= 300 MB. Figures vary with load.
"""

from __future__ import annotations

import argparse
import contextlib
import functools
import http.server
import json
import random
import re
import shutil
import statistics
import sys
import threading
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from build import SITE_TARGET_MB, folder_size, project_copy, run  # noqa: E402

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--disable-default-apps", "--disable-extensions"]
SEED = 20261202
TITLES = 20
TIME_TARGET_MEDIAN, TIME_TARGET_MAX, BYTES_TARGET_MB, HITS_TARGET, SHARE_TARGET = 0.5, 1.0, 0.6, 19, 0.25
# Punctuated names, an organisation and common words; a rare title word and
# two words of one title are drawn from the corpus.
# μ-Transfer, named in the issue, is in no corpus paper; μP is.
PUNCTUATED = ["Qwen2.5-VL", "GPT-4o", "Z.ai", "μP"]
FIXED_QUERIES = [*PUNCTUATED, "ByteDance", "diffusion", "reinforcement learning", "agents"]


class Engine:
    """How one search UI is driven: its box, its result links, its assets."""

    def __init__(self, name, site, box, results, link, assets, opener=None):
        self.name, self.site, self.box, self.results, self.link = name, site, box, results, link
        self.assets = re.compile(assets)
        self.opener = opener


def engines(work: Path) -> list[Engine]:
    return [
        Engine("pagefind", work / "site", "input.paper-search__input", ".paper-search__results",
               "a.paper-search__link", r"/pagefind/|paper-search\."),
        Engine("lunr (old)", work / "site-lunr", "input.md-search__input", ".md-search-result__list",
               "a.md-search-result__link", r"/search/|/workers/search|/lunr/"),
    ]


# --- building ---------------------------------------------------------------------


def build_sites(work: Path, content_arg: Path | None) -> dict:
    """Ingest and build both sites into `work`, or reuse what an earlier run left; the
    build's figures (kept in work/build.json)."""
    figures_file = work / "build.json"
    figures = json.loads(figures_file.read_text()) if figures_file.is_file() else {}
    if "plain_s" in figures and (work / "site").is_dir():
        print(f"reusing the Pagefind site in {work} (built in {figures['build_s']:.1f} s)")
    else:
        work.mkdir(parents=True, exist_ok=True)
        # The old engine's site is kept if there: delete DIR/site-lunr to rebuild it too.
        for leftover in ("site_templates", "content", "site"):
            shutil.rmtree(work / leftover, ignore_errors=True)
        content = project_copy(work, content_arg)
        print("digest build (Pagefind) ...", flush=True)
        elapsed, _ = run([sys.executable, "-m", "digest", "build", "--content", str(content),
                          "--site", str(work / "site")])
        # What indexing adds: the same build without it, right after.
        plain_s, _ = run([sys.executable, "-m", "digest", "build", "--content", str(content),
                          "--site", str(work / "site-plain"), "--no-search-index"])
        shutil.rmtree(work / "site-plain", ignore_errors=True)
        figures = {"build_s": elapsed, "plain_s": plain_s}
        figures_file.write_text(json.dumps(figures))
    if not (work / "site-lunr").is_dir():
        print("mkdocs build of the same pages with Material's search plugin (lunr) ...", flush=True)
        elapsed, _ = run([sys.executable, "-m", "mkdocs", "build", "--quiet", "--config-file",
                          str(old_engine_config(work)), "--site-dir", str(work / "site-lunr")])
        figures["lunr_build_s"] = elapsed
        figures_file.write_text(json.dumps(figures))
    return figures


# The search plugin as mkdocs.yml had it before Pagefind.
OLD_SEARCH_PLUGIN = """plugins:
  - search:
      separator: '[\\s\\-,:;!?=\\[\\]()"`/|]+|\\.(?!\\d)|&[lg]t;|&amp;|&quot;'
"""


def old_engine_config(work: Path) -> Path:
    """mkdocs.yml as it was: Material's search plugin on, Material's own header."""
    overrides = work / "overrides-lunr"
    shutil.rmtree(overrides, ignore_errors=True)
    shutil.copytree(work / "site_templates" / "overrides", overrides,
                    ignore=shutil.ignore_patterns("partials", "paper-search.*"))
    text = (work / "mkdocs.yml").read_text(encoding="utf-8")
    text = text.replace("custom_dir: site_templates/overrides", f"custom_dir: {overrides.name}")
    assert "\nplugins: []\n" in text, "mkdocs.yml: expected `plugins: []`"
    text = text.replace("\nplugins: []\n", "\n" + OLD_SEARCH_PLUGIN)
    config = work / "mkdocs-lunr.yml"
    config.write_text(text, encoding="utf-8")
    return config


# --- serving and driving ----------------------------------------------------------


class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format, *args):
        pass


@contextlib.contextmanager
def served(folder: Path) -> Iterator[str]:
    server = http.server.ThreadingHTTPServer(
        ("127.0.0.1", 0), functools.partial(_Quiet, directory=str(folder)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


# Stamps, on the page's clock, every change of the box's text (a keystroke)
# and every change of the result list, so the wait is measured without
# Playwright's round trips.
STOPWATCH = """([box, results]) => {
    const stamps = window.searchStamps = {keys: [], changes: []};
    document.querySelector(box).addEventListener("input", () => stamps.keys.push(performance.now()));
    new MutationObserver(() => stamps.changes.push(performance.now())).observe(
        document.querySelector(results), {childList: true, subtree: true, characterData: true});
}"""
# The results are final once they have not changed for this long.
SETTLED_MS = 1000


def cold_query(browser, engine: Engine, url: str, query: str) -> dict:
    """One query in a fresh context: seconds from the last key to the first result, bytes, top links."""
    context = browser.new_context(viewport={"width": 1280, "height": 800})
    page = context.new_page()
    sizes: list[int] = []
    offsite: list[str] = []
    context.route(lambda u: not u.startswith("http://127.0.0.1:"),
                  lambda route: (offsite.append(route.request.url), route.abort()))

    def count(response):
        if engine.assets.search(response.url):
            try:
                sizes.append(len(response.body()))
            except Exception:  # a redirect or an aborted request has no body
                pass

    page.on("response", count)
    page.goto(url + "/", wait_until="load")
    page.evaluate(STOPWATCH, [engine.box, engine.results])
    if not page.locator(engine.box).is_visible():
        page.locator("label.md-header__button[for='__search']").click()
    page.locator(engine.box).click()
    page.locator(engine.box).press_sequentially(query, delay=60)
    try:
        # Until every key is in and the list has not changed for SETTLED_MS: the
        # last change shows the final query's results (an earlier one may show
        # a prefix's). A list already right before the last key counts as 0 s.
        page.wait_for_function(
            """([keys, settled]) => { const s = window.searchStamps;
                return s.keys.length >= keys && s.changes.length
                    && performance.now() - Math.max(s.changes.at(-1), s.keys.at(-1)) > settled; }""",
            arg=[len(query), SETTLED_MS], timeout=90_000, polling=20)
        stamps = page.evaluate("window.searchStamps")
        seconds = max(0.0, stamps["changes"][-1] - stamps["keys"][-1]) / 1000
        page.wait_for_load_state("networkidle")
    except Exception:
        seconds = float("nan")
    links = page.locator(engine.link).evaluate_all(
        "links => links.slice(0, 3).map(a => new URL(a.href).pathname)")
    context.close()
    return {"seconds": seconds, "bytes": sum(sizes), "top": links, "offsite": offsite}


def title_hits(browser, url: str, cases: list[tuple[str, str]]) -> list[bool]:
    """For each (query, paper url): is the paper in Pagefind's top 3? (its JS API, warm)"""
    page = browser.new_context().new_page()
    page.goto(url + "/", wait_until="load")
    tops = page.evaluate("""async (queries) => {
        const pf = await import("/pagefind/pagefind.js");
        await pf.init();
        const tops = [];
        for (const q of queries) {
            const found = await pf.search(q);
            tops.push(await Promise.all(found.results.slice(0, 3).map(async r => (await r.data()).url)));
        }
        return tops;
    }""", [q for q, _ in cases])
    page.context.close()
    return [f"/{paper_url}" in top for (_, paper_url), top in zip(cases, tops)]


def filter_without_words(browser, url: str, theme: str) -> dict:
    """Choose a theme with no words typed: which index files are fetched."""
    context = browser.new_context()
    page = context.new_page()
    fetched: list[tuple[str, int]] = []
    page.on("response", lambda r: "/pagefind/" in r.url and fetched.append((r.url, len(r.body()))))
    page.goto(url + "/", wait_until="load")
    page.locator("input.paper-search__input").click()
    page.locator("select[data-filter=theme]").select_option(theme)
    page.wait_for_load_state("networkidle")
    page.wait_for_timeout(500)
    context.close()
    chunks = [(u, n) for u, n in fetched if "/pagefind/index/" in u]
    return {"files": len(fetched), "bytes": sum(n for _, n in fetched), "index_chunks": len(chunks)}


# --- queries ------------------------------------------------------------------------


def words(text: str) -> list[str]:
    return re.findall(r"[A-Za-z]{4,}", text)


def drawn_queries(papers: list[dict], rng: random.Random) -> list[str]:
    """A rare title word (in one title only) and two words of one title."""
    df = Counter(w.lower() for p in papers for w in set(words(p["title"])))
    rare = sorted(w for w, n in df.items() if n == 1 and len(w) >= 7)
    two = rng.choice([p for p in papers if len(words(p["title"])) >= 4])
    return [rng.choice(rare), " ".join(words(two["title"])[:2]).lower()]


def title_cases(papers: list[dict], rng: random.Random) -> dict[str, list[tuple[str, str]]]:
    """20 random papers, each with its two most distinctive title words, by two
    measures: rarest among the words (3+ letters) of all titles and abstracts,
    as a search index weighs them; and rarest among the titles' words of 4+
    letters. (query, paper url) pairs, by measure."""
    chosen = rng.sample([p for p in papers if len(set(words(p["title"]))) >= 2], TITLES)
    measures = {
        "rarest in the index": (Counter(w.lower() for p in papers for w in set(
            re.findall(r"[A-Za-z]{3,}", p["title"] + " " + p["abstract"]))), r"[A-Za-z]{3,}"),
        "rarest among titles": (Counter(w.lower() for p in papers for w in set(words(p["title"]))),
                                r"[A-Za-z]{4,}"),
    }
    cases = {}
    for name, (df, word) in measures.items():
        cases[name] = []
        for paper in chosen:
            rarest = sorted(set(re.findall(word, paper["title"])), key=lambda w: (df[w.lower()], w))[:2]
            cases[name].append((" ".join(rarest), paper["url"]))
    return cases


# --- report ---------------------------------------------------------------------------


def verdict(ok: bool) -> str:
    return "ok" if ok else "OVER TARGET"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--content", type=Path, help="content folder (default: ingest the corpus)")
    parser.add_argument("--keep", type=Path, help="build into (or reuse) this folder and keep it")
    parser.add_argument("--no-lunr", action="store_true", help="measure Pagefind only")
    args = parser.parse_args()
    from playwright.sync_api import sync_playwright

    work = (args.keep or Path(__import__("tempfile").mkdtemp(prefix="digest-search-bench-"))).resolve()
    try:
        figures = build_sites(work, args.content.resolve() if args.content else None)
        papers = json.loads((work / "site" / "papers.json").read_text(encoding="utf-8"))
        rng = random.Random(SEED)
        queries = FIXED_QUERIES + drawn_queries(papers, rng)
        cases = title_cases(papers, rng)
        theme = Counter(t for p in papers for t in p["themes"]).most_common(1)[0][0]
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True,
                                                 args=CHROMIUM_ARGS)
            for engine in engines(work)[: 1 if args.no_lunr else 2]:
                with served(engine.site) as url:
                    measure_engine(browser, engine, url, queries, papers)
                    if engine.name == "pagefind":
                        hits = {name: title_hits(browser, url, pairs) for name, pairs in cases.items()}
                        browse = filter_without_words(browser, url, theme_name(work, theme))
            browser.close()
        report_pagefind(work, figures, hits, cases, browse)
    finally:
        if args.keep is None:
            shutil.rmtree(work, ignore_errors=True)


def theme_name(work: Path, theme_id: str) -> str:
    import yaml

    themes = yaml.safe_load((work / "content" / "themes.yml").read_text(encoding="utf-8"))["themes"]
    return {t["id"]: t["name"] for t in themes}.get(theme_id, "Unsorted")


def bare(text: str) -> str:
    """Lowercase letters and digits only: "GPT-4o" and "GPT4o" are one name."""
    return re.sub(r"[\W_]+", "", text.lower())


def named_by(papers: list[dict], name: str) -> list[str]:
    """The papers a punctuated name should find first: those whose title holds it,
    else whose organisation does, else whose abstract does."""
    for field in ("title", "organization", "abstract"):
        found = [p["url"] for p in papers if bare(name) in bare(p[field] or "")]
        if found:
            return found
    return []


def measure_engine(browser, engine: Engine, url: str, queries: list[str], papers: list[dict]) -> None:
    print(f"\n{engine.name}: cold queries (fresh context each), served from {url}")
    rows = []
    for query in queries:
        result = cold_query(browser, engine, url, query)
        note = ""
        if query in PUNCTUATED:
            named = named_by(papers, query)
            first = result["top"][0].lstrip("/") if result["top"] else None
            note = "its paper first" if first in named else f"NOT FIRST (one of {len(named)} expected)"
        rows.append(result)
        shown = f"{result['seconds']:6.2f} s" if result["seconds"] == result["seconds"] else "no result"
        print(f"  {query!r:<28} {shown:>9}  {result['bytes'] / 1e6:6.2f} MB  {note}"
              + (f"  off-site: {result['offsite']}" if result["offsite"] else ""))
    # A query whose result never showed counts as infinitely slow.
    seconds = [r["seconds"] if r["seconds"] == r["seconds"] else float("inf") for r in rows]
    megabytes = [r["bytes"] / 1e6 for r in rows]
    print(f"  last key -> first result: median {statistics.median(seconds):.2f} s, max {max(seconds):.2f} s"
          f"   target <= {TIME_TARGET_MEDIAN} / {TIME_TARGET_MAX} s  "
          f"{verdict(statistics.median(seconds) <= TIME_TARGET_MEDIAN and max(seconds) <= TIME_TARGET_MAX)}")
    print(f"  downloaded per cold query: median {statistics.median(megabytes):.2f} MB, "
          f"max {max(megabytes):.2f} MB   target median <= {BYTES_TARGET_MB} MB  "
          f"{verdict(statistics.median(megabytes) <= BYTES_TARGET_MB)}")


def report_pagefind(work: Path, figures: dict, hits: dict[str, list[bool]], cases: dict,
                    browse: dict) -> None:
    for measure, found in hits.items():
        print(f"\npagefind: two distinctive title words ({measure}), paper in the top 3:")
        for (query, paper_url), hit in zip(cases[measure], found):
            if not hit:
                print(f"  missed: {query!r} -> {paper_url}")
        print(f"  {sum(found)} of {len(found)}   target >= {HITS_TARGET}  {verdict(sum(found) >= HITS_TARGET)}")
    print(f"  a theme chosen with no words: {browse['files']} files, {browse['bytes'] / 1e6:.2f} MB, "
          f"{browse['index_chunks']} index chunks")
    build_s, plain_s = figures["build_s"], figures["plain_s"]
    share = build_s / plain_s - 1
    site_mb = folder_size(work / "site") / 1e6
    print(f"\ndigest build {build_s:.1f} s, without the search index {plain_s:.1f} s: indexing adds "
          f"{share:.0%}   target <= {SHARE_TARGET:.0%}  {verdict(share <= SHARE_TARGET)}   "
          "(one pair; bench/build.py --runs 3 for a steadier figure)")
    print(f"pagefind bundle {folder_size(work / 'site' / 'pagefind') / 1e6:.1f} MB; whole site "
          f"{site_mb:.1f} MB   target <= {SITE_TARGET_MB} MB  {verdict(site_mb <= SITE_TARGET_MB)}")
    lunr_index = work / "site-lunr" / "search" / "search_index.json"
    if lunr_index.is_file():
        print(f"old engine: search_index.json {lunr_index.stat().st_size / 1e6:.1f} MB, "
              f"site {folder_size(work / 'site-lunr') / 1e6:.1f} MB")


if __name__ == "__main__":
    main()
