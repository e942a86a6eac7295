"""Pinyin search keys for Chinese names (pypinyin), cached per character.

Names are short and drawn from a few thousand characters, so converting character by character
through a cache costs about a microsecond per name, where a pypinyin call costs tens: this matters
when an import handles a million rows. A surname whose reading differs from the character's most
common one (曾 Zēng, not céng) comes from SURNAME_READINGS.
"""

from functools import lru_cache

from pypinyin import Style, lazy_pinyin

SURNAME_READINGS = {
    "曾": "zeng", "单": "shan", "解": "xie", "仇": "qiu", "朴": "piao", "区": "ou", "查": "zha",
    "缪": "miao", "翟": "zhai", "盖": "ge", "覃": "qin", "尉": "yu", "乐": "yue", "繁": "po",
    "员": "yun", "黑": "he", "纪": "ji", "种": "chong", "秘": "bi", "长": "chang", "重": "chong",
    "万俟": "moqi", "尉迟": "yuchi",
}


@lru_cache(maxsize=20000)
def _char(ch: str) -> str:
    return lazy_pinyin(ch, style=Style.NORMAL, errors=lambda s: s.lower())[0].lower()


@lru_cache(maxsize=50000)
def name_keys(name: str) -> tuple[str, str]:
    """("zhangsan", "zs") for 张三; letters and digits pass through lowercased."""
    name = "".join(ch for ch in (name or "") if not ch.isspace() and ch not in "·•.")
    parts: list[str] = []
    rest = name
    for surname in (name[:2], name[:1]):
        if surname and surname in SURNAME_READINGS:
            parts.append(SURNAME_READINGS[surname])
            rest = name[len(surname):]
            break
    parts.extend(_char(ch) for ch in rest)
    return "".join(parts)[:240], "".join(p[0] for p in parts if p)[:60]
