"""Word 97 ``.doc``, Kingsoft ``.wps``/``.et``: which office format, and conversion by LibreOffice.

Nothing here parses a binary office format by hand: LibreOffice (``soffice
--headless --convert-to``) turns word-processing files into DOCX (read by
:mod:`.docx`) and spreadsheets that xlrd cannot open into XLSX (read by
:mod:`.spreadsheet`). Each conversion runs in a subprocess of its own session
with a timeout (the whole process group is killed when it runs over) and
bounds on the input and output sizes, so a hostile file can neither hang nor
crash the crawl: it becomes an ``unreadable`` record. LibreOffice refuses to
run twice on one user profile, so every process converts with a private
profile (``-env:UserInstallation``), one conversion at a time; parallel
workers each have their own.
"""

from __future__ import annotations

import atexit
import io
import os
import shutil
import signal
import subprocess
import tempfile
import threading
import zipfile
from pathlib import Path

from .issues import UnreadableDocument

MAX_INPUT_BYTES = 30_000_000  # annual reports are < 5 MB; a larger office file is not one
MAX_OUTPUT_BYTES = 60_000_000
CONVERT_TIMEOUT = 45.0  # seconds (a first conversion in a new profile takes ~8 s): under EXTRACTION_TIMEOUT (60), so a hung soffice is killed by us, not orphaned by a killed worker
SOFFICE = os.environ.get("NIANBAO_SOFFICE", "soffice")

WORD_KINDS = ("doc", "wps")  # → DOCX
SHEET_KINDS = ("xls", "et", "xlsx")  # → rows of cells
_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_EXT_KIND = {".doc": "doc", ".wps": "wps", ".dot": "doc", ".xls": "xls", ".et": "et",
             ".xlsx": "xlsx", ".xlsm": "xlsx"}
_TARGET = {"docx": "docx:MS Word 2007 XML", "xlsx": "xlsx:Calc MS Excel 2007 XML"}


class ConversionError(UnreadableDocument):
    """The office file could not be converted (broken, hostile, too large, too slow)."""


def is_xlsx(data: bytes) -> bool:
    if not data.startswith(b"PK\x03\x04"):
        return False
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as z:
            return "xl/workbook.xml" in z.namelist()
    except (zipfile.BadZipFile, ValueError, OSError):
        return False


def _ole_streams(data: bytes) -> set[str]:
    import olefile

    try:
        with olefile.OleFileIO(io.BytesIO(data)) as ole:
            return {"/".join(entry) for entry in ole.listdir(streams=True, storages=False)}
    except (OSError, ValueError, IndexError, KeyError, TypeError):  # olefile's broken-file errors
        return set()


def office_kind(data: bytes, ext: str) -> str | None:
    """"doc", "wps", "xls", "et" or "xlsx" when ``data`` is one of these, else None.

    The content decides the family (an OLE file with a ``WordDocument`` stream is a
    word-processing file, one with ``Workbook``/``Book`` a spreadsheet, whatever it
    is called); the extension only names the member of the family.
    """
    if data.startswith(b"PK\x03\x04"):
        return "xlsx" if is_xlsx(data) else None
    if not data.startswith(_OLE_MAGIC):
        return None
    streams = _ole_streams(data)
    named = _EXT_KIND.get(ext)
    if "WordDocument" in streams:
        return named if named in WORD_KINDS else "doc"
    if streams & {"Workbook", "Book"}:
        return named if named in ("xls", "et") else "xls"
    return None


class _Profile:
    """This process's LibreOffice user profile (made on first use, removed at exit)."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.pid: int | None = None
        self.path: Path | None = None

    def get(self) -> Path:
        if self.pid != os.getpid() or self.path is None:  # a forked worker needs its own
            self.pid = os.getpid()
            self.path = Path(tempfile.mkdtemp(prefix="nianbao-soffice-"))
            atexit.register(shutil.rmtree, self.path, True)
        return self.path


_PROFILE = _Profile()


def convert(data: bytes, kind: str, target: str, *, timeout: float = CONVERT_TIMEOUT) -> bytes:
    """``data`` (an office file of ``kind``) converted to ``target`` ("docx" or "xlsx")."""
    if len(data) > MAX_INPUT_BYTES:
        raise ConversionError(f"{kind} file of {len(data)} bytes is over {MAX_INPUT_BYTES}")
    # Kingsoft files are read by LibreOffice's MS Office filters: give them those names.
    suffix = {"wps": "doc", "et": "xls"}.get(kind, kind)
    with _PROFILE.lock, tempfile.TemporaryDirectory(prefix="nianbao-convert-") as work:
        source = Path(work) / f"input.{suffix}"
        source.write_bytes(data)
        out_dir = Path(work) / "out"
        command = [SOFFICE, "--headless", "--norestore", "--nolockcheck", "--nodefault",
                   f"-env:UserInstallation={_PROFILE.get().as_uri()}",
                   "--convert-to", _TARGET[target], "--outdir", str(out_dir), str(source)]
        try:
            process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                       stdin=subprocess.DEVNULL, start_new_session=True)
        except OSError as exc:
            raise ConversionError(f"LibreOffice (soffice) is not available: {exc}") from exc
        try:
            _, stderr = process.communicate(timeout=timeout)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)  # soffice.bin is a child of the launcher
            process.communicate()
            raise ConversionError(f"LibreOffice took over {timeout:.0f} s on this {kind} file")
        result = out_dir / f"input.{target}"
        if process.returncode != 0 or not result.is_file():
            message = stderr.decode("utf-8", "replace").strip().splitlines()[-1:] or ["no output"]
            raise ConversionError(f"LibreOffice could not convert this {kind} file: {message[0]}"
                                  [:300])
        if result.stat().st_size > MAX_OUTPUT_BYTES:
            raise ConversionError(f"the converted {kind} file is over {MAX_OUTPUT_BYTES} bytes")
        return result.read_bytes()
