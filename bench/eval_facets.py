"""Facet quality and speed: precision and recall per facet on our gold set, KazNERD and the demo press.

    python -m bench.eval_facets            # quality tables (gold set, KazNERD if present, demo content)
    python -m bench.eval_facets --speed    # also articles per second of extract_facts on 3,000-character texts
    python -m bench.eval_facets --errors   # also list every gold-set disagreement

Gold set: tests/data/facets/gold-{ru,kk}.jsonl, our own paragraphs with expected regions (ISO codes), sectors,
countries and amounts. Scoring rules: regions, countries and amounts (value, currency) are compared as sets per
paragraph and summed (micro precision/recall); a predicted sector division counts as right when the gold lists it
or lists only its section (an annotator's "construction" is not contradicted by "civil engineering"), a
predicted section when the gold has it or one of its divisions. KazNERD (../shared/data/kk/kaznerd-valid.jsonl,
real Kazakh news sentences): amounts are scored against MONEY spans by overlap; places against GPE/LOCATION
spans that our gazetteer maps to a Kazakhstan region (so that recall is the recall on places the gazetteer
knows, reported as such); and amounts by value (`evaluate_kaznerd_values`): each MONEY span's value is read from
the sentence's twin in digits (KazNERD gives each transcribed sentence again with its numbers in digits) by a reader
of its own, and an amount of another value inside a span counts as wrong. The multi-topic investment stories
(tests/data/facets/projects/, our own) are scored on sectors. The demo content (searchapp/demo/content/*.jsonl) is
scored on its `expect` gold.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bench import SHARED_DATA
from index.facets import extract_facts
from index.facets.regions import find_regions, resolve
from index.models import Facts

ROOT = Path(__file__).resolve().parent.parent
GOLD_DIR = ROOT / "tests" / "data" / "facets"
KAZNERD = SHARED_DATA / "kk" / "kaznerd-valid.jsonl"
DEMO_DIR = ROOT / "searchapp" / "demo" / "content"
FACETS = ("regions", "sectors", "countries", "amounts")
FLOORS = {"amounts": (0.98, 0.95), "regions": (0.95, 0.90), "sectors": (0.85, 0.80), "countries": (0.95, 0.90)}
# Multi-topic investment stories (tests/data/facets/projects/{ru,kk}.jsonl, our own): a story that lists projects in
# several industries, each named once or twice, must get each project's sector (issue 19).
PROJECTS_DIR = GOLD_DIR / "projects"
PROJECT_FLOORS = (0.85, 0.85)


@dataclass(slots=True)
class Score:
    tp: int = 0
    fp: int = 0
    fn: int = 0
    errors: list[str] = field(default_factory=list)

    @property
    def precision(self) -> float:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 1.0

    @property
    def recall(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 1.0

    def add(self, pred: set[Any], gold: set[Any], where: str = "") -> None:
        self.tp += len(pred & gold)
        self.fp += len(pred - gold)
        self.fn += len(gold - pred)
        if pred != gold and where:
            self.errors.append(f"{where}: +{sorted(map(str, pred - gold))} -{sorted(map(str, gold - pred))}")


def load_gold(paths: Iterable[Path] | None = None) -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = []
    for path in paths or sorted(GOLD_DIR.glob("gold-*.jsonl")):
        with path.open(encoding="utf-8") as fh:
            items.extend(json.loads(line) for line in fh if line.strip())
    return items


def _amount_keys(amounts: Iterable[Any]) -> set[tuple[float, str]]:
    out = set()
    for a in amounts:
        value, cur = (a["value"], a["currency"]) if isinstance(a, dict) else (a.value, a.currency)
        out.add((round(float(value), 2), cur))
    return out


def sector_score(score: Score, pred: list[str], gold: list[str], where: str = "") -> None:
    gold_set = set(gold)
    gold_sections = {g[0] for g in gold}
    tp = fp = 0
    wrong: list[str] = []
    for code in pred:
        if len(code) == 1:
            ok = code in gold_sections
        else:
            ok = code in gold_set or (code[0] in gold_set and not any(len(g) > 1 and g[0] == code[0] for g in gold))
        tp += ok
        fp += not ok
        if not ok:
            wrong.append(code)
    missed = [g for g in gold if g not in pred and not (len(g) == 1 and any(p[0] == g for p in pred))]
    score.tp += tp
    score.fp += fp
    score.fn += len(missed)
    if (wrong or missed) and where:
        score.errors.append(f"{where}: +{wrong} -{missed}")


def score_item(scores: dict[str, Score], facts: Facts, gold: dict[str, Any], where: str) -> None:
    pred_regions = {c for c in facts.regions if c.startswith("KZ-")}
    scores["regions"].add(pred_regions, set(gold.get("regions", [])), where)
    sector_score(scores["sectors"], facts.sectors, gold.get("sectors", []), where)
    scores["countries"].add(set(facts.countries), set(gold.get("countries", [])), where)
    scores["amounts"].add(_amount_keys(facts.amounts), _amount_keys(gold.get("amounts", [])), where)


def evaluate_gold(items: list[dict[str, Any]] | None = None) -> dict[str, Score]:
    scores = {f: Score() for f in (*FACETS, "districts")}
    for item in items if items is not None else load_gold():
        facts = extract_facts(item["text"], published=item.get("published"), title=item.get("title", ""))
        where = f"{item['id']} {item['text'][:50]!r}"
        score_item(scores, facts, item, where)
        if item.get("districts"):
            pred = {c for c in facts.regions if not c.startswith("KZ-")}
            scores["districts"].add(pred, set(item["districts"]), where)
    return scores


def evaluate_projects(lang: str | None = None) -> Score:
    """Sector precision and recall on the multi-topic investment stories (of one language, or both)."""
    score = Score()
    for path in sorted(PROJECTS_DIR.glob("*.jsonl")):
        for item in load_gold([path]):
            if lang is None or item["lang"] == lang:
                facts = extract_facts(item["text"], lang=item["lang"], title=item.get("title", ""))
                sector_score(score, facts.sectors, item["sectors"], f"{item['id']} {item['title'][:50]!r}")
    return score


def _token_offsets(text: str, tokens: list[str]) -> list[tuple[int, int]]:
    out = []
    pos = 0
    for tok in tokens:
        at = text.find(tok, pos)
        if at < 0:
            out.append((pos, pos))
            continue
        out.append((at, at + len(tok)))
        pos = at + len(tok)
    return out


def _spans(tags: list[str], offsets: list[tuple[int, int]], kinds: tuple[str, ...]) -> list[tuple[int, int]]:
    spans: list[tuple[int, int]] = []
    current: list[int] | None = None
    for tag, (start, end) in zip(tags, offsets, strict=False):
        if tag.startswith("B-") and tag[2:] in kinds:
            if current:
                spans.append((current[0], current[1]))
            current = [start, end]
        elif tag.startswith("I-") and tag[2:] in kinds and current is not None:
            current[1] = end
        else:
            if current:
                spans.append((current[0], current[1]))
            current = None
    if current:
        spans.append((current[0], current[1]))
    return spans


def _kaznerd_rows(path: Path) -> Iterator[dict[str, Any]]:
    with path.open(encoding="utf-8") as fh:
        for line in fh:
            if line.strip():
                yield json.loads(line)


def evaluate_kaznerd(path: Path = KAZNERD) -> dict[str, Score] | None:
    """Amounts against MONEY spans (overlap), places against GPE/LOCATION spans the gazetteer maps to a region."""
    if not path.exists():
        return None
    money = Score()
    places = Score()
    for row in _kaznerd_rows(path):
        text, tags = row["text"], row["iob2"]
        offsets = _token_offsets(text, row["tokens"])
        gold_money = _spans(tags, offsets, ("MONEY",))
        gold_places = _spans(tags, offsets, ("GPE", "LOCATION"))
        if not gold_money and not any(t != "O" for t in tags) and "теңге" not in text and "доллар" not in text:
            # sentences without entities are still scored for false alarms on numbers
            pass
        facts = extract_facts(text, lang="kk")
        pred_money = [(a.start, a.end) for a in facts.amounts]
        hit_gold = {g for g in gold_money if any(p[0] < g[1] and g[0] < p[1] for p in pred_money)}
        hit_pred = [p for p in pred_money if any(p[0] < g[1] and g[0] < p[1] for g in gold_money)]
        money.tp += len(hit_pred)
        money.fp += len(pred_money) - len(hit_pred)
        money.fn += len(gold_money) - len(hit_gold)
        if len(pred_money) != len(hit_pred) or len(hit_gold) != len(gold_money):
            money.errors.append(f"{row['id']}: {text[:90]!r} pred={pred_money} gold={gold_money}")
        # places: region codes of the gold spans, by our gazetteer read on the span (with one word after it,
        # so "Қарағанды облысы" keeps its place word)
        gold_codes: set[str] = set()
        for start, end in gold_places:
            after = text[end:].split(maxsplit=1)
            window = text[start:end] + (" " + after[0] if after else "")
            mentions, _t = find_regions(window)
            ranked, _s = resolve(mentions, {})
            gold_codes |= {c for c, _v in ranked if c.startswith("KZ-")}
        pred_codes = {c for c in facts.regions if c.startswith("KZ-")}
        places.add(pred_codes, gold_codes, f"{row['id']}: {text[:90]!r}")
    return {"amounts": money, "regions": places}


# --- KazNERD MONEY spans with their values ---------------------------------------------------------------------
# KazNERD gives spans, not values. Its sentences come in twins sharing a number (AID241266, BID241266, CID...):
# the same sentence as transcribed speech, numbers in words ("үш жарым миллиард доллар"), and normalised, numbers in
# digits ("3, 5 миллиард доллар"). A span in digits is read here by `read_digit_money`, a reader of its own,
# independent of index/facets/amounts.py; a span in words takes the value of the span at the same place in a twin
# in digits (same number of MONEY spans). The one span without such a twin is valued by hand in HAND_VALUES.
_MONEY_SCALES = {"мың": 1e3, "миллион": 1e6, "миллиард": 1e9, "триллион": 1e12}
_MONEY_CURRENCIES = {"тиын": ("KZT", 0.01), "теңге": ("KZT", 1.0), "тенге": ("KZT", 1.0), "доллар": ("USD", 1.0),
                     "юан": ("CNY", 1.0), "еуро": ("EUR", 1.0), "евро": ("EUR", 1.0), "рубл": ("RUB", 1.0)}  # fmt: skip
HAND_VALUES = {"жарты миллиард теңгеден астам": ("KZT", frozenset({5e8}))}  # AID309185: "half a billion"


@dataclass(frozen=True, slots=True)
class MoneySpan:
    row: str
    start: int
    end: int
    currency: str
    values: frozenset[float]  # one value, or both ends of a range
    how: str  # "digits", "twin" or "hand"


def read_digit_money(tokens: list[str]) -> tuple[str, frozenset[float]] | None:
    """(currency, values) of a MONEY span written in digits: "3 , 5 миллиард доллар" -> USD {3.5e9};
    "10 – 15 мың теңге" -> KZT {1e4, 1.5e4} (the first end of a range borrows the second's scale)."""
    low = " ".join(tokens).lower()
    currency = next((c for stem, c in _MONEY_CURRENCIES.items() if stem in low), None)
    if currency is None:
        return None
    numbers: list[list[float]] = []
    i = 0
    while i < len(tokens):
        tok = tokens[i]
        if tok.isdigit():
            if i + 2 < len(tokens) and tokens[i + 1] == "," and tokens[i + 2].isdigit():
                numbers.append([float(f"{tok}.{tokens[i + 2]}"), 0.0])
                i += 2
            else:
                numbers.append([float(tok), 0.0])
        elif numbers:
            scale = next((v for stem, v in _MONEY_SCALES.items() if tok.lower().startswith(stem)), 0.0)
            if scale:
                numbers[-1][1] = scale
        i += 1
    if not numbers:
        return None
    last_scale = numbers[-1][1] or 1.0
    unit = currency[1]
    return currency[0], frozenset(round(v * (s or last_scale) * unit, 2) for v, s in numbers)


def kaznerd_money(path: Path = KAZNERD) -> tuple[list[dict[str, Any]], list[MoneySpan]]:
    """(rows, gold MONEY spans with values) of KazNERD; spans whose value cannot be derived are left out."""
    rows = list(_kaznerd_rows(path))
    spans_of: dict[str, list[tuple[int, int]]] = {}
    for row in rows:
        spans_of[row["id"]] = _spans(row["iob2"], _token_offsets(row["text"], row["tokens"]), ("MONEY",))
    own: dict[str, list[tuple[str, frozenset[float]] | None]] = {}  # rows in digits: their spans' values
    digit_values: dict[str, list[list[tuple[str, frozenset[float]] | None]]] = {}  # ... by twin number
    for row in rows:
        spans = spans_of[row["id"]]
        if spans and all(any(ch.isdigit() for ch in row["text"][s:e]) for s, e in spans):
            offsets = _token_offsets(row["text"], row["tokens"])
            values = [
                read_digit_money([t for t, (a, b) in zip(row["tokens"], offsets, strict=True) if a >= s and b <= e])
                for s, e in spans
            ]
            own[row["id"]] = values
            digit_values.setdefault(row["id"][1:], []).append(values)
    gold: list[MoneySpan] = []
    for row in rows:
        spans = spans_of[row["id"]]
        if not spans:
            continue
        texts = [row["text"][s:e] for s, e in spans]
        if row["id"] in own:
            candidates, how = [own[row["id"]]], "digits"
        else:
            candidates, how = [v for v in digit_values.get(row["id"][1:], []) if len(v) == len(spans)], "twin"
        for k, ((start, end), text) in enumerate(zip(spans, texts, strict=True)):
            value = candidates[0][k] if candidates else None
            method = how
            if text in HAND_VALUES:
                value, method = HAND_VALUES[text], "hand"
            if value is not None:
                gold.append(MoneySpan(row["id"], start, end, value[0], value[1], method))
    return rows, gold


def evaluate_kaznerd_values(path: Path = KAZNERD) -> tuple[Score, int, dict[str, int]] | None:
    """Amounts against the values of KazNERD's MONEY spans, on every sentence (false alarms too).

    A predicted amount is right when it overlaps a gold span and its (currency, value) is one of the span's values;
    it is WRONG when it overlaps a span with another value (a cut or misread number: the error that must not happen),
    and a false alarm when it overlaps no span. A gold span is found when all its values are predicted inside it.
    Returns (score: tp = right amounts, fp = wrong + false alarms, fn = spans not found; wrong amounts; span counts
    by how their value was derived)."""
    from index.facets.amounts import find_amounts

    if not path.exists():
        return None
    rows, gold = kaznerd_money(path)
    by_row: dict[str, list[MoneySpan]] = {}
    for g in gold:
        by_row.setdefault(g.row, []).append(g)
    score = Score()
    wrong = 0
    found_spans = 0
    for row in rows:
        text = row["text"]
        spans = by_row.get(row["id"], [])
        pred = find_amounts(text)
        for a in pred:
            hits = [g for g in spans if a.start < g.end and g.start < a.end]
            if not hits:
                score.fp += 1
                score.errors.append(f"{row['id']} false alarm {a.text!r}={a.value:g} {a.currency}")
            elif any(a.currency == g.currency and round(a.value, 2) in g.values for g in hits):
                score.tp += 1
            else:
                score.fp += 1
                wrong += 1
                score.errors.append(
                    f"{row['id']} WRONG {a.text!r}={a.value:g} {a.currency}, gold "
                    + ", ".join(f"{text[g.start : g.end]!r}={sorted(g.values)} {g.currency}" for g in hits)
                )
        for g in spans:
            inside = {(a.currency, round(a.value, 2)) for a in pred if a.start < g.end and g.start < a.end}
            if {(g.currency, v) for v in g.values} <= inside:
                found_spans += 1
            else:
                score.errors.append(f"{row['id']} missed {text[g.start : g.end]!r}={sorted(g.values)} {g.currency}")
    score.fn = len(gold) - found_spans
    hows: dict[str, int] = {}
    for g in gold:
        hows[g.how] = hows.get(g.how, 0) + 1
    return score, wrong, hows


def load_demo(directory: Path = DEMO_DIR) -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = []
    for path in sorted(directory.glob("*.jsonl")):
        with path.open(encoding="utf-8") as fh:
            for line in fh:
                if not line.strip():
                    continue
                art = json.loads(line)
                if "expect" not in art:
                    continue
                text = "\n\n".join([art.get("lead", ""), *list(art.get("paragraphs", []))]).strip()
                items.append(
                    {
                        "id": f"{path.stem}/{art.get('slug')}",
                        "text": text,
                        "title": art.get("title", ""),
                        "published": art.get("published"),
                        **art["expect"],
                    }
                )
    return items


def evaluate_demo(directory: Path = DEMO_DIR) -> dict[str, Score] | None:
    items = load_demo(directory)
    if not items:
        return None
    scores = {f: Score() for f in FACETS}
    for item in items:
        facts = extract_facts(item["text"], published=item.get("published"), title=item.get("title", ""))
        score_item(scores, facts, item, f"{item['id']}")
    return scores


def measure_speed(n: int = 600, *, with_langid: bool = False, repeat: int = 5) -> tuple[float, float]:
    """(articles per CPU second of extract_facts, of a plain regex word split) on 3,000-character texts.

    CPU time of this process, not wall time, and the best of `repeat` rounds (as timeit does): the figure is
    per core and stays meaningful on a busy shared machine, where other processes only ever slow a round down.
    """
    import re

    paragraphs = [item["text"] for item in load_gold()] + [item["text"] for item in load_demo()]
    articles: list[str] = []
    i = 0
    while len(articles) < n:
        parts: list[str] = []
        while sum(len(p) + 1 for p in parts) < 3000:
            parts.append(paragraphs[i % len(paragraphs)])
            i += 7
        articles.append("\n".join(parts)[:3000])
    lang = None if with_langid else "ru"
    word = re.compile(r"\w+")
    best_facts = best_base = float("inf")
    for _round in range(repeat):
        start = time.process_time()
        for text in articles:
            extract_facts(text, lang=lang)
        best_facts = min(best_facts, time.process_time() - start)
        start = time.process_time()
        for text in articles:
            [w.lower() for w in word.findall(text)]
        best_base = min(best_base, time.process_time() - start)
    return n / best_facts, n / best_base


def _table(title: str, scores: dict[str, Score]) -> str:
    lines = [f"\n{title}", f"{'facet':<10} {'P':>6} {'R':>6} {'tp':>5} {'fp':>5} {'fn':>5}  floor P/R"]
    for name, s in scores.items():
        floor = FLOORS.get(name)
        mark = ""
        if floor and title.startswith("gold"):
            mark = f"  {floor[0]:.2f}/{floor[1]:.2f} " + (
                "ok" if s.precision >= floor[0] and s.recall >= floor[1] else "BELOW"
            )
        lines.append(f"{name:<10} {s.precision:6.3f} {s.recall:6.3f} {s.tp:5d} {s.fp:5d} {s.fn:5d}{mark}")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.eval_facets", description=__doc__.split("\n\n")[0])
    parser.add_argument("--speed", action="store_true", help="also measure articles per second")
    parser.add_argument("--errors", action="store_true", help="list gold-set disagreements")
    args = parser.parse_args(argv)
    items = load_gold()
    langs = {lang: sum(1 for i in items if i["lang"] == lang) for lang in ("ru", "kk")}
    gold = evaluate_gold(items)
    print(_table(f"gold set: {len(items)} paragraphs ({langs['ru']} ru, {langs['kk']} kk)", gold))
    for lang in ("ru", "kk"):
        print(
            _table(
                f"  of which {lang}",
                {k: v for k, v in evaluate_gold([i for i in items if i["lang"] == lang]).items() if k in FACETS},
            )
        )
    projects = {
        "sectors": evaluate_projects(),
        "sectors ru": evaluate_projects("ru"),
        "sectors kk": evaluate_projects("kk"),
    }
    n_projects = sum(1 for p in PROJECTS_DIR.glob("*.jsonl") for _line in load_gold([p]))
    print(
        _table(
            f"multi-topic investment stories: {n_projects} (floor P/R {PROJECT_FLOORS[0]}/{PROJECT_FLOORS[1]})",
            projects,
        )
    )
    kaz = evaluate_kaznerd()
    if kaz is None:
        print(f"\nKazNERD: {KAZNERD} absent, skipped")
    else:
        print(_table("KazNERD valid (kk): amounts vs MONEY spans, regions vs gazetteer-mapped GPE/LOCATION", kaz))
        values = evaluate_kaznerd_values()
        if values is not None:
            money, wrong, hows = values
            print(
                f"KazNERD MONEY by value: P {money.precision:.4f} R {money.recall:.4f} (tp {money.tp}, fp {money.fp}"
                f" of which {wrong} with another value, fn {money.fn}); {sum(hows.values())} spans valued: "
                + ", ".join(f"{n} {how}" for how, n in sorted(hows.items()))
            )
    demo = evaluate_demo()
    if demo is None:
        print("\ndemo content: none with `expect`, skipped")
    else:
        print(_table(f"demo content ({len(load_demo())} articles with expect)", demo))
    if args.errors:
        for err in projects["sectors"].errors:
            print(f"  [projects] {err}")
        for name, s in gold.items():
            for err in s.errors:
                print(f"  [{name}] {err}")
        if demo:
            for name, s in demo.items():
                for err in s.errors:
                    print(f"  [demo {name}] {err}")
    if args.speed:
        rate, base = measure_speed()
        rate_l, _ = measure_speed(300, with_langid=True, repeat=2)
        print(
            f"\nspeed, one core, 3,000-character articles: extract_facts {rate:,.0f} articles/s "
            f"({rate_l:,.0f}/s with language identification); baseline regex word split {base:,.0f}/s; "
            f"ratio {rate / base:.3f}"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
