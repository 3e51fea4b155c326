# ruff: noqa: RUF001
"""Hold-out generator of synthetic eye-clinic reports with labelled PHI.

This module is deliberately self-contained (standard library only) and was
written without reference to the project's PHI detectors, so that it can be
used to measure their recall on identifier types that are easy to miss.

Each generated :class:`Report` is a short retinal / fundus / OCT report or
clinic letter in Chinese (``"zh"``), English (``"en"``) or a mix of both
(``"mixed"``).  ``phi`` lists the spans of identifying values (one of
:data:`CATEGORIES`); ``keep`` lists clinical content that must survive
scrubbing (measurements, lesions, eye sides, eponyms, device makers, times,
doses and the state / province / country of a CITY mention, kind
``"REGION"``).  Offsets are code-point offsets into ``text``, half-open.

Span conventions:

* a span covers exactly the identifying value; label words (plate, 车牌号,
  MBI, 微信号, SN ...) and surrounding punctuation stay outside;
* IP spans cover the address only (no brackets, no ``:port``);
* ``@`` is part of a social handle;
* AGE_OVER_89 marks the age (digits or number words, without 岁 / years)
  and the birth year (without 年) as two separate spans;
* a Chinese CITY chain below the province (周口市郸城县, 诸暨市枫桥镇) is one span.

Only ``random.Random(seed)`` is used, so output is deterministic per seed.
Run ``python -m retclip.text.phi_holdout --show 3`` for a summary and samples.
"""

from __future__ import annotations

import argparse
import itertools
import random
import re
from collections import Counter
from collections.abc import Callable
from typing import Any, NamedTuple

CATEGORIES = (
    "CITY",
    "VEHICLE",
    "NAME_UNLABELLED",
    "BIOMETRIC",
    "HANDLE",
    "IP",
    "ACCOUNT",
    "HEALTH_PLAN",
    "AGE_OVER_89",
    "DEVICE",
    "LICENSE",
)
KEEP_KINDS = ("MEASURE", "LESION", "SIDE", "EPONYM", "MAKER", "REGION", "DOSE", "TIME")
LANGS = ("zh", "en", "mixed")
MIXED_SHARE = 0.15
MIN_PHI, MAX_PHI = 2, 6
MIN_LINES, MAX_LINES = 3, 12


class Span(NamedTuple):
    kind: str
    start: int
    end: int


class Report(NamedTuple):
    lang: str
    text: str
    phi: tuple[Span, ...]
    keep: tuple[Span, ...]


# A segment is (role, kind, text); role "P" = PHI, "K" = keep, "" = plain text.
Seg = tuple[str, str, str]
Slots = dict[str, list[Seg]]


def _p(kind: str, text: str) -> list[Seg]:
    return [("P", kind, text)]


def _k(kind: str, text: str) -> list[Seg]:
    return [("K", kind, text)]


def _t(text: str) -> list[Seg]:
    return [("", "", text)]


# ---------------------------------------------------------------------------
# small random helpers and check digits
# ---------------------------------------------------------------------------

_UPPER = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
_UPPER_NO_IO = "ABCDEFGHJKLMNPQRSTUVWXYZ"
_DIGITS = "0123456789"
_LOWER = "abcdefghijklmnopqrstuvwxyz"
_LOWER_ALNUM = _LOWER + _DIGITS
_HEX = "0123456789abcdef"
_FULLWIDTH = str.maketrans(_DIGITS, "０１２３４５６７８９")


def _pick(rng: random.Random, alphabet: str, n: int) -> str:
    return "".join(rng.choice(alphabet) for _ in range(n))


def _num(rng: random.Random, n: int) -> str:
    """n digits, first one non-zero."""
    return str(rng.randint(1, 9)) + _pick(rng, _DIGITS, n - 1)


def _chunks(s: str, sizes: tuple[int, ...], sep: str) -> str:
    out, i = [], 0
    for size in sizes:
        out.append(s[i : i + size])
        i += size
    if i < len(s):
        out.append(s[i:])
    return sep.join(part for part in out if part)


def _fw(rng: random.Random, s: str, prob: float = 0.12) -> str:
    """Occasionally switch ASCII digits to full-width (Chinese text only)."""
    return s.translate(_FULLWIDTH) if rng.random() < prob else s


def _luhn(payload: str) -> str:
    total = 0
    for i, ch in enumerate(reversed(payload)):
        d = int(ch)
        if i % 2 == 0:
            d *= 2
            if d > 9:
                d -= 9
        total += d
    return str(-total % 10)


def _iban(country: str, bban: str) -> str:
    rearranged = bban + country + "00"
    digits = "".join(str(int(c, 36)) for c in rearranged)
    return f"{country}{98 - int(digits) % 97:02d}{bban}"


def _cn_id(rng: random.Random, region: str, first_year: int, last_year: int) -> str:
    body = (
        region
        + str(rng.randint(first_year, last_year))
        + f"{rng.randint(1, 12):02d}{rng.randint(1, 28):02d}"
        + _pick(rng, _DIGITS, 3)
    )
    weights = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
    total = sum(int(c) * w for c, w in zip(body, weights, strict=True))
    return body + "10X98765432"[total % 11]


_CN_REGION_CODES = (
    "110105", "310115", "440305", "330106", "320583", "411625", "341502", "330602",
    "510107", "370102", "420111", "130102", "350582", "530102", "450103", "610113",
    "210102", "230103", "220102", "140105", "360102", "430104", "500103", "330782",
    "441900", "371302", "130682", "522101", "640104", "620102",
)  # fmt: skip


# ---------------------------------------------------------------------------
# clinical "keep" vocabulary
# ---------------------------------------------------------------------------

_ZH_LESIONS = (
    "玻璃膜疣", "微血管瘤", "硬性渗出", "棉絮斑", "点片状出血", "视网膜前膜", "黄斑裂孔",
    "视网膜下液", "色素上皮脱离", "地图样萎缩", "视网膜新生血管", "CNV", "黄斑水肿",
    "视网膜静脉迂曲扩张", "火焰状出血", "漆裂纹", "豹纹状眼底", "视盘水肿", "玻璃体积血",
    "视网膜内囊腔", "drusen",
)  # fmt: skip
_ZH_GRADES = (
    "R2M1", "R1M0", "R3aM1", "R2M0", "M1", "NPDR moderate", "NPDR severe", "PDR",
    "中度非增殖期糖尿病视网膜病变", "重度NPDR", "增殖期糖尿病视网膜病变", "DR III期",
    "湿性年龄相关性黄斑变性", "干性AMD",
)  # fmt: skip
_EN_LESIONS = (
    "drusen", "microaneurysms", "dot-blot haemorrhages", "dot and blot hemorrhages",
    "hard exudates", "cotton-wool spots", "IRMA", "NVD", "NVE", "CNV", "subretinal fluid",
    "intraretinal cysts", "geographic atrophy", "an epiretinal membrane", "a lamellar hole",
    "PED", "vitreous haemorrhage", "venous beading", "flame haemorrhages", "pigment clumping",
)  # fmt: skip
_EN_GRADES = (
    "R2M1", "R1M0", "R3A M1", "R3S", "M1", "NPDR moderate", "moderate NPDR", "severe NPDR",
    "PDR", "ETDRS level 47", "ETDRS level 53", "AREDS category 3", "wet AMD", "BRVO",
)  # fmt: skip
_ZH_EPONYMS = (
    ("Stargardt", "病"), ("Coats", "病"), ("Best", "病"), ("Eales", "病"),
    ("Vogt-小柳-原田", "综合征"), ("原田", "病"), ("白塞", "病"), ("Behçet", "病"),
    ("Purtscher", "视网膜病变"), ("Terson", "综合征"), ("Berlin", "水肿"),
    ("Irvine-Gass", "综合征"), ("Sorsby", "眼底营养不良"), ("Leber", "先天性黑矇"),
    ("Vogt-Koyanagi-Harada", "综合征"), ("Valsalva", "视网膜病变"),
)  # fmt: skip
_EN_EPONYMS = (
    ("Stargardt", " disease"), ("Coats", " disease"), ("Best disease", ""),
    ("Vogt-Koyanagi-Harada", " disease"), ("Behçet", " uveitis"), ("Eales", " disease"),
    ("Purtscher", " retinopathy"), ("Terson", " syndrome"), ("Berlin's oedema", ""),
    ("Irvine-Gass", " syndrome"), ("Sorsby", " fundus dystrophy"),
    ("Leber", " congenital amaurosis"), ("Valsalva", " retinopathy"), ("Susac", " syndrome"),
    ("Hollenhorst plaque", ""), ("Roth spots", ""), ("Elschnig spots", ""),
)  # fmt: skip
_ZH_MAKERS = (
    "Topcon", "Zeiss", "Heidelberg Spectralis", "Optos", "蔡司", "拓普康", "海德堡", "欧堡",
    "佳能", "Canon", "Nidek", "尼德克", "Optovue", "Zeiss Cirrus", "Topcon Triton",
)  # fmt: skip
_EN_MAKERS = (
    "Topcon", "Zeiss", "Heidelberg Spectralis", "Optos", "Zeiss Cirrus", "Topcon Maestro2",
    "Optos California", "Canon CR-2", "Nidek", "Optovue", "Heidelberg", "Optos Daytona",
)  # fmt: skip
_ZH_DOSES = (
    "雷珠单抗0.5mg", "阿柏西普2mg", "康柏西普0.5mg", "法瑞西单抗6mg", "雷珠单抗 0.5 mg",
    "地塞米松玻璃体内植入剂0.7mg", "ranibizumab 0.5 mg", "aflibercept 2 mg",
)  # fmt: skip
_EN_DOSES = (
    "ranibizumab 0.5 mg", "aflibercept 2 mg", "aflibercept 8 mg", "bevacizumab 1.25 mg",
    "faricimab 6 mg", "dexamethasone implant 0.7 mg", "triamcinolone 4 mg",
    "brolucizumab 6 mg",
)  # fmt: skip
_ACUITY_DEC = ("0.02", "0.05", "0.1", "0.12", "0.15", "0.2", "0.25", "0.3", "0.4", "0.5",
               "0.6", "0.8", "1.0", "1.2")  # fmt: skip
_SNELLEN_FT = ("20/20", "20/25", "20/30", "20/40", "20/50", "20/60", "20/80", "20/100",
               "20/200", "20/400")  # fmt: skip
_SNELLEN_M = ("6/5", "6/6", "6/7.5", "6/9", "6/12", "6/18", "6/24", "6/36", "6/60")


def _time(rng: random.Random) -> str:
    return f"{rng.randint(7, 17):02d}:{rng.choice((0, 5, 10, 15, 20, 30, 40, 45, 50)):02d}"


def _zh_keep(rng: random.Random) -> Slots:
    def fw(s: str) -> str:
        return _fw(rng, s, 0.08)

    lesion, lesion2 = rng.sample(_ZH_LESIONS, 2)
    iop = rng.randint(9, 38)
    cd = rng.choice(("0.2", "0.3", "0.4", "0.5", "0.6", "0.7", "0.8", "0.9"))
    ep = rng.choice(_ZH_EPONYMS)
    return {
        "side": _k("SIDE", rng.choice(("右眼", "左眼", "双眼", "右眼", "左眼", "OD", "OS"))),
        "lesion": _k("LESION", lesion),
        "lesion2": _k("LESION", lesion2),
        "grade": _k("LESION", rng.choice(_ZH_GRADES)),
        "va": _k(
            "MEASURE",
            fw(
                rng.choice(("视力", "矫正视力", "裸眼视力", "最佳矫正视力", "VA "))
                + rng.choice(_ACUITY_DEC)
            ),
        ),
        "iop": _k(
            "MEASURE",
            fw(
                rng.choice(
                    (
                        f"眼压{iop}mmHg",
                        f"眼压 {iop} mmHg",
                        f"IOP {iop} mmHg",
                        f"非接触眼压{iop}mmHg",
                    )
                )
            ),
        ),
        "cd": _k(
            "MEASURE", fw(rng.choice((f"C/D {cd}", f"杯盘比{cd}", f"C/D={cd}", f"杯盘比约{cd}")))
        ),
        "cmt": _k(
            "MEASURE",
            fw(
                rng.choice(("CMT ", "黄斑中心凹厚度", "中心视网膜厚度 ", "CST "))
                + str(rng.randint(180, 620))
                + rng.choice(("μm", " μm", "µm"))
            ),
        ),
        "dose": _k("DOSE", rng.choice(_ZH_DOSES)),
        "time": _k("TIME", _time(rng)),
        "ep": _k("EPONYM", ep[0]) + _t(ep[1]),
        "maker": _k("MAKER", rng.choice(_ZH_MAKERS)),
        "hum": _k("EPONYM", rng.choice(("Humphrey 24-2", "Humphrey 30-2", "Humphrey 10-2"))),
        "amsler": _k("EPONYM", "Amsler") + _t(rng.choice(("方格表", "表"))),
        "bruch": _k("EPONYM", "Bruch") + _t("膜"),
        "goldmann": _k("EPONYM", "Goldmann") + _t("压平眼压计"),
        "snellen": _k("EPONYM", "Snellen") + _t("视力表"),
    }


def _en_keep(rng: random.Random) -> Slots:
    lesion, lesion2 = rng.sample(_EN_LESIONS, 2)
    iop = rng.randint(9, 38)
    cd = rng.choice(("0.2", "0.3", "0.4", "0.5", "0.6", "0.7", "0.8", "0.9"))
    ep = rng.choice(_EN_EPONYMS)
    va = rng.choice(
        (
            "VA " + rng.choice(_SNELLEN_FT),
            "BCVA " + rng.choice(_SNELLEN_FT),
            rng.choice(_SNELLEN_M),
            "VA " + rng.choice(_SNELLEN_M),
            "logMAR " + rng.choice(("0.0", "0.1", "0.3", "0.5", "0.8")),
        )
    )
    return {
        "side": _k("SIDE", rng.choice(("OD", "OS", "OU", "OD", "OS", "RE", "LE"))),
        "lesion": _k("LESION", lesion),
        "lesion2": _k("LESION", lesion2),
        "grade": _k("LESION", rng.choice(_EN_GRADES)),
        "va": _k("MEASURE", va),
        "iop": _k("MEASURE", rng.choice((f"IOP {iop} mmHg", f"IOP {iop}mmHg", f"IOP={iop}"))),
        "cd": _k("MEASURE", rng.choice((f"C/D {cd}", f"CDR {cd}", f"cup-disc ratio {cd}"))),
        "cmt": _k(
            "MEASURE",
            rng.choice(("CMT ", "CST ", "central thickness "))
            + str(rng.randint(180, 620))
            + rng.choice((" μm", "μm", " µm", " microns")),
        ),
        "dose": _k("DOSE", rng.choice(_EN_DOSES)),
        "time": _k("TIME", _time(rng)),
        "ep": _k("EPONYM", ep[0]) + _t(ep[1]),
        "maker": _k("MAKER", rng.choice(_EN_MAKERS)),
        "hum": _k("EPONYM", rng.choice(("Humphrey 24-2", "Humphrey 30-2", "Humphrey 10-2"))),
        "amsler": _k("EPONYM", "Amsler grid"),
        "bruch": _k("EPONYM", "Bruch's membrane"),
        "goldmann": _k("EPONYM", "Goldmann"),
        "snellen": _k("EPONYM", "Snellen"),
    }


# ---------------------------------------------------------------------------
# CITY
# ---------------------------------------------------------------------------

# province | prefecture-level city | counties / districts / county-level cities
_ZH_PLACE_ROWS = """
浙江省|绍兴市|柯桥区 上虞区 诸暨市 嵊州市 新昌县
浙江省|杭州市|西湖区 余杭区 萧山区 临安区 桐庐县 淳安县 建德市
浙江省|宁波市|鄞州区 慈溪市 余姚市 象山县 宁海县
浙江省|温州市|鹿城区 瑞安市 乐清市 永嘉县 苍南县
浙江省|金华市|义乌市 东阳市 永康市 兰溪市 浦江县 武义县 磐安县
浙江省|台州市|温岭市 临海市 玉环市 天台县 仙居县 三门县
浙江省|湖州市|长兴县 安吉县 德清县
浙江省|嘉兴市|海宁市 桐乡市 嘉善县 平湖市
浙江省|丽水市|青田县 龙泉市 缙云县
浙江省|衢州市|江山市 常山县 开化县
河南省|周口市|郸城县 鹿邑县 太康县 项城市 淮阳区 沈丘县 西华县 商水县 扶沟县
河南省|南阳市|邓州市 唐河县 新野县 镇平县 西峡县
河南省|信阳市|固始县 潢川县 光山县 息县
河南省|驻马店市|汝南县 上蔡县 正阳县 确山县
河南省|商丘市|永城市 夏邑县 虞城县 睢县
河南省|洛阳市|偃师区 孟津区 栾川县 嵩县 宜阳县
河南省|郑州市|中牟县 巩义市 新郑市 登封市 荥阳市 金水区 二七区
河南省|开封市|兰考县 杞县 通许县
河南省|安阳市|林州市 滑县 汤阴县
安徽省|六安市|金寨县 霍邱县 舒城县 霍山县 裕安区 金安区
安徽省|阜阳市|临泉县 太和县 阜南县 颍上县 界首市
安徽省|安庆市|桐城市 怀宁县 潜山市 太湖县 宿松县
安徽省|合肥市|肥东县 肥西县 长丰县 庐江县 巢湖市 蜀山区
安徽省|芜湖市|无为市 南陵县 繁昌区
安徽省|蚌埠市|怀远县 五河县 固镇县
安徽省|亳州市|蒙城县 涡阳县 利辛县
安徽省|黄山市|歙县 黟县 休宁县 祁门县
江苏省|苏州市|昆山市 常熟市 张家港市 太仓市 吴江区 姑苏区
江苏省|无锡市|江阴市 宜兴市 惠山区
江苏省|南通市|如皋市 海门区 启东市 如东县 海安市
江苏省|盐城市|东台市 射阳县 阜宁县 建湖县
江苏省|徐州市|邳州市 新沂市 沛县 丰县 睢宁县
江苏省|扬州市|高邮市 仪征市 宝应县
江苏省|泰州市|兴化市 靖江市 泰兴市
江苏省|连云港市|东海县 灌云县 灌南县
江苏省|宿迁市|沭阳县 泗阳县 泗洪县
广东省|广州市|天河区 越秀区 番禺区 花都区 从化区 增城区
广东省|深圳市|南山区 福田区 宝安区 龙岗区 龙华区
广东省|佛山市|顺德区 南海区 三水区 高明区
广东省|汕头市|潮阳区 潮南区 澄海区 南澳县
广东省|湛江市|雷州市 廉江市 吴川市 徐闻县
广东省|梅州市|兴宁市 梅县区 五华县 大埔县 蕉岭县
广东省|茂名市|高州市 信宜市 化州市
广东省|揭阳市|普宁市 揭西县 惠来县
广东省|江门市|台山市 开平市 恩平市 鹤山市
四川省|成都市|武侯区 锦江区 双流区 郫都区 都江堰市 彭州市 崇州市 金堂县
四川省|绵阳市|江油市 三台县 梓潼县 安州区
四川省|南充市|阆中市 南部县 仪陇县 营山县
四川省|宜宾市|江安县 长宁县 高县 屏山县
四川省|达州市|宣汉县 大竹县 渠县 万源市
四川省|乐山市|峨眉山市 夹江县 犍为县
四川省|泸州市|泸县 合江县 叙永县 古蔺县
四川省|凉山彝族自治州|西昌市 会理市 冕宁县
山东省|济南市|章丘区 历城区 平阴县 商河县
山东省|青岛市|黄岛区 即墨区 胶州市 平度市 莱西市
山东省|临沂市|兰陵县 沂水县 郯城县 费县 平邑县 莒南县
山东省|潍坊市|寿光市 青州市 诸城市 高密市 昌乐县
山东省|烟台市|龙口市 莱阳市 招远市 蓬莱区
山东省|济宁市|曲阜市 邹城市 嘉祥县 汶上县 梁山县
山东省|菏泽市|曹县 单县 成武县 郓城县 鄄城县
山东省|德州市|禹城市 乐陵市 齐河县 平原县
山东省|聊城市|临清市 冠县 莘县 阳谷县
湖南省|长沙市|浏阳市 宁乡市 长沙县 岳麓区
湖南省|衡阳市|耒阳市 常宁市 衡东县 祁东县
湖南省|邵阳市|武冈市 邵东市 隆回县 洞口县
湖南省|岳阳市|汨罗市 临湘市 华容县 平江县
湖南省|常德市|津市市 澧县 桃源县 汉寿县
湖南省|娄底市|涟源市 冷水江市 新化县 双峰县
湖南省|永州市|祁阳市 道县 江永县 宁远县
湖南省|郴州市|资兴市 桂阳县 宜章县 嘉禾县
湖北省|武汉市|江夏区 黄陂区 新洲区 洪山区 汉阳区
湖北省|荆州市|洪湖市 监利市 松滋市 公安县 石首市
湖北省|襄阳市|枣阳市 宜城市 老河口市 谷城县
湖北省|黄冈市|麻城市 武穴市 蕲春县 浠水县 红安县
湖北省|孝感市|汉川市 应城市 安陆市 云梦县
湖北省|宜昌市|宜都市 当阳市 枝江市 秭归县
湖北省|十堰市|丹江口市 竹山县 郧西县
河北省|石家庄市|正定县 辛集市 晋州市 藁城区 赵县
河北省|保定市|涿州市 安国市 高碑店市 易县 涞水县
河北省|邯郸市|武安市 磁县 涉县 大名县
河北省|沧州市|任丘市 黄骅市 泊头市 河间市 献县
河北省|唐山市|迁安市 遵化市 滦州市 丰润区
河北省|邢台市|南宫市 沙河市 宁晋县 清河县
河北省|衡水市|深州市 枣强县 武邑县 故城县
河北省|张家口市|张北县 蔚县 宣化区 怀来县
江西省|南昌市|进贤县 南昌县 安义县
江西省|赣州市|瑞金市 于都县 兴国县 宁都县 信丰县 南康区
江西省|上饶市|鄱阳县 余干县 婺源县 德兴市 玉山县
江西省|九江市|瑞昌市 都昌县 修水县 武宁县
江西省|吉安市|井冈山市 泰和县 永丰县 吉水县
江西省|宜春市|丰城市 樟树市 高安市 万载县
福建省|福州市|福清市 长乐区 闽侯县 连江县
福建省|泉州市|晋江市 石狮市 南安市 惠安县 安溪县 永春县
福建省|漳州市|龙海区 漳浦县 诏安县 平和县
福建省|莆田市|仙游县 涵江区 秀屿区
福建省|龙岩市|上杭县 长汀县 永定区 漳平市
福建省|宁德市|福鼎市 福安市 霞浦县 古田县
辽宁省|沈阳市|新民市 法库县 康平县 和平区 沈河区
辽宁省|大连市|瓦房店市 庄河市 金州区 普兰店区
辽宁省|鞍山市|海城市 台安县 岫岩满族自治县
辽宁省|锦州市|凌海市 北镇市 黑山县 义县
辽宁省|丹东市|东港市 凤城市 宽甸满族自治县
辽宁省|铁岭市|开原市 昌图县 西丰县
黑龙江省|哈尔滨市|尚志市 五常市 巴彦县 宾县 道里区
黑龙江省|齐齐哈尔市|讷河市 龙江县 克山县
黑龙江省|绥化市|安达市 肇东市 海伦市 望奎县
黑龙江省|牡丹江市|海林市 宁安市 穆棱市 东宁市
黑龙江省|佳木斯市|富锦市 同江市 桦南县
吉林省|长春市|榆树市 德惠市 农安县 朝阳区
吉林省|吉林市|蛟河市 桦甸市 舒兰市 磐石市
吉林省|延边朝鲜族自治州|延吉市 珲春市 敦化市 龙井市
吉林省|四平市|双辽市 梨树县 伊通满族自治县
山西省|太原市|清徐县 古交市 阳曲县 小店区
山西省|大同市|灵丘县 广灵县 浑源县 天镇县
山西省|运城市|永济市 河津市 临猗县 芮城县 闻喜县
山西省|临汾市|侯马市 霍州市 洪洞县 襄汾县
山西省|长治市|潞城区 襄垣县 沁县 壶关县
山西省|忻州市|原平市 五台县 代县 定襄县
陕西省|西安市|长安区 临潼区 蓝田县 周至县 雁塔区
陕西省|宝鸡市|凤翔区 岐山县 扶风县 眉县
陕西省|咸阳市|兴平市 彬州市 三原县 泾阳县 乾县
陕西省|渭南市|韩城市 华阴市 蒲城县 富平县 大荔县
陕西省|汉中市|城固县 洋县 勉县 南郑区
陕西省|榆林市|神木市 府谷县 靖边县 米脂县
云南省|昆明市|安宁市 宜良县 石林彝族自治县 嵩明县 五华区
云南省|曲靖市|宣威市 陆良县 会泽县 师宗县
云南省|大理白族自治州|大理市 祥云县 宾川县 弥渡县
云南省|红河哈尼族彝族自治州|个旧市 开远市 蒙自市 建水县
云南省|昭通市|镇雄县 彝良县 鲁甸县 巧家县
云南省|玉溪市|澄江市 通海县 华宁县 易门县
贵州省|贵阳市|清镇市 修文县 息烽县 开阳县 花溪区
贵州省|遵义市|仁怀市 赤水市 湄潭县 凤冈县 桐梓县
贵州省|毕节市|大方县 黔西市 金沙县 织金县
贵州省|安顺市|普定县 平坝区
广西壮族自治区|南宁市|横州市 宾阳县 上林县 武鸣区
广西壮族自治区|桂林市|阳朔县 临桂区 灵川县 荔浦市 全州县
广西壮族自治区|柳州市|柳江区 柳城县 鹿寨县 融安县
广西壮族自治区|玉林市|北流市 容县 陆川县 博白县
广西壮族自治区|百色市|靖西市 田阳区 平果市 凌云县
甘肃省|兰州市|榆中县 皋兰县 永登县 城关区
甘肃省|天水市|甘谷县 秦安县 武山县 麦积区
甘肃省|定西市|陇西县 通渭县 临洮县
内蒙古自治区|赤峰市|宁城县 林西县 敖汉旗
内蒙古自治区|包头市|固阳县 土默特右旗
新疆维吾尔自治区|伊犁哈萨克自治州|伊宁市 霍城县
新疆维吾尔自治区|喀什地区|喀什市 疏勒县
宁夏回族自治区|银川市|永宁县 贺兰县 灵武市
宁夏回族自治区|固原市|西吉县 隆德县
海南省|海口市|美兰区 龙华区
海南省|三亚市|吉阳区 天涯区
青海省|海东市|乐都区 平安区
北京市||朝阳区 海淀区 丰台区 昌平区 通州区 大兴区 顺义区 密云区 延庆区 怀柔区
上海市||浦东新区 闵行区 徐汇区 宝山区 嘉定区 松江区 青浦区 奉贤区 金山区 崇明区
天津市||和平区 南开区 河西区 武清区 宝坻区 蓟州区 静海区 宁河区
重庆市||万州区 涪陵区 渝中区 江北区 沙坪坝区 九龙坡区 永川区 合川区 开州区 云阳县 奉节县 巫山县
"""

# province | city | county | town (township / street)
_ZH_TOWN_ROWS = """
浙江省|绍兴市|诸暨市|枫桥镇
浙江省|嘉兴市|桐乡市|乌镇镇
浙江省|温州市|乐清市|柳市镇
浙江省|温州市|苍南县|灵溪镇
浙江省|金华市|义乌市|佛堂镇
浙江省|湖州市|安吉县|天荒坪镇
浙江省|宁波市|余姚市|河姆渡镇
广东省|东莞市||虎门镇
广东省|东莞市||长安镇
广东省|东莞市||塘厦镇
广东省|东莞市||常平镇
广东省|佛山市|顺德区|北滘镇
广东省|佛山市|南海区|西樵镇
广东省|佛山市|顺德区|容桂街道
广东省|中山市||小榄镇
广东省|中山市||古镇镇
江苏省|苏州市|昆山市|周庄镇
江苏省|苏州市|吴江区|同里镇
江苏省|苏州市|常熟市|沙家浜镇
江苏省|无锡市|江阴市|华士镇
安徽省|黄山市|黟县|宏村镇
安徽省|滁州市|凤阳县|小溪河镇
湖南省|长沙市|浏阳市|大瑶镇
四川省|成都市|都江堰市|青城山镇
云南省|大理白族自治州|大理市|喜洲镇
广西壮族自治区|桂林市|阳朔县|兴坪镇
福建省|泉州市|晋江市|陈埭镇
河南省|郑州市|巩义市|回郭镇
北京市||朝阳区|望京街道
北京市||海淀区|中关村街道
上海市||浦东新区|张江镇
上海市||闵行区|七宝镇
上海市||青浦区|朱家角镇
天津市||西青区|杨柳青镇
"""

_ZH_VILLAGES = (
    "华西村", "余村", "小岗村", "张庄村", "王庄村", "李家村", "刘家湾村", "后屯村", "东关村",
    "新民村", "红星村", "胜利村", "团结村", "光明村", "和平村", "前进村", "马家寨村",
)  # fmt: skip


class _ZhPlace(NamedTuple):
    province: str
    city: str
    county: str
    town: str


def _parse_zh_places() -> tuple[tuple[_ZhPlace, ...], tuple[_ZhPlace, ...]]:
    rows = []
    for line in _ZH_PLACE_ROWS.strip().splitlines():
        province, city, counties = line.split("|")
        for county in counties.split():
            rows.append(_ZhPlace(province, city, county, ""))
    towns = []
    for line in _ZH_TOWN_ROWS.strip().splitlines():
        province, city, county, town = line.split("|")
        towns.append(_ZhPlace(province, city, county, town))
    return tuple(rows), tuple(towns)


_ZH_PLACES, _ZH_TOWNS = _parse_zh_places()


def _zh_short(name: str) -> str:
    """Colloquial short form: 六安市 -> 六安, 大理白族自治州 -> 大理, 浦东新区 -> 浦东."""
    if not name:
        return name
    if name.endswith("自治区"):
        return {"广西壮族自治区": "广西", "内蒙古自治区": "内蒙古", "新疆维吾尔自治区": "新疆",
                "宁夏回族自治区": "宁夏"}.get(name, name[:2])  # fmt: skip
    if name.endswith("自治州"):
        return name[:2]
    if name.endswith("自治县"):
        return name
    if name.endswith("新区"):
        return name[:-2]
    if name.endswith("地区"):
        return name[:-2]
    if name[-1] in "省市县区" and len(name) >= 3:
        return name[:-1]
    return name


def _zh_one_place(rng: random.Random) -> tuple[str, str]:
    """Return (province, sub-provincial chain) using real names."""
    r = rng.random()
    if r < 0.72:
        pl = rng.choice(_ZH_PLACES)
        style = rng.randrange(6)
        if not pl.city:  # municipality: district level only
            value = pl.county if style < 4 else _zh_short(pl.county)
        elif style == 0:
            value = pl.city
        elif style == 1:
            value = pl.city + pl.county
        elif style == 2:
            value = pl.county
        elif style == 3:
            value = _zh_short(pl.city)
        elif style == 4:
            value = _zh_short(pl.city) + pl.county
        else:
            value = _zh_short(pl.county) if len(_zh_short(pl.county)) >= 2 else pl.county
        return pl.province, value
    pl = rng.choice(_ZH_TOWNS)
    if r < 0.9:
        parts = (pl.city, pl.county, pl.town) if rng.random() < 0.5 else (pl.county, pl.town)
        value = "".join(parts) or pl.town
        return pl.province, value
    village = rng.choice(_ZH_VILLAGES)
    if pl.town == "华士镇":
        village = "华西村"
    elif pl.town == "天荒坪镇":
        village = "余村"
    elif pl.town == "小溪河镇":
        village = "小岗村"
    return pl.province, (pl.county or pl.city) + pl.town + village


def _zh_city_slots(rng: random.Random, ctx: _Ctx) -> Slots:
    slots = _zh_keep(rng)
    province, value = _zh_one_place(rng)
    style = rng.random()
    if style < 0.45:
        region = _k("REGION", province)
    elif style < 0.75:
        region = _k("REGION", _zh_short(province))
    else:
        region = _t("")
    _, value2 = _zh_one_place(rng)
    while value2 == value:
        _, value2 = _zh_one_place(rng)
    slots.update(r=region, c=_p("CITY", value), c2=_p("CITY", value2))
    return slots


_ZH_CITY_T = (
    "患者来自{r}{c}。",
    "家住{r}{c}，务农。",
    "从{r}{c}转诊，外院诊断为{grade}。",
    "现居{r}{c}，独居，子女在外地工作。",
    "籍贯{r}{c}。",
    "因{c}当地无眼底激光设备，转来我院。",
    "由{r}{c}人民医院眼科转入。",
    "外院（{c}中医院）曾行{side}激光光凝。",
    "患者长期在{c}务工，近期返乡。",
    "家属称下月将搬回{r}{c}，要求开具转诊单。",
    "常住地：{r}{c}。",
    "往返{c}与{c2}两地就医，依从性差。",
    "自{r}{c}乘高铁来诊，单程约3小时。",
    "今年春节后随子女迁居{c}。",
)

# country | region abbreviation | region full name | towns, cities and counties
_EN_PLACE_ROWS = """
US|OH|Ohio|Dayton;Toledo;Akron;Youngstown;Zanesville;Lima;Chillicothe;Ashtabula County
US|OH|Ohio|Cuyahoga County
US|PA|Pennsylvania|Erie;Scranton;Altoona;Harrisburg;Williamsport;Lancaster County
US|PA|Pennsylvania|Allegheny County
US|CA|California|Fresno;Bakersfield;Modesto;Redding;Visalia;Eureka;San Bernardino County
US|CA|California|Orange County
US|TX|Texas|Lubbock;Amarillo;El Paso;Waco;Tyler;Midland;Harris County;Travis County
US|FL|Florida|Gainesville;Ocala;Pensacola;Sarasota;Lakeland;Polk County
US|GA|Georgia|Macon;Savannah;Valdosta;Albany;Dalton
US|NC|North Carolina|Asheville;Greenville;Wilmington;Durham;Hickory;Wake County
US|SC|South Carolina|Spartanburg;Florence;Rock Hill
US|TN|Tennessee|Knoxville;Chattanooga;Jackson;Johnson City
US|KY|Kentucky|Bowling Green;Paducah;Pikeville;Jefferson County
US|MI|Michigan|Flint;Kalamazoo;Saginaw;Marquette;Traverse City;Oakland County
US|IN|Indiana|Gary;Muncie;Terre Haute;Evansville
US|IL|Illinois|Peoria;Rockford;Champaign;Carbondale;Cook County
US|WI|Wisconsin|Eau Claire;Green Bay;Oshkosh;Wausau
US|MN|Minnesota|Duluth;Rochester;Mankato;Hennepin County
US|SD|South Dakota|Sioux Falls;Rapid City
US|ND|North Dakota|Fargo;Minot
US|MT|Montana|Billings;Missoula;Bozeman
US|ID|Idaho|Boise;Pocatello;Coeur d'Alene
US|WA|Washington|Spokane;Yakima;Bellingham;King County
US|OR|Oregon|Eugene;Medford;Bend
US|NV|Nevada|Reno;Elko
US|AZ|Arizona|Flagstaff;Yuma;Prescott;Maricopa County
US|NM|New Mexico|Las Cruces;Farmington;Roswell
US|CO|Colorado|Pueblo;Greeley;Grand Junction
US|UT|Utah|Provo;Ogden;St. George
US|NE|Nebraska|Omaha;Lincoln;Grand Island
US|KS|Kansas|Wichita;Topeka;Salina
US|MO|Missouri|Joplin;Springfield;Cape Girardeau
US|IA|Iowa|Cedar Rapids;Dubuque;Sioux City
US|LA|Louisiana|Shreveport;Lafayette;Lake Charles
US|MS|Mississippi|Tupelo;Hattiesburg;Meridian
US|AL|Alabama|Huntsville;Dothan;Tuscaloosa
US|AR|Arkansas|Little Rock;Fayetteville;Jonesboro
US|ME|Maine|Bangor;Lewiston
US|VT|Vermont|Burlington;Rutland
US|MA|Massachusetts|Worcester;Pittsfield;Fall River
US|NY|New York|Albany;Utica;Binghamton;Buffalo;Plattsburgh;Suffolk County;Erie County
US|NY|New York|Monroe County
US|NJ|New Jersey|Trenton;Camden;Paterson
US|MD|Maryland|Hagerstown;Salisbury;Frederick
US|VA|Virginia|Roanoke;Lynchburg;Danville;Fairfax County
US|WV|West Virginia|Morgantown;Wheeling;Beckley
US|AK|Alaska|Anchorage;Fairbanks
US|HI|Hawaii|Hilo;Kailua
UK||England|Leeds;Sheffield;Bradford;Wakefield;Doncaster;Barnsley;Rotherham;Huddersfield
UK||England|Harrogate;Scarborough;Whitby;Hull;Grimsby;Lincoln;Grantham;Mansfield;Derby
UK||England|Chesterfield;Leicester;Loughborough;Coventry;Nuneaton;Wolverhampton;Walsall;Dudley
UK||England|Stoke-on-Trent;Shrewsbury;Telford;Hereford;Gloucester;Cheltenham;Swindon;Bath
UK||England|Taunton;Yeovil;Exeter;Plymouth;Torquay;Truro;Penzance;Bournemouth;Salisbury
UK||England|Southampton;Portsmouth;Eastbourne;Hastings;Maidstone;Canterbury;Margate;Colchester
UK||England|Chelmsford;Ipswich;Norwich;King's Lynn;Peterborough;Bedford;Luton;Milton Keynes
UK||England|Reading;Slough;Banbury;Northampton;Kettering;Preston;Blackpool;Blackburn;Burnley
UK||England|Bolton;Wigan;Stockport;Oldham;Rochdale;Warrington;Chester;Crewe;Carlisle;Kendal
UK||England|Barrow-in-Furness;Sunderland;Middlesbrough;Darlington;Hartlepool
UK||England|Newcastle upon Tyne
UK||Scotland|Aberdeen;Dundee;Inverness;Perth;Stirling;Paisley;Kilmarnock;Ayr;Dumfries
UK||Scotland|Fort William;Oban
UK||Wales|Cardiff;Swansea;Newport;Wrexham;Aberystwyth;Llandudno;Carmarthen;Merthyr Tydfil
UK||Northern Ireland|Belfast;Derry;Newry;Omagh;Enniskillen;Ballymena
CA|ON|Ontario|Kingston;Sudbury;Thunder Bay;Barrie;Guelph;Kitchener;Oshawa;Sault Ste. Marie
CA|QC|Quebec|Sherbrooke;Trois-Rivières;Gatineau;Saguenay;Rimouski
CA|BC|British Columbia|Kelowna;Kamloops;Nanaimo;Prince George;Abbotsford
CA|AB|Alberta|Red Deer;Lethbridge;Medicine Hat;Grande Prairie
CA|SK|Saskatchewan|Saskatoon;Regina;Moose Jaw
CA|MB|Manitoba|Brandon;Winnipeg;Thompson
CA|NB|New Brunswick|Moncton;Fredericton;Saint John
CA|NL|Newfoundland|Corner Brook;Gander
AU|NSW|New South Wales|Wagga Wagga;Dubbo;Tamworth;Orange;Wollongong;Albury
AU|VIC|Victoria|Ballarat;Bendigo;Geelong;Shepparton;Mildura
AU|QLD|Queensland|Toowoomba;Townsville;Cairns;Rockhampton;Mackay;Bundaberg
AU|WA|Western Australia|Bunbury;Geraldton;Kalgoorlie
AU|SA|South Australia|Mount Gambier;Whyalla
AU|TAS|Tasmania|Launceston;Devonport
NZ||New Zealand|Hamilton;Tauranga;Dunedin;Invercargill;Palmerston North;Whangarei
"""


class _EnRegion(NamedTuple):
    country: str
    abbr: str
    full: str
    places: tuple[str, ...]


def _parse_en_places() -> tuple[_EnRegion, ...]:
    merged: dict[tuple[str, str, str], list[str]] = {}
    for line in _EN_PLACE_ROWS.strip().splitlines():
        country, abbr, full, places = line.split("|")
        merged.setdefault((country, abbr, full), []).extend(places.split(";"))
    return tuple(_EnRegion(*key, tuple(places)) for key, places in merged.items())


_EN_REGIONS = _parse_en_places()
_US_STATE_NAMES = tuple(r.full for r in _EN_REGIONS if r.country == "US")
_COUNTRY_NAMES = {"US": ("USA",), "UK": ("UK",), "CA": ("Canada",), "AU": ("Australia",),
                  "NZ": ("NZ", "New Zealand")}  # fmt: skip


def _en_one_place(rng: random.Random) -> tuple[_EnRegion, str]:
    reg = rng.choice(_EN_REGIONS)
    place = rng.choice(reg.places)
    return reg, place


def _en_region_name(rng: random.Random, reg: _EnRegion) -> str:
    r = rng.random()
    if reg.country == "US":
        return reg.abbr if r < 0.65 else reg.full
    if reg.country in ("CA", "AU"):
        return reg.abbr if r < 0.4 else reg.full if r < 0.8 else _COUNTRY_NAMES[reg.country][0]
    if reg.country == "UK":
        return reg.full if r < 0.7 else "UK"
    return rng.choice(_COUNTRY_NAMES[reg.country])


def _en_city_slots(rng: random.Random, ctx: _Ctx) -> Slots:
    slots = _en_keep(rng)
    reg, place = _en_one_place(rng)
    if rng.random() < 0.05:
        place = place.upper()
    _, place2 = _en_one_place(rng)
    while place2 == place:
        _, place2 = _en_one_place(rng)
    slots.update(
        c=_p("CITY", place),
        cr=_p("CITY", place) + _t(", ") + _k("REGION", _en_region_name(rng, reg)),
        c2=_p("CITY", place2),
    )
    return slots


_EN_CITY_T = (
    "Lives in {cr}.",
    "Referred from {c} by the community optometrist.",
    "Moved here from {c} last year to be near family.",
    "Drives in from {cr}, about an hour each way.",
    "Originally from {cr}; now staying with family locally.",
    "Transferred from {c} General Hospital eye unit with {lesion}.",
    "Seen by an optometrist in {cr}, who noted {lesion} {side}.",
    "Plans to spend the winter in {cr}; injections will be coordinated there.",
    "Home address on file is in {c}.",
    "Works on a farm outside {c}.",
    "Relocated from {c} to {c2} in the spring.",
    "Attended the {c} diabetic eye screening programme; graded {grade}.",
    "While visiting from {cr}, noticed a shower of new floaters.",
    "Currently in a care home in {c}; carers assist with drops.",
)


# ---------------------------------------------------------------------------
# VEHICLE
# ---------------------------------------------------------------------------

_ZH_PLATE_PROVINCES = "京津沪渝冀豫云辽黑湘皖鲁新苏浙赣鄂桂甘晋蒙陕吉闽贵粤青藏川宁琼"
_VIN_CHARS = "ABCDEFGHJKLMNPRSTUVWXYZ0123456789"
_VIN_VALUES = {
    **{str(d): d for d in range(10)},
    **dict(zip("ABCDEFGH", range(1, 9), strict=True)),
    **dict(zip("JKLMN", range(1, 6), strict=True)),
    "P": 7,
    "R": 9,
    **dict(zip("STUVWXYZ", range(2, 10), strict=True)),
}
_VIN_WEIGHTS = (8, 7, 6, 5, 4, 3, 2, 10, 0, 9, 8, 7, 6, 5, 4, 3, 2)
_VIN_WMI_ZH = ("LSV", "LFV", "LGB", "LVS", "LHG", "LVH", "LBV", "LE4", "LRW", "LSG", "LGW")
_VIN_WMI_EN = ("1HG", "1FT", "1G1", "2T1", "3VW", "4T1", "5YJ", "JTD", "KMH", "WBA", "WVW",
               "SAL", "SAJ", "VF1", "ZFA", "1C4", "2HG", "JN1", "5NP")  # fmt: skip


def _vin(rng: random.Random, wmis: tuple[str, ...]) -> str:
    body = (
        rng.choice(wmis)
        + _pick(rng, _VIN_CHARS, 5)
        + "0"
        + rng.choice("DEFGHJKLMNPRS")
        + rng.choice(_UPPER_NO_IO.replace("Q", ""))
        + _pick(rng, _DIGITS, 6)
    )
    total = sum(_VIN_VALUES[c] * w for c, w in zip(body, _VIN_WEIGHTS, strict=True))
    check = "X" if total % 11 == 10 else str(total % 11)
    return body[:8] + check + body[9:]


def _zh_plate(rng: random.Random) -> str:
    head = rng.choice(_ZH_PLATE_PROVINCES) + rng.choice(_UPPER_NO_IO[:18])
    r = rng.random()
    if r < 0.6:
        chars = list(_pick(rng, _DIGITS, 5))
        for pos in rng.sample(range(5), rng.choice((0, 0, 1, 1, 2))):
            chars[pos] = rng.choice(_UPPER_NO_IO)
        body = "".join(chars)
    elif r < 0.85:
        body = rng.choice("DF") + rng.choice(_UPPER_NO_IO + _DIGITS) + _pick(rng, _DIGITS, 4)
    else:
        body = _pick(rng, _DIGITS, 5) + rng.choice("DF")
    sep = rng.choice(("", "", "", "·", "·", " ", "-"))
    return _fw(rng, head + sep + body, 0.08)


def _en_plate(rng: random.Random) -> str:
    letters = _UPPER_NO_IO.replace("Q", "")
    form = rng.randrange(10)
    if form == 0:  # California style
        plate = str(rng.randint(4, 9)) + _pick(rng, letters, 3) + _pick(rng, _DIGITS, 3)
    elif form == 1:
        plate = _pick(rng, letters, 3) + "-" + _pick(rng, _DIGITS, 4)
    elif form == 2:
        plate = _pick(rng, letters, 3) + " " + _pick(rng, _DIGITS, 4)
    elif form == 3:
        plate = _pick(rng, letters, 3) + _pick(rng, _DIGITS, 4)
    elif form == 4:  # current UK
        age = rng.choice(("12", "15", "17", "19", "21", "22", "23", "24", "66", "68", "70", "73"))
        plate = _pick(rng, letters, 2) + age + rng.choice((" ", "")) + _pick(rng, letters, 3)
    elif form == 5:  # UK prefix
        plate = rng.choice(letters) + str(rng.randint(1, 999)) + " " + _pick(rng, letters, 3)
    elif form == 6:  # Ontario
        plate = _pick(rng, letters, 4) + " " + _pick(rng, _DIGITS, 3)
    elif form == 7:
        plate = _pick(rng, _DIGITS, 3) + "-" + _pick(rng, letters, 3)
    elif form == 8:  # NSW-like
        plate = _pick(rng, letters, 2) + "-" + _pick(rng, _DIGITS, 2) + "-" + _pick(rng, letters, 2)
    else:
        plate = _pick(rng, letters, 1) + _pick(rng, _DIGITS, 2) + " " + _pick(rng, letters, 3)
    return plate.lower() if rng.random() < 0.04 else plate


def _zh_vehicle_slots(rng: random.Random, ctx: _Ctx) -> Slots:
    slots = _zh_keep(rng)
    slots.update(p=_p("VEHICLE", _zh_plate(rng)), v=_p("VEHICLE", _vin(rng, _VIN_WMI_ZH)))
    return slots


_ZH_VEHICLE_T = (
    "患者今日自驾来院（车牌{p}），散瞳后建议勿自行驾车。",
    "家属车牌号{p}，已登记停车减免。",
    "车牌号码：{p}，陪诊家属在停车场等候。",
    "散瞳后患者欲自行驾驶车牌为{p}的车辆离院，已劝阻。",
    "交警部门来函询问车牌{p}驾驶人的视力情况。",
    "其车辆（车牌 {p}）于院内停车场发生剐蹭，已报保卫科。",
    "家属驾驶车牌{p}的车辆接送，注射后需有人陪同。",
    "车辆识别代号（VIN）{v}，用于驾驶能力评估表登记。",
    "VIN：{v}（车辆年检体检表附页）。",
    "患者为网约车司机，车牌号{p}，本次需出具视力证明。",
    "登记车号{p}，如需挪车请联系家属。",
    "车牌{p}，车架号VIN {v}，均登记于残疾人停车证申请表。",
)


def _en_vehicle_slots(rng: random.Random, ctx: _Ctx) -> Slots:
    slots = _en_keep(rng)
    slots.update(p=_p("VEHICLE", _en_plate(rng)), v=_p("VEHICLE", _vin(rng, _VIN_WMI_EN)))
    return slots


_EN_VEHICLE_T = (
    "Drove in today (plate {p}); advised not to drive after dilation.",
    "Vehicle: licence plate {p}, parked in the multi-storey.",
    "Her daughter's car, tag {p}, is registered for disabled parking.",
    "Security logged reg {p} in the drop-off bay.",
    "DVLA informed; vehicle reg {p} declared on the form.",
    "Parking validation given for plate # {p}.",
    "The DMV vision form lists plate no. {p} and VIN {v}.",
    "VIN {v} recorded on the adaptive-driving assessment.",
    "Minor collision last week (plate: {p}); vision reviewed at family request.",
    "License plate {p} - valet parking, keys at front desk.",
    "Taxi driver; vehicle registration {p}; requires fitness-to-drive letter.",
    "Insurance assessor quoted VIN: {v} when requesting the acuity results.",
)


# ---------------------------------------------------------------------------
# NAME_UNLABELLED
# ---------------------------------------------------------------------------

_ZH_SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏"
    "魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵"
    "万钱严覃武戴莫孔向汤"
)
_ZH_RARE_SURNAMES = "仇解查盖区佘訾晁靳甄阚蒯濮庹冼钮缪邝栾隋岑柏鞠巫计伍卞宓乜"
_ZH_COMPOUND_SURNAMES = ("欧阳", "司马", "诸葛", "上官", "东方", "皇甫", "尉迟", "慕容", "令狐")
_ZH_GIVEN_2 = (
    "志强", "秀英", "建国", "桂兰", "淑珍", "玉兰", "国华", "建华", "丽娟", "海燕", "文斌",
    "晓东", "子涵", "梓萱", "浩然", "欣怡", "秀兰", "桂英", "德明", "福生", "春花", "金凤",
    "宝山", "振华", "淑芬", "美玲", "雪梅", "红梅", "立新", "卫东", "爱国", "小红", "凤英",
    "永庆", "玉珍", "月娥", "桂芝", "荣华", "兰英", "晨曦", "一诺", "思远", "雨桐", "宇轩",
    "佳怡", "俊杰", "嘉豪", "诗涵", "博文", "素琴", "长顺", "庆华", "有才", "翠兰", "志明",
)  # fmt: skip
_ZH_GIVEN_1 = "伟芳敏静磊军洋勇艳杰娟涛明超霞平刚华强燕鹏辉斌琳颖丹萍"


def _zh_name(rng: random.Random) -> str:
    r = rng.random()
    if r < 0.08:
        return rng.choice(_ZH_COMPOUND_SURNAMES) + rng.choice(_ZH_GIVEN_1)
    surname = rng.choice(_ZH_RARE_SURNAMES) if r < 0.22 else rng.choice(_ZH_SURNAMES)
    if rng.random() < 0.3:
        return surname + rng.choice(_ZH_GIVEN_1)
    return surname + rng.choice(_ZH_GIVEN_2)


def _zh_name_slots(rng: random.Random, ctx: _Ctx) -> Slots:
    slots = _zh_keep(rng)
    slots.update(n=_p("NAME_UNLABELLED", _zh_name(rng)))
    return slots


_ZH_NAME_T = (
    "{n}今日复查，自诉视力较前稳定。",
    "{n}诉{side}视物模糊两周。",
    "{n}于3月前行{side}玻璃体腔注药，今日来院评估。",
    "今日{n}由其女儿陪同就诊。",
    "已向{n}及家属交代病情及注药风险，{n}表示理解并签字。",
    "嘱{n}一月后复查OCT。",
    "{n}自行停用降眼压药物已一周。",
    "与{n}沟通后同意行{side}全视网膜光凝。",
    "{n}糖尿病史15年，血糖控制欠佳。",
    "{n}的儿子代诉其近来常撞到门框。",
    "{n}拒绝行荧光造影，要求先保守治疗。",
    "电话随访{n}，诉无眼红眼痛。",
    "{n}今日复诊，{n}诉{side}视物变形较前减轻。",
    "候诊时{n}跌倒一次，已请急诊评估。",
)

_EN_FIRST_M = (
    "Harold", "Walter", "Frank", "Raymond", "Eugene", "Howard", "Vernon", "Clarence", "Declan",
    "Rajesh", "Mohammed", "Olusegun", "Kwame", "Hiroshi", "Sergei", "Giuseppe", "Pierre",
    "Liam", "Noah", "Jackson", "Tyrone", "DeShawn", "Joaquin", "Zhiqiang", "Wei", "Arthur",
    "Malcolm", "Ignatius", "Bartholomew", "Stanislaw", "Dermot", "Alasdair",
)  # fmt: skip
_EN_FIRST_F = (
    "Maria", "Dorothy", "Eleanor", "Gloria", "Beatrice", "Mildred", "Lorraine", "Agnes",
    "Imogen", "Siobhan", "Priya", "Aisha", "Fatima", "Ngozi", "Yuki", "Svetlana",
    "Francesca", "Amelie", "Ava", "Olivia", "Madison", "Latoya", "Esperanza", "Guadalupe",
    "Mei", "Anh", "Xiuying", "Winifred", "Philippa", "Rosalind", "Ines", "Marguerite",
)  # fmt: skip
_EN_LAST = (
    "Gonzalez", "Smith", "Johnson", "Williams", "Brown", "Jones", "Garcia", "Miller", "Davis",
    "Rodriguez", "Martinez", "Hernandez", "Lopez", "Wilson", "Anderson", "Thomas", "Taylor",
    "Moore", "Martin", "Lee", "Perez", "Thompson", "White", "Harris", "Sanchez", "Clark",
    "Ramirez", "Lewis", "Robinson", "Walker", "Young", "Allen", "King", "Wright", "Scott",
    "Torres", "Nguyen", "Hill", "Flores", "Green", "Adams", "Nelson", "Baker", "Hall",
    "Rivera", "Campbell", "Mitchell", "Carter", "Roberts", "O'Brien", "McAllister",
    "Featherstonehaugh", "Okafor", "Patel", "Shah", "Kowalski", "Nowak", "Schneider",
    "Fitzgerald", "van der Berg", "Abernathy", "Lindqvist", "Haddad", "Yamamoto", "Kim",
    "Park", "Novak", "Smith-Jones", "Chen", "Zhang", "Oyelaran", "MacLeod", "Quigley",
)  # fmt: skip


def _en_name_slots(rng: random.Random, ctx: _Ctx) -> Slots:
    slots = _en_keep(rng)
    female = rng.random() < 0.5
    first = rng.choice(_EN_FIRST_F if female else _EN_FIRST_M)
    last = rng.choice(_EN_LAST)
    if rng.random() < 0.04:
        first, last = first.lower(), last.lower()
    slots.update(
        f=_p("NAME_UNLABELLED", first),
        full=_p("NAME_UNLABELLED", f"{first} {last}"),
        last=_p("NAME_UNLABELLED", last),
        his=_t("her" if female else "his"),
        rel=_t(rng.choice(("daughter", "son", "husband" if female else "wife", "carer"))),
    )
    return slots


_EN_NAME_T = (
    "{f} returned today; {f} reports the floaters are unchanged.",
    "{full} presents for follow-up of {lesion} {side}.",
    "Thank you for referring {full}, who has noticed distortion {side}.",
    "{full} was seen in clinic today; {last} tolerated the injection well.",
    "Discussed the risks and benefits with {f} and {his} {rel}.",
    "{f}'s sugars remain poorly controlled.",
    "Per {f}, vision has been stable since the last injection.",
    "I reviewed {full} in the medical retina clinic today.",
    "{f} missed the last two appointments; {f} says transport was the problem.",
    "Today {full} describes a grey curtain over the vision {side}.",
    "{full} is keen to keep driving, and {last} understands the field results.",
    "We will see {f} again in six weeks.",
    "{full} attended with {his} {rel}; {f} is finding reading difficult.",
    "{last}, {f} attended for imaging only.",
)


# ---------------------------------------------------------------------------
# BIOMETRIC
# ---------------------------------------------------------------------------

_BIO_PREFIX = {
    "fp": ("FP", "FPT", "FNG", "FP"),
    "iris": ("IRS", "IRIS", "IC", "IRS"),
    "face": ("FR", "FACE", "FID", "FR"),
    "palm": ("PV", "PALM", "PVN", "PV"),
    "voice": ("VP", "VOX", "VPR", "VP"),
}


def _bio_id(rng: random.Random, modality: str, year: int) -> str:
    prefix = rng.choice(_BIO_PREFIX[modality])
    form = rng.randrange(9)
    if form == 0:
        h = _pick(rng, _HEX, 32)
        return f"{h[:8]}-{h[8:12]}-4{h[13:16]}-{rng.choice('89ab')}{h[17:20]}-{h[20:]}"
    if form == 1:
        h = _pick(rng, _HEX, 32).upper()
        return f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:]}"
    if form == 2:
        return _pick(rng, _HEX, rng.choice((24, 32)))
    if form == 3:
        suffix = rng.choice(("", "-R", "-L", "-" + rng.choice(_UPPER_NO_IO)))
        return f"{prefix}-{year}-{_pick(rng, _DIGITS, 6)}{suffix}"
    if form == 4:
        return f"{prefix}-{_pick(rng, _HEX, 8).upper()}"
    if form == 5:
        return f"{prefix}{year}{rng.randint(1, 12):02d}{rng.randint(1, 28):02d}{_num(rng, 6)}"
    if form == 6:
        alpha = _UPPER_NO_IO + "23456789"
        return "-".join(_pick(rng, alpha, 5) for _ in range(3))
    if form == 7:
        return f"{prefix}-{_pick(rng, _DIGITS, 4)}-{_pick(rng, _DIGITS, 4)}"
    return f"{prefix.lower()}_{_pick(rng, _HEX, 12)}"


def _bio_slots(rng: random.Random, ctx: _Ctx, keep: Slots) -> Slots:
    for modality in _BIO_PREFIX:
        keep[modality] = _p("BIOMETRIC", _bio_id(rng, modality, ctx.year))
    return keep


def _zh_bio_slots(rng: random.Random, ctx: _Ctx) -> Slots:
    return _bio_slots(rng, ctx, _zh_keep(rng))


def _en_bio_slots(rng: random.Random, ctx: _Ctx) -> Slots:
    return _bio_slots(rng, ctx, _en_keep(rng))


_ZH_BIO_T = (
    "已于自助机完成人脸识别登记，人脸识别编号{face}。",
    "虹膜身份核验通过（虹膜模板ID：{iris}）。",
    "指纹模板编号{fp}，用于自助机打印报告。",
    "掌静脉ID {palm} 已绑定就诊卡。",
    "电话随访采用声纹核验，声纹ID：{voice}。",
    "因{side}角膜混浊虹膜识别失败，改用指纹（指纹ID {fp}）。",
    "人脸特征编号{face}已同步至医保刷脸终端。",
    "本次注射前身份确认：虹膜编码{iris}。",
    "生物特征登记号：{face}（人脸）。",
    "家属代取药，需核验患者掌纹模板号{palm}。",
    "科研项目采集虹膜图像，虹膜模板编号{iris}，已签署知情同意。",
    "声纹模板编号{voice}用于远程随访身份核验。",
)

_EN_BIO_T = (
    "Identity confirmed at the kiosk by face-recognition ID {face}.",
    "Iris template {iris} failed to match after the iridotomy; identity checked manually.",
    "Fingerprint template ID: {fp}.",
    "Palm-vein ID {palm} linked to pharmacy collection.",
    "Voiceprint ID {voice} used for telephone follow-up verification.",
    "Biometric enrolment ref {face} (face).",
    "IrisCode ID {iris} stored by the research consent system.",
    "Face ID enrolment {face} updated after ptosis surgery.",
    "Checked in via fingerprint (template {fp}).",
    "The study kiosk logged iris code {iris} for this visit.",
    "Palm vein template {palm} re-enrolled because of hand tremor.",
    "Voice biometric {voice} registered for the automated results line.",
)


# ---------------------------------------------------------------------------
# HANDLE
# ---------------------------------------------------------------------------

_PINYIN_BITS = (
    "chen", "wang", "li", "zhang", "liu", "yang", "huang", "zhao", "laowang", "xiaomei",
    "ahua", "dongdong", "lili", "weiwei", "jianguo", "xiuying", "zq", "jh", "laoli", "ayi",
)  # fmt: skip
_EN_BITS = (
    "sunny", "eye", "retina", "grandpa", "nana", "blue", "happy", "tiger", "panda", "moon",
    "lucky", "harold", "maria", "dot", "fishing", "garden", "birder", "vinyl", "gran", "pops",
)  # fmt: skip
_WEIBO_NAMES = (
    "眼科日记小陈",
    "一只眼睛的猫",
    "老王看世界",
    "黄斑妈妈",
    "糖网战士2020",
    "视界明亮",
)


def _wechat(rng: random.Random) -> str:
    form = rng.randrange(4)
    if form == 0:
        return "wxid_" + _pick(rng, _LOWER_ALNUM, rng.choice((12, 14, 14)))
    if form == 1:
        return (
            rng.choice(_PINYIN_BITS) + "_" + rng.choice(_PINYIN_BITS) + str(rng.randint(1950, 2005))
        )
    if form == 2:
        return "-".join(rng.sample(_PINYIN_BITS, 2)) + "-" + str(rng.randint(1, 99))
    word = rng.choice(_EN_BITS)
    return (
        word.capitalize()
        + "_"
        + rng.choice(("Eye", "Li", "Chen", "88", ""))
        + str(rng.randint(10, 2024))
    )


def _qq(rng: random.Random) -> str:
    return _num(rng, rng.randint(5, 11))


def _at_handle(rng: random.Random, zh: bool) -> str:
    if zh and rng.random() < 0.4:
        return "@" + rng.choice(_WEIBO_NAMES)
    bits = _PINYIN_BITS if zh else _EN_BITS
    form = rng.randrange(4)
    if form == 0:
        core = rng.choice(bits) + "_" + rng.choice(_LOWER) + str(rng.randint(10, 99))
    elif form == 1:
        core = rng.choice(bits) + "." + rng.choice(bits)
    elif form == 2:
        core = (
            rng.choice(bits)
            + rng.choice(("guy", "girl", "lady", "dad"))
            + str(rng.randint(1940, 2005))
        )
    else:
        core = (
            rng.choice(bits).capitalize() + rng.choice(bits).capitalize() + str(rng.randint(1, 999))
        )
    return "@" + core


def _tg(rng: random.Random) -> str:
    core = rng.choice(_EN_BITS + _PINYIN_BITS) + "_" + _pick(rng, _LOWER_ALNUM, rng.randint(3, 8))
    return ("@" + core) if rng.random() < 0.6 else core


def _handle_slots(rng: random.Random, keep: Slots, zh: bool) -> Slots:
    w = _wechat(rng)
    keep.update(
        w=_p("HANDLE", w),
        q=_p("HANDLE", _fw(rng, _qq(rng)) if zh else _qq(rng)),
        at=_p("HANDLE", _at_handle(rng, zh)),
        tg=_p("HANDLE", _tg(rng)),
        dy=_p("HANDLE", rng.choice(_PINYIN_BITS) + rng.choice(("_", ".", "")) + _num(rng, 4)),
    )
    return keep


def _zh_handle_slots(rng: random.Random, ctx: _Ctx) -> Slots:
    return _handle_slots(rng, _zh_keep(rng), zh=True)


def _en_handle_slots(rng: random.Random, ctx: _Ctx) -> Slots:
    return _handle_slots(rng, _en_keep(rng), zh=False)


_ZH_HANDLE_T = (
    "家属微信号{w}，已拉入随访群。",
    "可通过微信 {w} 联系其女儿。",
    "QQ：{q}（患者儿子），便于发送检查报告。",
    "患者在微博{at}记录每次注射后的视力变化。",
    "随访联系：wx {w}。",
    "其孙子的抖音号{dy}上发布过患者就诊视频，已提醒注意隐私。",
    "已添加患者微信（{w}）发送复查提醒。",
    "家属QQ号{q}，未留邮箱。",
    "小红书账号{at}分享过其术后视力记录。",
    "患者常居海外，留有Telegram用户名{tg}。",
    "微信ID：{w}；QQ {q}。",
    "患者女儿通过微博{at}私信咨询复诊时间。",
)

_EN_HANDLE_T = (
    "WeChat ID: {w} (daughter).",
    "Posts updates on X as {at}; advised not to share images of the report.",
    "Granddaughter's Instagram is {at}.",
    "Prefers contact by Telegram, username {tg}.",
    "QQ {q} provided by family overseas.",
    "Messaged the clinic from the Facebook support group account {at}.",
    "Son can be reached on WeChat ({w}).",
    "Twitter handle {at} appears on the consent form for the support group.",
    "Vlogs the injections on TikTok as {at}.",
    "Weibo {at} was given as an emergency contact channel.",
    "Telegram: {tg}; WeChat: {w}.",
    "Daughter overseas added us on WeChat, ID {w}.",
)


# ---------------------------------------------------------------------------
# IP
# ---------------------------------------------------------------------------

_PORTS = ("104", "11112", "4242", "8080", "443", "8443", "2762", "5000")
_V6_PREFIXES = ((0x2409, 0x8A1E), (0x240E, 0x3B0), (0x2408, 0x8207), (0x2A00, 0x23C5),
                (0x2600, 0x1700), (0x2601, 0x647), (0x2001, 0xDB8), (0x2A02, 0xC7F))  # fmt: skip


def _ipv4(rng: random.Random) -> str:
    form = rng.randrange(5)
    if form == 0:
        return f"10.{rng.randint(0, 255)}.{rng.randint(0, 255)}.{rng.randint(1, 254)}"
    if form == 1:
        return f"192.168.{rng.randint(0, 30)}.{rng.randint(1, 254)}"
    if form == 2:
        return f"172.{rng.randint(16, 31)}.{rng.randint(0, 255)}.{rng.randint(1, 254)}"
    first = rng.choice((36, 58, 61, 73, 81, 86, 101, 112, 116, 120, 183, 202, 211, 218, 223))
    return f"{first}.{rng.randint(0, 255)}.{rng.randint(0, 255)}.{rng.randint(1, 254)}"


def _ipv6(rng: random.Random) -> str:
    form = rng.randrange(4)
    if form == 3:  # link-local
        groups = [0xFE80, 0, 0, 0] + [rng.randint(0, 0xFFFF) for _ in range(4)]
    else:
        a, b = rng.choice(_V6_PREFIXES)
        groups = [a, b] + [rng.randint(0, 0xFFFF) for _ in range(6)]
        if rng.random() < 0.6:
            zero_from = rng.randint(3, 5)
            for i in range(zero_from, rng.randint(zero_from + 1, 7)):
                groups[i] = 0
    if form == 0:
        text = ":".join(f"{g:04x}" for g in groups)
    else:
        hexes = [f"{g:x}" for g in groups]
        best_start, best_len, i = -1, 0, 0
        while i < 8:
            if groups[i] == 0:
                j = i
                while j < 8 and groups[j] == 0:
                    j += 1
                if j - i > best_len and j - i >= 2:
                    best_start, best_len = i, j - i
                i = j
            else:
                i += 1
        if best_start >= 0:
            left = ":".join(hexes[:best_start])
            right = ":".join(hexes[best_start + best_len :])
            text = left + "::" + right
        else:
            text = ":".join(hexes)
    return text.upper() if rng.random() < 0.2 else text


def _ip_slots(rng: random.Random, keep: Slots) -> Slots:
    keep.update(
        ip=_p("IP", _ipv4(rng) if rng.random() < 0.7 else _ipv6(rng)),
        ip4=_p("IP", _ipv4(rng)),
        ip6=_p("IP", _ipv6(rng)),
        port=_t(rng.choice(_PORTS)),
    )
    return keep


def _zh_ip_slots(rng: random.Random, ctx: _Ctx) -> Slots:
    return _ip_slots(rng, _zh_keep(rng))


def _en_ip_slots(rng: random.Random, ctx: _Ctx) -> Slots:
    return _ip_slots(rng, _en_keep(rng))


_ZH_IP_T = (
    "图像由眼底照相工作站（IP {ip}）上传至PACS。",
    "PACS节点{ip4}:{port}接收失败，已重传。",
    "患者门户登录IP：{ip}。",
    "OCT原始数据经{ip}同步至科研服务器。",
    "远程阅片终端地址{ip}，阅片时间{time}。",
    "本报告由IP为{ip}的终端打印。",
    "DICOM发送目标：{ip4}，端口{port}。",
    "互联网医院问诊记录显示患者IP地址为{ip}。",
    "AI筛查服务器 {ip} 返回结果：{grade}。",
    "视野计数据导出至[{ip6}]:{port}。",
    "{maker}设备网络地址{ip4}，本次传输正常。",
    "家属通过{ip}远程查看了检查报告。",
)

_EN_IP_T = (
    "Images uploaded from workstation at {ip}.",
    "PACS node {ip4}:{port} rejected the first transfer.",
    "Portal login from {ip} at {time}.",
    "DICOM push to [{ip6}]:{port} completed.",
    "OCT export routed via {ip} on the imaging VLAN.",
    "AI grading server {ip} returned {grade}.",
    "Telehealth session originated from IP address {ip}.",
    "Remote reader accessed the study from {ip}.",
    "The letter was printed from the queue on {ip4}.",
    "Fundus images synced from the {maker} at {ip}.",
    "Audit log: report viewed from {ip} by the patient's son.",
    "Field analyser exports to {ip4} (port {port}).",
)


# ---------------------------------------------------------------------------
# ACCOUNT
# ---------------------------------------------------------------------------

_CN_CARD_BINS = ("622848", "621700", "622202", "621483", "622262", "601382", "622588",
                 "621226", "622700", "623668", "621799", "625965")  # fmt: skip
_UK_BANKS = ("NWBK", "BARC", "LOYD", "HBUK", "MIDL", "NAIA", "ABBY", "RBOS")


def _cn_card(rng: random.Random) -> str:
    length = rng.choice((16, 19, 19))
    payload = rng.choice(_CN_CARD_BINS) + _pick(rng, _DIGITS, length - 7)
    card = payload + _luhn(payload)
    sep = rng.choice(("", "", " ", " "))
    return _chunks(card, (4, 4, 4, 4), sep) if sep else card


def _cn_patient_account(rng: random.Random, year: int) -> str:
    form = rng.randrange(3)
    if form == 0:
        return f"ZH{year}{_pick(rng, _DIGITS, 6)}"
    if form == 1:
        return _num(rng, 10)
    return f"JZ-{_pick(rng, _DIGITS, 4)}-{_pick(rng, _DIGITS, 6)}"


def _card_number(rng: random.Random) -> str:
    form = rng.randrange(3)
    if form == 0:
        payload = "4" + _pick(rng, _DIGITS, 14)
    elif form == 1:
        payload = str(rng.randint(51, 55)) + _pick(rng, _DIGITS, 13)
    else:
        payload = rng.choice(("34", "37")) + _pick(rng, _DIGITS, 12)
        card = payload + _luhn(payload)
        return _chunks(card, (4, 6), " ")
    card = payload + _luhn(payload)
    return rng.choice((card, _chunks(card, (4, 4, 4), " "), _chunks(card, (4, 4, 4), "-")))


def _en_iban(rng: random.Random) -> str:
    form = rng.randrange(4)
    if form == 0:
        iban = _iban("GB", rng.choice(_UK_BANKS) + _pick(rng, _DIGITS, 14))
    elif form == 1:
        iban = _iban("DE", _pick(rng, _DIGITS, 18))
    elif form == 2:
        iban = _iban("NL", rng.choice(("ABNA", "INGB", "RABO", "TRIO")) + _pick(rng, _DIGITS, 10))
    else:
        iban = _iban("IE", rng.choice(("AIBK", "BOFI")) + _pick(rng, _DIGITS, 14))
    return _chunks(iban, (4,) * 8, " ") if rng.random() < 0.6 else iban


def _en_billing(rng: random.Random) -> str:
    form = rng.randrange(4)
    if form == 0:
        return "PA" + _pick(rng, _DIGITS, 7)
    if form == 1:
        return f"{_pick(rng, _DIGITS, 3)}-{_pick(rng, _DIGITS, 3)}-{_pick(rng, _DIGITS, 4)}"
    if form == 2:
        return "A" + _pick(rng, _DIGITS, 9)
    return _num(rng, rng.randint(8, 12))


def _zh_account_slots(rng: random.Random, ctx: _Ctx) -> Slots:
    slots = _zh_keep(rng)
    corporate = _num(rng, rng.choice((17, 19, 21)))
    slots.update(
        a=_p("ACCOUNT", _fw(rng, _cn_card(rng))),
        b=_p("ACCOUNT", _fw(rng, corporate)),
        pa=_p("ACCOUNT", _cn_patient_account(rng, ctx.year)),
    )
    return slots


def _en_account_slots(rng: random.Random, ctx: _Ctx) -> Slots:
    slots = _en_keep(rng)
    slots.update(
        a=_p("ACCOUNT", _num(rng, rng.randint(8, 12))),
        sc=_p("ACCOUNT", "-".join(_pick(rng, _DIGITS, 2) for _ in range(3))),
        an=_p("ACCOUNT", _pick(rng, _DIGITS, 8)),
        iban=_p("ACCOUNT", _en_iban(rng)),
        card=_p("ACCOUNT", _card_number(rng)),
        pa=_p("ACCOUNT", _en_billing(rng)),
    )
    return slots


_ZH_ACCOUNT_T = (
    "退费请汇入银行卡号{a}（工商银行）。",
    "住院押金退款账户：{a}。",
    "家属提供开户行账号{b}用于报销款转账。",
    "患者账户号{pa}余额不足，已通知补缴。",
    "卡号 {a} 已绑定自助缴费。",
    "医疗救助金将打入其账号{a}。",
    "慈善援助项目收款账户{b}（户名略）。",
    "诊间支付绑定的银行卡{a}交易失败，请改用现金。",
    "结算账号：{pa}。",
    "抗VEGF药物赠药项目登记银行卡{a}，账户{pa}同步备案。",
    "医保外自费部分从账户{pa}扣款。",
)

_EN_ACCOUNT_T = (
    "Refund to account number {a}.",
    "Sort code {sc}, account {an} (travel-expense reimbursement).",
    "Billing account # {pa} is in collections.",
    "IBAN {iban} supplied for the research participant payment.",
    "Card on file {card} declined for the co-pay.",
    "Patient account no. {pa}; statement sent.",
    "Direct debit from account {an} set up by the daughter.",
    "Payment plan linked to acct {a}.",
    "Reimbursement wired to IBAN: {iban}.",
    "Guarantor account {pa} updated after the injection visit.",
    "Card ending in the number {card} was charged for {dose}.",
    "Hardship fund paid into sort code {sc} account {an}.",
)


# ---------------------------------------------------------------------------
# HEALTH_PLAN
# ---------------------------------------------------------------------------

_MBI_LETTERS = "ACDEFGHJKMNPQRTUVWXY"


def _mbi(rng: random.Random) -> str:
    an = _MBI_LETTERS + _DIGITS
    s = (
        str(rng.randint(1, 9))
        + rng.choice(_MBI_LETTERS)
        + rng.choice(an)
        + rng.choice(_DIGITS)
        + rng.choice(_MBI_LETTERS)
        + rng.choice(an)
        + rng.choice(_DIGITS)
        + rng.choice(_MBI_LETTERS)
        + rng.choice(_MBI_LETTERS)
        + _pick(rng, _DIGITS, 2)
    )
    return _chunks(s, (4, 3), "-") if rng.random() < 0.5 else s


def _medicaid(rng: random.Random) -> str:
    form = rng.randrange(4)
    if form == 0:
        return _pick(rng, _UPPER, 2) + _pick(rng, _DIGITS, 5) + rng.choice(_UPPER)
    if form == 1:
        return _num(rng, 8) + rng.choice(_UPPER)
    if form == 2:
        return _num(rng, rng.choice((9, 10, 11)))
    return "MCD-" + _pick(rng, _DIGITS, 4) + "-" + _pick(rng, _DIGITS, 5)


def _member_id(rng: random.Random) -> str:
    form = rng.randrange(5)
    if form == 0:
        return _pick(rng, _UPPER, 3) + _pick(rng, _DIGITS, 9)
    if form == 1:
        return "W" + _pick(rng, _DIGITS, 9)
    if form == 2:
        return _num(rng, 9) + "01"
    if form == 3:
        return "H" + _pick(rng, _DIGITS, 8) + "-" + _pick(rng, _DIGITS, 2)
    return _pick(rng, _UPPER, 2) + _pick(rng, _DIGITS, 7)


def _nhs_number(rng: random.Random) -> str:
    while True:
        body = _num(rng, 9)
        total = sum(int(c) * w for c, w in zip(body, range(10, 1, -1), strict=True))
        check = 11 - total % 11
        if check == 11:
            check = 0
        if check != 10:
            s = body + str(check)
            return _chunks(s, (3, 3), " ") if rng.random() < 0.7 else s


def _zh_hp_value(rng: random.Random, which: str) -> str:
    region = rng.choice(_CN_REGION_CODES)
    if which == "card":
        return rng.choice(
            (rng.choice(_UPPER) + _pick(rng, _DIGITS, 8), region + _pick(rng, _DIGITS, 10))
        )
    if which == "ss":
        return rng.choice(_UPPER[:4]) + _pick(rng, _DIGITS, rng.choice((8, 8, 9)))
    if which == "personal":
        return _num(rng, rng.choice((10, 11, 12)))
    if which == "ncms":
        return region + _pick(rng, _DIGITS, 3) + _pick(rng, _DIGITS, 5) + _pick(rng, _DIGITS, 2)
    # commercial policy
    return rng.choice(("P", "PICC", "", "ZA", "8")) + _pick(rng, _DIGITS, rng.choice((16, 18, 20)))


def _zh_hp_slots(rng: random.Random, ctx: _Ctx) -> Slots:
    slots = _zh_keep(rng)
    for key, which in (("hc", "card"), ("hs", "ss"), ("hi", "personal"), ("hn", "ncms"),
                       ("hpol", "policy")):  # fmt: skip
        value = _zh_hp_value(rng, which)
        slots[key] = _p("HEALTH_PLAN", _fw(rng, value) if value.isdigit() else value)
    return slots


def _en_hp_slots(rng: random.Random, ctx: _Ctx) -> Slots:
    slots = _en_keep(rng)
    slots.update(
        mbi=_p("HEALTH_PLAN", _mbi(rng)),
        mcd=_p("HEALTH_PLAN", _medicaid(rng)),
        mem=_p("HEALTH_PLAN", _member_id(rng)),
        grp=_p("HEALTH_PLAN", rng.choice((_num(rng, rng.randint(5, 8)), "G" + _num(rng, 6)))),
        pol=_p("HEALTH_PLAN", rng.choice(("BUP", "AXA", "VIT", "")) + _num(rng, 8)),
        nhs=_p("HEALTH_PLAN", _nhs_number(rng)),
        cin=_p("HEALTH_PLAN", _num(rng, 8) + rng.choice(_UPPER)),
        dbn=_p("HEALTH_PLAN", _num(rng, 11)),
    )
    return slots


_ZH_HP_T = (
    "医保卡号{hc}，本次抗VEGF药物按门诊特殊病种结算。",
    "社保卡号：{hs}。",
    "医保个人编号{hi}，异地就医已备案。",
    "新农合证号{hn}，报销比例按县级标准执行。",
    "商业保险保单号{hpol}，理赔需附OCT报告。",
    "参保人员编号{hi}（职工医保）。",
    "医疗保险号{hc}已核验，{dose}纳入医保报销。",
    "惠民保保单号{hpol}，可二次报销。",
    "大病保险受益人编号{hi}。",
    "持社会保障卡（卡号{hs}）办理门诊慢病登记。",
    "新型农村合作医疗证号：{hn}。",
    "医保卡{hc}余额不足，家属现金补缴。",
)

_EN_HP_T = (
    "Medicare MBI {mbi}.",
    "Medicaid ID: {mcd}.",
    "Member ID {mem}, group {grp}.",
    "Subscriber ID {mem} (spouse is the policyholder).",
    "Policy number {pol} with Bupa; pre-authorisation requested.",
    "Insurance: Aetna, member {mem}.",
    "Prior authorization submitted under MBI {mbi} for {dose}.",
    "Group number {grp} on the back of the card.",
    "Medi-Cal CIN {cin}.",
    "NHS number {nhs}; private cover not applicable.",
    "Vision plan member ID {mem}.",
    "TRICARE DBN {dbn} verified at check-in.",
    "Medicare number {mbi}; secondary Medicaid {mcd}.",
)


# ---------------------------------------------------------------------------
# AGE_OVER_89
# ---------------------------------------------------------------------------

_EN_UNITS = ("", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine")
_ZH_DIGITS = "〇一二三四五六七八九"


def _en_age_words(n: int) -> str:
    if n < 100:
        return "ninety" + (("-" + _EN_UNITS[n - 90]) if n > 90 else "")
    if n == 100:
        return "one hundred"
    return "one hundred and " + _EN_UNITS[n - 100]


def _zh_age_words(n: int) -> str:
    if n < 100:
        return "九十" + (_ZH_DIGITS[n - 90] if n > 90 else "")
    if n == 100:
        return "一百"
    return "一百零" + _ZH_DIGITS[n - 100]


def _age_pair(rng: random.Random, year: int) -> tuple[int, int]:
    age = rng.choice((90, 91, 91, 92, 92, 93, 93, 94, 95, 96, 97, 98, 99, 100, 101, 102, 104))
    return age, year - age - rng.choice((0, 1))


def _zh_age_slots(rng: random.Random, ctx: _Ctx) -> Slots:
    slots = _zh_keep(rng)
    age, yob = _age_pair(rng, ctx.year)
    r = rng.random()
    age_text = _zh_age_words(age) if r < 0.2 else _fw(rng, str(age), 0.15)
    r = rng.random()
    if r < 0.15:
        yob_text = "".join(_ZH_DIGITS[int(c)] for c in str(yob))
    else:
        yob_text = _fw(rng, str(yob), 0.15)
    slots.update(a=_p("AGE_OVER_89", age_text), y=_p("AGE_OVER_89", yob_text))
    return slots


def _en_age_slots(rng: random.Random, ctx: _Ctx) -> Slots:
    slots = _en_keep(rng)
    age, yob = _age_pair(rng, ctx.year)
    female = rng.random() < 0.5
    words = rng.random() < 0.3
    slots.update(
        a=_p("AGE_OVER_89", _en_age_words(age) if words else str(age)),
        A=_p("AGE_OVER_89", _en_age_words(age).capitalize() if words else str(age)),
        y=_p("AGE_OVER_89", str(yob)),
        he=_t("she" if female else "he"),
        He=_t("She" if female else "He"),
        man=_t("woman" if female else "man"),
    )
    return slots


_ZH_AGE_T = (
    "{a}岁（{y}年生），独居。",
    "{y}年出生，现{a}岁。",
    "患者高龄，{a}周岁，{y}年生人。",
    "{a}岁老人（出生于{y}年）由家属推轮椅来诊。",
    "年龄：{a}岁（{y}年出生）。",
    "今年已{a}岁（{y}年生），能耐受注射。",
    "{y}年生，{a}岁，听力差，沟通需家属协助。",
    "患者现年{a}岁，出生年份{y}。",
    "{a}岁高龄（生于{y}年），家属要求保守治疗。",
    "生于{y}年，今年{a}岁，仍坚持每日读报。",
    "患者{y}年出生，{a}岁，{side}白内障术后多年。",
    "家属诉老人{a}岁了（{y}年生），近来常认错人。",
)

_EN_AGE_T = (
    "Born {y}, now {a}, and still living independently.",
    "Aged {a} (b. {y}).",
    "A {a}-year-old {man}, born in {y}, attends with family.",
    "{He} is {a} (born {y}) and lives alone.",
    "Age {a} (YOB {y}).",
    "At {a} (born {y}), {he} remains independent with daily activities.",
    "{A} y/o, b.{y}, on warfarin.",
    "This {a}-year-old {man}, born in {y}, reports reduced reading vision.",
    "Nonagenarian: {a} years old, year of birth {y}.",
    "Year of birth {y}; turned {a} this spring.",
    "Born in {y}, so {he} is now {a}.",
    "{A} years of age (born {y}); family present for consent.",
)


# ---------------------------------------------------------------------------
# DEVICE
# ---------------------------------------------------------------------------


def _serial(rng: random.Random) -> str:
    form = rng.randrange(7)
    if form == 0:
        return _num(rng, rng.randint(7, 9))
    if form == 1:
        return rng.choice(("CZ", "TP", "HE", "OP", "NK", "CN")) + _pick(rng, _DIGITS, 7)
    if form == 2:
        return f"{_pick(rng, _DIGITS, 4)}-{_pick(rng, _DIGITS, 5)}"
    if form == 3:
        return rng.choice(("NW400-", "SPX-", "CX", "OCT2-", "TRI-")) + _pick(rng, _DIGITS, 6)
    if form == 4:
        return _pick(rng, _UPPER_NO_IO + _DIGITS, 10)
    if form == 5:
        return f"{rng.randint(2014, 2024)}{_pick(rng, _UPPER_NO_IO, 2)}{_pick(rng, _DIGITS, 5)}"
    return "D" + _pick(rng, _DIGITS, 6) + rng.choice(_UPPER_NO_IO)


def _host(rng: random.Random) -> str:
    form = rng.randrange(6)
    if form == 0:
        return f"OPH-WS-{_pick(rng, _DIGITS, 4)}"
    if form == 1:
        site = rng.choice(("EYE", "RET", "OPH", "YK"))
        modality = rng.choice(("OCT", "FUNDUS", "FA", "VF"))
        return f"{site}-{modality}-{_pick(rng, _DIGITS, 2)}"
    if form == 2:
        return "DESKTOP-" + _pick(rng, _UPPER_NO_IO + _DIGITS, 7)
    if form == 3:
        return f"yk-ws-{_pick(rng, _DIGITS, 3)}"
    if form == 4:
        return f"WKS-OPH-{_pick(rng, _DIGITS, 3)}"
    return f"fundus-cam-{_pick(rng, _DIGITS, 2)}.eye.local"


def _asset(rng: random.Random, year: int) -> str:
    form = rng.randrange(4)
    if form == 0:
        return f"ZC-{year - rng.randint(0, 8)}-{_pick(rng, _DIGITS, 5)}"
    if form == 1:
        return _pick(rng, _DIGITS, 6)
    if form == 2:
        return "BME-" + _pick(rng, _DIGITS, 7)
    return "AT-" + _pick(rng, _DIGITS, 6)


def _gtin_check(body: str) -> str:
    total = sum(int(c) * (3 if i % 2 == 0 else 1) for i, c in enumerate(reversed(body)))
    return str(-total % 10)


def _udi(rng: random.Random, year: int) -> str:
    gtin = "0" + _pick(rng, _DIGITS, 12)
    gtin += _gtin_check(gtin)
    expiry = (
        f"{(year + rng.randint(1, 3)) % 100:02d}{rng.randint(1, 12):02d}{rng.randint(1, 28):02d}"
    )
    lot = _pick(rng, _UPPER_NO_IO + _DIGITS, rng.randint(5, 8))
    text = f"(01){gtin}(17){expiry}(10){lot}"
    if rng.random() < 0.5:
        text += f"(21){_pick(rng, _DIGITS, 7)}"
    return text


def _imei(rng: random.Random) -> str:
    payload = rng.choice(("35209900", "35332011", "86891303", "35875505", "01326300",
                          "86769204")) + _pick(rng, _DIGITS, 6)  # fmt: skip
    imei = payload + _luhn(payload)
    if rng.random() < 0.35:
        return f"{imei[:2]}-{imei[2:8]}-{imei[8:14]}-{imei[14]}"
    return imei


def _mac(rng: random.Random) -> str:
    sep = rng.choice((":", "-"))
    return sep.join(_pick(rng, "0123456789ABCDEF", 2) for _ in range(6))


def _device_slots(rng: random.Random, ctx: _Ctx, keep: Slots, zh: bool) -> Slots:
    serial = _serial(rng)
    imei = _imei(rng)
    keep.update(
        sn=_p("DEVICE", _fw(rng, serial) if zh and serial.isdigit() else serial),
        host=_p("DEVICE", _host(rng)),
        asset=_p("DEVICE", _asset(rng, ctx.year)),
        udi=_p("DEVICE", _udi(rng, ctx.year)),
        imei=_p("DEVICE", _fw(rng, imei) if zh and imei.isdigit() else imei),
        mac=_p("DEVICE", _mac(rng)),
    )
    return keep


def _zh_device_slots(rng: random.Random, ctx: _Ctx) -> Slots:
    return _device_slots(rng, ctx, _zh_keep(rng), zh=True)


def _en_device_slots(rng: random.Random, ctx: _Ctx) -> Slots:
    return _device_slots(rng, ctx, _en_keep(rng), zh=False)


_ZH_DEVICE_T = (
    "{maker}眼底照相机（SN：{sn}）拍摄。",
    "OCT设备序列号{sn}，本次扫描信号强度8/10。",
    "仪器序列号：{sn}。",
    "设备编号{sn}校准日期已过，结果仅供参考。",
    "本报告由工作站{host}生成。",
    "资产编号{asset}的裂隙灯已报修。",
    "植入物UDI：{udi}。",
    "家用监测手机IMEI {imei} 已绑定远程视力监测。",
    "主机名{host}上的图像已备份。",
    "使用{maker} OCT（S/N {sn}）扫描。",
    "家用眼压计序列号{sn}，数据已上传。",
    "视野计设备编号{asset}，检查程序{hum}。",
    "平板电脑MAC地址{mac}用于{amsler}电子自测。",
)

_EN_DEVICE_T = (
    "Imaged on the {maker} (SN {sn}).",
    "OCT device S/N: {sn}; signal strength 8/10.",
    "Report generated on workstation {host}.",
    "Asset tag {asset} (slit lamp) sent for repair.",
    "Implant UDI {udi} recorded.",
    "Home-monitoring phone IMEI {imei} enrolled in the app-based {amsler} programme.",
    "Camera serial number {sn} flagged for recalibration.",
    "Host {host} uploaded the series.",
    "Visual field analyser serial {sn} ({hum}).",
    "Device ID {sn} appears in the DICOM header.",
    "Tablet MAC {mac} registered for home acuity testing.",
    "Scans exported from {host}, asset {asset}.",
)


# ---------------------------------------------------------------------------
# LICENSE
# ---------------------------------------------------------------------------


def _npi(rng: random.Random) -> str:
    body = rng.choice("12") + _pick(rng, _DIGITS, 8)
    return body + _luhn("80840" + body)


def _dea(rng: random.Random) -> str:
    d = [rng.randint(0, 9) for _ in range(6)]
    check = (d[0] + d[2] + d[4] + 2 * (d[1] + d[3] + d[5])) % 10
    return rng.choice("ABFGM") + rng.choice(_UPPER) + "".join(map(str, d)) + str(check)


def _dvla(rng: random.Random) -> str:
    surname = rng.choice(_EN_LAST).upper().replace("'", "").replace("-", "").replace(" ", "")
    surname = (surname[:5] + "99999")[:5]
    year = rng.randint(1935, 2004)
    month = rng.randint(1, 12) + (50 if rng.random() < 0.5 else 0)
    initials = rng.choice(_UPPER) + rng.choice(_UPPER + "9")
    return (
        f"{surname}{str(year)[2]}{month:02d}{rng.randint(1, 28):02d}{str(year)[3]}"
        f"{initials}9{_pick(rng, _UPPER, 2)}"
    )


def _us_dl(rng: random.Random) -> str:
    form = rng.randrange(9)
    if form == 0:
        return rng.choice(_UPPER) + _pick(rng, _DIGITS, 7)
    if form == 1:
        return _chunks(_pick(rng, _DIGITS, 9), (3, 3), " ")
    if form == 2:
        d = _pick(rng, _DIGITS, 12)
        return f"{rng.choice(_UPPER)}{d[:3]}-{d[3:6]}-{d[6:8]}-{d[8:11]}-{d[11]}"
    if form == 3:
        d = _pick(rng, _DIGITS, 11)
        return f"{rng.choice(_UPPER)}{d[:3]}-{d[3:7]}-{d[7:]}"
    if form == 4:
        return _num(rng, 8)
    if form == 5:
        return _chunks(_num(rng, 8), (2, 3), " ")
    if form == 6:
        return _pick(rng, _UPPER, 2) + _pick(rng, _DIGITS, 6)
    if form == 7:
        return "WDL" + _pick(rng, _UPPER_NO_IO + _DIGITS, 9)
    d = _pick(rng, _DIGITS, 14)
    return f"{rng.choice(_UPPER)}{d[:4]}-{d[4:9]}-{d[9:]}"  # Ontario


def _zh_license_slots(rng: random.Random, ctx: _Ctx) -> Slots:
    slots = _zh_keep(rng)
    region = rng.choice(_CN_REGION_CODES)
    year = rng.randint(1995, ctx.year)
    slots.update(
        dl=_p("LICENSE", _fw(rng, _cn_id(rng, region, 1950, 2002), 0.1)),
        dla=_p("LICENSE", _fw(rng, region[:4] + _pick(rng, _DIGITS, 8))),
        pr=_p("LICENSE", rng.choice("12") + "1" + region + _pick(rng, _DIGITS, 7)),
        qc=_p(
            "LICENSE",
            f"{year}{rng.choice('12')}{rng.choice('1234')}{region}{_pick(rng, _DIGITS, 3)}",
        ),
        nurse=_p("LICENSE", f"{year}{region[:2]}{_pick(rng, _DIGITS, 6)}"),
        opt=_p("LICENSE", "S" + _pick(rng, _DIGITS, 12)),
    )
    return slots


def _en_license_slots(rng: random.Random, ctx: _Ctx) -> Slots:
    slots = _en_keep(rng)
    state_med = rng.choice(
        (
            rng.choice("AGC") + _pick(rng, _DIGITS, 6),
            "MD" + _pick(rng, _DIGITS, 6),
            f"35.{_pick(rng, _DIGITS, 6)}",
            "ME-" + _pick(rng, _DIGITS, 5),
        )
    )
    slots.update(
        dl=_p("LICENSE", _us_dl(rng)),
        dvla=_p("LICENSE", _dvla(rng)),
        npi=_p("LICENSE", _npi(rng)),
        dea=_p("LICENSE", _dea(rng)),
        gmc=_p("LICENSE", str(rng.randint(2, 7)) + _pick(rng, _DIGITS, 6)),
        goc=_p("LICENSE", f"01-{_pick(rng, _DIGITS, 5)}"),
        ahpra=_p("LICENSE", rng.choice(("MED", "OPT")) + "000" + _pick(rng, _DIGITS, 7)),
        ml=_p("LICENSE", state_med),
        state=_k("REGION", rng.choice(_US_STATE_NAMES)),
    )
    return slots


_ZH_LICENSE_T = (
    "患者驾驶证号{dl}，需开具视力体检证明。",
    "驾驶证档案编号{dla}，视力不符合C1准驾标准，已告知。",
    "转诊医师执业证书编码{pr}。",
    "医师资格证书编号：{qc}。",
    "注射护士执业证书编号{nurse}。",
    "报告审核医师执业证书编码：{pr}。",
    "驾驶证号：{dl}（申请换证体检）。",
    "准驾车型A2，驾驶证编号{dl}。",
    "外院会诊医师执业证书编码{pr}，资格证书编号{qc}。",
    "验光师职业资格证书编号{opt}。",
    "因{side}视野缺损，建议暂停驾驶，驾驶证档案编号{dla}。",
    "进修医师资格证书编号{qc}，在上级医师指导下操作。",
)

_EN_LICENSE_T = (
    "Driving licence {dvla}; advised to notify the DVLA of the field defect.",
    "{state} driver license {dl}; vision form for the licensing agency completed.",
    "Referring physician NPI {npi}.",
    "DEA {dea} on the post-operative prescription.",
    "Seen by locum, GMC {gmc}.",
    "Medical licence no. {ml} on the signed report.",
    "Optometrist GOC registration {goc}.",
    "License number {dl} per the DMV vision certificate.",
    "NPI: {npi}; DEA: {dea}.",
    "CDL {dl} - commercial driver, needs DOT vision exam.",
    "AHPRA registration {ahpra} (locum ophthalmologist).",
    "Driver licence no. {dvla} surrendered voluntarily after {hum} testing.",
    "Ordering provider NPI {npi}, state licence {ml}.",
)


# ---------------------------------------------------------------------------
# registry
# ---------------------------------------------------------------------------


class _Ctx(NamedTuple):
    year: int


SlotFn = Callable[[random.Random, _Ctx], Slots]

_REGISTRY: dict[tuple[str, str], tuple[SlotFn, tuple[str, ...]]] = {
    ("CITY", "zh"): (_zh_city_slots, _ZH_CITY_T),
    ("CITY", "en"): (_en_city_slots, _EN_CITY_T),
    ("VEHICLE", "zh"): (_zh_vehicle_slots, _ZH_VEHICLE_T),
    ("VEHICLE", "en"): (_en_vehicle_slots, _EN_VEHICLE_T),
    ("NAME_UNLABELLED", "zh"): (_zh_name_slots, _ZH_NAME_T),
    ("NAME_UNLABELLED", "en"): (_en_name_slots, _EN_NAME_T),
    ("BIOMETRIC", "zh"): (_zh_bio_slots, _ZH_BIO_T),
    ("BIOMETRIC", "en"): (_en_bio_slots, _EN_BIO_T),
    ("HANDLE", "zh"): (_zh_handle_slots, _ZH_HANDLE_T),
    ("HANDLE", "en"): (_en_handle_slots, _EN_HANDLE_T),
    ("IP", "zh"): (_zh_ip_slots, _ZH_IP_T),
    ("IP", "en"): (_en_ip_slots, _EN_IP_T),
    ("ACCOUNT", "zh"): (_zh_account_slots, _ZH_ACCOUNT_T),
    ("ACCOUNT", "en"): (_en_account_slots, _EN_ACCOUNT_T),
    ("HEALTH_PLAN", "zh"): (_zh_hp_slots, _ZH_HP_T),
    ("HEALTH_PLAN", "en"): (_en_hp_slots, _EN_HP_T),
    ("AGE_OVER_89", "zh"): (_zh_age_slots, _ZH_AGE_T),
    ("AGE_OVER_89", "en"): (_en_age_slots, _EN_AGE_T),
    ("DEVICE", "zh"): (_zh_device_slots, _ZH_DEVICE_T),
    ("DEVICE", "en"): (_en_device_slots, _EN_DEVICE_T),
    ("LICENSE", "zh"): (_zh_license_slots, _ZH_LICENSE_T),
    ("LICENSE", "en"): (_en_license_slots, _EN_LICENSE_T),
}

TEMPLATE_COUNTS = {key: len(templates) for key, (_, templates) in _REGISTRY.items()}

_SLOT_RE = re.compile(r"\{(\w+)\}")


def _expand(template: str, slots: Slots) -> list[Seg]:
    out: list[Seg] = []
    for i, piece in enumerate(_SLOT_RE.split(template)):
        if i % 2 == 0:
            if piece:
                out.append(("", "", piece))
        else:
            out.extend(slots[piece])
    return out


def _phi_in(template: str, slots: Slots) -> int:
    return sum(seg[0] == "P" for name in _SLOT_RE.findall(template) for seg in slots[name])


def _phi_sentence(rng: random.Random, category: str, lang: str, ctx: _Ctx, room: int) -> list[Seg]:
    slot_fn, templates = _REGISTRY[(category, lang)]
    slots = slot_fn(rng, ctx)
    usable = [t for t in templates if 1 <= _phi_in(t, slots) <= room]
    if not usable:  # pragma: no cover - guarded by the room bookkeeping
        raise AssertionError(f"no template for {category}/{lang} with room {room}")
    return _expand(rng.choice(usable), slots)


# ---------------------------------------------------------------------------
# clinical skeleton of a report
# ---------------------------------------------------------------------------


def _date(rng: random.Random, year: int, zh: bool) -> str:
    m, d = rng.randint(1, 12), rng.randint(1, 28)
    if zh:
        return rng.choice(
            (f"{year}-{m:02d}-{d:02d}", f"{year}年{m}月{d}日", f"{year}/{m:02d}/{d:02d}")
        )
    return rng.choice((f"{d:02d}/{m:02d}/{year}", f"{year}-{m:02d}-{d:02d}", f"{m}/{d}/{year}"))


_ZH_HEADERS = (
    "眼底照相报告　检查日期：{date} {time}",
    "光学相干断层扫描（OCT）检查报告　{date}",
    "眼科门诊病历　就诊时间：{date} {time}",
    "糖尿病视网膜病变筛查报告",
    "荧光素眼底血管造影（FFA）报告　{date}",
    "眼底病专科复诊记录",
    "超广角眼底成像报告（{maker}）",
    "眼科会诊记录　{date} {time}",
)
_ZH_HISTORY = (
    "主诉：{side}视物模糊3月。",
    "现病史：{side}视物变形2周，无眼红眼痛。",
    "糖尿病史10年，胰岛素控制。",
    "{side}抗VEGF治疗后第3次复查。",
    "高度近视史，{side}突发眼前黑影飘动3天。",
    "主诉：双眼视力渐进性下降1年。",
    "高血压病史8年，{side}视力骤降1天。",
)
_ZH_EYE = (
    "{eye}：{va}，{iop}；视盘界清，{cd}；黄斑区可见{lesion}。",
    "{eye}：后极部散在{lesion}及{lesion2}，{cmt}。",
    "{eye}：视网膜平伏，{cd}，未见{lesion}。",
    "{eye}：{va}。视盘色淡红，{cd}，黄斑中心凹反光消失，见{lesion}。",
    "{eye}：OCT示{lesion}，{cmt}，{bruch}完整。",
    "{eye}：{iop}（{goldmann}），{cd}。",
    "{eye}：{lesion}，{grade}。",
)
_ZH_IMPRESSION = (
    "诊断：{side}{grade}。",
    "诊断：1. {side}{grade}；2. 2型糖尿病。",
    "印象：{side}{ep}。",
    "诊断：{side}年龄相关性黄斑变性，{lesion}。",
    "结论：{grade}，建议转诊。",
    "诊断：{side}{ep}，请结合临床。",
)
_ZH_PLAN = (
    "处理：{side}玻璃体腔注射{dose}，4周后复查。",
    "建议：{hum}视野检查，{amsler}自查。",
    "嘱明日{time}行FFA检查。",
    "建议3个月后复查OCT，不适随诊。",
    "建议{side}全视网膜光凝，控制血糖。",
    "已预约下周{time}注射{dose}。",
    "处理：继续观察，{snellen}复查视力。",
)
_ZH_SHORT_FINDINGS = (
    "眼底：{R}{cd}，{lesion}；{L}{cd2}，{lesion2}。",
    "{R}{va}，{L}{va2}；{B}{lesion}，{grade}。",
    "{maker}眼底照相：{R}{lesion}，{L}{lesion2}，{grade}。",
)
_ZH_NOTE_PREFIX = ("备注：", "其他：", "", "补充说明：", "随访信息：", "登记信息：")

_EN_HEADERS = (
    "RETINA CLINIC - FUNDUS PHOTOGRAPHY REPORT ({date} {time})",
    "OCT Macula Report - {maker}",
    "Diabetic Eye Screening: result letter",
    "Medical Retina Clinic Letter",
    "Fluorescein Angiography Report, {date}",
    "Ophthalmology Outpatient Note, {time}",
    "Ultra-widefield Imaging ({maker}) - {date}",
    "Eye Casualty Attendance {date} {time}",
)
_EN_HISTORY = (
    "History: blurred vision {side} for two weeks.",
    "Type 2 diabetes for 12 years; HbA1c 8.1%.",
    "Reviewed after the third anti-VEGF injection {side}.",
    "Complains of distortion on the {amsler}.",
    "High myope; new floaters {side} for three days.",
    "Referred by the screening programme with {grade}.",
    "Gradual decline in reading vision over a year.",
)
_EN_EYE = (
    "{eye}: {va}, {iop}. Disc healthy, {cd}. Macula: scattered {lesion}.",
    "{eye}: {lesion} and {lesion2} at the posterior pole; {cmt}.",
    "{eye}: flat retina, {cd}, no {lesion}.",
    "{eye}: {va}; {lesion} temporal to the fovea; {bruch} intact on OCT.",
    "{eye}: {iop} by {goldmann} applanation; {cd}.",
    "{eye}: {grade}; {lesion} in all four quadrants.",
    "{eye} - {va} with pinhole; {cmt}; {lesion} present.",
)
_EN_IMPRESSION = (
    "Impression: {grade} {side}.",
    "Impression: {ep} {side}.",
    "Assessment: wet AMD with {lesion} {side}.",
    "Diagnosis: {ep}; {lesion} noted.",
    "Outcome: {grade}, refer to hospital eye service.",
    "Impression: CRVO {side} with macular oedema, {cmt}.",
)
_EN_PLAN = (
    "Plan: intravitreal {dose} {side} today; review in 4 weeks.",
    "Plan: {hum} visual field and repeat OCT in 3 months.",
    "FFA booked for tomorrow at {time}.",
    "Plan: PRP {side}; tighten glycaemic control.",
    "Next injection ({dose}) booked for {time} next Tuesday.",
    "Continue observation; {snellen} acuity at next visit.",
    "Advised daily {amsler} checks and to return urgently if distortion worsens.",
)
_EN_SHORT_FINDINGS = (
    "Fundi: {R} {cd}, {lesion}; {L} {cd2}, {lesion2}.",
    "{R} {va}, {L} {va2}; {lesion} {B}, {grade}.",
    "{maker} photographs: {R} {lesion}; {L} {lesion2}; grade {grade}.",
)
_EN_NOTE_PREFIX = ("Note: ", "Admin: ", "", "Social: ", "Additional information: ", "Other: ")


def _clinical(
    rng: random.Random, templates: tuple[str, ...], zh: bool, **extra: list[Seg]
) -> list[Seg]:
    slots = _zh_keep(rng) if zh else _en_keep(rng)
    second = _zh_keep(rng) if zh else _en_keep(rng)
    slots.update(cd2=second["cd"], va2=second["va"])
    if zh:
        slots.update(R=_k("SIDE", "右眼"), L=_k("SIDE", "左眼"), B=_k("SIDE", "双眼"))
    else:
        both = rng.choice(("OU", "both eyes"))
        slots.update(
            R=_k("SIDE", rng.choice(("OD", "RE"))),
            L=_k("SIDE", rng.choice(("OS", "LE"))),
            B=_k("SIDE", both),
        )
    slots.update(extra)
    return _expand(rng.choice(templates), slots)


def _eye_label(rng: random.Random, right: bool, zh: bool) -> list[Seg]:
    if zh:
        word = "右眼" if right else "左眼"
        if rng.random() < 0.35:
            return _k("SIDE", word) + _t("（") + _k("SIDE", "OD" if right else "OS") + _t("）")
        return _k("SIDE", word)
    code = "OD" if right else "OS"
    r = rng.random()
    if r < 0.3:
        return (
            _k("SIDE", "Right eye" if right else "Left eye") + _t(" (") + _k("SIDE", code) + _t(")")
        )
    if r < 0.4:
        return _k("SIDE", "RE" if right else "LE")
    return _k("SIDE", code)


class _Line:
    def __init__(self, segs: list[Seg], zh: bool) -> None:
        self.segs = list(segs)
        self.zh = zh

    def append_sentence(self, segs: list[Seg], zh: bool) -> None:
        last = self.segs[-1][2][-1:] if self.segs else ""
        if self.segs and not (zh and last in "。；：）"):
            self.segs.append(("", "", " "))
        self.segs.extend(segs)


def _skeleton(
    rng: random.Random, base_zh: bool, mixed: bool, year: int
) -> tuple[list[_Line], dict[str, int]]:
    """Clinical lines of a report, plus the index of lines that can host PHI sentences."""
    other_zh = not base_zh
    head_slots = {"date": _t(_date(rng, year, base_zh))}
    headers = _ZH_HEADERS if base_zh else _EN_HEADERS
    history = _ZH_HISTORY if base_zh else _EN_HISTORY
    lines: list[_Line] = [_Line(_clinical(rng, headers, base_zh, **head_slots), base_zh)]
    hosts: dict[str, int] = {}
    # in a mixed report the findings (zh base) or the history (en base) switch language
    eye_zh = other_zh if (mixed and base_zh) else base_zh
    hist_zh = other_zh if (mixed and not base_zh) else base_zh
    if rng.random() < 0.25:  # short screening-style report
        lines.append(
            _Line(
                _clinical(rng, _ZH_SHORT_FINDINGS if eye_zh else _EN_SHORT_FINDINGS, eye_zh), eye_zh
            )
        )
        impression = _clinical(rng, _ZH_IMPRESSION if base_zh else _EN_IMPRESSION, base_zh)
        plan = _clinical(rng, _ZH_PLAN if base_zh else _EN_PLAN, base_zh)
        line = _Line(impression, base_zh)
        line.append_sentence(plan, base_zh)
        lines.append(line)
        if mixed and not base_zh:
            lines.insert(1, _Line(_clinical(rng, _ZH_HISTORY, True), True))
        hosts.update(history=1, plan=len(lines) - 1)
        return lines, hosts
    lines.append(_Line(_clinical(rng, _ZH_HISTORY if hist_zh else _EN_HISTORY, hist_zh), hist_zh))
    hosts["history"] = len(lines) - 1
    if rng.random() < 0.3 and not mixed:
        extra = tuple(h for h in history if "：" not in h and ":" not in h)
        lines[-1].append_sentence(_clinical(rng, extra, base_zh), base_zh)
    for right in (True, False):
        eye = _eye_label(rng, right, eye_zh)
        lines.append(_Line(_clinical(rng, _ZH_EYE if eye_zh else _EN_EYE, eye_zh, eye=eye), eye_zh))
    imp_zh = other_zh if (mixed and base_zh and rng.random() < 0.5) else base_zh
    lines.append(
        _Line(_clinical(rng, _ZH_IMPRESSION if imp_zh else _EN_IMPRESSION, imp_zh), imp_zh)
    )
    lines.append(_Line(_clinical(rng, _ZH_PLAN if base_zh else _EN_PLAN, base_zh), base_zh))
    hosts["plan"] = len(lines) - 1
    return lines, hosts


_SIGNATURES = {
    True: ("报告医师：（电子签名）　审核医师：（电子签名）", "（本报告仅供临床参考）"),
    False: ("Electronically signed by the reporting ophthalmologist.", "Yours sincerely,"),
}


class _Deck:
    """Shuffled deck that keeps category draws balanced across reports."""

    def __init__(self, rng: random.Random, items: tuple[Any, ...]) -> None:
        self.rng = rng
        self.items = items
        self.pool: list[Any] = []

    def _refill(self) -> None:
        fresh = list(self.items)
        self.rng.shuffle(fresh)
        self.pool = fresh + self.pool

    def draw(self, exclude: tuple[Any, ...] = ()) -> Any:
        while True:
            for i in range(len(self.pool) - 1, -1, -1):
                if self.pool[i] not in exclude:
                    return self.pool.pop(i)
            self._refill()


def _make_report(rng: random.Random, lang: str, cats: list[str]) -> Report:
    year = rng.randint(2019, 2025)
    ctx = _Ctx(year)
    mixed = lang == "mixed"
    base_zh = lang == "zh" or (mixed and rng.random() < 0.5)
    lines, hosts = _skeleton(rng, base_zh, mixed, year)

    # PHI sentences; AGE_OVER_89 (always two spans) first so it always has room.
    cats = sorted(cats, key=lambda c: c != "AGE_OVER_89")
    sentences: list[tuple[bool, list[Seg]]] = []
    used = 0
    for i, cat in enumerate(cats):
        room = MAX_PHI - used - (len(cats) - i - 1)
        s_zh = base_zh if not mixed or rng.random() < 0.6 else not base_zh
        segs = _phi_sentence(rng, cat, "zh" if s_zh else "en", ctx, room)
        used += sum(seg[0] == "P" for seg in segs)
        sentences.append((s_zh, segs))
    rng.shuffle(sentences)

    signature = rng.random() < 0.4
    for s_zh, segs in sentences:
        n_lines = len(lines) + (1 if signature else 0)
        where = rng.choice(("history", "plan", "note", "note", "note"))
        if where == "note" and n_lines < MAX_LINES:
            prefix = rng.choice(_ZH_NOTE_PREFIX if s_zh else _EN_NOTE_PREFIX)
            lines.append(_Line((_t(prefix) if prefix else []) + segs, s_zh))
        else:
            lines[hosts["history" if where == "history" else "plan"]].append_sentence(segs, s_zh)
    if signature:
        lines.append(_Line(_t(rng.choice(_SIGNATURES[base_zh])), base_zh))

    text_parts: list[str] = []
    phi: list[Span] = []
    keep: list[Span] = []
    expected: list[tuple[Span, str]] = []
    pos = 0
    for n, line in enumerate(lines):
        if n:
            text_parts.append("\n")
            pos += 1
        for role, kind, piece in line.segs:
            start, pos = pos, pos + len(piece)
            text_parts.append(piece)
            if role == "P":
                phi.append(Span(kind, start, pos))
                expected.append((phi[-1], piece))
            elif role == "K":
                keep.append(Span(kind, start, pos))
                expected.append((keep[-1], piece))
    report = Report(lang, "".join(text_parts), tuple(phi), tuple(keep))
    check_report(report, expected)
    return report


_TRAILING_PUNCT = ".,;:!?，。；：！？、)）]】》\"'"


def check_report(report: Report, expected: list[tuple[Span, str]] | None = None) -> None:
    """Assert the span invariants of one report (raises AssertionError)."""
    text = report.text
    assert report.lang in LANGS, report.lang
    n_lines = text.count("\n") + 1
    assert MIN_LINES <= n_lines <= MAX_LINES, (n_lines, text)
    assert MIN_PHI <= len(report.phi) <= MAX_PHI, (len(report.phi), text)
    spans = sorted(report.phi + report.keep, key=lambda s: (s.start, s.end))
    for a, b in itertools.pairwise(spans):
        assert a.end <= b.start, ("overlap", a, b, text[a.start : b.end])
    for span in report.phi:
        assert span.kind in CATEGORIES, span
    for span in report.keep:
        assert span.kind in KEEP_KINDS, span
    for span in spans:
        value = text[span.start : span.end]
        assert 0 <= span.start < span.end <= len(text), span
        assert value == value.strip() and "\n" not in value, (span, value)
    for span in report.phi:
        value = text[span.start : span.end]
        assert value[-1] not in _TRAILING_PUNCT, (span, value)
    if expected is not None:
        for span, value in expected:
            assert text[span.start : span.end] == value, (span, value)


def generate_reports(count: int, seed: int) -> list[Report]:
    """Generate ``count`` synthetic reports, deterministic for ``seed``."""
    rng = random.Random(seed)
    n_mixed = round(count * MIXED_SHARE)
    n_zh = (count - n_mixed + 1) // 2
    langs = ["mixed"] * n_mixed + ["zh"] * n_zh + ["en"] * (count - n_mixed - n_zh)
    rng.shuffle(langs)
    cat_decks = {lang: _Deck(rng, CATEGORIES) for lang in LANGS}
    k_decks = {lang: _Deck(rng, (2, 3, 3, 4, 4, 5)) for lang in LANGS}
    reports = []
    for lang in langs:
        k = int(k_decks[lang].draw())
        cats: list[str] = []
        for _ in range(k):
            cats.append(str(cat_decks[lang].draw(tuple(cats))))
        reports.append(_make_report(rng, lang, cats))
    return reports


# ---------------------------------------------------------------------------
# command line
# ---------------------------------------------------------------------------


def summarize(reports: list[Report]) -> dict[str, Counter[str]]:
    """Span counts per report language and kind (PHI categories and keep kinds)."""
    out: dict[str, Counter[str]] = {lang: Counter() for lang in LANGS}
    for report in reports:
        out[report.lang].update(span.kind for span in report.phi)
        out[report.lang].update("keep:" + span.kind for span in report.keep)
    return out


def _format_summary(reports: list[Report], seed: int) -> str:
    counts = summarize(reports)
    n_reports = Counter(r.lang for r in reports)
    head = f"{'category':<16}" + "".join(f"{lang:>8}" for lang in LANGS) + f"{'total':>8}"
    rows = [
        f"seed={seed} reports={len(reports)} "
        + " ".join(f"{lang}={n_reports[lang]}" for lang in LANGS),
        head,
        "-" * len(head),
    ]
    for kind in [*CATEGORIES, *("keep:" + k for k in KEEP_KINDS)]:
        values = [counts[lang][kind] for lang in LANGS]
        rows.append(f"{kind:<16}" + "".join(f"{v:>8}" for v in values) + f"{sum(values):>8}")
    return "\n".join(rows)


def _format_report(i: int, report: Report) -> str:
    out = [f"=== report {i} [{report.lang}] ===", report.text, "--- phi"]
    out += [
        f"  {s.kind:<16} {s.start:>4}-{s.end:<4} {report.text[s.start : s.end]!r}"
        for s in report.phi
    ]
    out.append("--- keep")
    out += [
        f"  {s.kind:<16} {s.start:>4}-{s.end:<4} {report.text[s.start : s.end]!r}"
        for s in report.keep
    ]
    return "\n".join(out)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seed", type=int, default=37)
    parser.add_argument("--count", type=int, default=600)
    parser.add_argument("--show", type=int, default=0, metavar="N", help="print N sample reports")
    args = parser.parse_args(argv)
    reports = generate_reports(args.count, args.seed)
    print(_format_summary(reports, args.seed))
    for i, report in enumerate(reports[: args.show]):
        print()
        print(_format_report(i, report))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
