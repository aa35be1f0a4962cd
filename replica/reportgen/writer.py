"""Drawing the sentences of one report, and the parts every report format shares.

:class:`Writer` fills the templates of :mod:`replica.reportgen.phrasebook`
with the report's own seeded random generator (the same report is the same
bytes on every run), never uses a template twice on one page (each page is
compressed on its own in the archive: repeated sentences would make it
unrealistically small) and decides how wordy the page is.  The helpers read
printed cells and write the page's markup; :func:`problems` writes section
五 (存在的主要问题及改进情况), alike in every format.
"""

from __future__ import annotations

import random
import re

from replica.reportgen import keys as K
from replica.reportgen import phrasebook as PB

CN_ORDINALS = "一二三四五六七八九十"


def p(text: str, indent: bool = True) -> str:
    style = ' style="text-indent:2em;"' if indent else ""
    return f"<p{style}>{text}</p>"


def h(text: str) -> str:
    return f'<p style="text-indent:2em;"><strong>{text}</strong></p>'


def cell_int(texts: dict[str, str], key: str) -> int:
    raw = texts.get(key, "").strip().lstrip("+")
    return int(raw) if raw.isdigit() else 0


def col_sum(texts: dict[str, str], row: str) -> int:
    total = texts.get(f"applications.{row}.total", "").strip()
    if total.isdigit():
        return int(total)
    return sum(cell_int(texts, f"applications.{row}.{col}") for col in K.APPLICANT_KEYS)


def listing(parts: list[tuple[str, int]], unit: str = "件") -> str:
    """"予以公开3件，无法提供1件": the non-zero parts, in order."""
    return "，".join(f"{name}{n}{unit}" for name, n in parts if n)


# --- drawing sentences ---------------------------------------------------------------

_SLOT = re.compile(r"\{(\w+|\d+-\d+)\}")
_YEARS = re.compile(r"^\[(\d{4})-(\d{4})?\]")


class Writer:
    """Draws and fills templates for one report; remembers what it used."""

    def __init__(self, agency: str, year: int, rng_seed: str) -> None:
        self.rng = random.Random(rng_seed)
        self.year = year
        key, we, org = next(((k, w, o) for names, k, w, o in PB.AGENCY_KINDS
                             if any(n in agency for n in names)), ("dept", "我单位", "机关"))
        self.field = PB.FIELDS[key]
        # each {focus} names another 重点领域 (round robin over a per-report order)
        self._focus = self.rng.sample(self.field.focus, len(self.field.focus))
        self._focus_at = 0
        self.values = {"y": year, "py": year - 1, "ny": year + 1, "a": agency, "we": we,
                       "org": org, "field": self.field.name, "public": self.field.public,
                       "units": self.field.units,
                       "ctx": self.rng.choice(PB.YEAR_CONTEXT.get(year, ("全面深化改革的重要一年",)))}
        self._used: set[str] = set()
        # numbered points read "1、" on some pages and "1." on others, never both on one page
        self.point_mark = self.rng.choice(("{n}、", "{n}."))
        # how much this clerk writes (0 terse … 3 wordy): spreads the page lengths as real
        # reports spread (the seeds run 2,900 to 5,800 characters with their tables); a
        # city government's report, which speaks for the whole city, is never terse
        self.verbose = self.rng.choices(range(4), weights=(3, 3, 3, 2))[0]
        if key == "gov":
            self.verbose = max(self.verbose, 2)

    def span(self, low: int, high: int) -> tuple[int, int]:
        """How many of something a terse clerk writes (low..high), stretched for wordier ones."""
        return low + self.verbose // 2, high + self.verbose

    def count(self, low: int, high: int) -> int:
        return self.rng.randint(*self.span(low, high))

    def fill(self, template: str, **extra: str) -> str:
        def slot(m: re.Match[str]) -> str:
            name = m.group(1)
            if "-" in name:
                low, high = map(int, name.split("-"))
                return str(self.rng.randint(low, high))
            if name == "focus":
                self._focus_at += 1
                return self._focus[(self._focus_at - 1) % len(self._focus)]
            return str(extra[name] if name in extra else self.values[name])
        return _SLOT.sub(slot, _YEARS.sub("", template))

    def _fits(self, template: str) -> bool:
        m = _YEARS.match(template)
        return not m or int(m.group(1)) <= self.year <= int(m.group(2) or 9999)

    def pick(self, pool, k: int, **extra: str) -> list[str]:
        """Up to ``k`` filled templates of ``pool`` this page has not used yet."""
        fresh = [t for t in pool if t not in self._used and self._fits(t)]
        # in the pool's order: the templates of a point are written to follow each other
        chosen = sorted(self.rng.sample(fresh, min(k, len(fresh))), key=fresh.index)
        self._used.update(chosen)
        return [self.fill(t, **extra) for t in chosen]

    def one(self, pool, **extra: str) -> str:
        return self.pick(pool, 1, **extra)[0]

    def points(self, topics, k: int, per: tuple[int, int],
               specials: dict[str, list[str]] | None = None) -> list[tuple[str, list[str]]]:
        """``k`` topics (title, sentences) with ``per`` sentences each, in the pool's order.

        A marker among a topic's sentences (PB.MARKERS: FIELD, NORMATIVE) stands for
        the sentences ``specials`` maps it to (none if it maps it to nothing)."""
        fitting = [t for t in topics if t.years[0] <= self.year <= t.years[1]]
        chosen = sorted(self.rng.sample(range(len(fitting)), min(k, len(fitting))))
        out = []
        for i in chosen:
            topic = fitting[i]
            pool = [s for item in topic.sentences
                    for s in ((specials or {}).get(item, []) if item in PB.MARKERS else [item])]
            sentences = self.pick(pool, self.rng.randint(*per))
            if sentences:
                out.append((self.rng.choice(topic.titles), sentences))
        return out

    def ordinal_list(self, items: list[str]) -> str:
        """"一是…；二是…。" (items without final punctuation)."""
        return "；".join(f"{CN_ORDINALS[i]}是{item}" for i, item in enumerate(items)) + "。"


# --- 五、存在的主要问题及改进情况 (every format) ----------------------------------------


def problems(w: Writer, rectified: bool) -> list[str]:
    """五: last year's problems and what was done about them (when ``rectified``: the
    2021 notice asks for it), this year's problems, next year's measures."""
    rng = w.rng
    out = []
    if rectified:
        [last_year] = w.pick(PB.PROBLEMS, 1)
        steps = w.pick(PB.RECTIFY_STEPS, w.count(2, 2))
        out.append(p(w.one(PB.RECTIFY_INTRO, problem=last_year) + w.ordinal_list(steps)
                     + w.one(PB.RECTIFY_CLOSE)))
    found = w.pick(PB.PROBLEMS, w.count(2, 3))
    out.append(p(w.one(PB.PROBLEMS_INTRO) + w.ordinal_list(found)))
    measures = w.pick(PB.IMPROVEMENTS, w.count(2, 3))
    if rng.random() < 0.5:  # one paragraph, or a lead line and a paragraph per measure
        out.append(p(w.one(PB.IMPROVE_INTRO) + w.ordinal_list(measures)))
    else:
        out.append(p(w.one(PB.IMPROVE_INTRO)))
        out += [p(f"（{CN_ORDINALS[i]}）{m}。") for i, m in enumerate(measures)]
    if rng.random() < 0.7:
        out.append(p(w.one(PB.IMPROVE_CLOSE)))
    return out
