"""A name and birth date check scores the candidates born that day at once, and skips unread those whose name
tag rules them out: the same answers as scoring every candidate one by one."""

from __future__ import annotations

import random
from datetime import date

from rapidfuzz import fuzz
from screening_fixtures import ON

from keepword.domain.identifiers import make_id_number
from keepword.screening import RegistryEntry, ScreeningIndex, ScreeningRecord, check
from keepword.screening import decide
from keepword.screening.names import han_name_tag, han_tags_reaching, person_name_keys, person_name_score_stored
from keepword.screening.registry_entries import EntryDelisted, EntryListed

BIRTH = date(1985, 7, 1)
HAN_NAMES = ("张伟", "张伟伟", "张玮", "张大伟", "章伟", "张晓明", "张晓明明", "張曉明", "张晓", "赵伟", "曾小明", "曾晓明")
LATIN_NAMES = ("ZHANG Wei", "Zhang Xiaoming", "Wei Zhang", "ZENG Xiaoming", "zhangxiaomin")


def one_by_one(index: ScreeningIndex, name: str, unkeyed_only: bool) -> tuple[int, float] | None:
    """The best in-force person born on BIRTH whose name reaches the threshold, candidate by candidate."""
    keys, best = person_name_keys(name), None
    for row in index.person_candidates(ON, keys, birth=BIRTH):
        if unkeyed_only and index.is_keyed(row):
            continue
        score = person_name_score_stored(keys, index.stored_name(row))
        if score >= decide.NAME_MATCH_THRESHOLD and (best is None or score > best[1]):
            best = (row, score)
    return best


def crowded_index(seed: int, latin: bool) -> ScreeningIndex:
    """Many people born the same day with alike names: some twice, some not in force, some
    without an ID number, some written in Latin letters (if asked)."""
    rng = random.Random(seed)
    pool = HAN_NAMES + (LATIN_NAMES if latin else ())
    entries = []
    for i in range(60):
        number = "" if rng.random() < 0.3 else make_id_number("110101", BIRTH, i)
        until = date(2020, 1, 1) if rng.random() < 0.15 else None
        entries.append(RegistryEntry(f"P{i}", "person", rng.choice(pool), number, BIRTH, in_force_until=until))
    index = ScreeningIndex.build(entries)
    for i in rng.sample(range(60), 5):
        index.apply(EntryDelisted(f"P{i}"))
    return index


def test_scoring_candidates_at_once_finds_what_one_by_one_finds() -> None:
    for seed in range(8):
        for latin in (False, True):
            index = crowded_index(seed, latin)
            for name in (*HAN_NAMES, *LATIN_NAMES, "王五"):
                keys = person_name_keys(name)
                for unkeyed_only in (False, True):
                    expected = one_by_one(index, name, unkeyed_only)
                    assert decide._best_name_and_birth(index, keys, BIRTH, ON, decide.NAME_MATCH_THRESHOLD,
                                                       unkeyed_only) == expected, (seed, latin, name, unkeyed_only)


def test_a_review_names_the_best_scoring_entry_in_force() -> None:
    index = ScreeningIndex.build([
        RegistryEntry("A", "person", "张晓明明", make_id_number("110101", BIRTH, 1), BIRTH),
        RegistryEntry("B", "person", "张晓明", make_id_number("110101", BIRTH, 2), BIRTH, in_force_until=date(2020, 1, 1)),
        RegistryEntry("C", "person", "張曉明", make_id_number("110101", BIRTH, 3), BIRTH),
        RegistryEntry("D", "person", "张晓明", make_id_number("110101", BIRTH, 4), BIRTH),
    ])
    decision = check(index, ScreeningRecord(name="张晓明", birth_date=BIRTH), ON)
    assert (decision.decision, decision.entry_id, decision.score) == ("review", "C", 100.0)  # B is no longer in force


def namesake_one_by_one(index: ScreeningIndex, name: str) -> bool:
    """Whether an in-force person filed under the name's keys reaches the threshold, candidate by candidate."""
    keys = person_name_keys(name)
    return any(person_name_score_stored(keys, index.stored_name(row)) >= decide.NAME_MATCH_THRESHOLD
               for row in index.person_candidates(ON, keys=keys))


def test_namesakes_found_with_name_tags_are_those_found_one_by_one() -> None:
    for seed in range(8):
        for latin in (False, True):
            index = crowded_index(seed, latin)
            for name in (*HAN_NAMES, *LATIN_NAMES, "王五", "张 伟"):
                keys = person_name_keys(name)
                assert decide._has_namesake(index, keys, ON, decide.NAME_MATCH_THRESHOLD) \
                    == namesake_one_by_one(index, name), (seed, latin, name)


def test_a_namesake_no_longer_in_force_does_not_count() -> None:
    index = ScreeningIndex.build([
        RegistryEntry("A", "person", "张晓明", make_id_number("110101", BIRTH, 1), BIRTH, in_force_until=date(2020, 1, 1)),
        RegistryEntry("B", "person", "张晓敏", make_id_number("110101", BIRTH, 2), BIRTH),
    ])
    assert not decide._has_namesake(index, person_name_keys("张晓明"), ON, decide.NAME_MATCH_THRESHOLD)
    index.apply(EntryDelisted("B"))
    assert not decide._has_namesake(index, person_name_keys("张晓敏"), ON, decide.NAME_MATCH_THRESHOLD)
    assert decide._has_namesake(ScreeningIndex.build([
        RegistryEntry("C", "person", "張曉明", make_id_number("110101", BIRTH, 3), BIRTH)]),
        person_name_keys("张晓明"), ON, decide.NAME_MATCH_THRESHOLD)


def test_a_name_tag_rules_out_only_names_that_cannot_reach_the_threshold() -> None:
    rng = random.Random(7)
    chars = "张王李伟明晓敏华"  # few characters: many pairs alike
    for _ in range(20000):
        a = "".join(rng.choices(chars, k=rng.randint(1, 9)))
        b = "".join(rng.choices(chars, k=rng.randint(1, 9))) if rng.random() < 0.8 else a
        threshold = rng.choice((decide.NAME_MATCH_THRESHOLD, 50.0, 80.0, 90.0, 100.0))
        if fuzz.ratio(a, b) >= threshold:
            assert han_tags_reaching(a, threshold)[han_name_tag(b)], (a, b, threshold)


def test_a_name_not_all_in_characters_is_never_ruled_out() -> None:
    for stored in ("ZHANG Wei", "张Wei", "", "张 伟"):
        assert han_name_tag(stored) == 0
    assert all(han_tags_reaching(han, decide.NAME_MATCH_THRESHOLD)[0] for han in ("张", "张伟", "欧阳晓明明明明"))


def test_names_of_many_lengths_born_the_same_day_find_what_one_by_one_finds() -> None:
    names = ("张晓明", "张晓明明", "晓明明", "张晓明明明明", "张晓明明明明明", "张晓明明明明明明", "张晓", "李张晓明")
    rng = random.Random(3)
    entries = [RegistryEntry(f"P{i}", "person", rng.choice(names), make_id_number("110101", BIRTH, i), BIRTH)
               for i in range(40)]
    index = ScreeningIndex.build(entries)
    for name in names:
        keys = person_name_keys(name)
        assert decide._best_name_and_birth(index, keys, BIRTH, ON, decide.NAME_MATCH_THRESHOLD, False) \
            == one_by_one(index, name, False), name
        assert decide._has_namesake(index, keys, ON, decide.NAME_MATCH_THRESHOLD) == namesake_one_by_one(index, name)


def test_people_listed_after_the_build_are_candidates_too() -> None:
    index = crowded_index(1, latin=False)
    for i, name in enumerate(("张晓明", "张晓明明", "张伟")):
        index.apply(EntryListed(RegistryEntry(f"N{i}", "person", name, make_id_number("110101", BIRTH, 100 + i), BIRTH)))
    for name in HAN_NAMES:
        keys = person_name_keys(name)
        assert decide._best_name_and_birth(index, keys, BIRTH, ON, decide.NAME_MATCH_THRESHOLD, False) \
            == one_by_one(index, name, False), name
        assert decide._has_namesake(index, keys, ON, decide.NAME_MATCH_THRESHOLD) == namesake_one_by_one(index, name)
