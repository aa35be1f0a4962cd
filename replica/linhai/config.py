"""Linhai (临海市人民政府, www.linhai.gov.cn, Hanweb JCMS): site, columns, departments."""

from __future__ import annotations

from replica.hanweb.model import Column, SiteConfig

ZWGK = ("政务公开", "/col/col1229317595/index.html")
MULU = ("信息公开目录", "/col/col1229317601/index.html")
NIANBAO = ("信息公开年报", "/col/col1229317620/index.html")
BUMEN = ("部门信息公开", "/col/col1229317603/index.html")

LIST_COLUMN = Column(
    id=1229317620, name="信息公开年报", breadcrumb=(ZWGK, MULU, NIANBAO),
    column_type="政务公开", description="临海市政府信息公开工作年度报告",
    keywords="政府信息公开年报,年度报告,临海")

# Reports are published in a sub-column per statistics year (or in a department's own
# column) and referenced into 信息公开年报; the URL keeps the original column's id.
YEAR_COLUMNS = {2018: 1229317634, 2019: 1229317635, 2020: 1229519388,
                2021: 1229607321, 2022: 1229709042, 2023: 1229782210, 2024: 1229851676}
DEPT_COLUMNS = {"police": (1229361142, "市公安局"), "edu": (1229361290, "市教育局")}


def _columns() -> dict[int, Column]:
    cols = {LIST_COLUMN.id: LIST_COLUMN}
    for year, cid in YEAR_COLUMNS.items():
        name = f"{year}年度工作报告"
        cols[cid] = Column(cid, name, (ZWGK, MULU, NIANBAO, (name, f"/col/col{cid}/index.html")),
                           column_type="信息公开年报")
    for cid, dept in DEPT_COLUMNS.values():
        cols[cid] = Column(cid, "政府信息公开年报",
                           (ZWGK, BUMEN, (dept, f"/col/col{cid - 1}/index.html"),
                            ("政府信息公开年报", f"/col/col{cid}/index.html")),
                           column_type="信息公开年报")
    return cols


ROBOTS_TXT = """User-agent: *
Disallow: /jsearchfront/
Disallow: /module/search/
Disallow: /module/jslib/
Disallow: /module/idea/
Disallow: /manager/
Disallow: /script/
Allow: /
"""

SITE = SiteConfig(
    key="linhai",
    site_name="临海市人民政府",
    domain="www.linhai.gov.cn",
    scheme="https",
    site_id_code="3310820001",
    webid=3196,
    list_column=LIST_COLUMN,
    unitid=7089461,
    perpage=15,
    group_size=3,
    columns=_columns(),
    nav=(("政府信息公开指南", "/col/col1229317611/index.html"),
         ("政府信息公开制度", "/col/col1229317612/index.html"),
         ("法定主动公开内容", "/col/col1229317615/index.html"),
         ("信息公开年报", "/col/col1229317620/index.html"),
         ("依申请公开", "/col/col1229317622/index.html")),
    search_href=("/jsearchfront/search.do?websiteid=331082000000000&searchid=12&pg=&p=1"
                 "&tpl=1&cateid=&q=%E5%B9%B4%E5%BA%A6%E6%8A%A5%E5%91%8A"),
    robots_txt=ROBOTS_TXT,
    footer=("主办：临海市人民政府办公室　承办：临海市大数据发展中心　"
            "网站标识码：3310820001　浙ICP备05051392号　浙公网安备 33108202000101号"),
    # 临海市民政局's 2023 report: its page prints the visit count server-side.
    counter_paths=("/art/2024/1/23/art_1229782210_79526.html",),
)

# key → (full name of the reporting body, 来源 text, scale for generated numbers, title stem)
DEPARTMENTS = {
    "gov": ("临海市人民政府", "市政府办公室", "city", "临海市人民政府"),
    "jxj": ("临海市经济和信息化局", "市经信局(市中小企业局)", "department", "临海市经济和信息化局"),
    "edu": ("临海市教育局", "市教育局", "department", "临海市教育局"),
    "police": ("临海市公安局", "市公安局", "department", "临海市公安局"),
    "mz": ("临海市民政局", "市民政局", "department", "临海市民政局"),
    "cz": ("临海市财政局", "市财政局", "department", "临海市财政局"),
    "rs": ("临海市人力资源和社会保障局", "市人力社保局", "department", "临海市人力资源和社会保障局"),
    "wj": ("临海市卫生健康局", "市卫生健康局", "department", "临海市卫生健康局"),
    "zj": ("临海市住房和城乡建设局", "市住建局", "department", "临海市住房和城乡建设局"),
    "gucheng": ("临海市古城街道办事处", "古城街道", "town", "临海市古城街道"),
    "dayang": ("临海市大洋街道办事处", "大洋街道", "town", "临海市大洋街道"),
    "duqiao": ("临海市杜桥镇人民政府", "杜桥镇", "town", "临海市杜桥镇"),
    "yongquan": ("临海市涌泉镇人民政府", "涌泉镇", "town", "临海市涌泉镇"),
}

LIST_TITLE_MAX = 28  # the list unit truncates longer anchor texts to 27 characters + …
