"""Datasette metadata for the database: descriptions (中文 / English) and canned queries.

``metadata(database)`` is the dict Datasette reads with ``--metadata``;
``database`` is the name Datasette gives the file (its stem: ``nianbao``).
Every canned query reads a report's latest version
(``reports.latest_version_id``), as the export does.
"""

from __future__ import annotations

# 勾稽关系 the parser checks, by issue code (crawler/parser/issues.py); an unknown
# rule_* code is shown as itself.
RULES: dict[str, str] = {
    "rule_column_balance": "H1 每列 一+二 = （七）+四 / per column: received + carried over"
                           " = total + carried forward",
    "rule_result_total": "H2 （七）总计 = 各办理结果之和 / total row = sum of result rows",
    "rule_row_total": "H3 总计列 = 各申请人列之和 / total column = sum of applicant columns",
    "rule_review_total": "H4 复议诉讼 总计 = 维持+纠正+其他+尚未审结 / review, litigation: "
                         "total = upheld + corrected + other + pending",
    "rule_subtotal": "H5 小计 = 明细之和 / subtotal = sum of its parts",
    # the pre-2019 统计表 (crawler/parser/rules_legacy.py)
    "rule_legacy_received": "P1 收到申请数 = 当面+传真+网络+信函… / applications received ="
                            " sum of the channels",
    "rule_legacy_completed": "P2 申请办结数 = 按时+延期 / completed = on time + extended",
    "rule_legacy_answered": "P3 申请答复数 = 各答复项之和 / answered = sum of the answer items",
    "rule_legacy_refused": "P4 不同意公开答复数 ≥ 其中各项之和 / refused >= sum of its reasons",
    "rule_legacy_outcomes": "P5 复议/诉讼/举报投诉数量 = （一）+（二）+（三） / review, litigation,"
                            " complaints: total = upheld + corrected + other",
    "rule_legacy_staff": "P6 工作人员数 = 专职+兼职 / staff = full-time + part-time",
    "rule_legacy_subitem": "P7 其中项 ≤ 所属项 / an of-which row <= its parent row",
}

TABLES: dict[str, tuple[str, dict[str, str]]] = {
    "portals": ("门户网站：每个门户爬虫一行 / Portals: one row per portal spider", {
        "id": "编号 / id",
        "name": "爬虫名称 / spider name (scrapy crawl NAME)",
        "title": "网站名称，如 临海市人民政府 / site title",
        "base_url": "正式网站地址 / the live site's address",
    }),
    "crawl_runs": (("抓取记录：每次抓取一行，含 Scrapy 统计 / Crawl runs: one row per crawl, "
                   "with Scrapy's final stats"), {
        "id": "编号 / id",
        "spider": "爬虫名称 / spider name",
        "started_at": "开始时间（UTC） / start time (UTC)",
        "finished_at": "结束时间（UTC） / end time (UTC)",
        "finish_reason": "结束原因，finished 为正常结束 / why it ended (finished = normally)",
        "stats": "Scrapy 统计（JSON），如 storage/reports_saved、warc/exchanges / "
                 "Scrapy's stats (JSON)",
    }),
    "captures": (("抓取存档：每个归档的 HTTP 响应一行，含 WARC 位置 / Captures: one row per "
                 "archived HTTP response, with its place in the WARC files"), {
        "id": "编号 / id",
        "crawl_run_id": "所属抓取 / the crawl run",
        "url": "响应地址（跳转后） / URL of the response (after redirects)",
        "requested_url": "请求地址（跳转前） / URL requested (before redirects)",
        "parent_id": "附件所属页面的抓取 / for an attachment: the capture of the page "
                     "that linked it",
        "fetched_at": "抓取时间（UTC） / fetch time (UTC)",
        "method": "HTTP 请求方法 / HTTP method",
        "request_digest": "请求体的 SHA-1（同一 POST 表单才算同一请求） / SHA-1 of the request "
                          "body: a POST is the same request only with the same form",
        "status": "HTTP 状态码 / HTTP status",
        "record_type": "WARC 记录类型：response，或 revisit（内容未变，正文见 refers_to） / "
                       "WARC record type: response, or revisit (unchanged: the payload is in "
                       "the record refers_to)",
        "refers_to": "revisit 所指的 WARC 记录编号 / for a revisit: the WARC-Record-ID "
                     "holding the payload",
        "etag": "服务器的 ETag，下次以 If-None-Match 发送 / the server's ETag, sent back as "
                "If-None-Match",
        "last_modified": "服务器的 Last-Modified，下次以 If-Modified-Since 发送 / the "
                         "server's Last-Modified, sent back as If-Modified-Since",
        "content_type": "内容类型 / Content-Type",
        "payload_digest": "正文字节的 SHA-1（同 WARC-Payload-Digest） / SHA-1 of the "
                          "body as received (WARC-Payload-Digest)",
        "text_digest": "规范化正文文本的 SHA-1 / SHA-1 of the normalised main text",
        "charset_header": "HTTP 头声明的字符集 / charset declared in the HTTP header",
        "charset_meta": "<meta> 声明的字符集 / charset declared in a <meta> tag",
        "charset_used": "实际解码用的字符集 / charset used to decode",
        "warc_file": "WARC 文件名 / WARC file",
        "warc_offset": "响应记录在 WARC 文件中的字节偏移 / byte offset of the response "
                       "record's gzip member",
        "warc_length": "响应记录的字节长度 / length of the record in bytes",
        "warc_record_id": "WARC 记录编号 / WARC-Record-ID",
    }),
    "reports": ("年报：每个年报网址一行 / Reports: one row per report URL", {
        "id": "编号 / id",
        "portal_id": "所属门户 / portal",
        "source_url": "年报网址 / the report's URL",
        "first_seen_at": "首次抓到时间 / first seen",
        "last_seen_at": "最近抓到时间 / last seen",
        "latest_version_id": "最新版本，查询统计数据时用它 / the newest version: "
                             "use it to read the numbers",
        "withdrawn_at": "发现被门户撤下的时间（记录保留） / when it was found taken down by "
                        "its portal (the record is kept)",
        "withdrawn_how": "如何撤下：gone_from_list（不在栏目中）、404、410、soft_404 / how: "
                         "gone from the list, 404, 410, or an error page sent as 200",
    }),
    "report_changes": (("各次抓取发现的变化：新发布、修改、撤下、恢复 / What each crawl run "
                       "found: new, edited, withdrawn or back again"), {
        "id": "编号 / id",
        "crawl_run_id": "发现变化的抓取 / the crawl run that found it",
        "report_id": "年报 / report",
        "kind": "new（新发布）、edited（内容修改）、withdrawn（撤下）、returned（恢复） / "
                "kind of change",
        "before_version_id": "变化前的版本 / the version before",
        "after_version_id": "变化后的版本 / the version after",
        "how": "撤下方式，同 reports.withdrawn_how / for a withdrawal: how",
        "at": "发现时间（UTC） / when found (UTC)",
    }),
    "report_versions": (("年报版本：同一网址每种不同内容一行，含解析出的元数据 / Report "
                        "versions: one row per distinct content of a report URL, with "
                        "the parsed metadata"), {
        "id": "编号 / id",
        "report_id": "所属年报 / the report",
        "content_digest": "规范化正文的摘要，区分版本 / digest of the normalised "
                          "text: what tells versions apart",
        "capture_id": "首次抓到此版本的页面抓取 / the page capture this version was first "
                      "seen in",
        "document_capture_id": "读取数据的附件（PDF/DOCX）抓取 / the attachment the "
                               "numbers were read from",
        "template": "表格格式：pre2019（旧统计表）、2019（国办公开办函〔2019〕60号）、2021"
                    "（国办公开办函〔2021〕30号）、unknown / table format",
        "year": "统计年度（2023年1月发布的年报为 2022） / statistics year",
        "title": "标题 / title",
        "agency": "报告机关 / reporting agency",
        "index_no": "索引号 / index number",
        "publisher": "发布机构 / publisher",
        "written_date": "成文日期 / date written",
        "published_date": "发布日期 / date published",
        "doc_number": "文号 / document number",
        "subject": "主题分类 / subject",
        "validity": "有效性 / validity",
        "metadata_extra": "其他元数据（JSON），如 SiteName、ColumnName / other page metadata "
                          "(JSON)",
        "list_title": "栏目列表中的标题 / title in the column's list",
        "main_text": "正文文本 / main text",
        "text_extractor": "提取正文所用的程序 / what extracted the main text",
        "sections": "正文各部分（JSON）：总体情况、存在问题… / narrative sections (JSON)",
        "legacy_indicators": "旧统计表（pre2019）各行（JSON）：统计指标、单位、统计数 / the "
                             "pre-2019 统计表 rows (JSON): label, unit, value",
        "extra": "记录中的其他字段（JSON） / other record fields (JSON)",
        "parser_version": "解析器版本 / parser version",
        "record_digest": "解析结果的摘要，重新解析时据以判断是否变化 / digest of the "
                         "parser's record: a re-parse with the same digest changed nothing",
        "rows_digest": "本版本统计行与问题行的摘要，相同则不重写 / digest of the stats and "
                       "issue rows last written for this version: the same rows are not "
                       "written again",
        "first_seen_at": "首次抓到时间 / first seen",
        "parsed_at": "解析时间 / parsed at",
        "agency_key": "跨年度核对所认定的机关（门户:机关名） / the agency the cross-report "
                      "audit matched the report under (portal:name)",
        "agency_matched_by": "如何认定：name 名称, rename 更名登记, index_no 索引号前缀 / "
                             "how: its name, a registered rename, the 索引号 prefix",
    }),
    "report_stats": (("统计数据（长表）：每个版本每个统计项一行；键见 report-record.md / "
                     "Stats in long form: one row per version and stat key"), {
        "version_id": "年报版本（最新版本见 reports.latest_version_id） / report version",
        "key": "统计项，如 applications.new_received.total（本年新收申请总计） / stat key",
        "value": "数值；空格为 NULL，不是 0；金额单位万元 / the number; a blank cell is "
                 "NULL, never 0; money in 万元",
        "raw": "表格中原样的文字，如 251000元 / the cell as printed",
        "blank": "空格（未填） / the cell was blank",
    }),
    "report_issues": (("解析问题：解析器发现的问题，rule_ 开头的为勾稽关系不符 / Parser "
                      "issues; codes starting with rule_ are failed consistency rules "
                      "(勾稽关系)"), {
        "id": "编号 / id",
        "version_id": "年报版本 / report version",
        "code": "问题代码，如 rule_column_balance / issue code",
        "severity": "严重程度：error、warning、info / severity",
        "where": "位置，如 applications.*.total / where in the tables",
        "message": "说明，含相关数字 / message, with the numbers",
        "detail": "解析器给出的原始问题（JSON） / the issue as the parser gave it (JSON)",
    }),
}

FACETS = {
    "report_versions": ["template", "year"],
    "report_issues": ["code", "severity"],
    "captures": ["status", "content_type"],
    "crawl_runs": ["spider", "finish_reason"],
    "report_changes": ["kind", "how"],
}
LABEL_COLUMNS = {"portals": "name", "reports": "source_url", "report_versions": "title"}

LATEST = ("reports r join report_versions v on v.id = r.latest_version_id "
          "join portals p on p.id = r.portal_id")


def _whole(expression: str) -> str:
    """A sum of counts shown as 143, not 143.0 (values are stored as floats)."""
    return (f"case when {expression} = cast({expression} as integer) "
            f"then cast({expression} as integer) else {expression} end")


def _rule_case() -> str:
    cases = "".join(f"\n    when '{code}' then '{text}'" for code, text in RULES.items())
    return f"case i.code{cases}\n    else i.code end"


QUERIES: dict[str, dict] = {
    "reports_by_agency_year": {
        "title": "各机关各年度年报 / Reports by agency and year",
        "description": "每份年报的最新版本，按机关、年度排列；可按机关（包含）和年度筛选。"
                       " / The latest version of every report by agency and year; filter by "
                       "agency (contains) and year, or leave them empty.",
        "hide_sql": True,
        "sql": f"""select v.agency, v.year, v.template, v.title, v.published_date,
  (select count(*) from report_issues i where i.version_id = v.id) as issues,
  p.name as portal, r.source_url
from {LATEST}
where (:agency = '' or v.agency like '%' || :agency || '%')
  and (:year = '' or v.year = cast(:year as integer))
order by v.agency, v.year, r.source_url""",
    },
    "applications_per_year": {
        "title": "各年度政府信息公开申请收到与予以公开数 / Applications received and "
                 "granted per year",
        "description": "2019 和 2021 格式年报（最新版本）表三的合计：本年新收申请总计"
                       "（applications.new_received.total）与予以公开总计"
                       "（applications.granted.total）。未填写的数不计入，不当作 0。"
                       " / Totals over the reports' latest versions of 表三: applications "
                       "received and granted; blank cells are left out, never counted as 0; "
                       "reports_with_* count the reports that give the number.",
        "hide_sql": True,
        "sql": f"""select v.year,
  count(*) as reports,
  count(received.value) as reports_with_received,
  {_whole("sum(received.value)")} as received,
  count(granted.value) as reports_with_granted,
  {_whole("sum(granted.value)")} as granted
from {LATEST}
left join report_stats received
  on received.version_id = v.id and received.key = 'applications.new_received.total'
left join report_stats granted
  on granted.version_id = v.id and granted.key = 'applications.granted.total'
where v.template in ('2019', '2021')
group by v.year
order by v.year""",
    },
    "failed_rules": {
        "title": "未通过勾稽关系校验的年报 / Reports failing a consistency rule (勾稽关系)",
        "description": "最新版本中解析器标记的勾稽关系不符（问题代码 rule_*），含规则、位置和数字。"
                       " / Failed consistency rules (issue codes rule_*) in the reports' "
                       "latest versions, with the rule, where, and the numbers.",
        "hide_sql": True,
        "sql": f"""select v.agency, v.year, v.template, i.code as rule,
  {_rule_case()} as rule_text,
  i."where", i.message as numbers, r.source_url
from {LATEST}
join report_issues i on i.version_id = v.id
where i.code like 'rule\\_%' escape '\\'
order by v.agency, v.year, r.source_url, i.id""",
    },
    "latest_crawl_per_portal": {
        "title": "各门户最近一次抓取 / Latest crawl per portal",
        "description": "每个门户（爬虫）最近一次抓取的时间、结束原因和主要统计，以及已存年报数。"
                       " / Each portal's most recent crawl: when, how it ended, what it "
                       "saved, and the reports stored for the portal.",
        "hide_sql": True,
        "sql": """with spiders as (select name from portals union select spider from crawl_runs)
select s.name as portal, p.title, c.id as crawl_run, c.started_at, c.finished_at,
  c.finish_reason,
  json_extract(c.stats, '$."nianbao/report_pages"') as report_pages,
  json_extract(c.stats, '$."storage/reports_saved"') as reports_saved,
  json_extract(c.stats, '$."warc/exchanges"') as http_exchanges,
  json_extract(c.stats, '$."log_count/ERROR"') as errors,
  (select count(*) from reports r where r.portal_id = p.id) as reports_stored,
  p.base_url
from spiders s
left join portals p on p.name = s.name
left join crawl_runs c on c.id = (select id from crawl_runs where spider = s.name
                                  order by started_at desc, id desc limit 1)
order by s.name""",
    },
}


QUERIES["changes_per_crawl"] = {
    "title": "各次抓取发现的变化 / What each crawl found: new, edited, withdrawn",
    "description": "每次抓取发现的新年报、被修改的年报（及变化的统计数）和被撤下的年报，最近的在前；"
                   "可按门户和类型（new、edited、withdrawn、returned）筛选。 / New, edited (with "
                   "the numbers that changed) and withdrawn reports, newest first; filter by "
                   "portal and kind, or leave them empty.",
    "hide_sql": True,
    "sql": f"""select c.crawl_run_id as crawl_run, c.at, p.name as portal, c.kind, c.how,
  v.title,
  (select group_concat(a.key || ': ' || coalesce({_whole("b.value")}, '(blank)') || ' -> '
                       || coalesce({_whole("a.value")}, '(blank)'), '; ')
   from report_stats a
   left join report_stats b on b.version_id = c.before_version_id and b.key = a.key
   where c.kind = 'edited' and a.version_id = c.after_version_id
     and b.value is not a.value) as changed,
  r.source_url
from report_changes c
join reports r on r.id = c.report_id
join portals p on p.id = r.portal_id
left join report_versions v on v.id = r.latest_version_id
where (:portal = '' or p.name = :portal) and (:kind = '' or c.kind = :kind)
order by c.id desc""",
}


def metadata(database: str = "nianbao") -> dict:
    from crawler.browse.dashboards import dashboards  # it reads RULES from this module

    tables = {
        name: {"description": description, "columns": columns,
               **({"facets": FACETS[name]} if name in FACETS else {}),
               **({"label_column": LABEL_COLUMNS[name]} if name in LABEL_COLUMNS else {})}
        for name, (description, columns) in TABLES.items()
    }
    tables["alembic_version"] = {"hidden": True}
    return {
        "plugins": {"datasette-dashboards": dashboards(database)},
        "title": "政府信息公开工作年度报告档案 / nianbao-archive",
        "description": "抓取并解析的政府信息公开工作年度报告：年报、版本、统计数据与解析问题。"
                       "数据只读。 / Government information-disclosure annual reports as "
                       "crawled and parsed: reports, versions, numbers and parser issues. "
                       "Read-only.",
        "databases": {database: {
            "title": "年报数据库 / reports database",
            "description": "年报统计数据请用预设查询或 report_stats 表（取最新版本 "
                           "reports.latest_version_id）。 / For the numbers use the canned "
                           "queries, or report_stats joined to reports.latest_version_id.",
            "tables": tables,
            "queries": QUERIES,
        }},
    }
