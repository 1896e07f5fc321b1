"""Reading the messy Excel sheets offices really have.

Rosters arrive with a merged title row and a "填报单位" line above the header,
full-width brackets and stray spaces in headers, IDs stored as Excel numbers,
是/否/√/blank for yes and no, several categories in one cell, and a footer
"制表人：… 审核人：…" followed by blank rows. This module finds the header row
itself, maps headers through aliases, streams the data rows (openpyxl
read-only) and offers the cell normalisers the importers share. It checks the
archive before openpyxl parses it (SECURITY B8, E5): a real .xlsx zip, no
macros, member count and uncompressed size capped.

It is also the one place workbooks are written (xlsxwriter; openpyxl only
reads) and the one formula escaper every export uses. It imports no app.
"""

from __future__ import annotations

import datetime
import re
import unicodedata
import zipfile
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from itertools import chain, islice
from pathlib import Path
from typing import IO, Any
from xml.parsers import expat

from django.utils import timezone

# The importers' control-character rule is the one every form and model uses.
from aidsite.lib.text import has_control_characters as has_control_characters
from aidsite.lib.text import printable

XLSX_MAGIC = b"PK\x03\x04"
MAX_ARCHIVE_MEMBERS = 1000
# Excel's own limit for one cell; a roster cell needs a few hundred characters at most.
MAX_CELL_CHARS = 32767
_XML_CHUNK = 64 * 1024
HEADER_SEARCH_ROWS = 30

# What each sheet column may be called (after `normalize_header`) and what it means.
_BRACKETS = str.maketrans(
    {"[": "(", "]": ")", "【": "(", "】": ")", "〔": "(", "〕": ")", "〖": "(", "〗": ")"}
)
_SPACES = re.compile(r"\s+")
_XML_ESCAPE = re.compile(r"_x([0-9A-Fa-f]{4})_")
_EXCEL_SCIENTIFIC = re.compile(r"^[+-]?\d+(?:\.\d*)?[eE][+-]?\d+$")
_DECIMAL_TEXT = re.compile(r"^\d+\.\d+$")
_EXCEL_DIGITS = 15  # significant digits Excel keeps of a number
_LIST_SEPARATORS = re.compile(r"[、,，/／;；\s]+")
_FOOTER_WORDS = (
    "制表人",
    "填表人",
    "填报人",
    "审核人",
    "负责人",
    "单位负责人",
    "制表日期",
    "填表日期",
    "填报日期",
    "合计",
    "总计",
    "注:",
    "备注:",
    "说明:",
)

YES_WORDS = frozenset({"是", "√", "✓", "✔", "☑", "Y", "YES", "TRUE", "1", "有", "对"})
NO_WORDS = frozenset(
    {"", "否", "×", "✗", "✘", "☒", "X", "N", "NO", "FALSE", "0", "无", "不是", "-", "—", "/"}
)


class SheetError(ValueError):
    """A whole-file problem (not an xlsx, too big, no header row); the message is shown to users."""


class CellError(ValueError):
    """One cell that cannot be read as what its column needs; the message is shown to users."""


# ---------------------------------------------------------------------------
# The archive, before any XML is parsed


def _source_name(source: Any) -> str:
    if isinstance(source, str | Path):
        return str(source)
    return str(getattr(source, "name", "") or "")


def _source_size(source: Any) -> int:
    if isinstance(source, str | Path):
        return Path(source).stat().st_size
    position = source.tell()
    source.seek(0, 2)
    size = source.tell()
    source.seek(position)
    return size


def check_xlsx_archive(
    source: str | Path | IO[bytes],
    *,
    max_file_bytes: int,
    max_uncompressed_bytes: int,
    max_members: int = MAX_ARCHIVE_MEMBERS,
    max_cell_chars: int = MAX_CELL_CHARS,
) -> None:
    """Refuse anything but a plain .xlsx of sane size before openpyxl opens it.

    Checks the file size, the zip magic, macro-enabled files (.xlsm, a
    `vbaProject.bin` part or a macro content type), the number of members and
    the sum of their declared uncompressed sizes (a zip bomb declares little
    and inflates much, so the sizes are capped again while inflating is left to
    openpyxl, which reads members in streaming mode), then the length of every
    cell and shared string (`_check_text_lengths`): openpyxl holds a whole
    cell in memory, so one 300 MB cell in a 300 KB file would cost gigabytes.
    """
    name = _source_name(source).lower()
    if name.endswith((".xlsm", ".xltm", ".xlam")):
        raise SheetError("不接受含宏的 Excel 文件（.xlsm），请另存为 .xlsx 后再导入")
    if name.endswith((".xls", ".csv", ".et", ".wps")):
        raise SheetError("只接受 .xlsx 格式的 Excel 文件，请在 Excel 中另存为 .xlsx 后再导入")
    size = _source_size(source)
    if size == 0:
        raise SheetError("文件是空的")
    if size > max_file_bytes:
        raise SheetError(
            f"文件过大（{size / 1048576:.1f} MB），上限为 {max_file_bytes / 1048576:.0f} MB"
        )
    if isinstance(source, str | Path):
        with open(source, "rb") as handle:
            magic = handle.read(4)
    else:
        position = source.tell()
        source.seek(0)
        magic = source.read(4)
        source.seek(position)
    if magic != XLSX_MAGIC:
        raise SheetError("不是 .xlsx 格式的 Excel 文件（如为 .xls 或 WPS 格式，请另存为 .xlsx）")
    try:
        archive = zipfile.ZipFile(source)
    except (zipfile.BadZipFile, OSError) as exc:
        raise SheetError("Excel 文件已损坏，无法打开") from exc
    try:
        members = archive.infolist()
        if len(members) > max_members:
            raise SheetError(f"Excel 文件内部结构异常（{len(members)} 个部件），拒绝导入")
        total = 0
        names = set()
        for member in members:
            total += member.file_size
            names.add(member.filename)
            if member.filename.lower().endswith("vbaproject.bin"):
                raise SheetError("不接受含宏的 Excel 文件（.xlsm），请另存为 .xlsx 后再导入")
        if total > max_uncompressed_bytes:
            raise SheetError(
                f"Excel 文件解压后过大（{total / 1048576:.0f} MB），上限为 "
                f"{max_uncompressed_bytes / 1048576:.0f} MB"
            )
        if "[Content_Types].xml" not in names or not any(n.startswith("xl/") for n in names):
            raise SheetError("不是 .xlsx 格式的 Excel 文件")
        with archive.open("[Content_Types].xml") as handle:
            content_types = handle.read(1024 * 1024)
        if b"macroEnabled" in content_types:
            raise SheetError("不接受含宏的 Excel 文件（.xlsm），请另存为 .xlsx 后再导入")
        for member in members:
            if member.filename.lower().endswith((".xml", ".rels", ".vml")):
                _check_text_lengths(archive, member, max_cell_chars)
    finally:
        archive.close()
    if not isinstance(source, str | Path):
        source.seek(0)


class _TextTooLong(Exception):
    pass


# What may sit inside one cell's text: a cell (`c`) holds its value, formula or inline string
# (`is`); a shared string (`si`) holds rich-text runs with their fonts and phonetic guides.
# Any other element ends the cell, so whitespace between rows and parts is never summed.
_INSIDE_CELL = frozenset(
    {
        "v", "f", "is", "t", "r", "rPr", "rPh", "phoneticPr", "b", "i", "u", "strike", "sz",
        "color", "rFont", "family", "charset", "scheme", "vertAlign", "outline", "shadow",
        "condense", "extend", "extLst", "ext",
    }
)  # fmt: skip


def _check_text_lengths(archive: zipfile.ZipFile, member: zipfile.ZipInfo, max_chars: int) -> None:
    """Stream one XML part through expat and refuse any cell or text run over `max_chars` characters.

    Memory stays at one 64 KB chunk whatever the cell's size: expat reports
    text in pieces and nothing is kept but two counters. Only element starts
    are handled (half the callbacks of start and end): a run ends at any tag,
    a cell's sum at any element that cannot be inside a cell. A DTD is refused
    outright (an .xlsx never has one), so no entity can expand either.
    """
    parser = expat.ParserCreate()
    parser.ordered_attributes = True  # a list per element is cheaper than a dict
    counts = [0, 0]  # the current text run, the current cell

    def refuse_dtd(*args: Any) -> None:
        raise SheetError("Excel 文件内部结构异常（含有 DTD），拒绝导入")

    def start(name: str, attributes: Any) -> None:
        counts[0] = 0
        if name.rpartition(":")[2] not in _INSIDE_CELL:
            counts[1] = 0

    def text(data: str) -> None:
        counts[0] += len(data)
        counts[1] += len(data)
        if counts[1] > max_chars or counts[0] > max_chars:
            raise _TextTooLong

    parser.StartDoctypeDeclHandler = refuse_dtd
    parser.EntityDeclHandler = refuse_dtd
    parser.StartElementHandler = start
    parser.CharacterDataHandler = text
    try:
        with archive.open(member) as stream:
            while chunk := stream.read(_XML_CHUNK):
                parser.Parse(chunk, False)
            parser.Parse(b"", True)
    except _TextTooLong:
        raise SheetError(
            f"Excel 文件中有单元格的内容超过 {max_chars} 个字符（{member.filename}），"
            "不是正常的名册，拒绝导入；请检查是否粘贴了大段文字"
        ) from None
    except (expat.ExpatError, zipfile.BadZipFile, EOFError, OSError) as exc:
        raise SheetError("Excel 文件已损坏，无法打开") from exc


# ---------------------------------------------------------------------------
# Headers


def normalize_header(value: object) -> str:
    """Full-width to half-width (NFKC), every space removed, brackets folded to (), `*` marks dropped."""
    text = unicodedata.normalize("NFKC", str(value if value is not None else ""))
    text = _SPACES.sub("", text).translate(_BRACKETS)
    return text.strip("*:").upper()


@dataclass(frozen=True)
class Column:
    """One column a sheet may carry: its key, the names it goes by and whether it must be there."""

    key: str
    aliases: tuple[str, ...]
    required: bool = False

    @property
    def label(self) -> str:
        return self.aliases[0]


@dataclass
class SheetLayout:
    """Where the header row is and which column index holds which key."""

    header_row: int  # as Excel shows it
    positions: dict[str, int]  # key -> 0-based column index
    headers: dict[str, str]  # key -> the header text as written in the file
    sheet_title: str = ""


@dataclass
class SheetRow:
    """One data row: its Excel row number and the raw cell values by column key."""

    number: int
    values: dict[str, Any] = field(default_factory=dict)


def _alias_table(columns: Sequence[Column]) -> dict[str, str]:
    table: dict[str, str] = {}
    for column in columns:
        for alias in column.aliases:
            table.setdefault(normalize_header(alias), column.key)
    return table


def match_header_row(
    cells: Sequence[Any], columns: Sequence[Column], key_columns: Iterable[str]
) -> dict[str, int] | None:
    """Column positions if this row's cells (whole cells, not substrings) name every key column."""
    table = _alias_table(columns)
    positions: dict[str, int] = {}
    for index, cell in enumerate(cells):
        if cell is None or not isinstance(cell, str):
            continue
        key = table.get(normalize_header(cell))
        if key is not None and key not in positions:
            positions[key] = index
    if all(key in positions for key in key_columns):
        return positions
    return None


# ---------------------------------------------------------------------------
# Cells


def cell_text(value: object) -> str:
    """A cell as trimmed text: NFKC, OOXML `_xHHHH_` escapes decoded, integral numbers without `.0`."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if value.is_integer() and abs(value) < 2**53:
            return str(int(value))
        return repr(value)
    if isinstance(value, Decimal):
        return format(value.normalize(), "f")
    text = str(value)
    if "_x" in text:
        # Excel writes control characters as `_x0000_`; openpyxl hands them over undecoded.
        text = _XML_ESCAPE.sub(lambda m: chr(int(m.group(1), 16)), text)
    return unicodedata.normalize("NFKC", text).strip()


def is_blank_row(cells: Sequence[Any]) -> bool:
    return all(cell is None or (isinstance(cell, str) and not cell.strip()) for cell in cells)


def is_footer_row(cells: Sequence[Any]) -> bool:
    """`制表人：… 审核人：…`, `合计` and the like, in the row's first non-empty cell."""
    for cell in cells:
        if cell is None or (isinstance(cell, str) and not cell.strip()):
            continue
        if not isinstance(cell, str):
            return False
        text = normalize_header(cell)
        return text.startswith(_FOOTER_WORDS)
    return False


def parse_yes_no(value: object) -> bool:
    """是/否, √/×, Y/N, 1/0; blank is no. Anything else raises CellError."""
    text = cell_text(value).upper()
    text = _SPACES.sub("", text)
    if text in YES_WORDS:
        return True
    if text in NO_WORDS:
        return False
    raise CellError(f"“{cell_text(value)}”不是 是/否")


def split_list(value: object) -> list[str]:
    """Several words in one cell, separated by 、 , ， / ; or spaces; order kept, repeats dropped."""
    words: list[str] = []
    for word in _LIST_SEPARATORS.split(cell_text(value)):
        if word and word not in words:
            words.append(word)
    return words


def id_cell_text(value: object) -> str:
    """The text of an ID-number cell; refuses a number Excel has already rounded (SECURITY B2).

    An exact integer cell (`<v>370829201906019631</v>`, as other programs write
    it) is fine: the reader hands it over as an int with every digit. A float,
    text like `4.20984E+17`, or an integer with only 15 significant digits
    (what Excel keeps of a number) means the last digits are gone: they cannot
    be recovered, so this is an error rather than a guess.
    """
    if isinstance(value, bool):
        raise CellError("身份证号不能是是/否值")
    lost = "身份证号被 Excel 存成了数字，末尾几位已丢失；请把该列设为“文本”格式后重新录入"
    if isinstance(value, float):
        raise CellError(lost)
    if isinstance(value, int):
        digits = str(value)
        if len(digits) > _EXCEL_DIGITS and len(digits.rstrip("0")) <= _EXCEL_DIGITS:
            raise CellError(lost)
        return digits
    text = cell_text(value)
    compact = _SPACES.sub("", text)
    if _EXCEL_SCIENTIFIC.match(compact) or _DECIMAL_TEXT.match(compact):
        raise CellError(
            f"身份证号“{compact}”是 Excel 科学计数法显示的数字，末尾几位已丢失；"
            "请把该列设为“文本”格式后重新录入"
        )
    return text


def parse_decimal(value: object, *, unit: str = "元") -> Decimal:
    """`1200`, `1,200.00`, `1200元`; blank is 0. Raises CellError for anything else."""
    if isinstance(value, bool):
        raise CellError("应为金额")
    if isinstance(value, int | float | Decimal):
        number = Decimal(str(value))
    else:
        text = _SPACES.sub("", cell_text(value)).replace(",", "").removesuffix(unit)
        if not text:
            return Decimal("0")
        try:
            number = Decimal(text)
        except InvalidOperation as exc:
            raise CellError(f"“{cell_text(value)}”不是金额") from exc
    if not number.is_finite():
        raise CellError(f"“{cell_text(value)}”不是金额")
    return number


# ---------------------------------------------------------------------------
# Streaming a sheet


def read_sheet(
    source: str | Path | IO[bytes],
    *,
    columns: Sequence[Column],
    key_columns: Sequence[str],
    max_rows: int,
) -> tuple[SheetLayout, Iterator[SheetRow]]:
    """Find the header row of the first sheet that has one; stream its data rows.

    Rows above the header (titles, 填报单位) are skipped; blank rows are
    skipped; reading stops at a footer row (制表人、审核人、合计). Raises
    SheetError when no sheet has a header naming the key columns, when a
    required column is missing or when there are more than `max_rows` rows.
    Call `check_xlsx_archive` first.
    """
    from openpyxl import load_workbook

    try:
        workbook = load_workbook(source, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds for damaged files
        raise SheetError("Excel 文件已损坏或不是 .xlsx 格式，无法读取") from exc

    labels = "、".join(
        next(column.label for column in columns if column.key == key) for key in key_columns
    )
    for worksheet in workbook.worksheets:
        if not hasattr(worksheet, "iter_rows"):
            continue  # a chart sheet
        if hasattr(worksheet, "reset_dimensions"):
            # Some writers record a wrong sheet size; read what is there.
            worksheet.reset_dimensions()
        rows = worksheet.iter_rows(values_only=True)
        for number, cells in enumerate(rows, start=1):
            if number > HEADER_SEARCH_ROWS:
                break
            positions = match_header_row(cells, columns, key_columns)
            if positions is None:
                continue
            missing = [c.label for c in columns if c.required and c.key not in positions]
            if missing:
                workbook.close()
                raise SheetError(
                    f"工作表“{worksheet.title}”第 {number} 行的表头缺少必需的列：{'、'.join(missing)}"
                )
            layout = SheetLayout(
                header_row=number,
                positions=positions,
                headers={key: str(cells[index]).strip() for key, index in positions.items()},
                sheet_title=worksheet.title,
            )
            return layout, _data_rows(workbook, rows, number, positions, max_rows)
    workbook.close()
    raise SheetError(f"找不到表头行：前 {HEADER_SEARCH_ROWS} 行中没有一行同时写有“{labels}”列")


def _data_rows(
    workbook: Any,
    rows: Iterator[tuple[Any, ...]],
    header_row: int,
    positions: dict[str, int],
    max_rows: int,
) -> Iterator[SheetRow]:
    count = 0
    items = list(positions.items())
    try:
        for number, cells in enumerate(rows, start=header_row + 1):
            if is_blank_row(cells):
                continue
            if is_footer_row(cells):
                break
            count += 1
            if count > max_rows:
                raise SheetError(f"数据超过 {max_rows} 行的上限，请分文件导入")
            width = len(cells)
            yield SheetRow(
                number=number,
                values={key: (cells[index] if index < width else None) for key, index in items},
            )
    finally:
        workbook.close()


# ---------------------------------------------------------------------------
# Writing workbooks: the one `rows → xlsx` writer
#
# Every export hands a writer an iterable whose first item is the header row.
# `write_formal_workbook` lays it out like the forms offices sign: a merged
# title, the issuing unit and the date, the header (frozen, repeated on every
# printed page), the rows, a 合计 row with the count and the total in figures
# and in capital numerals (大写), and a signature line. `write_table_workbook`
# writes a plain list: an optional title line, the header, the rows. Both type
# their cells the same way (`_write_row`) and never write a formula.
# xlsxwriter's constant_memory mode streams the rows, so a county-wide list
# costs no more memory than a page.


_FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
# Excel forbids these in sheet names; a control character there would corrupt workbook.xml.
_SHEET_NAME_FORBIDDEN = re.compile(r"[\[\]:*?/\\\x00-\x1f\x7f-\x9f]")
_WIDTH_SAMPLE_ROWS = 200
_MAX_COLUMN_WIDTH = 60
_WORKBOOK_OPTIONS = {
    "constant_memory": True,
    # A cell is what its value's type says: never a number, formula or link guessed from text.
    "strings_to_numbers": False,
    "strings_to_formulas": False,
    "strings_to_urls": False,
}


@dataclass(frozen=True)
class WorkbookResult:
    """What was written: the number of data rows and each money column's total."""

    rows: int
    totals: dict[str, Decimal]


def neutralize_formula(value: Any) -> Any:
    """A string a spreadsheet could take for a formula gets a leading apostrophe (SECURITY E1).

    Anything that is not a string is returned as it is, so a whole row can go through.
    """
    if isinstance(value, str) and value.startswith(_FORMULA_TRIGGERS):
        return "'" + value
    return value


def export_text(text: str) -> str:
    """A string as an export cell holds it: never a formula, never a control character (E1, B4)."""
    return neutralize_formula(printable(text))


def display_width(text: str) -> int:
    """Column width in Excel character units: CJK and full-width characters count double."""
    return sum(2 if unicodedata.east_asian_width(ch) in ("W", "F") else 1 for ch in text)


def _sheet_name(text: str) -> str:
    return _SHEET_NAME_FORBIDDEN.sub("", text)[:31] or "Sheet1"


def _cell_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, datetime.datetime):
        return value.strftime("%Y-%m-%d %H:%M")
    if hasattr(value, "strftime"):
        return value.strftime("%Y-%m-%d")
    return str(value)


def _naive_local(value: datetime.datetime) -> datetime.datetime:
    """An aware datetime in the site's local time, without tzinfo: Excel has no time zones."""
    if timezone.is_aware(value):
        value = timezone.localtime(value)
    return value.replace(tzinfo=None)


def _open_workbook(target: Any) -> Any:
    # Imported when a workbook is written, not when settings import this module:
    # the admin's export formats do, and every process would pay for xlsxwriter.
    import xlsxwriter

    return xlsxwriter.Workbook(target, _WORKBOOK_OPTIONS)


@dataclass(frozen=True)
class _CellFormats:
    """The formats a data cell takes, by the type of its value."""

    text: Any
    integer: Any
    number: Any
    money: Any
    date: Any
    moment: Any

    @classmethod
    def add(cls, workbook: Any, base: dict[str, Any]) -> _CellFormats:
        return cls(
            text=workbook.add_format({**base, "num_format": "@"}),
            integer=workbook.add_format({**base, "num_format": "0", "align": "center"}),
            number=workbook.add_format({**base, "num_format": "General"}),
            money=workbook.add_format({**base, "num_format": "#,##0.00"}),
            date=workbook.add_format({**base, "num_format": "yyyy-mm-dd", "align": "center"}),
            moment=workbook.add_format(
                {**base, "num_format": "yyyy-mm-dd hh:mm", "align": "center"}
            ),
        )


def _write_row(
    sheet: Any,
    row: int,
    values: Sequence[Any],
    formats: _CellFormats,
    money_index: set[int] | frozenset[int] = frozenset(),
    totals: list[Decimal] | None = None,
) -> None:
    """Write one row, each value as the cell its type calls for; add money to `totals`.

    Text is always a text cell (ID numbers keep all 18 digits, nothing becomes a
    formula); dates are date cells (`yyyy-mm-dd`), datetimes date-time cells in
    local time, so auditors can sort and filter them. Money columns (`money_index`)
    are formatted `#,##0.00` and summed into `totals[column]`. One call a row, not a
    cell: this loop is the whole cost of a 100,000-row ledger (bench/export_ledger.py).
    """
    text, money = formats.text, formats.money
    for column, value in enumerate(values):
        if value is None or value == "":
            sheet.write_blank(row, column, None, money if column in money_index else text)
        elif column in money_index and isinstance(value, Decimal | int | float) and not isinstance(value, bool):
            amount = Decimal(str(value))
            sheet.write_number(row, column, float(amount), money)
            if totals is not None:
                totals[column] += amount
        elif isinstance(value, bool):
            sheet.write_string(row, column, "是" if value else "否", text)
        elif isinstance(value, int):
            sheet.write_number(row, column, value, formats.integer)
        elif isinstance(value, Decimal | float):
            sheet.write_number(row, column, float(value), formats.number)
        elif isinstance(value, datetime.datetime):  # before date: a datetime is a date
            sheet.write_datetime(row, column, _naive_local(value), formats.moment)
        elif isinstance(value, datetime.date):
            sheet.write_datetime(row, column, value, formats.date)
        else:
            sheet.write_string(row, column, export_text(_cell_text(value)), text)


@dataclass
class _Rows:
    """The header, the first rows read ahead to size the columns, then the rest."""

    header: list[str]
    sample: list[Sequence[Any]]
    rest: Iterator[Sequence[Any]]

    @classmethod
    def read_ahead(cls, rows: Iterable[Sequence[Any]]) -> _Rows:
        iterator = iter(rows)
        try:
            header = [str(h) for h in next(iterator)]
        except StopIteration as exc:
            raise ValueError("rows must start with a header row") from exc
        return cls(header, list(islice(iterator, _WIDTH_SAMPLE_ROWS)), iterator)

    def __iter__(self) -> Iterator[list[Any]]:
        for row in chain(self.sample, self.rest):
            yield list(row)[: len(self.header)]

    def set_widths(self, sheet: Any, widths: Sequence[float] = ()) -> None:
        """The given widths, or each column's widest text among the header and the sample."""
        if not widths:
            measured = [display_width(h) for h in self.header]
            for row in self.sample:
                for i, value in enumerate(row[: len(measured)]):
                    measured[i] = max(measured[i], display_width(_cell_text(value)))
            widths = [min(width + 2, _MAX_COLUMN_WIDTH) for width in measured]
        for i, width in enumerate(widths):
            sheet.set_column(i, i, width)


def _write_across(sheet: Any, row: int, first: int, last: int, text: str, fmt: Any) -> None:
    """One text over columns `first`..`last`: merged when that is more than one column."""
    if last > first:
        sheet.merge_range(row, first, row, last, text, fmt)
    else:
        sheet.write_string(row, first, text, fmt)


def write_table_workbook(
    target: Any,
    rows: Iterable[Sequence[Any]],
    *,
    sheet_name: str,
    title: str = "",
    widths: Sequence[float] = (),
) -> int:
    """Write `rows` (header first) as a plain list to a path or binary file; return the row count.

    An optional title line, then the header (bold, frozen, repeated on every
    printed page), then the rows, typed as in the formal workbook. Columns take
    `widths`, or fit their text.
    """
    table = _Rows.read_ahead(rows)
    workbook = _open_workbook(target)
    try:
        sheet = workbook.add_worksheet(_sheet_name(sheet_name))
        formats = _CellFormats.add(workbook, {})
        table.set_widths(sheet, widths)
        header_row = 0
        if title:
            fmt_title = workbook.add_format({"bold": True, "font_size": 14})
            sheet.write_string(0, 0, export_text(title), fmt_title)
            header_row = 1
        fmt_header = workbook.add_format({"bold": True, "align": "center"})
        for i, h in enumerate(table.header):
            sheet.write_string(header_row, i, export_text(h), fmt_header)
        sheet.freeze_panes(header_row + 1, 0)
        sheet.repeat_rows(header_row)
        count = 0
        for count, row in enumerate(table, 1):
            _write_row(sheet, header_row + count, row, formats)
    finally:
        workbook.close()
    return count


def write_formal_workbook(
    target: Any,
    rows: Iterable[Sequence[Any]],
    *,
    title: str,
    issuer: str = "",
    issued_on: Any = None,
    sheet_name: str = "",
    money_columns: Sequence[str] = ("金额（元）",),
    count_unit: str = "人",
    signatures: Sequence[str] = ("制表人", "审核人", "负责人", "日期"),
) -> WorkbookResult:
    """Write `rows` (header first) as a formal, printable workbook to a path or binary file.

    Cells are typed as `_write_row` says; money columns are formatted
    `#,##0.00` and totalled here, so the file holds no formula at all.
    """
    sheet = FormalSheet(rows, title=title, sheet_name=sheet_name, money_columns=money_columns, count_unit=count_unit)
    return write_formal_sheets(target, [sheet], issuer=issuer, issued_on=issued_on, signatures=signatures)[0]


@dataclass
class FormalSheet:
    """One sheet of a formal workbook: its rows (header first), title and totals."""

    rows: Iterable[Sequence[Any]]
    title: str
    sheet_name: str = ""
    money_columns: Sequence[str] = ("金额（元）",)
    count_unit: str = "人"
    # The money column whose total is written out in capital numerals (default: the last one).
    words_column: str = ""


def write_formal_sheets(
    target: Any,
    sheets: Sequence[FormalSheet],
    *,
    issuer: str = "",
    issued_on: Any = None,
    signatures: Sequence[str] = ("制表人", "审核人", "负责人", "日期"),
) -> list[WorkbookResult]:
    """Write several formal sheets (each as `write_formal_workbook` writes one) into one workbook."""
    tables = [_Rows.read_ahead(sheet.rows) for sheet in sheets]
    workbook = _open_workbook(target)
    try:
        return [
            _write_formal_sheet(workbook, sheet, table, issuer, issued_on, signatures)
            for sheet, table in zip(sheets, tables, strict=True)
        ]
    finally:
        workbook.close()


def _write_formal_sheet(
    workbook: Any,
    spec: FormalSheet,
    table: _Rows,
    issuer: str,
    issued_on: Any,
    signatures: Sequence[str],
) -> WorkbookResult:
    header = table.header
    money_index = {i for i, name in enumerate(header) if name in spec.money_columns}
    sums = [Decimal("0")] * len(header)
    sheet = workbook.add_worksheet(_sheet_name(spec.sheet_name or spec.title))
    base = {"font_name": "宋体", "font_size": 11, "valign": "vcenter"}
    formats = _CellFormats.add(workbook, {**base, "border": 1})
    table.set_widths(sheet)
    header_row = _write_formal_heading(workbook, sheet, header, spec.title, issuer, issued_on, base)
    count = 0
    for count, row in enumerate(table, 1):
        _write_row(sheet, header_row + count, row, formats, money_index, sums)
    totals = {header[i]: sums[i] for i in sorted(money_index)}
    number = _write_formal_totals(
        workbook,
        sheet,
        header_row + count + 1,
        header,
        totals,
        f"共 {count} {spec.count_unit}",
        base,
        spec.words_column,
    )
    _write_signatures(workbook, sheet, number + 2, len(header), signatures, base)
    return WorkbookResult(
        rows=count, totals={k: v.quantize(Decimal("0.01")) for k, v in totals.items()}
    )


def _write_formal_heading(
    workbook: Any,
    sheet: Any,
    header: Sequence[str],
    title: str,
    issuer: str,
    issued_on: Any,
    base: dict[str, Any],
) -> int:
    """The merged title, 填报单位 and 制表日期, the header and the page setup; return the header's row."""
    fmt_title = workbook.add_format({**base, "bold": True, "font_size": 16, "align": "center"})
    fmt_left = workbook.add_format({**base, "align": "left"})
    fmt_right = workbook.add_format({**base, "align": "right"})
    fmt_header = workbook.add_format(
        {
            **base,
            "border": 1,
            "bold": True,
            "align": "center",
            "text_wrap": True,
            "bg_color": "#D9E1F2",
        }
    )
    last = max(len(header) - 1, 0)
    sheet.set_row(0, 30)
    _write_across(sheet, 0, 0, last, export_text(title), fmt_title)
    day = issued_on or datetime.date.today()
    left_end = max(last // 2, 0)
    _write_across(sheet, 1, 0, left_end, export_text(f"填报单位：{issuer}"), fmt_left)
    if last > left_end:
        _write_across(sheet, 1, left_end + 1, last, f"制表日期：{day:%Y年%m月%d日}", fmt_right)

    header_row = 2
    for i, h in enumerate(header):
        sheet.write_string(header_row, i, export_text(h), fmt_header)
    sheet.freeze_panes(header_row + 1, 0)
    sheet.repeat_rows(header_row)
    sheet.set_landscape()
    sheet.set_paper(9)  # A4
    sheet.fit_to_pages(1, 0)
    sheet.center_horizontally()
    sheet.set_footer("&C第 &P 页 共 &N 页")
    return header_row


def _write_formal_totals(
    workbook: Any,
    sheet: Any,
    number: int,
    header: Sequence[str],
    totals: dict[str, Decimal],
    count_text: str,
    base: dict[str, Any],
    words_column: str = "",
) -> int:
    """合计: the count, each money column's total, then the main total in capital numerals.

    Returns the last row written.
    """
    # Imported when a total is written: cn2an alone takes a third of a second to import.
    from aidsite.lib.money import amount_in_words

    bordered = {**base, "border": 1, "bold": True}
    fmt_label = workbook.add_format({**bordered, "align": "center"})
    fmt_money = workbook.add_format({**bordered, "num_format": "#,##0.00"})
    fmt_text = workbook.add_format(bordered)
    columns = len(header)
    sheet.write_string(number, 0, "合计", fmt_label)
    if columns > 1:
        sheet.write_string(number, 1, count_text, fmt_text)
    for i in range(2, columns):
        if header[i] in totals:
            sheet.write_number(number, i, float(totals[header[i]]), fmt_money)
        else:
            sheet.write_blank(number, i, None, fmt_text)
    if totals:
        main = words_column if words_column in totals else list(totals)[-1]
        number += 1
        words = f"合计金额（大写）：{amount_in_words(totals[main])}"
        _write_across(sheet, number, 0, max(columns - 1, 0), words, fmt_text)
    return number


def _write_signatures(
    workbook: Any,
    sheet: Any,
    number: int,
    columns: int,
    signatures: Sequence[str],
    base: dict[str, Any],
) -> None:
    """制表人：… 审核人：… spread evenly over the row."""
    if not signatures:
        return
    fmt_left = workbook.add_format({**base, "align": "left"})
    last = max(columns - 1, 0)
    span = max(columns // len(signatures), 1)
    for k, label in enumerate(signatures):
        first = k * span
        if first > last:
            break
        end = last if k == len(signatures) - 1 else min(first + span - 1, last)
        _write_across(sheet, number, first, end, f"{label}：", fmt_left)
