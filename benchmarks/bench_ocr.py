"""OCR engines on CJK tables, and the parser on a scanned report.

The real Huai'an 2024 report (``tests/parser/golden/inputs``) is rasterised at
200 dpi (pdftoppm) and rebuilt as an image-only PDF (img2pdf), as a scanner
would. Then:

1. **Engines** on its table pages (default 4 and 5, where 表二–表四 are): each
   reads the page images; accuracy is the share of the text layer's numbers
   (pypdf, same page) found in order (longest common subsequence of number
   tokens) and the similarity of the CJK text (difflib ratio, characters only);
   speed is CPU seconds per page (the process and its children).

   * ``tesseract-raw``: ``tesseract -l chi_sim --psm 6`` on the page as it is;
   * ``tesseract``: what the parser does (``crawler/parser/ocr.py``): table
     rules removed, value cells read again digits-only, labels restored;
   * ``rapidocr``: rapidocr-onnxruntime 1.4 with the models its wheel ships
     (``pip install rapidocr-onnxruntime`` to measure it; it is not a project
     dependency).

2. **Parser**: the record of the image-only PDF against the text-layer PDF's
   record: cells equal, cells differing and how many of those are flagged.

Run: ``.venv/bin/python benchmarks/bench_ocr.py [--pages 4,5] [--engines ...]``.
"""

from __future__ import annotations

import argparse
import importlib
import importlib.util
import os
import re
import resource
import subprocess
import sys
import tempfile
import time
import unicodedata
from difflib import SequenceMatcher
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from crawler.parser import parse_report  # noqa: E402
from crawler.parser import ocr  # noqa: E402

HUAIAN = ROOT / "tests" / "parser" / "golden" / "inputs" / "huaian-2024-municipal-govt.pdf"
NUMBER = re.compile(r"\d+(?:\.\d+)?")


def cpu() -> float:
    own = resource.getrusage(resource.RUSAGE_SELF)
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def numbers(text: str) -> list[str]:
    return NUMBER.findall(unicodedata.normalize("NFKC", text))


def cjk(text: str) -> str:
    return "".join(ch for ch in text if "\u4e00" <= ch <= "\u9fff")


def lcs(a: list[str], b: list[str]) -> int:
    previous = [0] * (len(b) + 1)
    for x in a:
        row = [0]
        for j, y in enumerate(b):
            row.append(previous[j] + 1 if x == y else max(previous[j + 1], row[j]))
        previous = row
    return previous[-1]


def text_layer_pages() -> dict[int, str]:
    from pypdf import PdfReader

    reader = PdfReader(str(HUAIAN))
    return {n: page.extract_text() or "" for n, page in enumerate(reader.pages, start=1)}


def image_only_pdf(work: Path) -> tuple[bytes, dict[int, Path]]:
    import img2pdf

    subprocess.run(["pdftoppm", "-r", "200", "-png", str(HUAIAN), str(work / "page")], check=True)
    pages = {int(p.stem.split("-")[1]): p for p in work.glob("page-*.png")}
    return img2pdf.convert([str(pages[n]) for n in sorted(pages)]), pages


def tesseract_raw(image: Path, page: int) -> str:
    out = subprocess.run(["tesseract", str(image), "stdout", "-l", "chi_sim", "--psm", "6"],
                         capture_output=True, check=True).stdout
    return out.decode("utf-8")


def tesseract_pipeline(scan: bytes, page: int) -> str:
    lines, _ = ocr.ocr_pdf_pages(scan, [page])
    return "\n".join(lines[page])


_RAPID = None


def rapidocr(image: Path, page: int) -> str:
    global _RAPID
    if _RAPID is None:
        # Imported by name: an optional tool measured here, not a dependency (it brings
        # onnxruntime and the desktop OpenCV, which would replace the headless one).
        _RAPID = importlib.import_module("rapidocr_onnxruntime").RapidOCR()
    result, _ = _RAPID(str(image))
    boxes = sorted(result or [], key=lambda r: (round(r[0][0][1] / 20), r[0][0][0]))
    return "\n".join(text for _, text, _ in boxes)


def measure_engines(names: list[str], pages: list[int], scan: bytes, images: dict[int, Path],
                    truth: dict[int, str]) -> None:
    print(f"engines on pages {pages} of the Huai'an report at 200 dpi")
    print(f"{'engine':16} {'numbers found':>14} {'CJK similarity':>15} {'CPU s/page':>11}")
    for name in names:
        if name == "rapidocr":
            if importlib.util.find_spec("rapidocr_onnxruntime") is None:
                print(f"{name:16} not installed (pip install rapidocr-onnxruntime)")
                continue
        found = total = 0
        similarity = []
        started = cpu()
        for page in pages:
            if name == "tesseract":
                text = tesseract_pipeline(scan, page)
            elif name == "tesseract-raw":
                text = tesseract_raw(images[page], page)
            else:
                text = rapidocr(images[page], page)
            want, got = numbers(truth[page]), numbers(text)
            found += lcs(want, got)
            total += len(want)
            similarity.append(SequenceMatcher(None, cjk(truth[page]), cjk(text),
                                              autojunk=False).ratio())
        per_page = (cpu() - started) / len(pages)
        print(f"{name:16} {found:>6}/{total:<4} {found / total:>5.1%} "
              f"{sum(similarity) / len(similarity):>11.3f} {per_page:>11.1f}")


def measure_parser(scan: bytes) -> None:
    text_record = parse_report(HUAIAN.read_bytes(), filename="huaian.pdf")
    started, wall = cpu(), time.perf_counter()
    record = parse_report(scan, filename="huaian-scan.pdf")
    spent, wall = cpu() - started, time.perf_counter() - wall
    keys = set(text_record["stats"]) | set(record["stats"])
    missing = object()
    differing = [k for k in keys
                 if text_record["stats"].get(k, missing) != record["stats"].get(k, missing)]
    flagged = [k for k in differing if any(
        i["where"] and (i["where"] == k or k.startswith(i["where"] + "."))
        for i in record["issues"])]
    low = sum(i["code"] == "ocr_low_confidence" for i in record["issues"])
    print(f"\nparser on the image-only PDF ({len(record['ocr']['pages'])} pages OCR'd): "
          f"{wall:.0f} s wall, {spent:.0f} s CPU")
    print(f"cells equal to the text-layer record: {len(keys) - len(differing)}/{len(keys)} "
          f"= {(len(keys) - len(differing)) / len(keys):.1%}")
    print(f"cells differing: {len(differing)}, flagged: {len(flagged)} "
          f"({', '.join(sorted(differing)) or 'none'})")
    print(f"ocr_low_confidence issues: {low}; issues: "
          + ", ".join(sorted({i['code'] for i in record['issues']})))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--pages", default="4,5", help="pages for the engine comparison")
    parser.add_argument("--engines", default="tesseract-raw,tesseract,rapidocr")
    parser.add_argument("--no-parser", action="store_true", help="skip the whole-report run")
    args = parser.parse_args()
    os.environ.setdefault("OMP_NUM_THREADS", "1")  # one core, as in a crawl's worker
    pages = [int(p) for p in args.pages.split(",")]
    truth = text_layer_pages()
    with tempfile.TemporaryDirectory() as work:
        scan, images = image_only_pdf(Path(work))
        measure_engines(args.engines.split(","), pages, scan, images, truth)
        if not args.no_parser:
            measure_parser(scan)


if __name__ == "__main__":
    main()
