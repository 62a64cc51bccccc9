"""Labels and trees of facet codes for the UI and exports, in Russian, Kazakh and English.

`label(facet, code, lang)` names a code (KZ-61 -> "Туркестанская область" / "Түркістан облысы" / "Turkistan
Region"; a district KATO code, an OKED section or division, a country, a language); an unknown code is its own
label. `parent(facet, code)` gives the next level up (a district's region, a division's section) and
`children(facet, code)` the level below (code None: the top level), so the UI can draw the trees. Region names
come from the generated gazetteer; OKED names are the classifier's, shortened.
"""

from __future__ import annotations

from functools import lru_cache

from .regions import places
from .text import KAZ_ASCII, data_lines

LANGS = ("ru", "kk", "en")

# fmt: off
SECTIONS: dict[str, tuple[str, str, str]] = {
    "A": ("Сельское, лесное и рыбное хозяйство", "Ауыл, орман және балық шаруашылығы",
          "Agriculture, forestry and fishing"),
    "B": ("Горнодобывающая промышленность", "Тау-кен өндіру өнеркәсібі", "Mining and quarrying"),
    "C": ("Обрабатывающая промышленность", "Өңдеу өнеркәсібі", "Manufacturing"),
    "D": ("Электроснабжение, подача газа, пара", "Электрмен, газбен, бумен жабдықтау",
          "Electricity, gas, steam supply"),
    "E": ("Водоснабжение, отходы", "Сумен жабдықтау, қалдықтар", "Water supply, sewerage, waste"),
    "F": ("Строительство", "Құрылыс", "Construction"),
    "G": ("Оптовая и розничная торговля", "Көтерме және бөлшек сауда", "Wholesale and retail trade"),
    "H": ("Транспорт и складирование", "Көлік және қоймалау", "Transportation and storage"),
    "I": ("Проживание и питание, туризм", "Тұру және тамақтану, туризм", "Accommodation, food service, tourism"),
    "J": ("Информация и связь", "Ақпарат және байланыс", "Information and communication"),
    "K": ("Финансовая и страховая деятельность", "Қаржы және сақтандыру қызметі", "Financial and insurance activities"),
    "L": ("Операции с недвижимым имуществом", "Жылжымайтын мүлікпен операциялар", "Real estate activities"),
    "M": ("Профессиональная, научная деятельность", "Кәсіби, ғылыми қызмет", "Professional, scientific activities"),
    "N": ("Административное обслуживание", "Әкімшілік қызмет көрсету", "Administrative and support services"),
    "O": ("Государственное управление", "Мемлекеттік басқару", "Public administration and defence"),
    "P": ("Образование", "Білім беру", "Education"),
    "Q": ("Здравоохранение и социальные услуги", "Денсаулық сақтау және әлеуметтік қызмет", "Health and social work"),
    "R": ("Искусство, развлечения и отдых", "Өнер, ойын-сауық және демалыс", "Arts, entertainment and recreation"),
    "S": ("Прочие услуги", "Өзге де қызметтер", "Other service activities"),
    "T": ("Деятельность домашних хозяйств", "Үй шаруашылықтарының қызметі", "Activities of households"),
    "U": ("Экстерриториальные организации", "Экстерриториялық ұйымдар", "Extraterritorial organisations"),
}
# fmt: on

# NACE Rev. 2 divisions: section letters by number range, and names (ru | kk | en).
_SECTION_RANGES = (
    ("A", 1, 3), ("B", 5, 9), ("C", 10, 33), ("D", 35, 35), ("E", 36, 39), ("F", 41, 43), ("G", 45, 47),
    ("H", 49, 53), ("I", 55, 56), ("J", 58, 63), ("K", 64, 66), ("L", 68, 68), ("M", 69, 75), ("N", 77, 82),
    ("O", 84, 84), ("P", 85, 85), ("Q", 86, 88), ("R", 90, 93), ("S", 94, 96), ("T", 97, 98), ("U", 99, 99),
)  # fmt: skip

_COUNTRY_EN = {
    "CN": "China", "RU": "Russia", "UZ": "Uzbekistan", "KG": "Kyrgyzstan", "TJ": "Tajikistan", "TM": "Turkmenistan",
    "TR": "Turkey", "KR": "South Korea", "KP": "North Korea", "JP": "Japan", "DE": "Germany", "FR": "France",
    "IT": "Italy", "ES": "Spain", "GB": "United Kingdom", "US": "United States", "AE": "United Arab Emirates",
    "SA": "Saudi Arabia", "QA": "Qatar", "IR": "Iran", "AZ": "Azerbaijan", "GE": "Georgia", "AM": "Armenia",
    "BY": "Belarus", "UA": "Ukraine", "PL": "Poland", "NL": "Netherlands", "IN": "India", "PK": "Pakistan",
    "AF": "Afghanistan", "MN": "Mongolia", "CZ": "Czechia", "AT": "Austria", "CH": "Switzerland", "FI": "Finland",
    "SE": "Sweden", "NO": "Norway", "HU": "Hungary", "EG": "Egypt", "IL": "Israel", "SG": "Singapore",
    "MY": "Malaysia", "VN": "Vietnam", "TH": "Thailand", "ID": "Indonesia", "CA": "Canada", "BR": "Brazil",
    "AU": "Australia", "LT": "Lithuania", "LV": "Latvia", "EE": "Estonia", "BE": "Belgium", "DK": "Denmark",
    "KW": "Kuwait", "OM": "Oman", "MD": "Moldova", "SK": "Slovakia", "RS": "Serbia", "BG": "Bulgaria",
    "GR": "Greece", "KZ": "Kazakhstan",
}  # fmt: skip
_LANG_NAMES = {
    "kk": ("Казахский", "Қазақ тілі", "Kazakh"),
    "ru": ("Русский", "Орыс тілі", "Russian"),
    "en": ("Английский", "Ағылшын тілі", "English"),
}


def _idx(lang: str) -> int:
    return LANGS.index(lang) if lang in LANGS else 0


@lru_cache(maxsize=1)
def _divisions() -> dict[str, tuple[str, str, str]]:
    out: dict[str, tuple[str, str, str]] = {}
    for line in data_lines("oked.tsv"):
        num, ru, kk, en = line.split("|")
        section = next(s for s, lo, hi in _SECTION_RANGES if lo <= int(num) <= hi)
        out[f"{section}{num}"] = (ru, kk, en)
    return out


@lru_cache(maxsize=1)
def _countries() -> dict[str, tuple[str, str, str]]:
    out: dict[str, tuple[str, str, str]] = {}
    for line in data_lines("countries.txt"):
        code, rest = line.split(":", 1)
        parts = [p.split(",")[0].strip() for p in rest.split("|")]
        out[code] = (parts[0], parts[3], _COUNTRY_EN.get(code, code))
    out["KZ"] = ("Казахстан", "Қазақстан", "Kazakhstan")
    return out


def _ascii(name: str) -> str:
    out = "".join(KAZ_ASCII.get(c.lower(), c.lower()) for c in name)
    return " ".join(w[:1].upper() + w[1:] for w in out.split(" "))


@lru_cache(maxsize=4096)
def _region_label(code: str, lang: str) -> str:
    place = places()[1].get(code)
    if place is None:
        return code
    i = _idx(lang)
    if place.kind == "region":
        if i == 0:
            return f"{place.ru} область" if place.ru.endswith("ская") else f"область {place.ru}"
        if i == 1:
            return f"{place.kk} облысы"
        return place.en or f"{_ascii(place.kk)} Region"
    if place.code.startswith("KZ-"):  # Astana, Almaty, Shymkent
        return (place.ru, place.kk, place.en or _ascii(place.kk))[i]
    if place.kind == "city":
        return (f"г. {place.ru}", f"{place.kk} қаласы", f"{_ascii(place.kk)} (city)")[i]
    if i == 0:
        return f"{place.ru} район" if place.ru.endswith(("ский", "цкий")) else f"район {place.ru}"
    if i == 1:
        return f"{place.kk} ауданы"
    return f"{_ascii(place.kk)} District"


def label(facet: str, code: str, lang: str) -> str:
    """The name of `code` in the UI language `lang` (ru, kk, en); the code itself when unknown."""
    i = _idx(lang)
    if facet == "region":
        return _region_label(code, lang)
    if facet == "sector":
        if code in SECTIONS:
            return SECTIONS[code][i]
        names = _divisions().get(code)
        return names[i] if names else code
    if facet == "country":
        names = _countries().get(code)
        return names[i] if names else code
    if facet == "lang":
        names = _LANG_NAMES.get(code)
        return names[i] if names else code
    return code


def parent(facet: str, code: str) -> str | None:
    """The code one level up: a district's KZ-xx region, a division's section letter; None at the top."""
    if facet == "region":
        if code.startswith("KZ-"):
            return None
        place = places()[1].get(code)
        return place.region if place else None
    if facet == "sector":
        return code[0] if len(code) > 1 and code in _divisions() else None
    return None


@lru_cache(maxsize=256)
def _children(facet: str, code: str | None) -> tuple[str, ...]:
    if facet == "region":
        every = places()[0]
        if code is None:
            return tuple(sorted({p.region for p in every}))
        return tuple(p.code for p in every if p.region == code and p.kind in ("district", "city") and p.code != code)
    if facet == "sector":
        if code is None:
            return tuple(SECTIONS)
        return tuple(c for c in _divisions() if c[0] == code)
    if facet == "country" and code is None:
        return tuple(sorted(c for c in _countries() if c != "KZ"))
    if facet == "lang" and code is None:
        return tuple(_LANG_NAMES)
    return ()


def children(facet: str, code: str | None = None) -> list[str]:
    """The codes one level below `code` (None: the top level), for the UI's facet trees."""
    return list(_children(facet, code))
