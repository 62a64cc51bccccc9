"""Kazakh stemmer evaluation on text we did not write: our stemmer beside an earlier revision of it, in one run.

What is measured (the shared data is read, never copied into the project):

* Conflation on KazNERD (../shared/data/kk/kaznerd-valid.jsonl, CC BY 4.0): the Kazakh words of its tokens
  form the vocabulary. A word X and a form Y of it are a pair when both occur there and Y is X plus a regular
  ending, built here by our own paradigm rules (harmony, voicing қ -> ғ, vowel dropping), independent of the
  stemmer's code. Classes: case/plural endings, the 3rd person possessive, derivational -лық/-лік... before a
  possessive (орталық / орталығы), nouns that drop their last vowel before one (халық / халқы) and verbs' -у
  dictionary forms beside their inflected forms (салу / салды, салған). Recall = share of pairs with one stem.
* Collisions: the heads of those pairs (dictionary forms, none a form of another head) that share a stem with
  another head, listed for judging (precision); plus stems of two letters or fewer cut from longer words.
* stems-expected.tsv (28 pairs, LGPL): how many pairs we agree with (measured only).
* kazakh-queries.jsonl (51 queries, LGPL): for two queries judged to the same documents, the word pairs whose
  stems meet (conflation of query forms); for unrelated queries, the pairs that meet (should be few).
* Speed: stems per second of both stemmers over the KazNERD vocabulary, without the memo, as a ratio.

    python -m bench.eval_stemmer [--baseline REV] [--json] [--show N]

REV is the git revision whose index/analysis/kazakh.py is the baseline (default: the merge base with main).
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time
import types
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from itertools import combinations
from pathlib import Path
from typing import Any

from bench import SHARED_DATA

ROOT = Path(__file__).resolve().parent.parent
SHARED = SHARED_DATA
KAZNERD = SHARED / "kk" / "kaznerd-valid.jsonl"
EXPECTED = SHARED / "kk" / "stems-expected.tsv"
QUERIES = SHARED / "kk" / "kazakh-queries.jsonl"

Stemmer = Callable[[str], str]

BACK = set("аоұы")
FRONT = set("әөүіеи")
VOWELS = set("аәеиоөұүыіуэюяё")
VOICELESS = set("кқпстфхцчшщ")
KAZAKH_LETTERS = set("әіңғүұқөһ")
VOICING = {"қ": "ғ", "к": "г", "п": "б"}


def _front(word: str) -> bool:
    for ch in reversed(word):
        if ch in BACK:
            return False
        if ch in FRONT:
            return True
    return False


def _pick(word: str, back: str, front: str) -> str:
    return front if _front(word) else back


def _voiced(word: str) -> str:
    """The word before an ending that starts with a vowel: a final қ, к, п voice (орталық -> орталығ)."""
    return word[:-1] + VOICING[word[-1]] if word[-1] in VOICING else word


def case_forms(word: str) -> list[str]:
    """Plural and case forms of a noun by the textbook rules (our own, not the stemmer's tables)."""
    last = word[-1]
    vowel = last in VOWELS
    voiceless = last in VOICELESS
    nasal = last in "мнң"
    lr = last in "лр" or vowel or last in "йу"
    out = []
    if vowel or last in "йуэр":
        out.append(word + _pick(word, "лар", "лер"))
    elif voiceless:
        out.append(word + _pick(word, "тар", "тер"))
    else:
        out.append(word + _pick(word, "дар", "дер"))
    d = "т" if voiceless else ("н" if vowel or nasal else "д")
    out.append(word + d + _pick(word, "ың", "ің"))  # genitive
    g = ("қ", "к") if voiceless else ("ғ", "г")
    out.append(word + _pick(word, g[0] + "а", g[1] + "е"))  # dative
    t = "т" if voiceless else "д"
    out.append(word + t + _pick(word, "а", "е"))  # locative
    out.append(word + ("н" if vowel or nasal else t) + _pick(word, "ан", "ен"))  # ablative
    out.append(word + ("н" if vowel else t) + _pick(word, "ы", "і"))  # accusative
    del lr
    return out


def possessive_forms(word: str) -> list[str]:
    """3rd person possessive, alone and with the locative, genitive and accusative after it."""
    base = word + _pick(word, "сы", "сі") if word[-1] in VOWELS else _voiced(word) + _pick(word, "ы", "і")
    return [base, base + _pick(word, "нда", "нде"), base + _pick(word, "ның", "нің"), base + "н"]


def vowel_drop_forms(word: str) -> list[str]:
    """халық -> халқы: a last syllable with ы/і/ұ/ү between two consonants loses its vowel before a possessive."""
    if len(word) < 4 or word[-2] not in "ыіұү" or word[-1] in VOWELS or word[-3] in VOWELS:
        return []
    dropped = word[:-2] + word[-1]
    base = dropped + _pick(word, "ы", "і")
    return [base, base + _pick(word, "ның", "нің"), base + _pick(word, "нда", "нде"), base + "н"]


VERB_ENDINGS = (
    ("ды", "ді", "voiced"),
    ("ты", "ті", "voiceless"),
    ("ған", "ген", "voiced"),
    ("қан", "кен", "voiceless"),
    ("ады", "еді", "any"),
    ("атын", "етін", "any"),
    ("уы", "уі", "any"),
    ("уға", "уге", "any"),
    ("уда", "уде", "any"),
    ("удың", "удің", "any"),
)


def verb_forms(infinitive: str) -> list[str]:
    """салу -> салды, салған, салады, салуы, салуға...: the -у dictionary form of a verb and its forms."""
    if len(infinitive) < 4 or not infinitive.endswith("у") or infinitive[-2] in VOWELS:
        return []
    root = infinitive[:-1]
    voiceless = root[-1] in VOICELESS
    out = []
    for back, front, after in VERB_ENDINGS:
        if (after == "voiced" and voiceless) or (after == "voiceless" and not voiceless):
            continue
        out.append(root + _pick(root, back, front))
    return out


# Two-letter roots a stem may be (ел, үй): a stem of two letters from a longer word is counted unless it is one.
SHORT_ROOTS_CHECKED = frozenset(
    [
        "ай",
        "ал",
        "ат",
        "аш",
        "ел",
        "ер",
        "ес",
        "ет",
        "ие",
        "ит",
        "із",
        "іс",
        "іш",
        "ой",
        "от",
        "өз",
        "өс",
        "өт",
        "су",
        "ту",
        "ұл",
        "ұн",
        "үй",
        "үн",
        "үш",
        "ән",
        "би",
        "ми",
    ]
)

DERIVATIONAL = ("лық", "лік", "дық", "дік", "тық", "тік")

CLASSES: dict[str, Callable[[str], list[str]]] = {
    "case_plural": case_forms,
    "possessive": possessive_forms,
    "derivational_possessive": lambda w: possessive_forms(w) if w.endswith(DERIVATIONAL) else [],
    "vowel_drop": vowel_drop_forms,
    "verb_infinitive": verb_forms,
}


def kazakh_vocabulary(path: Path = KAZNERD) -> Counter[str]:
    """Lowercase Cyrillic word tokens of KazNERD that carry a Kazakh letter or are plain Cyrillic words."""
    counts: Counter[str] = Counter()
    with path.open(encoding="utf-8") as handle:
        for line in handle:
            for token in json.loads(line)["tokens"]:
                word = token.lower().replace("ё", "е")
                if len(word) >= 2 and word.isalpha() and all("а" <= ch <= "я" or ch in KAZAKH_LETTERS for ch in word):
                    counts[word] += 1
    return counts


def family_pairs(vocab: Iterable[str]) -> dict[str, list[tuple[str, str]]]:
    """Per class, the (dictionary form, inflected form) pairs whose both words occur in the vocabulary."""
    words = set(vocab)
    pairs: dict[str, list[tuple[str, str]]] = {name: [] for name in CLASSES}
    for word in sorted(words):
        for name, forms in CLASSES.items():
            for form in forms(word):
                if form in words and form != word:
                    pairs[name].append((word, form))
    return pairs


def heads(pairs: dict[str, list[tuple[str, str]]]) -> list[str]:
    """Dictionary forms of the pairs, without those that are themselves a form of another head."""
    forms = {form for items in pairs.values() for _head, form in items}
    return sorted({head for items in pairs.values() for head, _form in items} - forms)


@dataclass(slots=True)
class Figures:
    recall: dict[str, tuple[int, int]] = field(default_factory=dict)  # class -> (met, pairs)
    split: dict[str, list[tuple[str, str, str, str]]] = field(default_factory=dict)
    head_collisions: list[tuple[str, list[str]]] = field(default_factory=list)
    heads: int = 0
    short_stems: list[tuple[str, str, int]] = field(default_factory=list)
    expected: tuple[int, int] = (0, 0)
    queries_related: tuple[int, int] = (0, 0)
    queries_unrelated: int = 0

    def as_json(self) -> dict[str, Any]:
        met = sum(m for m, _n in self.recall.values())
        total = sum(n for _m, n in self.recall.values())
        return {
            "recall": {
                k: {"met": m, "pairs": n, "share": round(m / n, 4) if n else None} for k, (m, n) in self.recall.items()
            },
            "recall_all": round(met / total, 4) if total else None,
            "heads": self.heads,
            "heads_colliding": sum(len(group) for _s, group in self.head_collisions),
            "short_stems_tokens": sum(n for _w, _s, n in self.short_stems),
            "short_stems_words": len(self.short_stems),
            "expected_agree": list(self.expected),
            "queries_related_met": list(self.queries_related),
            "queries_unrelated_met": self.queries_unrelated,
        }


def _speed(stemmer: Stemmer, words: list[str], rounds: int = 3) -> float:
    best = float("inf")
    for _ in range(rounds):
        start = time.perf_counter()
        for word in words:
            stemmer(word)
        best = min(best, time.perf_counter() - start)
    return len(words) / best


def _query_words(text: str) -> list[str]:
    return [w for w in "".join(ch if ch.isalpha() else " " for ch in text.lower()).split() if len(w) > 1]


def measure(stemmer: Stemmer, vocab: Counter[str]) -> Figures:
    figures = Figures()
    pairs = family_pairs(vocab)
    for name, items in pairs.items():
        split = [(a, b, stemmer(a), stemmer(b)) for a, b in items if stemmer(a) != stemmer(b)]
        figures.recall[name] = (len(items) - len(split), len(items))
        figures.split[name] = split
    head_list = heads(pairs)
    figures.heads = len(head_list)
    by_stem: dict[str, list[str]] = defaultdict(list)
    for head in head_list:
        by_stem[stemmer(head)].append(head)
    figures.head_collisions = sorted(
        ((s, group) for s, group in by_stem.items() if len(group) > 1), key=lambda item: -len(item[1])
    )
    roots = SHORT_ROOTS_CHECKED
    figures.short_stems = sorted(
        (
            (w, stemmer(w), n)
            for w, n in vocab.items()
            if len(w) >= 4 and len(stemmer(w)) <= 2 and stemmer(w) not in roots
        ),
        key=lambda x: -x[2],
    )
    if EXPECTED.is_file():
        lines = EXPECTED.read_text(encoding="utf-8").splitlines()[1:]
        rows = [(w, e) for w, e in (line.split("\t", 1) for line in lines if "\t" in line) if w.strip()]
        figures.expected = (sum(stemmer(w.lower()) == e for w, e in rows), len(rows))
    if QUERIES.is_file():
        queries = [json.loads(line) for line in QUERIES.read_text(encoding="utf-8").splitlines() if line.strip()]
        met = total = unrelated = 0
        for one, two in combinations(queries, 2):
            related = bool(set(one["relevant_ids"]) & set(two["relevant_ids"]))
            for a in _query_words(one["query"]):
                for b in _query_words(two["query"]):
                    if a == b:
                        continue
                    same = stemmer(a) == stemmer(b)
                    if related:
                        total += 1
                        met += same
                    else:
                        unrelated += same
        figures.queries_related = (met, total)
        figures.queries_unrelated = unrelated
    return figures


def baseline_module(rev: str) -> types.ModuleType:
    """index/analysis/kazakh.py as it was at `rev`, loaded as a module of its own."""
    source = subprocess.run(
        ["git", "-C", str(ROOT), "show", f"{rev}:index/analysis/kazakh.py"], capture_output=True, text=True, check=True
    ).stdout
    module = types.ModuleType("kazakh_baseline")
    module.__dict__["__name__"] = "kazakh_baseline"
    sys.modules["kazakh_baseline"] = module
    exec(compile(source, f"{rev}:index/analysis/kazakh.py", "exec"), module.__dict__)
    return module


def default_baseline() -> str:
    done = subprocess.run(["git", "-C", str(ROOT), "merge-base", "HEAD", "main"], capture_output=True, text=True)
    return done.stdout.strip() or "HEAD"


def _stemmers(module: Any) -> tuple[Stemmer, Stemmer]:
    """The module's memoised stemmer, and the same without its memo (for timing)."""

    def raw(word: str) -> str:
        return str(module.stem.__wrapped__(word))

    return module.stem, raw


def run(baseline: str, show: int = 0) -> dict[str, Any]:
    from index.analysis import kazakh

    vocab = kazakh_vocabulary()
    old = baseline_module(baseline)
    result: dict[str, Any] = {"vocabulary": len(vocab), "tokens": sum(vocab.values()), "baseline_rev": baseline}
    raws: dict[str, Stemmer] = {}
    for name, module in (("baseline", old), ("ours", kazakh)):
        stemmer, raws[name] = _stemmers(module)
        figures = measure(stemmer, vocab)
        result[name] = figures.as_json()
        if show and name == "ours":
            for cls, split in figures.split.items():
                print(f"-- split {cls}: {len(split)}", file=sys.stderr)
                for row in split[:show]:
                    print("   ", *row, file=sys.stderr)
            print(f"-- head collisions: {len(figures.head_collisions)} stems", file=sys.stderr)
            for s, group in figures.head_collisions[:show]:
                print("   ", s, group, file=sys.stderr)
            print(f"-- short stems: {figures.short_stems[:show]}", file=sys.stderr)
    # Speed: both stemmers in alternation, best of five rounds each, so that a busy machine slows both alike.
    words = sorted(vocab)
    best = {name: 0.0 for name in raws}
    for _round in range(5):
        for name, raw in raws.items():
            best[name] = max(best[name], _speed(raw, words, rounds=1))
    for name, speed in best.items():
        result[name]["stems_per_second"] = round(speed)
    result["speed_ratio"] = round(best["ours"] / best["baseline"], 3)
    result["baseline"]["folded"] = folded_figures(vocab, old)
    result["ours"]["folded"] = folded_figures(vocab, kazakh)
    result["russian_short_stems"] = russian_short_stems()
    return result


def folded_figures(vocab: Counter[str], module: Any) -> dict[str, float]:
    """The folded twin (`stem_folded` on `fold_word`): its recall over all pairs, and the share of the pairs the
    Cyrillic stemmer joins that it joins too (the twins agree)."""
    from index.analysis.fold import fold_word

    def folded(word: str) -> str:
        return str(module.stem_folded(fold_word(word)))

    pairs = [pair for items in family_pairs(vocab).values() for pair in items]
    joined = [(a, b) for a, b in pairs if module.stem(a) == module.stem(b)]
    return {
        "recall": round(sum(folded(a) == folded(b) for a, b in pairs) / len(pairs), 4) if pairs else 1.0,
        "agreement": round(sum(folded(a) == folded(b) for a, b in joined) / len(joined), 4) if joined else 1.0,
    }


RUSSIAN = ("ru/tengrinews.jsonl", "ru/zakon.jsonl", "ru/agencies.jsonl")


def russian_short_stems() -> dict[str, Any]:
    """Russian words of the shared press where our filter keeps a word Snowball cuts to two letters (аким -> ак).

    For each, its case forms (+а, +у, +ом, +е, +ы) found in the same text: how many meet the word's stem with plain
    Snowball and with ours.
    """
    import re

    import Stemmer

    from index.analysis.russian import RUSSIAN_STOPWORDS
    from index.analysis.russian import stem as ours

    snowball = Stemmer.Stemmer("russian")
    counts: Counter[str] = Counter()
    for name in RUSSIAN:
        path = SHARED / name
        if path.is_file():
            # split on newlines only: the texts hold U+2028, which splitlines() would cut at
            for line in filter(None, path.read_text(encoding="utf-8").split("\n")):
                data = json.loads(line)
                text = f"{data.get('title', '')} {data.get('text', '')}".lower().replace("ё", "е")
                counts.update(w for w in re.findall(r"[а-я]+", text) if w not in RUSSIAN_STOPWORDS)
    changed = sorted(w for w in counts if ours(w) != snowball.stemWord(w))
    forms = [(w, w + end) for w in changed for end in ("а", "у", "ом", "е", "ы") if w + end in counts]
    return {
        "words_changed": len(changed),
        "tokens_changed": sum(counts[w] for w in changed),
        "examples": changed[:12],
        "forms": len(forms),
        "forms_met_snowball": sum(snowball.stemWord(w) == snowball.stemWord(f) for w, f in forms),
        "forms_met_ours": sum(ours(w) == ours(f) for w, f in forms),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--baseline", default="", help="git revision of the baseline stemmer (default: merge base)")
    parser.add_argument("--json", action="store_true")
    parser.add_argument("--show", type=int, default=0, help="print N examples of each error class")
    args = parser.parse_args(argv)
    if not KAZNERD.is_file():
        print(f"no shared data at {KAZNERD}: nothing to measure", file=sys.stderr)
        return 2
    result = run(args.baseline or default_baseline(), args.show)
    if args.json:
        print(json.dumps(result, ensure_ascii=False, indent=2))
        return 0
    print(f"KazNERD vocabulary: {result['vocabulary']} words, {result['tokens']} tokens")
    print(f"baseline: index/analysis/kazakh.py at {result['baseline_rev']}")
    for name in ("baseline", "ours"):
        fig = result[name]
        print(f"== {name}")
        for cls, row in fig["recall"].items():
            print(f"  recall {cls:24s} {row['met']:5d}/{row['pairs']:<5d} {row['share']}")
        print(f"  recall all {fig['recall_all']}; heads {fig['heads']}, colliding {fig['heads_colliding']}")
        short = f"{fig['short_stems_words']} words, {fig['short_stems_tokens']} tokens"
        print(f"  stems of <= 2 letters (not a known root) from longer words: {short}")
        print(f"  stems-expected agree {fig['expected_agree']}")
        met, unrelated = fig["queries_related_met"], fig["queries_unrelated_met"]
        print(f"  query word pairs that meet: related {met}, unrelated {unrelated}")
        print(f"  {fig['stems_per_second']} stems/s (no memo)")
        folded = fig["folded"]
        print(f"  folded twin: recall all {folded['recall']}, joins {folded['agreement']} of the pairs Cyrillic joins")
    print(f"speed ratio ours/baseline {result['speed_ratio']}")
    print(f"Russian words kept whole where Snowball leaves two letters: {result['russian_short_stems']}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
