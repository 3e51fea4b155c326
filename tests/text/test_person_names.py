"""Names with no label or title (person_names.py)."""

from __future__ import annotations

import pytest

from retclip.text.person_names import en_unlabelled_names, zh_unlabelled_names


def values(detect, text: str) -> set[str]:
    return {text[start:end] for _, start, end in detect(text)}


@pytest.mark.parametrize(
    ("text", "name"),
    [
        ("陈志强今日复查，诉右眼视物模糊。", "陈志强"),
        ("王秀英诉右眼视物模糊两周", "王秀英"),
        ("与计建国沟通后同意行光凝。", "计建国"),
        ("今日宓荣华由其女儿陪同就诊。", "宓荣华"),
        ("随访信息：区桂芝拒绝行荧光造影。", "区桂芝"),
        ("欧阳美玲、钱刚同日行眼底照相筛查。", "欧阳美玲"),
    ],
)
def test_chinese_names(text, name):
    assert name in values(zh_unlabelled_names, text)


@pytest.mark.parametrize(
    ("text", "name"),
    [
        ("Harold returned today; vision stable.", "Harold"),
        ("Maria Gonzalez presents for follow-up.", "Maria Gonzalez"),
        ("Yamamoto tolerated the injection well.", "Yamamoto"),
        ("Robertson was counselled about driving.", "Robertson"),
        ("Admin: Lindqvist, Gloria attended.", "Lindqvist, Gloria"),
        ("Spoke to Ka Yan Le Roux by phone.", "Ka Yan Le Roux"),
        ("Thank you for referring ava thompson, who has noticed", "ava thompson"),
        ("hi, this is mohammed okafor writing for my dad", "mohammed okafor"),
        ("Aroha and Deborah both asked about driving.", "Aroha"),
        ("Social: Giuseppe's sugars remain high.", "Giuseppe"),
        ("Reviewed with Jürgen Östberg, who reports glare.", "Jürgen Östberg"),
        ("Saoirse Nic Giolla attended with her mother.", "Saoirse Nic Giolla"),
        ("Reviewed today. Mei Ling has been instilling the drops twice daily.", "Mei Ling"),
        ("Phone review; Will has been wearing the patch.", "Will"),
        ("Clinic 3: seen joy okonkwo with her daughter, plan discussed.", "joy okonkwo"),
        ("Clinic 3: seen dawn w/ husband today.", "dawn"),
    ],
)
def test_english_names(text, name):
    assert name in values(en_unlabelled_names, text)


@pytest.mark.parametrize(
    "text",
    [
        "Iris: flat. Lens: clear. Best disease. Hope for improvement.",
        "IOP by Goldmann applanation; Stargardt pattern; dot and blot hemorrhages with IRMA.",
        "Moved to Alberta. New Jersey driver license on file.",
        "Admin: Camera serial checked. Parking validated.",
        "Ranibizumab has been given monthly. Vision has been stable. She has been using drops.",
        "Treatment reviewed. Seen today with her son; I hope with treatment vision improves.",
    ],
)
def test_english_words_that_are_no_names(text):
    assert values(en_unlabelled_names, text) == set()


@pytest.mark.parametrize(
    "text",
    [
        "黄斑区可见玻璃膜疣，高度近视，双眼视力下降。余未见异常。",
        "左眼：矫正视力0.05。",
        "家属微信：abc",
    ],
)
def test_chinese_words_that_are_no_names(text):
    assert values(zh_unlabelled_names, text) == set()
