import base64
import io
import re
from decimal import Decimal
from urllib.parse import urljoin

import pytest
from django.conf import settings
from pypdf import PdfReader

from aidsite.lib import pdf
from aidsite.lib.pdf import (
    FetchRefused,
    StaticOnlyURLFetcher,
    html_to_pdf,
    render_pdf,
    render_pdf_volumes,
    split_into_volumes,
    static_file_for_url,
)

NAMES = ["张伟", "欧阳明轩", "李娜", "王芳"]
# A 1×1 transparent PNG.
PNG_DATA_URI = "data:image/png;base64," + base64.b64encode(
    bytes.fromhex(
        "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
        "1f15c4890000000d49444154789c63000100000500010d0a2db40000000049454e44ae426082"
    )
).decode()


def _rows(count, *, names=NAMES):
    return [
        {
            "number": i + 1,
            "name": names[i % len(names)],
            "school": "测试镇中心小学",
            "grade": "三年级2班",
            "item": "义务教育生活补助",
            "amount": Decimal("625.00"),
        }
        for i in range(count)
    ]


def _context(rows, **extra):
    return {
        "title": "学生资助发放签领表",
        "unit": "测试镇中心小学",
        "period": "2022年秋季学期",
        "rows": rows,
        "total": sum((row["amount"] for row in rows), Decimal("0")),
        "signers": ["制表人", "审核人", "单位负责人"],
        **extra,
    }


def _text(data: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)


@pytest.fixture
def fetches(monkeypatch):
    """Every URL WeasyPrint asks the fetcher for, with what became of it."""
    seen: list[tuple[str, str]] = []
    original = StaticOnlyURLFetcher.fetch

    def spy(self, url, headers=None):
        try:
            response = original(self, url, headers)
        except FetchRefused:
            seen.append((url, "refused"))
            raise
        seen.append((url, "served"))
        return response

    monkeypatch.setattr(StaticOnlyURLFetcher, "fetch", spy)
    return seen


def test_it_renders_chinese_names_as_real_text_with_an_embedded_subset_font():
    data = render_pdf("reports/sample_signsheet.html", _context(_rows(8)))

    text = _text(data)
    for name in NAMES:
        assert name in text
    assert "义务教育生活补助" in text
    fonts = {}
    for page in PdfReader(io.BytesIO(data)).pages:
        for font in page["/Resources"]["/Font"].values():
            font = font.get_object()
            fonts[font["/BaseFont"]] = font
    cjk = [font for name, font in fonts.items() if "CJK" in name and "Noto" in name]
    assert cjk, f"no Noto CJK font in {list(fonts)}"
    for font in cjk:
        # A Unicode map makes the glyphs text; a "XXXXXX+" prefix marks a subset.
        assert "/ToUnicode" in font
        assert re.match(r"^/[A-Z]{6}\+", font["/BaseFont"])


def test_it_numbers_pages_in_the_footer_and_repeats_the_table_header():
    data = render_pdf("reports/sample_signsheet.html", _context(_rows(90)))

    reader = PdfReader(io.BytesIO(data))
    total = len(reader.pages)
    assert total >= 3
    for number, page in enumerate(reader.pages, 1):
        text = page.extract_text()
        assert re.search(rf"第\s*{number}\s*页\s*共\s*{total}\s*页", text)
        assert "领取人签字" in text  # the thead is on every page


def test_it_writes_the_total_in_figures_and_in_capital_numerals():
    rows = _rows(3)
    rows[2]["amount"] = Decimal("1825.50")

    text = _text(render_pdf("reports/sample_signsheet.html", _context(rows)))

    assert "3,075.50" in text
    assert "叁仟零柒拾伍元伍角" in text


def test_it_prints_on_a4_portrait_or_landscape():
    portrait = PdfReader(io.BytesIO(render_pdf("reports/sample_signsheet.html", _context(_rows(2)))))
    landscape = PdfReader(
        io.BytesIO(render_pdf("reports/sample_signsheet.html", _context(_rows(2), landscape=True)))
    )

    width, height = (float(v) for v in portrait.pages[0].mediabox.upper_right)
    assert (round(width), round(height)) == (595, 842)
    width, height = (float(v) for v in landscape.pages[0].mediabox.upper_right)
    assert (round(width), round(height)) == (842, 595)


def test_it_serves_the_projects_static_files_to_the_renderer(fetches):
    render_pdf("reports/sample_signsheet.html", _context(_rows(1)))

    assert (urljoin(pdf.PDF_BASE_URL, f"{settings.STATIC_URL}reports/print.css"), "served") in fetches


def test_markup_in_user_text_stays_text_and_fetches_nothing(fetches):
    rows = _rows(2, names=['<img src="file:///etc/passwd">', '<img src="http://127.0.0.1:9/x">'])

    data = render_pdf("reports/sample_signsheet.html", _context(rows))

    assert not [url for url, _ in fetches if "passwd" in url or "127.0.0.1" in url]
    assert "root:" not in _text(data)


@pytest.mark.parametrize(
    "markup",
    [
        '<img src="file:///etc/passwd">',
        '<img src="http://127.0.0.1:9/x">',
        '<img src="https://example.com/logo.png">',
        '<link rel="stylesheet" href="file:///etc/passwd">',
        '<div style="background: url(http://127.0.0.1:9/bg)">x</div>',
        '<img src="/static/../../../../etc/passwd">',
        '<img src="/static/%2e%2e/%2e%2e/%2e%2e/etc/passwd">',
        '<img src="ftp://127.0.0.1/x">',
    ],
)
def test_the_fetcher_refuses_anything_but_static_files_and_data_uris(fetches, markup):
    # Defence in depth: even markup that escaped autoescaping loads nothing.
    data, pages = html_to_pdf(f"<html><body><p>张伟</p>{markup}</body></html>")

    assert fetches, "the fetcher was never asked"
    assert all(outcome == "refused" for _, outcome in fetches), fetches
    assert pages == 1
    assert "张伟" in _text(data)
    assert "root:" not in _text(data)


def test_the_fetcher_serves_data_uris(fetches):
    html_to_pdf(f'<html><body><img src="{PNG_DATA_URI}"></body></html>')

    assert fetches == [(PNG_DATA_URI, "served")]


@pytest.mark.parametrize(
    "url",
    [
        "file:///etc/passwd",
        "http://aidsite.invalid/static/reports/print.css",
        "https://example.com/static/reports/print.css",
        "https://aidsite.invalid/media/reports/print.css",
        "https://aidsite.invalid/static/../aidsite/settings.py",
        "https://aidsite.invalid/static/reports/..%2F..%2Faidsite%2Fsettings.py",
        "https://aidsite.invalid/static/reports%5C..%5Cprint.css",
        "https://aidsite.invalid/static//etc/passwd",
        "https://aidsite.invalid/static/reports/missing.css",
    ],
)
def test_only_existing_static_files_map_to_paths(url):
    assert static_file_for_url(url) is None


def test_a_static_url_maps_to_its_file():
    path = static_file_for_url(urljoin(pdf.PDF_BASE_URL, f"{settings.STATIC_URL}reports/print.css"))

    assert path is not None
    assert path.name == "print.css"


def test_it_splits_rows_into_volumes_by_key_and_size():
    rows = [("甲校", i) for i in range(5)] + [("乙校", i) for i in range(2)]

    volumes = list(split_into_volumes(rows, size=2, key=lambda row: row[0]))

    assert [len(volume) for volume in volumes] == [2, 2, 1, 2]
    assert volumes[3] == [("乙校", 0), ("乙校", 1)]


def test_it_renders_volumes_in_separate_processes_and_concatenates_them():
    contexts = [_context(_rows(40)), _context(_rows(5, names=["赵敏"])), _context(_rows(3))]
    out = io.BytesIO()
    progress = []

    pages = render_pdf_volumes(
        "reports/sample_signsheet.html", contexts, out=out, progress=lambda done, total: progress.append(done)
    )

    reader = PdfReader(io.BytesIO(out.getvalue()))
    assert pages == len(reader.pages) >= 4
    assert progress == [1, 2, 3]
    texts = [page.extract_text() for page in reader.pages]
    assert "第 1 册 共 3 册" in texts[0]
    # The second volume starts its own page count.
    second = next(i for i, text in enumerate(texts) if "赵敏" in text)
    assert "第 2 册 共 3 册" in texts[second]
    assert re.search(r"第\s*1\s*页\s*共\s*1\s*页", texts[second])
    assert "第 3 册 共 3 册" in texts[-1]
