"""Reading an uploaded table for an importer: the size cap, the text encoding, csv or xlsx into numbered rows,
and the per-row report every importer fills. Each importer keeps its own column rules, its own row checks and
its own all-or-nothing saving; what it cannot read is refused here with one Chinese message (a 400, never a
500).

Offices send what Excel writes: UTF-8 with a BOM ("CSV UTF-8"), GBK (plain "CSV" on a Chinese Windows),
UTF-16 ("Unicode 文本"), or the xlsx itself. Trying UTF-8 and then GB18030 (a superset of GBK and GB2312) is
enough: a GBK file with Chinese text is practically never valid UTF-8, and bytes that are neither are refused.
"""
from __future__ import annotations

import codecs
import csv
import datetime as dt
import io
from dataclasses import dataclass, field

from django.conf import settings
from django.core.exceptions import ValidationError

TEXT_ENCODINGS = ("utf-8-sig", "gb18030")
TEXT_FORMATS = ("csv", "txt")


class UnreadableFile(ValidationError):
    """The upload cannot be read as a table. A ValidationError on the field `file`, so that the API's
    exception handler answers 400 and a page's form shows it; `reason` is the Chinese message."""

    def __init__(self, reason: str):
        super().__init__({"file": [reason]})
        self.reason = reason


@dataclass(frozen=True)
class TableRow:
    number: int  # as a spreadsheet counts: the header is row 1, blank rows are counted but not returned
    cells: list[str]

    def get(self, index: int | None) -> str:
        return self.cells[index] if index is not None and index < len(self.cells) else ""


@dataclass
class Table:
    header: list[str]
    rows: list[TableRow]  # the data rows below the header, blank ones left out

    def records(self) -> list[tuple[int, dict[str, str]]]:
        """Each row as {heading: value}, with its number; a missing cell is ""."""
        return [(row.number, {h: row.get(i) for i, h in enumerate(self.header) if h}) for row in self.rows]


@dataclass(frozen=True)
class Problem:
    row: int  # 1 is the header row, or the file as a whole
    message: str
    field: str = ""


@dataclass
class ImportReport:
    """What an importer refused: problems of the file itself, and problems of rows by their number."""

    file_errors: list[str] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.file_errors and not self.problems

    def refuse_file(self, message: str) -> None:
        self.file_errors.append(message)

    def refuse_row(self, row: int, message: str, *, field: str = "") -> None:
        self.problems.append(Problem(row, message, field))

    def errors_of(self, row: int) -> list[str]:
        return [p.message for p in self.problems if p.row == row]

    def by_row(self) -> list[dict]:
        """[{"row": n, "errors": [...]}] in row order, each row's messages in the order they were found."""
        grouped: dict[int, list[str]] = {}
        for problem in self.problems:
            grouped.setdefault(problem.row, []).append(problem.message)
        return [{"row": row, "errors": grouped[row]} for row in sorted(grouped)]


def _size(size: int) -> str:
    return f"{size / 1024 / 1024:g} MB" if size >= 1024 * 1024 else f"{size / 1024:g} KB"


def read_upload(upload, *, max_bytes: int | None = None) -> bytes:
    """The upload's bytes, refused when over the cap (IMPORT_MAX_BYTES unless given)."""
    cap = max_bytes if max_bytes is not None else settings.IMPORT_MAX_BYTES
    too_big = UnreadableFile(f"文件超过 {_size(cap)}，请分批导入。")
    if (getattr(upload, "size", None) or 0) > cap:
        raise too_big
    if hasattr(upload, "seek"):
        upload.seek(0)
    raw = upload.read(cap + 1)  # never more than the cap, whatever the declared size says
    if len(raw) > cap:
        raise too_big
    return raw.encode() if isinstance(raw, str) else raw


def decode_text(raw: bytes) -> str:
    """UTF-16 when it says so with a BOM, else UTF-8 (with or without BOM), else GB18030 (GBK, GB2312)."""
    utf16 = raw.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE))
    encodings = ("utf-16",) + TEXT_ENCODINGS if utf16 else TEXT_ENCODINGS
    for encoding in encodings:
        try:
            text = raw.decode(encoding)
        except UnicodeDecodeError:
            continue
        if _looks_binary(text):
            break
        return text
    else:
        raise UnreadableFile("无法识别文件编码，请另存为 UTF-8 或 GBK 编码的文件。")
    raise UnreadableFile("该文件不是文本表格（可能是图片、压缩包等二进制文件），请上传 csv 或 xlsx 文件。")


# Control characters no spreadsheet writes into a csv (tab, line feed and carriage return are the table's own).
_BINARY_CONTROLS = {chr(c) for c in range(32) if chr(c) not in "\t\n\r"} | {"\x7f"}


def _looks_binary(text: str) -> bool:
    """A decoded "text" with a NUL, or with control characters in more than 1% of its first 64 KB, is a binary
    file that happened to decode (GB18030 reads almost any byte pairs)."""
    sample = text[:65536]
    if "\x00" in sample:
        return True
    controls = sum(1 for ch in sample if ch in _BINARY_CONTROLS)
    return controls > len(sample) // 100


def parse_csv(text: str, *, delimiters: str = ",") -> list[list[str]]:
    """Every record of a csv text, cells stripped. With several `delimiters`, the file's own is guessed."""
    dialect = csv.excel
    if len(delimiters) > 1:
        try:
            dialect = csv.Sniffer().sniff(text[:4096], delimiters=delimiters)
        except csv.Error:
            pass
    try:
        return [[cell.strip() for cell in record] for record in csv.reader(io.StringIO(text), dialect)]
    except csv.Error:  # e.g. a field beyond csv's size limit: not a table we can read
        raise UnreadableFile("无法读取该 csv 文件，请确认文件内容为逗号分隔的表格。") from None


def _text_of(value) -> str:
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time() else value.isoformat(sep=" ", timespec="seconds")
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))  # an id or a count typed into Excel is stored as 12.0
    return str(value).strip()


def parse_xlsx(raw: bytes) -> list[list[str]]:
    """The first sheet's rows as text; dates as YYYY-MM-DD (with the time when it has one)."""
    from openpyxl import load_workbook  # openpyxl is heavy; only an xlsx import needs it

    try:
        book = load_workbook(io.BytesIO(raw), read_only=True, data_only=True)
        try:
            if not book.worksheets:
                return []
            return [[_text_of(v) for v in values] for values in book.worksheets[0].iter_rows(values_only=True)]
        finally:
            book.close()
    except Exception:  # noqa: BLE001 - a damaged workbook fails in many ways; the user's answer is the same
        raise UnreadableFile("无法读取该 xlsx 文件，请确认文件未损坏。") from None


def read_table(upload, *, formats: tuple[str, ...] | None = None, max_bytes: int | None = None,
               max_rows: int | None = None, delimiters: str = ",") -> Table:
    """The upload as a header and numbered data rows.

    `formats` lists the file name endings accepted ("csv", "txt", "xlsx"); None accepts any name, reading
    an .xlsx as a workbook and anything else as csv text. Over `max_rows` data rows the file is refused."""
    name = (getattr(upload, "name", "") or "").lower()
    ending = name.rsplit(".", 1)[-1] if "." in name else ""
    if formats is not None and ending not in formats:
        raise UnreadableFile(f"仅支持 {' 或 '.join(formats)} 文件。")
    raw = read_upload(upload, max_bytes=max_bytes)
    records = parse_xlsx(raw) if ending == "xlsx" else parse_csv(decode_text(raw), delimiters=delimiters)
    header = records[0] if records else []
    rows = [TableRow(number, cells) for number, cells in enumerate(records[1:], start=2) if any(cells)]
    if max_rows is not None and len(rows) > max_rows:
        raise UnreadableFile(f"一次最多导入 {max_rows} 行。")
    return Table(header=header, rows=rows)
