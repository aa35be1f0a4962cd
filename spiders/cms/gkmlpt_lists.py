"""Reading Guangdong's 政府信息公开目录 platform (gkmlpt).

Every Guangdong portal (province, cities, districts, their departments) runs
the same platform under ``<base>/gkmlpt/``: ``/gkmlpt/index`` is a page whose
script carries ``window._CONFIG`` with the site id (``SID: '755325'``) and
the category tree; the lists come from
``/gkmlpt/api/all/<category>?page=N&sid=<SID>`` as JSON
``{"total": N, "articles": [{"id", "title", "url", "post_url",
"publisher", "identifier", "document_number", "create_time",
"display_publish_time", "first_publish_time", "attachments", …}]}``, 100
articles a page; detail pages are ``content/<id//1e6>/<id//1e3>/post_<id>.html``.
Pure functions of the answers, tested on their own.
"""

from __future__ import annotations

import json
import math
import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, timezone
from urllib.parse import urljoin

from spiders.cms.hanweb_lists import ListEntry

PAGE_SIZE = 100
_SID = re.compile(r"""\bSID\s*:\s*['"]?(\d+)""")
# TREE entries as the page script writes them: {"id":2846,"name":"政府信息公开年报",…}
_TREE_NODE = re.compile(r"""\{[^{}]*?["']?id["']?\s*:\s*["']?(\d+)["']?\s*,"""
                        r"""[^{}]*?["']?name["']?\s*:\s*["']([^"']+)["']""")
_CST = timezone(timedelta(hours=8))


class GkmlptError(ValueError):
    """An API answer that is not the list JSON (an error page, a WAF page, garbage)."""


@dataclass(frozen=True)
class GkmlptPage:
    entries: list[ListEntry]
    total: int
    page_size: int

    @property
    def pages(self) -> int:
        return max(1, math.ceil(self.total / self.page_size)) if self.page_size else 1


def parse_config(html: str) -> tuple[str | None, dict[int, str]]:
    """The SID and the category tree (id → name) of a ``/gkmlpt/index`` page."""
    sid = _SID.search(html)
    tree = {int(i): name for i, name in _TREE_NODE.findall(html)}
    return (sid.group(1) if sid else None), tree


def _date(article: dict) -> str | None:
    for key in ("display_publish_time", "first_publish_time", "create_time"):
        value = article.get(key)
        if isinstance(value, int | float) and value > 0:
            return datetime.fromtimestamp(value, UTC).astimezone(_CST).strftime("%Y-%m-%d")
        if isinstance(value, str) and re.match(r"\d{4}-\d{2}-\d{2}", value):
            return value[:10]
    return None


def parse_api(text: str, api_url: str) -> GkmlptPage:
    try:
        data = json.loads(text)
    except ValueError as exc:
        raise GkmlptError(f"not JSON: {exc}") from exc
    if not isinstance(data, dict) or not isinstance(data.get("articles"), list):
        raise GkmlptError("no 'articles' list")
    entries = []
    for article in data["articles"]:
        if not isinstance(article, dict):
            continue
        link = article.get("url") or article.get("post_url")
        if not isinstance(link, str) or not link:
            continue
        entries.append(ListEntry(urljoin(api_url, link), str(article.get("title") or "").strip(),
                                 _date(article)))
    total = data.get("total")
    total = total if isinstance(total, int) and total >= 0 else len(entries)
    return GkmlptPage(entries, total, PAGE_SIZE)
