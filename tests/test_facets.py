"""Facets of text: regions, sectors, partner countries, with their evidence spans, labels and trees, bad input."""

from __future__ import annotations

import io
import json
import sys
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from index.facets import extract_facts
from index.facets.labels import children, label, parent
from index.models import Facts


def regions(text: str, title: str = "") -> list[str]:
    return [c for c in extract_facts(text, lang="ru", title=title).regions if c.startswith("KZ-")]


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("Завод построят в Туркестанской области.", "KZ-61"),
        ("Делегация приехала в Карагандинскую область.", "KZ-35"),
        ("Хлопок убирают в Мактааральском районе.", "KZ-61"),
        ("Түркістан облысында зауыт ашылды.", "KZ-61"),
        ("Алматының әкімі мәлімдеді.", "KZ-75"),
        ("Қарағанды облысының шаруалары жиналды.", "KZ-35"),
        ("Так было в Южно-Казахстанской области.", "KZ-61"),
        ("Форум прошёл в Нур-Султане.", "KZ-71"),
        ("Форум прошёл в Астане.", "KZ-71"),
        ("Завод в Усть-Каменогорске расширят.", "KZ-63"),
        ("Өскемен тұрғындары жиналды.", "KZ-63"),
        ("Жители Семея собрались.", "KZ-10"),
        ("В Семипалатинске открыли музей.", "KZ-10"),
        ("Абай облысында мектеп салынады.", "KZ-10"),
        ("Жетісу облысында жаңбыр жауды.", "KZ-33"),
        ("Ұлытау облысында кен ашылды.", "KZ-62"),
        ("В Балхаше открыли цех.", "KZ-35"),
        ("Шымкентте жол салынды.", "KZ-79"),
        ("Цены в ВКО выросли.", "KZ-63"),
        ("ШҚО-да бағалар өсті.", "KZ-63"),
        ("Карагандинские шахтёры вышли на смену.", "KZ-35"),
        ("Шымкенттік кәсіпкерлер жиналды.", "KZ-79"),
        ("Batys Qazaqstan oblysynda jańa zaýyt ashyldy.", "KZ-27"),
        ("Almatyda jıyn ótti.", "KZ-75"),
        ("В поселке Мырзакент открыли школу.", "KZ-61"),
        ("Сатпаев қаласында аурухана салынады.", "KZ-62"),
    ],
)
def test_region_forms(text: str, code: str) -> None:
    assert regions(text) == [code]


def test_district_sets_its_region() -> None:
    facts = extract_facts("Хлопок убирают в Мактааральском районе.", lang="ru")
    assert facts.regions == ["KZ-61", "614400000"]
    assert parent("region", "614400000") == "KZ-61"
    span = next(e for e in facts.evidence if e.code == "614400000").spans[0]
    assert span.text == "Мактааральском"


def test_ambiguous_district_settled_by_the_region_named() -> None:
    # three regions have an Abai district; the article names Shymkent
    assert extract_facts("Школу открыли в Абайском районе Шымкента.", lang="ru").regions == ["KZ-79", "791110000"]
    assert extract_facts("Жамбыл ауданында егін орылды.", lang="kk").regions == []


@pytest.mark.parametrize(
    "text",
    [
        "Алматы Серикова рассказала о себе.",
        "Писатель Мухтар Алматов представил роман.",
        "Дилерский центр «Астана Моторс» продал машины.",
        "Дилер Астана Моторс снизил цены.",
        "Казахстан наращивает экспорт.",
        "Абай Құнанбаев туралы кітап шықты.",
        "Бала Абайдан үлгі алды.",
        "Есіктері жабылмайды.",
        "Жақсыдан үлгі ал.",
    ],
)
def test_region_traps(text: str) -> None:
    assert regions(text) == []


def test_byline_is_weaker_than_the_story() -> None:
    text = "Марат Ахметов, корреспондент по Туркестанской области. В Шымкенте открыли школу."
    assert regions(text) == ["KZ-79"]
    text = "Түркістан облысы бойынша меншікті тілші. Алматыда жиын өтті."
    assert regions(text) == ["KZ-75"]


def test_article_keeps_its_own_regions_not_passing_mentions() -> None:
    story = "В Семее открыли кардиоцентр на двести коек. " * 14
    text = story + "Раньше пациенты ездили на операции в Астану."
    assert regions(text) == ["KZ-10"]
    # in a short paragraph both count
    assert regions("Аким Карагандинской области сказал, что в Сатпаеве построят больницу.") == ["KZ-35", "KZ-62"]


def test_title_weighs_more() -> None:
    facts = extract_facts("Завод откроется в следующем году.", lang="ru", title="В Павлодаре построят завод")
    assert facts.regions[:1] == ["KZ-55"]


@pytest.mark.parametrize(
    ("text", "codes"),
    [
        ("Металлургический комбинат выплавил сталь, прокат ушёл на экспорт.", ["C", "C24"]),
        ("Болат балқыту зауыты металлургия саласындағы ең ірі кәсіпорын.", ["C", "C24"]),
        ("Фермеры собрали урожай пшеницы.", ["A", "A01"]),
        ("Көмір өндіру артты, шахтада жаңа техника.", ["B", "B05"]),
        ("Цементный завод выпустил миллион тонн цемента.", ["C", "C23"]),
        ("Фармацевтический завод наладит выпуск лекарств.", ["C", "C21"]),
        ("Жел электр стансасы іске қосылды, энергетика саласы дамиды.", ["D", "D35"]),
        ("Ремонт автодороги и моста завершат к осени.", ["F", "F42"]),
        ("Темір жол арқылы жүк тасымалы өсті, теміржолшылар жаңа пойыз алды.", ["H", "H49"]),
    ],
)
def test_sector_lexicon(text: str, codes: list[str]) -> None:
    assert extract_facts(text, lang="ru").sectors == codes


def test_sector_in_passing_is_not_the_sector() -> None:
    text = ("Металлургический комбинат увеличил выпуск стали. " * 4) + "Кредит выдал местный банк."
    assert extract_facts(text, lang="ru").sectors == ["C", "C24"]
    # "болатын" (will be) is a verb, not steel; "Малые" is not livestock
    assert extract_facts("Жаңа мектеп салынатын болатын.", lang="kk").sectors != ["C", "C24"]
    assert "A" not in extract_facts("Малые ГЭС дадут электроэнергию.", lang="ru").sectors


_FERROALLOY = {
    "ru": "Ферросплавный завод под Аксу начал выплавку ферросилиция. Сырьё металлургическое предприятие берёт "
    "рядом: уголь везут с угольного разреза в двадцати километрах, кварцит добывают в карьере, а руду покупают у "
    "соседей. Металлурги планируют выпускать 200 тысяч тонн ферросплавов в год, сталеплавильные заводы Китая уже "
    "подписали контракты на поставку металла.",
    "kk": "Ақсу маңындағы ферроқорытпа зауыты ферросилиций балқытуды бастады. Шикізатты металлургия кәсіпорны жақын "
    "жерден алады: көмірді жиырма шақырымдағы көмір разрезінен тасиды, кварцитті карьерден өндіреді, кенді "
    "көршілерден сатып алады. Металлургтер жылына 200 мың тонна ферроқорытпа шығаруды жоспарлап отыр, Қытайдың "
    "болат балқыту зауыттары металл жеткізуге келісімшарт жасасты.",
}


@pytest.mark.parametrize("lang", ["ru", "kk"])
def test_a_plants_raw_material_is_not_its_sector(lang: str) -> None:
    # coal and ore named as the ferroalloy plant's supplies: metallurgy only, with or without a title
    assert extract_facts(_FERROALLOY[lang], lang=lang).sectors == ["C", "C24"]
    assert extract_facts(_FERROALLOY[lang], lang=lang, title="Ферросплавный завод").sectors == ["C", "C24"]
    # a title that names the mine as well keeps it
    both = extract_facts(_FERROALLOY[lang], lang=lang, title="Угольный разрез и ферросплавный завод").sectors
    assert "C24" in both and "B05" in both


@pytest.mark.parametrize(
    ("text", "codes"),
    [
        ("Китай вложит деньги.", ["CN"]),
        ("Китайская компания построит завод.", ["CN"]),
        ("Приехали представители китайских инвесторов.", ["CN"]),
        ("Қытай инвесторлары келді.", ["CN"]),
        ("Қытайлық серіктестер қол қойды.", ["CN"]),
        ("Жапондықтар жабдық жеткізеді.", ["JP"]),
        ("Ресейліктер бөлшек жеткізеді.", ["RU"]),
        ("Узбекистан подписал соглашение.", ["UZ"]),
        ("Узбекский производитель откроет фабрику.", ["UZ"]),
        ("Компания из Южной Кореи пришла в регион.", ["KR"]),
        ("Делегация Северной Кореи не приехала.", ["KP"]),
        ("Корея поставит оборудование.", ["KR"]),
    ],
)
def test_countries(text: str, codes: list[str]) -> None:
    assert extract_facts(text, lang="ru").countries == codes


@pytest.mark.parametrize(
    "text",
    [
        "Цена 100 долларов США.",
        "Бағасы 300 млн АҚШ доллары.",
        "Цена 5 млн российских рублей.",
        "Турецкий кофе подают в кафе.",
        "Китайский язык учат в школе.",
        "Қытай тілі курстары ашылды.",
        "Казахстан наращивает экспорт.",
        "Сауда орталығы ашылды, қатар тұрған дүкендер жабылды.",
        "Русский язык и орыс тілі.",
    ],
)
def test_country_traps(text: str) -> None:
    assert extract_facts(text, lang="ru").countries == []


def test_evidence_spans_point_into_the_text() -> None:
    text = "В Туркестанской области китайская компания построит металлургический завод за 120 млрд тенге."
    facts = extract_facts(text, lang="ru", published="2025-02-11")
    assert facts.regions == ["KZ-61"] and facts.countries == ["CN"] and facts.sectors[:1] == ["C"]
    assert [(a.value, a.currency) for a in facts.amounts] == [(120e9, "KZT")]
    facets = {e.facet for e in facts.evidence}
    assert {"region", "sector", "country", "amount"} <= facets
    for e in facts.evidence:
        for span in e.spans:
            assert text[span.start : span.end] == span.text


def test_labels_and_trees() -> None:
    assert label("region", "KZ-61", "ru") == "Туркестанская область"
    assert label("region", "KZ-61", "kk") == "Түркістан облысы"
    assert label("region", "KZ-61", "en") == "Turkistan Region"
    assert label("region", "KZ-10", "ru") == "область Абай"
    assert label("region", "614400000", "ru") == "Мактааральский район"
    assert label("region", "614400000", "kk") == "Мақтаарал ауданы"
    assert label("sector", "C24", "ru") == "Металлургическая промышленность"
    assert label("sector", "C", "en") == "Manufacturing"
    assert label("country", "CN", "kk") == "Қытай"
    assert label("lang", "kk", "en") == "Kazakh"
    assert label("sector", "Z99", "ru") == "Z99"  # unknown: the code itself
    assert parent("sector", "C24") == "C"
    assert parent("sector", "C") is None
    assert parent("region", "KZ-61") is None
    assert "C24" in children("sector", "C")
    assert len(children("sector")) == 21
    assert len(children("region")) == 20
    assert "614400000" in children("region", "KZ-61")
    assert all(parent("region", c) == "KZ-79" for c in children("region", "KZ-79"))


@pytest.mark.parametrize(
    "text",
    [
        "",
        "   \n\n ",
        "Plain English text with no Cyrillic at all, 100 dollars and 5 million.",
        "x" * 1_000_000,
        "Шымкент " * 150_000,
        "\x00\x01\ufffd" * 1000,
    ],
)
def test_bad_input_is_bounded(text: str) -> None:
    facts = extract_facts(text)
    assert isinstance(facts, Facts)
    assert len(facts.evidence) < 200
    assert all(len(e.spans) <= 20 for e in facts.evidence)


@settings(max_examples=40, deadline=None)
@given(st.text(max_size=400))
def test_any_text_gives_facts(text: str) -> None:
    facts = extract_facts(text, lang="ru")
    for e in facts.evidence:
        for span in e.spans:
            assert 0 <= span.start <= span.end <= len(text)


def _run_cli(args: list[str], stdin: str = "", monkeypatch: pytest.MonkeyPatch | None = None) -> tuple[int, str, str]:
    from searchapp.cli import main

    out, err = io.StringIO(), io.StringIO()
    old = sys.stdin, sys.stdout, sys.stderr
    sys.stdin, sys.stdout, sys.stderr = io.StringIO(stdin), out, err
    try:
        code = main(args)
    finally:
        sys.stdin, sys.stdout, sys.stderr = old
    return code, out.getvalue(), err.getvalue()


def test_analyze_plain_text(tmp_path: Path) -> None:
    path = tmp_path / "a.txt"
    path.write_text("В Шымкенте китайская компания вложит $160 млн в цементный завод. Цемент пойдёт на стройки.")
    code, out, _err = _run_cli(["analyze", str(path), "--data", str(tmp_path)])
    assert code == 0
    record = json.loads(out)
    assert record["lang"] == "ru"
    assert record["regions"] == ["KZ-79"]
    assert record["countries"] == ["CN"]
    assert record["sectors"][:2] == ["C", "C23"]
    assert record["amounts"] == [
        {"value": 160e6, "currency": "USD", "kzt": record["amounts"][0]["kzt"], "text": "$160 млн"}
    ]
    assert {"facet", "code", "spans", "score"} <= set(record["evidence"][0])


def test_analyze_jsonl_in_order_with_published(tmp_path: Path) -> None:
    lines = [
        json.dumps({"text": "Қарағанды облысында 5 млрд теңге бөлінді", "published": "2016-05-01"}),
        "",
        json.dumps({"text": "Инвестор вложит $10 млн", "published": "2016-05-01"}),
        json.dumps({"text": "Инвестор вложит $10 млн"}),
    ]
    code, out, _err = _run_cli(["analyze", "--jsonl", "-", "--data", str(tmp_path)], "\n".join(lines) + "\n")
    assert code == 0
    rows = [json.loads(line) for line in out.splitlines()]
    assert [r["regions"] for r in rows] == [["KZ-35"], [], []]
    assert rows[0]["published"] == "2016-05-01"
    assert rows[1]["amounts"][0]["kzt"] != rows[2]["amounts"][0]["kzt"]  # the rate of the article's year


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ("{bad json", "line 2: not valid JSON"),
        ('{"title": "x"}', "line 2: expected a JSON object"),
        ("[1, 2]", "line 2"),
    ],
)
def test_analyze_bad_line_names_it(tmp_path: Path, line: str, message: str) -> None:
    stdin = json.dumps({"text": "Шымкент"}) + "\n" + line + "\n"
    code, out, err = _run_cli(["analyze", "--jsonl", "-", "--data", str(tmp_path)], stdin)
    assert code == 1
    assert message in err and "Traceback" not in err
    assert len(out.splitlines()) == 1  # the good line before it was written


def test_analyze_missing_file(tmp_path: Path) -> None:
    code, _out, err = _run_cli(["analyze", str(tmp_path / "nope.txt"), "--data", str(tmp_path)])
    assert code == 1 and "no such file" in err


def test_latin_kazakh() -> None:
    facts = extract_facts(
        "Qytaılyq ınvestorlar Túrkistan oblysynda bolat zaýytyn salady. Metallýrgııa kásiporny ashylady."
    )
    assert facts.lang == "kk"
    assert facts.regions == ["KZ-61"] and facts.countries == ["CN"] and facts.sectors == ["C", "C24"]
    assert extract_facts("Qazaq maıy Estonııaǵa 5 mln dollar kóleminde jetkiziledi").countries == ["EE"]


def test_agency_dateline_is_not_the_story() -> None:
    assert regions("АСТАНА. КАЗИНФОРМ — Иран предупредил соседей.") == []
    assert extract_facts("Iran eskertti ASTANA. KAZINFORM – Iran tóńiregindegi jaǵdaı").regions == []


def test_rivers_and_common_words_are_not_districts() -> None:
    assert extract_facts("Мұнда мөңке, тұқы, қарабалық, шортан сынды балық түрлері бар.").regions == []
    assert extract_facts("Ол — Ертісте жүк тасымалын дамыту.").regions == []
    assert extract_facts("Ертіс ауданында егін орылды.").regions == ["KZ-55", "554600000"]
    assert regions("Алматылықтар мен шымкенттіктер жиналды.") == ["KZ-75", "KZ-79"]


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet="0129 a-\u0661", max_size=30))
def test_years_are_found_as_the_plain_look_behind_finds_them(text: str) -> None:
    """`_YEAR` puts its look-behind after the literal digits (for speed): the matches are the plain form's."""
    import re

    from index.facets import _YEAR

    plain = re.compile(r"(?<!\d)(?:19|20)\d\d(?!\d)")
    assert [m.span() for m in _YEAR.finditer(text)] == [m.span() for m in plain.finditer(text)]


# Issue 19, part 2: the sectors of real investment news. Our own sentences.
_PROJECT_LIST = (
    "В области в этом году введут пять инвестиционных проектов. В индустриальной зоне начнется выпуск автобусов. "
    "Рядом заработает предприятие по производству бытовой техники. В степи строится ветровая электростанция на "
    "50 МВт. Иностранная компания приступит к добыче медной руды. Еще один инвестор строит шинный завод. Всего "
    "будет создано 1 800 рабочих мест, а налоговые поступления в бюджет области вырастут на треть."
)


def test_each_project_of_a_list_counts() -> None:
    # five projects, each named once: each one's sector, though no sector is named three times
    sectors = extract_facts(_PROJECT_LIST, lang="ru").sectors
    assert {"C29", "C27", "D35", "B07", "C22"} <= set(sectors)
    assert "H49" not in sectors  # buses being made are manufacturing, not transport


def test_a_section_named_verbatim_counts() -> None:
    text = (
        "Новый индустриальный парк примет предприятия обрабатывающей промышленности. Резиденты будут выпускать "
        "инверторы и электрощиты. Для парка построят склады и подъездную дорогу. Развитие обрабатывающей "
        "промышленности остается приоритетом, доля обрабатывающей промышленности в экономике должна вырасти."
    )
    sectors = extract_facts(text, lang="ru").sectors
    assert sectors[:1] == ["C"] and "C27" in sectors and "H52" not in sectors
    kk = "Өңдеу өнеркәсібі кәсіпорындарына арналған парк ашылды. Өңдеу өнеркәсібін дамыту – басты міндет."
    assert extract_facts(kk, lang="kk").sectors[:1] == ["C"]


def test_a_product_named_without_its_making_is_no_manufacturing() -> None:
    # drones in a strike, fridges in a shop: no aircraft or appliance industry
    strike = "Ночью над городом сбили 30 беспилотников. Атака дронов продолжалась три часа, беспилотники летели с юга."
    assert "C30" not in extract_facts(strike, lang="ru").sectors
    made = (
        "В Караганде начнут производство беспилотников. Завод по выпуску дронов построят к осени, дроны нужны аграриям."
    )
    assert "C30" in extract_facts(made, lang="ru").sectors


def test_a_list_of_damaged_objects_is_no_list_of_projects() -> None:
    # (longer than a paragraph: in a paragraph every sector named counts)
    text = (
        "Вода в реке продолжает спадать, спасатели откачивают воду из подвалов и дворов. Паводок повредил магазины, "
        "пекарни, швейные цеха, кафе, теплицы и складские помещения. Пострадавшим выплатят компенсации, фермерам "
        "отсрочат кредиты. Комиссии акимата обходят дома и составляют акты, жители возвращаются домой. Синоптики "
        "обещают теплую погоду без дождей, уровень воды в ближайшие дни снизится еще на полметра. Волонтеры "
        "раздают питьевую воду и продукты, в школах развернуты пункты временного размещения для эвакуированных."
    )
    sectors = extract_facts(text, lang="ru").sectors
    assert "C14" not in sectors and "I56" not in sectors


def test_agriculture_of_an_agri_food_story() -> None:
    # orchards, livestock and cotton are agriculture, beside the meat plant's food processing and meat exports
    text = (
        "В области заложат 800 гектаров садов интенсивного типа, плодовые деревья высадят весной. Откормочная "
        "площадка на 3 тысячи голов скота начнет работу летом, животноводство получит новые субсидии. Посевы хлопка "
        "расширят на 10 процентов. Мясокомбинат в областном центре увеличит выпуск колбас и будет поставлять "
        "говядину на экспорт: экспорт мяса за год вырос вдвое."
    )
    sectors = extract_facts(text, lang="ru").sectors
    assert "A01" in sectors and "C10" in sectors
