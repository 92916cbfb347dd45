"""Readings of Chinese surnames, which differ from the everyday reading of the same character.

pypinyin reads 曾 as "ceng", 单 as "dan", 朴 as "pu": right in a sentence, wrong as a surname
(Zeng, Shan, Piao), and passports and forms spell the surname reading. Readings are written
the way a passport writes them, without tones, with ü as "u" (the comparison key folds ü/v/yu
to u on both sides).

Where a surname has two readings in use (尉 is Wei on its own but Yu in 尉迟; 盖 is Ge but many
bearers say Gai), every reading is listed, the dictionary one first: a name then gets one key
per reading, so either spelling on a form finds it.
"""

from __future__ import annotations

from functools import lru_cache

from keepword.screening.pinyin_spelling import default_reading

#: Two-character surnames, tried before the single-character table.
COMPOUND_SURNAMES: dict[str, tuple[str, ...]] = {
    "欧阳": ("ouyang",),
    "司马": ("sima",),
    "上官": ("shangguan",),
    "诸葛": ("zhuge",),
    "东方": ("dongfang",),
    "皇甫": ("huangfu",),
    "慕容": ("murong",),
    "司徒": ("situ",),
    "公孙": ("gongsun",),
    "夏侯": ("xiahou",),
    "宇文": ("yuwen",),
    "澹台": ("tantai",),
    "尉迟": ("yuchi",),
    "万俟": ("moqi",),
    "长孙": ("zhangsun",),
    "令狐": ("linghu",),
    "单于": ("chanyu",),
    "鲜于": ("xianyu",),
    "闻人": ("wenren",),
    "赫连": ("helian",),
    "南宫": ("nangong",),
    "西门": ("ximen",),
    "呼延": ("huyan",),
    "端木": ("duanmu",),
    "轩辕": ("xuanyuan",),
    "淳于": ("chunyu",),
    "公羊": ("gongyang",),
    "太叔": ("taishu",),
    "申屠": ("shentu",),
    "钟离": ("zhongli",),
    "濮阳": ("puyang",),
    "宗政": ("zongzheng",),
    "第五": ("diwu",),
    "亓官": ("qiguan",),
    "司空": ("sikong",),
    "左丘": ("zuoqiu",),
    "拓跋": ("tuoba",),
    "百里": ("baili",),
    "东郭": ("dongguo",),
    "谷梁": ("guliang",),
    "乐正": ("yuezheng",),
    "羊舌": ("yangshe",),
    "梁丘": ("liangqiu",),
    "公冶": ("gongye",),
    "仲孙": ("zhongsun",),
    "叔孙": ("shusun",),
    "巫马": ("wuma",),
    "公西": ("gongxi",),
    "漆雕": ("qidiao",),
    "壤驷": ("rangsi",),
    "颛孙": ("zhuansun",),
    "段干": ("duangan",),
    "闾丘": ("luqiu",),
    "东门": ("dongmen",),
    "司寇": ("sikou",),
    "子车": ("ziju",),
    "独孤": ("dugu",),
}

#: Single-character surnames whose surname reading is not pypinyin's default reading.
SINGLE_SURNAMES: dict[str, tuple[str, ...]] = {
    "曾": ("zeng",),
    "单": ("shan",),
    "解": ("xie",),
    "仇": ("qiu",),
    "朴": ("piao",),
    "区": ("ou",),
    "查": ("zha",),
    "盖": ("ge", "gai"),
    "乐": ("yue", "le"),
    "秘": ("bi",),
    "缪": ("miao",),
    "翟": ("zhai", "di"),
    "覃": ("qin", "tan"),
    "尉": ("wei", "yu"),
    "种": ("chong",),
    "长": ("chang",),
    "重": ("chong",),
    "莘": ("shen",),
    "员": ("yun",),
    "贲": ("ben",),
    "繁": ("po",),
    "隗": ("wei",),
    "召": ("shao",),
    "句": ("gou",),
    "柏": ("bai",),
    "祭": ("zhai",),
    "佴": ("nai",),
    "牟": ("mou", "mu"),
    "那": ("na",),
    "洗": ("xian",),
    "冼": ("xian",),
    "能": ("nai",),
    "厍": ("she",),
    "折": ("she",),
    "适": ("kuo",),
    "薄": ("bo",),
    "藏": ("zang",),
    "华": ("hua",),
    "任": ("ren",),
    "沈": ("shen",),
    "宁": ("ning",),
    "燕": ("yan",),
    "阚": ("kan",),
    "相": ("xiang",),
    "参": ("can",),
    "蕃": ("pi",),
    "粘": ("nian",),
    "殷": ("yin",),
    "都": ("du",),
    "朝": ("chao",),
    "传": ("chuan",),
    "令": ("ling",),
    "过": ("guo",),
    "车": ("che",),
    "石": ("shi",),
    "卜": ("bu",),
    "曲": ("qu",),
    "隽": ("juan",),
    "吕": ("lu",),
    "叶": ("ye",),
    "六": ("lu",),
    "盛": ("sheng",),
    "黑": ("he",),
    "纪": ("ji",),
    "便": ("pian",),
}

#: Common surname readings (Latin), used to find the surname inside "SANZHANG" or
#: "Xiaoming Zhang" when a form runs the parts together or puts the surname last.
COMMON_SURNAME_READINGS: frozenset[str] = frozenset(
    """
    wang li zhang liu chen yang huang zhao wu zhou xu sun ma zhu hu guo he lin luo gao zheng
    liang xie song tang han feng deng cao peng zeng xiao tian dong pan yuan cai jiang yu du ye
    cheng wei su lu ding ren shen yao jin fu zhong tan jia fan wan qin dai shi qiu xia gu hou
    meng long bai kong mao duan lei hao qian tao kang yan shao qi mo xiong yin chang niu
    mei fang ou lai wen hong ni ning bao ji zhai shan piao zha miao bi chong ge yue
    """.split()
) | frozenset(r for readings in COMPOUND_SURNAMES.values() for r in readings)

#: Latin readings of compound surnames, to rejoin "OU YANG Xiu" as ouyang + xiu.
COMPOUND_SURNAME_READINGS: frozenset[str] = frozenset(
    r for readings in COMPOUND_SURNAMES.values() for r in readings
)


def split_surname(han: str) -> tuple[str, str]:
    """Split a Han name into (surname, given name); compound surnames are tried first.

    The first two characters count as a compound surname (欧阳) only when a given name
    follows them: 司马 alone is surname 司, given name 马.
    """
    if len(han) >= 3 and han[:2] in COMPOUND_SURNAMES:
        return han[:2], han[2:]
    return han[:1], han[1:]


@lru_cache(maxsize=4096)
def surname_readings(surname: str) -> tuple[str, ...]:
    """Pinyin readings of a surname as passports spell it, the usual one first."""
    readings = COMPOUND_SURNAMES.get(surname) or SINGLE_SURNAMES.get(surname)
    if readings:
        return readings
    return ("".join(map(default_reading, surname)),)
