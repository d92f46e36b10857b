"""Read an export file (CSV or .xlsx), a file's bytes or a DataFrame into a :class:`RawTable`.

This is the only place that looks at a file. It decides, from the file
itself: the text encoding, the separator, where the header row is, how many
records follow it and on which line (or Excel row) each one starts. What it
cannot read is refused in plain words that say what to do.
"""

from __future__ import annotations

import csv
import io
import re
import warnings
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from ..errors import DataError

__all__ = ["RawTable", "read_table", "SEPARATORS"]

#: Separators tried when ``sep=`` is not given, in order of preference.
SEPARATORS: tuple[str, ...] = (",", ";", "\t", "|")
_SEP_WORDS = {",": "comma", ";": "semicolon", "\t": "tab", "|": "vertical bar"}
_TEXT_SUFFIXES = (".csv", ".txt", ".tsv")
_EXCEL_SUFFIXES = (".xlsx", ".xlsm")


@dataclass(eq=False)
class RawTable:
    """An export as read from its file, before any column is interpreted.

    Attributes
    ----------
    frame : pandas.DataFrame
        One row per record, one column per header cell (header names as
        written, surrounding spaces removed), cells as read (text from a
        CSV; text, numbers or dates from Excel or a DataFrame).
    rows : numpy.ndarray of int
        For each row of ``frame``, the line of the file it starts on (CSV;
        line 1 is the first line of the file) or its Excel row number.
        For a DataFrame: position + 2, as if written with its header on row 1.
    unreadable : list of (int, str)
        Records that could not be read at all (a stray quote mark, too many
        cells): their line and the reason. They count as rows in, and are
        rejected.
    n_blank : int
        Blank lines (or rows with every cell empty) after the header:
        not records, not counted as rows in, reported.
    header_row : int
        The line / Excel row of the header.
    notes : list of str
        What was detected (encoding, separator, decimal comma, sheet).
    source : str
        The file's name (never its folder), or ``"DataFrame"``.
    sep, decimal : str or None
        Separator and decimal mark of a CSV (None for Excel/DataFrame).
    """

    frame: pd.DataFrame
    rows: np.ndarray
    source: str = "DataFrame"
    unreadable: list = field(default_factory=list)
    n_blank: int = 0
    header_row: int = 1
    notes: list = field(default_factory=list)
    sep: str | None = None
    decimal: str | None = None
    typed: bool = False  # cells may be numbers/dates (Excel, DataFrame), not only text

    @property
    def n_records(self) -> int:
        """Records after the header: rows read + rows that could not be read."""
        return len(self.frame) + len(self.unreadable)

    def __repr__(self) -> str:
        return (f"RawTable(source={self.source!r}, records={self.n_records}, columns={len(self.frame.columns)}, "
                f"header_row={self.header_row}, blank={self.n_blank})")


# --------------------------------------------------------------------------
# text: encoding, separator, header
# --------------------------------------------------------------------------

def _decode(data: bytes, encoding: str | None, name: str) -> tuple[str, str]:
    """(text, words for the encoding used). BOMs are honoured and removed."""
    if encoding is not None:
        if not isinstance(encoding, str):
            raise DataError(f"encoding: expected a name such as 'utf-8' or 'cp1252', got {encoding!r}")
        try:
            text = data.decode(encoding)
        except LookupError:
            raise DataError(f"encoding: {encoding!r} is not an encoding Python knows "
                            "(try 'utf-8', 'utf-16' or 'cp1252')") from None
        except UnicodeDecodeError as exc:
            line = data[:exc.start].count(b"\n") + 1
            raise DataError(f"encoding: {name!r} is not valid {encoding} text (first problem on line {line}); "
                            "leave encoding= out to let the library detect it, or save the export as "
                            "'CSV UTF-8'") from None
        return text.lstrip("\ufeff"), encoding
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8", errors="strict"), "UTF-8 (with byte-order mark)"
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return data.decode("utf-16").lstrip("\ufeff"), "UTF-16"
        except UnicodeDecodeError:
            raise DataError(f"path_or_frame: {name!r} starts like UTF-16 text but is damaged; save the export "
                            "again as 'CSV UTF-8' and load that file") from None
    try:
        return data.decode("utf-8"), "UTF-8"
    except UnicodeDecodeError:
        pass
    # UTF-16 without a byte-order mark: every other byte of plain text is 0
    head = data[:4000]
    if len(head) >= 4 and head.count(b"\x00") >= len(head) // 3:
        for enc in ("utf-16-le", "utf-16-be"):
            try:
                return data.decode(enc), "UTF-16"
            except UnicodeDecodeError:
                continue
    best = None
    try:
        from charset_normalizer import from_bytes

        match = from_bytes(data[:200_000]).best()
        best = match.encoding if match is not None else None
    except Exception:  # detection is a help, never a failure
        best = None
    # Western European single-byte text is by far the most common non-UTF-8 export (Excel for Windows):
    # read it as Windows-1252 unless the detector found another script altogether (Cyrillic, Greek...)
    latin = {"cp1250", "cp1252", "latin_1", "iso8859_1", "iso8859_15", "iso8859_2", "iso8859_3", "iso8859_4",
             "iso8859_9", "iso8859_10", "iso8859_13", "iso8859_14", "iso8859_16", "cp1254", "cp1257", "mac_roman",
             "mac_latin2", "mac_iceland", "mac_turkish", "cp850", "cp437", "cp858", "cp1258"}
    if best is not None and best.replace("-", "_").lower() in latin:
        best = None
    for enc in [e for e in ("cp1252", best) if e] if best is None else [best, "cp1252"]:
        try:
            text = data.decode(enc)
        except (UnicodeDecodeError, LookupError):
            continue
        words = "Windows-1252 (Western European)" if enc.replace("_", "").lower() in ("cp1252", "windows1252") \
            else enc
        return text, words
    raise DataError(f"path_or_frame: could not read {name!r} as text in any common encoding; save the export "
                    "as 'CSV UTF-8' (or pass encoding='...', e.g. 'cp1252')")


def _sniff_sep(lines: list[str]) -> str | None:
    """The separator that splits the header and the next lines into the same number (>= 2) of cells."""
    best, best_score = None, (0, 0)
    for sep in SEPARATORS:
        counts = [len(r) for r in csv.reader(lines, delimiter=sep)]
        if not counts or counts[0] < 2:
            continue
        agree = sum(c == counts[0] for c in counts)
        score = (agree, counts[0])
        if score > best_score:
            best, best_score = sep, score
    return best


def _looks_like_data(cells: list[str]) -> bool:
    """A header row whose cells are numbers or dates is a data row (the file has no header)."""
    filled = [c.strip() for c in cells if c.strip()]
    if not filled:
        return False
    datalike = sum(bool(re.fullmatch(r"[=\"']*[-+]?[\d.,/: E+-]+[\"']*", c)) and any(ch.isdigit() for ch in c)
                   for c in filled)
    return datalike >= max(1, len(filled) // 3)


def _refuse_headerless() -> DataError:
    return DataError("path_or_frame: the first row looks like data, not column names (it holds numbers or "
                     "dates). Add a header row with the column names (for example Student ID, Grade, Season, "
                     "Measure, Score) and load the file again")


def _check_header(names: list[str], where: str) -> list[str]:
    """Header cells -> unique names; repeated names are refused from the raw header."""
    clean = [str(n).strip() if n is not None else "" for n in names]
    seen: dict[str, int] = {}
    for i, n in enumerate(clean):
        if not n:
            continue
        k = n.lower()
        if k in seen:
            raise DataError(
                f"{where}: the header row has two columns named {n!r} (columns {seen[k] + 1} and {i + 1}); "
                "rename one of them in the file (for example 'Score' and 'Accuracy') and load it again")
        seen[k] = i
    return [n if n else f"(unnamed column {i + 1})" for i, n in enumerate(clean)]


# --------------------------------------------------------------------------
# CSV
# --------------------------------------------------------------------------

def _physical_lines(text: str) -> int:
    if not text:
        return 0
    return text.count("\n") + (0 if text.endswith("\n") else 1)


def _read_text(data: bytes, name: str, encoding: str | None, sep: str | None, decimal: str | None,
               header_row: int | None) -> RawTable:
    text, enc_words = _decode(data, encoding, name)
    notes = [f"read as {enc_words} text"]
    if "\r" in text and "\n" not in text:
        # lines ending in a carriage return only (Excel for Mac's "CSV (Macintosh)"): one line each
        text = text.replace("\r", "\n")
        notes.append("lines end with a carriage return only (an old Mac format); read one line each")
    head_text = text[:400_000]
    head_lines = head_text.split("\n")[:60]
    head_lines = [ln.rstrip("\r") for ln in head_lines]
    # the header: the first non-blank line, unless header_row= says otherwise; a title line (one cell)
    # above a wider header is skipped
    if header_row is not None:
        hr = int(header_row)
        if hr < 1 or hr > len(head_lines):
            raise DataError(f"header_row: line {hr} is not among the first {len(head_lines)} lines of {name!r}")
        h = hr - 1
    else:
        nonblank = [i for i, ln in enumerate(head_lines) if ln.strip(" ,;\t|\"")]
        if not nonblank:
            raise DataError(f"path_or_frame: {name!r} is empty (no header row and no data)")
        h = nonblank[0]
    if sep is None:
        sample = [ln for ln in head_lines[h:h + 25] if ln.strip()]
        if header_row is None:
            # a title line such as "Fall benchmark report" above the header: skip to the widest line
            for i in range(h, min(h + 10, len(head_lines))):
                guess = _sniff_sep([ln for ln in head_lines[i:i + 25] if ln.strip()])
                if guess and sum(bool(c.strip()) for c in next(csv.reader([head_lines[i]], delimiter=guess))) >= 2:
                    h = i
                    sample = [ln for ln in head_lines[h:h + 25] if ln.strip()]
                    break
        sep = _sniff_sep(sample)
        if sep is None:
            raise DataError(f"path_or_frame: could not tell how the columns of {name!r} are separated; pass "
                            "sep=',' (comma), sep=';' (semicolon) or sep='\\t' (tab)")
        if sep != ",":
            notes.append(f"columns separated by {_SEP_WORDS[sep]}s")
    elif not isinstance(sep, str) or len(sep) != 1:
        raise DataError(f"sep: expected one character such as ',' ';' or '\\t', got {sep!r}")
    if h > 0 and header_row is None:
        notes.append(f"header found on line {h + 1} (the lines above it were skipped)")
    header_cells = next(csv.reader([head_lines[h]], delimiter=sep), [])
    if _looks_like_data(header_cells):
        raise _refuse_headerless()
    names = _check_header(header_cells, "path_or_frame")
    ncol = len(names)
    if decimal is None:
        decimal = "," if sep != "," else "."
    elif decimal not in (".", ","):
        raise DataError(f"decimal: expected '.' or ',', got {decimal!r}")

    n_lines = _physical_lines(text)
    n_after = n_lines - (h + 1)
    frame = None
    if n_after > 0:
        frame = _fast_parse(text, sep, h, ncol, n_after)
    if frame is not None:
        rows = np.arange(h + 2, h + 2 + len(frame), dtype=np.int64)
        unreadable: list = []
    elif n_after > 0:
        frame, rows, unreadable = _careful_parse(text, sep, h, ncol)
    else:
        frame, rows, unreadable = pd.DataFrame({i: pd.Series([], dtype=object) for i in range(ncol)}), \
            np.array([], dtype=np.int64), []
    frame.columns = names
    blank = np.ones(len(frame), dtype=bool)
    for c in frame.columns:
        a = frame[c].to_numpy(dtype=object)
        blank &= (a == "")
    if blank.any():
        # lines of spaces count as blank too
        idx = np.flatnonzero(blank)
        frame = frame[~blank].reset_index(drop=True)
        rows = rows[~blank]
    n_blank = int(blank.sum())
    return RawTable(frame=frame, rows=rows, source=name, unreadable=unreadable, n_blank=n_blank,
                    header_row=h + 1, notes=notes, sep=sep, decimal=decimal)


def _fast_parse(text: str, sep: str, h: int, ncol: int, n_after: int) -> pd.DataFrame | None:
    """pandas' C parser; None when records and lines do not match one to one (then parse carefully)."""
    try:
        with warnings.catch_warnings():
            # pandas only *warns* when the first record has more cells than the header, and drops them
            # ("41,5" read as 41): that line must be read carefully and rejected instead
            warnings.simplefilter("error", pd.errors.ParserWarning)
            df = pd.read_csv(io.StringIO(text) if len(text) < 1_000 else io.BytesIO(text.encode("utf-8")),
                             sep=sep, header=None, skiprows=h + 1, dtype=object, keep_default_na=False,
                             na_filter=False, skip_blank_lines=False, names=list(range(ncol)), quotechar='"',
                             engine="c", encoding="utf-8", index_col=False)
    except (pd.errors.ParserError, pd.errors.ParserWarning, ValueError, pd.errors.EmptyDataError):
        return None
    if len(df) != n_after:
        return None
    if "\r" in text[:10_000] and "\n" not in text[:10_000]:
        return None
    return df


def _swallowed(rec: list[str], sep: str, ncol: int) -> bool:
    """A record over several lines is a stray quote's work, not a cell written over several lines in quotes.

    A real multi-line cell (a note typed with Enter, in quotes) leaves a
    record of the header's width whose later lines are text. A stray quote
    swallows whole records: the record has the wrong number of cells, or a
    line inside one of its cells splits into as many cells as the header.
    """
    extra = rec[ncol:]
    if len(rec) < ncol or any(c.strip() for c in extra):
        return True
    for c in rec:
        if "\n" not in c:
            continue
        for ln in c.split("\n")[1:]:
            try:
                cells = next(csv.reader([ln.rstrip("\r")], delimiter=sep), [])
            except csv.Error:
                return True
            if len(cells) >= max(ncol, 2):
                return True
    return False


def _careful_parse(text: str, sep: str, h: int, ncol: int) -> tuple[pd.DataFrame, np.ndarray, list]:
    """Python's csv reader, record by record, with the line each record starts on.

    A quote mark that opens a cell and runs over later lines holding the
    separator is a stray quote (a Notes cell with ``"`` in it): its line is
    rejected, and the swallowed lines are read again one by one.
    """
    lines = text.splitlines(keepends=True)
    body = lines[h + 1:]
    records: list[list[str]] = []
    starts: list[int] = []
    bad: list[tuple[int, str]] = []

    def add(cells: list[str], line: int) -> None:
        if len(cells) > ncol and any(c.strip() for c in cells[ncol:]):
            bad.append((line, f"line has {len(cells)} cells but the header has {ncol} (a separator inside a "
                              "value that is not in quotes?); fix this line in the file"))
            return
        cells = (cells + [""] * ncol)[:ncol]
        records.append(cells)
        starts.append(line)

    pos = 0
    n = len(body)
    while pos < n:
        first_line = h + 2 + pos
        reader = csv.reader(iter(body[pos:]), delimiter=sep)
        try:
            rec = next(reader)
        except StopIteration:
            break
        except csv.Error:
            bad.append((first_line, "line could not be read as CSV; fix this line in the file"))
            pos += 1
            continue
        used = reader.line_num
        if used > 1 and _swallowed(rec, sep, ncol):
            bad.append((first_line, "a quote mark (\") opens a cell on this line and is not closed before "
                                    f"line {first_line + used - 1}; remove the stray quote mark (or put the "
                                    "whole cell in quotes) and load the file again"))
            # read the swallowed lines again, one by one
            for k in range(1, used):
                ln = body[pos + k]
                if not ln.strip():
                    records.append([""] * ncol)
                    starts.append(first_line + k)
                    continue
                try:
                    cells = next(csv.reader([ln.rstrip("\r\n")], delimiter=sep))
                except (csv.Error, StopIteration):
                    bad.append((first_line + k, "line could not be read as CSV; fix this line in the file"))
                    continue
                add(cells, first_line + k)
            pos += used
            continue
        if not rec:
            records.append([""] * ncol)
            starts.append(first_line)
        else:
            add(rec, first_line)
        pos += used
    frame = pd.DataFrame(records, columns=list(range(ncol)), dtype=object) if records else \
        pd.DataFrame({i: pd.Series([], dtype=object) for i in range(ncol)})
    return frame, np.asarray(starts, dtype=np.int64), bad


# --------------------------------------------------------------------------
# Excel
# --------------------------------------------------------------------------

def _read_excel(data: bytes, name: str, sheet_name: Any, header_row: int | None) -> RawTable:
    import openpyxl

    try:
        wb = openpyxl.load_workbook(io.BytesIO(data), data_only=True)
    except Exception:
        raise DataError(f"path_or_frame: could not open {name!r} as an Excel workbook; open it in Excel and "
                        "save it again as .xlsx (or as CSV UTF-8)") from None
    sheets = wb.worksheets
    visible = [ws for ws in sheets if ws.sheet_state == "visible"]
    hidden = [ws.title for ws in sheets if ws.sheet_state != "visible"]
    notes = []
    if sheet_name is None:
        if len(visible) == 1:
            ws = visible[0]
        else:
            raise DataError(f"sheet_name: {name!r} has {len(visible)} visible sheets "
                            f"({', '.join(repr(w.title) for w in visible)}); say which one to read, e.g. "
                            f"sheet_name={visible[0].title!r}" if visible else
                            f"sheet_name: {name!r} has no visible sheet")
    elif isinstance(sheet_name, (int, np.integer)) and not isinstance(sheet_name, bool):
        if not 0 <= int(sheet_name) < len(visible):
            raise DataError(f"sheet_name: {name!r} has {len(visible)} visible sheet(s); position {sheet_name} "
                            "does not exist (0 is the first visible sheet)")
        ws = visible[int(sheet_name)]
    elif isinstance(sheet_name, str):
        match = [ws for ws in sheets if ws.title == sheet_name]
        if not match:
            raise DataError(f"sheet_name: {name!r} has no sheet {sheet_name!r}; its visible sheets are "
                            f"{[w.title for w in visible]}")
        ws = match[0]
        if ws.sheet_state != "visible":
            notes.append(f"sheet {sheet_name!r} is hidden in the workbook; read because it was asked for")
    else:
        raise DataError(f"sheet_name: expected a sheet's name or its position (0 = first visible sheet), "
                        f"got {sheet_name!r}")
    others = [w.title for w in visible if w is not ws]
    if hidden and ws.sheet_state == "visible":
        notes.append(f"read sheet {ws.title!r}; hidden sheet(s) skipped: {', '.join(map(repr, hidden))}")
    elif len(sheets) > 1 and not hidden and not others:
        notes.append(f"read sheet {ws.title!r}")
    if others:
        notes.append(f"read sheet {ws.title!r} only; not read: {', '.join(map(repr, others))} (to load another "
                     "sheet, save it as a file of its own, or give its name as sheet_name)")
    values = [list(r) for r in ws.iter_rows(values_only=True)]
    wb.close()

    def empty(r: list) -> bool:
        return all(v is None or (isinstance(v, str) and not v.strip()) for v in r)

    if header_row is not None:
        h = int(header_row) - 1
        if not 0 <= h < len(values):
            raise DataError(f"header_row: row {header_row} is outside the sheet (1-{len(values)})")
    else:
        nonempty = [i for i, r in enumerate(values) if not empty(r)]
        if not nonempty:
            raise DataError(f"path_or_frame: sheet {ws.title!r} of {name!r} is empty")
        h = nonempty[0]
        for i in nonempty[:10]:
            if sum(v is not None and str(v).strip() != "" for v in values[i]) >= 2:
                h = i
                break
        if h > 0:
            notes.append(f"header found on row {h + 1} (the rows above it were skipped)")
    header = values[h]
    while header and (header[-1] is None or str(header[-1]).strip() == ""):
        header = header[:-1]
    hdr_text = ["" if v is None else str(v) for v in header]
    if any(isinstance(v, (int, float)) and not isinstance(v, bool) for v in header) or _looks_like_data(hdr_text):
        raise _refuse_headerless()
    names = _check_header(hdr_text, "path_or_frame")
    ncol = len(names)
    body = values[h + 1:]
    keep = [i for i, r in enumerate(body) if not empty(r[:ncol] if len(r) >= ncol else r)]
    n_blank = len(body) - len(keep)
    recs = [(body[i] + [None] * ncol)[:ncol] for i in keep]
    unreadable = []
    for i in keep:
        extra = body[i][ncol:]
        if any(v is not None and str(v).strip() for v in extra):
            unreadable.append(i)
    frame = pd.DataFrame(recs, columns=names, dtype=object) if recs else \
        pd.DataFrame({c: pd.Series([], dtype=object) for c in names})
    rows = np.asarray([h + 2 + i for i in keep], dtype=np.int64)
    bad = []
    if unreadable:
        drop = np.isin(rows, [h + 2 + i for i in unreadable])
        bad = [(int(r), f"row has values to the right of the last named column ({ncol}); give that column a "
                        "name in the header row or delete the stray values") for r in rows[drop]]
        frame, rows = frame[~drop].reset_index(drop=True), rows[~drop]
    return RawTable(frame=frame, rows=rows, source=name, unreadable=bad, n_blank=n_blank, header_row=h + 1,
                    notes=notes, typed=True)


# --------------------------------------------------------------------------
# entry point
# --------------------------------------------------------------------------

def read_table(
    source: Any,
    *,
    name: str | None = None,
    encoding: str | None = None,
    sep: str | None = None,
    decimal: str | None = None,
    sheet_name: Any = 0,
    header_row: int | None = None,
) -> RawTable:
    """Read an export into a :class:`RawTable` (rows counted and numbered from the file itself).

    Parameters
    ----------
    source : str, pathlib.Path, bytes, pandas.DataFrame or RawTable
        A ``.csv``/``.txt``/``.tsv`` or ``.xlsx`` file, the bytes of one
        (with ``name=`` giving the file name, as an upload does), or a
        DataFrame (returned as is, rows numbered position + 2).
    name : str, optional
        The file name for ``bytes`` (its ending says CSV or Excel).
    encoding : str, optional
        Text encoding of a CSV. Detected when not given: UTF-8 with or
        without a byte-order mark, UTF-16, Windows-1252 and others.
    sep : str, optional
        Separator of a CSV (``","``, ``";"``, ``"\\t"``, ``"|"``); detected
        from the header and the first lines when not given.
    decimal : {".", ","}, optional
        Decimal mark of numbers in a CSV. Default: "," when the separator
        is not a comma (``12,5`` in a semicolon file is 12.5), else ".".
    sheet_name : str or int or None, default 0
        Excel sheet: its name, or its position among the **visible**
        sheets (hidden sheets are skipped and named in the notes). None
        reads the only visible sheet, and asks which one when there are
        several.
    header_row : int, optional
        Line (CSV) or row (Excel) of the header. Default: the first
        non-blank one, skipping a one-cell title line above it.

    Returns
    -------
    RawTable

    Examples
    --------
    >>> from mtss_teach.io import read_table
    >>> raw = read_table(b"Student ID;Score\\r\\n0012;12,5\\r\\n\\r\\n0013;40\\r\\n", name="export.csv")
    >>> raw.rows.tolist(), raw.n_blank, raw.sep, raw.decimal
    ([2, 4], 1, ';', ',')
    >>> raw.notes
    ['read as UTF-8 text', 'columns separated by semicolons']
    """
    if isinstance(source, RawTable):
        return source
    if isinstance(source, pd.DataFrame):
        df = source.copy()
        names = [str(c) for c in df.columns]
        _check_header(names, "path_or_frame")
        df.columns = [n.strip() for n in names]
        df = df.astype(object).reset_index(drop=True)
        return RawTable(frame=df, rows=np.arange(2, len(df) + 2, dtype=np.int64), source="DataFrame", typed=True)
    if isinstance(source, (bytes, bytearray, memoryview)):
        data = bytes(source)
        fname = str(name) if name else "upload.csv"
        fname = Path(fname).name
    elif isinstance(source, (str, Path)):
        path = Path(source)
        fname = path.name
        if path.is_dir():
            raise DataError(f"path_or_frame: {fname!r} is a folder, not a file; give the path of the export "
                            "file inside it")
        if not path.is_file():
            raise DataError(f"path_or_frame: file {fname!r} not found (check the folder and the spelling)")
        data = None
    else:
        raise DataError(
            f"path_or_frame: expected a file path or a pandas DataFrame, got {type(source).__name__}")
    suffix = Path(fname).suffix.lower()
    if suffix not in _TEXT_SUFFIXES + _EXCEL_SUFFIXES:
        if suffix == ".xls":
            raise DataError(f"path_or_frame: {fname!r} is an old Excel file (.xls); open it in Excel and save "
                            "it as .xlsx or as CSV UTF-8")
        raise DataError(f"path_or_frame: {fname!r} is not a .csv or .xlsx file (save the export as CSV or .xlsx)")
    if data is None:
        try:
            data = Path(source).read_bytes()
        except OSError as exc:
            raise DataError(f"path_or_frame: could not open {fname!r} ({exc.strerror or 'unreadable'})") from None
    if suffix in _EXCEL_SUFFIXES:
        return _read_excel(data, fname, sheet_name, header_row)
    return _read_text(data, fname, encoding, sep, decimal, header_row)
