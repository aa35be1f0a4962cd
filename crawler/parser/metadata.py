"""Metadata, title, agency and statistics year of a report.

Metadata come from the visible header of the page (a table, an ``<li>``
grid or text lines such as ``索 引 号:``) and, where that is silent, from
the 政府网站发展指引 ``<meta>`` tags (ArticleTitle, PubDate, ContentSource,
SiteName, ColumnName…).  The year is the statistics year: from the title,
else the 统计期限 sentence, else the 统计表 caption; never "the first 20xx".
"""

from __future__ import annotations

import re

from nianbao_core.record import METADATA_FIELDS

from .labels import META_TAGS, METADATA_LABELS, METADATA_PLACEHOLDERS
from .normalize import clean_text, match_form, squeeze
from .tokens import heading_of

_LABEL_ALT = "|".join(r"[\s\u3000]*".join(label)
                      for label in sorted(METADATA_LABELS, key=len, reverse=True))
# a label: not glued to a preceding Chinese character, then an optional colon
_LABEL_RE = re.compile(rf"(?<![\u4e00-\u9fff])({_LABEL_ALT})\s*[:：]")
_BARE_LABEL_RE = re.compile(rf"^({_LABEL_ALT})\s*[:：]?$")
_DATE_RE = re.compile(r"(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})")
_YEAR_RE = re.compile(r"((?:19|20)\d{2})\s*年")
_TITLE_YEAR_RE = re.compile(
    r"((?:19|20)\d{2})\s*年度?\s*(?:政府|政务|信息|区|市|县|镇|乡|街道|部门|本|度)?.{0,30}?"
    r"(?:信息公开|政务公开).{0,12}?(?:年度报告|年报|工作报告|报告)")
_PERIOD_RE = re.compile(r"统计期限[^。]{0,12}?((?:19|20)\d{2})\s*年\s*0?1\s*月\s*0?1\s*日")
_CAPTION_YEAR_RE = re.compile(r"((?:19|20)\d{2})\s*年度?\s*政府信息公开.{0,8}统计表")
_OPENING_YEAR_RE = re.compile(r"^((?:19|20)\d{2})\s*年度?\s*[,，]")
_TITLE_WORDS = re.compile(r"年度报告|年报|工作报告|年度工作情况")
_AGENCY_RE = re.compile(r"^(.*?)(?:关于)?\s*((?:19|20)\d{2})\s*年度?(.*?)(?:政府信息公开|政务公开|信息公开|政府信息)")
_NAV_RE = re.compile(r"当前位置|您的位置|>|›|»|首页")


def normalize_date(text: str | None) -> str | None:
    if not text:
        return None
    m = _DATE_RE.search(text)
    if not m:
        return None
    y, mo, d = int(m.group(1)), int(m.group(2)), int(m.group(3))
    if not (1 <= mo <= 12 and 1 <= d <= 31 and 1990 <= y <= 2100):
        return None
    return f"{y:04d}-{mo:02d}-{d:02d}"


def _label(text: str) -> str:
    return "".join(text.split())


def _split_cell(cell: str) -> list[tuple[str | None, str]]:
    """(label, value) pairs of one cell; a label alone gets value ''."""
    form = cell.strip()
    m = _BARE_LABEL_RE.match(form)
    if m:
        return [(_label(m.group(1)), "")]
    if ":" not in form and "：" not in form:  # every label match ends in a colon; spares
        return [(None, form)]                # the look-behind scan over headers and prose
    hits = list(_LABEL_RE.finditer(form))
    if not hits:
        return [(None, form)]
    out: list[tuple[str | None, str]] = []
    if hits[0].start() > 0:
        out.append((None, form[:hits[0].start()]))
    for i, h in enumerate(hits):
        end = hits[i + 1].start() if i + 1 < len(hits) else len(form)
        out.append((_label(h.group(1)), form[h.end():end].strip()))
    return out


def labelled_fields(lines: list[str], limit: int = 150) -> dict[str, str]:
    """Metadata fields from the header zone: up to ``limit`` lines or the first heading."""
    found: dict[str, tuple[int, str]] = {}
    for line in lines[:limit]:
        if heading_of(line) is not None:
            break
        cells = [c for c in line.split("|")]
        pairs: list[tuple[str | None, str]] = []
        for cell in cells:
            pairs.extend(_split_cell(cell))
        for i, (label, value) in enumerate(pairs):
            if label is None:
                continue
            if not value and i + 1 < len(pairs) and pairs[i + 1][0] is None:
                value = pairs[i + 1][1]
            field, prio = METADATA_LABELS[label]
            value = squeeze(value)
            if not field or not value or value in METADATA_PLACEHOLDERS:
                continue
            if field.endswith("_date"):
                value = normalize_date(value) or ""
                if not value:
                    continue
            if field not in found or prio < found[field][0]:
                found[field] = (prio, value)
    return {k: v for k, (_, v) in found.items()}


def build_metadata(lines: list[str], meta: dict[str, str]) -> tuple[dict, str | None]:
    """(metadata dict of the spec, title from labelled header fields)."""
    fields = labelled_fields(lines)
    out: dict[str, str | None] = {k: None for k in METADATA_FIELDS}
    for k in METADATA_FIELDS:
        if fields.get(k):
            out[k] = clean_text(fields[k])
    if out["publisher"] is None and meta.get("contentsource"):
        out["publisher"] = clean_text(meta["contentsource"])
    if out["published_date"] is None:
        out["published_date"] = normalize_date(meta.get("pubdate"))
    for tag, key in META_TAGS.items():
        out[key] = clean_text(meta.get(tag)) if meta.get(tag) else None
    return out, fields.get("title")


def find_title(lines: list[str], meta: dict[str, str], html_title: str | None,
               header_title: str | None) -> str | None:
    if meta.get("articletitle"):
        return clean_text(meta["articletitle"])
    for i, line in enumerate(lines[:80]):
        if len(line) > 80 or "。" in line or _NAV_RE.search(line) or "|" in line:
            continue
        if ":" in line or "：" in line:
            continue
        if not _TITLE_WORDS.search(line.replace(" ", "")):
            continue
        form = match_form(line)
        if not _YEAR_RE.search(form) and "政府信息公开" not in form:
            continue
        title = line
        m = re.match(r"^\s*(?:19|20)\d{2}\s*年度?\s*(?:政府信息公开|政务公开|信息公开)", title)
        if m and i > 0:
            prev = lines[i - 1]
            if len(prev) <= 30 and not re.search(r"[:：。，,|]|\d", prev):
                title = prev + title
        return clean_text(title)
    if header_title:
        return clean_text(header_title)
    if html_title:
        head = re.split(r"\s*[-_|—]{1,2}\s*", html_title)[0]
        if _TITLE_WORDS.search(head):
            return clean_text(head)
    return None


def agency_of(title: str | None) -> str | None:
    if not title:
        return None
    m = _AGENCY_RE.match(title)
    if m:
        agency = m.group(1).strip() or m.group(3).strip()
    else:
        m2 = re.match(r"^(.*?)(?:政府信息公开|政务公开|信息公开)", title)
        agency = m2.group(1).strip() if m2 else ""
    agency = re.sub(r"^关于|关于$|的$", "", agency).strip(" 《》\"“”")
    return agency or None


def find_year(title: str | None, lines: list[str], overview: str | None = None
              ) -> tuple[int | None, list[tuple[str, str]]]:
    """(statistics year, notes as (issue code, message))."""
    notes: list[tuple[str, str]] = []
    title_year = None
    if title:
        m = _TITLE_YEAR_RE.search(title) or _YEAR_RE.search(title)
        if m:
            title_year = int(m.group(1))
    period_year = caption_year = None
    for line in lines:
        if period_year is None and "统计期限" in line:
            m = _PERIOD_RE.search(line)
            if m:
                period_year = int(m.group(1))
        if caption_year is None and "统计表" in line:
            m = _CAPTION_YEAR_RE.search(line)
            if m:
                caption_year = int(m.group(1))
    if title_year and period_year and title_year != period_year:
        notes.append(("year_conflict",
                      f"title says {title_year}, 统计期限 says {period_year}; title kept"))
    year = title_year or period_year or caption_year
    if year is None and overview:
        m = _OPENING_YEAR_RE.match(overview)
        if m:
            year = int(m.group(1))
            notes.append(("year_inferred",
                          f"year {year} from the overview's opening {overview[:12]!r}"))
    if year is None:
        notes.append(("year_missing", "no year in title, 统计期限 sentence or 统计表 caption"))
    return year, notes
