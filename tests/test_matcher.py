"""The watchlist matcher: folding, word boundaries, prefixes, require/exclude, offsets, snippets."""

from __future__ import annotations

import random

import pytest

from pipelines.alerts.matcher import Hit, Matcher, WatchTerms, fold

# The body of the seed page (shared/seed/000_40e6be3c170df5a9.txt), as extraction keeps it.
SEED_TITLE = "Russian Foreign Minister Meets Hamas Leader, Invites Him to Moscow"
SEED_BODY = """\
Russian Foreign Minister Sergei Lavrov met Hamas leader Khaled Meshal in Qatar on Monday and invited him to visit Moscow, a Hamas official said.

Meshal, who is based in Doha, last travelled to Moscow in 2010, four years after his first official visit to the Russian capital.

Last April, Russian President Vladimir Putin and Palestinian President Mahmoud Abbas discussed in Moscow the possibility that Russia will host a summit of the different Palestinian factions, as part of the reconciliation efforts. At this stage, however, it isn't clear if the invitation extended to Meshal has been coordinated with Abbas.

In their meeting, Meshal and Lavrov discussed regional developments and the reconciliation efforts between Hamas and Fatah, Qatar's news agency reported.

In a statement released in Gaza, the Hamas official said a delegation led by Meshal briefed Lavrov on conditions in the Gaza Strip, which the Islamist movement rules, in the aftermath of last summer's war with Israel.

Meshal also discussed with Lavrov "Zionist terrorism in the West Bank and its assaults on Muslim and Christian sites in Jerusalem", the official said, three days after an arson attack by suspected Jewish militants killed a Palestinian toddler.

Russia is one of the four international sponsors, along with the United States, the European Union and the United Nations, of an Israeli-Palestinian peace process opposed by Hamas. Peace talks have been suspended for more than a year.

Hamas is shunned in the West over its refusal to recognize Israel, accept existing Israeli-Palestinian interim peace deals and renounce violence. Russia says it should not be isolated.

The Palestinian leadership has been making efforts over the last year to foster closer ties with the Russians, following their disappointment with the peace talks with Israel brokered by the U.S. and handled by Secretary of State, John Kerry.

Lately, the Palestinians have been warming up to the idea of internationalizing the conflict, and consider Russia to be a pivot point in this endeavor. Russia has announced it will back any Palestinian motion in the UN based on the two-state solution.

At the same time, the Qatari foreign minister, Khalid al-Attiyah, who met with Kerry together with the Gulf Arab states' foreign ministers in Doha, said the Gulf must act to foster peace and stability in the Middle East, and mentioned the need for a diplomatic initiative to solve the Israeli-Palestinians conflict.

However, it is understood in Doha that the meeting with Kerry is mainly intended to alleviate concerns over the nuclear deal with Iran, and to discuss the Syrian civil war and the campaign against ISIS."""
# Two of the page's teasers for other articles: boilerplate, never part of the body.
SEED_TEASERS = """\
U.S. President Joe Biden, this week.

Democratic Sen. Bernie Sanders with Jessica Cisneros in San Antonio last week."""

MESHAL = WatchTerms("Khaled Meshal", aliases=("Meshaal", "Mashal", "Mishal", "Машал*", "خالد مشعل"))
SEED_WATCHES = [
    WatchTerms("Sergei Lavrov"),
    MESHAL,
    WatchTerms("John Kerry"),
    WatchTerms("Joe Biden"),
    WatchTerms("Bernie Sanders"),
]


def names(hits: list[Hit]) -> list[str]:
    return [hit.watch for hit in hits]


def only_hit(watch: WatchTerms, text: str) -> Hit | None:
    hits = Matcher([watch]).hits(text)
    assert len(hits) <= 1, hits
    return hits[0] if hits else None


def assert_offsets(text: str, hit: Hit) -> None:
    assert text[hit.start : hit.end] == hit.found, (hit, text)


# --- the seed page ---------------------------------------------------------------------------


def test_seed_body_fires_the_watches_named_in_it():
    text = f"{SEED_TITLE}\n\n{SEED_BODY}"
    hits = Matcher(SEED_WATCHES).hits(text)
    assert names(hits) == ["Sergei Lavrov", "Khaled Meshal", "John Kerry"]
    lavrov, meshal, kerry = hits
    assert (meshal.matched, meshal.found) == ("Khaled Meshal", "Khaled Meshal")
    assert (kerry.matched, kerry.found) == ("John Kerry", "John Kerry")
    for hit in hits:
        assert_offsets(text, hit)
    assert text.index("Sergei Lavrov met Hamas leader") == lavrov.start


def test_seed_teasers_alone_fire_the_watches_the_body_must_not():
    """The negative above is not vacuous: the same watches do fire on the teasers."""
    hits = Matcher(SEED_WATCHES).hits(SEED_TEASERS)
    assert names(hits) == ["Joe Biden", "Bernie Sanders"]


# --- folding ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "folded"),
    [
        ("MESHAL Meshál Méshal", "meshal meshal meshal"),
        ("Лавров ЛАВРОВ Лавро́в", "лавров лавров лавров"),
        ("Ёлкин ёлка", "елкин елка"),
        ("Андрей Й", "андрей й"),
        ("ﬁnance Straße", "finance strasse"),
        ("O’Brien Jean\u2010Luc", "o'brien jean-luc"),
        ("  Sergei \n\n\t\u00a0 Lavrov\u2009 ", "sergei lavrov"),
        ("Lav\u00adrov", "lavrov"),
        ("خَالِد مَشْعَل", "خالد مشعل"),
        ("חָאלֶד מַשְׁעַל", "חאלד משעל"),
        ("Αλέξης ΤΣΙΠΡΑΣ Τσίπρας", "αλεξησ τσιπρασ τσιπρασ"),
        ("東京ｶﾀｶﾅ", "東京カタカナ"),
        ("가나다", "가나다"),
    ],
)
def test_fold(text: str, folded: str):
    assert fold(text) == folded


# --- case and diacritics ---------------------------------------------------------------------


@pytest.mark.parametrize("written", ["MESHAL", "Meshál", "Méshal", "meshal", "MÉSHÁL"])
def test_case_and_diacritics_are_folded(written: str):
    hit = only_hit(WatchTerms("Meshal"), f"Hamas leader {written} said.")
    assert hit is not None and hit.found == written


def test_form_with_diacritics_matches_plain_text():
    assert only_hit(WatchTerms("Lavróv"), "Sergei Lavrov met him.").found == "Lavrov"


def test_cyrillic_yo_matches_ye_both_ways():
    assert only_hit(WatchTerms("Королёв"), "Сергей Королев").found == "Королев"
    assert only_hit(WatchTerms("Королев"), "Сергей Королёв").found == "Королёв"


def test_ligatures_and_compatibility_forms_are_normalised():
    assert only_hit(WatchTerms("Fischer"), "Joschka ﬁscher spoke").found == "ﬁscher"
    assert only_hit(WatchTerms("Strauss"), "Johann Strauß").found == "Strauß"


def test_arabic_with_harakat_in_the_text():
    text = "التقى لافروف بـ خَالِد مَشْعَل في الدوحة"
    hit = only_hit(MESHAL, text)
    assert hit is not None and hit.matched == "خالد مشعل" and hit.found == "خَالِد مَشْعَل"
    assert_offsets(text, hit)


def test_arabic_with_tatweel_and_bidi_marks_in_the_text():
    text = "زعيم حماس \u200fخالـد مشعـل\u200f أمس"
    assert only_hit(MESHAL, text).found == "خالـد مشعـل"


def test_hebrew_with_and_without_niqqud():
    watch = WatchTerms("Khaled Meshal", aliases=("חאלד משעל",))
    assert only_hit(watch, "ראש הלשכה חאלד משעל נפגש").found == "חאלד משעל"
    assert only_hit(watch, "ראש הלשכה חָאלֶד מַשְׁעַל נפגש").found == "חָאלֶד מַשְׁעַל"


def test_greek_accents_and_final_sigma():
    hit = only_hit(WatchTerms("Αλέξης Τσίπρας"), "Ο ΑΛΕΞΗΣ ΤΣΙΠΡΑΣ δήλωσε")
    assert hit is not None and hit.found == "ΑΛΕΞΗΣ ΤΣΙΠΡΑΣ"


# --- word boundaries -------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    ["Lavrov's visit", "Lavrov’s visit", "met (Lavrov) there", "a Lavrov-led delegation",
     "«Lavrov»", "Lavrov", "said Lavrov.", "“Lavrov”", "pro-Lavrov", "#Lavrov", "/Lavrov/"],
)  # fmt: skip
def test_whole_word_matches(text: str):
    hit = only_hit(WatchTerms("Lavrov"), text)
    assert hit is not None and hit.found == "Lavrov"
    assert_offsets(text, hit)


@pytest.mark.parametrize(
    "text", ["Lavrovsky said", "Blavrov said", "Lavrov2 said", "lavrov_x", "x_lavrov", "LavrovA"]
)
def test_part_of_a_word_does_not_match(text: str):
    assert only_hit(WatchTerms("Lavrov"), text) is None


def test_boundary_in_other_scripts():
    watch = WatchTerms("Лавров")
    assert only_hit(watch, "министр Лавров заявил") is not None
    assert only_hit(watch, "министр Лавровский заявил") is None
    assert only_hit(watch, "министр Славров заявил") is None


@pytest.mark.parametrize(
    ("form", "text", "found"),
    [
        ("王建国", "外交部长王建国今天表示", "王建国"),
        ("安倍晋三", "安倍晋三首相は述べた", "安倍晋三"),
        ("ทักษิณ", "นายทักษิณชินวัตรกล่าว", "ทักษิณ"),
        ("문재인", "문재인은 말했다", "문재인"),
    ],
)
def test_unspaced_scripts_need_no_boundary(form: str, text: str, found: str):
    hit = only_hit(WatchTerms(form), text)
    assert hit is not None and hit.found == found
    assert_offsets(text, hit)


def test_latin_name_inside_cjk_text():
    assert only_hit(WatchTerms("Lavrov"), "俄罗斯外长Lavrov表示").found == "Lavrov"


def test_korean_form_does_not_match_half_a_syllable():
    # NFKD splits 김 into jamo starting like 기: the fold recomposes them.
    assert only_hit(WatchTerms("기"), "김치") is None


# --- phrases ---------------------------------------------------------------------------------


@pytest.mark.parametrize("gap", [" ", "\n", "\n\n", "  \u00a0", "\t", "\u2009", " \r\n "])
def test_phrase_matches_across_any_whitespace(gap: str):
    text = f"Minister Sergei{gap}Lavrov said"
    hit = only_hit(WatchTerms("Sergei Lavrov"), text)
    assert hit is not None and hit.found == f"Sergei{gap}Lavrov"
    assert_offsets(text, hit)


def test_phrase_written_with_extra_spaces_matches():
    assert only_hit(WatchTerms("  Sergei   Lavrov "), "Sergei Lavrov said") is not None


def test_phrase_does_not_match_across_punctuation():
    assert only_hit(WatchTerms("Sergei Lavrov"), "Sergei, Lavrov and others") is None
    assert only_hit(WatchTerms("Jean Luc"), "Jean-Luc Mélenchon") is None


def test_forms_differing_only_in_punctuation_are_both_matched():
    matcher = Matcher(
        [
            WatchTerms("Nulo Airlines Group", aliases=("Nulo Airlines", "Nulo-Airlines")),
            WatchTerms("Jean-Luc"),
            WatchTerms("Jean Luc"),
            WatchTerms("U.S."),
            WatchTerms("U S"),
        ]
    )
    assert names(matcher.hits("Report: Nulo Airlines sanctions")) == ["Nulo Airlines Group"]
    assert names(matcher.hits("Report: Nulo-Airlines sanctions")) == ["Nulo Airlines Group"]
    assert names(matcher.hits("Jean Luc and Jean-Luc")) == ["Jean Luc", "Jean-Luc"]
    assert names(matcher.hits("the U.S. and U S")) == ["U.S.", "U S"]


def test_form_with_punctuation_matches_only_that_punctuation():
    watch = WatchTerms("Jean-Luc Mélenchon")
    assert only_hit(watch, "said Jean-Luc Melenchon.").found == "Jean-Luc Melenchon"
    assert only_hit(watch, "said Jean\u2010Luc Mélenchon.") is not None
    assert only_hit(watch, "said Jean Luc Mélenchon.") is None


@pytest.mark.parametrize(
    ("form", "text", "found"),
    [
        ("U.S.", "said the U.S. envoy", "U.S."),
        ("U.S.", "(U.S.)", "U.S."),
        ("C++", "written in C++, mostly", "C++"),
        ("AT&T", "AT&T's network", "AT&T"),
        ("Wang 王", "Wang 王abc", "Wang 王"),
    ],
)
def test_forms_ending_in_punctuation_or_cjk(form: str, text: str, found: str):
    hit = only_hit(WatchTerms(form), text)
    assert hit is not None and hit.found == found
    assert_offsets(text, hit)


@pytest.mark.parametrize(("form", "text"), [("U.S.", "U.S.A"), ("C++", "C++17")])
def test_form_ending_in_punctuation_still_needs_a_boundary(form: str, text: str):
    assert only_hit(WatchTerms(form), text) is None


# --- prefixes --------------------------------------------------------------------------------


@pytest.mark.parametrize("word", ["Машал", "Машаль", "Машалем", "Машаля", "МАШАЛЮ"])
def test_prefix_form_matches_inflections(word: str):
    text = f"Лавров встретился с {word} в Дохе"
    hit = only_hit(MESHAL, text)
    assert hit is not None and (hit.matched, hit.found) == ("Машал*", word)
    assert_offsets(text, hit)


def test_prefix_form_needs_a_left_boundary():
    assert only_hit(WatchTerms("Машал*"), "Амашалем") is None


def test_prefix_on_the_last_word_of_a_phrase():
    hit = only_hit(WatchTerms("Сергей Лавров*"), "с Сергеем Лавровым и с Сергей Лавровым")
    assert hit is not None and hit.found == "Сергей Лавровым"


@pytest.mark.parametrize("form", ["Ma*shal", "*Mashal", "Mashal **", "Mashal *", "Khaled* Meshal"])
def test_star_not_ending_a_word_is_an_error(form: str):
    with pytest.raises(ValueError, match="Khaled Meshal") as error:
        Matcher([WatchTerms("Khaled Meshal", aliases=(form,))])
    assert form in str(error.value)


# --- invalid watches -------------------------------------------------------------------------


@pytest.mark.parametrize(
    "watch",
    [
        WatchTerms("Khaled Meshal", aliases=("",)),
        WatchTerms("Khaled Meshal", aliases=("   \n",)),
        WatchTerms("Khaled Meshal", require=(" ",)),
        WatchTerms("Khaled Meshal", exclude=("",)),
        WatchTerms("Khaled Meshal", aliases=("*",)),
        WatchTerms("Khaled Meshal", aliases=("\u0301",)),
    ],
)
def test_empty_form_is_an_error_naming_the_watch(watch: WatchTerms):
    with pytest.raises(ValueError, match="'Khaled Meshal'"):
        Matcher([watch])


def test_empty_name_is_an_error():
    with pytest.raises(ValueError, match="empty"):
        Matcher([WatchTerms("  ")])


def test_aliases_given_as_a_bare_string_are_refused():
    with pytest.raises(TypeError, match="aliases"):
        WatchTerms("Khaled Meshal", aliases="Meshaal")  # type: ignore[arg-type]


# --- require and exclude ---------------------------------------------------------------------


def test_require_form_must_also_appear():
    watch = WatchTerms("Mercury", require=("Freddie", "Queen"))
    assert only_hit(watch, "Freddie Mercury sang with Queen.") is not None
    assert only_hit(watch, "Freddie Mercury sang.") is None
    assert only_hit(watch, "Mercury is a planet.") is None


def test_require_form_may_come_before_or_after_the_name():
    watch = WatchTerms("Meshal", require=("Hamas",))
    assert only_hit(watch, "Meshal said. Hamas agreed.") is not None
    assert only_hit(watch, "Hamas said Meshal agreed.") is not None


def test_require_form_is_matched_as_a_whole_word():
    assert only_hit(WatchTerms("Meshal", require=("Hamas",)), "Meshal of Hamasville") is None


def test_exclude_form_anywhere_stops_the_watch():
    watch = WatchTerms("Jordan", exclude=("Michael Jordan", "basketball"))
    assert only_hit(watch, "King Abdullah of Jordan met Lavrov.") is not None
    assert only_hit(watch, "Michael Jordan retired.") is None
    assert only_hit(watch, "Jordan won. A basketball final.") is None


def test_require_and_exclude_use_the_form_syntax():
    watch = WatchTerms("Meshal", require=("Машал*",), exclude=("Lavr*",))
    assert only_hit(watch, "Meshal / Машалем") is not None
    assert only_hit(watch, "Meshal / Машалем / Лавров") is not None
    assert only_hit(watch, "Meshal / Машалем / Lavrovs") is None


def test_excluding_one_watch_does_not_stop_another():
    matcher = Matcher([WatchTerms("Jordan", exclude=("basketball",)), WatchTerms("Basketball")])
    assert names(matcher.hits("Jordan and basketball")) == ["Basketball"]


# --- several watches -------------------------------------------------------------------------


def test_watches_sharing_a_form_fire_independently():
    matcher = Matcher(
        [
            WatchTerms("Sergei Lavrov", aliases=("Lavrov",)),
            WatchTerms("Russian diplomacy", aliases=("Lavrov", "Kremlin")),
            WatchTerms("Lavrov", require=("Doha",)),
        ]
    )
    hits = matcher.hits("Lavrov arrived in Doha.")
    assert names(hits) == ["Sergei Lavrov", "Russian diplomacy", "Lavrov"]
    assert {(h.start, h.end) for h in hits} == {(0, 6)}


def test_one_hit_per_watch_at_its_first_occurrence():
    text = "Meshal met Lavrov. Later Khaled Meshal and Mashal again."
    hits = Matcher([MESHAL, WatchTerms("Meshal")]).hits(text)
    assert [(h.watch, h.found, h.start) for h in hits] == [
        ("Meshal", "Meshal", 0),
        ("Khaled Meshal", "Khaled Meshal", 25),
    ]


def test_hits_are_in_order_of_position():
    text = "Kerry, then Lavrov, then Mashal."
    hits = Matcher(
        [MESHAL, WatchTerms("Lavrov"), WatchTerms("John Kerry", aliases=("Kerry",))]
    ).hits(text)
    assert names(hits) == ["John Kerry", "Lavrov", "Khaled Meshal"]
    assert [h.start for h in hits] == sorted(h.start for h in hits)


def test_longest_form_wins_at_the_same_position():
    watch = WatchTerms("Lavrov", aliases=("Sergei", "Sergei Lavrov"))
    hit = only_hit(watch, "Sergei Lavrov said")
    assert (hit.matched, hit.found) == ("Sergei Lavrov", "Sergei Lavrov")


def test_first_written_of_equivalent_forms_is_reported():
    hit = only_hit(WatchTerms("Meshal", aliases=("MESHAL", "Meshál")), "meshál")
    assert hit.matched == "Meshal"


def test_len_is_the_number_of_watches():
    assert len(Matcher(SEED_WATCHES)) == 5
    assert len(Matcher([])) == 0


def test_empty_watchlist_and_empty_text_have_no_hits():
    assert Matcher([]).hits("Lavrov") == []
    assert Matcher(SEED_WATCHES).hits("") == []
    assert Matcher(SEED_WATCHES).hits(" \n ") == []


def test_matcher_accepts_a_generator():
    matcher = Matcher(w for w in SEED_WATCHES)
    assert names(matcher.hits("Joe Biden")) == ["Joe Biden"]


# --- offsets ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "before",
    [
        "Café ﬁnance Straße — Ĳssel ½ Müller’s ",
        "Intro\n\n\n  \u00a0\t  text   ",
        "خَالِد مَشْعَل חָאלֶד ",
        "Ёлка й и\u0306 e\u0301 ",
        "😀 𝐁𝐨𝐥𝐝 emoji ",
        "가나다 が ｶﾞ ",
        "soft\u00adhyphen zero\u200bwidth \u200f ",
    ],
)
def test_offsets_point_at_the_match_after_folded_text(before: str):
    text = before + "Sergei\n Lavróv said"
    hit = only_hit(WatchTerms("Sergei Lavrov"), text)
    assert hit is not None and hit.found == "Sergei\n Lavróv"
    assert hit.start == len(before) and hit.end == len(before) + len(hit.found)


def test_offsets_when_folding_piece_by_piece_differs_from_folding_the_whole():
    """A zero-width space between a Hangul syllable and a final jamo: the whole text folds to
    one syllable, piece by piece to two. The matcher then decides on the mapped fold."""
    text = "가\u200bᆨ, Sergei Lavrov"
    hit = only_hit(WatchTerms("Sergei Lavrov"), text)
    assert (hit.start, hit.found) == (5, "Sergei Lavrov")


def test_offsets_of_a_match_starting_with_a_ligature():
    text = "Café. ﬁscher said"
    hit = only_hit(WatchTerms("Fischer"), text)
    assert (hit.start, hit.end, hit.found) == (6, 12, "ﬁscher")


def test_offsets_of_a_match_deep_in_a_long_text():
    text = ("Müller’s café — ﬁne.\n\n" * 400) + "Khaled  Meshál\n" + ("Straße " * 300)
    hit = only_hit(MESHAL, text)
    assert hit.found == "Khaled  Meshál"
    assert_offsets(text, hit)


def test_offsets_survive_random_text():
    """Whatever surrounds a name, `found` is where the name is and folds to the form."""
    rng = random.Random(7)
    noise = list("abc éßﬁ\n\t\u00a0’«»()-") + [
        "Ёё",
        "й",
        "خَ",
        "חָ",
        "王",
        "가",
        "😀",
        "\u0301",
        "\u00ad",
    ]
    watches = [WatchTerms("Sergei Lavrov"), WatchTerms("Mashal*"), WatchTerms("王建国")]
    matcher = Matcher(watches)
    for _ in range(300):
        chunks = ["".join(rng.choices(noise, k=rng.randint(0, 12))) for _ in range(3)]
        text = f"{chunks[0]} Sergei  Lavróv {chunks[1]} 王建国 {chunks[2]} Mashaleh."
        for hit in matcher.hits(text):
            assert_offsets(text, hit)
            assert fold(hit.found).startswith(fold(hit.matched.rstrip("*")))


# --- snippets --------------------------------------------------------------------------------


def test_snippet_of_a_short_text_is_the_whole_text_collapsed():
    text = "  Sergei Lavrov\n\nmet Meshal.  "
    assert only_hit(WatchTerms("Meshal"), text).snippet == "Sergei Lavrov met Meshal."


def test_snippet_is_around_the_match_cut_at_words():
    text = f"{SEED_TITLE}\n\n{SEED_BODY}"
    hit = only_hit(WatchTerms("John Kerry"), text)
    assert "John Kerry" in hit.snippet
    assert 150 <= len(hit.snippet) <= 220
    assert hit.snippet.startswith("…") and hit.snippet.endswith("…")
    # cut at word boundaries: the words at both ends are words of the text
    words = set(text.split())
    first_word, last_word = hit.snippet[1:].split()[0], hit.snippet[:-1].split()[-1]
    assert first_word in words and last_word in words
    assert "\n" not in hit.snippet and "  " not in hit.snippet


def test_snippet_at_the_start_of_a_long_text_has_no_leading_ellipsis():
    text = "Lavrov said " + "many things about the talks " * 40
    snippet = only_hit(WatchTerms("Lavrov"), text).snippet
    assert snippet.startswith("Lavrov said") and snippet.endswith("…")
    assert len(snippet) <= 220


def test_snippet_in_text_without_spaces():
    text = "外交部长王建国今天表示" * 40
    snippet = only_hit(WatchTerms("王建国"), text).snippet
    assert "王建国" in snippet and len(snippet) <= 220


# --- a big watchlist -------------------------------------------------------------------------


def synthetic_watches(count: int) -> list[WatchTerms]:
    rng = random.Random(11)
    syllables = ["ka", "ro", "mi", "tes", "lan", "vo", "ber", "shi", "dra", "nu", "zel", "po"]
    watches, seen = [], set()
    while len(watches) < count:
        first = "".join(rng.choices(syllables, k=2)).title()
        last = "".join(rng.choices(syllables, k=4)).title()
        if last in seen:  # each watch its own surname, so that one plant fires one watch
            continue
        seen.add(last)
        cyrillic = last.lower().translate(str.maketrans("aeiklmnoprstuvzbdh", "аеиклмнопрстувзбдх"))
        watches.append(
            WatchTerms(f"{first} {last}", aliases=(f"{first[0]}. {last}", f"{cyrillic}*"))
        )
    return watches


def test_ten_thousand_watches_still_match_correctly():
    many = synthetic_watches(10_000)
    matcher = Matcher([*many, *SEED_WATCHES])
    assert len(matcher) == 10_005
    text = f"{SEED_TITLE}\n\n{SEED_BODY}"
    small = Matcher(SEED_WATCHES).hits(text)
    assert matcher.hits(text) == small

    planted = many[1234]
    cyrillic = planted.aliases[1].rstrip("*")
    text = f"Before. {planted.name}'s plan, said {cyrillic}ом.\n\n{SEED_BODY}"
    hits = matcher.hits(text)
    assert hits[0].watch == planted.name and hits[0].found == planted.name
    assert names(hits[1:]) == ["Sergei Lavrov", "Khaled Meshal", "John Kerry"]
    for hit in hits:
        assert_offsets(text, hit)


def test_the_one_character_word_rule_is_the_tables_rule():
    """`is_word_char` (checking a watch's forms, without the tables) and the tables'
    `word_at` (matching texts) are one rule: every BMP character, and a few astral ones."""
    from pipelines.alerts.folding import fold_tables, is_word_char

    word_at = fold_tables().word_at
    chars = [chr(p) for p in range(0x10000)] + ["\U0001d400", "\U00020000", "\U0001f600"]
    differ = [c for c in chars if is_word_char(c) != bool(word_at.match(c))]
    assert not differ, [hex(ord(c)) for c in differ[:20]]
