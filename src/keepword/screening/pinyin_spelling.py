"""Is a Latin string real pinyin, and does it spell given Han characters?

Two checks that tell a typo from another name. "ZHANG Xiaomign" is no pinyin at all (a typo
of someone's name, worth a human look), while "ZHANG Xiaoqing" is perfectly good pinyin for
other characters than 张晓明: a different name, however close the letters.
:func:`spells` accepts every reading of a polyphonic character (乐: le or yue), so a passport
spelling of a reading pypinyin did not pick as default still counts as the same name.
"""

from __future__ import annotations

import unicodedata
from functools import lru_cache

from pypinyin.pinyin_dict import pinyin_dict

#: Toneless Mandarin syllables (from pypinyin's dictionary, ü written u, interjections such as
#: m, n, ng, hm left out because no name uses them).
SYLLABLES: frozenset[str] = frozenset(
    """
    a ai an ang ao ba bai ban bang bao bei ben beng bi bian biang biao bie bin bing bo bong bu
    ca cai can cang cao ce cei cen ceng cha chai chan chang chao che chen cheng chi chong chou
    chu chua chuai chuan chuang chui chun chuo ci cong cou cu cuan cui cun cuo da dai dan dang
    dao de dei den deng di dia dian diao die din ding diu dong dou du duan dui dun duo e ei en
    eng er fa fan fang fei fen feng fiao fo fou fu ga gai gan gang gao ge gei gen geng gong gou
    gu gua guai guan guang gui gun guo ha hai han hang hao he hei hen heng hong hou hu hua huai
    huan huang hui hun huo ji jia jian jiang jiao jie jin jing jiong jiu ju juan jue jun ka kai
    kan kang kao ke kei ken keng kong kou ku kua kuai kuan kuang kui kun kuo la lai lan lang lao
    le lei len leng li lia lian liang liao lie lin ling liu lo long lou lu luan lue lun luo ma
    mai man mang mao me mei men meng mi mian miao mie min ming miu mo mou mu na nai nan nang nao
    ne nei nen neng ni nia nian niang niao nie nin ning niu nong nou nu nuan nue nun nuo o ou pa
    pai pan pang pao pei pen peng pi pian piao pie pin ping po pou pu qi qia qian qiang qiao qie
    qin qing qiong qiu qu quan que qun ran rang rao re ren reng ri rong rou ru rua ruan rui run
    ruo sa sai san sang sao se sen seng sha shai shan shang shao she shei shen sheng shi shou
    shu shua shuai shuan shuang shui shun shuo si song sou su suan sui sun suo ta tai tan tang
    tao te tei teng ti tian tiao tie ting tong tou tu tuan tui tun tuo wa wai wan wang wei wen
    weng wo wong wu xi xia xian xiang xiao xie xin xing xiong xiu xu xuan xue xun ya yan yang
    yao ye yi yin ying yo yong you yu yuan yue yun za zai zan zang zao ze zei zen zeng zha zhai
    zhan zhang zhao zhe zhei zhen zheng zhi zhong zhou zhu zhua zhuai zhuan zhuang zhui zhun
    zhuo zi zong zou zu zuan zui zun zuo
    """.split()
)
_LONGEST = max(map(len, SYLLABLES))


def fold_umlaut(text: str) -> str:
    """pypinyin writes ü as v (lv, nve); passports write LYU, LV, LU or LÜ: fold all to u."""
    return text.replace("v", "u")


@lru_cache(maxsize=131072)
def is_pinyin(text: str) -> bool:
    """Whether ``text`` (lower-case letters) splits into Mandarin syllables.

    A syllable starting with a vowel (an, e, ou ...) counts only at the start: inside a word
    pinyin would need an apostrophe (Xi'an), and without this rule most typos ("Daa" = da a,
    "Eixia" = ei xia) would pass for pinyin.
    """
    if not text:
        return False
    reachable = [True] + [False] * len(text)
    for start in range(len(text)):
        if reachable[start] and (start == 0 or text[start] not in "aeo"):
            for end in range(start + 1, min(len(text), start + _LONGEST) + 1):
                if text[start:end] in SYLLABLES:
                    reachable[end] = True
    return reachable[-1]


@lru_cache(maxsize=65536)
def character_readings(char: str) -> tuple[str, ...]:
    """Every toneless reading of one Han character, the most common first, ü folded to u."""
    readings = pinyin_dict.get(ord(char))
    if not readings:
        return ()
    return tuple(dict.fromkeys(_toneless(r) for r in readings.split(",")))


def default_reading(char: str) -> str:
    """The most common reading of a character ("" for a character pypinyin does not know)."""
    readings = character_readings(char)
    return readings[0] if readings else ""


def _toneless(reading: str) -> str:
    # NFKD splits ǚ into u + two combining marks; dropping the marks leaves "u".
    return "".join(c for c in unicodedata.normalize("NFKD", reading) if not unicodedata.combining(c))


def spells(surname_readings: tuple[str, ...], given: str, key: str) -> bool:
    """Whether ``key`` is the surname (one of its readings) followed by some reading of every
    character of ``given``, in order."""
    positions = {len(r) for r in surname_readings if key.startswith(r)}
    for char in given:
        readings = character_readings(char)
        positions = {p + len(r) for p in positions for r in readings if key.startswith(r, p)}
        if not positions:
            return False
    return len(key) in positions
