"""Django template → PDF bytes with WeasyPrint: the one renderer every report uses.

Three things matter here and nowhere else:

* Fetching (SECURITY E4). The HTML may carry user text; autoescaping keeps
  it text, and should a template ever let markup through, the fetcher still
  serves nothing but the project's own static files (found through the
  staticfiles finders, so no path outside them) and ``data:`` URIs. ``file:``,
  ``http(s):`` to anywhere else, ``ftp:`` … all fail, and WeasyPrint carries
  on without the resource.
* Fonts. Chinese needs a CJK font: Debian's ``fonts-noto-cjk`` (``make
  setup`` installs it). The family is set on ``html`` in
  ``static/reports/print.css`` so the page-margin boxes (the footer) use it
  too. Fonts are subset (``full_fonts=False``): a whole Noto CJK face would
  add 15 MB to every file; ``libharfbuzz-subset0`` makes subsetting fast.
* Big batches. WeasyPrint's memory grows with the length of one document
  (2 GB for 300 pages), so big jobs are split into volumes (per school, or
  per 1,000 rows), each rendered in a fresh process, two at a time, and the
  volumes concatenated with pypdf. Page numbers restart in each volume and
  the footer also says 第 k 册 共 n 册: a volume is what gets printed,
  stapled and signed as one sheet, and numbering it on its own needs no
  second rendering pass (a running number across volumes would: a volume's
  first page is only known once every volume before it is laid out).
"""

from __future__ import annotations

import functools
import io
import itertools
import mimetypes
import multiprocessing
from collections.abc import Callable, Hashable, Iterable, Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from typing import Any, BinaryIO, TypeVar
from urllib.parse import unquote, urlsplit

from django.conf import settings
from django.contrib.staticfiles import finders
from django.contrib.staticfiles.storage import staticfiles_storage
from django.core.exceptions import SuspiciousFileOperation
from django.http import HttpRequest
from django.template.loader import render_to_string

# Relative URLs in report templates (`{% static %}` gives "/static/…") resolve
# against this base. The `.invalid` host (RFC 2606) can never be a real
# server; the fetcher below answers for it from the static files on disk.
PDF_BASE_URL = "https://aidsite.invalid/"
_BASE = urlsplit(PDF_BASE_URL)

ROWS_PER_VOLUME = 1000
VOLUME_WORKERS = 2

T = TypeVar("T")


class FetchRefused(ValueError):
    """A URL a report may not load; WeasyPrint logs it and renders without it."""


def static_file_for_url(url: str) -> Path | None:
    """The project static file that `url` names, or None if it names anything else."""
    parts = urlsplit(url)
    if (parts.scheme.lower(), parts.netloc.lower()) != (_BASE.scheme, _BASE.netloc):
        return None
    prefix = "/" + urlsplit(settings.STATIC_URL).path.strip("/") + "/"
    if not parts.path.startswith(prefix):
        return None
    relative = unquote(parts.path[len(prefix) :])
    segments = relative.split("/")
    # Finders already refuse to leave their roots (safe_join); refusing odd
    # paths here as well means an escape needs two bugs, not one.
    if not relative or "\\" in relative or "\x00" in relative:
        return None
    if any(segment in ("", ".", "..") for segment in segments):
        return None
    found = finders.find(relative) or _collected_file(relative)
    if not found or isinstance(found, list):
        return None
    path = Path(found)
    return path if path.is_file() else None


def _collected_file(relative: str) -> str | None:
    """A file `collectstatic` wrote. In production `{% static %}` links hashed names
    (reports/print.1a2b3c.css) that exist only in STATIC_ROOT, not in the finders' sources."""
    try:
        return staticfiles_storage.path(relative)
    except (NotImplementedError, SuspiciousFileOperation):
        return None


@functools.cache
def _static_only_fetcher() -> type:
    """The URL fetcher class, built on first use.

    WeasyPrint costs 0.8 s and 30 MB to import; only the processes that print
    pay it, not every web worker that merely registers the report kinds.
    """
    from weasyprint.urls import URLFetcher, URLFetcherResponse

    class StaticOnlyURLFetcher(URLFetcher):
        """Serves the project's static files and data: URIs; refuses every other URL."""

        def __init__(self) -> None:
            # The parent's own handlers only ever see data: URIs (see fetch).
            super().__init__(allowed_protocols={"data"}, allow_redirects=False)

        def fetch(self, url: str, headers: dict[str, str] | None = None) -> URLFetcherResponse:
            scheme = url.split(":", 1)[0].strip().lower()
            if scheme == "data":
                return super().fetch(url, headers)
            path = static_file_for_url(url)
            if path is None:
                raise FetchRefused(f"报表不加载外部资源：{url[:100]}")
            content_type = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
            return URLFetcherResponse(url, body=path.read_bytes(), headers={"Content-Type": content_type})

    return StaticOnlyURLFetcher


def __getattr__(name: str) -> Any:
    if name == "StaticOnlyURLFetcher":
        return _static_only_fetcher()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def html_to_pdf(html: str) -> tuple[bytes, int]:
    """PDF bytes and page count of an HTML string (already rendered and escaped)."""
    from weasyprint import HTML

    document = HTML(string=html, base_url=PDF_BASE_URL, url_fetcher=_static_only_fetcher()()).render()
    # Subset fonts: the whole Noto CJK face would add 15 MB to every file.
    return document.write_pdf(full_fonts=False), len(document.pages)


def render_pdf(template_name: str, context: dict[str, Any], *, request: HttpRequest | None = None) -> bytes:
    """Render a Django template (extending reports/base.html) to PDF bytes."""
    html = render_to_string(template_name, context, request=request)
    return html_to_pdf(html)[0]


def _render_volume(template_name: str, context: dict[str, Any]) -> tuple[bytes, int]:
    return html_to_pdf(render_to_string(template_name, context))


def _setup_django() -> None:
    import django

    django.setup()


def render_pdf_volumes(
    template_name: str,
    contexts: Sequence[dict[str, Any]],
    *,
    out: BinaryIO,
    workers: int = VOLUME_WORKERS,
    progress: Callable[[int, int], None] | None = None,
    in_process: bool = False,
) -> int:
    """Render one volume per context in separate processes and write them as one PDF.

    Each context gets `volume_number` and `volume_count` (reports/base.html
    puts 第 k 册 共 n 册 in the footer when there is more than one). Contexts
    must be picklable: plain rows, not querysets. Returns the total page count.
    `in_process` renders them here, one after another: for small runs, where
    starting processes costs more than the memory they would save.
    """
    count = len(contexts)
    numbered = [{**context, "volume_number": k, "volume_count": count} for k, context in enumerate(contexts, 1)]
    if count == 1:
        # One volume: no process start-up cost, and nothing to concatenate.
        data, pages = _render_volume(template_name, numbered[0])
        out.write(data)
        if progress is not None:
            progress(1, 1)
        return pages
    if in_process:
        results = (_render_volume(template_name, context) for context in numbered)
        return _concatenate(results, count, out=out, progress=progress)
    # "spawn": a fresh interpreter per worker, so no database connection or
    # thread state is inherited; and one volume per process (max_tasks_per_child)
    # so WeasyPrint's caches never hold more than one volume's worth of memory.
    executor = ProcessPoolExecutor(
        max_workers=min(workers, count),
        mp_context=multiprocessing.get_context("spawn"),
        initializer=_setup_django,
        max_tasks_per_child=1,
    )
    with executor:
        results = executor.map(_render_volume, itertools.repeat(template_name), numbered)
        return _concatenate(results, count, out=out, progress=progress)


def _concatenate(
    results: Iterable[tuple[bytes, int]],
    count: int,
    *,
    out: BinaryIO,
    progress: Callable[[int, int], None] | None,
) -> int:
    # pypdf (with its crypto and font tools) is loaded by the processes that join volumes only.
    from pypdf import PdfReader, PdfWriter

    writer = PdfWriter()
    pages = 0
    for done, (data, page_count) in enumerate(results, 1):
        writer.append(PdfReader(io.BytesIO(data)))
        pages += page_count
        if progress is not None:
            progress(done, count)
    writer.write(out)
    return pages


def split_into_volumes(
    rows: Iterable[T], *, size: int = ROWS_PER_VOLUME, key: Callable[[T], Hashable] | None = None
) -> Iterator[list[T]]:
    """Consecutive runs of `rows`: a new volume when `key` changes or `size` rows are reached.

    Sort the rows by `key` first (e.g. school), as itertools.groupby would need.
    """
    groups = itertools.groupby(rows, key=key) if key else [(None, iter(rows))]
    for _, group in groups:
        while chunk := list(itertools.islice(group, size)):
            yield chunk
