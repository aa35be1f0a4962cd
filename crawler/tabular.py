"""Report records as tables for analysts: CSV, Parquet and JSON Lines.

Two shapes, both one row per report (its latest version):

* **flat** (``flat_table``): the record's scalar fields as columns (the
  ``metadata`` block flattened, the attachment as ``document_*``), plus
  ``issue_count`` / ``issue_codes`` and the nested parts (``stats``,
  ``legacy_indicators``, ``sections``, ``issues``, any other record key in
  ``extra``): JSON text in CSV, native maps and lists of structs in Parquet.
* **wide** (``wide_tables``): one table per template, the report's identifying
  columns, then one column per stat key in the printed order of the forms
  (``nianbao_core.stat_keys.stat_keys``; every key of the template, so the
  columns do not depend on which reports were exported). ``pre2019`` reports
  have 统计表 rows instead of stat keys: one column per row label (prefixed
  with its group when the same label sits in two groups, ``#2`` for a label
  repeated within one report); headings (rows with neither unit nor number)
  are left out.

A blank or absent number is an empty CSV cell or a Parquet NULL, never 0.
CSV files are UTF-8 with a byte-order mark, which is what makes Excel (as
used in China, whose default ANSI code page is GBK) read them as UTF-8;
pandas reads them with ``encoding="utf-8-sig"``. Written to standard output
they have no BOM.
"""

from __future__ import annotations

import csv
import json
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import IO

from nianbao_core.record import (
    CAPTURE_PLACE_KEYS,
    DATE_FIELDS,
    EXPORT_KEYS,
    METADATA_FIELDS,
    TEMPLATES,
    iso_date,
)
from nianbao_core.stat_keys import stat_keys

# Column kinds; each maps to a CSV rendering and a Parquet type.
STR, INT, FLOAT, BOOL, DATE, TIMESTAMP = "str", "int", "float", "bool", "date", "timestamp"
STATS, SECTIONS, LEGACY, ISSUES, JSON = "stats", "sections", "legacy", "issues", "json"

_PLACE_KINDS = {"url": STR, "fetched_at": TIMESTAMP, "warc_file": STR, "warc_record_id": STR,
                "warc_offset": INT}  # a CapturePlace's keys
FLAT_COLUMNS: tuple[tuple[str, str], ...] = (
    ("source", STR), ("portal", STR), ("template", STR), ("year", INT), ("title", STR),
    ("agency", STR), ("agency_key", STR), ("agency_matched_by", STR),
    *((name, DATE if name.endswith("_date") else STR) for name in METADATA_FIELDS),
    ("parser_version", STR),
    *((name, kind) for name, kind in _PLACE_KINDS.items() if name != "url"),
    ("latest", BOOL), ("versions", INT),
    *((f"document_{name}", _PLACE_KINDS[name]) for name in CAPTURE_PLACE_KEYS),
    ("issue_count", INT), ("issue_codes", STR),
    ("stats", STATS), ("legacy_indicators", LEGACY), ("sections", SECTIONS),
    ("issues", ISSUES), ("extra", JSON),
)
# Record keys that have columns of their own in the flat table (every key of
# the export record's spec); any other key goes to ``extra``.
_FLAT_KEYS = frozenset(EXPORT_KEYS)

WIDE_ID_COLUMNS: tuple[tuple[str, str], ...] = (
    ("source", STR), ("portal", STR), ("agency", STR), ("year", INT), ("template", STR),
    ("title", STR), ("published_date", DATE), ("issue_count", INT), ("issue_codes", STR),
)


@dataclass
class Table:
    columns: list[tuple[str, str]]  # (name, kind)
    rows: list[dict] = field(default_factory=list)

    @property
    def names(self) -> list[str]:
        return [name for name, _ in self.columns]


# -- building -------------------------------------------------------------------------
def _timestamp(value) -> datetime | None:
    """An ISO time as an aware UTC datetime (SQLite gives it back without a zone: UTC)."""
    if not value:
        return None
    moment = datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def _issue_codes(record: dict) -> str | None:
    codes = dict.fromkeys(str(issue.get("code")) for issue in record.get("issues") or [])
    return ";".join(codes) or None


def flat_row(record: dict) -> dict:
    """One report record as a row of ``FLAT_COLUMNS``."""
    metadata = record.get("metadata") or {}
    document = record.get("document") or {}
    extra = {k: v for k, v in record.items() if k not in _FLAT_KEYS}
    row = {name: record.get(name) for name, _ in FLAT_COLUMNS}
    row.update({name: metadata.get(name) for name in METADATA_FIELDS})
    row.update({f"document_{name}": document.get(name) for name in CAPTURE_PLACE_KEYS})
    for name in DATE_FIELDS:
        row[name] = iso_date(row[name])
    for name in ("fetched_at", "document_fetched_at"):
        row[name] = _timestamp(row[name])
    row["issue_count"] = len(record.get("issues") or [])
    row["issue_codes"] = _issue_codes(record)
    row["extra"] = extra or None
    return row


def flat_table(records: Iterable[dict]) -> Table:
    return Table(list(FLAT_COLUMNS), [flat_row(record) for record in records])


def _number(value) -> float | None:
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, int | float):
        return value
    try:
        return float(value)
    except (TypeError, ValueError):
        return None


def _stat_columns(template: str, records: list[dict]) -> list[str]:
    """Every key of the template's forms in printed order, then any other key seen."""
    if template in ("2019", "2021"):
        known = list(stat_keys(template))
    else:  # unknown: the keys seen, in the order of the newer forms where they have one
        seen = {key for record in records for key in record.get("stats") or {}}
        known = [key for key in dict.fromkeys(stat_keys("2021") + stat_keys("2019"))
                 if key in seen]
    others = sorted({key for record in records for key in record.get("stats") or {}}
                    - set(known))
    return known + others


def _legacy_entries(record: dict) -> list[tuple[tuple, object]]:
    """(column key, value) of a report's 统计表 rows; key = (group, label, occurrence)."""
    entries, seen = [], Counter()
    for row in record.get("legacy_indicators") or []:
        group, label, value = row.get("group"), row.get("label"), row.get("value")
        if value is None and not row.get("unit"):  # a heading: neither unit nor number
            continue
        seen[group, label] += 1
        entries.append(((group, label, seen[group, label]), value))
    return entries


def _legacy_names(keys: list[tuple]) -> dict[tuple, str]:
    groups_of = {}
    for group, label, _ in keys:
        groups_of.setdefault(label, set()).add(group)
    names = {}
    for key in keys:
        group, label, occurrence = key
        name = str(label) if len(groups_of[label]) == 1 else f"{group} / {label}"
        names[key] = name if occurrence == 1 else f"{name} #{occurrence}"
    return names


def _wide_row(record: dict) -> dict:
    return {
        "source": record.get("source"), "portal": record.get("portal"),
        "agency": record.get("agency"), "year": record.get("year"),
        "template": record.get("template"), "title": record.get("title"),
        "published_date": iso_date((record.get("metadata") or {}).get("published_date")),
        "issue_count": len(record.get("issues") or []), "issue_codes": _issue_codes(record),
    }


def wide_table(template: str, records: list[dict]) -> Table:
    """The wide table of reports of one template."""
    rows = [_wide_row(record) for record in records]
    if template == "pre2019":
        entries = [_legacy_entries(record) for record in records]
        keys = list(dict.fromkeys(key for report in entries for key, _ in report))
        names = _legacy_names(keys)
        for row, report in zip(rows, entries, strict=True):
            row.update({name: None for name in names.values()})
            row.update({names[key]: _number(value) for key, value in report})
        value_columns = list(names.values())
    else:
        value_columns = _stat_columns(template, records)
        for row, record in zip(rows, records, strict=True):
            stats = record.get("stats") or {}
            row.update({key: _number(stats.get(key)) for key in value_columns})
    return Table(list(WIDE_ID_COLUMNS) + [(name, FLOAT) for name in value_columns], rows)


def wide_tables(records: Iterable[dict]) -> dict[str, Table]:
    """One wide table per template present, in the order pre2019, 2019, 2021, unknown."""
    by_template: dict[str, list[dict]] = {}
    for record in records:
        by_template.setdefault(record.get("template") or "unknown", []).append(record)
    order = sorted(by_template, key=lambda t: (TEMPLATES.index(t) if t in TEMPLATES
                                               else len(TEMPLATES), t))
    return {template: wide_table(template, by_template[template]) for template in order}


# -- writing --------------------------------------------------------------------------
# Text from portals (titles, 索引号, agencies) opens in Excel, which runs a cell
# that starts with one of these as a formula (=HYPERLINK(…), DDE): OWASP's
# "CSV injection" list, plus the full-width forms a Chinese IME types and
# Excel also reads as operators. Such a cell gets a leading apostrophe, as
# OWASP recommends; numbers are typed columns and never touched.
FORMULA_LEADS = ("=", "+", "-", "@", "\t", "\r", "\uff1d", "\uff0b", "\uff0d", "\uff20")


def neutral_text(text: str) -> str:
    """``text`` as a spreadsheet shows it but never evaluates it."""
    return "'" + text if text.startswith(FORMULA_LEADS) else text


def _text(value, kind: str) -> str:
    if value is None:
        return ""
    if kind in (STATS, SECTIONS, LEGACY, ISSUES, JSON):
        return json.dumps(value, ensure_ascii=False)
    if kind == BOOL:
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, date):  # dates and times
        return value.isoformat()
    if kind == STR:
        return neutral_text(str(value))
    return str(value)


def write_csv(table: Table, out: IO[str]) -> None:
    """Rows as CSV (RFC 4180, CRLF line ends); the caller chooses the BOM."""
    writer = csv.writer(out)
    writer.writerow(table.names)
    for row in table.rows:
        writer.writerow(_text(row.get(name), kind) for name, kind in table.columns)


def _json_value(value, kind: str):
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer() and kind != FLOAT:
        return int(value)
    return value


def write_jsonl(table: Table, out: IO[str]) -> None:
    for row in table.rows:
        line = {name: _json_value(row.get(name), kind) for name, kind in table.columns}
        out.write(json.dumps(line, ensure_ascii=False) + "\n")


def _arrow_type(kind: str):
    import pyarrow as pa

    return {
        STR: pa.string(), INT: pa.int64(), FLOAT: pa.float64(), BOOL: pa.bool_(),
        DATE: pa.date32(), TIMESTAMP: pa.timestamp("us", tz="UTC"),
        STATS: pa.map_(pa.string(), pa.float64()),
        SECTIONS: pa.map_(pa.string(), pa.string()),
        LEGACY: pa.list_(pa.struct([("group", pa.string()), ("label", pa.string()),
                                    ("unit", pa.string()), ("value", pa.float64())])),
        ISSUES: pa.list_(pa.struct([("code", pa.string()), ("severity", pa.string()),
                                    ("where", pa.string()), ("message", pa.string())])),
        JSON: pa.string(),
    }[kind]


def _arrow_value(value, kind: str):
    if value is None:
        return None
    if kind == STATS:
        return [(str(k), _number(v)) for k, v in value.items()]
    if kind == SECTIONS:
        return [(str(k), None if v is None else str(v)) for k, v in value.items()]
    if kind == LEGACY:
        return [{"group": row.get("group"), "label": row.get("label"),
                 "unit": row.get("unit"), "value": _number(row.get("value"))}
                for row in value]
    if kind == ISSUES:
        return [{name: None if issue.get(name) is None else str(issue.get(name))
                 for name in ("code", "severity", "where", "message")} for issue in value]
    if kind == JSON:
        return json.dumps(value, ensure_ascii=False)
    if kind == FLOAT:
        return _number(value)
    if kind == STR:
        return neutral_text(str(value))
    return value


def write_parquet(table: Table, path) -> None:
    import pyarrow as pa
    import pyarrow.parquet as pq

    schema = pa.schema([(name, _arrow_type(kind)) for name, kind in table.columns])
    arrays = [pa.array([_arrow_value(row.get(name), kind) for row in table.rows],
                       type=_arrow_type(kind))
              for name, kind in table.columns]
    pq.write_table(pa.Table.from_arrays(arrays, schema=schema), path, compression="zstd")
