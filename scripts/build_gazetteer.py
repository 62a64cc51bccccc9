"""Generate `index/facets/gazetteer.json`, the place list of the region facet, from the official KATO classifier.

Input: ../shared/data/gazetteer/kato.csv (KATO NK RK 11-2025, stat.gov.kz, via siaarzh/kz-tax-rates, MIT) and
regions-districts-2018-en-kk-ru.tsv (the pre-2022 list, for English spellings and old district names). Output:
one JSON file the product ships, with the source recorded in its header, so the product never needs
../shared/data. It keeps regions, the cities of republican significance, districts (and the city districts of
Astana, Almaty and Shymkent), towns ("г." in KATO) and district centres, each with Russian and Kazakh names,
Latin forms (2018 acute, 2021, ASCII) and the old names the press still uses. Villages are left out on purpose:
thousands of them are common words (Достық, Жеңіс, Бірлік) and would fire on ordinary text.

    python scripts/build_gazetteer.py [--kato PATH] [--tsv PATH] [--out PATH]
"""

from __future__ import annotations

import argparse
import csv
import hashlib
import json
import re
import sys
from pathlib import Path
from typing import Any

from index.facets.text import KAZ_2018, KAZ_2021, KAZ_ASCII

ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared" / "data" / "gazetteer"

# ISO 3166-2:KZ numeric codes equal the first two digits of the KATO code since the 2022 reform.
REGION_EN = {
    "10": "Abai Region",
    "11": "Akmola Region",
    "15": "Aktobe Region",
    "19": "Almaty Region",
    "23": "Atyrau Region",
    "27": "West Kazakhstan Region",
    "31": "Jambyl Region",
    "33": "Jetisu Region",
    "35": "Karaganda Region",
    "39": "Kostanay Region",
    "43": "Kyzylorda Region",
    "47": "Mangystau Region",
    "55": "Pavlodar Region",
    "59": "North Kazakhstan Region",
    "61": "Turkistan Region",
    "62": "Ulytau Region",
    "63": "East Kazakhstan Region",
    "71": "Astana",
    "75": "Almaty",
    "79": "Shymkent",
}

# Regions whose 2018 KATO codes were partly handed to the regions created in 2022.
SPLIT_2022 = ("19", "35", "63")

# Old names and abbreviations the press still uses (facts, from the renaming decrees).
ALIASES: dict[str, list[tuple[str, str]]] = {
    # region code -> (form, type): type "noun" (a name), "adj" (Russian adjective with область), "abbr"
    "KZ-61": [
        ("Южно-Казахстанская", "adj"),
        ("Оңтүстік Қазақстан", "noun"),
        ("ЮКО", "abbr"),
        ("ОҚО", "abbr"),
        ("Туркестанская", "adj"),
    ],
    "KZ-63": [("ВКО", "abbr"), ("ШҚО", "abbr")],
    "KZ-59": [("СКО", "abbr"), ("СҚО", "abbr")],
    "KZ-27": [("ЗКО", "abbr"), ("БҚО", "abbr")],
    "KZ-71": [
        ("Елорда", "noun"),
        ("Нур-Султан", "noun"),
        ("Нұр-Сұлтан", "noun"),
        ("Целиноград", "noun"),
        ("Астана", "noun"),
        ("Astana", "noun"),
        ("Nur-Sultan", "noun"),
    ],
    "KZ-75": [("Алма-Ата", "noun"), ("Алматы", "noun"), ("Almaty", "noun")],
    "KZ-79": [("Чимкент", "noun"), ("Шымкент", "noun"), ("Shymkent", "noun")],
    "KZ-10": [("Семипалатинск", "noun"), ("Семипалатинская", "adj")],
    "KZ-62": [("Джезказган", "noun"), ("Жезказганская", "adj")],
    "KZ-33": [("Талды-Курган", "noun"), ("Талдыкорганская", "adj"), ("Жетысуская", "adj")],
    "KZ-23": [("Гурьев", "noun")],
    "KZ-47": [("Мангышлак", "noun"), ("Мангышлакская", "adj")],
    "KZ-31": [("Джамбул", "noun"), ("Аулие-Ата", "noun"), ("Джамбулская", "adj")],
    "KZ-39": [("Кустанай", "noun"), ("Кустанайская", "adj")],
    "KZ-15": [("Актюбинск", "noun")],
    "KZ-43": [("Кзыл-Орда", "noun")],
    "KZ-19": [("Капшагай", "noun"), ("Қапшағай", "noun")],
}
# Russian names of cities whose KATO entry carries another form, and city adjectives (bare adjective = the city).
CITY_ADJ = {
    "KZ-71": ["Астанинская"],
    "KZ-75": [],  # "алматинский" is ambiguous between the city and the region: needs "область" to count
    "KZ-79": ["Шымкентская"],
    "351000000": ["Карагандинская"],
    "551000000": ["Павлодарская"],
    "631000000": ["Усть-Каменогорская"],
    "101000000": ["Семейская"],
}

# Names that are also people, rivers or mountains: they count only with a place word (облыс, район, қаласы,
# ауылы ...) or a Kazakh place case (Қонаевта), never alone.
CONTEXT_ONLY = {
    "абай",
    "жамбыл",
    "сәтбаев",
    "сатпаев",
    "қонаев",
    "конаев",
    "курчатов",
    "панфилов",
    "тимирязев",
    "денисов",
    "федоров",
    "осакаров",
    "алтынсарин",
    "амангелді",
    "жангелдин",
    "махамбет",
    "исатай",
    "байғанин",
    "уәлиханов",
    "тұрар рысқұлов",
    "мағжан жұмабаев",
    "шал ақын",
    "бейімбет майлин",
    "ғабит мүсірепов",
    "біржан сал",
    "бұқар жырау",
    "әйтеке би",
    "төле би",
    "қазыбек би",
    "бәйдібек",
    "райымбек",
    "сырым",
    "жәнібек",
    "құрманғазы",
    "әлихан бөкейхан",
    "железин",
    "успен",
    "державин",
    "әуезов",
    "әл фараби",
    "медеу",
    "наурызбай",
    "алтай",
    "есіл",
    "ертіс",
    "талас",
    "шу",
    "келес",
    "сарысу",
    "арыс",
    "май",
    "самар",
    "нұра",
    "ұлан",
    "тұран",
    "алатау",
    "қаратау",
    "сарыарқа",
    "байқоңыр",
    "еңбекші",
    "ақсу",
    "қарасу",
    "жем",
    "шар",
    "ембі",
    "глубокое",
    "степняк",
    "абайская",
    "приозерск",
    "бостандық",
    "алмалы",
    "түрксіб",
    "сарайшық",
    "рудный",
    "кеген",
    "мерке",
    "жуалы",
    "сауран",
    "бесқарағай",
    "ақтоғай",
    "темір",
    "жақсы",
    "шет",
    "есік",
    "алға",
    "қаратал",
    "жарма",
    "арал",
}


def translit(text: str, table: dict[str, str]) -> str:
    out = []
    for ch in text:
        low = ch.lower()
        rep = table.get(low, low)
        out.append(rep[:1].upper() + rep[1:] if ch != low and rep else rep)
    return "".join(out)


def latin_forms(kk: str) -> list[str]:
    forms = [translit(kk, KAZ_2018), translit(kk, KAZ_2021), translit(kk, KAZ_ASCII)]
    return list(dict.fromkeys(forms))


_RU_PREFIX = re.compile(r"^(г\.|п\.|с\.|район им\.|район|район\s+им\.)\s*", re.I)
_RU_SUFFIX = re.compile(r"\s*(г\.а\.|п\.а\.|с\.о\.|с\.а\.|район|область)\s*$", re.I)
_KK_SUFFIX = re.compile(
    r"\s*(ќ\.|қ\.ә\.|г\.а\.|к\.ә\.|а\.о\.|а\.ә\.|қ\.|к\.|а\.|ауданы|облысы|атын\.\s*ауданы)\s*$", re.I
)


def clean_ru(name: str) -> str:
    name = name.strip()
    name = _RU_SUFFIX.sub("", name)
    name = re.sub(r"^(область|район им\.|район|г\.|п\.|с\.)\s*", "", name, flags=re.I)
    return name.strip()


def clean_kk(name: str) -> str:
    name = name.strip()
    name = re.sub(r"\s*атын\.\s*ауданы$", "", name)
    name = _KK_SUFFIX.sub("", name)
    return name.strip()


def split_ru(name: str) -> tuple[str, str]:
    """(noun, adjective) of a KATO Russian name: "Мактааральский район" has only the adjective."""
    base = clean_ru(name)
    if re.search(r"(ский|цкий|ская|ой|ий|ый)$", base) and " " not in base:
        return "", base
    # "район Турара Рыскулова": genitive of a person; keep as written
    return base, ""


def region_of(kato: str) -> str:
    return f"KZ-{kato[:2]}"


def build(kato_path: Path, tsv_path: Path | None) -> dict[str, Any]:
    rows = list(csv.DictReader(kato_path.open(encoding="utf-8")))
    entries: list[dict[str, Any]] = []
    by_code: dict[str, dict[str, Any]] = {}

    def add(entry: dict[str, Any]) -> None:
        entry.setdefault("aliases", [])
        entry["latin"] = latin_forms(entry["kk"]) if entry["kk"] else []
        entry["context_only"] = entry["kk"].lower() in CONTEXT_ONLY or entry["ru"].lower() in CONTEXT_ONLY
        entries.append(entry)
        by_code.setdefault(entry["code"], entry)

    districts: dict[str, dict[str, Any]] = {}
    for row in rows:
        kato, level, ru, kk = row["kato"], row["level"], row["name_ru"], row["name_kk"]
        if level == "oblast":
            code = region_of(kato)
            kind = "city" if kato[:2] in ("71", "75", "79") else "region"
            noun, adj = split_ru(ru)
            if kind == "region" and not adj and "область" in ru:
                noun = clean_ru(ru)
            add({"code": code, "kind": kind, "region": code, "district": "", "ru": noun or adj, "ru_adj": adj,
                 "kk": clean_kk(kk), "en": REGION_EN.get(kato[:2], "")})  # fmt: skip
        elif level == "district" or (level == "sub_district" and kato[:2] in ("71", "75", "79") and "район" in ru):
            is_city = "Г.А." in ru or ("г.а." in ru.lower() and level == "district")
            noun, adj = split_ru(ru)
            entry = {"code": kato, "kind": "city" if is_city else "district", "region": region_of(kato),
                     "district": kato, "ru": noun or adj, "ru_adj": adj, "kk": clean_kk(kk), "en": ""}  # fmt: skip
            add(entry)
            districts[kato[:4]] = entry
    # Towns ("г." in KATO) and district centres: they name their district.
    seen_centre: set[str] = set()
    for row in rows:
        kato, level, ru, kk, _tcode = row["kato"], row["level"], row["name_ru"], row["name_kk"], row["type_code"]
        dist = districts.get(kato[:4])
        if dist is None or kato[:2] in ("71", "75", "79") or level == "district":
            continue
        name_ru, name_kk = clean_ru(ru), clean_kk(kk)
        if not name_ru or not name_kk:
            continue
        is_town = level == "settlement" and ru.startswith("г.")
        # KATO numbers the district centre's rural okrug first (..20000/..30000) and its seat first (..100).
        is_centre = (
            level == "settlement"
            and dist["kind"] == "district"
            and kato[4:6] in ("20", "21", "30")
            and kato[6:] == "100"
            and kato[:4] not in seen_centre
        )
        if not (is_town or is_centre):
            continue
        if dist["kind"] == "city" and name_kk == dist["kk"]:
            continue  # the city itself, already listed at district level
        seen_centre.add(kato[:4])
        add({"code": kato, "kind": "town" if is_town else "centre", "region": dist["region"],
             "district": dist["code"], "ru": name_ru, "ru_adj": "", "kk": name_kk, "en": ""})  # fmt: skip
    # Old names, abbreviations, English names.
    for code, forms in ALIASES.items():
        target = by_code[code]
        for form, kind in forms:
            target["aliases"].append({"form": form, "type": kind})
    for code, adjs in CITY_ADJ.items():
        for adj in adjs:
            by_code[code]["aliases"].append({"form": adj, "type": "cityadj"})
    if tsv_path is not None and tsv_path.exists():
        with tsv_path.open(encoding="utf-8-sig") as fh:
            for line in fh:
                parts = [p.strip() for p in line.rstrip("\n").split("\t")]
                if len(parts) < 5 or not parts[4].isdigit():
                    continue
                level, en, kk, ru, kato = parts
                code = region_of(kato) if kato.endswith("0000000") else kato
                target = by_code.get(code)
                if target is None:
                    continue
                kk_clean = clean_kk(re.sub(r"\s*(ҚӘ|облысы)$", "", kk))
                if kato[:2] in SPLIT_2022 and level == "2" and kk_clean != target["kk"]:
                    continue  # a 2018 code of a region split in 2022 may now belong to another place
                if en and not target["en"]:
                    target["en"] = re.sub(r"\s+(city|SA)$", "", en).strip()
                if en:
                    target["aliases"].append({"form": re.sub(r"\s+(city|SA)$", "", en).strip(), "type": "latin"})
                if kk_clean and kk_clean != target["kk"] and level == "2":
                    target["aliases"].append({"form": kk_clean, "type": "noun"})  # an old Kazakh name
                ru_clean = ru.strip()
                if level == "2" and len(ru_clean) < 15 and ru_clean.endswith("ский") and ru_clean != target["ru_adj"]:
                    target["aliases"].append({"form": ru_clean, "type": "adj"})  # an old Russian name
    for entry in entries:
        seen: set[str] = set()
        entry["aliases"] = [a for a in entry["aliases"] if not (a["form"] in seen or seen.add(a["form"]))]
    digest = hashlib.sha256(kato_path.read_bytes()).hexdigest()
    return {
        "source": {
            "kato": "KATO NK RK 11-2025, Bureau of National Statistics (stat.gov.kz), "
            "via siaarzh/kz-tax-rates data/kato.csv (MIT)",
            "kato_sha256": digest,
            "tsv": "NurymKenzh/GeoServer KATO.csv (2018 regions and districts: English spellings, old names)",
            "aliases": "renamings by decree (Нур-Султан 2019-2022, Туркестанская 2018, the 2022 regions), "
            "listed in scripts/build_gazetteer.py",
            "generator": "scripts/build_gazetteer.py",
        },
        "entries": entries,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--kato", type=Path, default=SHARED / "kato.csv")
    parser.add_argument("--tsv", type=Path, default=SHARED / "regions-districts-2018-en-kk-ru.tsv")
    parser.add_argument("--out", type=Path, default=ROOT / "index" / "facets" / "gazetteer.json")
    args = parser.parse_args(argv)
    if not args.kato.exists():
        print(f"build_gazetteer: {args.kato} not found", file=sys.stderr)
        return 1
    data = build(args.kato, args.tsv)
    text = json.dumps(data, ensure_ascii=False, indent=0, sort_keys=False)
    args.out.write_text(text + "\n", encoding="utf-8")
    kinds: dict[str, int] = {}
    for e in data["entries"]:
        kinds[e["kind"]] = kinds.get(e["kind"], 0) + 1
    print(f"wrote {args.out}: {len(data['entries'])} places {kinds}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
