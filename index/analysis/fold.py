"""Fold every way people write Kazakh and Russian to one Latin-ish search skeleton.

Users type Kazakh on a Russian keyboard (аймак for аймақ), in the 2018 acute Latin alphabet (aımaq,
ortalyǵynda), in the 2021 Latin alphabet (aimağy, industrialdy) or in plain ASCII (aimaq). Latin to Cyrillic
is lossy (ı/i and u/ý are ambiguous), so rather than restoring Cyrillic we fold all of them, and the indexed
text, to one skeleton in which the letters that people confuse coincide: ә/а/á/ä -> a, қ/q/k -> k,
ғ/ǵ/ğ/g -> g, ң/ń/ñ/n -> n, ө/ó/ö/o -> o, ұ/ү/у/ú/ü/ū/ý/u -> u, і/и/й/ı/i/İ -> i, ы/y -> y, һ/х/h -> h,
ш/ş/sh -> sh, ж/zh/j -> j, ц/c/ts -> ts, ё/е -> e. `index.analysis` puts it in the folded search fields,
where the Kazakh stemmer's folded variant (`index.analysis.kazakh.stem_folded`) then joins inflected forms.

Python's `str.lower()` is not used on Latin input: "İ".lower() gives two code points and "I".lower() gives a
dotted i, where Kazakh Latin means ı. Every letter is mapped explicitly, both cases, after NFC.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

__all__ = ["fold", "fold_word"]

_CYRILLIC = {
    "а": "a",
    "ә": "a",
    "б": "b",
    "в": "v",
    "г": "g",
    "ғ": "g",
    "д": "d",
    "е": "e",
    "ё": "e",
    "ж": "j",
    "з": "z",
    "и": "i",
    "й": "i",
    "і": "i",
    "к": "k",
    "қ": "k",
    "л": "l",
    "м": "m",
    "н": "n",
    "ң": "n",
    "о": "o",
    "ө": "o",
    "п": "p",
    "р": "r",
    "с": "s",
    "т": "t",
    "у": "u",
    "ұ": "u",
    "ү": "u",
    "ф": "f",
    "х": "h",
    "һ": "h",
    "ц": "ts",
    "ч": "ch",
    "ш": "sh",
    "щ": "sh",
    "ъ": "",
    "ы": "y",
    "ь": "",
    "э": "e",
    "ю": "iu",
    "я": "ia",
}
_LATIN = {
    "á": "a",
    "ä": "a",
    "à": "a",
    "â": "a",
    "ǵ": "g",
    "ğ": "g",
    "ı": "i",
    "i": "i",
    "í": "i",
    "ì": "i",
    "î": "i",
    "ï": "i",
    "ń": "n",
    "ñ": "n",
    "ó": "o",
    "ö": "o",
    "ò": "o",
    "ô": "o",
    "ú": "u",
    "ü": "u",
    "ū": "u",
    "ù": "u",
    "û": "u",
    "ý": "u",  # 2018: ý is у
    "ş": "sh",
    "ș": "sh",
    "ç": "ch",
    "q": "k",
    "w": "u",  # the 2018 draft and some transliterations write у as w
    "é": "e",
    "è": "e",
    "ê": "e",
    "ë": "e",
}


def _table() -> dict[int, str]:
    table: dict[int, str] = {}
    for mapping in (_CYRILLIC, _LATIN):
        for low, out in mapping.items():
            table[ord(low)] = out
            upper = low.upper()
            if len(upper) == 1:
                table[ord(upper)] = out
    for code in range(ord("a"), ord("z") + 1):
        table.setdefault(code, chr(code))
        table.setdefault(code - 32, chr(code))
    # The Kazakh Latin capitals: İ is i; I (dotless in Kazakh Latin) is ı, which folds to i as well.
    table[ord("İ")] = "i"
    table[ord("I")] = "i"
    table[ord("Ý")] = "u"
    table[ord("Q")] = "k"
    table[ord("W")] = "u"
    return table


_TABLE = _table()
_LONE_C = re.compile(r"c(?!h)")


@lru_cache(maxsize=200_000)
def fold_word(word: str) -> str:
    """The skeleton of one word (no spaces). Letters outside the table pass lowercased; marks are dropped."""
    word = unicodedata.normalize("NFC", word)
    out = word.translate(_TABLE)
    if not out.isascii():
        # Letters we do not map (other scripts, rare diacritics): strip combining marks, lowercase the rest.
        decomposed = unicodedata.normalize("NFD", out)
        out = "".join(ch for ch in decomposed if not unicodedata.combining(ch)).translate(_TABLE).lower()
    # Digraphs of ASCII typists: zh is ж (Zhezkazgan = Jezqazǵan), kh is х.
    if "zh" in out:
        out = out.replace("zh", "j")
    if "kh" in out:
        out = out.replace("kh", "h")
    # A Latin c outside ch is ц as ASCII typists write it (ferrosilicii = ферросилиций = ferrosilitsii).
    if "c" in out:
        out = _LONE_C.sub("ts", out)
    return out


def fold(text: str) -> str:
    """Fold a whole text word by word (spaces and punctuation are kept)."""
    return " ".join(fold_word(part) for part in text.split(" "))
