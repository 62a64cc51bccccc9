"""The UI's words in Russian, Kazakh and English: one catalogue, looked up by key.

Every page, API error and terminal line that a person reads takes its words from here, in the language
chosen by `searchapp.web.ui_lang()` (a `?ui=` link, then the cookie, then Accept-Language, then the
`ui_lang` setting). A test checks that every key has all three languages.
"""

from __future__ import annotations

from typing import Any

LANGS = ("ru", "kk", "en")
NATIVE = {"ru": "Русский", "kk": "Қазақша", "en": "English"}  # each language named in itself, for the switch

CATALOGUE: dict[str, dict[str, str]] = {
    # the frame of every page
    "site_name": {"ru": "Qazaq Press Search", "kk": "Qazaq Press Search", "en": "Qazaq Press Search"},
    "tagline": {
        "ru": "Поиск по региональной прессе Казахстана",
        "kk": "Қазақстанның өңірлік баспасөзінен іздеу",
        "en": "Search the regional press of Kazakhstan",
    },
    "skip_to_results": {"ru": "К результатам", "kk": "Нәтижелерге өту", "en": "Skip to results"},
    "ui_language": {"ru": "Язык интерфейса", "kk": "Интерфейс тілі", "en": "Interface language"},
    "footer_api": {"ru": "JSON API", "kk": "JSON API", "en": "JSON API"},
    "footer_opensearch": {
        "ru": "Добавить в поиск браузера",
        "kk": "Браузер іздеуіне қосу",
        "en": "Add to the browser's search bar",
    },
    # the query box
    "search_label": {"ru": "Запрос", "kk": "Сұрау", "en": "Query"},
    "search_button": {"ru": "Найти", "kk": "Іздеу", "en": "Search"},
    "search_placeholder": {
        "ru": "например: инвестиции AND Туркестан",
        "kk": "мысалы: инвестиция AND Түркістан",
        "en": "e.g. investment AND Turkistan",
    },
    "help_title": {"ru": "Синтаксис запроса", "kk": "Сұрау синтаксисі", "en": "Query syntax"},
    "help_and": {
        "ru": "оба слова (так и по умолчанию)",
        "kk": "екі сөз де (әдепкі бойынша да солай)",
        "en": "both words (also the default)",
    },
    "help_or": {"ru": "любое из слов", "kk": "сөздің кез келгені", "en": "either word"},
    "help_not": {"ru": "без этого слова", "kk": "бұл сөзсіз", "en": "without this word"},
    "help_phrase": {"ru": "точная фраза", "kk": "нақты тіркес", "en": "exact phrase"},
    "help_prefix": {"ru": "слова с этим началом", "kk": "осылай басталатын сөздер", "en": "words starting so"},
    "help_field": {"ru": "только в заголовке", "kk": "тек тақырыпта", "en": "in the title only"},
    "help_group": {"ru": "группировка скобками", "kk": "жақшамен топтау", "en": "grouping with brackets"},
    "help_forms": {
        "ru": "Формы слов и раскладка не важны: аймағында найдёт аймақ, aimak и аймак тоже.",
        "kk": "Сөз тұлғасы мен пернетақта маңызды емес: аймағында аймақты табады, aimak пен аймак та.",
        "en": "Word forms and keyboards do not matter: аймағында finds аймақ, so do aimak and аймак.",
    },
    # sorting and the result list
    "sort_label": {"ru": "Сортировка", "kk": "Сұрыптау", "en": "Sort by"},
    "sort_relevance": {"ru": "по релевантности", "kk": "сәйкестігі бойынша", "en": "relevance"},
    "sort_date": {"ru": "сначала новые", "kk": "алдымен жаңалары", "en": "newest first"},
    "sort_date_asc": {"ru": "сначала старые", "kk": "алдымен ескілері", "en": "oldest first"},
    "sort_amount": {"ru": "по сумме", "kk": "сома бойынша", "en": "largest amount"},
    "apply": {"ru": "Применить", "kk": "Қолдану", "en": "Apply"},
    "found": {"ru": "Найдено статей: {total}", "kk": "Табылған мақала: {total}", "en": "Articles found: {total}"},
    "shown": {"ru": "показаны {first}–{last}", "kk": "{first}–{last} көрсетілген", "en": "showing {first}–{last}"},
    "no_results": {
        "ru": "Ничего не найдено. Уберите часть фильтров или упростите запрос.",
        "kk": "Ештеңе табылмады. Кейбір сүзгілерді алып тастаңыз немесе сұрауды қысқартыңыз.",
        "en": "Nothing found. Remove some filters or simplify the query.",
    },
    "empty_index": {
        "ru": "Индекс пока пуст: запустите searchapp crawl или searchapp demo.",
        "kk": "Индекс әзірге бос: searchapp crawl немесе searchapp demo іске қосыңыз.",
        "en": "The index is empty so far: run searchapp crawl or searchapp demo.",
    },
    "reprints": {
        "ru": "и ещё {n} СМИ",
        "kk": "және тағы {n} басылым",
        "en": "and {n} other outlets",
    },
    "reprints_one": {"ru": "и ещё 1 СМИ", "kk": "және тағы 1 басылым", "en": "and 1 other outlet"},
    "found_in_text": {"ru": "в тексте: «{text}»", "kk": "мәтінде: «{text}»", "en": "in the text: “{text}”"},
    "no_date": {"ru": "без даты", "kk": "күні жоқ", "en": "no date"},
    "untitled": {"ru": "(без заголовка)", "kk": "(тақырыпсыз)", "en": "(untitled)"},
    # facets
    "filters": {"ru": "Фильтры", "kk": "Сүзгілер", "en": "Filters"},
    "facet_region": {"ru": "Регион", "kk": "Өңір", "en": "Region"},
    "facet_sector": {"ru": "Отрасль (ОКЭД)", "kk": "Сала (ЭҚЖЖ)", "en": "Sector (OKED)"},
    "facet_country": {"ru": "Страна-партнёр", "kk": "Серіктес ел", "en": "Partner country"},
    "facet_lang": {"ru": "Язык", "kk": "Тіл", "en": "Language"},
    "facet_source": {"ru": "Издание", "kk": "Басылым", "en": "Outlet"},
    "facet_year": {"ru": "Год", "kk": "Жыл", "en": "Year"},
    "facet_amount": {"ru": "Сумма, ₸", "kk": "Сома, ₸", "en": "Amount, ₸"},
    "facet_date": {"ru": "Период", "kk": "Кезең", "en": "Period"},
    "facet_more": {"ru": "Ещё {n}", "kk": "Тағы {n}", "en": "{n} more"},
    "facet_empty": {"ru": "нет значений", "kk": "мән жоқ", "en": "no values"},
    "amount_from": {"ru": "От, ₸", "kk": "Бастап, ₸", "en": "From, ₸"},
    "amount_to": {"ru": "До, ₸", "kk": "Дейін, ₸", "en": "To, ₸"},
    "amount_over": {"ru": "свыше {amount} ₸", "kk": "{amount} ₸ астам", "en": "over {amount} ₸"},
    "amount_between": {"ru": "{low} – {high} ₸", "kk": "{low} – {high} ₸", "en": "{low} – {high} ₸"},
    "amount_under": {"ru": "до {amount} ₸", "kk": "{amount} ₸ дейін", "en": "up to {amount} ₸"},
    "unit_million": {"ru": "млн", "kk": "млн", "en": "million"},
    "unit_billion": {"ru": "млрд", "kk": "млрд", "en": "billion"},
    "unit_trillion": {"ru": "трлн", "kk": "трлн", "en": "trillion"},
    "date_from": {"ru": "С даты", "kk": "Басталу күні", "en": "From date"},
    "date_to": {"ru": "По дату", "kk": "Аяқталу күні", "en": "To date"},
    "date_since": {"ru": "с {date}", "kk": "{date} бастап", "en": "from {date}"},
    "date_until": {"ru": "по {date}", "kk": "{date} дейін", "en": "until {date}"},
    "active_filters": {"ru": "Активные фильтры", "kk": "Белсенді сүзгілер", "en": "Active filters"},
    "remove_filter": {
        "ru": "Убрать фильтр: {name}",
        "kk": "Сүзгіні алып тастау: {name}",
        "en": "Remove filter: {name}",
    },
    "clear_all": {"ru": "Сбросить всё", "kk": "Барлығын тазалау", "en": "Clear all"},
    "query_chip": {"ru": "запрос: {q}", "kk": "сұрау: {q}", "en": "query: {q}"},
    "year_chart": {
        "ru": "Статьи по годам; нажмите на год, чтобы отфильтровать",
        "kk": "Жылдар бойынша мақалалар; сүзу үшін жылды басыңыз",
        "en": "Articles per year; click a year to filter",
    },
    "lang_kk": {"ru": "казахский", "kk": "қазақша", "en": "Kazakh"},
    "lang_ru": {"ru": "русский", "kk": "орысша", "en": "Russian"},
    "lang_en": {"ru": "английский", "kk": "ағылшынша", "en": "English"},
    # the other languages crawler.langid names (indexed with the neutral analyzer)
    "lang_uk": {"ru": "украинский", "kk": "украинша", "en": "Ukrainian"},
    "lang_be": {"ru": "белорусский", "kk": "беларусша", "en": "Belarusian"},
    "lang_bg": {"ru": "болгарский", "kk": "болгарша", "en": "Bulgarian"},
    "lang_sr": {"ru": "сербский", "kk": "сербше", "en": "Serbian"},
    "lang_mk": {"ru": "македонский", "kk": "македонша", "en": "Macedonian"},
    "lang_mn": {"ru": "монгольский", "kk": "моңғолша", "en": "Mongolian"},
    "lang_ky": {"ru": "киргизский", "kk": "қырғызша", "en": "Kyrgyz"},
    "lang_tt": {"ru": "татарский", "kk": "татарша", "en": "Tatar"},
    "lang_ba": {"ru": "башкирский", "kk": "башқұртша", "en": "Bashkir"},
    "lang_uz": {"ru": "узбекский", "kk": "өзбекше", "en": "Uzbek"},
    "lang_tg": {"ru": "таджикский", "kk": "тәжікше", "en": "Tajik"},
    "lang_tr": {"ru": "турецкий", "kk": "түрікше", "en": "Turkish"},
    "lang_az": {"ru": "азербайджанский", "kk": "әзербайжанша", "en": "Azerbaijani"},
    "lang_tk": {"ru": "туркменский", "kk": "түрікменше", "en": "Turkmen"},
    "lang_ug": {"ru": "уйгурский", "kk": "ұйғырша", "en": "Uyghur"},
    "lang_de": {"ru": "немецкий", "kk": "немісше", "en": "German"},
    "lang_fr": {"ru": "французский", "kk": "французша", "en": "French"},
    "lang_es": {"ru": "испанский", "kk": "испанша", "en": "Spanish"},
    "lang_it": {"ru": "итальянский", "kk": "итальянша", "en": "Italian"},
    "lang_pl": {"ru": "польский", "kk": "полякша", "en": "Polish"},
    "lang_zh": {"ru": "китайский", "kk": "қытайша", "en": "Chinese"},
    "lang_ko": {"ru": "корейский", "kk": "корейше", "en": "Korean"},
    "lang_ja": {"ru": "японский", "kk": "жапонша", "en": "Japanese"},
    "lang_ar": {"ru": "арабский", "kk": "арабша", "en": "Arabic"},
    "lang_fa": {"ru": "персидский", "kk": "парсыша", "en": "Persian"},
    "lang_unknown": {"ru": "язык не определён", "kk": "тілі анықталмаған", "en": "language unknown"},
    "badge_kk": {"ru": "ҚАЗ", "kk": "ҚАЗ", "en": "KK"},
    "badge_ru": {"ru": "РУС", "kk": "ОРЫС", "en": "RU"},
    "badge_en": {"ru": "АНГЛ", "kk": "АҒЫЛ", "en": "EN"},
    # attention over time
    "attention_title": {"ru": "Внимание во времени", "kk": "Уақыт бойынша назар", "en": "Attention over time"},
    "attention_desc": {
        # the chart counts every publication, reprints too, so it can sum to more than "articles found"
        "ru": "Публикаций в месяц, с перепечатками в других СМИ",
        "kk": "Айына жарияланым саны, басқа басылымдардағы көшірмелерімен",
        "en": "Publications per month, reprints in other outlets included",
    },
    "split_by": {"ru": "Разбивка:", "kk": "Бөлу:", "en": "Split by:"},
    "split_lang": {"ru": "по языку", "kk": "тіл бойынша", "en": "language"},
    "split_region": {"ru": "по региону", "kk": "өңір бойынша", "en": "region"},
    "chart_other": {"ru": "прочие", "kk": "басқалары", "en": "other"},
    "chart_none": {"ru": "не указан", "kk": "көрсетілмеген", "en": "none"},
    "chart_table": {"ru": "Таблица", "kk": "Кесте", "en": "Table"},
    "chart_month": {"ru": "Месяц", "kk": "Ай", "en": "Month"},
    "chart_bar": {
        "ru": "{month}: {label} — {count}",
        "kk": "{month}: {label} — {count}",
        "en": "{month}: {label}: {count}",
    },
    # export and pagination
    "export": {"ru": "Экспорт", "kk": "Экспорт", "en": "Export"},
    "export_note": {
        "ru": "все найденные статьи со всеми фасетами, до {limit} строк",
        "kk": "барлық табылған мақала барлық фасетімен, {limit} жолға дейін",
        "en": "every match with all facet fields, up to {limit} rows",
    },
    "feed_note": {
        "ru": "Лента новых статей по этому поиску",
        "kk": "Осы іздеу бойынша жаңа мақалалар арнасы",
        "en": "A feed of new articles matching this search",
    },
    "notice_any": {
        "ru": "Ни в одной статье нет всех слов сразу; показаны статьи с любым из них.",
        "kk": "Барлық сөз бірге кездесетін мақала жоқ; олардың кез келгені бар мақалалар көрсетілген.",
        "en": "No article has all of the words; showing articles with any of them.",
    },
    "notice_syntax": {
        "ru": "В запросе ошибка синтаксиса ({problem}); искали как простые слова.",
        "kk": "Сұрауда синтаксис қатесі бар ({problem}); қарапайым сөздер ретінде ізделді.",
        "en": "The query has a syntax error ({problem}); it was searched as plain words.",
    },
    "problem_quotes": {"ru": "непарные кавычки", "kk": "тырнақша жұбы жоқ", "en": "unbalanced quotes"},
    "problem_parens": {"ru": "непарные скобки", "kk": "жақша жұбы жоқ", "en": "unbalanced parentheses"},
    "problem_no_words": {"ru": "нет слов", "kk": "сөз жоқ", "en": "no words"},
    "problem_field": {"ru": "поле без значения", "kk": "мәні жоқ өріс", "en": "a field without a value"},
    "problem_unreadable": {
        "ru": "его не удалось разобрать",
        "kk": "оны талдау мүмкін болмады",
        "en": "it could not be read",
    },
    "problem_after": {
        "ru": "{token} без слова после него",
        "kk": "{token} кейін сөз жоқ",
        "en": "{token} without a word after it",
    },
    "problem_before": {
        "ru": "{token} без слова перед ним",
        "kk": "{token} алдында сөз жоқ",
        "en": "{token} without a word before it",
    },
    "problem_followed": {
        "ru": "{token}, а за ним {other}",
        "kk": "{token} кейін {other} тұр",
        "en": "{token} followed by {other}",
    },
    "pagination": {"ru": "Страницы", "kk": "Беттер", "en": "Pages"},
    "page_prev": {"ru": "← Назад", "kk": "← Артқа", "en": "← Previous"},
    "page_next": {"ru": "Вперёд →", "kk": "Алға →", "en": "Next →"},
    "page_n": {"ru": "Страница {n}", "kk": "{n}-бет", "en": "Page {n}"},
    "save_title": {
        "ru": "Следить за этим поиском (RSS/Atom)",
        "kk": "Осы іздеуді бақылау (RSS/Atom)",
        "en": "Follow this search (RSS/Atom)",
    },
    "save_name": {"ru": "Название", "kk": "Атауы", "en": "Name"},
    "save_button": {"ru": "Сохранить и получить ленту", "kk": "Сақтап, арна алу", "en": "Save and get a feed"},
    # the article page
    "back_to_search": {"ru": "← К поиску", "kk": "← Іздеуге оралу", "en": "← Back to search"},
    "published": {"ru": "Опубликовано", "kk": "Жарияланды", "en": "Published"},
    "outlet": {"ru": "Издание", "kk": "Басылым", "en": "Outlet"},
    "authors": {"ru": "Авторы", "kk": "Авторлар", "en": "Authors"},
    "fetched": {"ru": "Сохранено", "kk": "Сақталды", "en": "Archived"},
    "language": {"ru": "Язык", "kk": "Тіл", "en": "Language"},
    "original_url": {
        "ru": "Оригинал на сайте издания",
        "kk": "Басылым сайтындағы түпнұсқа",
        "en": "Original on the outlet's site",
    },
    "archived_copy": {"ru": "Архивная копия", "kk": "Мұрағаттағы көшірме", "en": "Archived copy"},
    "archived_open": {
        "ru": "Открыть архивную копию отдельно",
        "kk": "Мұрағат көшірмесін бөлек ашу",
        "en": "Open the archived copy on its own",
    },
    "archived_note": {
        "ru": "Страница такой, какой её получил краулер; скрипты отключены.",
        "kk": "Бет краулер алған күйінде; скрипттер өшірілген.",
        "en": "The page as the crawler received it; scripts are switched off.",
    },
    "no_archive": {"ru": "Архивной копии нет.", "kk": "Мұрағат көшірмесі жоқ.", "en": "No archived copy."},
    "facts_title": {"ru": "Извлечённые факты", "kk": "Алынған деректер", "en": "Extracted facts"},
    "facts_note": {
        "ru": "Подсвеченные фрагменты текста — основания для каждого факта.",
        "kk": "Мәтіндегі белгіленген үзінділер — әр деректің негізі.",
        "en": "The highlighted phrases in the text are the evidence for each fact.",
    },
    "facts_none": {"ru": "Фактов не найдено.", "kk": "Дерек табылмады.", "en": "No facts found."},
    "amounts": {"ru": "Суммы", "kk": "Сомалар", "en": "Amounts"},
    "text_title": {"ru": "Текст статьи", "kk": "Мақала мәтіні", "en": "Article text"},
    "more_like_this": {"ru": "Похожие статьи", "kk": "Ұқсас мақалалар", "en": "More like this"},
    "also_published": {
        "ru": "Та же статья в других СМИ",
        "kk": "Басқа басылымдардағы осы мақала",
        "en": "Also published by",
    },
    "api_record": {"ru": "Запись в JSON", "kk": "JSON жазбасы", "en": "JSON record"},
    # errors
    "error_title": {"ru": "Ошибка", "kk": "Қате", "en": "Error"},
    "not_found": {"ru": "Такой страницы нет.", "kk": "Мұндай бет жоқ.", "en": "There is no such page."},
    "article_not_found": {
        "ru": "Статьи с таким идентификатором нет.",
        "kk": "Мұндай идентификаторы бар мақала жоқ.",
        "en": "There is no article with this id.",
    },
    "archive_not_found": {
        "ru": "Архивной копии этой статьи нет.",
        "kk": "Бұл мақаланың мұрағат көшірмесі жоқ.",
        "en": "This article has no archived copy.",
    },
    "method_not_allowed": {
        "ru": "Этот метод здесь не поддерживается.",
        "kk": "Бұл әдіс мұнда қолданылмайды.",
        "en": "This method is not allowed here.",
    },
    "bad_request": {"ru": "Неверный запрос.", "kk": "Сұрау дұрыс емес.", "en": "Bad request."},
    "too_large": {
        "ru": "Тело запроса слишком велико.",
        "kk": "Сұрау денесі тым үлкен.",
        "en": "The request body is too large.",
    },
    "internal_error": {
        "ru": "На нашей стороне что-то пошло не так; ошибка записана в журнал.",
        "kk": "Біз жақта бірдеңе дұрыс болмады; қате журналға жазылды.",
        "en": "Something went wrong on our side; it has been logged.",
    },
    "bad_split": {
        "ru": "Разбивка графика должна быть lang или region.",
        "kk": "График бөлінісі lang немесе region болуы керек.",
        "en": "The chart split must be lang or region.",
    },
    # request parameters (searchapp.query)
    "param_bad_value": {
        "en": "{name}: {value!r} is not a valid value",
        "ru": "{name}: недопустимое значение {value!r}",
        "kk": "{name}: {value!r} мәні жарамсыз",
    },
    "param_bad_date": {
        "en": "{name} must be a date as YYYY-MM-DD, not {value!r}",
        "ru": "{name} должно быть датой в виде ГГГГ-ММ-ДД, а не {value!r}",
        "kk": "{name} ЖЖЖЖ-АА-КК түріндегі күн болуы керек, {value!r} емес",
    },
    "param_bad_number": {
        "en": "{name} must be a number, not {value!r}",
        "ru": "{name} должно быть числом, а не {value!r}",
        "kk": "{name} сан болуы керек, {value!r} емес",
    },
    "param_bad_flag": {
        "en": "{name} must be 1 or 0, not {value!r}",
        "ru": "{name} должно быть 1 или 0, а не {value!r}",
        "kk": "{name} мәні 1 немесе 0 болуы керек, {value!r} емес",
    },
    # cross-language search (issue 18)
    "xlang_also": {
        "ru": "Также искали: {words}",
        "kk": "Сондай-ақ ізделді: {words}",
        "en": "Also searched: {words}",
    },
    "xlang_also_places": {
        "ru": "и статьи с отметкой: {tags}",
        "kk": "және белгісі бар мақалалар: {tags}",
        "en": "and articles tagged: {tags}",
    },
    "xlang_only_typed": {
        "ru": "Искать только слова как написано",
        "kk": "Тек жазылған сөздерді іздеу",
        "en": "Search only the words as typed",
    },
    "xlang_off": {
        "ru": "Перевод запроса выключен: искали только слова как написано.",
        "kk": "Сұрау аудармасы өшірулі: тек жазылған сөздер ізделді.",
        "en": "Query translation is off: only the words as typed were searched.",
    },
    "xlang_turn_on": {
        "ru": "Искать и на другом языке (казахский ↔ русский)",
        "kk": "Басқа тілде де іздеу (қазақша ↔ орысша)",
        "en": "Also search the other language (Kazakh ↔ Russian)",
    },
    "xlang_cli_off": {
        "ru": "--no-translate: только слова как написано",
        "kk": "--no-translate: тек жазылған сөздер",
        "en": "--no-translate: only the words as typed",
    },
    "xlang_translated": {
        "ru": "перевод запроса",
        "kk": "сұрау аудармасы",
        "en": "a translation of the query",
    },
    "notice_xlang_capped": {
        "ru": "Запрос длинный: переведены только его первые слова.",
        "kk": "Сұрау ұзын: оның алғашқы сөздері ғана аударылды.",
        "en": "The query is long: only its first words were translated.",
    },
    "param_bad_sort": {
        "en": "sort must be one of {choices}, not {value!r}",
        "ru": "sort должен быть одним из {choices}, а не {value!r}",
        "kk": "sort мәні {choices} болуы керек, {value!r} емес",
    },
    "param_too_long": {
        "en": "the query is too long: {length} characters, at most {limit}",
        "ru": "запрос слишком длинный: {length} символов, допустимо не больше {limit}",
        "kk": "сұрау тым ұзын: {length} таңба, ең көбі {limit}",
    },
    "param_range": {
        "en": "{name} must not be later than {other}",
        "ru": "{name} не может быть позже {other}",
        "kk": "{name} {other} мәнінен кейін болмауы керек",
    },
    # saved searches and feeds (searchapp.feeds)
    "manage_title": {"ru": "Сохранённый поиск", "kk": "Сақталған іздеу", "en": "Saved search"},
    "manage_private": {
        "ru": "Храните адрес этой страницы в тайне: по нему можно изменить или удалить поиск. "
        "Адреса лент выше можно смело вставлять в RSS-читалку.",
        "kk": "Бұл беттің мекенжайын құпия ұстаңыз: ол арқылы іздеуді өзгертуге не жоюға болады. "
        "Жоғарыдағы арна мекенжайларын RSS оқырманына қоса беруге болады.",
        "en": "Keep this page's address private: whoever has it can change or delete this saved search. "
        "The feed addresses above are safe to paste into a feed reader.",
    },
    "manage_feeds": {"ru": "Ленты", "kk": "Арналар", "en": "Feeds"},
    "manage_opml": {
        "ru": "Все мои ленты (OPML)",
        "kk": "Барлық арналарым (OPML)",
        "en": "All my feeds (OPML)",
    },
    "manage_query": {"ru": "Запрос и фильтры", "kk": "Сұрау мен сүзгілер", "en": "Query and filters"},
    "manage_save": {"ru": "Сохранить изменения", "kk": "Өзгерістерді сақтау", "en": "Save changes"},
    "manage_delete": {"ru": "Удалить этот поиск", "kk": "Бұл іздеуді жою", "en": "Delete this saved search"},
    "manage_latest": {"ru": "Последние совпадения", "kk": "Соңғы сәйкестіктер", "en": "Latest matches"},
    "manage_none": {"ru": "Совпадений пока нет.", "kk": "Әзірге сәйкестік жоқ.", "en": "No matches yet."},
    "manage_codes": {
        "ru": "Коды через запятую: KZ-61, C24, CN, kk.",
        "kk": "Кодтар үтір арқылы: KZ-61, C24, CN, kk.",
        "en": "Codes separated by commas: KZ-61, C24, CN, kk.",
    },
    "feed_not_found": {"ru": "Такой ленты нет.", "kk": "Мұндай арна жоқ.", "en": "No such feed."},
    "saved_not_found": {
        "ru": "Такого сохранённого поиска нет.",
        "kk": "Мұндай сақталған іздеу жоқ.",
        "en": "No such saved search.",
    },
    "saved_rate_limited": {
        "ru": "С этого адреса сохранено слишком много поисков; попробуйте через час.",
        "kk": "Бұл мекенжайдан тым көп іздеу сақталды; бір сағаттан кейін қайталаңыз.",
        "en": "Too many saved searches from this address; try again in an hour.",
    },
    "saved_needs_json": {
        "ru": "Отправьте сохраняемый поиск как JSON (Content-Type: application/json).",
        "kk": "Сақталатын іздеуді JSON түрінде жіберіңіз (Content-Type: application/json).",
        "en": "Send the saved search as JSON (Content-Type: application/json).",
    },
    "saved_bad_json": {
        "ru": "Тело запроса должно быть JSON-объектом с name, q и фильтрами.",
        "kk": "Сұрау денесі name, q және сүзгілері бар JSON нысаны болуы керек.",
        "en": "The body must be a JSON object with a name, q and filters.",
    },
    "feed_bad_since": {
        "ru": "since должно быть датой в виде ГГГГ-ММ-ДД, а не {value!r}",
        "kk": "since ЖЖЖЖ-АА-КК түріндегі күн болуы керек, {value!r} емес",
        "en": "since must be a date as YYYY-MM-DD, not {value!r}",
    },
    "feed_notice_title": {
        "ru": "Этот сохранённый поиск требует внимания",
        "kk": "Бұл сақталған іздеуге назар аудару керек",
        "en": "This saved search needs attention",
    },
    "feed_notice_text": {
        "ru": "Его фильтры больше не работают: {message}. Исправьте их на странице управления.",
        "kk": "Оның сүзгілері енді жұмыс істемейді: {message}. Оларды басқару бетінде түзетіңіз.",
        "en": "Its filters no longer work: {message}. Open its manage page to fix them.",
    },
    "csrf_failed": {
        "ru": "Форма устарела или пришла не с этого сайта. Обновите страницу и попробуйте снова.",
        "kk": "Пішіннің мерзімі өтті немесе ол осы сайттан келмеді. Бетті жаңартып, қайталаңыз.",
        "en": "This form has expired or did not come from this site. Reload the page and try again.",
    },
    "rate_limited": {
        "ru": "Слишком много запросов; подождите минуту и попробуйте снова.",
        "kk": "Сұраулар тым көп; бір минут күтіп, қайталаңыз.",
        "en": "Too many requests; please wait a minute and try again.",
    },
    "limit_unavailable": {
        "ru": "Сервер сейчас не может принять это действие; попробуйте снова через минуту.",
        "kk": "Сервер қазір бұл әрекетті қабылдай алмайды; бір минуттан кейін қайталаңыз.",
        "en": "The server cannot take this action right now; please try again in a minute.",
    },
    # the terminal
    "cli_found": {"ru": "Найдено: {total}", "kk": "Табылды: {total}", "en": "Found: {total}"},
    "cli_page": {
        "ru": "страница {page} из {pages}",
        "kk": "{pages} беттің {page}-беті",
        "en": "page {page} of {pages}",
    },
    "serving": {"ru": "Сервер запущен: {url}", "kk": "Сервер іске қосылды: {url}", "en": "Serving on {url}"},
    "port_taken": {
        "ru": "адрес {host}:{port} уже занят; укажите другой --port",
        "kk": "{host}:{port} мекенжайы бос емес; басқа --port көрсетіңіз",
        "en": "{host}:{port} is already in use; choose another --port",
    },
}


def t(key: str, lang: str, **fields: Any) -> str:
    """The message `key` in `lang` (English when the language is unknown), with `fields` filled in."""
    table = CATALOGUE[key]
    text = table.get(lang) or table["en"]
    return text.format(**fields) if fields else text


def tn(key: str, n: int, lang: str, **fields: Any) -> str:
    """A message with a count: `key_one` when n == 1 and such a key exists, else `key`."""
    if n == 1 and f"{key}_one" in CATALOGUE:
        return t(f"{key}_one", lang, n=n, **fields)
    return t(key, lang, n=n, **fields)


def lang_name(code: str, ui: str) -> str:
    """The name of a content language (kk, ru, en, or another that crawler.langid names) in the UI language."""
    key = f"lang_{code}"
    return t(key, ui) if key in CATALOGUE else (code or t("lang_unknown", ui))


def short_amount(value: float, ui: str) -> str:
    """A tenge amount for people: 1 200 000 000 -> "1,2 млрд" (the unit in the UI language)."""
    for threshold, unit in ((1e12, "unit_trillion"), (1e9, "unit_billion"), (1e6, "unit_million")):
        if abs(value) >= threshold:
            number = value / threshold
            text = f"{number:.1f}".rstrip("0").rstrip(".") if number < 100 else f"{number:.0f}"
            if ui != "en":
                text = text.replace(".", ",")
            return f"{text} {t(unit, ui)}"
    return group_digits(value)


def group_digits(value: float) -> str:
    """1234567 -> "1 234 567" with narrow no-break spaces, as Russian and Kazakh typography writes it."""
    return f"{round(value):,}".replace(",", "\u202f")
