"""SECURITY E5: one enormous cell in a small workbook is refused before openpyxl parses it."""

from __future__ import annotations

import io
import tracemalloc
import zipfile
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.core.management.base import CommandError

from aidsite.access import SystemActor
from aidsite.models import Role
from students.importing import ImportFileError, roster_import
from students.models import Student
from tests.factories import make_user

pytestmark = pytest.mark.django_db

IMPORTER = SystemActor("测试导入")

BIG = 40 * 1024 * 1024  # characters in the one bad cell
CHUNK = 1024 * 1024

_CONTENT_TYPES = (
    '<?xml version="1.0" encoding="UTF-8"?>'
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
    '<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
    '<Override PartName="/xl/sharedStrings.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/>'
    "</Types>"
)
_ROOT_RELS = (
    '<?xml version="1.0" encoding="UTF-8"?>'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/>'
    "</Relationships>"
)
_WORKBOOK = (
    '<?xml version="1.0" encoding="UTF-8"?>'
    '<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
    'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
    '<sheets><sheet name="Sheet1" sheetId="1" r:id="rId1"/></sheets></workbook>'
)
_WORKBOOK_RELS = (
    '<?xml version="1.0" encoding="UTF-8"?>'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/>'
    '<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings" Target="sharedStrings.xml"/>'
    "</Relationships>"
)
_MAIN = 'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"'


def _write_parts(archive: zipfile.ZipFile, parts: dict[str, list[str | int]]) -> None:
    """Each part is a list of text pieces; an int piece is that many 'A's, streamed in chunks."""
    for name, pieces in parts.items():
        with archive.open(name, "w") as out:
            for piece in pieces:
                if isinstance(piece, int):
                    for start in range(0, piece, CHUNK):
                        out.write(b"A" * min(CHUNK, piece - start))
                else:
                    out.write(piece.encode())


def _workbook(path: Path, *, sheet: list[str | int], shared: list[str | int]) -> Path:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        _write_parts(
            archive,
            {
                "[Content_Types].xml": [_CONTENT_TYPES],
                "_rels/.rels": [_ROOT_RELS],
                "xl/workbook.xml": [_WORKBOOK],
                "xl/_rels/workbook.xml.rels": [_WORKBOOK_RELS],
                "xl/worksheets/sheet1.xml": sheet,
                "xl/sharedStrings.xml": shared,
            },
        )
    return path


def _sheet(*cells: str) -> list[str | int]:
    return [f'<?xml version="1.0" encoding="UTF-8"?><worksheet {_MAIN}><sheetData><row r="1">', *cells, "</row></sheetData></worksheet>"]


def _huge_shared_string(path: Path) -> Path:
    return _workbook(
        path,
        sheet=_sheet('<c r="A1" t="s"><v>0</v></c>', '<c r="B1" t="s"><v>1</v></c>'),
        shared=[f'<?xml version="1.0" encoding="UTF-8"?><sst {_MAIN} count="2" uniqueCount="2"><si><t>姓名</t></si><si><t>', BIG, "</t></si></sst>"],
    )


def _empty_shared() -> list[str | int]:
    return [f'<?xml version="1.0" encoding="UTF-8"?><sst {_MAIN} count="0" uniqueCount="0"></sst>']


def test_a_huge_shared_string_is_refused_in_small_memory(tmp_path):
    path = _huge_shared_string(tmp_path / "bomb.xlsx")
    assert path.stat().st_size < 1024 * 1024  # a small file that inflates to 40 MB
    tracemalloc.start()
    try:
        with pytest.raises(ImportFileError, match="超过 32767 个字符"):
            roster_import(actor=IMPORTER, kind="students", source=path)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 4 * 1024 * 1024, f"peak {peak / 1048576:.1f} MB"
    assert Student.objects.count() == 0


def test_a_huge_inline_string_in_the_sheet_is_refused(tmp_path):
    path = _workbook(
        tmp_path / "inline.xlsx",
        sheet=_sheet('<c r="A1" t="inlineStr"><is><t>', BIG, "</t></is></c>"),
        shared=_empty_shared(),
    )
    with pytest.raises(ImportFileError, match="超过 32767 个字符"):
        roster_import(actor=IMPORTER, kind="students", source=path)


def test_a_cell_split_into_many_rich_text_runs_counts_as_one(tmp_path, settings):
    settings.IMPORT_MAX_CELL_CHARS = 1000
    runs = [piece for _ in range(5) for piece in ("<r><t>", 400, "</t></r>")]
    path = _workbook(
        tmp_path / "runs.xlsx",
        sheet=_sheet('<c r="A1" t="s"><v>0</v></c>'),
        shared=[f'<?xml version="1.0" encoding="UTF-8"?><sst {_MAIN}><si>', *runs, "</si></sst>"],
    )
    with pytest.raises(ImportFileError, match="超过 1000 个字符"):
        roster_import(actor=IMPORTER, kind="students", source=path)


def test_many_cells_under_the_cap_are_read_as_usual(tmp_path, settings):
    settings.IMPORT_MAX_CELL_CHARS = 1000
    cells = [f'<c r="A{i}" t="inlineStr"><is><t>{"甲" * 900}</t></is></c>' for i in range(1, 4)]
    path = _workbook(tmp_path / "ok.xlsx", sheet=_sheet(*cells), shared=_empty_shared())
    # Past the cap check: the sheet is read, and refused only for having no header row.
    with pytest.raises(ImportFileError, match="找不到表头行"):
        roster_import(actor=IMPORTER, kind="students", source=path)


def test_a_dtd_is_refused(tmp_path):
    path = _workbook(
        tmp_path / "dtd.xlsx",
        sheet=['<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaaa">]>', f"<worksheet {_MAIN}><sheetData/></worksheet>"],
        shared=_empty_shared(),
    )
    with pytest.raises(ImportFileError, match="DTD"):
        roster_import(actor=IMPORTER, kind="students", source=path)


def test_the_import_command_reports_the_refusal(tmp_path):
    path = _huge_shared_string(tmp_path / "bomb.xlsx")
    with pytest.raises(CommandError, match="超过 32767 个字符"):
        call_command("import_xlsx", "students", str(path))


def test_the_import_page_shows_the_refusal(client, tmp_path):
    client.force_login(make_user(role=Role.COUNTY_ADMIN))
    data = _huge_shared_string(tmp_path / "bomb.xlsx").read_bytes()
    response = client.post(
        "/admin/students/student/import/",
        {"action": "preview", "file": SimpleUploadedFile("bomb.xlsx", data)},
    )
    assert response.status_code == 200
    assert "超过 32767 个字符" in response.content.decode()


def test_io_sources_are_checked_too(tmp_path):
    data = _huge_shared_string(tmp_path / "bomb.xlsx").read_bytes()
    with pytest.raises(ImportFileError, match="超过 32767 个字符"):
        roster_import(actor=IMPORTER, kind="students", source=io.BytesIO(data))
