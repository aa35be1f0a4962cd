"""Finding a portal's 信息公开年报 column from its pages (``scrapy discover``).

Pure functions of fetched pages: which CMS family a page shows
(:func:`family_votes`), which of its links lead towards the column
(:func:`ranked_links`: 年报 links first, then 政务公开/信息公开 navigation),
whether a page is the column and what registry entry reads it
(:func:`column_entry`), and the entry as TOML (:func:`entry_toml`). The
crawling is the discover command's spider; what is known about families is
here, beside the families.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from dataclasses import dataclass, field
from urllib.parse import urldefrag, urljoin, urlsplit

from parsel import Selector

from spiders.cms import gkmlpt_lists, trs_lists
from spiders.cms.generic_lists import ListRules, parse_page
from spiders.cms.hanweb_lists import parse_column_page

_SIGNS: dict[str, tuple[re.Pattern[str], ...]] = {
    "hanweb": (re.compile(r"/module/web/jpage/|<datastore>|/col/col\d+/index\.html"
                          r"|/art/\d{4}/\d{1,2}/\d{1,2}/art_\d+_\d+\.html"),),
    "hanweb_jpage": (re.compile(r"/module/jpage/dataproxy\.jsp"),),
    "hanweb_xxgk": (re.compile(r"/module/xxgk/"),),
    "trs": (re.compile(r"createPage(?:HTML)?\s*\(|TRS_Editor|CurrChnlCls"
                       r"|/\d{6}/t\d{8}_\d+\.s?html?"),),
    "gkmlpt": (re.compile(r"/gkmlpt/|window\._CONFIG"),),
    # 博达 VSB and other static builds read by the generic family
    "generic": (re.compile(r"/system/resource/|/info/\d+/\d+\.htm|vsb_content|wbtreeid"),),
}
ANNUAL = re.compile(r"信息公开.{0,4}年报|政府信息公开年度报告|^年报$|年度报告栏目")
NAVIGATION = re.compile(r"政务公开|信息公开|政府信息公开目录|公开目录")
# A listed report: a year and a report word (not the column's own name, 信息公开年报).
REPORT = re.compile(r"\d{4}\s*年.*(?:年度报告|年报|工作报告)")
NEXT_PAGE = ("下页", "下一页")
# 行政区划 code prefixes (GB/T 2260) → province: the first two digits of a local SiteIDCode.
PROVINCES = {
    "11": "北京市", "12": "天津市", "13": "河北省", "14": "山西省", "15": "内蒙古自治区",
    "21": "辽宁省", "22": "吉林省", "23": "黑龙江省", "31": "上海市", "32": "江苏省",
    "33": "浙江省", "34": "安徽省", "35": "福建省", "36": "江西省", "37": "山东省",
    "41": "河南省", "42": "湖北省", "43": "湖南省", "44": "广东省", "45": "广西壮族自治区",
    "46": "海南省", "50": "重庆市", "51": "四川省", "52": "贵州省", "53": "云南省",
    "54": "西藏自治区", "61": "陕西省", "62": "甘肃省", "63": "青海省", "64": "宁夏回族自治区",
    "65": "新疆维吾尔自治区",
}


@dataclass
class Found:
    """A column and the registry entry that reads it; ``undecided`` says what is missing."""

    family: str
    base_url: str
    column: str  # path (and query) from the base URL
    column_url: str
    options: dict = field(default_factory=dict)
    site_name: str = ""
    site_domain: str = ""
    site_id_code: str = ""
    undecided: list[str] = field(default_factory=list)


def family_votes(html: str) -> Counter:
    votes: Counter = Counter()
    for family, patterns in _SIGNS.items():
        for pattern in patterns:
            votes[family] += len(pattern.findall(html))
    return votes


def _link_text(link) -> str:
    return re.sub(r"\s+", "", " ".join(link.xpath(".//text()").getall())
                  or link.attrib.get("title", ""))


def ranked_links(html: str, page_url: str) -> list[tuple[int, str, str]]:
    """(rank, url, text) of links towards the column: 0 = a 年报 column, 1 = navigation."""
    origin = urlsplit(page_url)[:2]
    out, seen = [], set()
    for link in Selector(text=html).xpath("//a[@href]"):
        href = link.attrib["href"].strip()
        if href.startswith(("javascript:", "mailto:")):
            continue
        url = urljoin(page_url, href)
        if urlsplit(url)[:2] != origin or url in seen:
            continue
        text = _link_text(link)
        rank = 0 if ANNUAL.search(text) else 1 if NAVIGATION.search(text) else None
        if rank is None or len(text) > 12:  # an article titled …年报 is not navigation
            continue
        seen.add(url)
        out.append((rank, url, text))
    return sorted(out, key=lambda t: t[0])


def _meta(sel: Selector, name: str) -> str:
    upper = ("translate(@name, 'abcdefghijklmnopqrstuvwxyz', "
             "'ABCDEFGHIJKLMNOPQRSTUVWXYZ')")
    return (sel.xpath(f"//meta[{upper}='{name.upper()}']/@content").get() or "").strip()


def _css_class(node) -> str:
    classes = (node.attrib.get("class") or "").split()
    return node.root.tag + ("." + classes[0] if classes else "")


def generic_rules(html: str, page_url: str) -> ListRules | None:
    """Selectors for a list on the page: the same-shaped rows with the most report titles."""
    sel = Selector(text=html)
    groups: dict[str, list[str]] = {}
    for link in sel.xpath("//a[@href]"):
        row = link.xpath("ancestor::*[self::li or self::tr][1]")
        if not row:
            continue
        container = row.xpath("parent::*")
        if container and container[0].root.tag == "tbody":
            container = container.xpath("parent::*")
        if not container:
            continue
        key = f"{_css_class(container[0])} {row[0].root.tag}"
        groups.setdefault(key, []).append(_link_text(link))
    ranked = sorted(((sum(bool(REPORT.search(t)) for t in texts), len(texts), key)
                     for key, texts in groups.items()), reverse=True)
    if not ranked or ranked[0][0] == 0:
        return None
    entries = ranked[0][2]
    next_page = ""
    for link in sel.xpath("//a"):
        if _link_text(link) in NEXT_PAGE:
            parent = link.xpath("parent::*")[0]
            classes = (parent.attrib.get("class") or "").split()
            if parent.root.tag == "span" and classes:
                next_page = f"span.{classes[0]} a"
            else:
                next_page = f"//a[normalize-space()='{_link_text(link)}']"
            break
    rules = ListRules(entries, next_page)
    return rules if parse_page(html, page_url, rules).entries else None


def column_entry(html: str, page_url: str, base_url: str) -> Found | None:
    """The entry reading this page as the 年报 column, or None when it is not one."""
    sel = Selector(text=html)
    column = page_url[len(base_url):] if page_url.startswith(base_url) else urlsplit(page_url).path
    column, fragment = urldefrag(column)
    found = Found("", base_url, column, page_url, site_name=_meta(sel, "SiteName"),
                  site_domain=_meta(sel, "SiteDomain"), site_id_code=_meta(sel, "SiteIDCode"))
    if "window._CONFIG" in html and "/gkmlpt/" in page_url:
        sid, tree = gkmlpt_lists.parse_config(html)
        annual = [i for i, name in tree.items() if ANNUAL.search(name)]
        category = int(fragment) if fragment.isdigit() else (annual[0] if annual else None)
        if category is None:
            return None
        found.family, found.options = "gkmlpt", {"category": category}
        if not sid:
            found.undecided.append("sid (not on the catalogue page)")
        return found
    listing = parse_column_page(html, page_url)
    if listing.entries:
        found.family = "hanweb_jpage" if "/module/jpage/" in html else "hanweb"
        return found
    if trs_lists.parse_pager(html) is not None or trs_lists.parse_list(html, page_url):
        entries = trs_lists.parse_list(html, page_url)
        if entries and any(REPORT.search(e.title) for e in entries):
            found.family = "trs"
            if not column.endswith("/"):
                found.column = column.rsplit("/", 1)[0] + "/"
            return found
    rules = generic_rules(html, page_url)
    if rules is not None:
        found.family = "generic"
        found.options = {"entries": rules.entries}
        if rules.next_page:
            found.options["next_page"] = rules.next_page
        return found
    return None


def level_of(name: str) -> str | None:
    """The administrative level a portal owner's name says; a county-level 市 reads as city."""
    if re.search(r"(镇|乡|街道)(人民政府|办事处)?$", name):
        return "township"
    if re.search(r"(局|委员会|办公室|中心|署)$", name):
        return "department"
    if re.search(r"(省|自治区)人民政府$|^(北京|天津|上海|重庆)市人民政府$", name):
        return "province"
    if re.search(r"(县|区|旗)人民政府$", name):
        return "county"
    if re.search(r"市人民政府$", name):
        return "city"
    return None


def _toml(value) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)  # a JSON string is a TOML basic string
    if isinstance(value, list):
        return "[" + ", ".join(_toml(v) for v in value) + "]"
    if isinstance(value, dict):
        return "{ " + ", ".join(f"{k} = {_toml(v)}" for k, v in value.items()) + " }"
    raise TypeError(type(value))


def entry_toml(found: Found, name: str, started_from: str) -> str:
    """A ``[[portal]]`` table ready to paste; what could not be decided is said in comments."""
    undecided = list(found.undecided)
    full_name = found.site_name or ""
    if not full_name:
        undecided.append("full_name (no SiteName meta)")
    province = PROVINCES.get(found.site_id_code[:2]) if found.site_id_code[:1].isdigit() else None
    if province is None:
        undecided.append("region.province (no local SiteIDCode)")
    level = level_of(full_name)
    if level is None:
        undecided.append("level")
    elif level == "city":
        undecided.append("level (a 市人民政府 may be a county-level city: then county)")
    region = {"province": province or ""}
    lines = ["[[portal]]", f"name = {_toml(name)}", f"full_name = {_toml(full_name)}",
             f"region = {_toml(region)}  # city, county: not decided from the page",
             f"level = {_toml(level or '')}", f"family = {_toml(found.family)}",
             f"base_url = {_toml(found.base_url)}", f"columns = {_toml([found.column])}"]
    if found.options:
        lines.append(f"options = {_toml(found.options)}")
    lines.append(f"evidence = {_toml([found.column_url])}")
    domain = f", SiteDomain {found.site_domain}" if found.site_domain else ""
    lines.append(f"notes = {_toml(f'Found by scrapy discover from {started_from}{domain}.')}")
    if undecided:
        lines.insert(0, "# could not decide: " + "; ".join(undecided))
    return "\n".join(lines) + "\n"
