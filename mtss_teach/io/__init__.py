"""Load a school's own screening and progress-monitoring exports, safely.

:func:`read_screening` and :func:`read_progress` read a CSV or Excel (.xlsx)
export -- a file, an upload's bytes, or a DataFrame already in memory --
map the school's column names to the library's, and validate **every
row**. The result is a :class:`LoadResult`: the clean table plus a
rejection report naming the line of the file (or the Excel row), the column
and the reason for every problem. Rows in are counted from the file itself,
and rows in = rows accepted + rows rejected, always: nothing is dropped
silently. ``strict=True`` raises :class:`~mtss_teach.DataError` at the
first problem instead.

Files are read as they are: the encoding (UTF-8 with or without a
byte-order mark, UTF-16, Windows-1252), the separator (comma, semicolon,
tab) and the decimal comma are detected, hidden Excel sheets are skipped,
and anything that cannot be read safely -- a stray quote mark, a repeated
column name, dates that could be day-first or month-first -- is refused or
rejected in plain words that say what to do.

:func:`deidentify` keeps only the columns the analysis needs and replaces
student ids with salted SHA-256 hashes (a strong salt: :func:`new_salt`).
:func:`read_benchmarks` reads a local benchmark table (with provenance) for
leaders outside the US.

One job per file: ``_source`` (files, encodings, lines), ``_mapping``
(which column is which), ``_cells`` (reading cells, dates), ``_read``
(the two readers), ``_result`` (the report), ``_deidentify``,
``_benchmarks``.
"""

from ._benchmarks import BENCHMARK_COLUMNS, PROVENANCE_COLUMNS, local_benchmark_status, read_benchmarks
from .._cells import EXCEL_EPOCH, EXCEL_SERIAL_RANGE, SUMMARY_LABEL
from .._cells import parse_dates
_parse_dates = parse_dates  # the name older code used
from ._deidentify import (ANALYSIS_COLUMNS, MAX_GROUPS, MIN_SALT_LENGTH, NAME_LIKE_PATTERNS, Deidentified,
                          check_group_column, deidentify, new_salt)
from ._mapping import COLUMN_ALIASES, suggest_columns
from ._read import DEFAULT_MEASURE_RANGES, read_progress, read_screening
from ._result import LoadResult
from ._source import SEPARATORS, RawTable, read_table

__all__ = ["LoadResult", "Deidentified", "RawTable", "read_screening", "read_progress", "read_table",
           "suggest_columns", "deidentify", "new_salt", "check_group_column", "MAX_GROUPS", "read_benchmarks", "local_benchmark_status",
           "DEFAULT_MEASURE_RANGES", "COLUMN_ALIASES", "ANALYSIS_COLUMNS", "MIN_SALT_LENGTH",
           "NAME_LIKE_PATTERNS", "EXCEL_EPOCH", "EXCEL_SERIAL_RANGE", "SUMMARY_LABEL", "SEPARATORS",
           "BENCHMARK_COLUMNS", "PROVENANCE_COLUMNS"]
