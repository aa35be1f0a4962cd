"""Parser of 政府信息公开工作年度报告 (annual reports on government information disclosure).

``parse_report(data, *, url=None, content_type=None, filename=None) -> dict``
turns one report (HTML page or fragment in any encoding, PDF, DOCX, Word 97
``.doc``, Kingsoft ``.wps``/``.et``, Excel ``.xls``/``.xlsx`` or extracted text) into the record of ``shared/spec/report-record.md``, plus
``parser_version`` and ``input_format``.  It never raises.
``parse_file(path)`` does the same for a file; ``python -m crawler.parser
FILE...`` prints one JSON record per file.

Modules, one concern each:

============== ===============================================================
keys           stat keys and printed labels of each template (for renderers)
labels         label variants and patterns (data)
decode         bytes → text (BOM, Content-Type, <meta charset>, detection)
normalize      繁→简, pinyin annotations, whitespace, comparison forms
numbers        one cell → number / blank / unknown (money in 万元)
tokens         the row stream all inputs become
text_tables    text layouts → rows;  html_tables: HTML grids;  pdf, docx
office         .doc/.wps/.et/.xls sniffing, LibreOffice conversion (subprocess);
               spreadsheet: .xlsx/.xls sheets → rows
ocr            scanned PDF pages: Tesseract words → lines (ocr_layout: value cells,
               vertical text, misread labels);  ocr_confidence: each number's
               OCR confidence, ocr_low_confidence
markdown       converter text: headings, emphasis, pipe-table delimiter rows
detect         which table a row belongs to; the format from table headers
active         表二;  applications + columns: 表三;  review: 表四;  legacy: 统计表
rules          勾稽关系 H1–H5;  rules_legacy: 统计表 P1–P7;  rules_soft: S2, S4 (text
               vs table);  rules_cross: S3, S3b (two reports, run by crawler.audit)
metadata       metadata, title, agency, year;  sections: narrative sections
issues         issue records; the table of stable issue codes is there
limits         bounds on PDF pages and DOCX expansion (hostile inputs)
record         parse_report / parse_file
============== ===============================================================
"""

PARSER_VERSION = "1.3.0"

from .limits import LimitExceeded, ParseLimits  # noqa: E402
from .record import empty_record, parse_file, parse_report  # noqa: E402

__all__ = ["PARSER_VERSION", "LimitExceeded", "ParseLimits", "empty_record", "parse_file",
           "parse_report"]
