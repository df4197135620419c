"""Watchlist matching benchmark: a big watchlist against a day's worth of articles.

    .venv/bin/python bench/match_bench.py [--watches 10000] [--articles 20000] [--seed N]

1. Generates W watches, each a name and 5 aliases (people over Latin, Cyrillic, Arabic,
   Hebrew, Greek and CJK scripts, organisations with acronyms; some aliases end in `*`,
   some watches have require/exclude forms), and A articles of 3–6 KB in several
   languages, a third of them with watched names planted, some inflected or accented.
   Generation is not timed.
2. Times `Matcher(watches)` (the compile) and `matcher.hits(title + "\\n\\n" + text)` over
   every article, in this one process on one core.

Target: ≥ 20 MB of article text (UTF-8) matched per second, and every planted watch found
(checked in a second, untimed pass). Prints a report and PASS/FAIL, and writes the figures
to bench/results/match.json.
"""

from __future__ import annotations

import argparse
import json
import platform
import random
import resource
import sys
import time
from datetime import UTC, datetime
from importlib.metadata import version
from pathlib import Path

from pipelines.alerts.matcher import Matcher, WatchTerms, fold

TARGET_MB_PER_S = 20.0
DEFAULT_WATCHES = 10_000
DEFAULT_ARTICLES = 20_000
DEFAULT_SEED = 2025
PLANTED_SHARE = 0.33
RESULTS_FILE = Path(__file__).resolve().parent / "results" / "match.json"

# --- synthetic names ----------------------------------------------------------------------

ONSETS = ["b", "d", "k", "m", "n", "r", "s", "t", "v", "z", "g", "l", "p", "h", "sh", "kh"]
VOWELS = ["a", "e", "i", "o", "u", "a", "e", "o"]
CODAS = ["", "", "n", "r", "l", "s", "m", "v", "k"]
SURNAME_ENDINGS = ["ov", "ev", "in", "sky", "ski", "enko", "man", "er", "son", "ez", "i", "ani"]
LATIN_TO = {
    "cyrillic": {
        "sh": "ш",
        "kh": "х",
        "a": "а",
        "b": "б",
        "d": "д",
        "e": "е",
        "g": "г",
        "h": "х",
        "i": "и",
        "k": "к",
        "l": "л",
        "m": "м",
        "n": "н",
        "o": "о",
        "p": "п",
        "r": "р",
        "s": "с",
        "t": "т",
        "u": "у",
        "v": "в",
        "y": "й",
        "z": "з",
    },
    "greek": {
        "sh": "σ",
        "kh": "χ",
        "a": "α",
        "b": "μπ",
        "d": "ντ",
        "e": "ε",
        "g": "γ",
        "h": "χ",
        "i": "ι",
        "k": "κ",
        "l": "λ",
        "m": "μ",
        "n": "ν",
        "o": "ο",
        "p": "π",
        "r": "ρ",
        "s": "σ",
        "t": "τ",
        "u": "ου",
        "v": "β",
        "y": "ι",
        "z": "ζ",
    },
    "arabic": {
        "sh": "ش",
        "kh": "خ",
        "a": "ا",
        "b": "ب",
        "d": "د",
        "e": "ي",
        "g": "غ",
        "h": "ه",
        "i": "ي",
        "k": "ك",
        "l": "ل",
        "m": "م",
        "n": "ن",
        "o": "و",
        "p": "ب",
        "r": "ر",
        "s": "س",
        "t": "ت",
        "u": "و",
        "v": "ف",
        "y": "ي",
        "z": "ز",
    },
    "hebrew": {
        "sh": "ש",
        "kh": "ח",
        "a": "א",
        "b": "ב",
        "d": "ד",
        "e": "",
        "g": "ג",
        "h": "ה",
        "i": "י",
        "k": "ק",
        "l": "ל",
        "m": "מ",
        "n": "נ",
        "o": "ו",
        "p": "פ",
        "r": "ר",
        "s": "ס",
        "t": "ט",
        "u": "ו",
        "v": "ב",
        "y": "י",
        "z": "ז",
    },
}
ACCENTED = {"a": "á", "e": "é", "i": "í", "o": "ó", "u": "ú", "s": "š", "z": "ž", "n": "ñ"}
HARAKAT = ["\u064e", "\u064f", "\u0650", "\u0652"]
CJK_SURNAMES = [
    ("王", "Wang"),
    ("李", "Li"),
    ("张", "Zhang"),
    ("刘", "Liu"),
    ("陈", "Chen"),
    ("杨", "Yang"),
    ("赵", "Zhao"),
    ("黄", "Huang"),
    ("周", "Zhou"),
    ("吴", "Wu"),
]
CJK_GIVEN = [
    ("建", "jian"),
    ("国", "guo"),
    ("明", "ming"),
    ("华", "hua"),
    ("伟", "wei"),
    ("芳", "fang"),
    ("强", "qiang"),
    ("军", "jun"),
    ("平", "ping"),
    ("海", "hai"),
    ("东", "dong"),
    ("林", "lin"),
    ("文", "wen"),
    ("志", "zhi"),
    ("鹏", "peng"),
]
ORG_WORDS = [
    "Northern",
    "United",
    "Atlantic",
    "Eastern",
    "Global",
    "National",
    "Pacific",
    "Central",
    "Federal",
    "Royal",
    "Baltic",
    "Southern",
    "Continental",
    "Alpine",
]
ORG_KINDS = [
    "Steel",
    "Energy",
    "Shipping",
    "Airlines",
    "Mining",
    "Telecom",
    "Chemicals",
    "Rail",
    "Insurance",
    "Pharma",
    "Grain",
    "Motors",
    "Media",
    "Logistics",
]
ORG_SUFFIXES = ["Group", "Holdings", "Bank", "Corporation", "Alliance", "Party", "Union"]
REQUIRE_WORDS = ["Moscow", "Doha", "Brussels", "election", "parliament", "sanctions"]
EXCLUDE_WORDS = ["football", "obituary", "horoscope", "recipe"]


def transliterate(word: str, script: str) -> str:
    table, out, i = LATIN_TO[script], [], 0
    while i < len(word):
        pair = word[i : i + 2].lower()
        if pair in table:
            out.append(table[pair])
            i += 2
        else:
            out.append(table.get(word[i].lower(), ""))
            i += 1
    return "".join(out).title() if script in ("cyrillic", "greek") else "".join(out)


def word(rng: random.Random, syllables: int) -> str:
    return "".join(
        rng.choice(ONSETS) + rng.choice(VOWELS) + rng.choice(CODAS) for _ in range(syllables)
    )


def person(rng: random.Random) -> WatchTerms:
    first = word(rng, rng.choice([2, 2, 3])).title()
    last = (word(rng, rng.choice([1, 2, 2])) + rng.choice(SURNAME_ENDINGS)).title()
    other = rng.choice(["arabic", "hebrew", "greek"])
    cyr_last = transliterate(last, "cyrillic")
    aliases = (
        f"{first[0]}. {last}",
        "".join(ACCENTED.get(c, c) if rng.random() < 0.3 else c for c in last) + " " + first,
        f"{transliterate(first, 'cyrillic')} {cyr_last[: max(3, len(cyr_last) - 1)]}*",
        f"{transliterate(first, other)} {transliterate(last, other)}",
        # a prefix on long surnames only: "Mini*" would fire on every "minister"
        f"{last}*" if len(last) >= 7 and rng.random() < 0.3 else f"{first} {last}s",
    )
    return WatchTerms(name=f"{first} {last}", aliases=aliases)


def cjk_person(rng: random.Random) -> WatchTerms:
    (sur, sur_lat), *given = [rng.choice(CJK_SURNAMES)] + rng.sample(CJK_GIVEN, 2)
    han = sur + "".join(g for g, _ in given)
    pinyin = "".join(p for _, p in given).title()
    aliases = (
        f"{sur_lat} {pinyin}",
        f"{pinyin} {sur_lat}",
        f"{sur_lat} {pinyin[0]}.",
        f"{transliterate(sur_lat, 'cyrillic')} {transliterate(pinyin, 'cyrillic')}",
        f"{sur_lat}{pinyin}",
    )
    return WatchTerms(name=han, aliases=aliases)


def organisation(rng: random.Random) -> WatchTerms:
    words = [rng.choice(ORG_WORDS), rng.choice(ORG_KINDS), rng.choice(ORG_SUFFIXES)]
    tag = word(rng, 2).title()
    name = f"{tag} {' '.join(words)}"
    acronym = tag[:2].upper() + "".join(w[0] for w in words)
    aliases = (
        acronym,
        f"{tag} {words[1]}",
        f"{tag}-{words[1]}",
        f"{transliterate(tag, 'cyrillic')} {transliterate(words[1], 'cyrillic')}*",
        f"{tag} {words[1]} {words[2]}s",
    )
    return WatchTerms(name=name, aliases=aliases)


def make_watches(rng: random.Random, count: int) -> list[WatchTerms]:
    watches, names = [], set()
    while len(watches) < count:
        kind = rng.random()
        watch = person(rng) if kind < 0.7 else cjk_person(rng) if kind < 0.8 else organisation(rng)
        if watch.name in names:
            continue
        names.add(watch.name)
        if rng.random() < 0.05:
            watch = WatchTerms(watch.name, watch.aliases, require=(rng.choice(REQUIRE_WORDS),))
        elif rng.random() < 0.05:
            watch = WatchTerms(watch.name, watch.aliases, exclude=(rng.choice(EXCLUDE_WORDS),))
        watches.append(watch)
    return watches


# --- synthetic articles -------------------------------------------------------------------

VOCABULARY = {
    "en": "the minister said on Monday that government talks with officials would continue "
    "after meeting in the capital while opposition leaders rejected proposal and "
    "economy grew faster than expected according to report released by central bank "
    "Reuters it’s “unclear” whether sanctions – imposed last year – will remain",
    "de": "der Minister sagte am Montag dass die Regierung Gespräche mit Vertretern fortsetzen "
    "werde während die Opposition den Vorschlag ablehnte und die Wirtschaft schneller "
    "wuchs als erwartet laut Bericht der Zentralbank über Maßnahmen für Straßen",
    "fr": "le ministre a déclaré lundi que le gouvernement poursuivrait les négociations avec "
    "les responsables après une réunion dans la capitale tandis que l’opposition a "
    "rejeté la proposition et l’économie a progressé plus vite que prévu",
    "ru": "министр заявил в понедельник что правительство продолжит переговоры с "
    "представителями после встречи в столице тогда как оппозиция отвергла предложение "
    "а экономика росла быстрее чем ожидалось по данным доклада центрального банка ещё",
    "ar": "قال الوزير يوم الاثنين إن الحكومة ستواصل المحادثات مع المسؤولين بعد اجتماع في "
    "العاصمة بينما رفضت المعارضة الاقتراح ونما الاقتصاد أسرع من المتوقع وفقا لتقرير "
    "البنك المركزي الصادر أمس",
    "he": "השר אמר ביום שני כי הממשלה תמשיך בשיחות עם הנציגים לאחר פגישה בבירה בעוד "
    "האופוזיציה דחתה את ההצעה והכלכלה צמחה מהר מהצפוי לפי דוח הבנק המרכזי",
    "el": "ο υπουργός δήλωσε τη Δευτέρα ότι η κυβέρνηση θα συνεχίσει τις συνομιλίες με τους "
    "αξιωματούχους μετά τη συνάντηση στην πρωτεύουσα ενώ η αντιπολίτευση απέρριψε την "
    "πρόταση και η οικονομία αναπτύχθηκε ταχύτερα από το αναμενόμενο",
    "zh": "部长 周一 表示 政府 将 继续 与 官员 进行 会谈 在 首都 会议 之后 反对派 拒绝 "
    "了 该 提议 经济 增长 快于 预期 根据 中央 银行 发布 的 报告",
    "ja": "大臣 は 月曜日 政府 が 当局者 と の 協議 を 続ける と 述べた 首都 で の 会合 "
    "の 後 野党 は 提案 を 拒否 し 経済 は 予想 より 速く 成長 した",
}
LANGUAGE_WEIGHTS = {
    "en": 45,
    "de": 8,
    "fr": 8,
    "ru": 14,
    "ar": 9,
    "he": 4,
    "el": 4,
    "zh": 4,
    "ja": 4,
}
UNSPACED = {"zh", "ja"}
RUSSIAN_ENDINGS = ["", "а", "у", "ом", "ем", "ым", "е"]


def sentence(rng: random.Random, lang: str, words: list[str]) -> str:
    picked = rng.choices(words, k=rng.randint(8, 22))
    joiner = "" if lang in UNSPACED else " "
    end = "。" if lang in UNSPACED else "."
    text = joiner.join(picked)
    return text[0].upper() + text[1:] + end


def planted_form(rng: random.Random, watch: WatchTerms) -> str:
    form = rng.choice((watch.name, *watch.aliases))
    if form.endswith("*"):
        form = form[:-1] + rng.choice(RUSSIAN_ENDINGS)
    if rng.random() < 0.2:  # harakat, as a vocalised Arabic text would have them
        form = "".join(c + rng.choice(HARAKAT) if "\u0621" <= c <= "\u064a" else c for c in form)
    if rng.random() < 0.1:
        form = form.upper()
    return form.replace(" ", rng.choice([" ", " ", "\u00a0", "\n"]))


def make_articles(
    rng: random.Random, count: int, watches: list[WatchTerms]
) -> tuple[list[str], list[set[str]]]:
    """The articles, and for each the watches planted in it."""
    pools = {}
    for lang, text in VOCABULARY.items():
        words = text.split()
        pools[lang] = [sentence(rng, lang, words) for _ in range(400)]
    langs, weights = list(LANGUAGE_WEIGHTS), list(LANGUAGE_WEIGHTS.values())
    articles, planted = [], []
    for _ in range(count):
        lang = rng.choices(langs, weights)[0]
        target = rng.randint(3000, 6000)
        paragraphs: list[list[str]] = []  # of words; a planted form is one item
        size = 0
        while size < target:
            para = " ".join(rng.choices(pools[lang], k=rng.randint(2, 5)))
            paragraphs.append(para.split(" "))
            size += len(para.encode("utf-8"))
        planted.append(set())
        if rng.random() < PLANTED_SHARE:
            for _ in range(rng.randint(1, 3)):
                watch = rng.choice(watches)
                planted[-1].add(watch.name)
                words = rng.choice(paragraphs)
                words.insert(rng.randrange(len(words) + 1), planted_form(rng, watch))
        title = rng.choice(pools[lang])[:-1]
        articles.append(title + "\n\n" + "\n\n".join(" ".join(p) for p in paragraphs))
    return articles, planted


# --- the run ------------------------------------------------------------------------------


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KB on Linux


def run(watch_count: int, article_count: int, seed: int) -> dict:
    rng = random.Random(seed)
    t0 = time.perf_counter()
    watches = make_watches(rng, watch_count)
    articles, planted = make_articles(rng, article_count, watches)
    generated = time.perf_counter() - t0
    megabytes = sum(len(a.encode("utf-8")) for a in articles) / 1e6
    rss_before = peak_rss_mb()

    t0 = time.perf_counter()
    matcher = Matcher(watches)
    compile_s = time.perf_counter() - t0

    t0 = time.perf_counter()
    for article in articles:
        fold(article)
    fold_s = time.perf_counter() - t0

    hits = articles_hit = 0
    t0 = time.perf_counter()
    for article in articles:
        found = matcher.hits(article)
        hits += len(found)
        articles_hit += bool(found)
    match_s = time.perf_counter() - t0

    # Not timed: every planted watch was found (those with a `require` form fire only
    # when that form happens to be there too, so they are left out).
    requiring = {w.name for w in watches if w.require}
    expected = missed = 0
    for article, names in zip(articles, planted, strict=True):
        names -= requiring
        expected += len(names)
        missed += len(names - {hit.watch for hit in matcher.hits(article)})

    mb_per_s = megabytes / match_s
    return {
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": {"python": platform.python_version(), "platform": platform.platform()},
        "versions": {"pyahocorasick": version("pyahocorasick")},
        "seed": seed,
        "watches": len(matcher),
        "forms": sum(1 + len(w.aliases) + len(w.require) + len(w.exclude) for w in watches),
        "articles": article_count,
        "text_mb": round(megabytes, 1),
        "mean_article_kb": round(megabytes * 1000 / article_count, 2),
        "generate_seconds": round(generated, 2),
        "compile_seconds": round(compile_s, 3),
        "fold_mb_per_s": round(megabytes / fold_s, 1),
        "match_seconds": round(match_s, 2),
        "mb_per_s": round(mb_per_s, 1),
        "articles_per_s": round(article_count / match_s),
        "hits": hits,
        "articles_with_hits": articles_hit,
        "planted": expected,
        "planted_missed": missed,
        "peak_rss_mb": round(peak_rss_mb(), 1),
        "peak_rss_mb_before_compile": round(rss_before, 1),
        "target_mb_per_s": TARGET_MB_PER_S,
        "passed": mb_per_s >= TARGET_MB_PER_S and missed == 0,
    }


def report(result: dict) -> str:
    verdict = "PASS" if result["passed"] else "FAIL"
    return "\n".join(
        [
            f"watches          {result['watches']} ({result['forms']} forms)",
            f"articles         {result['articles']} ({result['text_mb']} MB, "
            f"{result['mean_article_kb']} KB each)",
            f"compile          {result['compile_seconds']} s",
            f"fold alone       {result['fold_mb_per_s']} MB/s",
            f"matching         {result['match_seconds']} s: {result['mb_per_s']} MB/s, "
            f"{result['articles_per_s']} articles/s",
            f"hits             {result['hits']} in {result['articles_with_hits']} articles; "
            f"{result['planted_missed']} of {result['planted']} planted watches missed",
            f"peak RSS         {result['peak_rss_mb']} MB "
            f"({result['peak_rss_mb_before_compile']} MB before compiling)",
            f"{verdict}: {result['mb_per_s']} MB/s against a target of "
            f"{result['target_mb_per_s']} MB/s; {result['planted_missed']} planted watches missed",
        ]
    )


def write_results(result: dict, path: Path = RESULTS_FILE) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(result, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--watches", type=int, default=DEFAULT_WATCHES)
    parser.add_argument("--articles", type=int, default=DEFAULT_ARTICLES)
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED)
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    result = run(args.watches, args.articles, args.seed)
    print(report(result))
    write_results(result)
    return 0 if result["passed"] else 1


if __name__ == "__main__":
    sys.exit(main())
