"""The body of a pre-2019 report: seven prose sections, then the 统计表 as 附件.

Sentences that quote the table (收到申请, 行政复议, 行政诉讼, and the other
rows stated in prose) take the printed cells, so rule S4 reads the same
figures in the text as in the table.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from replica.reportgen import phrasebook as PB
from replica.reportgen import tables
from replica.reportgen.writer import CN_ORDINALS, Writer, cell_int, h, listing, p, problems

if TYPE_CHECKING:
    from replica.reportgen.narrative import ReportText


def render(r: ReportText) -> str:
    w = Writer(r.agency, r.year, r.rng_seed)
    y, a, t = r.year, r.agency, r.texts
    review, litigation = cell_int(t, "review"), cell_int(t, "litigation")
    out = [
        p(f"本报告根据《中华人民共和国政府信息公开条例》（以下简称《条例》）要求，由{a}编制。"
          "全文包括概述，主动公开政府信息情况，依申请公开政府信息情况，政府信息公开的收费及减免情况，"
          "因政府信息公开申请行政复议、提起行政诉讼的情况，存在的主要问题及改进情况，其他需要报告的事项。"
          f"本报告中所列数据的统计期限自{y}年1月1日起至{y}年12月31日止。"),
        h("一、概述"),
        *_overview(w, r),
        h("二、主动公开政府信息情况"),
        *_active(w, t),
        h("三、依申请公开政府信息情况"),
        p(_applications(w, t)),
        h("四、政府信息公开的收费及减免情况"),
        p("本年度未收取任何费用。" + w.one(PB.LEGACY_FEES)),
        h("五、因政府信息公开申请行政复议、提起行政诉讼的情况"),
        p(f"本年度发生政府信息公开行政复议{review}件，行政诉讼{litigation}件。"
          + _complaints(t) + w.one(PB.LEGACY_REVIEW)),
        h("六、存在的主要问题及改进情况"),
        *problems(w, rectified=False),
        h("七、其他需要报告的事项"),
        p(w.one(PB.LEGACY_OTHER) if w.rng.random() < 0.5 else "无。"),
        p(f"附件：{a}{y}年政府信息公开情况统计表", indent=False),
        tables.render_legacy(t, r.style, r.legacy_numbered),
    ]
    return "\n".join(out)


# Sections 二 to 五 sit under headings the parser takes for the 表二/表三 context:
# every paragraph there is a full sentence, never a bare label a table could claim.

def _overview(w: Writer, r: ReportText) -> list[str]:
    """一、概述: the opening, then numbered points, the last one on staff and training."""
    opening = (f"{r.year}年，{r.agency}按照《条例》和省、市政务公开工作要点的要求，"
               f"{w.rng.choice(['健全工作机制', '加强组织领导'])}，认真做好政府信息公开工作。")
    out = [p(opening + "".join(w.pick(PB.OPENING, w.count(2, 2))))]
    points = w.points(PB.LEGACY_TOPICS, w.count(3, 4), w.span(2, 3))
    points.append(("加强机构和队伍建设", [_staff(r.texts)]))
    for i, (title, sentences) in enumerate(points):
        out.append(p(f"（{CN_ORDINALS[i]}）{title}。" + "".join(sentences)))
    return out


def _staff(t: dict[str, str]) -> str:
    """机构、人员、经费、会议和培训 (统计表 八、九), as printed."""
    def n(key: str) -> int:
        return cell_int(t, key)

    text = (f"设立政府信息公开工作专门机构{n('offices')}个，"
            f"设置政府信息公开查阅点{n('reading_points')}个，从事政府信息公开工作的人员{n('staff')}人，"
            f"其中专职{n('staff_full')}人、兼职{n('staff_part')}人。")
    budget = t.get("budget", "").strip()
    if budget and budget != "0":
        text += f"安排政府信息公开专项经费{budget}万元。"
    text += f"全年召开政府信息公开工作会议或专题会议{n('meetings')}次"
    if n("trainings"):
        text += f"，举办各类培训班{n('trainings')}次，接受培训{n('trainees')}人次"
    return text + "。"


def _active(w: Writer, t: dict[str, str]) -> list[str]:
    """二: the counts by channel, 重点领域, then 回应解读 (统计表 一、二)."""
    first = (f"（一）公开数量。全年共主动公开政府信息{t.get('active', '')}条，"
             f"其中通过政府网站公开{t.get('ch_website', '')}条。")
    channels = listing([(name + "公开", cell_int(t, key)) for name, key in (
        ("政府公报", "ch_gazette"), ("政务微博", "ch_weibo"), ("政务微信", "ch_weixin"),
        ("其他方式", "ch_other"))], unit="条")
    if channels:
        first += f"同时通过{channels.replace('，', '、')}。"
    if cell_int(t, "active_normative"):
        first += (f"主动公开规范性文件{cell_int(t, 'active_normative')}条，"
                  f"制发规范性文件{cell_int(t, 'normative_made')}件。")
    fields = w.pick([*w.field.points, *PB.FOCUS_GENERIC], w.count(3, 3))
    responses = listing([("回应公众关注热点或重大舆情", cell_int(t, "hot")),
                         ("举办新闻发布会", cell_int(t, "press")),
                         ("开展政府网站在线访谈", cell_int(t, "interview")),
                         ("通过微博微信回应事件", cell_int(t, "social_responses"))], unit="次")
    if cell_int(t, "interpretations"):
        responses += ("，" if responses else "") + f"发布政策解读稿件{cell_int(t, 'interpretations')}篇"
    response = f"全年{responses}。" if responses else "本年度未发生需要专门回应的重大舆情。"
    return [p(first),
            p("（二）重点领域信息公开。" + "".join(fields)),
            p("（三）回应解读情况。" + response
              + "".join(w.pick(PB.LEGACY_RESPONSE, w.count(1, 2))))]


def _applications(w: Writer, t: dict[str, str]) -> str:
    """三: 收到申请 (the S4 figure), by channel, 办结 and 答复 as the 统计表 prints them.

    No count follows 办结 or 答复 except after 按时/延期, which S4 does not read."""
    received, extended = cell_int(t, "received"), cell_int(t, "extended")
    if not received:
        return "全年未收到政府信息公开申请。" + w.one(PB.LEGACY_NO_REQUESTS)
    text = f"全年共收到政府信息公开申请{received}件，" + ("均已依法办理。" if extended else "均已按时答复。")
    ways = listing([(name + "申请", cell_int(t, key)) for name, key in (
        ("当面", "rcv_in_person"), ("网络", "rcv_online"), ("信函", "rcv_letter"), ("传真", "rcv_fax"))])
    if ways:
        text += f"从申请方式看，{ways.replace('，', '、')}。"
    if extended:
        text += f"申请均已办结，其中按时办结{cell_int(t, 'on_time')}件、延期办结{extended}件。"
    answers = listing([(name, cell_int(t, key)) for name, key in (
        ("属于已主动公开范围的", "ans_already_public"), ("同意公开的", "ans_granted"),
        ("同意部分公开的", "ans_partial"), ("不同意公开的", "ans_refused"),
        ("不属于本行政机关公开的", "ans_not_ours"), ("申请信息不存在的", "ans_not_exist"),
        ("告知作出更改补充的", "ans_amend"), ("告知通过其他途径办理的", "ans_other_route"))])
    if answers:
        text += f"从答复类型看，{answers}。"
    return text + "".join(w.pick(PB.APPLICATION_PROCESS, w.count(1, 1)))


def _complaints(t: dict[str, str]) -> str:
    complaints = cell_int(t, "complaints")
    if complaints:
        return f"因政府信息公开工作被举报投诉{complaints}件，均已依法妥善处理。"
    return "全年未发生因政府信息公开工作引起的举报投诉。"
