"""Codes after their label or known by their shape (retclip/text/identifiers.py)."""

from __future__ import annotations

import pytest

from retclip.text.identifiers import labelled_codes, prose_plates, shaped_codes
from retclip.text.normalize import align


def found(detect, text: str) -> list[tuple[str, str]]:
    text = align(text)
    return [(kind, text[start:end]) for kind, start, end in detect(text)]


@pytest.mark.parametrize(
    ("text", "kind", "value"),
    [
        ("车牌号：浙D·12345，散瞳后勿驾车", "VEHICLE", "浙D·12345"),
        ("Security logged reg W752 JJC in the bay", "VEHICLE", "W752 JJC"),
        ("Taxi SCR 6554 Z: fitness to drive", "VEHICLE", "SCR 6554 Z"),
        ("Camera S/N 3AC41B7729 recorded", "DEVICE", "3AC41B7729"),
        (
            "植入物UDI：(01)05946877224543(17)210607(10)4HJ96LG",
            "DEVICE",
            "(01)05946877224543(17)210607(10)4HJ96LG",
        ),
        ("家用监测手机IMEI 35-209900-745006-3 已绑定", "DEVICE", "35-209900-745006-3"),
        ("银行卡号 6222 0212 3456 7890 123", "ACCOUNT", "6222 0212 3456 7890 123"),
        ("Card ending in the number 3706 524187 52242 was charged", "ACCOUNT", "3706 524187 52242"),
        ("Medi-Cal CIN 65995553C.", "HEALTH_PLAN", "65995553C"),
        ("医保卡Y64854452余额不足", "HEALTH_PLAN", "Y64854452"),
        ("Driver licence no. GARCI556036SX9VF surrendered", "LICENSE", "GARCI556036SX9VF"),
        ("Optometrist GOC registration 01-72507.", "LICENSE", "01-72507"),
        ("声纹模板编号vp_1d14d2ed5fd8用于核验", "BIOMETRIC", "vp_1d14d2ed5fd8"),
        ("已添加患者微信（lili_zhao1990）发送提醒", "HANDLE", "lili_zhao1990"),
        ("随访联系：wx Nana_88797。", "HANDLE", "Nana_88797"),
        ("Telegram for the son's updates: kofi", "HANDLE", "kofi"),
        ("WhatsApp number of the carer: 07700 900461", "HANDLE", "07700 900461"),
    ],
)
def test_a_code_after_its_label(text, kind, value):
    assert (kind, value) in found(labelled_codes, text)


@pytest.mark.parametrize(
    ("text", "kind", "value"),
    [
        (
            "本报告由IP为2601:647:4871:D803:59F2:4E8:5409:98A7的终端打印",
            "IP",
            "2601:647:4871:D803:59F2:4E8:5409:98A7",
        ),
        ("患者门户登录IP：10.61.73.214。", "IP", "10.61.73.214"),
        ("uploaded from RET-VF-28 (DB:D2:2C:8D:9B:E2).", "DEVICE", "DB:D2:2C:8D:9B:E2"),
        ("Scans exported from OPH-WS-0231, asset", "DEVICE", "OPH-WS-0231"),
        ("Host DESKTOP-CWGSQTB uploaded the series", "DEVICE", "DESKTOP-CWGSQTB"),
        ("Medicare MBI: 1EG4-TE5-MK73.", "HEALTH_PLAN", "1EG4-TE5-MK73"),
        ("Retina-scan access badge RS0D92EFEC failed", "ID", "RS0D92EFEC"),
        ("BJN5912 was towed from the car park", "ID", "BJN5912"),
        ("Twitter @harold_eyes posts", "HANDLE", "@harold_eyes"),
        ("ID for the call: nora.okafor", "HANDLE", "nora.okafor"),
        ("由领馆车辆滇A·0705领接送", "VEHICLE", "滇A·0705领"),
        ("门禁卡号码XK:4411-2093-T已注销", "ID", "XK:4411-2093-T"),
        ("Badge VRT-55120-K reissued", "DEVICE", "VRT-55120-K"),
    ],
)
def test_a_code_known_by_its_shape(text, kind, value):
    assert (kind, value) in found(shaped_codes, text)


@pytest.mark.parametrize(
    "text",
    [
        "IOP 20mmHg, CMT312 um, HbA1c 7.2%, grade ODR3aM1, R2M1",
        "a 104-year-old man seen 2023-04-05 at 10:30:00, VA 0.8",
        "Humphrey 24-2, COVID-19 negative, 3 x 10-2 fields, image.jpg",
        "TEL010 41462397 转 382",
    ],
)
def test_measurements_grades_dates_and_labels_are_no_codes(text):
    assert found(shaped_codes, text) == []


def test_a_label_is_never_the_value():
    assert found(labelled_codes, "Skype ID for the interpreter: omar") == [("HANDLE", "omar")]
    assert set(found(labelled_codes, "Twitter handle @x_y12 posts")) == {("HANDLE", "@x_y12")}


@pytest.mark.parametrize("text", ["SARS-CoV-2 PCR negative", "HLA-B27 positive", "IgG4-related"])
def test_clinical_codes_with_dashes_are_no_devices(text):
    assert found(shaped_codes, text) == []


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("The camera caught KLM 4410 reversing out of the car park.", "KLM 4410"),
        ("Her son's vehicle, BX71 PQR, blocked the ambulance bay.", "BX71 PQR"),
        ("Parking warden noted TRE 778 C near the entrance.", "TRE 778 C"),
        ("CCTV: ZK7 and 552 TRV left the car park at 9.", "ZK7"),
        ("CCTV: ZK7 and 552 TRV left the car park at 9.", "552 TRV"),
        ("The taxi, 318 kdz, waited outside.", "318 kdz"),
    ],
)
def test_a_plate_in_a_sentence_about_a_vehicle(text, value):
    assert ("VEHICLE", value) in found(prose_plates, text)


@pytest.mark.parametrize(
    "text",
    [
        "Drove himself in today; IOP 21 mmHg OD, CMT 312 um.",
        "RNFL 85 um superiorly. Plate 3 of the Ishihara book missed.",  # no vehicle word
        "He was driving when the vision dropped: VA 6/18, MD 4.2 dB.",
        "DVLA told he may keep driving: R3S M1 OU, BCVA 0.48 logMAR, ODM1.",
        "Drove in for 015 minutes; parked at 10 AM.",
    ],
)
def test_measurements_beside_a_vehicle_word_are_no_plates(text):
    assert found(prose_plates, text) == []


@pytest.mark.parametrize(
    ("text", "value"),
    [("登录IP:10.61.73.214", "10.61.73.214"), ("Camera SN:3AC41B7729 logged", "3AC41B7729")],
)
def test_a_label_glued_by_a_colon_stays_out_of_the_code(text, value):
    assert value in [v for _, v in found(shaped_codes, text)]
