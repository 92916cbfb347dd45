"""Name keys: surname readings, pinyin spellings, traditional characters, organisation names."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from keepword.screening.names import (
    OTHER_NAME_CEILING,
    han_key,
    normalize_org_name,
    person_name_keys,
    person_name_score,
)
from keepword.screening.pinyin_spelling import is_pinyin
from keepword.screening.surnames import split_surname


def score(a: str, b: str) -> float:
    return person_name_score(person_name_keys(a), person_name_keys(b))


@pytest.mark.parametrize(
    ("name", "surname_first_key"),
    [
        ("曾小明", "zengxiaoming"), ("单雄信", "shanxiongxin"), ("解缙", "xiejin"), ("仇英", "qiuying"),
        ("朴明", "piaoming"), ("区伟", "ouwei"), ("查明", "zhaming"), ("盖伟", "gewei"), ("乐平", "yueping"),
        ("秘明", "biming"), ("缪伟", "miaowei"), ("翟明", "zhaiming"), ("覃伟", "qinwei"), ("种明", "chongming"),
        ("尉迟恭", "yuchigong"), ("万俟明", "moqiming"), ("长孙无忌", "zhangsunwuji"), ("令狐冲", "linghuchong"),
        ("欧阳修", "ouyangxiu"), ("司马光", "simaguang"), ("上官婉儿", "shangguanwaner"), ("诸葛亮", "zhugeliang"),
        ("东方明", "dongfangming"), ("皇甫明", "huangfuming"), ("慕容复", "murongfu"), ("司徒明", "situming"),
        ("公孙明", "gongsunming"), ("夏侯惇", "xiahoudun"), ("宇文明", "yuwenming"), ("澹台明", "tantaiming"),
        ("吕伟", "luwei"),
    ],
)
def test_surname_reading_comes_first_in_the_keys(name: str, surname_first_key: str) -> None:
    assert person_name_keys(name).pinyin[0] == surname_first_key


@pytest.mark.parametrize("name", ["盖伟", "尉伟", "乐平", "翟明"])
def test_surnames_with_two_readings_get_a_key_for_each(name: str) -> None:
    assert len(person_name_keys(name).pinyin) == 2


def test_compound_surname_is_split_before_single() -> None:
    assert split_surname("欧阳修") == ("欧阳", "修")
    assert split_surname("司马") == ("司", "马")  # no given name after it: single surname 司


@pytest.mark.parametrize(
    "spelling",
    ["ZHANG Xiaoming", "Xiaoming ZHANG", "Zhang Xiaoming", "zhang xiaoming", "ZHANGXIAOMING", "Zhang Xiao-ming",
     "Xiaoming Zhang", "XIAOMING ZHANG", "Zhang Xiao Ming", "Xiao Ming Zhang", "ZHANG, Xiaoming", "Zhāng Xiǎomíng",
     "張曉明", "张 晓明", "xiaomingzhang"],
)
def test_spellings_of_one_name_score_100(spelling: str) -> None:
    assert score("张晓明", spelling) == 100.0


@pytest.mark.parametrize("spelling", ["OUYANG Xiu", "Xiu OUYANG", "Ou Yang Xiu", "Ouyang Xiu", "OUYANGXIU", "歐陽修"])
def test_compound_surname_spellings(spelling: str) -> None:
    assert score("欧阳修", spelling) == 100.0


@pytest.mark.parametrize("spelling", ["LYU Wei", "LV Wei", "LU Wei", "Lü Wei", "Wei LYU", "呂偉"])
def test_u_umlaut_spellings(spelling: str) -> None:
    assert score("吕伟", spelling) == 100.0


@pytest.mark.parametrize(("name", "spelling"), [("曾小明", "ZENG Xiaoming"), ("单雄信", "SHAN Xiongxin"),
                                                ("朴正熙", "PIAO Zhengxi"), ("区伟", "OU Wei"), ("盖伟", "GAI Wei")])
def test_surname_readings_match_passport_spellings(name: str, spelling: str) -> None:
    assert score(name, spelling) == 100.0


def test_other_reading_of_a_given_name_character_counts() -> None:
    assert score("王乐", "WANG Yue") == 100.0  # 乐 is le or yue
    assert score("李长江", "LI Changjiang") == 100.0  # pypinyin says zhang


def test_traditional_and_simplified_have_the_same_han_key() -> None:
    assert han_key("張曉明") == han_key("张晓明") == "张晓明"
    assert han_key("阿依古丽·买买提") == "阿依古丽买买提"


def test_different_characters_with_the_same_sound_are_different_names() -> None:
    assert score("张伟", "章伟") < 85


def test_two_real_pinyin_names_are_never_close() -> None:
    assert score("张晓明", "ZHANG Xiaoqing") <= OTHER_NAME_CEILING
    assert score("陈丽贵", "CHEN Linggui") <= OTHER_NAME_CEILING


def test_a_typo_stays_close() -> None:
    assert score("张晓明", "ZHANG Xiaomign") >= 85


def test_pinyin_check() -> None:
    assert is_pinyin("zhangxiaoming") and is_pinyin("ouyangxiu")
    assert not is_pinyin("zhangxiaomign")
    assert not is_pinyin("daa")  # "da a" would need an apostrophe


SURNAMES = ["zhang", "wang", "li", "ouyang", "zeng", "huang"]
GIVEN = ["wei", "xiaoming", "fang", "jianguo", "lili", "yue"]


@given(st.sampled_from(SURNAMES), st.sampled_from(GIVEN), st.booleans(), st.booleans())
def test_order_and_case_of_latin_parts_do_not_matter(surname: str, given_name: str, surname_last: bool, caps: bool) -> None:
    parts = [given_name.capitalize(), surname.upper() if caps else surname.capitalize()]
    written = " ".join(parts if surname_last else parts[::-1])
    assert surname + given_name in person_name_keys(written).pinyin


@given(st.text(alphabet="张王李赵曾欧阳修晓明伟芳 ·", max_size=6))
def test_han_key_is_idempotent(name: str) -> None:
    assert han_key(han_key(name)) == han_key(name)


@pytest.mark.parametrize(
    "variant",
    ["北京华信科技有限公司", "北京华信科技有限责任公司", "北京 华信 科技 有限公司", "北京華信科技有限公司",
     "　北京华信科技有限公司　"],
)
def test_org_suffix_spaces_and_traditional_variants_are_equal(variant: str) -> None:
    assert normalize_org_name(variant) == "北京华信科技有限公司"


@pytest.mark.parametrize("variant", ["华信（北京）科技股份有限公司", "华信(北京)科技股份公司", "华信 (北京) 科技股份有限公司",
                                     "華信（北京）科技股份有限公司"])
def test_org_brackets_fold_to_half_width(variant: str) -> None:
    assert normalize_org_name(variant) == "华信(北京)科技股份有限公司"


@pytest.mark.parametrize("variant", ["前海投资中心（有限合伙）", "前海投资中心(有限合伙)", "前海投资中心有限合伙",
                                     "前海投資中心（有限合夥）"])
def test_partnership_form(variant: str) -> None:
    assert normalize_org_name(variant) == "前海投资中心(有限合伙)"


@pytest.mark.parametrize(("variant", "canonical"), [("天成会计师事务所（特殊普通合伙）", "天成会计师事务所(特殊普通合伙)"),
                                                  ("天成会计师事务所(普通合伙)", "天成会计师事务所(普通合伙)")])
def test_general_partnerships(variant: str, canonical: str) -> None:
    assert normalize_org_name(variant) == canonical


def test_group_with_or_without_company_form() -> None:
    assert normalize_org_name("华信集团有限公司") == normalize_org_name("华信集团") == "华信集团"


@pytest.mark.parametrize("variant", ["Huaxin Technology Co., Ltd.", "HUAXIN TECHNOLOGY CO.,LTD", "Huaxin Technology Company Limited",
                                     "Huaxin Technology Co. Ltd", "Huaxin Technology Limited", "Ｈｕａｘｉｎ Technology LTD."])
def test_english_legal_forms(variant: str) -> None:
    assert normalize_org_name(variant) == "huaxin technology co ltd"


def test_joint_stock_and_limited_company_stay_different() -> None:
    assert normalize_org_name("华信科技股份有限公司") != normalize_org_name("华信科技有限公司")


NAME_POOL = ["张晓明", "張曉明", "ZHANG Xiaoming", "Xiaoming Zhang", "欧阳修", "OUYANG Xiu", "吕伟", "LYU Wei",
             "曾小明", "ZENG Xiaomign", "王乐", "WANG Yue", "John Smith", ""]


@given(st.sampled_from(NAME_POOL), st.sampled_from(NAME_POOL))
def test_scoring_against_the_stored_form_agrees(asked: str, listed: str) -> None:
    from keepword.screening.names import has_han, person_name_score_stored

    stored = han_key(listed) if has_han(listed) else listed
    expected = person_name_score(person_name_keys(asked), person_name_keys(listed))
    assert person_name_score_stored(person_name_keys(asked), stored) == expected
