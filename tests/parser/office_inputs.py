"""Office-format test inputs made from a real report by LibreOffice (no binary files committed).

The whole Shanghai 2019 report (``golden/inputs/shanghai-2019-municipal-office.content.html``,
real HTML) is saved by ``soffice`` as Word 97 ``.doc`` (through Writer) and as Excel
``.xls``/``.xlsx`` (through Calc), the way a clerk re-saves a report. Kingsoft WPS
writes ``.wps``/``.et`` in the same binary formats as Word 97 / Excel 97 (OLE files
with a ``WordDocument`` / ``Workbook`` stream), so the ``.doc``/``.xls`` bytes under
those names stand for them.
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

GOLDEN = Path(__file__).parent / "golden"
SOURCE = GOLDEN / "inputs" / "shanghai-2019-municipal-office.content.html"
EXPECTED = GOLDEN / "expected" / "shanghai-2019-municipal-office.content.json"
_FILTERS = {  # suffix → (import filter, export filter)
    "doc": ("HTML (StarWriter)", "doc:MS Word 97"),
    "xls": ("HTML (StarCalc)", "xls:MS Excel 97"),
    "xlsx": ("HTML (StarCalc)", "xlsx:Calc MS Excel 2007 XML"),
}


def make_office_inputs(directory: Path) -> dict[str, Path]:
    """Suffix ("doc", "wps", "xls", "et", "xlsx") → the file, made in ``directory``."""
    soffice = shutil.which("soffice")
    if soffice is None:
        raise RuntimeError("LibreOffice (soffice) is needed: scripts/setup-test-env.sh installs it")
    page = directory / "shanghai-2019.html"
    page.write_text('<html><head><meta charset="utf-8"></head><body>'
                    + SOURCE.read_text(encoding="utf-8") + "</body></html>", encoding="utf-8")
    profile = (directory / "profile").as_uri()
    made = {}
    for suffix, (import_filter, export_filter) in _FILTERS.items():
        out = directory / suffix
        subprocess.run([soffice, "--headless", "--norestore", f"-env:UserInstallation={profile}",
                        f"--infilter={import_filter}", "--convert-to", export_filter,
                        "--outdir", str(out), str(page)],
                       check=True, capture_output=True, timeout=180)
        made[suffix] = out / f"shanghai-2019.{suffix}"
    for alias, original in (("wps", "doc"), ("et", "xls")):
        made[alias] = directory / f"shanghai-2019.{alias}"
        shutil.copyfile(made[original], made[alias])
    return made
