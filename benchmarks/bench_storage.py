"""What storing a report costs, alone: CPU ms and SQL statements per report (issue 11).

1. Crawls the synthetic portal of N reports (``synthetic_portal.py``) once with
   fetch, WARC and extraction, the storage pipeline replaced by ``ItemRecorder``,
   which pickles each extracted item: real records, captures and WARC places.
2. Replays those items into a fresh database (SQLite file, PostgreSQL
   database) as a crawl stores them: the capture index adds a row for each
   capture (page, attachments), then ``ReportStoragePipeline`` stores the
   report; from ``open_spider`` to ``spider_closed``, so whatever the pipeline
   keeps back is counted when it is written. Twice: a first night (every
   report new) and an unchanged second night.

Prints one line per database and night, then one JSON object. CPU is this
process's ``process_time`` over the replay (PostgreSQL's server work is not in
it; SQLite's is, it runs in the process). ``--profile`` prints a pyinstrument
profile of the first SQLite night.

    .venv/bin/python benchmarks/bench_storage.py --reports 200
"""

from __future__ import annotations

import argparse
import json
import os
import pickle
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent))

from runs import CRAWL_SETTINGS, SCRAPY, measured, project_env, settings_args  # noqa: E402
from synthetic_portal import serve  # noqa: E402

ITEMS_FILE = "BENCH_STORAGE_ITEMS_FILE"


class ItemRecorder:
    """An item pipeline that appends each report item, pickled, to ``BENCH_STORAGE_ITEMS_FILE``."""

    def __init__(self, path: str):
        self.stream = open(path, "ab")  # noqa: SIM115 - closed on close_spider

    @classmethod
    def from_crawler(cls, crawler):
        return cls(crawler.settings.get(ITEMS_FILE))

    def process_item(self, item):
        pickle.dump(item, self.stream)
        return item

    def close_spider(self) -> None:
        self.stream.close()


def record_items(n: int, tmp: Path, path: Path | None = None) -> list:
    """The items of a crawl of ``n`` reports (``path``: recorded there, or read back from it)."""
    if path is not None and path.exists():
        return load_items(path)
    path = path or tmp / "items.pickle"
    server = serve(n, 0)
    try:
        settings = {**CRAWL_SETTINGS, "PORTAL_BASE_URL": server.base_url,
                    "WARC_DIR": str(tmp / "archive"), "LOG_FILE": str(tmp / "crawl.log"),
                    ITEMS_FILE: str(path), "AUDIT_ENABLED": "False",
                    "ITEM_PIPELINES": json.dumps({
                        "pipelines.extract.ReportExtractionPipeline": 300,
                        "bench_storage.ItemRecorder": 800})}
        env = project_env(f"sqlite:///{tmp}/crawl.db")
        env["PYTHONPATH"] = os.pathsep.join([str(HERE), env["PYTHONPATH"]])
        measured([str(SCRAPY), "crawl", "linhai", *settings_args(settings)],
                 cwd=HERE.parent, env=env, log=tmp / "crawl.log")
    finally:
        server.stop()
    return load_items(path)


def load_items(path: Path) -> list:
    items = []
    with open(path, "rb") as stream:
        while True:
            try:
                items.append(pickle.load(stream))
            except EOFError:
                return items


def capture_entries(item):
    """What the WARC middleware told the capture index of each capture of ``item``."""
    from nianbao_core.captures import CaptureEntry, CharsetEvidence, RequestKey

    for capture in (item.page, *item.attachments):
        if capture.warc is None:
            continue
        yield CaptureEntry(
            key=RequestKey.of("GET", capture.url, b""), status=capture.status,
            content_type=capture.content_type, pointer=capture.warc, etag=None,
            last_modified=None, refers_to=None,
            charsets=capture.charsets or CharsetEvidence())


def replay(items: list, url: str, nights: int = 2, profile: bool = False) -> list[dict]:
    """Store ``items`` as ``nights`` crawls would; CPU ms and statements per report each."""
    from scrapy.utils.misc import build_from_crawler
    from scrapy.utils.test import get_crawler
    from sqlalchemy import event

    import crawler.settings as project_settings
    from crawler.items import ReportPage
    from pipelines.store import ReportStoragePipeline
    from spiders.linhai import LinhaiSpider
    from storage.capture_index import SqlCaptureIndex
    from storage.db import shared_engine

    engine = shared_engine(url, migrate=True)
    statements = [0]

    @event.listens_for(engine, "before_cursor_execute")
    def count(*_args):
        statements[0] += 1

    project = {name: getattr(project_settings, name) for name in dir(project_settings)
               if name.isupper()}
    reports = sum(isinstance(item, ReportPage) for item in items)
    figures = []
    for night in range(1, nights + 1):
        crawler = get_crawler(LinhaiSpider, {**project, "DATABASE_URL": url,
                                             "STORAGE_AUTO_MIGRATE": True})
        crawler.spider = LinhaiSpider.from_crawler(crawler)
        crawler.stats.open_spider()
        index = SqlCaptureIndex.from_crawler(crawler)
        pipeline = build_from_crawler(ReportStoragePipeline, crawler)
        pipeline.open_spider()
        profiler = None
        if profile and night == 1:
            from pyinstrument import Profiler
            profiler = Profiler(interval=0.0005)
            profiler.start()
        statements[0] = 0
        started, wall = time.process_time(), time.perf_counter()
        index_cpu = 0.0
        for item in items:
            if isinstance(item, ReportPage):
                # A second night archives every page again: new records, new ids.
                item = _as_night(item, night)
                before = time.process_time()
                for entry in capture_entries(item):
                    index.add(entry)
                index_cpu += time.process_time() - before
            pipeline.process_item(item)
        index.close()  # what the WARC middleware does at spider_closed
        pipeline.spider_closed("finished")  # what the spider_closed signal calls
        cpu = time.process_time() - started
        wall = time.perf_counter() - wall
        if profiler is not None:
            profiler.stop()
            print(profiler.output_text(unicode=True, color=False, show_all=False))
        figures.append({
            "night": night, "reports": reports,
            "cpu_ms_per_report": cpu * 1000 / reports,
            "index_cpu_ms_per_report": index_cpu * 1000 / reports,
            "storage_cpu_ms_per_report": crawler.stats.get_value("storage/cpu_ms", 0) / reports,
            "statements_per_report": statements[0] / reports,
            "wall_ms_per_report": wall * 1000 / reports,
            "new_versions": crawler.stats.get_value("storage/new_versions", 0)})
    engine.dispose()
    return figures


def _as_night(item, night: int):
    """``item`` as crawled on ``night``: the same content under new WARC record ids."""
    from dataclasses import replace

    def again(capture):
        if capture.warc is None or night == 1:
            return capture
        return replace(capture, warc=replace(
            capture.warc, record_id=capture.warc.record_id[:-1] + f"-{night}>"))

    attachments = [again(a) for a in item.attachments]
    document = None
    if item.document is not None:
        document = next((a for a, b in zip(attachments, item.attachments)
                         if b is item.document), again(item.document))
    return replace(item, page=again(item.page), attachments=attachments, document=document)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--reports", type=int, default=200)
    parser.add_argument("--postgres", default="host=127.0.0.1 port=5432 user=postgres dbname=test",
                        help="admin DSN of a PostgreSQL server; '' for SQLite only")
    parser.add_argument("--profile", action="store_true")
    parser.add_argument("--items", type=Path,
                        help="keep the crawl's items in this file, or replay them from it")
    args = parser.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="bench-storage-"))
    items = record_items(args.reports, tmp, args.items)
    out = {"sqlite": replay(items, f"sqlite:///{tmp}/replay.db", profile=args.profile)}
    if args.postgres:
        out["postgresql"] = _with_postgres(args.postgres, lambda url: replay(items, url))
    for kind, nights in out.items():
        for night in nights:
            print(f"{kind:10} night {night['night']}: {night['reports']} reports, "
                  f"{night['cpu_ms_per_report']:.2f} ms CPU per report "
                  f"(pipeline's storage/cpu_ms {night['storage_cpu_ms_per_report']:.2f}, "
                  f"capture index {night['index_cpu_ms_per_report']:.2f}), "
                  f"{night['statements_per_report']:.1f} statements per report")
    print(json.dumps(out))


def _with_postgres(admin_dsn: str, work):
    import uuid

    import psycopg

    name = f"bench_storage_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(admin_dsn, autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}" ENCODING \'UTF8\' TEMPLATE template0')
        try:
            return work(f"postgresql+psycopg://postgres@127.0.0.1:5432/{name}")
        finally:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


if __name__ == "__main__":
    main()
