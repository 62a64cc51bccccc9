"""Language-ID evaluation: our `crawler.langid.detect` beside langdetect, py3langid and lingua, in one run.

Reads the sentences of ../shared/data (real text, used only to measure): Kazakh TV-news sentences
(kk/kaznerd-valid.jsonl), Russian articles split into sentences (ru/*.jsonl), Latin-script Kazakh news
(kk-latn/kazinform-latin.jsonl), NTREX's parallel kk/ru/en news sentences (parallel/), single words and
adjacent word pairs drawn from the kk tokens and ru sentences, and the neighbours' sentences of negatives/ (uk,
be, bg, sr, mk, mn, ky, tt, ba, uz in both scripts, tr, az, tk, ug), none of which may come out as kk or ru.
Prints accuracy per set and detector (for the neighbours: the share called kk or ru, and the share ours names
right), and the speed of each detector on the same sentences.

`--half held-out` keeps every second sentence of the neighbours' sets (the lines `_PRIOR` of crawler.langid was
not chosen on); `--half dev` the others.

    python -m bench.eval_langid [--data ../shared/data] [--detectors ours,langdetect,py3langid,lingua]
        [--half all|dev|held-out]
"""

from __future__ import annotations

import argparse
import itertools
import json
import random
import re
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from bench import SHARED_DATA
from crawler.langid import EN_WORDS, detect
from crawler.progress import Progress

DEFAULT_DATA = SHARED_DATA
_SENTENCE_END = re.compile(r"(?<=[.!?…])(?:\s+|(?=[А-ЯЁA-ZӘҒҚҢӨҰҮҺІ«\"]))")
_WORD = re.compile(r"[^\W\d_]{2,}")
_CYR_WORD = re.compile(r"[\u0400-\u04ff]+")
_CYR = re.compile(r"[\u0400-\u04ff]")
_LATIN = re.compile(r"[A-Za-z\u00c0-\u024f]")
_KK_LETTERS = re.compile(r"[әұіңөүһӘҰІҢӨҮҺ]")
_LETTERS = re.compile(r"[^\W\d_]{2,}")
_EN_FUNCTION = EN_WORDS | {"der", "die", "das", "und"}

Detector = Callable[[str], str]


@dataclass(slots=True)
class EvalSet:
    name: str
    expected: str  # the right answer (for negatives, the language's own code, reported beside)
    items: list[str]
    negative: bool = False  # then no answer in `forbidden` may come
    forbidden: tuple[str, ...] = ("kk", "ru")


@dataclass(slots=True)
class Score:
    right: int = 0
    total: int = 0
    itself: int = 0  # answers naming the set's own language (for the neighbours' sets)
    seconds: float = 0.0
    wrong: list[tuple[str, str]] = field(default_factory=list)

    @property
    def accuracy(self) -> float:
        return self.right / self.total if self.total else 0.0


def _jsonl(path: Path) -> list[dict[str, object]]:
    with path.open(encoding="utf-8") as f:
        return [json.loads(line) for line in f if line.strip()]


def split_sentences(text: str) -> list[str]:
    """Sentences of a running text; the Russian sets lost some spaces after full stops, so split there too."""
    out: list[str] = []
    for line in text.replace("\\n", "\n").split("\n"):
        for s in _SENTENCE_END.split(line):
            s = s.strip()
            if len(_WORD.findall(s)) >= 3:
                out.append(s)
    return out


def _mislabelled_kazakh(text: str) -> bool:
    """A few articles of the Russian sets (tengrinews' Kazakh edition) are written in Kazakh: over a fifth of
    their words carry letters Russian does not have. They are left out of the Russian set rather than counted
    as errors (4 articles of 472 at the time of writing)."""
    words = _CYR_WORD.findall(text)
    strict = sum(1 for w in words if _KK_LETTERS.search(w))
    return bool(words) and strict > 0.2 * len(words)


def _foreign_quote(sentence: str) -> bool:
    """Embedded tweets and quotes in English or German inside the Russian and Latin-Kazakh sets: sentences
    with a link or a Twitter handle, or a fifth of their words English function words.
    Their language is not the set's, so they are left out (the table prints the counts that remain)."""
    if "http" in sentence or "pic.twitter" in sentence or "@" in sentence:
        return True
    words = [w.lower() for w in _WORD.findall(sentence)]
    en = sum(1 for w in words if w in _EN_FUNCTION)
    return bool(words) and en >= 0.2 * len(words)


def _latin_majority(sentence: str) -> bool:
    """A sentence of a Russian article written mostly in Latin letters is a quote in another language."""
    return len(_LATIN.findall(sentence)) > len(_CYR.findall(sentence))


def load_sets(data: Path, words_per_lang: int = 3000, seed: int = 7, half: str = "all") -> list[EvalSet]:
    kk = [str(r["text"]) for r in _jsonl(data / "kk" / "kaznerd-valid.jsonl")]
    ru: list[str] = []
    for path in sorted((data / "ru").glob("*.jsonl")):
        for r in _jsonl(path):
            text = str(r.get("text", ""))
            if _mislabelled_kazakh(text):
                continue
            ru.extend(s for s in split_sentences(text) if not _foreign_quote(s) and not _latin_majority(s))
    latn: list[str] = []
    for r in _jsonl(data / "kk-latn" / "kazinform-latin.jsonl"):
        lines = str(r.get("text", "")).split("\n")[1:]  # the first line is the time stamp
        for line in lines:
            latn.extend(s for s in split_sentences(line) if not _foreign_quote(s))
    rng = random.Random(seed)

    def words(sentences: list[str]) -> list[str]:
        pool = sorted({w for s in sentences for w in _WORD.findall(s) if len(w) >= 4 and not w[0].isupper()})
        return rng.sample(pool, min(words_per_lang, len(pool)))

    # Word pairs as a query, headline or caption has them: adjacent tokens of KazNERD's own tokenisation,
    # letters only (no number, no punctuation between them).
    pairs: list[str] = []
    for r in _jsonl(data / "kk" / "kaznerd-valid.jsonl"):
        tokens = [str(t) for t in r.get("tokens", [])]  # type: ignore[attr-defined]
        pairs.extend(
            f"{a} {b}" for a, b in itertools.pairwise(tokens) if _LETTERS.fullmatch(a) and _LETTERS.fullmatch(b)
        )
    pairs = rng.sample(sorted(set(pairs)), min(words_per_lang, len(set(pairs))))
    sets = [
        EvalSet("kk sentences", "kk", kk),
        EvalSet("ru sentences", "ru", ru),
        EvalSet("kk Latin sentences", "kk", latn),
        EvalSet("kk word pairs", "kk", pairs),
        EvalSet("kk single words", "kk", words(kk)),
        EvalSet("ru single words", "ru", words(ru)),
    ]
    parallel = data / "parallel" / "ntrex-kk-ru-en.jsonl"
    if parallel.exists():  # the same news sentences in three languages, translated by people
        rows = _jsonl(parallel)
        for code in ("kk", "ru", "en"):
            sets.append(EvalSet(f"NTREX {code} sentences", code, [str(r[code]) for r in rows]))
    keep = {"all": slice(None), "dev": slice(0, None, 2), "held-out": slice(1, None, 2)}[half]
    for path in sorted((data / "negatives").glob("*.jsonl")):
        rows = _jsonl(path)
        code = path.stem.split("-")[0]
        if path.stem == "uz-cyrillic":  # news texts: split into sentences
            sentences = [s for r in rows for s in split_sentences(str(r.get("text", "")))]
        else:
            sentences = [str(r.get("text", "")) for r in rows]
        sets.append(EvalSet(f"{path.stem} sentences (not kk/ru)", code, sentences[keep], negative=True))
    return sets


def _langdetect() -> Detector:
    from langdetect import DetectorFactory, detect_langs
    from langdetect.lang_detect_exception import LangDetectException

    DetectorFactory.seed = 0

    def run(text: str) -> str:
        try:
            return str(detect_langs(text)[0].lang)
        except LangDetectException:
            return ""

    return run


def _py3langid() -> Detector:
    import py3langid.langid as pl

    ident = pl.LanguageIdentifier.from_modelpath(pl.MODEL_DIR / pl.MODEL_FILE, norm_probs=True)
    ident.set_languages(["kk", "ru", "en"])
    return lambda text: str(ident.classify(text)[0])


def _lingua() -> Detector:
    from lingua import Language, LanguageDetectorBuilder

    det = LanguageDetectorBuilder.from_languages(Language.KAZAKH, Language.RUSSIAN, Language.ENGLISH).build()
    codes = {Language.KAZAKH: "kk", Language.RUSSIAN: "ru", Language.ENGLISH: "en"}

    def run(text: str) -> str:
        lang = det.detect_language_of(text)
        return codes.get(lang, "") if lang is not None else ""

    return run


DETECTORS: dict[str, Callable[[], Detector]] = {
    "ours": lambda: detect,
    "langdetect": _langdetect,
    "py3langid": _py3langid,
    "lingua": _lingua,
}


def evaluate(detector: Detector, ev: EvalSet) -> Score:
    score = Score()
    start = time.perf_counter()
    for text in ev.items:
        got = detector(text)
        ok = (got not in ev.forbidden) if ev.negative else (got == ev.expected)
        score.total += 1
        score.itself += got == ev.expected
        if ok:
            score.right += 1
        elif len(score.wrong) < 20:
            score.wrong.append((got, text))
    score.seconds = time.perf_counter() - start
    return score


def run(sets: list[EvalSet], names: list[str]) -> dict[str, dict[str, Score]]:
    results: dict[str, dict[str, Score]] = {}
    with Progress("langid eval", total=len(names) * len(sets)) as progress:
        for name in names:
            det = DETECTORS[name]()
            det("warm up")
            results[name] = {}
            for ev in sets:
                results[name][ev.name] = evaluate(det, ev)
                progress.advance(status=f"{name}: {ev.name}")
    return results


def table(results: dict[str, dict[str, Score]], sets: list[EvalSet]) -> str:
    names = list(results)
    head = ["set (n)", *names]
    if "ours" in names:
        head.append("ours: named right")
    rows = [head, ["---"] * len(head)]
    for ev in sets:
        label = ev.name + f" ({len(ev.items)})"
        cells = [label]
        for name in names:
            s = results[name][ev.name]
            pct = 100 * (1 - s.accuracy) if ev.negative else 100 * s.accuracy
            cells.append(f"{pct:.2f}%")
        if "ours" in names:
            ours = results["ours"][ev.name]
            cells.append(f"{100 * ours.itself / ours.total:.2f}%" if ev.negative and ours.total else "")
        rows.append(cells)
    total_n = sum(len(ev.items) for ev in sets if "sentences" in ev.name)
    speed = ["sentences/s"]
    for name in names:
        secs = sum(results[name][ev.name].seconds for ev in sets if "sentences" in ev.name)
        speed.append(f"{total_n / secs:,.0f}" if secs else "-")
    if "ours" in names:
        speed.append("")
    rows.append(speed)
    return "\n".join("| " + " | ".join(r) + " |" for r in rows)


def article_speed(sets: list[EvalSet], seconds: float = 2.0) -> tuple[float, int]:
    """Articles per second through `detect_paragraphs`, as the indexer calls it: pseudo-articles of 8
    paragraphs of 3 sentences each from the kk and ru sets, the memo cleared first (every text new)."""
    from crawler.langid import _detect_cached, detect_paragraphs

    sentences = [s for ev in sets if ev.name in ("kk sentences", "ru sentences") for s in ev.items]
    paragraphs = [" ".join(sentences[i : i + 3]) for i in range(0, len(sentences) - 2, 3)]
    articles = [paragraphs[i : i + 8] for i in range(0, len(paragraphs) - 7, 8)]
    _detect_cached.cache_clear()
    done = 0
    start = time.perf_counter()
    for article in articles:
        detect_paragraphs(article)
        done += 1
        if time.perf_counter() - start > seconds:
            break
    return done / (time.perf_counter() - start), done


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.eval_langid", description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA, help="the shared data folder")
    parser.add_argument("--detectors", default=",".join(DETECTORS), help="comma-separated: " + ", ".join(DETECTORS))
    parser.add_argument(
        "--half", choices=("all", "dev", "held-out"), default="all", help="which half of the neighbours' sets"
    )
    parser.add_argument("--errors", type=int, default=0, metavar="N", help="print N misclassified items per set")
    args = parser.parse_args(argv)
    if not (args.data / "kk" / "kaznerd-valid.jsonl").exists():
        print(f"eval_langid: {args.data} does not hold the shared data", file=sys.stderr)
        return 2
    names = [n.strip() for n in args.detectors.split(",") if n.strip()]
    unknown = [n for n in names if n not in DETECTORS]
    if unknown:
        print(f"eval_langid: unknown detector {unknown[0]!r}; known: {', '.join(DETECTORS)}", file=sys.stderr)
        return 2
    sets = load_sets(args.data, half=args.half)
    results = run(sets, names)
    print("Accuracy per set (for the neighbours' sets: the share called kk or ru, lower is better)\n")
    print(table(results, sets))
    if "ours" in names:
        rate, n = article_speed(sets)
        print(f"\nours, per article (8 paragraphs of 3 sentences, no memo hits): {rate:,.0f} articles/s over {n}")
    if args.errors:
        for name in names:
            for ev in sets:
                for got, text in results[name][ev.name].wrong[: args.errors]:
                    print(f"[{name}] {ev.name}: got {got!r}: {text[:160]}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
