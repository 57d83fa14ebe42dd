"""Command-line interface: argument parsing only; the work lives in the library modules."""

from __future__ import annotations

import os
import sys
from datetime import date, datetime, timezone
from pathlib import Path

import click

from .model import DigestError, Problem

CONTENT = Path("content")


def _content_option(func):
    return click.option(
        "--content",
        type=click.Path(file_okay=False, path_type=Path),
        default=CONTENT,
        show_default=True,
        help="Content folder: dumps/, papers/, themes.yml, schema/.",
    )(func)


def _iso_date(ctx, param, value):
    if value is None:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise click.BadParameter(f"expected a date as YYYY-MM-DD, got {value!r}") from None


def _command_data(text: str) -> str:
    """A workflow command's message, escaped as GitHub's runner unescapes it."""
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _command_property(text: str) -> str:
    """A workflow command's property value: `:` and `,` would end it early."""
    return _command_data(text).replace(":", "%3A").replace(",", "%2C")


def annotation(problem: Problem, level: str) -> str:
    """The `::error file=...,line=...::message` line that puts a problem on a pull request's line."""
    return (f"::{level} file={_command_property(problem.path)},line={problem.line},"
            f"col={problem.col}::{_command_data(f'{problem.code} {problem.message}')}")


def report_problems(problems: list[Problem], strict: bool = False) -> None:
    """Print problems sorted, one per line; in GitHub Actions also as annotations
    (a warning that fails the run under --strict is annotated as an error)."""
    annotate = os.environ.get("GITHUB_ACTIONS") == "true"
    for problem in sorted(problems):
        click.echo(str(problem), err=True)
        if annotate:
            level = "error" if problem.severity == "error" or strict else "warning"
            click.echo(annotation(problem, level))


class DigestGroup(click.Group):
    """Turns a DigestError into clean lines on stderr and exit status 1, never a traceback."""

    def invoke(self, ctx):
        try:
            return super().invoke(ctx)
        except DigestError as exc:
            if exc.problems:
                report_problems(exc.problems)
            click.secho(f"Error: {exc}", fg="red", err=True)
            sys.exit(1)


@click.group(cls=DigestGroup)
@click.version_option(package_name="paper-digest")
def main():
    """Paper Digest: build a curated research-paper digest site from Daily Papers dumps."""


@main.command()
@click.argument("dumps", nargs=-1, type=click.Path(exists=True, path_type=Path))
@_content_option
@click.option("--date", "fallback_date", callback=_iso_date, metavar="YYYY-MM-DD",
              help="`added` date for dumps without a header day (default: the ingest date).")
@click.option("--today", callback=_iso_date, metavar="YYYY-MM-DD",
              help="The ingest date (default: today); header days take their year from it.")
@click.option("--dry-run", is_flag=True, help="Print the ledger and write nothing.")
@click.option("--quiet", "-q", is_flag=True, help="No progress bar.")
def ingest(dumps, content, fallback_date, today, dry_run, quiet):
    """Parse DUMPS (files or folders; default CONTENT/dumps) into the YAML library."""
    from .ingest import run_ingest

    run_ingest(
        list(dumps) or [content / "dumps"],
        content / "papers",
        today=today or date.today(),
        fallback_date=fallback_date,
        dry_run=dry_run,
        progress=not quiet,
    )


@main.command()
@_content_option
@click.option("--strict", is_flag=True, help="Warnings fail the check too.")
def check(content, strict):
    """Validate every paper file and themes.yml; print path:line:col: CODE message."""
    from .validate import check_library

    library = check_library(content)
    problems, papers = library.problems, len(library.reads)
    report_problems(problems, strict)
    errors = [p for p in problems if p.severity == "error" or strict]
    if errors:
        click.secho(f"{len(errors)} problem(s) in {papers} paper files.", fg="red", err=True)
        sys.exit(1)
    click.echo(f"OK: {papers} paper files, {len(problems)} warning(s).", err=True)


@main.command()
@_content_option
@click.option("--check", "check_only", is_flag=True,
              help="Write nothing; exit 1 if any file is not in the house style.")
def fmt(content, check_only):
    """Rewrite library YAML in the house style (comments kept)."""
    from .fmt import format_library

    changed = format_library(content, write=not check_only)
    verb = "would reformat" if check_only else "reformatted"
    for path in changed:
        click.echo(f"{verb} {path}", err=True)
    click.echo(f"{len(changed)} file(s) {verb}.", err=True)
    if check_only and changed:
        sys.exit(1)


@main.command()
@_content_option
@click.option("--site", "site_dir", type=click.Path(file_okay=False, path_type=Path),
              default=Path("site"), show_default=True, help="Where the built site goes.")
@click.option("--quiet", "-q", is_flag=True, help="No progress display.")
@click.option("--no-search-index", "no_index", is_flag=True,
              help="Build without the search index (a quicker preview, or to time what "
                   "indexing adds); the site's search then finds nothing.")
def build(content, site_dir, quiet, no_index):
    """Check the library, render the Markdown pages and build the site with MkDocs."""
    from .site import build_site

    build_site(content, site_dir, progress=not quiet, search=not no_index)


@main.command()
@_content_option
@click.option("--dev-addr", default="127.0.0.1:8000", show_default=True,
              help="host:port to serve on.")
def serve(content, dev_addr):
    """Preview the site, rebuilding when content or templates change."""
    from .site import serve_site

    serve_site(content, dev_addr)


@main.command()
@click.argument("folder", type=click.Path(file_okay=False, path_type=Path))
def init(folder):
    """Create a new digest in FOLDER: content/, themes, mkdocs.yml, a workflow and a README."""
    from .new_digest import create_digest

    written = create_digest(folder)
    click.echo(f"Created a digest in {folder} ({len(written)} files). Next:", err=True)
    click.echo(f"  cd {folder}\n  (put dumps in content/dumps/)\n  digest ingest\n  digest build",
               err=True)


@main.command()
@_content_option
@click.option("--date", "day", callback=_iso_date, metavar="YYYY-MM-DD",
              help="The one day to fetch (default: today, UTC).")
@click.option("--since", callback=_iso_date, metavar="YYYY-MM-DD",
              help="Fetch every day from this one to --until.")
@click.option("--until", callback=_iso_date, metavar="YYYY-MM-DD",
              help="The last day for --since (default: today, UTC).")
@click.option("--refresh", is_flag=True, help="Fetch days already saved again.")
@click.option("--ingest", "then_ingest", is_flag=True, help="Then run `digest ingest` on CONTENT/dumps.")
@click.option("--api-url", envvar="DIGEST_HF_API", show_envvar=True, metavar="URL",
              help="The Daily Papers API endpoint, asked with ?date=YYYY-MM-DD "
                   "(default: https://huggingface.co/api/daily_papers).")
@click.option("--timeout", type=click.FloatRange(min=0.1), default=30.0, show_default=True,
              help="Seconds to wait for a connection or an answer before retrying.")
@click.option("--quiet", "-q", is_flag=True, help="No progress bar.")
def fetch(content, day, since, until, refresh, then_ingest, api_url, timeout, quiet):
    """Save each day's Hugging Face Daily Papers API response as CONTENT/dumps/YYYY-MM-DD.json."""
    from .fetch import DEFAULT_API_URL, FetchPolicy, days_between, print_report, run_fetch
    from .ingest import run_ingest

    today = datetime.now(timezone.utc).date()
    if day is not None and (since or until):
        raise click.UsageError("give --date, or --since with an optional --until, not both")
    if until is not None and since is None:
        raise click.UsageError("--until needs --since")
    days = [day or today] if since is None else days_between(since, until or today)
    report = run_fetch(days, content / "dumps", api_url=api_url or DEFAULT_API_URL, refresh=refresh,
                       policy=FetchPolicy(timeout=timeout), progress=not quiet)
    print_report(report)
    if then_ingest:
        run_ingest([content / "dumps"], content / "papers", today=date.today(), progress=not quiet)
    if report.failed:
        raise DigestError(f"{len(report.failed)} day(s) failed: "
                          f"{', '.join(map(str, sorted(report.failed)))}; the others were saved")


@main.command()
@_content_option
@click.option("--explain", "paper_id", metavar="ID", help="Why the paper with this id has its themes.")
@click.option("--report", is_flag=True,
              help="Per-theme precision and recall on the labelled papers, and the Unsorted share.")
def themes(content, paper_id, report):
    """Explain theme assignments, or report how well they match the labelled papers."""
    from .reader import read_library
    from .theme_model import train_model
    from .theme_report import explain_paper, report as theme_report
    from .themes import load_taxonomy

    if not paper_id and not report:
        raise click.UsageError("give --explain ID or --report")
    library = read_library(content)
    library.raise_errors("fix the files first (see `digest check`)")
    papers = library.papers
    model = train_model(load_taxonomy(content / "themes.yml"), pinned=papers)
    if paper_id:
        paper = next((p for p in papers if p.id == paper_id), None)
        if paper is None:
            raise DigestError(f"{content / 'papers' / paper_id}.yaml: no paper with id {paper_id!r}")
        click.echo("\n".join(explain_paper(paper, model)))
    if report:
        click.echo("\n".join(theme_report(model, papers)))
