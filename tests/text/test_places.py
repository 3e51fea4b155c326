"""Towns and smaller places in running text, the province or state kept (places.py)."""

from __future__ import annotations

import pytest

from retclip.text.normalize import align
from retclip.text.phi import find_phi
from retclip.text.places import en_places, without_province, zh_places


def values(detect, text: str) -> set[str]:
    return {text[start:end] for _, start, end in detect(text)}


@pytest.mark.parametrize(
    ("text", "place"),
    [
        ("来自浙江省绍兴市", "绍兴市"),
        ("家住河南省周口市郸城县汲冢镇王庄村。", "周口市郸城县汲冢镇王庄村"),
        ("从安徽六安转诊", "六安"),
        ("现居光谷，平时在浑南区打工。", "光谷"),
        ("因温岭当地无眼底激光设备", "温岭"),
        ("外院（遵化中医院）曾行激光", "遵化"),
        ("今年春节后随子女迁居延边。", "延边"),
        ("双眼视力下降半年。塘栖镇人，务农。", "塘栖镇"),
    ],
)
def test_chinese_places(text, place):
    assert place in values(zh_places, text)


@pytest.mark.parametrize(
    ("text", "place"),
    [
        ("Lives in Dayton, OH.", "Dayton"),
        ("Referred from Ashtabula County by the GP", "Ashtabula County"),
        ("Moved here from Leeds last year", "Leeds"),
        ("Bemidji resident, retired", "Bemidji"),
        ("Lives in Yishun and comes in by bus", "Yishun"),
        ("Referred from ERIE by the community team", "ERIE"),
    ],
)
def test_english_places(text, place):
    assert place in values(en_places, text)


@pytest.mark.parametrize(
    "text",
    [
        "IOP by Goldmann applanation; Heidelberg Spectralis OCT",
        "drusen and IRMA at the posterior pole; Best disease; Coats disease",
        "黄斑区可见玻璃膜疣，视盘界清",
    ],
)
def test_clinical_names_are_no_places(text):
    assert not values(en_places, text) and not values(zh_places, text)


def test_the_province_or_state_stays():
    text = align("家住河南省周口市郸城县。常住地：内蒙古自治区包头市固阳县。Lives in Dayton, OH.")
    scrubbed = {text[s.start : s.end] for s in find_phi(text)}
    assert {"周口市郸城县", "包头市固阳县", "Dayton"} <= scrubbed
    assert not any(p in v for v in scrubbed for p in ("河南", "内蒙古", "OH"))


def test_a_postal_address_stays_whole():
    text = "住址：广东省深圳市福田区中山路304号"
    span = ("ADDRESS", 3, len(text))
    assert without_province(text, span) == span


@pytest.mark.parametrize("place", ["自贡市", "从化区", "回民区"])
def test_a_place_that_starts_with_a_preposition_is_scrubbed_whole(place):
    text = f"家住{place}。"
    scrubbed = {text[s.start : s.end] for s in find_phi(text)}
    assert place in scrubbed


def test_an_address_after_its_label_ends_with_the_sentence():
    text = "住址：浙江省桐乡市乌镇某村。眼底：视盘界清，C/D=0.5，右眼最佳矫正视力0.6。"
    scrubbed = {text[s.start : s.end] for s in find_phi(align(text))}
    assert "桐乡市乌镇某村" in "".join(scrubbed)
    assert not any("C/D" in value or "视力" in value for value in scrubbed)
