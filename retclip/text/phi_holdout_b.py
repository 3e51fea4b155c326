# ruff: noqa: RUF001
"""Second, independently written hold-out generator of synthetic eye-clinic documents.

The documents imitate what Chinese hospital systems (门诊病历, 眼底照相报告, 出院小结, 随访记录,
医保结算单, 驾驶人体检表) and US / UK / Canadian / Australian / Singaporean / Hong Kong clinics
(clinic letters, referral forms, EHR audit extracts, insurance claim forms, DVLA / DMV vision
forms, portal messages) write, with protected values embedded in ordinary sentences.  Every
value is made up here from hand-written lists and templates; no third-party data is used.

Conventions of the annotation:

* offsets are code points, ``text[start:end]`` is exactly the inserted value;
* label words ("plate", "微信号", "MBI", "S/N", "IBAN") stay outside a PHI span;
* an IP span is the address only: a port (``:8080``), the brackets of ``[v6]:443`` and an
  IPv6 zone (``%eth0``) stay outside;
* a place written with its administrative suffix keeps it (``江油市``, ``乌镇镇``,
  ``Kern County``); each level is its own span, and the province / state / country is a
  ``REGION`` keep span;
* ``AGE_OVER_89`` marks the age number and the birth year separately (digits or words,
  never the unit);
* keep spans (``MEASURE``, ``LESION``, ``SIDE``, ``EPONYM``, ``MAKER``, ``DOSE``, ``TIME``,
  ``REGION``) hold clinical content that a scrubber must leave alone.

Only :func:`generate_reports` and the two record types are public.
"""

from __future__ import annotations

import ipaddress
import itertools
import random
import re
import unicodedata
from collections.abc import Callable
from typing import NamedTuple

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
KEEP_KINDS = ("MEASURE", "LESION", "SIDE", "EPONYM", "MAKER", "DOSE", "TIME", "REGION")
LANGS = ("zh", "en", "mixed")


class Span(NamedTuple):
    kind: str
    start: int
    end: int


class Report(NamedTuple):
    lang: str
    text: str
    phi: tuple[Span, ...]
    keep: tuple[Span, ...]


# A piece of a sentence: (text, kind, role) with role "P" (PHI), "K" (keep) or "" (plain).
Piece = tuple[str, str, str]
Slot = Callable[["_Ctx"], list[Piece]]


def _t(text: str) -> list[Piece]:
    return [(text, "", "")]


def _p(kind: str, text: str) -> list[Piece]:
    return [(text, kind, "P")]


def _k(kind: str, text: str) -> list[Piece]:
    return [(text, kind, "K")]


def _words(raw: str, sep: str | None = None) -> tuple[str, ...]:
    if sep is None:
        return tuple(raw.split())
    return tuple(w.strip() for w in raw.split(sep) if w.strip())


# ---------------------------------------------------------------------------------------------
# small generators
# ---------------------------------------------------------------------------------------------

_DIG = "0123456789"
_UP = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
_LOW = "abcdefghijklmnopqrstuvwxyz"
_HEX = "0123456789abcdef"
_PLATE_LET = "ABCDEFGHJKLMNPQRSTUVWXYZ"  # no I / O on most plates
_FW_TABLE = str.maketrans({c: chr(ord(c) + 0xFEE0) for c in _DIG + "-.:"})
_FW_DIGITS = str.maketrans({c: chr(ord(c) + 0xFEE0) for c in _DIG})


def _chars(rng: random.Random, alphabet: str, n: int) -> str:
    return "".join(rng.choice(alphabet) for _ in range(n))


def _num(rng: random.Random, n: int) -> str:
    """n random digits, the first one not zero."""
    return rng.choice("123456789") + _chars(rng, _DIG, n - 1)


def _luhn_digit(payload: str) -> str:
    total = 0
    for i, ch in enumerate(reversed(payload)):
        d = int(ch)
        if i % 2 == 0:
            d *= 2
            if d > 9:
                d -= 9
        total += d
    return str((10 - total % 10) % 10)


def _group(s: str, sizes: tuple[int, ...], sep: str) -> str:
    out, i = [], 0
    for size in sizes:
        if i >= len(s):
            break
        out.append(s[i : i + size])
        i += size
    if i < len(s):
        out.append(s[i:])
    return sep.join(out)


# ---------------------------------------------------------------------------------------------
# context shared by the sentences of one report
# ---------------------------------------------------------------------------------------------


class _Ctx:
    def __init__(self, rng: random.Random, year: int) -> None:
        self.rng = rng
        self.year = year
        self.lang = "zh"
        self.bound: dict[str, object] = {}

    def once(self, key: str, make: Callable[[], object]) -> object:
        if key not in self.bound:
            self.bound[key] = make()
        return self.bound[key]

    def fw(self, text: str, p: float = 0.08) -> str:
        """Full-width digits now and then, the way some Chinese input methods type them."""
        if self.lang == "zh" and self.rng.random() < p:
            if any(c.isascii() and c.isalpha() for c in text):
                return text.translate(_FW_DIGITS)
            return text.translate(_FW_TABLE)
        return text


_SLOTS: dict[str, Slot] = {}


def _slot(*names: str) -> Callable[[Slot], Slot]:
    def deco(fn: Slot) -> Slot:
        for name in names:
            _SLOTS[name] = fn
        return fn

    return deco


def _choice_slot(name: str, kind: str, values: tuple[str, ...], role: str = "K") -> None:
    def fn(ctx: _Ctx) -> list[Piece]:
        return [(ctx.rng.choice(values), kind, role)]

    def pair(ctx: _Ctx) -> list[Piece]:
        first, second = ctx.rng.sample(values, 2)
        joiner = "及" if name.endswith("_zh") else " and "
        return [(first, kind, role), (joiner, "", ""), (second, kind, role)]

    _SLOTS[name] = fn
    _SLOTS[name + "_pair"] = pair


def _plain_slot(name: str, values: tuple[str, ...]) -> None:
    def fn(ctx: _Ctx) -> list[Piece]:
        return _t(ctx.rng.choice(values))

    _SLOTS[name] = fn


# ---------------------------------------------------------------------------------------------
# names
# ---------------------------------------------------------------------------------------------

_ZH_SURNAMES = tuple(
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁"
    "潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦"
    "邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤"
)
_ZH_COMPOUND = _words(
    "欧阳 司马 上官 诸葛 东方 皇甫 尉迟 公孙 慕容 令狐 夏侯 司徒 端木 长孙 宇文 "
    "轩辕 独孤 南宫 闻人 呼延 申屠 澹台 赫连"
)
_ZH_RARE = tuple("禤佘仝亓靳冼麦滕晏甘笪逯檀鞠揭隗逄郗邝晁眭冉訾阙蒯缪厍鄢芮祁")
_ZH_GIVEN1 = tuple("伟芳娜敏静丽强磊军洋勇艳杰娟涛明超霞平刚琳婷鹏辉斌宇浩凯鑫琦倩颖瑶萱彤琪睿哲峰")
_ZH_GIVEN2 = _words(
    "秀英 秀兰 桂英 建国 建华 淑珍 玉兰 海燕 志强 晓明 子涵 梓轩 欣怡 浩然 雨桐 一诺 "
    "思远 佳琪 宇航 嘉怡 俊杰 文博 桂芝 凤英 德胜 长林 福生 金凤 国庆 爱华 振东 晓燕 "
    "秋菊 春梅 雪梅 永福 宝山 美玲 丽华 红梅 卫东 学军 淑芬 翠花 招娣 来福 满仓 铁柱 "
    "亚男 思彤 梓涵 沐辰 若曦 诗琪 家豪 嘉欣 志明 惠珍 玉珍 德兰 树生 春生 秀珍 桂兰"
)
_ZH_REL = _words("女儿 儿子 老伴 孙女 孙子 外孙女 儿媳 女婿 侄子 外甥 妻子 丈夫 姐姐 弟弟")
_ZH_BLOOD = frozenset(_words("儿子 孙子 孙女 侄子 弟弟"))


def _zh_name(rng: random.Random, surname: str | None = None) -> str:
    if surname is None:
        r = rng.random()
        if r < 0.8:
            surname = rng.choice(_ZH_SURNAMES)
        elif r < 0.9:
            surname = rng.choice(_ZH_COMPOUND)
        else:
            surname = rng.choice(_ZH_RARE)
    given = rng.choice(_ZH_GIVEN1) if rng.random() < 0.35 else rng.choice(_ZH_GIVEN2)
    return surname + given


def _zh_surname_of(name: str) -> str:
    return name[:2] if name[:2] in _ZH_COMPOUND else name[:1]


def _zh_patient(ctx: _Ctx) -> str:
    return str(ctx.once("pn", lambda: _zh_name(ctx.rng)))


def _zh_relative(ctx: _Ctx) -> str:
    def make() -> str:
        pn = _zh_patient(ctx)
        kin = _zh_kin(ctx)
        while True:
            same = kin in _ZH_BLOOD and ctx.rng.random() < 0.7
            name = _zh_name(ctx.rng, _zh_surname_of(pn) if same else None)
            if name != pn:
                return name

    return str(ctx.once("rn", make))


@_slot("pn")
def _s_pn(ctx: _Ctx) -> list[Piece]:
    return _p("NAME_UNLABELLED", _zh_patient(ctx))


@_slot("rn")
def _s_rn(ctx: _Ctx) -> list[Piece]:
    return _p("NAME_UNLABELLED", _zh_relative(ctx))


@_slot("on")
def _s_on(ctx: _Ctx) -> list[Piece]:
    taken = {_zh_patient(ctx), _zh_relative(ctx)}
    while True:
        name = _zh_name(ctx.rng)
        if name not in taken:
            return _p("NAME_UNLABELLED", name)


def _zh_kin(ctx: _Ctx) -> str:
    return str(ctx.once("rel", lambda: ctx.rng.choice(_ZH_REL)))


@_slot("rel")
def _s_rel(ctx: _Ctx) -> list[Piece]:
    return _t(_zh_kin(ctx))


@_slot("sex_zh")
def _s_sex_zh(ctx: _Ctx) -> list[Piece]:
    return _t("女" if _en_patient(ctx)[2] == "F" else "男")


_EN_FIRST_F = _words(
    "Margaret;Dorothy;Eileen;Doris;Joan;Patricia;Maureen;Siobhan;Aoife;Priya;Aisha;Fatima;"
    "Chloe;Olivia;Harper;Grace;Rose;Hope;Ngaire;Aroha;Leilani;Guadalupe;Yolanda;Marisol;"
    "Bronwyn;Kylie;Shirley;Beverley;Noreen;Ines;Zofia;Agnieszka;Chiamaka;Thandiwe;Yuki;"
    "Haruka;Thi Lan;Mei Ling;Siew Hoon;Wing Yan;Ka Yan;Min-ji;Kavitha;Lakshmi;Deborah;"
    "Gwendolyn;Mildred;Edna;Consuelo;Precious;Nuala;Ffion;Isla;Mairi;Winifred;Rosalind",
    ";",
)
_EN_FIRST_M = _words(
    "Harold;Bernard;Walter;Arthur;Desmond;Declan;Callum;Hamish;Rhys;Gareth;Dafydd;Rajesh;"
    "Arjun;Mohammed;Tariq;Kwame;Chinedu;Emeka;Mateo;Santiago;Diego;Wei Jie;Chun Kit;Ka Ho;"
    "Muthu;Ravi;Jun Hao;Tane;Nikau;Bradley;Tyler;Cody;Dwayne;Earl;Lamar;Jamal;Tomasz;Piotr;"
    "Lars;Sven;Hiroshi;Kenji;Minh;Duc;Ahmad;Mark;Will;Jack;Oluwaseun;Seamus;Fergus;Ewan;"
    "Clive;Norman;Reginald;Cormac;Ieuan;Bartholomew",
    ";",
)
_EN_SURNAMES = _words(
    "Thompson;Okafor;Nguyen;Kowalski;MacLeod;O'Brien;Fitzgerald;Patel;Ramasamy;Tan;Lim;Chan;"
    "Wong;Henderson;Abernathy;Morgan;Davies;Llewellyn;Pritchard;Campbell;McAllister;"
    "Robertson;Singh;Gupta;Chaudhry;Hussain;Begum;Rahman;Okonkwo;Adeyemi;Mensah;Boateng;"
    "Garcia;Hernandez;Ramirez;Castillo;Novak;Nowak;Horvath;Schmidt;Müller;Jansen;Bakker;"
    "Rossi;Esposito;Kaur;Sato;Tanaka;Kim;Park;Tran;Pham;Ng;Goh;Teo;Chua;Leung;Cheung;"
    "Yeung;Kapoor;Walsh;Murphy;Kelly;Byrne;Doyle;Whitaker;Ashworth;Hargreaves;Pemberton;"
    "Baker;Young;Black;Little;Wood;Hill;Cook;Fletcher;Cartwright;Jovanovic;Petrovic;Ivanova;"
    "Kuznetsov;Haddad;Nasser;Khoury;Mahmoud;Yilmaz;Demir;Andersen;Nilsson;Lindqvist;"
    "Kealoha;Tuilagi;Ngata;Te Rangi;Szabo;Dimitriou;Papadopoulos;Oyelaran;Quispe;Mamani",
    ";",
)
_EN_PARTICLE = _words(
    "van der Berg;de la Cruz;van Rijn;De Souza;da Silva;dos Santos;Le Roux;von Stein;"
    "ter Horst;bin Hassan;al-Farsi;Al-Rashid;d'Souza;O'Connor;Ní Bhriain;di Marco;de Vries;"
    "van den Heuvel;bin Abdullah;Mac an Bhaird;de Jesus;Van Dyke;La Fontaine",
    ";",
)
_EN_REL_F = _words("daughter wife granddaughter niece partner carer sister")
_EN_REL_M = _words("son husband grandson nephew partner carer brother")


def _en_name(rng: random.Random, gender: str | None = None) -> tuple[str, str, str]:
    if gender is None:
        gender = rng.choice("FM")
    first = rng.choice(_EN_FIRST_F if gender == "F" else _EN_FIRST_M)
    last = rng.choice(_EN_PARTICLE) if rng.random() < 0.2 else rng.choice(_EN_SURNAMES)
    if gender == "F" and last.startswith("bin "):
        last = "binti " + last[4:]
    return first, last, gender


def _en_patient(ctx: _Ctx) -> tuple[str, str, str]:
    return ctx.once("p_en", lambda: _en_name(ctx.rng))  # type: ignore[return-value]


def _en_relative(ctx: _Ctx) -> tuple[str, str, str]:
    def make() -> tuple[str, str, str]:
        first, last, _ = _en_patient(ctx)
        while True:
            f2, l2, g2 = _en_name(ctx.rng)
            if ctx.rng.random() < 0.5:
                l2 = last
            if f2 != first:
                return f2, l2, g2

    return ctx.once("r_en", make)  # type: ignore[return-value]


def _en_other(ctx: _Ctx) -> tuple[str, str, str]:
    def make() -> tuple[str, str, str]:
        used = {_en_patient(ctx)[0], _en_relative(ctx)[0]}
        while True:
            cand = _en_name(ctx.rng)
            if cand[0] not in used:
                return cand

    return ctx.once("o_en", make)  # type: ignore[return-value]


def _name_slot(name: str, who: Callable[[_Ctx], tuple[str, str, str]], form: str) -> None:
    def fn(ctx: _Ctx) -> list[Piece]:
        first, last, _ = who(ctx)
        value = {
            "full": f"{first} {last}",
            "first": first,
            "last": last[0].upper() + last[1:],
            "low": f"{first} {last}".lower(),
            "lowfirst": first.lower(),
        }[form]
        return _p("NAME_UNLABELLED", value)

    _SLOTS[name] = fn


for _nm, _who in (("p", _en_patient), ("r", _en_relative), ("o", _en_other)):
    for _form in ("full", "first", "last", "low", "lowfirst"):
        _name_slot(_nm + _form, _who, _form)


def _pronoun_slot(name: str, female: str, male: str) -> None:
    def fn(ctx: _Ctx) -> list[Piece]:
        return _t(female if _en_patient(ctx)[2] == "F" else male)

    _SLOTS[name] = fn


for _nm, _f, _m in (
    ("she", "she", "he"),
    ("She", "She", "He"),
    ("her", "her", "his"),
    ("Her", "Her", "His"),
    ("parent_en", "mum", "dad"),
    ("man_woman", "woman", "man"),
    ("mf", "F", "M"),
):
    _pronoun_slot(_nm, _f, _m)


@_slot("rel_en")
def _s_rel_en(ctx: _Ctx) -> list[Piece]:
    pool = _EN_REL_F if _en_relative(ctx)[2] == "F" else _EN_REL_M
    return _t(str(ctx.once("rel_en", lambda: ctx.rng.choice(pool))))


# ---------------------------------------------------------------------------------------------
# places
# ---------------------------------------------------------------------------------------------

# province prefecture county... ; a prefecture may span several lines.
_ZH_GEO_RAW = """
四川省 成都市 武侯区 锦江区 郫都区 双流区 都江堰市 彭州市
四川省 成都市 金堂县 大邑县 新都区 温江区
四川省 绵阳市 涪城区 游仙区 江油市 三台县 梓潼县
四川省 南充市 顺庆区 阆中市 仪陇县 营山县
四川省 宜宾市 翠屏区 南溪区 长宁县 屏山县
四川省 乐山市 峨眉山市 犍为县 夹江县
四川省 达州市 通川区 宣汉县 大竹县 渠县
四川省 凉山彝族自治州 西昌市 会理市 昭觉县 盐源县
广东省 广州市 天河区 越秀区 番禺区 花都区 从化区 增城区
广东省 深圳市 南山区 福田区 龙岗区 宝安区 龙华区
广东省 佛山市 南海区 顺德区 三水区 高明区
广东省 汕头市 潮阳区 澄海区 潮南区
广东省 湛江市 霞山区 雷州市 徐闻县 廉江市
广东省 梅州市 梅县区 兴宁市 大埔县 五华县
广东省 江门市 台山市 开平市 新会区 恩平市
浙江省 杭州市 西湖区 余杭区 萧山区 临安区 桐庐县 淳安县
浙江省 宁波市 鄞州区 慈溪市 余姚市 象山县 宁海县
浙江省 温州市 鹿城区 乐清市 瑞安市 苍南县 永嘉县
浙江省 金华市 婺城区 义乌市 东阳市 永康市 兰溪市
浙江省 绍兴市 柯桥区 诸暨市 嵊州市 新昌县
浙江省 嘉兴市 南湖区 桐乡市 海宁市 嘉善县 平湖市
浙江省 台州市 椒江区 临海市 温岭市 天台县 仙居县
浙江省 湖州市 吴兴区 安吉县 德清县 长兴县
江苏省 南京市 鼓楼区 玄武区 江宁区 六合区 溧水区 高淳区
江苏省 苏州市 姑苏区 吴中区 吴江区 昆山市 常熟市 张家港市
江苏省 无锡市 梁溪区 江阴市 宜兴市 惠山区
江苏省 南通市 崇川区 如皋市 海门区 启东市 通州区
江苏省 徐州市 铜山区 沛县 丰县 邳州市 新沂市 睢宁县
江苏省 盐城市 亭湖区 东台市 大丰区 射阳县 阜宁县
江苏省 扬州市 广陵区 江都区 高邮市 仪征市 宝应县
江苏省 泰州市 海陵区 兴化市 靖江市 泰兴市
山东省 济南市 历下区 章丘区 平阴县 商河县
山东省 青岛市 崂山区 黄岛区 即墨区 胶州市 平度市 莱西市
山东省 烟台市 芝罘区 莱阳市 龙口市 蓬莱区 栖霞市
山东省 潍坊市 奎文区 寿光市 青州市 诸城市 高密市
山东省 临沂市 兰山区 沂水县 费县 平邑县 兰陵县
山东省 菏泽市 牡丹区 曹县 单县 郓城县
山东省 济宁市 任城区 曲阜市 邹城市 微山县
山东省 聊城市 东昌府区 临清市 阳谷县 茌平区
河南省 郑州市 金水区 二七区 中原区 新郑市 巩义市 登封市
河南省 洛阳市 涧西区 偃师区 孟津区 栾川县 嵩县
河南省 开封市 尉氏县 兰考县 杞县
河南省 南阳市 卧龙区 邓州市 镇平县 西峡县 内乡县
河南省 周口市 川汇区 项城市 鹿邑县 淮阳区 太康县
河南省 信阳市 浉河区 固始县 光山县 潢川县 息县
河南省 商丘市 梁园区 永城市 夏邑县 虞城县
河南省 安阳市 文峰区 林州市 滑县 内黄县
湖北省 武汉市 江汉区 武昌区 洪山区 黄陂区 新洲区 蔡甸区
湖北省 宜昌市 西陵区 夷陵区 宜都市 枝江市 秭归县
湖北省 襄阳市 樊城区 襄州区 枣阳市 老河口市 谷城县
湖北省 荆州市 沙市区 洪湖市 监利市 松滋市 公安县
湖北省 黄冈市 黄州区 麻城市 武穴市 浠水县 蕲春县 红安县
湖北省 十堰市 张湾区 丹江口市 郧阳区 竹山县 房县
湖北省 恩施土家族苗族自治州 恩施市 利川市 巴东县 咸丰县
湖南省 长沙市 岳麓区 芙蓉区 天心区 开福区 望城区 浏阳市
湖南省 长沙市 宁乡市 长沙县
湖南省 株洲市 芦淞区 醴陵市 攸县 茶陵县
湖南省 湘潭市 雨湖区 韶山市 湘乡市
湖南省 衡阳市 蒸湘区 耒阳市 常宁市 衡东县 祁东县
湖南省 岳阳市 岳阳楼区 汨罗市 临湘市 华容县 平江县
湖南省 常德市 武陵区 津市市 澧县 桃源县 汉寿县
湖南省 邵阳市 双清区 武冈市 邵东市 新邵县 隆回县
湖南省 湘西土家族苗族自治州 吉首市 凤凰县 花垣县 永顺县
河北省 石家庄市 长安区 裕华区 正定县 辛集市 晋州市 平山县
河北省 唐山市 路南区 迁安市 遵化市 滦州市 丰润区
河北省 保定市 莲池区 涿州市 定州市 高碑店市 安国市 雄县
河北省 邯郸市 丛台区 武安市 涉县 磁县 永年区
河北省 沧州市 运河区 任丘市 黄骅市 泊头市 河间市 吴桥县
河北省 张家口市 宣化区 张北县 蔚县 崇礼区
河北省 廊坊市 广阳区 三河市 霸州市 固安县 大厂回族自治县
福建省 福州市 仓山区 长乐区 福清市 闽侯县 连江县
福建省 厦门市 思明区 湖里区 集美区 海沧区 同安区 翔安区
福建省 泉州市 鲤城区 晋江市 石狮市 南安市 惠安县 安溪县
福建省 泉州市 永春县 德化县
福建省 漳州市 芗城区 龙海区 漳浦县 云霄县 诏安县 东山县
福建省 莆田市 城厢区 仙游县 涵江区 秀屿区
福建省 龙岩市 新罗区 永定区 长汀县 上杭县 武平县 连城县
福建省 宁德市 蕉城区 福鼎市 福安市 霞浦县 屏南县 寿宁县
安徽省 合肥市 蜀山区 包河区 庐阳区 瑶海区 肥东县 肥西县
安徽省 合肥市 长丰县 庐江县 巢湖市
安徽省 芜湖市 镜湖区 无为市 南陵县
安徽省 阜阳市 颍州区 界首市 临泉县 太和县 阜南县 颍上县
安徽省 六安市 金安区 裕安区 霍山县 金寨县 舒城县 霍邱县
安徽省 安庆市 迎江区 桐城市 潜山市 怀宁县 宿松县 岳西县
安徽省 黄山市 屯溪区 黄山区 歙县 黟县 休宁县 祁门县
安徽省 滁州市 琅琊区 天长市 明光市 凤阳县 定远县
江西省 南昌市 东湖区 青山湖区 南昌县 进贤县 安义县
江西省 赣州市 章贡区 南康区 赣县区 瑞金市 于都县 兴国县
江西省 赣州市 宁都县 寻乌县
江西省 九江市 浔阳区 濂溪区 瑞昌市 庐山市 都昌县 修水县
江西省 上饶市 信州区 广丰区 德兴市 婺源县 鄱阳县 玉山县
江西省 吉安市 吉州区 井冈山市 泰和县 永新县 遂川县
江西省 抚州市 临川区 南城县 崇仁县 乐安县 广昌县
云南省 昆明市 五华区 盘龙区 官渡区 西山区 呈贡区 安宁市
云南省 昆明市 宜良县 嵩明县
云南省 曲靖市 麒麟区 宣威市 陆良县 会泽县 罗平县
云南省 大理白族自治州 大理市 祥云县 宾川县 剑川县 鹤庆县 洱源县
云南省 丽江市 古城区 玉龙纳西族自治县 永胜县
云南省 红河哈尼族彝族自治州 个旧市 蒙自市 建水县 元阳县 弥勒市
云南省 西双版纳傣族自治州 景洪市 勐海县 勐腊县
云南省 保山市 隆阳区 腾冲市 施甸县
云南省 昭通市 昭阳区 镇雄县 彝良县 鲁甸县
贵州省 贵阳市 南明区 云岩区 花溪区 乌当区 观山湖区 清镇市
贵州省 贵阳市 开阳县 修文县
贵州省 遵义市 红花岗区 汇川区 播州区 仁怀市 赤水市 湄潭县 桐梓县
贵州省 六盘水市 钟山区 盘州市 水城区
贵州省 安顺市 西秀区 平坝区 镇宁布依族苗族自治县
贵州省 毕节市 七星关区 黔西市 大方县 织金县 赫章县
贵州省 黔东南苗族侗族自治州 凯里市 雷山县 黎平县 从江县 榕江县 镇远县
陕西省 西安市 雁塔区 碑林区 莲湖区 未央区 灞桥区 长安区
陕西省 西安市 临潼区 阎良区 蓝田县 周至县
陕西省 宝鸡市 渭滨区 金台区 陈仓区 凤翔区 岐山县 扶风县 眉县
陕西省 咸阳市 秦都区 渭城区 兴平市 彬州市 三原县 泾阳县
陕西省 咸阳市 乾县 礼泉县 武功县
陕西省 渭南市 临渭区 华州区 韩城市 华阴市 蒲城县 富平县 大荔县
陕西省 延安市 宝塔区 安塞区 延川县 子长市 洛川县 黄陵县
陕西省 榆林市 榆阳区 横山区 神木市 府谷县 靖边县 定边县
陕西省 榆林市 米脂县 绥德县
陕西省 汉中市 汉台区 南郑区 城固县 洋县 西乡县 勉县
甘肃省 兰州市 城关区 七里河区 安宁区 西固区 永登县 榆中县
甘肃省 天水市 秦州区 麦积区 甘谷县 武山县 秦安县
甘肃省 武威市 凉州区 民勤县 古浪县 天祝藏族自治县
甘肃省 张掖市 甘州区 民乐县 临泽县 高台县 山丹县
甘肃省 酒泉市 肃州区 敦煌市 玉门市 瓜州县 金塔县
甘肃省 定西市 安定区 通渭县 陇西县 渭源县 临洮县 岷县
甘肃省 甘南藏族自治州 合作市 夏河县 玛曲县 碌曲县 卓尼县
山西省 太原市 小店区 迎泽区 杏花岭区 万柏林区 晋源区
山西省 太原市 清徐县 阳曲县 古交市
山西省 大同市 平城区 云冈区 云州区 阳高县 天镇县 广灵县
山西省 大同市 灵丘县 浑源县
山西省 长治市 潞州区 上党区 屯留区 襄垣县 平顺县 黎城县
山西省 晋中市 榆次区 太谷区 介休市 平遥县 祁县 灵石县
山西省 晋中市 昔阳县 左权县
山西省 运城市 盐湖区 永济市 河津市 临猗县 万荣县 闻喜县
山西省 运城市 稷山县 芮城县
山西省 临汾市 尧都区 侯马市 霍州市 曲沃县 襄汾县 洪洞县 吉县
山西省 吕梁市 离石区 孝义市 汾阳市 文水县 交城县 临县 柳林县
山西省 晋城市 泽州县 高平市 阳城县 陵川县 沁水县
辽宁省 沈阳市 和平区 沈河区 皇姑区 铁西区 大东区 浑南区
辽宁省 沈阳市 于洪区 新民市 康平县 法库县
辽宁省 大连市 中山区 西岗区 沙河口区 甘井子区 旅顺口区
辽宁省 大连市 金州区 瓦房店市 庄河市 长海县
辽宁省 鞍山市 铁东区 立山区 千山区 海城市 台安县 岫岩满族自治县
辽宁省 丹东市 振兴区 元宝区 东港市 凤城市 宽甸满族自治县
辽宁省 锦州市 古塔区 凌河区 凌海市 北镇市 黑山县 义县
辽宁省 营口市 站前区 鲅鱼圈区 盖州市 大石桥市
辽宁省 葫芦岛市 连山区 龙港区 兴城市 绥中县 建昌县
吉林省 长春市 南关区 宽城区 朝阳区 二道区 绿园区 双阳区
吉林省 长春市 九台区 榆树市 德惠市 农安县
吉林省 吉林市 昌邑区 龙潭区 船营区 丰满区 蛟河市 桦甸市
吉林省 吉林市 舒兰市 磐石市 永吉县
吉林省 四平市 双辽市 梨树县 伊通满族自治县
吉林省 通化市 东昌区 梅河口市 集安市 通化县 辉南县 柳河县
吉林省 白山市 浑江区 江源区 临江市 抚松县 靖宇县
吉林省 延边朝鲜族自治州 延吉市 图们市 敦化市 珲春市 龙井市 和龙市
吉林省 延边朝鲜族自治州 汪清县 安图县
黑龙江省 哈尔滨市 道里区 南岗区 道外区 平房区 松北区 香坊区
黑龙江省 哈尔滨市 呼兰区 阿城区 双城区 尚志市 五常市 依兰县
黑龙江省 哈尔滨市 方正县 宾县
黑龙江省 齐齐哈尔市 龙沙区 建华区 铁锋区 富拉尔基区 讷河市
黑龙江省 齐齐哈尔市 龙江县 依安县 泰来县 克山县 拜泉县
黑龙江省 牡丹江市 东安区 阳明区 爱民区 绥芬河市 海林市 宁安市
黑龙江省 牡丹江市 穆棱市 东宁市 林口县
黑龙江省 佳木斯市 向阳区 前进区 同江市 富锦市 抚远市 桦南县
黑龙江省 大庆市 萨尔图区 龙凤区 让胡路区 红岗区 肇州县 肇源县
黑龙江省 绥化市 北林区 安达市 肇东市 海伦市 望奎县 兰西县
黑龙江省 大兴安岭地区 漠河市 呼玛县 塔河县
广西壮族自治区 南宁市 兴宁区 青秀区 江南区 西乡塘区 良庆区
广西壮族自治区 南宁市 邕宁区 武鸣区 横州市 宾阳县 上林县
广西壮族自治区 柳州市 城中区 鱼峰区 柳南区 柳北区 柳江区
广西壮族自治区 柳州市 柳城县 鹿寨县 融水苗族自治县 三江侗族自治县
广西壮族自治区 桂林市 秀峰区 叠彩区 象山区 七星区 临桂区
广西壮族自治区 桂林市 阳朔县 灵川县 全州县 兴安县 荔浦市
广西壮族自治区 梧州市 万秀区 长洲区 岑溪市 苍梧县 藤县 蒙山县
广西壮族自治区 北海市 海城区 银海区 铁山港区 合浦县
广西壮族自治区 玉林市 玉州区 北流市 容县 陆川县 博白县 兴业县
广西壮族自治区 百色市 右江区 田阳区 靖西市 平果市 田东县 德保县
广西壮族自治区 河池市 金城江区 宜州区 南丹县 天峨县 东兰县
广西壮族自治区 河池市 巴马瑶族自治县 都安瑶族自治县
"""

# province prefecture county town [village]; "-" where a level is skipped.
_ZH_TOWN_RAW = """
四川省 成都市 双流区 黄龙溪镇
四川省 成都市 大邑县 安仁镇
四川省 成都市 龙泉驿区 洛带镇
四川省 成都市 邛崃市 平乐镇
四川省 成都市 郫都区 唐昌街道 战旗村
四川省 成都市 蒲江县 甘溪镇 明月村
浙江省 嘉兴市 桐乡市 乌镇镇
浙江省 嘉兴市 嘉善县 西塘镇
浙江省 金华市 东阳市 横店镇
浙江省 金华市 义乌市 佛堂镇
浙江省 湖州市 德清县 莫干山镇
浙江省 湖州市 安吉县 天荒坪镇 余村
浙江省 杭州市 淳安县 枫树岭镇 下姜村
浙江省 宁波市 奉化区 萧王庙街道 滕头村
江苏省 苏州市 昆山市 周庄镇
江苏省 苏州市 吴江区 同里镇
江苏省 苏州市 吴中区 甪直镇
江苏省 苏州市 吴中区 木渎镇
江苏省 无锡市 江阴市 华士镇 华西村
江苏省 苏州市 张家港市 南丰镇 永联村
山东省 临沂市 兰陵县 卞庄街道 代村
山东省 济南市 章丘区 双山街道 三涧溪村
河南省 漯河市 临颍县 - 南街村
河南省 新乡市 新乡县 七里营镇 刘庄村
安徽省 滁州市 凤阳县 小溪河镇 小岗村
安徽省 黄山市 黟县 宏村镇
安徽省 黄山市 黟县 西递镇
安徽省 合肥市 肥西县 三河镇
江西省 上饶市 婺源县 江湾镇
江西省 抚州市 乐安县 牛田镇 流坑村
云南省 大理白族自治州 大理市 喜洲镇
云南省 大理白族自治州 大理市 双廊镇
云南省 大理白族自治州 剑川县 沙溪镇
云南省 保山市 腾冲市 和顺镇
云南省 红河哈尼族彝族自治州 元阳县 新街镇 阿者科村
贵州省 黔东南苗族侗族自治州 雷山县 西江镇
贵州省 黔东南苗族侗族自治州 黎平县 肇兴镇
贵州省 遵义市 仁怀市 茅台镇
贵州省 贵阳市 花溪区 青岩镇
贵州省 遵义市 播州区 枫香镇 花茂村
贵州省 安顺市 平坝区 乐平镇 塘约村
陕西省 咸阳市 礼泉县 烟霞镇 袁家村
陕西省 延安市 延川县 文安驿镇 梁家河村
甘肃省 甘南藏族自治州 夏河县 拉卜楞镇
甘肃省 甘南藏族自治州 碌曲县 郎木寺镇
山西省 吕梁市 汾阳市 杏花村镇
山西省 晋中市 昔阳县 大寨镇 大寨村
山西省 晋城市 阳城县 北留镇 皇城村
山西省 吕梁市 临县 碛口镇
吉林省 延边朝鲜族自治州 安图县 二道白河镇
吉林省 白山市 抚松县 松江河镇
黑龙江省 大兴安岭地区 漠河市 北极镇 北极村
广西壮族自治区 桂林市 阳朔县 兴坪镇
广西壮族自治区 贺州市 昭平县 黄姚镇
广西壮族自治区 北海市 海城区 涠洲镇
湖南省 湘西土家族苗族自治州 花垣县 双龙镇 十八洞村
湖南省 湘西土家族苗族自治州 凤凰县 沱江镇
湖南省 长沙市 望城区 靖港镇
湖南省 长沙市 望城区 乔口镇
河北省 石家庄市 平山县 西柏坡镇
河北省 廊坊市 三河市 燕郊镇
河北省 保定市 高碑店市 白沟镇
福建省 宁德市 寿宁县 下党乡 下党村
福建省 龙岩市 永定区 湖坑镇
福建省 漳州市 南靖县 书洋镇 田螺坑村
福建省 泉州市 晋江市 安海镇
福建省 泉州市 惠安县 崇武镇
福建省 莆田市 秀屿区 湄洲镇
广东省 江门市 开平市 塘口镇 自力村
广东省 佛山市 顺德区 杏坛镇 逢简村
广东省 东莞市 - 虎门镇
广东省 东莞市 - 长安镇
广东省 东莞市 - 樟木头镇
广东省 东莞市 - 塘厦镇
广东省 中山市 - 小榄镇
广东省 中山市 - 古镇镇
"""

_ZH_NEIGH = _words(
    "望京 回龙观 天通苑 中关村 五道口 三里屯 陆家嘴 五角场 徐家汇 珠江新城 华强北 "
    "蛇口 前海 光谷 解放碑 观音桥 鼓浪屿 西关 东山口 江北嘴"
)
_ZH_HK = _words(
    "深水埗 观塘 黄大仙 沙田 屯门 元朗 大埔 将军澳 天水围 旺角 铜锣湾 柴湾 荃湾 葵涌 土瓜湾"
)


def _parse_zh_geo() -> tuple[tuple[str, str, tuple[str, ...]], ...]:
    merged: dict[tuple[str, str], list[str]] = {}
    for line in _ZH_GEO_RAW.strip().splitlines():
        prov, pref, *counties = line.split()
        merged.setdefault((prov, pref), []).extend(counties)
    return tuple((prov, pref, tuple(c)) for (prov, pref), c in merged.items())


_ZH_PREFS = _parse_zh_geo()
_ZH_TOWNS = tuple(tuple(line.split()) for line in _ZH_TOWN_RAW.strip().splitlines())
_ZH_VILLAGES = tuple(t for t in _ZH_TOWNS if len(t) == 5)


def _short_prov(prov: str) -> str:
    for suffix in ("壮族自治区", "省"):
        if prov.endswith(suffix):
            return prov[: -len(suffix)]
    return prov


def _zh_region(ctx: _Ctx, prov: str) -> list[Piece]:
    return _k("REGION", prov if ctx.rng.random() < 0.75 else _short_prov(prov))


def _zh_pref_text(ctx: _Ctx, pref: str) -> str:
    if pref.endswith("市") and len(pref) > 2 and ctx.rng.random() < 0.35:
        return pref[:-1]
    return pref


@_slot("zh_addr")
def _s_zh_addr(ctx: _Ctx) -> list[Piece]:
    prov, pref, counties = ctx.rng.choice(_ZH_PREFS)
    out: list[Piece] = []
    if ctx.rng.random() < 0.8:
        out += _zh_region(ctx, prov)
    out += _p("CITY", pref)
    if ctx.rng.random() < 0.7:
        out += _p("CITY", ctx.rng.choice(counties))
    return out


@_slot("zh_city")
def _s_zh_city(ctx: _Ctx) -> list[Piece]:
    r = ctx.rng.random()
    _prov, pref, counties = ctx.rng.choice(_ZH_PREFS)
    if r < 0.45:
        return _p("CITY", _zh_pref_text(ctx, pref))
    if r < 0.8:
        return _p("CITY", ctx.rng.choice(counties))
    if r < 0.9:
        return _p("CITY", ctx.rng.choice(_ZH_NEIGH))
    return _p("CITY", ctx.rng.choice([t[3] for t in _ZH_TOWNS if t[3] != "-"]))


@_slot("zh_county")
def _s_zh_county(ctx: _Ctx) -> list[Piece]:
    counties = ctx.rng.choice(_ZH_PREFS)[2]
    return _p("CITY", ctx.rng.choice(counties))


@_slot("zh_town_addr")
def _s_zh_town_addr(ctx: _Ctx) -> list[Piece]:
    prov, pref, county, town = ctx.rng.choice(_ZH_TOWNS)[:4]
    out: list[Piece] = []
    if ctx.rng.random() < 0.5:
        out += _zh_region(ctx, prov)
    if county == "-" or ctx.rng.random() < 0.3:
        out += _p("CITY", pref)
    if county != "-":
        out += _p("CITY", county)
    if town != "-":
        out += _p("CITY", town)
    return out


@_slot("zh_village_addr")
def _s_zh_village_addr(ctx: _Ctx) -> list[Piece]:
    prov, _pref, county, town, village = ctx.rng.choice(_ZH_VILLAGES)
    out: list[Piece] = []
    if ctx.rng.random() < 0.4:
        out += _zh_region(ctx, prov)
    out += _p("CITY", county)
    if town != "-" and ctx.rng.random() < 0.7:
        out += _p("CITY", town)
    out += _p("CITY", village)
    return out


@_slot("zh_neigh")
def _s_zh_neigh(ctx: _Ctx) -> list[Piece]:
    if ctx.rng.random() < 0.5:
        return _p("CITY", ctx.rng.choice(_ZH_NEIGH))
    return _s_zh_county(ctx)


@_slot("zh_hk")
def _s_zh_hk(ctx: _Ctx) -> list[Piece]:
    if ctx.rng.random() < 0.8:
        return _k("REGION", "香港") + _p("CITY", ctx.rng.choice(_ZH_HK))
    return _k("REGION", "澳门") + _p("CITY", ctx.rng.choice(("氹仔", "路环")))


@_slot("hk_zh")
def _s_hk_zh(ctx: _Ctx) -> list[Piece]:
    return _k("REGION", ctx.rng.choice(("香港", "香港特别行政区", "澳门")))


_US_RAW = """
Ohio|OH|Dayton;Toledo;Akron;Canton;Youngstown;Chillicothe;Zanesville;Sandusky;Marietta;Lima
Ohio|OH|Cuyahoga County;Franklin County;Hamilton County;Athens County
Texas|TX|Lubbock;Amarillo;El Paso;Waco;Tyler;Beaumont;Laredo;Odessa;Abilene;Nacogdoches
Texas|TX|Hidalgo County;Travis County;Bexar County;Lubbock County
California|CA|Fresno;Bakersfield;Modesto;Eureka;Redding;Stockton;Visalia;Chico;Salinas;Barstow
California|CA|Kern County;Tulare County;Humboldt County;San Joaquin County
New York|NY|Buffalo;Rochester;Syracuse;Ithaca;Utica;Binghamton;Poughkeepsie;Schenectady
New York|NY|Plattsburgh;Yonkers;Brooklyn;Queens;Staten Island;Flushing;Astoria;Inwood
New York|NY|Erie County;Onondaga County;Suffolk County;Westchester County
Pennsylvania|PA|Scranton;Allentown;Altoona;Harrisburg;Lancaster;Wilkes-Barre;Johnstown;Reading
Pennsylvania|PA|Germantown;Lackawanna County;Lehigh County;Centre County
Michigan|MI|Kalamazoo;Flint;Saginaw;Lansing;Grand Rapids;Traverse City;Marquette;Ypsilanti
Michigan|MI|Washtenaw County;Oakland County;Wayne County
Illinois|IL|Peoria;Rockford;Champaign;Joliet;Springfield;Naperville;Decatur;Carbondale
Illinois|IL|Hyde Park;Cook County;DuPage County;Will County
Georgia|GA|Macon;Savannah;Augusta;Valdosta;Albany;Athens;Dalton;Rome
Georgia|GA|Fulton County;DeKalb County;Chatham County
Florida|FL|Gainesville;Tallahassee;Ocala;Pensacola;Sarasota;Naples;Kissimmee;Lakeland
Florida|FL|Little Haiti;Overtown;Miami-Dade County;Pinellas County;Duval County
Washington|WA|Spokane;Yakima;Tacoma;Bellingham;Olympia;Wenatchee;Walla Walla;Kennewick
Washington|WA|Ballard;King County;Pierce County;Snohomish County
Arizona|AZ|Flagstaff;Yuma;Tucson;Mesa;Prescott;Sierra Vista;Kingman
Arizona|AZ|Maricopa County;Pima County;Coconino County
North Carolina|NC|Asheville;Durham;Greensboro;Wilmington;Fayetteville;Boone;Hickory
North Carolina|NC|Mecklenburg County;Wake County;Buncombe County
Massachusetts|MA|Worcester;Lowell;Pittsfield;Fall River;New Bedford;Brockton;Framingham
Massachusetts|MA|Dorchester;Roxbury;Back Bay;Middlesex County;Barnstable County
Minnesota|MN|Duluth;St. Cloud;Mankato;Bemidji;Moorhead;Hennepin County;Ramsey County
Kentucky|KY|Bowling Green;Paducah;Lexington;Hazard;Pikeville;Owensboro;Fayette County
Tennessee|TN|Knoxville;Chattanooga;Murfreesboro;Clarksville;Johnson City;Shelby County
Colorado|CO|Pueblo;Greeley;Durango;Grand Junction;Boulder;Fort Collins;Larimer County
Maine|ME|Bangor;Lewiston;Portland;Presque Isle;Aroostook County;Penobscot County
Louisiana|LA|Shreveport;Lafayette;Baton Rouge;Houma;Lake Charles;Orleans Parish;Caddo Parish
West Virginia|WV|Morgantown;Huntington;Wheeling;Beckley;Kanawha County
New Mexico|NM|Las Cruces;Farmington;Gallup;Roswell;Taos;Bernalillo County
Iowa|IA|Cedar Rapids;Davenport;Dubuque;Sioux City;Ames;Ottumwa;Polk County
Oregon|OR|Eugene;Medford;Bend;Salem;Corvallis;Klamath Falls;Multnomah County
"""

_UK_RAW = """
England|Leeds;Sheffield;Barnsley;Wigan;Stockport;Luton;Ipswich;Norwich;Exeter;Truro;Carlisle
England|Darlington;Grimsby;Kettering;Harrogate;Bournemouth;Swindon;Stoke-on-Trent;Burnley
England|Milton Keynes;Blackpool;Tower Hamlets;Lambeth;Hackney;Croydon;Lewisham;Haringey
England|Kirklees;Tameside;Sandwell;Wirral;Gateshead
Scotland|Dundee;Paisley;Inverness;Kirkcaldy;Stirling;Ayr;Dumfries;Fort William;Stornoway;Elgin
Wales|Swansea;Wrexham;Merthyr Tydfil;Aberystwyth;Llanelli;Caerphilly;Pontypridd;Bridgend;Rhyl
Northern Ireland|Derry;Newry;Omagh;Enniskillen;Lisburn;Ballymena;Coleraine
"""

_CA_RAW = """
Ontario|ON|Sudbury;Thunder Bay;Kingston;Barrie;Oshawa;Mississauga;Brampton;Sault Ste. Marie
Ontario|ON|Timmins;Kitchener;Guelph;Peterborough
British Columbia|BC|Kamloops;Kelowna;Nanaimo;Prince George;Surrey;Burnaby;Chilliwack
Alberta|AB|Red Deer;Lethbridge;Medicine Hat;Grande Prairie;Fort McMurray
Quebec|QC|Sherbrooke;Trois-Rivières;Gatineau;Saguenay;Rimouski;Laval
Manitoba|MB|Brandon;Thompson;Steinbach;Selkirk
Saskatchewan|SK|Saskatoon;Regina;Moose Jaw;Prince Albert
Nova Scotia|NS|Halifax;Antigonish;Yarmouth;New Glasgow
New Brunswick|NB|Moncton;Fredericton;Bathurst;Miramichi
Newfoundland and Labrador|NL|Corner Brook;Gander;Grand Falls-Windsor
"""

_AU_RAW = """
New South Wales|NSW|Wagga Wagga;Dubbo;Tamworth;Orange;Parramatta;Penrith;Blacktown;Wollongong
New South Wales|NSW|Lismore;Broken Hill
Victoria|VIC|Ballarat;Bendigo;Geelong;Shepparton;Mildura;Warrnambool;Frankston;Dandenong
Queensland|QLD|Toowoomba;Townsville;Cairns;Rockhampton;Mackay;Bundaberg;Logan
Western Australia|WA|Bunbury;Geraldton;Kalgoorlie;Broome;Fremantle;Joondalup
South Australia|SA|Whyalla;Mount Gambier;Port Augusta;Murray Bridge
Tasmania|TAS|Launceston;Devonport;Burnie
Northern Territory|NT|Alice Springs;Katherine;Palmerston;Tennant Creek
"""

_SG_TOWNS = _words(
    "Ang Mo Kio;Tampines;Jurong West;Woodlands;Bedok;Toa Payoh;Yishun;Sengkang;Punggol;"
    "Bukit Batok;Choa Chu Kang;Pasir Ris;Hougang;Clementi;Queenstown;Serangoon",
    ";",
)
_HK_EN = _words(
    "Sham Shui Po;Kwun Tong;Wong Tai Sin;Sha Tin;Tuen Mun;Yuen Long;Tai Po;Tseung Kwan O;"
    "Tin Shui Wai;Mong Kok;Causeway Bay;Chai Wan;Tsuen Wan;Kwai Chung;To Kwa Wan",
    ";",
)


def _parse_en_geo(raw: str, with_abbr: bool) -> tuple[tuple[str, str, tuple[str, ...]], ...]:
    merged: dict[tuple[str, str], list[str]] = {}
    for line in raw.strip().splitlines():
        parts = line.split("|")
        full, abbr = (parts[0], parts[1]) if with_abbr else (parts[0], parts[0])
        merged.setdefault((full, abbr), []).extend(_words(parts[-1], ";"))
    return tuple((f, a, tuple(c)) for (f, a), c in merged.items())


_US = _parse_en_geo(_US_RAW, True)
_UK = _parse_en_geo(_UK_RAW, False)
_CA = _parse_en_geo(_CA_RAW, True)
_AU = _parse_en_geo(_AU_RAW, True)
_US_COUNTIES = tuple(
    (full, abbr, c)
    for full, abbr, places in _US
    for c in places
    if c.endswith(("County", "Parish"))
)


def _en_place(ctx: _Ctx, with_region: bool) -> list[Piece]:
    rng = ctx.rng
    r = rng.random()
    if r < 0.42:
        full, abbr, places = rng.choice(_US)
        city = rng.choice(places)
        region = rng.choice((full, abbr, abbr))
        sep = rng.choice((", ", ", ", " "))
    elif r < 0.62:
        full, abbr, places = rng.choice(_UK)
        city, region, sep = rng.choice(places), full, ", "
    elif r < 0.75:
        full, abbr, places = rng.choice(_CA)
        city, region, sep = rng.choice(places), rng.choice((full, abbr)), ", "
    elif r < 0.88:
        full, abbr, places = rng.choice(_AU)
        city, region = rng.choice(places), rng.choice((full, abbr))
        sep = rng.choice((", ", " "))
    elif r < 0.94:
        city, region, sep = rng.choice(_SG_TOWNS), "Singapore", ", "
    else:
        city, region, sep = rng.choice(_HK_EN), "Hong Kong", ", "
    out = _p("CITY", city)
    if with_region:
        out += _t(sep) + _k("REGION", region)
    return out


@_slot("city_en")
def _s_city_en(ctx: _Ctx) -> list[Piece]:
    return _en_place(ctx, with_region=False)


@_slot("city_en_r")
def _s_city_en_r(ctx: _Ctx) -> list[Piece]:
    return _en_place(ctx, with_region=True)


@_slot("county_us")
def _s_county_us(ctx: _Ctx) -> list[Piece]:
    full, abbr, county = ctx.rng.choice(_US_COUNTIES)
    out = _p("CITY", county)
    if ctx.rng.random() < 0.6:
        out += _t(", ") + _k("REGION", ctx.rng.choice((full, abbr)))
    return out


@_slot("sg_addr")
def _s_sg_addr(ctx: _Ctx) -> list[Piece]:
    out = _p("CITY", ctx.rng.choice(_SG_TOWNS))
    if ctx.rng.random() < 0.6:
        out += _t(", ") + _k("REGION", "Singapore")
    return out


@_slot("hk_en")
def _s_hk_en(ctx: _Ctx) -> list[Piece]:
    out = _p("CITY", ctx.rng.choice(_HK_EN))
    if ctx.rng.random() < 0.6:
        out += _t(", ") + _k("REGION", "Hong Kong")
    return out


@_slot("uk_borough")
def _s_uk_borough(ctx: _Ctx) -> list[Piece]:
    full, _, places = ctx.rng.choice(_UK)
    out = _p("CITY", ctx.rng.choice(places))
    if ctx.rng.random() < 0.4:
        out += _t(", ") + _k("REGION", full)
    return out


@_slot("hk_region_en")
def _s_hk_region_en(ctx: _Ctx) -> list[Piece]:
    return _k("REGION", "Hong Kong")


# ---------------------------------------------------------------------------------------------
# vehicles
# ---------------------------------------------------------------------------------------------

_CN_PROV_ABBR = "京津沪渝冀豫云辽黑湘皖鲁新苏浙赣鄂桂甘晋蒙陕吉闽贵粤青藏川宁琼"
_VIN_ALPHA = "ABCDEFGHJKLMNPRSTUVWXYZ0123456789"
_VIN_VALUE = {
    **{str(d): d for d in range(10)},
    **dict(zip("ABCDEFGH", range(1, 9), strict=True)),
    **dict(zip("JKLMN", range(1, 6), strict=True)),
    "P": 7,
    "R": 9,
    **dict(zip("STUVWXYZ", range(2, 10), strict=True)),
}
_VIN_WEIGHTS = (8, 7, 6, 5, 4, 3, 2, 10, 0, 9, 8, 7, 6, 5, 4, 3, 2)
_VIN_WMI = _words(
    "1HG 1FA 1FT 1G1 2T1 3VW 5YJ JTD JHM WBA WVW WDD KMH KNA SAL YV1 LSV LFV LVS LRW LGX LVG "
    "LDC LHG LBV LE4 4T1 2HG"
)
_VIN_YEAR = "ABCDEFGHJKLMNPRSTVWXY123456789"


def _vin(rng: random.Random) -> str:
    body = list(
        rng.choice(_VIN_WMI)
        + _chars(rng, _VIN_ALPHA, 5)
        + "0"
        + rng.choice(_VIN_YEAR)
        + rng.choice(_UP.replace("I", "").replace("O", "").replace("Q", "") + _DIG)
        + _chars(rng, _DIG, 6)
    )
    total = sum(_VIN_VALUE[c] * w for c, w in zip(body, _VIN_WEIGHTS, strict=True))
    body[8] = "X" if total % 11 == 10 else str(total % 11)
    return "".join(body)


def _cn_tail(rng: random.Random, n: int = 5) -> str:
    chars = [rng.choice(_DIG) for _ in range(n)]
    for pos in rng.sample(range(n), rng.choices((0, 1, 2), weights=(45, 40, 15))[0]):
        chars[pos] = rng.choice(_PLATE_LET)
    return "".join(chars)


def _cn_sep(rng: random.Random) -> str:
    return rng.choice(("", "", "·", " ", "•"))


@_slot("plate_cn")
def _s_plate_cn(ctx: _Ctx) -> list[Piece]:
    rng = ctx.rng
    head = rng.choice(_CN_PROV_ABBR) + rng.choice("AAABBCDEFGHJK")
    tail = _cn_tail(rng)
    if rng.random() < 0.08:
        tail = tail[:4] + "学"
    return _p("VEHICLE", ctx.fw(head + _cn_sep(rng) + tail, 0.05))


@_slot("plate_nev")
def _s_plate_nev(ctx: _Ctx) -> list[Piece]:
    rng = ctx.rng
    head = rng.choice(_CN_PROV_ABBR) + rng.choice("AABCDEF")
    if rng.random() < 0.75:
        tail = rng.choice("DF") + rng.choice(_PLATE_LET + _DIG) + _chars(rng, _DIG, 4)
    else:
        tail = _chars(rng, _DIG, 5) + rng.choice("DF")
    return _p("VEHICLE", head + _cn_sep(rng) + tail)


@_slot("plate_gz")
def _s_plate_gz(ctx: _Ctx) -> list[Piece]:
    rng = ctx.rng
    tail = _cn_tail(rng, 4) + rng.choice("港澳")
    return _p("VEHICLE", "粤Z" + _cn_sep(rng) + tail)


@_slot("plate_ling")
def _s_plate_ling(ctx: _Ctx) -> list[Piece]:
    rng = ctx.rng
    head = rng.choice("京沪粤川辽鄂滇黑桂") + "A"
    return _p("VEHICLE", head + _cn_sep(rng) + _chars(rng, _DIG, 4) + "领")


@_slot("plate_shi")
def _s_plate_shi(ctx: _Ctx) -> list[Piece]:
    rng = ctx.rng
    return _p("VEHICLE", "使" + _chars(rng, _DIG, 3) + _cn_sep(rng) + _chars(rng, _DIG, 3))


def _us_plate(rng: random.Random) -> tuple[str, str, str]:
    st = rng.choice(
        (
            ("California", "CA", "dLLLddd"),
            ("Texas", "TX", "LLL-dddd"),
            ("Texas", "TX", "LLLdddd"),
            ("New York", "NY", "LLL-dddd"),
            ("Florida", "FL", "LLL Ldd"),
            ("Ohio", "OH", "LLL dddd"),
            ("Pennsylvania", "PA", "LLL-dddd"),
            ("Illinois", "IL", "LL ddddd"),
            ("Michigan", "MI", "LLL dddd"),
            ("Washington", "WA", "LLLdddd"),
            ("Georgia", "GA", "LLLdddd"),
            ("Massachusetts", "MA", "dLLLdd"),
            ("Arizona", "AZ", "LLLdddd"),
            ("Colorado", "CO", "LLL-Ldd"),
            ("Oregon", "OR", "ddd LLL"),
        )
    )
    plate = "".join(
        rng.choice(_PLATE_LET) if c == "L" else rng.choice(_DIG) if c == "d" else c for c in st[2]
    )
    return st[0], st[1], plate


def _fmt(rng: random.Random, pattern: str) -> str:
    return "".join(
        rng.choice(_PLATE_LET) if c == "L" else rng.choice(_DIG) if c == "d" else c for c in pattern
    )


def _uk_plate(rng: random.Random) -> str:
    r = rng.random()
    if r < 0.75:
        age = rng.choice(("03", "07", "10", "12", "15", "17", "19", "21", "23", "58", "62", "66"))
        age = rng.choice((age, "6" + age[1], "7" + age[1])) if rng.random() < 0.3 else age
        return _fmt(rng, "LL") + age + " " + _chars(rng, "ABCDEFGHJKLMNOPRSTUVWXYZ", 3)
    if r < 0.9:
        return rng.choice("KLMNPRSTVWXY") + _num(rng, rng.randint(2, 3)) + " " + _fmt(rng, "LLL")
    return _fmt(rng, "LL") + "Z " + _num(rng, 4)


def _sg_plate(rng: random.Random) -> str:
    prefix = "S" + _chars(rng, "ABCDEFGHJKLMNPQRSTUVWXYZ", 2)
    number = str(rng.randint(1, 9999))
    vals = [ord(c) - 64 for c in prefix[1:]] + [int(d) for d in number.zfill(4)]
    total = sum(v * w for v, w in zip(vals, (9, 4, 5, 4, 3, 2), strict=True))
    check = "AZYXUTSRPMLKJHGEDCB"[total % 19]
    return rng.choice((f"{prefix} {number} {check}", f"{prefix}{number}{check}"))


def _ca_plate(rng: random.Random) -> tuple[str, str]:
    full, abbr, pattern = rng.choice(
        (
            ("Ontario", "ON", "LLLL ddd"),
            ("Quebec", "QC", "ddd LLL"),
            ("British Columbia", "BC", "LLd ddL"),
            ("Alberta", "AB", "LLL-dddd"),
            ("Manitoba", "MB", "LLL ddd"),
            ("Nova Scotia", "NS", "LLL ddd"),
        )
    )
    return rng.choice((full, abbr)), _fmt(rng, pattern)


def _au_plate(rng: random.Random) -> str:
    return _fmt(
        rng, rng.choice(("LL dd LL", "LLddLL", "dLL dLL", "ddd LLL", "dLLL ddd", "Sddd LLL"))
    )


def _hk_plate(rng: random.Random) -> str:
    return (
        _chars(rng, "ABCDEFGHJKLMNPRSTUVWXYZ", 2)
        + rng.choice((" ", ""))
        + _num(rng, rng.randint(1, 4))
    )


def _any_plate(ctx: _Ctx) -> str:
    rng = ctx.rng
    kind = rng.choice(("us", "us", "uk", "ca", "au", "sg", "hk"))
    if kind == "us":
        plate = _us_plate(rng)[2]
    elif kind == "uk":
        plate = _uk_plate(rng)
    elif kind == "ca":
        plate = _ca_plate(rng)[1]
    elif kind == "au":
        plate = _au_plate(rng)
    elif kind == "sg":
        plate = _sg_plate(rng)
    else:
        plate = _hk_plate(rng)
    return plate.lower() if rng.random() < 0.05 else plate


@_slot("vin")
def _s_vin(ctx: _Ctx) -> list[Piece]:
    vin = _vin(ctx.rng)
    return _p("VEHICLE", vin.lower() if ctx.rng.random() < 0.05 else vin)


@_slot("plate_us")
def _s_plate_us(ctx: _Ctx) -> list[Piece]:
    return _p("VEHICLE", _us_plate(ctx.rng)[2])


@_slot("us_st_plate")
def _s_us_st_plate(ctx: _Ctx) -> list[Piece]:
    full, abbr, plate = _us_plate(ctx.rng)
    label = ctx.rng.choice((" plate ", " plates ", " tag ", " license plate "))
    return _k("REGION", ctx.rng.choice((full, abbr))) + _t(label) + _p("VEHICLE", plate)


@_slot("plate_uk")
def _s_plate_uk(ctx: _Ctx) -> list[Piece]:
    return _p("VEHICLE", _uk_plate(ctx.rng))


@_slot("plate_ca_r")
def _s_plate_ca_r(ctx: _Ctx) -> list[Piece]:
    region, plate = _ca_plate(ctx.rng)
    return _p("VEHICLE", plate) + _t(", ") + _k("REGION", region)


@_slot("plate_au")
def _s_plate_au(ctx: _Ctx) -> list[Piece]:
    return _p("VEHICLE", _au_plate(ctx.rng))


@_slot("plate_sg")
def _s_plate_sg(ctx: _Ctx) -> list[Piece]:
    return _p("VEHICLE", _sg_plate(ctx.rng))


@_slot("plate_hk")
def _s_plate_hk(ctx: _Ctx) -> list[Piece]:
    return _p("VEHICLE", _hk_plate(ctx.rng))


@_slot("plate_any")
def _s_plate_any(ctx: _Ctx) -> list[Piece]:
    return _p("VEHICLE", _any_plate(ctx))


# ---------------------------------------------------------------------------------------------
# biometric template identifiers
# ---------------------------------------------------------------------------------------------


def _uuid(rng: random.Random) -> str:
    h = _chars(rng, _HEX, 32)
    return f"{h[:8]}-{h[8:12]}-4{h[13:16]}-{rng.choice('89ab')}{h[17:20]}-{h[20:]}"


_BIO: dict[str, tuple[Callable[[random.Random], str], ...]] = {
    "fp": (
        lambda r: "FP-" + _chars(r, "0123456789ABCDEF", 4) + "-" + _chars(r, "0123456789ABCDEF", 4),
        lambda r: "FPT" + _num(r, 7),
        lambda r: "fp_tmpl_0x" + _chars(r, _HEX, 8),
        lambda r: "FINGER-R" + r.choice("12345") + "-" + _chars(r, _DIG, 6),
        lambda r: "ZW" + _chars(r, _DIG, 4) + "-" + _chars(r, _DIG, 6),
    ),
    "face": (
        _uuid,
        lambda r: "FACE-" + _num(r, 6) + "-" + r.choice(_UP),
        lambda r: "fr_" + _chars(r, _HEX, 10),
        lambda r: "RL" + _chars(r, _DIG, 12),
    ),
    "iris": (
        lambda r: "IRS-" + _chars(r, "0123456789ABCDEF", 8),
        lambda r: _chars(r, _HEX, 32),
        lambda r: "IC:" + _chars(r, _DIG, 4) + "-" + _chars(r, _DIG, 4) + "-" + r.choice(_UP),
        lambda r: "HM" + _chars(r, _DIG, 10),
    ),
    "palm": (
        lambda r: "PV-" + _chars(r, _DIG, 4) + "-" + _chars(r, _DIG, 4),
        lambda r: "PALM" + _num(r, 6),
        lambda r: "pvs_" + _chars(r, _HEX, 12),
    ),
    "voice": (
        lambda r: "VP_" + _num(r, 7),
        lambda r: "VPR-" + _chars(r, _DIG, 4) + "-" + r.choice(_UP) + r.choice(_DIG),
        lambda r: "vox-" + _chars(r, _HEX, 12),
        lambda r: "SW" + _chars(r, _DIG, 9),
    ),
    "retina": (
        lambda r: "RSA-" + _chars(r, _DIG, 5) + "-" + r.choice(_UP),
        lambda r: "RET-ACC-" + _chars(r, _DIG, 4),
        lambda r: "RS" + _chars(r, "0123456789ABCDEF", 8),
    ),
    "gait": (
        lambda r: "GAIT-" + _chars(r, _HEX, 6),
        lambda r: "GS-" + _chars(r, _DIG, 5),
        lambda r: "gait_sig_" + _chars(r, _HEX, 8),
    ),
}


def _bio_slot(name: str, kinds: tuple[str, ...]) -> None:
    def fn(ctx: _Ctx) -> list[Piece]:
        gen = ctx.rng.choice(_BIO[ctx.rng.choice(kinds)])
        return _p("BIOMETRIC", gen(ctx.rng))

    _SLOTS[name] = fn


for _kind in _BIO:
    _bio_slot("bio_" + _kind, (_kind,))
_bio_slot("bio_any", tuple(_BIO))


# ---------------------------------------------------------------------------------------------
# handles
# ---------------------------------------------------------------------------------------------

_PY_SUR = _words(
    "zhang wang li liu chen yang huang zhao wu zhou xu sun ma zhu hu guo lin he gao luo zheng "
    "liang xie tang han feng deng cao peng zeng xiao tian dong pan yuan cai jiang yu du ye su"
)
_PY_GIVEN = _words(
    "wei fang na min jing li qiang lei jun yang yong yan jie juan tao ming chao xia ping gang "
    "xiuying guilan haiyan zhiqiang xiaoming zihan haoran yutong yinuo siyuan jiaqi junjie"
)
_EN_WORDS = _words(
    "eye sunny retina nana gramps knit birder fisher garden jazz kiwi maple tiger blue river "
    "ridge owl pixel coffee golf lotus panda cloud star moon"
)
_ZH_NICK_A = _words("快乐的 爱笑的 老 小 阿 安静的 勇敢的 佛系 养生 退休")
_ZH_NICK_B = _words("小鱼 蜗牛 西瓜 向日葵 钓鱼翁 太阳花 菠萝 老猫 茉莉 白兔 山楂 糯米")


def _en_handle_base(rng: random.Random) -> str:
    first, last, _ = _en_name(rng)
    f = re.sub(r"[^a-z]", "", first.lower()) or "anon"
    ln = re.sub(r"[^a-z]", "", last.lower()) or "x"
    return rng.choice(
        (
            f"{f}.{ln}",
            f"{f}_{ln}",
            f"{f[0]}{ln}",
            f"{f}{rng.randint(1, 99)}",
            f"{rng.choice(_EN_WORDS)}_{f}",
            f"{f}.{ln}.{rng.randint(1, 9)}",
            f"{rng.choice(_EN_WORDS)}{rng.choice(_EN_WORDS)}{rng.randint(10, 999)}",
        )
    )


def _wx(rng: random.Random) -> str:
    r = rng.random()
    if r < 0.3:
        return "wxid_" + _chars(rng, _LOW + _DIG, 14)
    sur, given = rng.choice(_PY_SUR), rng.choice(_PY_GIVEN)
    value = rng.choice(
        (
            f"{sur}{given}{rng.randint(1950, 2010)}",
            f"{given}_{sur}{rng.randint(1, 99)}",
            f"{sur.capitalize()}{given.capitalize()}{rng.randint(100, 9999)}",
            f"{rng.choice(_EN_WORDS)}-{sur}{rng.randint(1, 99)}",
            f"{sur[0]}{given}{_chars(rng, _DIG, 6)}",
        )
    )
    return value[:20]


def _qq(rng: random.Random) -> str:
    return _num(rng, rng.choice((6, 8, 9, 9, 10, 10, 11)))


def _weibo(rng: random.Random) -> str:
    if rng.random() < 0.5:
        nick = rng.choice(_ZH_NICK_A) + rng.choice(_ZH_NICK_B)
        if rng.random() < 0.5:
            nick += "_" + str(rng.randint(1, 2024))
        return "@" + nick
    return "@" + rng.choice(_PY_SUR) + "_" + rng.choice(_PY_GIVEN) + str(rng.randint(1, 999))


def _douyin(rng: random.Random) -> str:
    return rng.choice(
        (
            "dy" + _chars(rng, _LOW + _DIG, 9),
            _num(rng, rng.choice((9, 10, 11))),
            rng.choice(_PY_GIVEN) + "." + rng.choice(_PY_SUR) + "." + str(rng.randint(1, 99)),
            rng.choice(_PY_SUR) + rng.choice(_PY_GIVEN) + "_" + _chars(rng, _DIG, 4),
        )
    )


def _xhs(rng: random.Random) -> str:
    if rng.random() < 0.6:
        return _num(rng, rng.choice((9, 10)))
    return rng.choice(("yanjing", "huyan", "tangwang", "shiwang")) + "_" + rng.choice(_PY_GIVEN)


def _at(rng: random.Random, base: str) -> str:
    return "@" + base.replace(".", "_") if rng.random() < 0.5 else "@" + base


_HANDLES: dict[str, Callable[[random.Random], str]] = {
    "wx": _wx,
    "qq": _qq,
    "weibo": _weibo,
    "weibo_en": lambda r: (
        "@"
        + r.choice(_PY_SUR)
        + r.choice(("_", "", "-"))
        + r.choice(_PY_GIVEN)
        + str(r.randint(1, 999))
    ),
    "douyin": _douyin,
    "xhs": _xhs,
    "wa": lambda r: _en_handle_base(r) if r.random() < 0.6 else _wx(r),
    "tg": lambda r: "@" + _en_handle_base(r).replace(".", "_"),
    "ig": lambda r: _at(r, _en_handle_base(r)),
    "xh": lambda r: "@" + _en_handle_base(r).replace(".", "_")[:15],
    "fb": lambda r: _en_handle_base(r).replace("_", "."),
    "line": lambda r: r.choice(
        (_en_handle_base(r), r.choice(_PY_SUR) + "_" + r.choice(_PY_GIVEN) + _chars(r, _DIG, 2))
    ),
    "skype": lambda r: r.choice(("live:.cid." + _chars(r, _HEX, 16), _en_handle_base(r))),
    "discord": lambda r: r.choice(
        (_en_handle_base(r).replace(".", "_"), _en_handle_base(r) + "#" + _chars(r, _DIG, 4))
    ),
}


def _handle_slot(name: str) -> None:
    def fn(ctx: _Ctx) -> list[Piece]:
        return _p("HANDLE", _HANDLES[name](ctx.rng))

    _SLOTS[name] = fn


for _nm in _HANDLES:
    _handle_slot(_nm)


# ---------------------------------------------------------------------------------------------
# IP addresses
# ---------------------------------------------------------------------------------------------


def _ipv4(rng: random.Random) -> str:
    r = rng.random()
    if r < 0.25:
        return f"10.{rng.randint(0, 255)}.{rng.randint(0, 255)}.{rng.randint(1, 254)}"
    if r < 0.4:
        return f"192.168.{rng.randint(0, 255)}.{rng.randint(1, 254)}"
    if r < 0.5:
        return f"172.{rng.randint(16, 31)}.{rng.randint(0, 255)}.{rng.randint(1, 254)}"
    first = rng.choice((14, 27, 36, 58, 61, 81, 86, 101, 113, 116, 119, 121, 183, 202, 203, 218))
    first = first if rng.random() < 0.6 else rng.choice((24, 51, 66, 73, 92, 98, 141, 151, 212))
    return f"{first}.{rng.randint(0, 255)}.{rng.randint(0, 255)}.{rng.randint(1, 254)}"


def _ipv6(rng: random.Random) -> str:
    prefix = rng.choice((0x240E, 0x2409, 0x2408, 0x2001, 0x2A02, 0x2600, 0x2603, 0x2404, 0x2406))
    groups = [prefix] + [rng.randint(0, 0xFFFF) for _ in range(7)]
    for i in rng.sample(range(2, 7), rng.choice((0, 1, 2, 3))):
        groups[i] = 0
    if rng.random() < 0.4:
        groups[4:7] = [0, 0, 0]
    groups[7] = rng.randint(1, 0xFFFF)
    addr = ipaddress.IPv6Address(int("".join(f"{g:04x}" for g in groups), 16))
    text = addr.exploded if rng.random() < 0.25 else addr.compressed
    return text.upper() if rng.random() < 0.15 else text


def _ipv6_ll(rng: random.Random) -> str:
    groups = (
        [0xFE80, 0, 0, 0] + [rng.randint(0, 0xFFFF) for _ in range(3)] + [rng.randint(1, 0xFFFF)]
    )
    addr = ipaddress.IPv6Address(int("".join(f"{g:04x}" for g in groups), 16))
    return addr.compressed


@_slot("ipv4")
def _s_ipv4(ctx: _Ctx) -> list[Piece]:
    return _p("IP", ctx.fw(_ipv4(ctx.rng), 0.06))


@_slot("ipv6")
def _s_ipv6(ctx: _Ctx) -> list[Piece]:
    return _p("IP", _ipv6(ctx.rng))


@_slot("ipv6_ll")
def _s_ipv6_ll(ctx: _Ctx) -> list[Piece]:
    return _p("IP", _ipv6_ll(ctx.rng))


_plain_slot("port", ("443", "8080", "8443", "104", "11112", "3389", "22", "5000", "4242"))
_plain_slot("iface", ("eth0", "eth1", "en0", "ens33", "wlan0", "12", "3"))


# ---------------------------------------------------------------------------------------------
# accounts
# ---------------------------------------------------------------------------------------------

_CN_BIN = _words("622848 621700 622202 621483 622262 621661 623668 622908 621226 622588 621799")


def _cn_card(rng: random.Random) -> str:
    length = rng.choice((16, 19, 19))
    payload = rng.choice(_CN_BIN) + _chars(rng, _DIG, length - 7)
    card = payload + _luhn_digit(payload)
    if rng.random() < 0.4:
        return _group(card, (4, 4, 4, 4), " ")
    return card


def _card(rng: random.Random) -> str:
    kind = rng.choice(("visa", "visa", "mc", "amex", "disc"))
    if kind == "amex":
        payload = rng.choice(("34", "37")) + _chars(rng, _DIG, 12)
        card = payload + _luhn_digit(payload)
        return rng.choice((_group(card, (4, 6, 5), " "), card))
    prefix = {"visa": "4", "mc": rng.choice(("51", "52", "53", "54", "55")), "disc": "6011"}[kind]
    payload = prefix + _chars(rng, _DIG, 15 - len(prefix))
    card = payload + _luhn_digit(payload)
    return rng.choice((_group(card, (4, 4, 4, 4), " "), _group(card, (4, 4, 4, 4), "-"), card))


def _iban(rng: random.Random) -> str:
    cc = rng.choice(("GB", "GB", "IE", "DE", "NL", "FR", "ES"))
    if cc == "GB":
        bban = rng.choice(("NWBK", "BARC", "LOYD", "HBUK", "MIDL", "RBOS")) + _chars(rng, _DIG, 14)
    elif cc == "IE":
        bban = rng.choice(("AIBK", "BOFI")) + _chars(rng, _DIG, 14)
    elif cc == "DE":
        bban = _chars(rng, _DIG, 18)
    elif cc == "NL":
        bban = rng.choice(("ABNA", "INGB", "RABO", "TRIO")) + _chars(rng, _DIG, 10)
    elif cc == "FR":
        bban = _chars(rng, _DIG, 23)
    else:
        bban = _chars(rng, _DIG, 20)
    numeric = "".join(str(int(c, 36)) for c in bban + cc + "00")
    iban = f"{cc}{98 - int(numeric) % 97:02d}{bban}"
    return _group(iban, (4,) * 8, " ") if rng.random() < 0.7 else iban


def _alipay(rng: random.Random) -> str:
    r = rng.random()
    if r < 0.55:
        return "1" + rng.choice("3456789") + _chars(rng, _DIG, 9)
    domain = rng.choice(("163.com", "126.com", "qq.com", "sina.com", "foxmail.com", "hotmail.com"))
    user = _qq(rng) if domain == "qq.com" else rng.choice(_PY_SUR) + rng.choice(_PY_GIVEN)
    if domain != "qq.com" and rng.random() < 0.6:
        user += str(rng.randint(1950, 2005))
    return f"{user}@{domain}"


_ACCOUNTS: dict[str, Callable[[random.Random], str]] = {
    "cn_card": _cn_card,
    "cn_acct": lambda r: _num(r, r.choice((17, 18, 19))),
    "zy_acct": lambda r: r.choice(("ZY", "YJ", "")) + _chars(r, _DIG, 10),
    "hk_acct": lambda r: _chars(r, _DIG, 3) + "-" + _chars(r, _DIG, 6) + "-" + _chars(r, _DIG, 3),
    "alipay": _alipay,
    "us_acct": lambda r: _num(r, r.choice((8, 9, 10, 12))),
    "card": _card,
    "iban": _iban,
    "sort": lambda r: "-".join(_chars(r, _DIG, 2) for _ in range(3)),
    "uk_acct": lambda r: _chars(r, _DIG, 8),
    "bsb": lambda r: _chars(r, _DIG, 3) + "-" + _chars(r, _DIG, 3),
    "au_acct": lambda r: r.choice((_chars(r, _DIG, 4) + " " + _chars(r, _DIG, 4), _num(r, 9))),
    "guar": lambda r: r.choice(("G", "GA-", "")) + _num(r, r.choice((7, 8, 9))),
    "pat_acct": lambda r: r.choice(("PA", "PT-", "", "A")) + _num(r, r.choice((8, 9))),
    "har": lambda r: r.choice("45") + _chars(r, _DIG, 9),
    "bill": lambda r: r.choice(("B-", "BA", "")) + _num(r, 7) + r.choice(("", "-01", "-02")),
    "sg_acct": lambda r: r.choice(
        (
            _chars(r, _DIG, 3) + "-" + _chars(r, _DIG, 5) + "-" + r.choice(_DIG),
            _chars(r, _DIG, 3) + "-" + _chars(r, _DIG, 6) + "-" + r.choice(_DIG),
        )
    ),
}


def _account_slot(name: str) -> None:
    def fn(ctx: _Ctx) -> list[Piece]:
        return _p("ACCOUNT", ctx.fw(_ACCOUNTS[name](ctx.rng)))

    _SLOTS[name] = fn


for _nm in _ACCOUNTS:
    _account_slot(_nm)
_plain_slot(
    "bank_zh",
    _words("中国农业银行 中国建设银行 中国工商银行 招商银行 交通银行 中国银行 农村信用社 邮储银行"),
)


# ---------------------------------------------------------------------------------------------
# health plans
# ---------------------------------------------------------------------------------------------

_MBI_A = "ACDEFGHJKMNPQRTUVWXY"
_CN_AREA = _words(
    "510104 510781 440305 440106 330106 330483 320506 370202 410105 420106 430104 130102 "
    "350203 340104 360102 530102 520102 610113 620102 140105 210102 220102 230102 450103"
)


def _mbi(rng: random.Random) -> str:
    an = _MBI_A + _DIG
    s = (
        rng.choice("123456789")
        + rng.choice(_MBI_A)
        + rng.choice(an)
        + rng.choice(_DIG)
        + rng.choice(_MBI_A)
        + rng.choice(an)
        + rng.choice(_DIG)
        + rng.choice(_MBI_A)
        + rng.choice(_MBI_A)
        + _chars(rng, _DIG, 2)
    )
    return _group(s, (4, 3, 4), "-") if rng.random() < 0.4 else s


def _ssn_like(rng: random.Random) -> str:
    area = rng.choice([n for n in range(1, 900) if n != 666])
    return f"{area:03d}{rng.randint(1, 99):02d}{rng.randint(1, 9999):04d}"


def _hicn(rng: random.Random) -> str:
    ssn = _ssn_like(rng)
    suffix = rng.choice(("A", "A", "B", "B1", "C1", "D", "D6", "E", "HA", "M", "T"))
    if rng.random() < 0.5:
        return f"{ssn[:3]}-{ssn[3:5]}-{ssn[5:]}{suffix}"
    return ssn + suffix


def _mod11_nhs(rng: random.Random, first9: str | None = None) -> str:
    while True:
        digits = first9 if first9 is not None else rng.choice("456") + _chars(rng, _DIG, 8)
        total = sum(int(d) * (10 - i) for i, d in enumerate(digits))
        check = 11 - total % 11
        if check == 11:
            check = 0
        if check != 10:
            return digits + str(check)
        if first9 is not None:
            first9 = first9[:-1] + str((int(first9[-1]) + 1) % 10)


def _nhs(rng: random.Random) -> str:
    n = _mod11_nhs(rng)
    return rng.choice((_group(n, (3, 3, 4), " "), _group(n, (3, 3, 4), "-"), n))


def _chi(rng: random.Random) -> str:
    day, month, year = rng.randint(1, 28), rng.randint(1, 12), rng.randint(0, 99)
    first9 = f"{day:02d}{month:02d}{year:02d}" + _chars(rng, _DIG, 3)
    return _mod11_nhs(rng, first9)


def _au_medicare(rng: random.Random) -> str:
    digits = [rng.randint(2, 6)] + [rng.randint(0, 9) for _ in range(7)]
    check = sum(d * w for d, w in zip(digits, (1, 3, 7, 9, 1, 3, 7, 9), strict=True)) % 10
    number = "".join(map(str, digits)) + str(check) + str(rng.randint(1, 9))
    return rng.choice((_group(number, (4, 5, 1), " "), number))


def _ohip(rng: random.Random) -> str:
    payload = rng.choice("123456789") + _chars(rng, _DIG, 8)
    number = payload + _luhn_digit(payload)
    version = _chars(rng, "ABCDEFGHJKLMNPRSTVWXYZ", 2)
    return rng.choice(
        (
            f"{number[:4]}-{number[4:7]}-{number[7:]}-{version}",
            f"{number[:4]} {number[4:7]} {number[7:]} {version}",
            number + version,
            number,
        )
    )


def _cn_id(rng: random.Random, lo: int = 1940, hi: int = 2002) -> str:
    birth = f"{rng.randint(lo, hi)}{rng.randint(1, 12):02d}{rng.randint(1, 28):02d}"
    body = rng.choice(_CN_AREA) + birth + _chars(rng, _DIG, 3)
    weights = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
    total = sum(int(d) * w for d, w in zip(body, weights, strict=True))
    return body + "10X98765432"[total % 11]


_PLANS: dict[str, Callable[[random.Random], str]] = {
    "mbi": _mbi,
    "hicn": _hicn,
    "medicaid": lambda r: r.choice(
        (_fmt(r, "LLddddd") + r.choice(_PLATE_LET), _num(r, 9), _num(r, 10), _num(r, 12))
    ),
    "medical": lambda r: "9" + _chars(r, _DIG, 7) + r.choice(_UP),
    "bcbs": lambda r: (
        _chars(r, "ABCDEFGHJKLMNPQRSTUVWXYZ", 3)
        + r.choice(("", "W"))
        + _chars(r, _DIG, r.choice((8, 9)))
    ),
    "group": lambda r: r.choice(
        (_chars(r, _DIG, r.choice((5, 6, 7))), _num(r, 6) + "M00" + r.choice(_DIG))
    ),
    "aetna": lambda r: "W" + _chars(r, _DIG, 9),
    "cigna": lambda r: "U" + _chars(r, _DIG, 8) + r.choice(("01", " 01", "02")),
    "uhc": lambda r: _num(r, r.choice((9, 11))),
    "humana": lambda r: "H" + _chars(r, _DIG, 8),
    "nhs": _nhs,
    "chi": _chi,
    "au_medicare": _au_medicare,
    "ohip": _ohip,
    "yb_card": lambda r: r.choice(
        (
            r.choice(_CN_AREA) + _chars(r, _DIG, 8),
            r.choice(_UP[:6]) + _chars(r, _DIG, 8),
            r.choice(("SC", "GD", "ZJ", "JS", "HN", "SD")) + _chars(r, _DIG, 10),
        )
    ),
    "sb_card": lambda r: r.choice(_UP[:5]) + _chars(r, _DIG, 8),
    "yb_person": lambda r: r.choice(_CN_AREA) + _chars(r, _DIG, r.choice((8, 11, 14))),
    "xnh": lambda r: r.choice(
        (
            r.choice(_CN_AREA) + _chars(r, _DIG, 6) + "-" + _chars(r, _DIG, 2),
            r.choice(_CN_AREA) + _chars(r, _DIG, 10),
        )
    ),
    "cxjm": lambda r: _num(r, r.choice((10, 12, 13))),
    "policy_cn": lambda r: r.choice(
        (
            "P" + _chars(r, _DIG, 17),
            "1" + _chars(r, _DIG, 19),
            "ASZ" + _chars(r, _DIG, 4) + "Y" + _chars(r, _DIG, 11),
            "HMB" + _chars(r, _DIG, 12),
        )
    ),
    "sb_id": lambda r: _cn_id(r),
}


def _plan_slot(name: str) -> None:
    def fn(ctx: _Ctx) -> list[Piece]:
        return _p("HEALTH_PLAN", ctx.fw(_PLANS[name](ctx.rng)))

    _SLOTS[name] = fn


for _nm in _PLANS:
    _plan_slot(_nm)


@_slot("medicaid_r")
def _s_medicaid_r(ctx: _Ctx) -> list[Piece]:
    state = ctx.rng.choice(("New York", "NY", "Texas", "TX", "Florida", "Ohio", "Pennsylvania"))
    return _p("HEALTH_PLAN", _PLANS["medicaid"](ctx.rng)) + _t(" (") + _k("REGION", state) + _t(")")


# ---------------------------------------------------------------------------------------------
# ages over 89
# ---------------------------------------------------------------------------------------------

_ZH_DIGIT_WORD = "〇一二三四五六七八九"
_EN_ONES = _words("zero one two three four five six seven eight nine")
_EN_TENS = {2: "twenty", 3: "thirty", 4: "forty", 5: "fifty"}
_EN_TEENS = _words(
    "ten eleven twelve thirteen fourteen fifteen sixteen seventeen eighteen nineteen"
)


def _zh_age_words(n: int) -> str:
    if n < 100:
        return "九十" + ("" if n == 90 else _ZH_DIGIT_WORD[n - 90])
    return "一百" + ("" if n == 100 else "零" + _ZH_DIGIT_WORD[n - 100])


def _zh_year_words(y: int) -> str:
    return "".join(_ZH_DIGIT_WORD[int(d)] for d in str(y))


def _en_age_words(n: int) -> str:
    if n < 100:
        return "ninety" + ("" if n == 90 else "-" + _EN_ONES[n - 90])
    return "one hundred" + ("" if n == 100 else " and " + _EN_ONES[n - 100])


def _en_year_words(y: int) -> str:
    tail = y % 100
    if 10 <= tail < 20:
        return f"nineteen {_EN_TEENS[tail - 10]}"
    if tail % 10 == 0:
        return f"nineteen {_EN_TENS[tail // 10]}"
    if tail < 10:
        return f"nineteen oh-{_EN_ONES[tail]}"
    return f"nineteen {_EN_TENS[tail // 10]}-{_EN_ONES[tail % 10]}"


def _age(ctx: _Ctx) -> tuple[int, int]:
    def make() -> tuple[int, int]:
        age = ctx.rng.choices(
            range(90, 106), weights=[12, 11, 10, 9, 8, 7, 6, 5, 4, 3, 2] + [1] * 5
        )[0]
        return age, ctx.year - age - ctx.rng.choice((0, 1))

    return ctx.once("age", make)  # type: ignore[return-value]


@_slot("age")
def _s_age(ctx: _Ctx) -> list[Piece]:
    return _p("AGE_OVER_89", ctx.fw(str(_age(ctx)[0])))


@_slot("by")
def _s_by(ctx: _Ctx) -> list[Piece]:
    return _p("AGE_OVER_89", ctx.fw(str(_age(ctx)[1])))


@_slot("age_zhw")
def _s_age_zhw(ctx: _Ctx) -> list[Piece]:
    return _p("AGE_OVER_89", _zh_age_words(_age(ctx)[0]))


@_slot("by_zhw")
def _s_by_zhw(ctx: _Ctx) -> list[Piece]:
    return _p("AGE_OVER_89", _zh_year_words(_age(ctx)[1]))


@_slot("age_enw")
def _s_age_enw(ctx: _Ctx) -> list[Piece]:
    return _p("AGE_OVER_89", _en_age_words(_age(ctx)[0]))


@_slot("by_enw")
def _s_by_enw(ctx: _Ctx) -> list[Piece]:
    return _p("AGE_OVER_89", _en_year_words(_age(ctx)[1]))


# ---------------------------------------------------------------------------------------------
# devices
# ---------------------------------------------------------------------------------------------


def _gs1_check(payload: str) -> str:
    total = sum(int(d) * (3 if i % 2 == 0 else 1) for i, d in enumerate(reversed(payload)))
    return str((10 - total % 10) % 10)


def _udi(rng: random.Random) -> str:
    gtin13 = "0" + _chars(rng, _DIG, 12)
    gtin = gtin13 + _gs1_check(gtin13)
    exp = f"{rng.randint(25, 31)}{rng.randint(1, 12):02d}{rng.choice((28, 30, 31, 15)):02d}"
    lot = _chars(rng, _UP + _DIG, rng.randint(5, 8))
    serial = _chars(rng, _DIG, rng.randint(6, 9))
    if rng.random() < 0.7:
        return f"(01){gtin}(17){exp}(10){lot}(21){serial}"
    return f"01{gtin}17{exp}10{lot}"


def _dev_sn(rng: random.Random) -> str:
    return rng.choice(
        (
            _num(rng, 7),
            "5000-" + _chars(rng, _DIG, 5),
            "SPX-" + _chars(rng, _DIG, 5),
            "C" + _chars(rng, _DIG, 6),
            "CR2-" + _chars(rng, _DIG, 6),
            "HFA3-" + _chars(rng, _DIG, 5),
            "AFC" + _chars(rng, _DIG, 6),
            _chars(rng, "ABCDEFGHJKLMNPRSTVWXYZ0123456789", 8),
            "SN-YK-" + str(rng.randint(2012, 2024)) + _chars(rng, _DIG, 4),
            "MAE2-" + _chars(rng, _DIG, 4) + "-" + rng.choice(_UP),
        )
    )


def _host(rng: random.Random) -> str:
    prefix = rng.choice(("OPH", "EYE", "RET", "YK", "OPHTH", "MR", "EYECL"))
    kind = rng.choice(("FUNDUS", "OCT", "HFA", "WS", "PC", "PACS", "IMG", "VF"))
    name = f"{prefix}-{kind}-{rng.randint(1, 40):02d}"
    if rng.random() < 0.3:
        name += rng.choice((".hosp.local", ".eye.internal", ".med.lan", ".corp"))
    return name.lower() if rng.random() < 0.35 else name


def _mac(rng: random.Random) -> str:
    octets = [f"{rng.randint(0, 255):02x}" for _ in range(6)]
    r = rng.random()
    if r < 0.4:
        return ":".join(octets).upper()
    if r < 0.65:
        return ":".join(octets)
    if r < 0.9:
        return "-".join(octets).upper()
    h = "".join(octets)
    return f"{h[:4]}.{h[4:8]}.{h[8:]}"


def _imei(rng: random.Random) -> str:
    payload = rng.choice(("35", "86", "35", "01")) + _chars(rng, _DIG, 12)
    imei = payload + _luhn_digit(payload)
    return rng.choice((imei, _group(imei, (2, 6, 6, 1), "-")))


_DEVICES: dict[str, Callable[[random.Random], str]] = {
    "dev_sn": _dev_sn,
    "udi": _udi,
    "host": _host,
    "mac": _mac,
    "imei": _imei,
    "asset": lambda r: r.choice(
        (
            "AT-" + _chars(r, _DIG, 7),
            "ZC" + str(r.randint(2010, 2024)) + "-" + _chars(r, _DIG, 5),
            "BME-" + _chars(r, _DIG, 5),
            "EQ" + _chars(r, _DIG, 6),
        )
    ),
    "pump": lambda r: r.choice(
        (
            "NG" + _chars(r, _DIG, 7) + "H",
            _chars(r, _DIG, 3) + "-" + _chars(r, _DIG, 4) + "-" + _chars(r, _DIG, 4),
            "TS" + _chars(r, _DIG, 6),
        )
    ),
    "cgm": lambda r: _chars(r, "ABCDEFGHJKLMNPQRSTUVWXYZ0123456789", r.choice((6, 8, 10))),
    "glu_sn": lambda r: r.choice(
        (_num(r, 8), "GN" + _chars(r, _DIG, 8), "SW" + _chars(r, _DIG, 7))
    ),
}


def _device_slot(name: str) -> None:
    def fn(ctx: _Ctx) -> list[Piece]:
        return _p("DEVICE", _DEVICES[name](ctx.rng))

    _SLOTS[name] = fn


for _nm in _DEVICES:
    _device_slot(_nm)

_CAMERAS_ZH = (
    ("拓普康", " TRC-NW400"),
    ("拓普康", " Maestro2"),
    ("蔡司", " Cirrus 5000"),
    ("蔡司", " Clarus 700"),
    ("海德堡", " Spectralis"),
    ("尼德克", " AFC-330"),
    ("佳能", " CR-2 AF"),
    ("Topcon", " Triton"),
    ("Optos", " Daytona"),
    ("Zeiss", " Visucam 500"),
)
_CAMERAS_EN = (
    ("Topcon", " TRC-NW400"),
    ("Topcon", " Maestro2"),
    ("Zeiss", " Cirrus 5000"),
    ("Zeiss", " Clarus 700"),
    ("Heidelberg Spectralis", " HRA+OCT"),
    ("Optos", " California"),
    ("Optos", " Daytona"),
    ("Canon", " CR-2 AF"),
    ("Nidek", " RS-3000"),
    ("Nidek", " AFC-330"),
)


@_slot("cam_zh")
def _s_cam_zh(ctx: _Ctx) -> list[Piece]:
    maker, model = ctx.rng.choice(_CAMERAS_ZH)
    return _k("MAKER", maker) + _t(model)


@_slot("cam_en")
def _s_cam_en(ctx: _Ctx) -> list[Piece]:
    maker, model = ctx.rng.choice(_CAMERAS_EN)
    return _k("MAKER", maker) + _t(model)


# ---------------------------------------------------------------------------------------------
# licences
# ---------------------------------------------------------------------------------------------


def _dea(rng: random.Random) -> str:
    d = [rng.randint(0, 9) for _ in range(6)]
    check = (d[0] + d[2] + d[4] + 2 * (d[1] + d[3] + d[5])) % 10
    return rng.choice("ABFGM") + rng.choice(_UP) + "".join(map(str, d)) + str(check)


def _npi(rng: random.Random) -> str:
    base = rng.choice("12") + _chars(rng, _DIG, 8)
    return base + _luhn_digit("80840" + base)


def _uk_dl(rng: random.Random) -> str:
    plain = unicodedata.normalize("NFKD", rng.choice(_EN_SURNAMES)).upper()
    surname = re.sub(r"[^A-Z]", "", plain)[:5].ljust(5, "9")
    year = rng.randint(1940, 2003)
    month = rng.randint(1, 12) + (50 if rng.random() < 0.5 else 0)
    initials = rng.choice(_UP) + rng.choice(_UP + "9")
    return (
        f"{surname}{str(year)[2]}{month:02d}{rng.randint(1, 28):02d}{str(year)[3]}"
        f"{initials}9{_chars(rng, _UP, 2)}"
    )


def _uscc(rng: random.Random) -> str:
    charset = "0123456789ABCDEFGHJKLMNPQRTUWXY"
    org = _chars(rng, _DIG + "ABCDEFGHJKLMNPQRTUWXY", 8)
    org_total = sum(
        (int(c) if c.isdigit() else ord(c) - 55) * w
        for c, w in zip(org, (3, 7, 9, 10, 5, 8, 4, 2), strict=True)
    )
    org_check = 11 - org_total % 11
    org += {10: "X", 11: "0"}.get(org_check, str(org_check))
    body = "9" + rng.choice("123") + rng.choice(_CN_AREA) + org
    weights = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
    total = sum(charset.index(c) * w for c, w in zip(body, weights, strict=True))
    return body + charset[(31 - total % 31) % 31]


_US_DL = (
    ("California", "CA", "Ldddddd"),
    ("New York", "NY", "ddd ddd ddd"),
    ("Texas", "TX", "dddddddd"),
    ("Florida", "FL", "Lddd-ddd-dd-ddd-d"),
    ("Illinois", "IL", "Lddd-dddd-dddd"),
    ("Pennsylvania", "PA", "dd ddd ddd"),
    ("Ohio", "OH", "LLdddddd"),
    ("Michigan", "MI", "L ddd ddd ddd ddd"),
    ("Washington", "WA", "WDLLLLLdddLL"),
    ("Massachusetts", "MA", "Sdddddddd"),
    ("New Jersey", "NJ", "Ldddd ddddd ddddd"),
    ("Wisconsin", "WI", "Lddd-dddd-dddd-dd"),
    ("Georgia", "GA", "ddddddddd"),
    ("Arizona", "AZ", "Ldddddddd"),
    ("Colorado", "CO", "dd-ddd-dddd"),
    ("Minnesota", "MN", "Ldddddddddddd"),
)


def _us_dl_value(rng: random.Random) -> tuple[str, str, str]:
    full, abbr, pattern = rng.choice(_US_DL)
    return full, abbr, _fmt(rng, pattern)


_LICENSES: dict[str, Callable[[random.Random], str]] = {
    "cn_dl": _cn_id,
    "cn_dl_file": lambda r: _num(r, 12),
    "cn_qual": lambda r: (
        str(r.randint(1999, 2023))
        + r.choice("1234")
        + r.choice("12")
        + r.choice(_CN_AREA)
        + _chars(r, _DIG, 15)
    ),
    "cn_prac": lambda r: (
        r.choice("1234") + r.choice(("10", "20", "30")) + r.choice(_CN_AREA) + _chars(r, _DIG, 6)
    ),
    "cn_nurse": lambda r: (
        str(r.randint(2005, 2023)) + r.choice(("44", "51", "33", "32", "41")) + _chars(r, _DIG, 6)
    ),
    "uscc": _uscc,
    "hk_mc": lambda r: "M" + _chars(r, _DIG, 5),
    "smc": lambda r: "M" + _chars(r, _DIG, 5) + r.choice(_UP),
    "uk_dl": _uk_dl,
    "npi": _npi,
    "dea": _dea,
    "gmc": lambda r: r.choice("3467") + _chars(r, _DIG, 6),
    "goc": lambda r: r.choice(("01-", "D-", "01-")) + _chars(r, _DIG, 5),
    "ahpra": lambda r: r.choice(("MED", "OPT", "NMW")) + "000" + _chars(r, _DIG, 7),
    "on_dl": lambda r: _fmt(r, "Ldddd-ddddd-ddddd"),
    "ffl": lambda r: (
        f"{r.randint(1, 9)}-{r.randint(10, 99)}-{_chars(r, _DIG, 3)}-"
        f"{r.choice(('01', '07', '09'))}-{r.randint(1, 9)}{r.choice('ABCDEFGHJKL')}-"
        f"{_chars(r, _DIG, 5)}"
    ),
    "biz": lambda r: (
        r.choice(("BL-", "BUS", "")) + str(r.randint(2005, 2024)) + "-" + _chars(r, _DIG, 6)
    ),
    "med_lic": lambda r: r.choice(
        (
            "G " + _chars(r, _DIG, 5),
            "A" + _chars(r, _DIG, 6),
            "ME" + _chars(r, _DIG, 6),
            "MD" + _chars(r, _DIG, 6) + "L",
            "35." + _chars(r, _DIG, 6),
            _num(r, 6),
        )
    ),
}


def _license_slot(name: str) -> None:
    def fn(ctx: _Ctx) -> list[Piece]:
        return _p("LICENSE", ctx.fw(_LICENSES[name](ctx.rng)))

    _SLOTS[name] = fn


for _nm in _LICENSES:
    _license_slot(_nm)


@_slot("us_st_dl")
def _s_us_st_dl(ctx: _Ctx) -> list[Piece]:
    full, abbr, value = _us_dl_value(ctx.rng)
    label = ctx.rng.choice((" DL ", " driver license ", " driver's license no. ", " DL# "))
    return _k("REGION", ctx.rng.choice((full, abbr))) + _t(label) + _p("LICENSE", value)


@_slot("med_lic_r")
def _s_med_lic_r(ctx: _Ctx) -> list[Piece]:
    state = ctx.rng.choice(("Texas", "California", "Florida", "Ohio", "New York", "Pennsylvania"))
    return _p("LICENSE", _LICENSES["med_lic"](ctx.rng)) + _t(" (") + _k("REGION", state) + _t(")")


@_slot("au_dl_r")
def _s_au_dl_r(ctx: _Ctx) -> list[Piece]:
    rng = ctx.rng
    region, value = rng.choice(
        (
            ("NSW", _num(rng, 8)),
            ("Victoria", _num(rng, 9)),
            ("VIC", _num(rng, 9)),
            ("Queensland", _num(rng, 9)),
            ("WA", _num(rng, 7)),
            ("Tasmania", _fmt(rng, "LLdddd")),
        )
    )
    return _k("REGION", region) + _t(" licence no. ") + _p("LICENSE", value)


@_slot("ca_dl_r")
def _s_ca_dl_r(ctx: _Ctx) -> list[Piece]:
    rng = ctx.rng
    region, value = rng.choice(
        (
            ("Ontario", _fmt(rng, "Ldddd-ddddd-ddddd")),
            ("British Columbia", _num(rng, 7)),
            ("Alberta", _chars(rng, _DIG, 6) + "-" + _chars(rng, _DIG, 3)),
            ("Quebec", _fmt(rng, "Ldddd-dddddd-dd")),
        )
    )
    return _k("REGION", region) + _t(" driver's licence ") + _p("LICENSE", value)


# ---------------------------------------------------------------------------------------------
# keep content (clinical measurements, lesions, eponyms, makers, doses, times)
# ---------------------------------------------------------------------------------------------

_choice_slot("side_zh", "SIDE", _words("右眼 右眼 左眼 左眼 双眼 OD OS"))
_choice_slot("side_cn", "SIDE", _words("右眼 左眼 双眼"))
_choice_slot("side_en", "SIDE", _words("OD;OS;OU;OD;OS;right eye;left eye;both eyes;RE;LE", ";"))
_choice_slot(
    "lesion_zh",
    "LESION",
    _words(
        "微血管瘤 硬性渗出 棉绒斑 点状出血 玻璃膜疣 视网膜前出血 黄斑水肿 视网膜新生血管 "
        "视盘新生血管 色素紊乱 地图样萎缩 漆裂纹 豹纹状眼底 视网膜裂孔 格子样变性 黄斑前膜 "
        "黄斑裂孔 CNV 玻璃体积血 视网膜内液 视网膜下液 色素上皮脱离 静脉串珠"
    ),
)
_choice_slot(
    "grade_zh",
    "LESION",
    _words(
        "R2M1 R3M1 R1M0 R2M0 中度非增殖期糖尿病视网膜病变 重度非增殖期糖尿病视网膜病变 "
        "增殖期糖尿病视网膜病变 湿性年龄相关性黄斑变性 干性年龄相关性黄斑变性 "
        "视网膜分支静脉阻塞 中心性浆液性脉络膜视网膜病变 病理性近视 重度NPDR PDR"
    ),
)
_choice_slot(
    "lesion_en",
    "LESION",
    _words(
        "drusen;hard exudates;cotton wool spots;dot-blot haemorrhages;microaneurysms;CNV;"
        "subretinal fluid;intraretinal fluid;geographic atrophy;epiretinal membrane;"
        "macular hole;lattice degeneration;retinal tear;vitreous haemorrhage;NVD;NVE;"
        "pigment epithelial detachment;lacquer cracks;venous beading;IRMA",
        ";",
    ),
)
_choice_slot(
    "grade_en",
    "LESION",
    _words(
        "moderate NPDR;severe NPDR;PDR;R2M1;R3aM1;R1M0;wet AMD;intermediate AMD;"
        "BRVO with macular oedema;CSCR;R2M0;diabetic macular oedema;pathological myopia",
        ";",
    ),
)
_choice_slot(
    "maker_zh", "MAKER", _words("蔡司 海德堡 拓普康 尼德克 佳能 Topcon Zeiss Optos Canon Nidek")
)
_choice_slot(
    "maker_en",
    "MAKER",
    _words("Topcon;Zeiss;Heidelberg Spectralis;Optos;Canon;Nidek", ";"),
)
_choice_slot(
    "dose_zh",
    "DOSE",
    _words(
        "雷珠单抗0.5mg;阿柏西普2mg;康柏西普0.5mg;法瑞西单抗6mg;曲安奈德4mg;"
        "地塞米松玻璃体内植入剂0.7mg;贝伐珠单抗1.25mg;阿柏西普 2 mg;雷珠单抗 0.5 mg",
        ";",
    ),
)
_choice_slot(
    "drop_zh",
    "DOSE",
    _words(
        "0.5%噻吗洛尔滴眼液 每日2次;拉坦前列素0.005% 每晚1次;0.5%左氧氟沙星滴眼液 每日4次;"
        "复方托吡卡胺滴眼液;1%醋酸泼尼松龙滴眼液 每日4次",
        ";",
    ),
)
_choice_slot(
    "dose_en",
    "DOSE",
    _words(
        "ranibizumab 0.5 mg;aflibercept 2 mg;aflibercept 8 mg;bevacizumab 1.25 mg;"
        "faricimab 6 mg;Ozurdex 700 µg;triamcinolone 4 mg;brolucizumab 6 mg",
        ";",
    ),
)
_choice_slot(
    "dil_en",
    "DOSE",
    _words("tropicamide 1%;tropicamide 0.5%;phenylephrine 2.5%;cyclopentolate 1%", ";"),
)
_choice_slot(
    "drop_en",
    "DOSE",
    _words(
        "timolol 0.5% bd;latanoprost 0.005% nocte;brimonidine 0.2% tds;"
        "dexamethasone 0.1% qds;chloramphenicol 0.5% qds;G. prednisolone 1% qds",
        ";",
    ),
)


@_slot("time_zh")
def _s_time_zh(ctx: _Ctx) -> list[Piece]:
    rng = ctx.rng
    h, m = rng.randint(7, 17), rng.choice((0, 5, 10, 15, 20, 25, 30, 40, 45, 50, 55))
    value = rng.choice(
        (
            f"{h:02d}:{m:02d}",
            f"{h:02d}:{m:02d}",
            f"{h:02d}：{m:02d}",
            f"{'上午' if h < 12 else '下午'}{h if h <= 12 else h - 12}时{m}分",
            f"{'上午' if h < 12 else '下午'}{h if h <= 12 else h - 12}点{m:02d}",
        )
    )
    return _k("TIME", value)


@_slot("time_en")
def _s_time_en(ctx: _Ctx) -> list[Piece]:
    rng = ctx.rng
    h, m = rng.randint(7, 18), rng.choice((0, 5, 10, 15, 20, 30, 40, 45, 50))
    h12 = h if h <= 12 else h - 12
    value = rng.choice(
        (
            f"{h:02d}:{m:02d}",
            f"{h12}:{m:02d} {'am' if h < 12 else 'pm'}",
            f"{h12}.{m:02d}{'am' if h < 12 else 'pm'}",
            f"{h:02d}{m:02d}",
        )
    )
    return _k("TIME", value)


def _va_zh(rng: random.Random) -> str:
    value = rng.choice(_words("0.1 0.15 0.2 0.25 0.3 0.4 0.5 0.6 0.8 1.0 1.2 4.6 4.8 4.9 5.0"))
    label = rng.choice(("视力", "视力", "矫正视力", "裸眼视力", "最佳矫正视力"))
    return label + rng.choice(("", " ")) + value


def _measure(name: str, make: Callable[[random.Random], str]) -> None:
    def fn(ctx: _Ctx) -> list[Piece]:
        return _k("MEASURE", make(ctx.rng))

    _SLOTS[name] = fn


_measure("va_zh", _va_zh)
_measure(
    "iop_zh",
    lambda r: r.choice(("眼压{}mmHg", "眼压 {} mmHg", "IOP {}mmHg", "眼压{} mmHg")).format(
        r.randint(9, 34)
    ),
)
_measure(
    "cd_zh",
    lambda r: r.choice(("杯盘比{}", "C/D {}", "C/D={}", "C/D约{}")).format(
        r.choice(("0.3", "0.4", "0.5", "0.6", "0.7", "0.8", "0.9"))
    ),
)
_measure(
    "cst_zh",
    lambda r: r.choice(
        ("黄斑中心凹厚度{}μm", "CST {} µm", "中央视网膜厚度{}μm", "CMT {}μm")
    ).format(r.randint(180, 640)),
)
_measure(
    "axial_zh",
    lambda r: r.choice(("眼轴{}mm", "眼轴长度 {} mm", "AL {}mm")).format(
        f"{r.uniform(21.5, 30.5):.2f}"
    ),
)
_measure(
    "va_en",
    lambda r: r.choice(
        (
            "VA " + r.choice(("6/5", "6/6", "6/9", "6/12", "6/18", "6/24", "6/36", "6/60")),
            "VA " + r.choice(("20/20", "20/25", "20/40", "20/60", "20/80", "20/200")),
            "BCVA " + f"{r.choice((0.0, 0.1, 0.2, 0.3, 0.48, 0.6, 1.0)):.2f}" + " logMAR",
            "VA " + r.choice(("6/9-2", "6/12+1", "6/18-1")),
        )
    ),
)
_measure(
    "iop_en",
    lambda r: r.choice(("IOP {} mmHg", "IOP {}mmHg", "IOP of {} mmHg")).format(r.randint(9, 34)),
)
_measure(
    "cd_en",
    lambda r: r.choice(("C/D {}", "CDR {}", "cup-disc ratio {}")).format(
        r.choice(("0.3", "0.4", "0.5", "0.6", "0.7", "0.8", "0.9"))
    ),
)
_measure(
    "cst_en",
    lambda r: r.choice(("CST {} µm", "central subfield thickness {} µm", "CMT {} um")).format(
        r.randint(180, 640)
    ),
)
_measure(
    "axial_en",
    lambda r: r.choice(("axial length {} mm", "AL {} mm")).format(f"{r.uniform(21.5, 30.5):.2f}"),
)
_measure("md_en", lambda r: f"MD -{r.uniform(0.5, 18):.1f} dB")
_measure("md_zh", lambda r: f"MD -{r.uniform(0.5, 18):.1f} dB")


def _eponym_pieces(eponym: str, tail: str) -> list[Piece]:
    return _k("EPONYM", eponym) + (_t(tail) if tail else [])


def _eponym_slot(name: str, options: tuple[tuple[str, str], ...], pair_sep: str = "") -> None:
    def fn(ctx: _Ctx) -> list[Piece]:
        if not pair_sep:
            return _eponym_pieces(*ctx.rng.choice(options))
        first, second = ctx.rng.sample(options, 2)
        return _eponym_pieces(*first) + _t(pair_sep) + _eponym_pieces(*second)

    _SLOTS[name] = fn


_EPO_DZ_ZH = (
    ("Stargardt", "病"),
    ("Coats", "病"),
    ("Best病", ""),
    ("Vogt-Koyanagi-Harada", "综合征"),
    ("Behçet", "病"),
    ("白塞", "病"),
    ("Terson", "综合征"),
    ("Purtscher", "视网膜病变"),
)
_EPO_DZ_EN = (
    ("Stargardt", " disease"),
    ("Coats", " disease"),
    ("Best disease", ""),
    ("Vogt-Koyanagi-Harada", " disease"),
    ("Behçet", " uveitis"),
    ("Terson", " syndrome"),
    ("Purtscher", " retinopathy"),
)
_eponym_slot("epo_dz_zh", _EPO_DZ_ZH)
_eponym_slot("epo_pair_zh", _EPO_DZ_ZH, "、")
_eponym_slot("epo_dz_en", _EPO_DZ_EN)
_eponym_slot("epo_pair_en", _EPO_DZ_EN, " vs ")
_eponym_slot("epo_spot_zh", (("Roth斑", ""), ("Weiss环", "")))
_eponym_slot("epo_spot_en", (("Roth spots", ""), ("Weiss ring", "")))
_eponym_slot("bruch_zh", (("Bruch膜", ""),))
_eponym_slot("bruch_en", (("Bruch's membrane", ""),))
_eponym_slot("berlin_zh", (("Berlin水肿", ""),))
_eponym_slot("berlin_en", (("Berlin's oedema", ""),))
_eponym_slot("amsler", (("Amsler", ""),))
_eponym_slot("goldmann", (("Goldmann", ""),))
_eponym_slot("humphrey", (("Humphrey", ""),))
_eponym_slot("snellen", (("Snellen", ""),))


# ---------------------------------------------------------------------------------------------
# templates
# ---------------------------------------------------------------------------------------------

_TEMPLATES: dict[tuple[str, str], tuple[str, ...]] = {
    ("zh", "NAME_UNLABELLED"): (
        "{pn}今日由{rel}{rn}陪同复诊，自述{side_zh}视物模糊两周。",
        "其{rel}{rn}代诉：{pn}近半年夜间视力明显下降。",
        "已向{pn}及其{rel}{rn}交代{grade_zh}的病情及预后，二人表示理解。",
        "{pn}否认高血压病史；{pn}的母亲有青光眼病史。",
        "电话随访由{rn}接听，称{pn}已按时点药。",
        "{pn}拒绝行荧光素眼底血管造影，已签字。",
        "检查由{on}完成，{time_zh}图像上传。",
        "{pn}、{rn}同日行眼底照相筛查。",
        "嘱{pn}一个月后复查OCT，由{rel}{rn}负责提醒。",
        "{rn}（{pn}之{rel}）签署玻璃体腔注药知情同意书。",
        "据{pn}回忆，{rel}{rn}多年前也曾诊断为{epo_dz_zh}。",
        "今日{on}电话联系{pn}，告知复查结果。",
        "陪同就诊的{rel}{rn}反映{pn}近期常撞到门框。",
        "注药后由{on}观察30分钟，无不适。",
    ),
    ("en", "NAME_UNLABELLED"): (
        "{pfull} attended today with {her} {rel_en}, {rfirst}, who helps with the drops.",
        "{pfirst} reports that the floaters started about three weeks ago.",
        "I reviewed {pfull} in the medical retina clinic today.",
        "Spoke to {rfull} by phone; {pfirst} has been using the drops as prescribed.",
        "{plast} was counselled about {grade_en} and the need for regular monitoring.",
        "hi, this is {rlow} writing for my {parent_en} {plowfirst}, the eye is red again",
        "{pfirst} and {rfirst} both asked about driving after dilation.",
        "Consent was discussed with {pfull} and witnessed by {ofull}.",
        "Images were captured by {ofirst} on the {maker_en} camera.",
        "According to {rfirst}, {pfirst} has been bumping into door frames on the left.",
        "{pfull}'s {rel_en} {rfirst} will bring the old glasses to the next visit.",
        "Left a voicemail for {pfirst}; {rfull} called back at {time_en}.",
        "seen {plow} w/ {rel_en} today, anxious re injections.",
        "Post-injection check done by {ofull}, no pain, IOP normal.",
    ),
    ("zh", "CITY"): (
        "患者来自{zh_addr}，务农多年。",
        "自{zh_city}转诊至我院，外院诊断为{grade_zh}。",
        "现居{zh_neigh}，平时在{zh_city}打工。",
        "上月曾往{zh_city}探亲，途中出现{side_zh}视物遮挡。",
        "籍贯{zh_addr}。",
        "住址：{zh_village_addr}。",
        "由{zh_county}人民医院眼科转来。",
        "在{zh_city}某工地从事电焊工作十余年，未戴防护面罩。",
        "家住{zh_town_addr}，距最近的卫生院约二十公里。",
        "于{zh_city}首诊，后辗转多地求治。",
        "常住{zh_hk}，此次回内地就医。",
        "医保参保地为{zh_addr}，已办理异地就医备案。",
        "{zh_city}人，退休教师。",
        "患者在{zh_town_addr}经营小卖部，长期熬夜。",
    ),
    ("en", "CITY"): (
        "Lives alone in {city_en_r} and manages {her} own insulin.",
        "Referred by the optometrist in {city_en}.",
        "Originally from {city_en_r}; moved here after retiring.",
        "Works night shifts at a warehouse in {city_en} and drives home afterwards.",
        "Recently returned from visiting family in {city_en}.",
        "Transferred from {city_en} General Hospital for vitreoretinal review.",
        "Lives on a farm in {county_us}.",
        "{city_en} resident, retired bus driver.",
        "Lives in {sg_addr} and comes in by MRT.",
        "Moved from {hk_en} to {city_en} last year.",
        "Care home placement in {uk_borough} is being arranged.",
        "Will stay with {her} {rel_en} in {city_en} for a month; please forward results there.",
        "Lives in {county_us} and has a 90-minute drive to clinic.",
        "Born in {city_en}, {she} has lived in {city_en_r} for 40 years.",
    ),
    ("zh", "VEHICLE"): (
        "患者驾驶车牌号{plate_cn}的私家车来院，散瞳后嘱勿自行驾车。",
        "自述驾驶货车（{plate_cn}）时因{side_zh}视物遮挡发生剐蹭。",
        "停车场登记陪诊家属车辆{plate_nev}，已告知散瞳后由家属驾驶。",
        "出险车辆车架号{vin}，保险公司要求提供视力证明。",
        "持两地牌{plate_gz}，常年往返内地与{hk_zh}，需出具视力证明。",
        "外籍患者由领馆车辆{plate_ling}接送。",
        "由使馆车辆（{plate_shi}）送至门诊。",
        "网约车司机，车牌{plate_cn}，每日驾驶超过10小时。",
        "交警来函询问{plate_cn}号车驾驶人视力情况。",
        "{plate_nev}车主即患者本人，申请驾驶人体检。",
        "患者在{hk_zh}驾驶私家车（车牌{plate_hk}），夜间眩光明显。",
        "车辆识别代号{vin}已随体检表附上。",
        "其子开车（{plate_cn}）接送，{time_zh}到院。",
    ),
    ("en", "VEHICLE"): (
        "Drives a white Ford Transit, plate {plate_us}, for work.",
        "DVLA notified; vehicle registration {plate_uk}.",
        "Visitor parking validated for {plate_any} (lot B).",
        "VIN {vin} appears on the accident report that prompted this referral.",
        "{Her} car, {plate_ca_r}, was found parked across two bays.",
        "Security footage shows {plate_any} leaving the car park after the fall.",
        "Vehicle: 2014 Toyota Corolla, rego {plate_au}.",
        "Taxi {plate_sg}: fitness-to-drive assessment requested by the operator.",
        "The truck (VIN {vin}) is registered to {her} employer.",
        "Blue Badge holder; car reg {plate_uk}.",
        "{plate_us} was towed from the drop-off zone; reception has the notice.",
        "DMV form lists {us_st_plate} and requests a vision statement.",
        "{hk_region_en} plate {plate_hk}; {she} drives a minibus at night.",
    ),
    ("zh", "BIOMETRIC"): (
        "已采集右手食指指纹，模板编号{bio_fp}。",
        "门诊自助机人脸识别特征ID：{bio_face}。",
        "虹膜识别登记号{bio_iris}，用于病区门禁。",
        "掌静脉认证编号{bio_palm}已绑定诊间支付。",
        "声纹注册码{bio_voice}，用于电话随访身份核验。",
        "患者为研究所职工，视网膜扫描门禁ID {bio_retina}因散瞳暂无法识别。",
        "康复科步态分析系统生成特征编号{bio_gait}。",
        "刷脸签到记录face_id={bio_face}，{time_zh}。",
        "指纹比对通过，特征码{bio_fp}。",
        "知情同意书以指纹（{bio_fp}）代替签名。",
        "{bio_iris}为该患者虹膜模板索引，请勿外传。",
        "生物特征登记：{bio_any}（已获本人同意）。",
    ),
    ("en", "BIOMETRIC"): (
        "Fingerprint template {bio_fp} enrolled at the check-in kiosk.",
        "Face ID token {bio_face} is linked to the patient portal account.",
        "Iris code hash: {bio_iris}",
        "Palm vein scan {bio_palm} confirmed identity before the injection.",
        "Voiceprint reference {bio_voice} captured by the phone verification system.",
        "Retina-scan access badge {bio_retina} failed twice because of the dilated pupils.",
        "Gait signature {bio_gait} recorded in the falls clinic.",
        "Biometric consent signed; template ref {bio_any}.",
        "Thumbprint {bio_fp} accepted in lieu of a signature.",
        "Facial geometry record {bio_face} deleted at the patient's request.",
        "{bio_voice} (voice ID) flagged as a mismatch on the last call.",
    ),
    ("zh", "HANDLE"): (
        "患者微信号{wx}，已加入糖网随访群。",
        "可通过QQ {qq}联系其孙子。",
        "家属留言：有问题请加我微信{wx}。",
        "患者在微博{weibo}发布了术后照片。",
        "称在抖音号{douyin}上看到护眼偏方，自行停药一周。",
        "其女儿小红书号{xhs}，曾私信咨询注射事宜。",
        "患者长居{hk_zh}，WhatsApp用户名{wa}。",
        "外籍家属LINE ID：{line}。",
        "随访群昵称不便识别，请以微信号{wx}为准。",
        "QQ号{qq}为其子所用，已登记为紧急联系方式。",
        "{wx}为患者本人微信，复诊提醒已发送。",
        "患者儿子在Telegram（{tg}）上发来外院报告照片。",
    ),
    ("en", "HANDLE"): (
        "Prefers contact via WhatsApp (username {wa}).",
        "{Her} granddaughter messaged the clinic on Instagram from {ig}.",
        "Telegram: {tg}",
        "Posted about the injection on X as {xh}.",
        "The family shares updates on Facebook ({fb}).",
        "Skype ID for the interpreter call: {skype}",
        "Discord username {discord} (son) appears in the safeguarding note.",
        "LINE ID {line} is used by the Japanese-speaking interpreter.",
        "WeChat ID {wx} belongs to {her} daughter overseas.",
        "Weibo account {weibo_en} posted photos of the eye patch.",
        "{ig} tagged the clinic in a story after the appointment.",
        "Douyin account {douyin} and QQ {qq} listed as contacts by the family.",
    ),
    ("zh", "IP"): (
        "阅片终端IP：{ipv4}",
        "患者经互联网医院登录，来源IP {ipv4}。",
        "PACS服务器地址{ipv4}:{port}，眼底图像已归档。",
        "OCT设备网口IPv6地址{ipv6}。",
        "审计日志：{time_zh} 用户自{ipv4}查看该患者眼底照片。",
        "远程会诊连接[{ipv6}]:{port}，画面清晰。",
        "同一账号在{ipv4}和{ipv4}先后登录，已提醒信息科。",
        "链路本地地址{ipv6_ll}%{iface}，设备离线。",
        "眼底相机上传失败，目标主机{ipv4}无响应。",
        "VPN分配地址{ipv4}，请核查访问记录。",
        "{ipv4}于凌晨多次访问该病历。",
    ),
    ("en", "IP"): (
        "Portal login from {ipv4} at {time_en}.",
        "Audit: chart opened from workstation {ipv4}:{port}.",
        "The overnight upload from the {maker_en} to {ipv4} failed.",
        "Firewall flagged {ipv6} for repeated access to this record.",
        "Telehealth session established with [{ipv6}]:{port}.",
        "Link-local {ipv6_ll}%{iface} shown on the OCT network panel.",
        "Two sign-ins from {ipv4} and {ipv6} within five minutes.",
        "Remote access VPN address: {ipv4}",
        "IT report: source {ipv4} -> destination {ipv4}, DICOM push.",
        "x-forwarded-for: {ipv4}, {ipv4}",
        "{ipv4} accessed the record outside the care relationship.",
    ),
    ("zh", "ACCOUNT"): (
        "自费部分由其子银行卡{cn_card}代扣。",
        "退费请转至患者本人支付宝账号{alipay}。",
        "开户行：中国建设银行，账号{cn_card}。",
        "结算方式：银行卡支付，卡号{cn_card}。",
        "慈善援助款汇入其{bank_zh}账户{cn_acct}。",
        "支付宝{alipay}已绑定诊间支付。",
        "住院预交金账户{zy_acct}余额不足，请补缴。",
        "港币汇款账户{hk_acct}（汇丰）。",
        "{cn_card}为家属银行卡，仅用于退费。",
        "微信零钱提现失败，改为退至银行卡{cn_card}。",
        "担保人账户{cn_acct}，由其女儿签字确认。",
    ),
    ("en", "ACCOUNT"): (
        "Direct debit from checking account {us_acct}.",
        "Card on file: {card}",
        "Please reimburse to IBAN {iban}.",
        "Refund by BACS: sort code {sort}, account {uk_acct}.",
        "Pay to BSB {bsb}, account {au_acct}.",
        "Guarantor account {guar} is 60 days past due.",
        "Patient account number {pat_acct} shows a balance after insurance.",
        "Refund the co-pay to card {card}.",
        "Hospital account record {har} was merged in error.",
        "Statement for billing account {bill} enclosed.",
        "Refund to DBS account {sg_acct} at the patient's request.",
        "{us_acct} is the account the family asked us to debit.",
        "Alipay account {alipay} used to pay the overseas invoice.",
    ),
    ("zh", "HEALTH_PLAN"): (
        "医保卡号{yb_card}，本次门诊统筹支付。",
        "社保卡号：{sb_card}",
        "医保个人编号{yb_person}，参保类型为职工医保。",
        "新农合证号{xnh}，按比例报销。",
        "城乡居民医保参保号{cxjm}。",
        "商业保险保单号{policy_cn}（中国平安）。",
        "异地就医备案医保编码{yb_person}。",
        "惠民保保单号{policy_cn}，可申请二次报销。",
        "本次结算使用医保卡{yb_card}，个人账户支付部分已扣除。",
        "大病保险理赔：保单号{policy_cn}，被保险人医保编号{yb_person}。",
        "社会保障号码{sb_id}。",
        "{yb_card}为患者医保卡，已核验本人。",
    ),
    ("en", "HEALTH_PLAN"): (
        "Medicare MBI {mbi}",
        "Legacy HICN {hicn} appears on older claims.",
        "Medicaid ID {medicaid_r} verified at check-in.",
        "Medi-Cal BIC {medical}.",
        "BCBS member ID {bcbs}, group {group}.",
        "Aetna subscriber ID {aetna}.",
        "NHS number {nhs}",
        "CHI {chi} on the referral letter.",
        "Medicare card {au_medicare}, IRN 2.",
        "OHIP {ohip} checked at reception.",
        "UnitedHealthcare policy #{uhc}",
        "Cigna ID {cigna}; prior authorisation pending.",
        "{nhs} is the NHS number on the referral, please check it matches.",
        "Humana member {humana}, vision rider active.",
    ),
    ("zh", "AGE_OVER_89"): (
        "患者，{sex_zh}，{age}岁（{by}年出生），因{side_zh}视力下降就诊。",
        "出生于{by}年，今年{age}周岁，独居。",
        "高龄老人（{age_zhw}岁），生于{by_zhw}年。",
        "年龄{age}岁，{by}年生人，听力差，问诊由家属协助。",
        "{age}岁老人，{by}年出生，既往体健。",
        "已满{age}周岁，家属要求保守治疗。",
        "{by}年生，现年{age}岁，长期卧床。",
        "患者今年{age_zhw}岁，行动尚可。",
        "老人{by}年出生，耳背。",
        "年逾九旬（{age}岁），家属陪同。",
    ),
    ("en", "AGE_OVER_89"): (
        "{age}-year-old {man_woman} (born {by}) with {grade_en}.",
        "Age: {age} (year of birth {by})",
        "Aged {age_enw}, born in {by}, lives with {her} {rel_en}.",
        "{age} yo {mf}, b. {by}, referred for {lesion_en}.",
        "{She} turned {age} this spring and still reads large print.",
        "Born {by}, so now {age}; hearing aid in situ.",
        "A {age_enw}-year-old retired miner.",
        "At {age}, {she} still lives independently.",
        "Patient is {age} years of age (b. {by}).",
        "{age}y {mf}, year of birth {by} per the claim form.",
        "Born in {by_enw}, as {she} put it, and now {age}.",
    ),
    ("zh", "DEVICE"): (
        "眼底照相机（{cam_zh}）序列号{dev_sn}。",
        "OCT设备编号{dev_sn}，本次扫描信号强度8/10。",
        "植入人工晶状体UDI：{udi}",
        "图像由工作站{host}上传至PACS。",
        "设备MAC地址{mac}，已加入白名单。",
        "远程监测APP绑定手机IMEI {imei}。",
        "{humphrey}视野计资产编号{asset}。",
        "胰岛素泵序列号{pump}，注药前已确认工作正常。",
        "血糖仪SN：{glu_sn}。",
        "{host}（眼科OCT工作站）今日故障，改用备用机。",
        "动态血糖仪传感器序列号{cgm}。",
        "扫描数据来自{cam_zh}，序列号{dev_sn}，MAC {mac}。",
    ),
    ("en", "DEVICE"): (
        "Captured on {cam_en}, S/N {dev_sn}.",
        "OCT serial number {dev_sn}; signal strength 8/10.",
        "IOL UDI {udi}",
        "Images exported from workstation {host}.",
        "MAC {mac} is registered to the portable fundus camera.",
        "Home monitoring app paired with IMEI {imei}.",
        "{humphrey} field analyser asset tag {asset}.",
        "Insulin pump SN {pump} suspended for the procedure.",
        "CGM transmitter serial {cgm}.",
        "{host} crashed mid-scan; repeated on the backup unit.",
        "Scan uploaded from {host} ({mac}).",
        "Glucose meter serial {glu_sn} listed on the diabetes passport.",
    ),
    ("zh", "LICENSE"): (
        "驾驶证号{cn_dl}，申请C1驾照换证体检。",
        "驾驶证档案编号{cn_dl_file}，视力达标。",
        "医师资格证书编号{cn_qual}。",
        "检查医师执业证书编码{cn_prac}。",
        "护士执业证书编号{cn_nurse}，负责注药后观察。",
        "患者经营眼镜店，统一社会信用代码{uscc}。",
        "外籍会诊医师GMC注册号{gmc}。",
        "驾驶人{cn_dl}视力检查未达标，建议暂停驾驶。",
        "香港医务委员会注册编号{hk_mc}的医师参与远程会诊。",
        "{cn_prac}为签发医师执业证书编码。",
        "道路运输从业资格证号{cn_dl}，需年度视力复核。",
    ),
    ("en", "LICENSE"): (
        "Driving licence {uk_dl}: advised to inform the DVLA.",
        "{us_st_dl} on file; vision standard not met.",
        "Referring optometrist NPI {npi}.",
        "DEA {dea} on the controlled-drug script.",
        "GMC {gmc}",
        "GOC registration {goc}",
        "AHPRA {ahpra}",
        "Medical license {med_lic_r} verified.",
        "{ca_dl_r}: vision report completed.",
        "Holds a federal firearms licence, {ffl}.",
        "Business licence {biz} for the optical store.",
        "{au_dl_r} on the fitness-to-drive form.",
        "SMC registration {smc}",
        "{npi} is the billing provider NPI on the claim.",
    ),
}

_CLINICAL: dict[str, tuple[str, ...]] = {
    "zh": (
        "{side_cn}{va_zh}，{iop_zh}。",
        "眼底：视盘界清，{cd_zh}，后极部见{lesion_zh_pair}。",
        "OCT（{maker_zh}）：{side_cn}{cst_zh}，可见{lesion_zh}。",
        "诊断：{side_cn}{grade_zh}。",
        "处理：{side_zh}玻璃体腔注射{dose_zh}，术后抗生素滴眼液点眼。",
        "{time_zh}复方托吡卡胺散瞳后行{maker_zh}眼底照相，图像质量可。",
        "{amsler}表检查：{side_zh}中心区视物变形。",
        "{goldmann}压平眼压计测{iop_zh}。",
        "{humphrey}视野：{side_zh}上方弓形暗点，{md_zh}。",
        "生物测量：{side_cn}{axial_zh}。",
        "鉴别诊断：{epo_pair_zh}。",
        "{side_zh}未见{epo_spot_zh}，周边可见{lesion_zh}。",
        "{side_cn}{bruch_zh}破裂，伴{lesion_zh}。",
        "钝挫伤后{side_cn}{berlin_zh}，较前消退。",
        "{maker_zh}广角成像示周边部{lesion_zh}。",
        "复查：{side_cn}{cst_zh}，较前减少。",
        "用药：{drop_zh}。",
        "{snellen}视力表：{side_cn}{va_zh}。",
        "血糖控制欠佳，建议内分泌科就诊。",
    ),
    "en": (
        "{va_en} {side_en}, {iop_en}.",
        "Fundus: {cd_en}, scattered {lesion_en_pair} at the posterior pole.",
        "OCT ({maker_en}): {cst_en} {side_en} with {lesion_en}.",
        "Impression: {grade_en} {side_en}.",
        "Plan: intravitreal {dose_en} {side_en} today; review in 4 weeks.",
        "Dilated with {dil_en} at {time_en}.",
        "{amsler} grid: distortion reported {side_en}.",
        "{goldmann} applanation: {iop_en}.",
        "{humphrey} 24-2: superior arcuate defect {side_en}, {md_en}.",
        "Biometry: {axial_en} {side_en}.",
        "Differential: {epo_pair_en}.",
        "No {epo_spot_en} seen; {lesion_en} noted {side_en}.",
        "Break in {bruch_en} with {lesion_en} {side_en}.",
        "Blunt trauma last week; {berlin_en} {side_en} now resolving.",
        "Widefield ({maker_en}) shows peripheral {lesion_en}.",
        "{snellen} chart: {va_en} {side_en}, pinhole no better.",
        "Continue {drop_en} {side_en}.",
        "Glucose control remains poor; GP to review HbA1c.",
    ),
}

_HEADERS: dict[str, tuple[str, ...]] = {
    "zh": (
        "眼科门诊病历",
        "眼底照相报告",
        "出院小结（眼科）",
        "糖尿病视网膜病变筛查随访记录",
        "门诊医保结算单",
        "OCT检查报告单（{maker_zh}）",
        "视野检查报告",
        "眼科转诊单",
        "机动车驾驶人身体条件证明（眼科部分）",
        "互联网医院复诊记录 {time_zh}",
        "眼科住院病历 · 病程记录",
        "远程眼底阅片报告",
    ),
    "en": (
        "MEDICAL RETINA CLINIC - CLINIC LETTER",
        "Referral: Optometrist to Hospital Eye Service",
        "EHR ACCESS AUDIT EXTRACT",
        "Vision Claim Form (Section B: Patient and Coverage)",
        "DVLA Medical Enquiry - Vision",
        "DMV Report of Vision Examination",
        "Patient Portal Message",
        "Discharge Summary - Ophthalmology",
        "OCT Macula Report ({maker_en})",
        "Diabetic Eye Screening - Grading Outcome",
        "Eye Casualty Triage Note",
        "Insurance Pre-authorisation: Intravitreal Therapy",
    ),
}

_SUBHEADERS: dict[str, tuple[str, ...]] = {
    "zh": (
        "科室：眼底病专科　检查时间：{time_zh}",
        "就诊类型：复诊",
        "检查设备：{maker_zh}眼底照相机",
        "主诉：{side_zh}视物模糊",
        "结算类型：门诊慢特病",
    ),
    "en": (
        "Clinic time: {time_en}",
        "Priority: routine",
        "Re: follow-up after anti-VEGF",
        "Device: {maker_en}",
        "Section 2 - to be completed by the examining clinician",
    ),
}

_FOOTERS: dict[str, tuple[str, ...]] = {
    "zh": (
        "医师签名：________",
        "本报告仅供临床参考，请结合临床。",
        "下次随访：3个月后（如有视物变形随时就诊）",
        "审核时间：{time_zh}",
        "（以下空白）",
    ),
    "en": (
        "Yours sincerely,\nConsultant Ophthalmologist",
        "Electronically signed at {time_en}.",
        "cc: GP; community optometrist",
        "-- end of extract --",
        "This message was sent via the secure portal.",
    ),
}


# ---------------------------------------------------------------------------------------------
# assembly
# ---------------------------------------------------------------------------------------------

_SLOT_RE = re.compile(r"\{(\w+)\}")
_SENTENCE_END = ("。", ".", "！", "？", "!", "?", "）")
_BAD_EDGE = frozenset(" \t\r\n\u3000.,;:!?，。；：、！？")


def _render(ctx: _Ctx, lang: str, template: str) -> list[Piece]:
    ctx.lang = lang
    out: list[Piece] = []
    for i, part in enumerate(_SLOT_RE.split(template)):
        if i % 2 == 0:
            if part:
                out.append((part, "", ""))
        else:
            out.extend(_SLOTS[part](ctx))
    return out


def _n_phi(pieces: list[Piece]) -> int:
    return sum(1 for _, _, role in pieces if role == "P")


def _render_phi(ctx: _Ctx, lang: str, cat: str, budget: int) -> list[Piece] | None:
    templates = _TEMPLATES[(lang, cat)]
    for _ in range(40):
        pieces = _render(ctx, lang, ctx.rng.choice(templates))
        n = _n_phi(pieces)
        has_cat = any(kind == cat and role == "P" for _, kind, role in pieces)
        if has_cat and 1 <= n <= budget:
            return pieces
    return None


def _draw(rng: random.Random, deck: list[str]) -> str:
    if not deck:
        deck.extend(CATEGORIES)
        rng.shuffle(deck)
    return deck.pop()


def _ends_sentence(pieces: list[Piece]) -> bool:
    text, _, role = pieces[-1]
    return role == "" and text.endswith(_SENTENCE_END)


def _make_report(rng: random.Random, lang: str, deck: list[str]) -> Report:
    base = lang if lang != "mixed" else rng.choice(("zh", "en"))
    other = "en" if base == "zh" else "zh"
    ctx = _Ctx(rng, rng.randint(2019, 2025))

    k = rng.choices((2, 3, 4, 5), weights=(22, 36, 30, 12))[0]
    sentences: list[tuple[str, list[Piece]]] = []
    used = 0
    i = 0
    while i < k or used < 2:
        cat = _draw(rng, deck)
        s_lang = base
        if lang == "mixed" and (i == 0 or rng.random() < 0.25):
            s_lang = other
        budget = 6 - used - max(0, k - i - 1)
        pieces = _render_phi(ctx, s_lang, cat, max(budget, 1)) if budget >= 1 else None
        i += 1
        if pieces is None:
            deck.append(cat)
            if i > k + 20:
                break
            continue
        used += _n_phi(pieces)
        sentences.append((s_lang, pieces))

    items: list[tuple[str, list[Piece]]] = [
        (base, _render(ctx, base, template))
        for template in rng.sample(_CLINICAL[base], rng.randint(1, 4))
    ]
    if lang == "mixed" and (rng.random() < 0.5 or all(s[0] == base for s in sentences)):
        items.append((other, _render(ctx, other, rng.choice(_CLINICAL[other]))))
    items += sentences
    rng.shuffle(items)

    lines: list[list[Piece]] = [_render(ctx, base, rng.choice(_HEADERS[base]))]
    if rng.random() < 0.5:
        lines.append(_render(ctx, base, rng.choice(_SUBHEADERS[base])))
    body_start = len(lines)
    prev_lang = ""
    for item_lang, pieces in items:
        if (
            len(lines) > body_start
            and item_lang == prev_lang
            and rng.random() < 0.3
            and _ends_sentence(lines[-1])
        ):
            lines[-1] = lines[-1] + _t("" if item_lang == "zh" else " ") + pieces
        else:
            lines.append(pieces)
        prev_lang = item_lang
    lines.append(_render(ctx, base, rng.choice(_FOOTERS[base])))

    text_parts: list[str] = []
    phi: list[Span] = []
    keep: list[Span] = []
    values: list[str] = []
    pos = 0
    for n, line in enumerate(lines):
        if n:
            text_parts.append("\n")
            pos += 1
        for text, kind, role in line:
            if role == "P":
                phi.append(Span(kind, pos, pos + len(text)))
                values.append(text)
            elif role == "K":
                keep.append(Span(kind, pos, pos + len(text)))
            text_parts.append(text)
            pos += len(text)
    report = Report(lang, "".join(text_parts), tuple(phi), tuple(keep))
    _check(report, values)
    return report


def _check(report: Report, values: list[str]) -> None:
    text = report.text
    for span, value in zip(report.phi, values, strict=True):
        if span.kind not in CATEGORIES:
            raise ValueError(f"unknown PHI kind {span.kind}")
        if text[span.start : span.end] != value:
            raise ValueError(f"span {span} does not hold {value!r}")
    spans = sorted(report.phi + report.keep, key=lambda s: (s.start, s.end))
    for span in spans:
        value = text[span.start : span.end]
        if span.end <= span.start:
            raise ValueError(f"empty span {span}")
        if value[0] in _BAD_EDGE or value[-1] in _BAD_EDGE:
            raise ValueError(f"padded span {span}: {value!r}")
    for a, b in itertools.pairwise(spans):
        if b.start < a.end:
            raise ValueError(f"overlapping spans {a} and {b}")
    for span in report.keep:
        if span.kind not in KEEP_KINDS:
            raise ValueError(f"unknown keep kind {span.kind}")
    if not 2 <= len(report.phi) <= 6:
        raise ValueError(f"{len(report.phi)} PHI spans in one report")
    if not 3 <= len(text.split("\n")) <= 15:
        raise ValueError("report must have 3-15 lines")


def _language_plan(count: int, rng: random.Random) -> list[str]:
    n_mixed = round(count * 0.15)
    n_zh = (count - n_mixed + 1) // 2
    n_en = count - n_mixed - n_zh
    langs = ["mixed"] * n_mixed + ["zh"] * n_zh + ["en"] * n_en
    rng.shuffle(langs)
    return langs


def generate_reports(count: int, seed: int) -> list[Report]:
    """``count`` synthetic reports; the same ``seed`` always gives the same reports."""
    rng = random.Random(seed)
    decks: dict[str, list[str]] = {lang: [] for lang in LANGS}
    return [_make_report(rng, lang, decks[lang]) for lang in _language_plan(count, rng)]
