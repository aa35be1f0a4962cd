"""Reports parsed per second on one core, for typical HTML pages.

    .venv/bin/python benchmarks/bench_parser.py [--seconds 5]

The pages: the real Shanghai 2019 report (36 KB, three tables) wrapped in a
Hanweb-style page (发展指引 <meta> tags, navigation, info block, footer), once
as UTF-8 and once as GBK, and a short department report page.  Target: at
least 300 pages/s.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from crawler.parser import parse_report  # noqa: E402

BODY = (ROOT / "tests/parser/golden/inputs/shanghai-2019-municipal-office.content.html").read_text(
    encoding="utf-8")
NAV = "".join(f"<li><a href='/col/col{i}/index.html'>栏目{i}</a></li>" for i in range(60))
SHELL = """<!DOCTYPE html><html><head><meta charset="{charset}">
<title>2019年上海市人民政府办公厅政府信息公开工作年度报告_上海市人民政府</title>
<meta name="SiteName" content="上海市人民政府"><meta name="SiteDomain" content="www.shanghai.gov.cn">
<meta name="SiteIDCode" content="3100000001"><meta name="ColumnName" content="政府信息公开年报">
<meta name="ColumnType" content="政府信息公开年报">
<meta name="ArticleTitle" content="2019年上海市人民政府办公厅政府信息公开工作年度报告">
<meta name="PubDate" content="2020-01-31 10:00"><meta name="ContentSource" content="市政府办公厅">
<script>var a = 1; /* analytics */</script><style>.x{{color:red}}</style></head>
<body><div class="header"><ul class="nav">{nav}</ul></div>
<div class="crumb">当前位置：首页 &gt; 政务公开 &gt; 政府信息公开年报</div>
<div class="article-title">2019年上海市人民政府办公厅政府信息公开工作年度报告</div>
<ul class="article-info"><li>日期: 2020-01-31 10:00</li><li>来源: 市政府办公厅</li>
<li>浏览次数: <span id="views"></span></li></ul><div id="zoom">{body}</div>
<div class="footer">主办：上海市人民政府办公厅 网站标识码：3100000001 沪ICP备05000000号</div>
</body></html>"""
SHORT = SHELL.format(charset="utf-8", nav=NAV, body=BODY[:6000] + "</p>")


def pages() -> list[tuple[bytes, str]]:
    utf8 = SHELL.format(charset="utf-8", nav=NAV, body=BODY)
    gbk = SHELL.format(charset="gbk", nav=NAV, body=BODY)
    return [(utf8.encode("utf-8"), "text/html; charset=UTF-8"),
            (gbk.encode("gb18030"), "text/html"),
            (SHORT.encode("utf-8"), "text/html; charset=utf-8")]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seconds", type=float, default=5.0)
    args = ap.parse_args()
    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {min(os.sched_getaffinity(0))})  # one core
    docs = pages()
    for data, ct in docs:  # warm up (OpenCC dictionary, regex caches)
        record = parse_report(data, content_type=ct, url="https://www.shanghai.gov.cn/a.html")
        assert record["template"] == "2019" and record["title"], record["issues"]
    count, start, cpu = 0, time.perf_counter(), time.process_time()
    while time.perf_counter() - start < args.seconds:
        for data, ct in docs:
            parse_report(data, content_type=ct, url="https://www.shanghai.gov.cn/a.html")
            count += 1
    elapsed, cpu = time.perf_counter() - start, time.process_time() - cpu
    size = sum(len(d) for d, _ in docs) / len(docs) / 1024
    # CPU time is the one-core figure; wall time also counts other processes' turns
    print(f"{count / cpu:.0f} reports/s on one core (CPU time; {count / elapsed:.0f}/s wall) "
          f"- {count} pages of ~{size:.0f} KB")


if __name__ == "__main__":
    main()
