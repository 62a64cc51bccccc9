"""Build index/facets/oked-terms.txt, the sector lexicon's OKED part, from the classifier's official names.

    python -m bench.build_oked_terms [--oked ../shared/data/oked/oked.csv]

Source: oked.csv of ../shared/data/oked/ (OKED NK RK 03-2019: hierarchy and Russian names from PyPI
metrix-oked-sdk 0.2.0, MIT). The Russian name of every section, division, group and class is cut into the phrases a
news text repeats ("Производство электрического оборудования", "Добыча металлических руд", "обрабатывающая
промышленность"): the name is split at commas, semicolons, brackets and "и"/"или", each part is cut at its first
preposition and kept as its first one to three words, stemmed with the Snowball Russian stemmer (the search index's
own), so "производству электрооборудования" and "обрабатывающей промышленности" match. A phrase made only of
generic words (производство, деятельность, услуги, прочие ...) or claimed by two divisions is dropped. The Kazakh
names are not in the source; KK_NAMES and KK_TERMS below are ours, written for the sections, the divisions and the
groups the press names, in the same stem notation as sectors.txt.

A line's code ends in "*" when its terms are the verbatim name of a section or a division: sectors.py counts such a
mention strongly. The output is committed; run this again when oked.csv changes.
"""

from __future__ import annotations

import argparse
import csv
import re
import sys
from pathlib import Path

from bench import SHARED_DATA
from index.analysis.russian import stem

ROOT = Path(__file__).resolve().parent.parent
OKED_CSV = SHARED_DATA / "oked" / "oked.csv"
OUT = ROOT / "index" / "facets" / "oked-terms.txt"


def _set(words: str, *, stemmed: bool = False) -> frozenset[str]:
    return frozenset(stem(w) if stemmed else w for w in words.split())


# A phrase is cut before these words: what follows is a complement too long to be repeated verbatim.
_CUT = _set("в во на из для по с со от к о об не кроме а также включая без под при через за между")
# Words that name no industry by themselves: a phrase needs at least one other word.
_GENERIC = _set(
    "производство деятельность услуги услуг прочие прочих прочая прочее прочий другие других изделия изделий "
    "продукции продукты продуктов предоставление обслуживание организация организаций работы работ "
    "материалов оборудования оборудование производства специализированные специализированная общего "
    "назначения основных виды видов видами аренда ремонт установка монтаж оптовая розничная торговля "
    "переработка обработка добыча выращивание разведение деятельности сфере области областях этих подготовка "
    "производственного назначения",
    stemmed=True,
)
# "прочих", "других": classifier words no news text repeats
_NEVER_VERBATIM = frozenset({stem("прочих"), stem("других"), stem("аналогичных")})
_HEADS = _set(
    "производство добыча выращивание разведение переработка обработка строительство деятельность "
    "предоставление торговля сбор удаление издание литье передача распределение обогащение",
    stemmed=True,
)
_SPLIT = re.compile(r"[,;:()]|\s(?:и|или)\s")
_WORD = re.compile(r"[а-яё]+(?:-[а-яё]+)*")
# Sections whose names are everyday words ("строительство", "торговля", "образование"): already in sectors.txt with
# their own weights; a verbatim mention of them is not strong evidence.
_NOT_STRONG = frozenset("FGHKLMNOPSTU")

# Kazakh (ours: the source has no Kazakh names), in sectors.txt notation ("_" between words). KK_NAMES are the
# section and division names as the press writes them (strong mentions); KK_TERMS the names of groups and classes the
# press uses, and the products and facilities of a division (products that count only when made, such as drones
# and fridges, are in sectors.txt under a code with "@").
KK_NAMES: dict[str, list[str]] = {
    "A": ["ауыл_орман_және_балық_шаруашылығ", "агроөнеркәсіптік_кешен"],
    "B": ["тау-кен_өндіру_өнеркәсіб", "тау-кен_өнеркәсіб", "кен_өндіру_өнеркәсіб"],
    "C": ["өңдеу_өнеркәсіб", "өңдеуші_өнеркәсіп"],
    "D": ["электр_энергиясымен_жабдықта", "электрмен_газбен_бумен"],
    "I": ["тұру_және_тамақтан"],
    "J": ["ақпарат_және_байланыс"],
    "K": ["қаржы_және_сақтандыру"],
    "A01": ["өсімдік_шаруашылығ", "мал_шаруашылығ", "егін_шаруашылығ"],
    "A02": ["орман_шаруашылығ"],
    "A03": ["балық_аулау", "балық_өсір", "балық_шаруашылығ"],
    "B05": ["көмір_өндір"],
    "B06": ["мұнай_және_газ_өндір", "мұнай_өндір", "газ_өндір"],
    "B07": ["металл_кендерін_өндір"],
    "C10": ["тамақ_өнімдерін_өндір", "тамақ_өнеркәсіб"],
    "C11": ["сусындар_өндір"],
    "C13": ["тоқыма_өнеркәсіб", "тоқыма_бұйымдарын_өндір"],
    "C14": ["киім_өндір"],
    "C15": ["былғары_және_аяқ_киім"],
    "C16": ["ағаш_өңде"],
    "C17": ["қағаз_өндір"],
    "C19": ["мұнай_өнімдерін_өндір"],
    "C20": ["химия_өнеркәсіб"],
    "C21": ["фармацевтика_өндіріс", "дәрі-дәрмек_өндір"],
    "C22": ["резеңке_және_пластмасса"],
    "C23": ["бейметалл_минералдық"],
    "C24": ["металлургия_өнеркәсіб"],
    "C25": ["дайын_металл_бұйым"],
    "C26": ["компьютерлер_мен_электроника", "электроника_өндір"],
    "C27": ["электр_жабдықтарын_өндір"],
    "C28": ["машина_жасау", "машиналар_мен_жабдықтар"],
    "C29": ["автокөлік_құралдарын_өндір"],
    "C30": ["өзге_де_көлік_құралдары"],
    "C31": ["жиһаз_өндір"],
    "D35": ["электрмен_газбен_бумен_жабдықта"],
    "E36": ["суды_жинау_өңдеу"],
    "E38": ["қалдықтарды_жинау_өңдеу"],
    "J61": ["байланыс_қызмет"],
    "J62": ["компьютерлік_бағдарламала"],
    "J63": ["ақпараттық_қызмет"],
}  # fmt: skip
KK_TERMS: dict[str, list[str]] = {
    "A01": ["бау-бақша", "жеміс-жидек", "жеміс_бағ", "алма_бағ", "бордақылау", "мал_бордақыла", "құс_шаруашылығ",
            "қой_шаруашылығ", "жылқы_шаруашылығ", "ірі_қара_мал", "асыл_тұқымды", "қант_қызылша",
            "мақта_шаруашылығ", "құс_фабрика"],
    "A03": ["бекіре", "аквамәдениет"],
    "B07": ["мыс_кен", "хромит_кен", "темір_кен", "алтын_кен", "полиметалл_кен", "кен_байыту", "алтын_кен_орн"],
    "B08": ["тас_карьер", "құм-қиыршық"],
    "C10": ["ет_өнім", "ет_комбинат", "сүт_өнім", "ұн_тарт", "май_зауыт", "өсімдік_май", "қант_зауыт", "балық_өңдей",
            "ет_өңдей", "сүт_өңдей", "макарон"],
    "C11": ["минералды_су", "сусын_құ"],
    "C13": ["тоқыма_бұйым", "жүн_өңде", "иіру"],
    "C14": ["киім_тіг", "тігін_фабрика"],
    "C15": ["былғары_зауыт", "тері_илеу", "терісін_иле"],
    "C19": ["мұнай_өңдеу_зауыт"],
    "C20": ["полиэтилен", "полипропилен", "минералды_тыңайтқыш"],
    "C21": ["фармацевтика", "дәрілік_зат"],
    "C22": ["пластмасса_бұйым", "шина_зауыт", "шина_шығар"],
    "C23": ["шыны_ыдыс", "цемент_зауыт", "кірпіш_зауыт", "құрылыс_материалдар"],
    "C24": ["ферроқорытпа", "мыс_қорыт", "мыс_балқыт", "болат_балқыт", "шойын_балқыт", "титан-магний",
            "алюминий_зауыт", "катодты_мыс"],
    "C27": ["электр_жабдығ", "инвертор"],
    "C28": ["тау-кен_жабдығ", "тау-кен_жабдықтар", "мойынтірек", "ауыл_шаруашылығы_техникас", "тұқым_сепкіш",
            "комбайн_шығар"],
    "C29": ["автомобиль_зауыт", "автомобиль_құрастыр", "көлік_құрастыр", "автобус_зауыт", "автобустар_шығар",
            "автобус_шығар", "жеңіл_көлік_құрастыр"],
    "C30": ["вагон_жаса", "вагондарын_жаса", "локомотив_жаса"],  # drones: sectors.txt, only when made
    "C31": ["жиһаз_фабрика"],
    "D35": ["жел_электр_станса", "күн_электр_станса", "жылу_электр_орталығ", "электр_станса", "су_электр_станса"],
    "E36": ["тұщыту", "су_тұщыт", "ауыз_су_құбыр"],
    "E37": ["кәріз_жүйе", "тазарту_құрылғы"],
    "E38": ["қоқыс_өңде", "қалдық_өңде"],
    "F41": ["ғимараттар_салу", "тұрғын_үй_құрылыс", "көпқабатты_тұрғын"],
    "F42": ["азаматтық_құрылыс", "жол_құрылыс"],
    "G47": ["бөлшек_сауда", "сауда_орталығ", "сауда-ойын-сауық"],
    "H49": ["жеңіл_рельсті", "теміржол_тасымал"],
    "H52": ["көлік-логистика", "логистикалық_орталық", "контейнер_терминал", "контейнер_қабылда"],
    "I55": ["қонақ_үй_кешен", "туристік_кешен", "демалыс_орны"],
    "J62": ["бағдарламалық_қамтамасыз", "бағдарламалық_жасақтама", "ит-компания", "it-компания"],
    "J63": ["деректер_орталығ", "дата-орталық", "деректерді_өңдеу_орталығ"],
    "Q86": ["көпсалалы_аурухана", "көпсалалы_клиника", "жеке_клиника"],
}  # fmt: skip


def _phrases(name: str) -> list[tuple[str, ...]]:
    """The stemmed phrases of one OKED name: its first part, and each later part that starts with an activity of
    its own ("Добыча и обогащение угля" gives "добыча", "обогащение угля"; in "Оптовая торговля зерном, семенами и
    кормами" the later parts have no head and name a trade, not a crop, so they are left out)."""
    out: list[tuple[str, ...]] = []
    for n, part in enumerate(_SPLIT.split(name.lower())):
        words: list[str] = []
        for w in _WORD.findall(part):
            if w in _CUT:
                break
            words.append(w)
        words = words[:3]
        if len(words) < 2:
            continue  # one word alone ("сельское", "информация", "передача") is no industry: sectors.txt has those
        stems = tuple(stem(w) for w in words)
        if n > 0 and stems[0] not in _HEADS:
            continue
        if all(s in _GENERIC for s in stems) or any(len(s) < 3 or s in _NEVER_VERBATIM for s in stems):
            continue
        out.append(stems)
    return out


def build(oked_csv: Path = OKED_CSV) -> list[str]:
    """The lines of oked-terms.txt."""
    with oked_csv.open(encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    division_of: dict[str, str] = {}
    for row in rows:
        code = row["code"]
        division_of[code] = code if row["level"] == "section" else code[:2]
    section_of = {}
    for row in rows:
        if row["level"] == "division":
            section_of[row["code"]] = row["parent"]
    claims: dict[tuple[str, ...], set[str]] = {}
    strong: set[tuple[str, ...]] = set()
    for row in rows:
        if row["level"] not in ("section", "division", "group", "class"):
            continue
        code = row["code"] if row["level"] == "section" else section_of[row["code"][:2]] + row["code"][:2]
        for phrase in _phrases(row["name_ru"]):
            claims.setdefault(phrase, set()).add(code)
            if row["level"] in ("section", "division") and code[0] not in _NOT_STRONG:
                strong.add(phrase)
    by_code: dict[str, list[str]] = {}
    for phrase, codes in sorted(claims.items()):
        if len(codes) > 1:
            sections = {c[0] for c in codes}
            if len(sections) > 1:
                continue  # two sections claim it: it says nothing
            code = sections.pop()  # two divisions of one section: the section
        else:
            code = codes.pop()
        mark = "*" if phrase in strong else ""
        by_code.setdefault(code + mark, []).append("_".join(phrase))
    kk = {code + "*": terms for code, terms in KK_NAMES.items()}
    for code, terms in KK_TERMS.items():
        kk.setdefault(code, []).extend(terms)
    keys = sorted(set(by_code) | set(kk), key=lambda c: (c.rstrip("*"), c))
    lines = [
        "# OKED names as sector terms: Russian | Kazakh. Generated by bench/build_oked_terms.py; do not edit by hand.",
        "# Russian: stemmed phrases of the official names of OKED NK RK 03-2019 sections, divisions, groups and",
        "# classes, from ../shared/data/oked/oked.csv (PyPI metrix-oked-sdk 0.2.0, MIT). Kazakh: our own terms.",
        '# A code ending in "*" names a section or division verbatim: a strong mention (index/facets/sectors.py).',
    ]
    for key in keys:
        ru = sorted(by_code.get(key, []))
        kk_terms = kk.get(key, [])
        if ru or kk_terms:
            lines.append(f"{key}: {', '.join(ru)} | {', '.join(kk_terms)}")
    return lines


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.build_oked_terms", description=__doc__.split("\n\n")[0])
    parser.add_argument("--oked", type=Path, default=OKED_CSV, help="oked.csv of ../shared/data/oked/")
    parser.add_argument("--out", type=Path, default=OUT)
    args = parser.parse_args(argv)
    if not args.oked.exists():
        print(f"error: {args.oked} not found (../shared/data/oked/oked.csv)", file=sys.stderr)
        return 2
    lines = build(args.oked)
    args.out.write_text("\n".join(lines) + "\n", encoding="utf-8")
    print(f"wrote {len(lines) - 4} codes to {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
