"""What a typed request says as search words: stop words, stems, synonyms, typos, hostile syntax."""

from __future__ import annotations

import re

from bot.services.requests.matching import search_terms
from bot.services.requests.relevance import matched_concepts, score
from bot.services.requests.similar import MIN_CONCEPTS
from bot.services.requests.wording import concepts, stem

HOSTILE = '"export" NEAR(roadmap csv) AND -mode* OR NOT col:title ^ \' \\ & | ! ( ) { } <!channel>'


def test_stop_words_and_very_short_input_say_too_little_to_suggest() -> None:
    for typed in ("", "the", "please could you add the", "to it of at", "CSV", "ab cd", "!!! ???"):
        assert len(concepts(typed)) < MIN_CONCEPTS, typed


def test_one_stem_for_the_forms_of_a_word() -> None:
    assert {stem(w) for w in ("export", "exports", "exported", "exporting")} == {"export"}
    assert stem("processes") == stem("process") and stem("pages") == stem("page")
    assert stem("status") == "status" and stem("class") == "class"


def test_synonyms_and_jargon_meet() -> None:
    [download, spreadsheet] = concepts("download spreadsheet")
    assert "export" in download.alternatives and "csv" in spreadsheet.alternatives


def test_a_typo_still_matches_but_counts_less() -> None:
    wanted = concepts("notifcations slack")
    assert matched_concepts(wanted, "Slack notifications for mentions", "") == 2
    assert score(wanted, "Slack notifications for mentions", "") < score(
        concepts("notifications slack"), "Slack notifications", ""
    )


def test_search_terms_are_bare_words_whatever_was_typed() -> None:
    terms = search_terms(concepts(HOSTILE))
    assert terms and all(re.fullmatch(r"[^\W_]+", term.word) for term in terms)
    assert {"export", "near", "roadmap", "csv", "mode"} <= {term.word for term in terms}
