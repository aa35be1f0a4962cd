"""Report bodies: the narrative sections around the tables, as a 政务公开 clerk writes them.

``render_body(report)`` returns the HTML that goes inside the article's
content container.  Sentences that quote numbers (新收/结转/办结, 复议/诉讼)
take them from the same printed cells the tables show, so the narrative
agrees with the tables (rule S4) unless the table itself is wrong.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field

from replica.reportgen import keys as K
from replica.reportgen import tables

NOTICE = {
    "2019": "《国务院办公厅政府信息与政务公开办公室关于政府信息公开工作年度报告有关事项的通知》"
            "（国办公开办函〔2019〕60号）",
    "2021": "《国务院办公厅政府信息与政务公开办公室关于印发〈中华人民共和国政府信息公开工作年度报告格式〉"
            "的通知》（国办公开办函〔2021〕30号）",
}


@dataclass
class ReportText:
    """Everything needed to write one report body."""

    agency: str  # 临海市教育局
    year: int  # statistics year
    template: str  # pre2019 / 2019 / 2021 (the tables printed)
    texts: dict[str, str]  # key → printed cell text
    rng_seed: str
    style: str = "plain"
    heading_variants: bool = False
    t2_colspan_first: bool = False
    legacy_numbered: bool = False
    extra: dict = field(default_factory=dict)


def _p(text: str, indent: bool = True) -> str:
    style = ' style="text-indent:2em;"' if indent else ""
    return f"<p{style}>{text}</p>"


def _h(text: str) -> str:
    return f'<p style="text-indent:2em;"><strong>{text}</strong></p>'


def _int(texts: dict[str, str], key: str) -> int:
    raw = texts.get(key, "").strip().lstrip("+")
    return int(raw) if raw.isdigit() else 0


def _col_sum(texts: dict[str, str], row: str) -> int:
    total = texts.get(f"applications.{row}.total", "").strip()
    if total.isdigit():
        return int(total)
    return sum(_int(texts, f"applications.{row}.{col}") for col in K.APPLICANT_KEYS)


def render_body(r: ReportText) -> str:
    if r.template == "pre2019":
        return _render_pre2019(r)
    return _render_modern(r)


def _render_modern(r: ReportText) -> str:
    rng = random.Random(r.rng_seed)
    y, a, t = r.year, r.agency, r.texts
    titles = dict(K.SECTION_TITLES)
    if r.heading_variants:
        titles.update(K.SECTION_TITLE_VARIANTS)
    notice_year = "2019" if r.year < 2021 else "2021"
    published = rng.randint(60, 900)
    new, over = _col_sum(t, "new_received"), _col_sum(t, "carried_over")
    done, forward = _col_sum(t, "total"), _col_sum(t, "carried_forward")
    review = _int(t, "review_litigation.review.total")
    suits = (_int(t, "review_litigation.litigation_direct.total")
             + _int(t, "review_litigation.litigation_after_review.total"))
    out = [
        _p(f"本报告依据《中华人民共和国政府信息公开条例》（以下简称《条例》）和{NOTICE[notice_year]}要求，"
           f"由{a}编制。本报告中所列数据的统计期限自{y}年1月1日起至{y}年12月31日止。"
           f"本报告电子版可在临海市人民政府门户网站（www.linhai.gov.cn）信息公开年报栏目查阅或下载。"
           f"如对本报告有疑问，请与{a}办公室联系。"),
        _h(titles["overview"]),
        _p(f"{y}年，{a}深入贯彻落实《条例》和上级关于政务公开工作的部署要求，"
           f"{rng.choice(['坚持以公开为常态、不公开为例外', '以群众需求为导向', '围绕中心工作'])}，"
           f"扎实推进政府信息公开工作。"),
        _p(f"（一）主动公开。全年通过门户网站主动公开政府信息{published}条，"
           f"其中{rng.choice(['机构职能', '政策文件', '财政资金', '重点领域'])}类信息"
           f"{rng.randint(5, max(6, published // 4))}条。"),
        _p(f"（二）依申请公开。{y}年共新收政府信息公开申请{new}件，上年结转{over}件，"
           f"办结{done}件，结转下年度继续办理{forward}件。"),
        _p("（三）政府信息管理。严格落实信息发布审核制度，做好政策文件的合法性审查和公开属性认定。"),
        _p("（四）平台建设。依托政府门户网站集约化平台，及时更新信息公开目录，规范栏目设置。"),
        _p("（五）监督保障。将政务公开工作纳入年度目标考核，本年度未发生因政务公开工作被追责的情况。"),
        _h(titles["active"]),
        tables.render_t2(t, r.template, r.style, r.t2_colspan_first),
        _h(titles["applications"]),
        tables.render_t3(t, r.template, r.style),
        _h(titles["review_litigation"]),
        tables.render_t4(t, r.style),
    ]
    if review or suits:
        out.append(_p(f"本年度因政府信息公开工作被申请行政复议{review}件，被提起行政诉讼{suits}件。"))
    out += [
        _h(titles["problems"]),
        _p(f"{y}年我单位政府信息公开工作仍存在一些不足：一是{rng.choice(['主动公开的深度和广度有待加强', '政策解读形式较为单一'])}；"
           f"二是{rng.choice(['工作人员业务水平有待提高', '信息更新的及时性有待提升'])}。"),
        _p(f"{y + 1}年，我们将进一步加强业务培训，完善工作机制，不断提升政务公开工作水平。"),
        _h(titles["other"]),
    ]
    if r.year >= 2021:
        out.append(_p(f"本年度未收取信息处理费。{rng.choice(['无其他需要报告的事项。', '人大代表建议和政协提案办理结果已按要求公开。'])}"))
    else:
        out.append(_p("无其他需要报告的事项。"))
    return "\n".join(out)


def _render_pre2019(r: ReportText) -> str:
    rng = random.Random(r.rng_seed)
    y, a, t = r.year, r.agency, r.texts
    received = _int(t, "received")
    out = [
        _p(f"本报告根据《中华人民共和国政府信息公开条例》（以下简称《条例》）要求，由{a}编制。"
           "全文包括概述，主动公开政府信息情况，依申请公开政府信息情况，政府信息公开的收费及减免情况，"
           "因政府信息公开申请行政复议、提起行政诉讼的情况，存在的主要问题及改进情况，其他需要报告的事项。"
           f"本报告中所列数据的统计期限自{y}年1月1日起至{y}年12月31日止。"),
        _h("一、概述"),
        _p(f"{y}年，{a}按照《条例》和省、市政务公开工作要点的要求，"
           f"{rng.choice(['健全工作机制', '加强组织领导'])}，认真做好政府信息公开工作。"),
        _h("二、主动公开政府信息情况"),
        _p(f"全年共主动公开政府信息{t.get('active', '')}条，其中通过政府网站公开{t.get('ch_website', '')}条。"),
        _h("三、依申请公开政府信息情况"),
        _p(f"全年共收到政府信息公开申请{received}件，均已按时答复。" if received
           else "全年未收到政府信息公开申请。"),
        _h("四、政府信息公开的收费及减免情况"),
        _p("本年度未收取任何费用。"),
        _h("五、因政府信息公开申请行政复议、提起行政诉讼的情况"),
        _p(f"本年度发生政府信息公开行政复议{_int(t, 'review')}件，行政诉讼{_int(t, 'litigation')}件。"),
        _h("六、存在的主要问题及改进情况"),
        _p("信息公开的及时性、规范性还需进一步提高。下一步，我们将加强培训，完善制度，推动政府信息公开工作规范化。"),
        _h("七、其他需要报告的事项"),
        _p("无。"),
        _p(f"附件：{a}{y}年政府信息公开情况统计表", indent=False),
        tables.render_legacy(t, r.style, r.legacy_numbered),
    ]
    return "\n".join(out)
