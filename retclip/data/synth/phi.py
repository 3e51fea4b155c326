"""Fake protected health information (PHI) for synthetic reports, in the forms clinics write it.

Every value is invented from a random generator; the types match the cleaner's placeholders.
Some names are also common words (Rose, Hope, 王明 ...) because those are the hard cases.
"""

from __future__ import annotations

from datetime import date, timedelta

import numpy as np

ZH_SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢"
    "宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢"
)
ZH_GIVEN = (
    "伟芳娜秀敏静丽强磊军洋勇艳杰娟涛明超霞平刚桂英"
    "华玉兰红建国志文斌飞鹏辉亮海燕雪梅晨宇浩然欣怡子轩思雨佳琪"
)
EN_FIRST = [
    "James",
    "Mary",
    "John",
    "Patricia",
    "Robert",
    "Jennifer",
    "Michael",
    "Linda",
    "David",
    "Elizabeth",
    "William",
    "Susan",
    "Richard",
    "Jessica",
    "Joseph",
    "Sarah",
    "Thomas",
    "Karen",
    "Daniel",
    "Nancy",
    "Rose",
    "Hope",
    "Grant",
    "Will",
    "Faith",
    "May",
    "Joy",
    "Mark",
    "Summer",
    "Hunter",
    "Dawn",
    "Rich",
    "Bill",
    "Art",
    "Iris",
    "Jasmine",
    "Amber",
    "Ray",
    "Wei",
    "Priya",
    "Ahmed",
    "Olga",
]
EN_LAST = [
    "Smith",
    "Johnson",
    "Williams",
    "Brown",
    "Jones",
    "Garcia",
    "Miller",
    "Davis",
    "Wilson",
    "Anderson",
    "Taylor",
    "Thomas",
    "Moore",
    "Martin",
    "Lee",
    "White",
    "Young",
    "Green",
    "Black",
    "Long",
    "King",
    "Best",
    "Hill",
    "Wood",
    "Stone",
    "Bird",
    "Rice",
    "Fox",
    "Chen",
    "Wang",
    "Nguyen",
    "Patel",
    "Kim",
    "Singh",
    "Novak",
]
ZH_CITIES = (
    ("北京市", "朝阳区"),
    ("上海市", "徐汇区"),
    ("广州市", "天河区"),
    ("深圳市", "南山区"),
    ("杭州市", "西湖区"),
    ("成都市", "武侯区"),
    ("武汉市", "洪山区"),
    ("南京市", "鼓楼区"),
)
ZH_ROADS = [
    "建国",
    "人民",
    "解放",
    "中山",
    "长江",
    "黄河",
    "和平",
    "新华",
    "胜利",
    "友谊",
    "光明",
    "文化",
]
EN_STREETS = [
    "Oak",
    "Maple",
    "Pine",
    "Cedar",
    "Elm",
    "Washington",
    "Lake",
    "Hill",
    "Park",
    "Main",
    "Church",
    "High",
]
EN_TOWNS = (
    ("Springfield", "IL", "62704"),
    ("Riverside", "CA", "92501"),
    ("Fairview", "TX", "75069"),
    ("Madison", "WI", "53703"),
    ("Salem", "OR", "97301"),
)
EN_MONTHS = "January February March April May June July August September October November December"
MONTHS = EN_MONTHS.split()
ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
ID_CHECK = "10X98765432"
REGION_CODES = ("110105", "310104", "440106", "440305", "330106", "510107", "420111", "320106")


def _pick(rng: np.random.Generator, items):
    return items[int(rng.integers(len(items)))]


def zh_name(rng: np.random.Generator) -> str:
    given = "".join(_pick(rng, ZH_GIVEN) for _ in range(int(rng.integers(1, 3))))
    return _pick(rng, ZH_SURNAMES) + given


def en_name(rng: np.random.Generator) -> str:
    if rng.random() < 0.15:
        return f"{_pick(rng, EN_FIRST)[0]}. {_pick(rng, EN_LAST)}"
    return f"{_pick(rng, EN_FIRST)} {_pick(rng, EN_LAST)}"


def phone(rng: np.random.Generator, lang: str) -> str:
    digits = "".join(str(int(d)) for d in rng.integers(0, 10, 8))
    style = int(rng.integers(4))
    if lang == "zh":
        mobile = f"1{int(rng.integers(3, 10))}{int(rng.integers(0, 10))}{digits}"
        return (
            mobile,
            f"{mobile[:3]}-{mobile[3:7]}-{mobile[7:]}",
            f"+86 {mobile[:3]} {mobile[3:7]} {mobile[7:]}",
            f"0{int(rng.integers(10, 30))}-{digits}",
        )[style]
    area = f"{int(rng.integers(201, 990))}"
    return (
        f"({area}) {digits[:3]}-{digits[3:7]}",
        f"{area}-{digits[:3]}-{digits[3:7]}",
        f"+1 {area} {digits[:3]} {digits[3:7]}",
        f"{area}.{digits[:3]}.{digits[3:7]}",
    )[style]


def chinese_id(rng: np.random.Generator, birth: date) -> str:
    """18-character resident ID with a valid ISO 7064 MOD 11-2 check character."""
    body = f"{_pick(rng, REGION_CODES)}{birth:%Y%m%d}{int(rng.integers(0, 1000)):03d}"
    total = sum(int(c) * w for c, w in zip(body, ID_WEIGHTS, strict=True))
    return body + ID_CHECK[total % 11]


def record_number(rng: np.random.Generator, lang: str) -> tuple[str, str]:
    """(label, value) of a medical record, admission or accession number."""
    n = int(rng.integers(0, 10**8))
    if lang == "zh":
        label = _pick(rng, ("病历号", "门诊号", "住院号", "检查号", "ID号"))
        value = _pick(rng, (f"MR{n:08d}", f"{n:08d}", f"ZY{n % 10**6:06d}", f"E{n:09d}"))
    else:
        label = _pick(rng, ("MRN", "Medical record no.", "Accession #", "Hospital No."))
        value = _pick(rng, (f"{n:08d}", f"MRN-{n:07d}", f"ACC{n:09d}", f"H{n % 10**6:06d}"))
    return label, value


def random_date(rng: np.random.Generator, start: date, end: date) -> date:
    return start + timedelta(days=int(rng.integers(0, (end - start).days + 1)))


def format_date(rng: np.random.Generator, day: date, lang: str) -> str:
    if lang == "zh":
        forms = (
            f"{day:%Y-%m-%d}",
            f"{day.year}/{day.month}/{day.day}",
            f"{day.year}年{day.month}月{day.day}日",
            f"{day:%Y.%m.%d}",
        )
    else:
        forms = (
            f"{day:%Y-%m-%d}",
            f"{day:%d/%m/%Y}",
            f"{day.day} {MONTHS[day.month - 1][:3]} {day.year}",
            f"{MONTHS[day.month - 1]} {day.day}, {day.year}",
            f"{day:%m/%d/%Y}",
        )
    return _pick(rng, forms)


def address(rng: np.random.Generator, lang: str) -> str:
    if lang == "zh":
        city, district = _pick(rng, ZH_CITIES)
        return (
            f"{city}{district}{_pick(rng, ZH_ROADS)}路{int(rng.integers(1, 999))}号"
            f"{int(rng.integers(1, 30))}栋{int(rng.integers(101, 2999))}室"
        )
    town, state, zipcode = _pick(rng, EN_TOWNS)
    return (
        f"{int(rng.integers(1, 9999))} {_pick(rng, EN_STREETS)} Street, {town}, {state} {zipcode}"
    )


def email(rng: np.random.Generator, name_hint: str) -> str:
    user = "".join(c for c in name_hint.lower() if c.isascii() and c.isalnum()) or "patient"
    domain = _pick(rng, ("163.com", "qq.com", "example.org", "mail.example.com", "126.com"))
    return f"{user}{int(rng.integers(1, 999))}@{domain}"


def url(rng: np.random.Generator) -> str:
    host = _pick(
        rng,
        (
            "www.eye-hospital.example.cn",
            "portal.retina-clinic.example.org",
            "report.example-eyecare.com",
        ),
    )
    return f"https://{host}/r/{int(rng.integers(10**5, 10**7))}"
