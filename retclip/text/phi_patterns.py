"""Regular expressions for protected health information in Chinese and English reports.

Kept apart from the detector (``phi.py``) so the patterns can be read and reviewed as a list.
They run on the output of :func:`retclip.text.normalize.align`: full-width punctuation is already
ASCII, markup is filler (``\\x00``), and offsets are those of the original report.

Speed: every pattern starts with one literal or character class, so Python's ``re`` can skip
the characters that cannot start a match; a condition on the character before a match is a
look-behind placed after that first character (``\\d(?<![\\d.]\\d)``: a digit not preceded by a
digit or a point). Case variants are spelled out for the same reason.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from retclip.text.trie import trie_pattern


def words(text: str) -> frozenset[str]:
    """A set of words written as one string: long word lists read better that way."""
    return frozenset(text.split())


CJK = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
CJK_CHAR = re.compile(rf"[{CJK}]")
GAP = r"[ \t\x00]*"

# --- names ----------------------------------------------------------------------------------

ZH_SURNAMES = frozenset(
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏"
    "魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵"
    "万钱严覃武戴莫孔向汤常温康施文牛樊葛邢安齐易乔伍庞颜倪庄聂章鲁岳翟殷詹申欧耿关兰焦俞左柳甘"
    "祝包宁尚符舒阮柯纪梅童凌毕单季裴霍涂成苗谷盛曲翁冉骆蓝路游辛靳管柴蒙鲍华喻祁蒲房滕屈饶解牟"
    "艾尤阳时穆农司卓古吉缪简车项连芦麦褚娄窦戚岑景党宫费卜冷晏席卫米柏宗瞿桂全佟应臧闵苟邬边卞"
    "姬师仇栾隋商刁沙荣巫寇桑郎甄丛仲虞敖巩明佘池查麻苑迟邝官封谈匡鞠惠荆乐冀郁胥南班储原栗燕楚"
    "鄢劳谌奚皮粟冼蔺楼满闻位厉伊仝郜海阚花权强帅屠豆朴盖练廉禹井祖漆巴丰支卿国狄平计索宣晋相初"
    "门云容敬来扈晁芮都普阙浦戈伏鹿薄邸雍辜羊阿乌母裘亓修邰赫杭况那宿鲜印逯隆茹诸战慕危玉银亢嵇"
)
ZH_COMPOUND_SURNAMES = words(
    "欧阳 司马 上官 诸葛 东方 皇甫 尉迟 公孙 慕容 长孙 宇文 司徒 夏侯 令狐 轩辕 端木 独孤 "
    "南宫 西门 澹台 公冶 宗政 濮阳 淳于 单于 太叔 申屠 公羊 仲孙 闻人 呼延 万俟 赫连 钟离 "
    "鲜于 闾丘 司空 亓官 司寇 子车 颛孙 巫马 公西 漆雕 乐正 公良 拓跋 夹谷 宰父 谷梁 段干 "
    "百里 东郭 南门 羊舌 微生 梁丘 左丘 东门 第五"
)
# Characters that end a Chinese name written without a separator ("患者：王明右眼..."): sex, age,
# laterality, common report verbs and clinical characters that are rare in given names.
ZH_NAME_STOPS = frozenset(
    "男女性别年龄岁右左双眼视诉因主述患病史号电话住址身份证检查日期医师科院的于在自无有否及和与伴"
    "血压糖尿网膜底盘斑出渗肿炎症状模糊下降痛既往现今曾已经来复诊"
)
ZH_NAME_RUN = re.compile(rf"[{CJK}·]{{1,12}}")
ZH_SPACED_NAME = re.compile(rf"[{CJK}][ \x00]{{1,3}}[{CJK}]{{1,2}}(?![{CJK}])")
# "[，,、 ]{1,2}" written so that the pattern starts with a class, which the scan can skip to
ZH_SEX_AFTER_NAME = re.compile(r"[，,、 ][，,、 ]?[男女](?:[，,、 性(（]|$)")

# Proper names that are clinical, not personal: eponyms of diseases, signs and instruments, and
# the makers of ophthalmic devices ("IOP by Goldmann", "海德堡眼底照相"). No name or place
# detector takes them.
CLINICAL_PROPER_NAMES = words(
    "Stargardt Coats Best Vogt Koyanagi Harada Behçet Behcet Goldmann Humphrey Snellen Amsler "
    "Bruch Bruch's Leber Eales Purtscher Terson Sjogren Sjögren Graves Marfan Stickler Usher "
    "Roth Elschnig Siegrist Kayser Fleischer Krukenberg Schlemm Tenon Descemet Bowman Müller "
    "Muller Henle Fuchs Horner Adie Argyll Marcus Gunn Hutchinson Hollenhorst "
    "Weiss Watzke Ishihara Farnsworth Jaeger Bjerrum Seidel Schirmer Zeis Moll Meibomian "
    "Topcon Zeiss Optos Canon Nidek Spectralis Cirrus Optovue Icare Tono Perkins Haag Streit "
    "Heidelberg Kowa Tomey Reichert Keeler Volk Ocular Centervue Eidon Clarus Triton Maestro "
    "Moorfields Wills Bascom Palmer Kellogg Wilmer Casey Lucentis Eylea Avastin "
    "Ozurdex Vabysmo Beovu Iluvien Xalatan Lumigan Cosopt Alphagan Azopt Trusopt "
    "海德堡 欧堡 蔡司 拓普康 佳能 尼德克 科林 视微 图湃 莫廷 法里奥 雷珠 康柏西普 阿柏西普"
)

# Capitalised words that follow a name in a header or a signature and are not part of it.
NAME_STOPWORDS = words(
    """sex age aged gender dob mrn id date hospital phone tel contact address exam male female
    m f od os ou right left both eye eyes fundus findings impression diagnosis report retina
    retinal clinic centre center department dept ophthalmology camera the this patient name
    signed on at in and of for with from to no yes normal mild moderate severe grade stage visit
    accession record medical unit room bed referred reported reviewed electronically
    confidential email e-mail mobile fax hx pmh va iop bcva md phd frcs mbbs optometrist
    ophthalmologist technician consultant physician doctor nurse dr mr mrs ms prof"""
)
# A capitalised word of a name: "ROSE", "J.", "Anne-Marie", "O'Neil", "McDonald", "Súilleabháin",
# "al-Rashid"; Latin letters with diacritics included.
_UP, _LOW = "A-ZÀ-ÖØ-Þ", "a-zß-öø-ÿ"
_NAME_PREFIX = "(?:al|el|bin|ibn|ben|abu)-"
NAME_WORD = (
    rf"(?:{_NAME_PREFIX})?(?:[{_UP}]{{2,}}(?:['\u2019-][{_UP}]+)*(?![{_LOW}])|[{_UP}]\."
    rf"|[{_UP}][{_LOW}]*(?:[{_UP}][{_LOW}]+)*(?:['\u2019-][{_UP}{_LOW}][{_LOW}]*(?:[{_UP}][{_LOW}]+)*)*)"
)
_PARTICLE = (
    r"(?:van|von|de|del|della|da|di|du|la|le|bin|ibn|al|el|der|den|ter|dos|das|des|ap|ab|af"
    r"|ní|nic|ó|St\.|ST\.|Ste\.)"
)
NAME_EN_FIRST = re.compile(rf"(?:{_PARTICLE} ){{0,2}}{NAME_WORD}")
NAME_EN_WORD = re.compile(rf"(?:[ \x00]{{1,2}}(?:{_PARTICLE} ){{0,2}})?{NAME_WORD}")
NAME_EN_BEFORE = re.compile(
    rf"{NAME_WORD}(?:[ \x00]{{1,2}}(?:{_PARTICLE} ){{0,2}}{NAME_WORD}){{0,3}}$"
)
AGE_IN_SEX = re.compile(r"\d+")
EN_SEX_AFTER_NAME = re.compile(
    r",[ ]?(?:\d{1,3} ?(?:M|F|yo|y/o|-year-old)\b|(?:male|female|Male|Female|M|F)\b)"
)
# One scan per first letter, each led by its literal (a scan led by a class of letters tests every
# character); no title starts inside another's match, so together they find what one scan would.
TITLES = tuple(
    re.compile(rf"(?:{titles})\.?{GAP}(?=[{_UP}]|{_PARTICLE} |{_NAME_PREFIX})")
    for titles in ("Dr", "Mrs|Mr|Ms|Miss|Mx", "Prof|Professor")
)
# The name under a letter's closing, on one of the next lines: "Yours sincerely,\n\nJane Doe".
SIGN_OFF = re.compile(
    r"(?:Yours (?:sincerely|faithfully|truly)|(?:Kind|Best|Warm|With best) regards|Regards"
    r"|Sincerely|With (?:best|kind) wishes),?[ \t\x00]*(?:\n[ \t\x00]*){1,6}"
    r"(?:(?:Dr|Prof|Professor|Mr|Mrs|Ms|Miss)\.?[ ]+)?"
)
SIGN_OFF_WORDS = ("incerely", "aithfully", "truly", "egards", "ishes")

# --- labels that announce a value ------------------------------------------------------------

_ZH_LABELS = {
    "NAME": "患者姓名 病人姓名 姓名 报告医师 检查医师 审核医师 诊断医师 主治医师 住院医师 申请医师 "
    "送检医师 转诊医师 医师 医生 检查者 报告者 审核者 记录者 操作者 技师 签名 签字 联系人 "
    "审核人 审核 复核人 复核 核对者 核对人 核对 主诊医生 主诊医师 申请医生 转诊医生 会诊医生 "
    "会诊医师 阅片医师 阅片 拍片 摄片 拍摄者 录入者 录入 签发医师 签发 报告人 检查人 紧急联系人 "
    "陪同人 陪同者 姓_名 病_人 患_者 "
    "家属 病人 患者 就诊人 受检者 家长 监护人 父亲 母亲 配偶 丈夫 妻子 儿子 女儿 老伴 爱人 "
    "孙子 孙女 外孙 外孙女 侄子 侄女 外甥 外甥女 哥哥 姐姐 弟弟 妹妹 女婿 儿媳 长子 长女",
    "MRN": "病历号 病案号 门诊号 住院号 检查号 登记号 影像号 档案号 就诊卡号 就诊号 卡号 流水号 "
    "申请单号 条码号 病人ID 患者ID ID号 编号 住院号码 门诊号码 病历号码 门诊ID 住院ID 就诊ID "
    "检查单号 影像ID",
    "ID": "身份证号码 身份证号 身份证 证件号码 证件号 护照号码 护照号 护照 医保卡号 社保卡号 "
    "医保号 社会保障卡号 新农合证号 港澳通行证 台胞证 公民身份号码 居民身份证",
    "PHONE": "联系电话 电话号码 电话 手机号码 手机号 手机 联系方式 座机 传真",
    "DATE": "出生日期 出生年月 出生年份 出生年 生日 检查日期 报告日期 就诊日期 入院日期 出院日期 "
    "随访日期 日期",
    "ADDRESS": "家庭住址 现住址 住址 通讯地址 联系地址 居住地址 居住地 户籍地址 地址 邮编 邮政编码",
    "AGE": "年龄 年_龄",
}
_EN_LABELS = {
    "NAME": (
        "patient name",
        "patient's name",
        "patient",
        "pt",
        "pt name",
        "pt. name",
        "name",
        "surname",
        "last name",
        "family name",
        "forename",
        "forenames",
        "first name",
        "given name",
        "given names",
        "middle name",
        "grader",
        "graded by",
        "referrer",
        "referring optometrist",
        "reporting ophthalmologist",
        "reporting clinician",
        "reporting doctor",
        "dictated but not checked by",
        "approved by",
        "authorised by",
        "authorized by",
        "checked by",
        "reviewed by",
        "dear",
        "gp",
        "ref. dr",
        "ref dr",
        "ref. doctor",
        "physician",
        "examiner",
        "examined by",
        "signed by",
        "reported by",
        "read by",
        "referred by",
        "referring physician",
        "referring doctor",
        "referring clinician",
        "technician",
        "photographer",
        "operator",
        "attending",
        "consultant",
        "ophthalmologist",
        "optometrist",
        "reviewer",
        "verified by",
        "dictated by",
        "transcribed by",
        "seen by",
        "contact person",
        "next of kin",
        "emergency contact",
        "guardian",
        "spouse",
        "father",
        "mother",
    ),
    "MRN": (
        "mrn",
        "medical record",
        "record",
        "hospital",
        "hosp.",
        "hosp",
        "admission",
        "case",
        "chart",
        "visit",
        "episode",
        "encounter",
        "order",
        "ur",
        "k number",
        "k no.",
        "med rec",
        "unit",
        "acc",
        "acc.",
        "accession",
        "patient id",
        "study id",
        "study accession",
        "exam id",
        "exam",
        "pid",
        "rn",
        "id",
    ),
    "ID": (
        "national id",
        "nric",
        "hkid",
        "hk id",
        "hk id card",
        "aadhaar",
        "medicare",
        "medicaid",
        "health card",
        "member id",
        "policy",
        "subscriber",
        "prc id",
        "ins. id",
        "ins id",
        "nhs",
        "id card",
        "id card no.",
        "ssn",
        "social security",
        "passport",
        "insurance no.",
        "insurance number",
        "insurance id",
    ),
    "PHONE": (
        "telephone",
        "tel",
        "phone",
        "phone no.",
        "phone number",
        "mobile",
        "cell",
        "fax",
        "contact",
        "contact number",
        "contact no.",
    ),
    "DATE": (
        "dob",
        "yob",
        "year of birth",
        "birth year",
        "d.o.b.",
        "d.o.b",
        "date of birth",
        "birth date",
        "exam date",
        "date of exam",
        "visit date",
        "report date",
        "date",
    ),
    "ADDRESS": ("home address", "address", "addr"),
    "AGE": ("age", "aged", "age/sex", "age/gender"),
}
# Labels that are also ordinary words: a value follows them only after a colon.
NEED_COLON = words(
    "pt id name physician technician photographer operator attending consultant ophthalmologist "
    "optometrist reviewer guardian spouse father mother contact cell tel date case chart fin chi "
    "rn ur k acc acc. order episode encounter unit visit subscriber policy medicare exam"
)


_ACRONYMS = frozenset({"id", "mrn", "dob", "ssn", "pid", "hk", "ur", "k"})


def _case_forms(phrase: str) -> set[str]:
    """The spellings a label takes in a header: "Patient name", "Patient Name", "PATIENT NAME",
    "Patient ID" (lower-case labels mid-sentence are ``LOWER_LABELS`` and
    ``LOWER_CASE_LABEL``); spelling them out keeps the scan to upper-case letters."""
    forms = {phrase.capitalize(), phrase.title(), phrase.upper()}
    return forms | {
        " ".join(w.upper() if w.lower() in _ACRONYMS else w for w in form.split(" "))
        for form in forms
    }


# Labels also written in lower case mid-sentence ("passport E42452189", "a man, age 99"): a scan
# of their own, run only on a report that holds one of them.
LOWER_LABELS = {
    "passport": "ID",
    "passport no.": "ID",
    "age": "AGE",
    "aged": "AGE",
    "accession": "MRN",
    "mrn": "MRN",
    "dob": "DATE",
    "yob": "DATE",
}
_LOWER_AGE = re.compile(" age[ ,:]").search  # led by a space, a literal: a fast pass


def lower_label_gate(text: str) -> bool:
    """Whether ``text`` holds a lower-case label (" age ", " age,", " age:", "passport", ...)."""
    return bool(
        _LOWER_AGE(text)
        or "passport" in text
        or "accession" in text
        or "mrn" in text
        or "dob" in text
        or "yob" in text
    )


def _label_table() -> dict[str, str]:
    table = {}
    for kind, labels in _ZH_LABELS.items():
        # "_" stands for the space of a spaced-out label ("姓 名")
        table.update(dict.fromkeys((label.replace("_", " ") for label in labels.split()), kind))
    for kind, phrases in _EN_LABELS.items():
        for phrase in phrases:
            table.update(dict.fromkeys(_case_forms(phrase), kind))
    table.update(dict.fromkeys(("FIN", "CHI"), "ID"))  # acronyms that are also word starts
    table.update(LOWER_LABELS)
    return table


LABEL_KINDS = _label_table()
# "Medicare number:", "CHI No. -": a number word between a label and its colon
_LABEL_END = (
    rf"(?:{GAP}[(（][^()（）\n]{{1,30}}[)）])?"  # "Name (Surname, Given):", "证件号（护照）"
    rf"(?:{GAP}(?P<number>[Nn]o\.?|NO\.?|[Nn]umber|NUMBER)(?![A-Za-z]))?"
    rf"(?P<colon>{GAP}(?:#[ ]?)?(?:[:：]|-(?= ))|{GAP}#)?{GAP}(?:\n{GAP})?"
)
_LABEL_WORDS = [k for k in LABEL_KINDS if k not in LOWER_LABELS]
LABEL = re.compile(f"(?P<label>{trie_pattern(_LABEL_WORDS)}){_LABEL_END}")
ASCII_LABEL = re.compile(
    f"(?P<label>{trie_pattern([k for k in _LABEL_WORDS if k.isascii()])}){_LABEL_END}"
)
"""The labels an ASCII text can hold: faster there than ``LABEL`` (a plain bitmap of first letters,
a quarter of the alternatives to try at each)."""
LOWER_LABEL = re.compile(f"(?P<label>{trie_pattern(list(LOWER_LABELS))}){_LABEL_END}")
# A name after "by" or after a person ("the patient, Joseph Williams", "a woman, Faith Hill").
LOWER_CASE_LABEL = re.compile(
    trie_pattern(list(words("patient by woman man lady gentleman female male boy girl")))
    + r"(?:,|[ ]?[:：]|[ ]-)?[ \t\x00]+(?=[A-Z])"
)
# A relative's name ("accompanied by her son Tomasz"): a scan only where a relative is named.
RELATIVES = words(
    """son daughter wife husband grandson granddaughter niece nephew brother sister partner
    carer caregiver friend neighbour neighbor cousin uncle aunt"""
)
# led by a space, a literal: one fast pass instead of forty ``in`` tests
RELATIVE_GATE = re.compile(rf" (?:{trie_pattern(list(RELATIVES))})[ ,]").search
RELATIVE_LABEL = re.compile(trie_pattern(list(RELATIVES)) + r",?[ \t\x00]+(?=[A-Z])")
# A surname and a title ("经李主任会诊", "由王明医生"): the name of a colleague in the text.
ZH_TITLED_SURNAME = re.compile(
    rf"[经由请与和及向找约](?P<name>[{''.join(sorted(ZH_SURNAMES))}][{CJK}]{{0,2}}?)"
    r"(?=主任|教授|医生|医师|大夫|院长|护士长)"
)

# --- values after a label ----------------------------------------------------------------------

# Record and ID numbers may be written in groups ("RX 00 48 29", "G 1234 5678"): a group after a
# space must begin with a digit (or two letters and a digit), so the words after a value stay.
_GROUPS = r"(?: (?=[A-Za-z]{0,2}\d)[A-Za-z0-9-]+){0,5}"
_NO = r"(?:No\.?[ ]?|#[ ]?)?"  # "No.5644848", "#1932571"
MRN_VALUE = re.compile(
    rf"{_NO}(?=[A-Za-z0-9 -]{{0,8}}\d)[A-Za-z0-9][A-Za-z0-9/.-]{{0,30}}{_GROUPS}(?: ?\([0-9A-Z]\))?"
)
ID_VALUE = re.compile(
    rf"{_NO}(?=[A-Za-z0-9 -]{{0,6}}\d)[A-Za-z0-9][A-Za-z0-9-]{{0,24}}{_GROUPS}(?: ?\([0-9A-Z]\))?"
)
PHONE_VALUE = re.compile(r"\+?[\d(][\d ().-]{5,22}\d")
# After a date label, a year alone is taken too ("DOB 1931", "出生日期：1931年").
DATE_VALUE = re.compile(
    r"\d{1,4}(?:[ ./-]{1,2}|[ ]?[年月日][ ]?)\d{1,2}(?:[ ./-]{1,2}|[ ]?[年月][ ]?)\d{1,4}[ ]?日?"
    r"|(?:18|19|20)\d{2}(?![\d.])[ ]?年?"
)
ZH_AGE_WORDS = r"九十[一二三四五六七八九]?|一百[零一二三四五六七八九十]{0,3}"
EN_UNITS = "one|two|three|four|five|six|seven|eight|nine"
EN_AGE_WORDS = rf"(?i:(?:ninety|(?:(?:one|a) )?hundred(?: and)?)(?:[- ](?:{EN_UNITS}))?)"
AGE_VALUE = re.compile(rf"(?:9\d|1[0-4]\d)(?!\d|\.\d)|{ZH_AGE_WORDS}|{EN_AGE_WORDS}\b")
ADDRESS_VALUE = re.compile(
    r"[^\n]+?(?=[ \t\x00]{2,}|[ \t\x00]+[^\s:：\d]{1,20}[:：]|[ \t\x00]*(?:\n|$)|[。！？])"  # noqa: RUF001
)
"""An address after its label: up to the next field (two spaces, a label), the line's end or a
Chinese sentence's end (no address holds a "。"; the findings that follow on the line do)."""

# --- values that need no label -------------------------------------------------------------------

_MONTH_NAMES = words(
    "january february march april may june july august september october november december sept"
)
# Capitalised and upper-case months, full and short ("April", "APR"); any case after a day.
_MONTH_FORMS = [
    form
    for name in _MONTH_NAMES
    for stem in (name, name[:3])
    for form in (stem.title(), stem.upper())
]
MONTH = f"(?:{trie_pattern(_MONTH_FORMS)})"
_MONTH_ANY_CASE = (
    r"(?i:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?"
    r"|sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)"
)
_MONTH_INITIALS = "".join(sorted({name[0] for name in _MONTH_NAMES}))
_DAY = r"(?:0?[1-9]|[12]\d|3[01])(?:st|nd|rd|th)?"
_YEAR = r"(?:19|20)\d{2}"
_ZH_DIGIT = "〇零一二三四五六七八九十"


@dataclass(frozen=True)
class Detector:
    """One pattern for one PHI type. ``gate`` (when given) is a cheap test of the whole text
    that lets the pattern run at all; ``check`` (when given) accepts or rejects each match;
    ``prefix`` (when given) extends a match to the left ("MR" + "76298580")."""

    type: str
    pattern: str
    gate: Callable[[str], object] | None = None
    check: Callable[[re.Match[str]], bool] | None = None
    prefix: re.Pattern[str] | None = None


def _contains(*needles: str) -> Callable[[str], bool]:
    if len(needles) == 1:
        needle = needles[0]
        return lambda text: needle in text
    return lambda text: any(map(text.__contains__, needles))


def _found(pattern: str) -> Callable[[str], object]:
    """A gate that searches for a pattern; begun with a literal (and a look-behind for what
    comes before it) the search is a fast skip over the text, quicker than several ``in``."""
    return re.compile(pattern).search


def _age_over_89(m: re.Match[str]) -> bool:
    return 90 <= int(m.group()) <= 149


def _not_after_word(m: re.Match[str]) -> bool:
    before = m.string[m.start() - 1 : m.start()]
    return not (before.isalnum() or before == "_")


_STOP = r"[^\s\x00<>\"'，。；、（）" + CJK + r"]"
# Town, state and postcode after a street or a PO box: ", Springfield, IL 62704",
# ", Sydney NSW 2000", ", London SW1A 2AA".
# An address goes on over line breaks to a line of place names ("Hong Kong"), never a heading.
_NEXT_LINE = (
    r",?\n(?=[A-Z][A-Za-z.]*(?: [A-Z][A-Za-z.]*){0,3},?(?:[ \t\x00]*(?:\n|$|\x00)|  ))"
    r"(?!(?i:impression|diagnos|findings|history|plan|assessment|comment|conclusion|recommend))"
)
_ADDRESS_TAIL = (
    rf"(?:(?:, ?|{_NEXT_LINE})[A-Z][A-Za-z.]*\b(?: [A-Z][A-Za-z.]*\b){{0,3}}){{0,3}}"
    r"(?:,? [A-Z]{2,3}\b)?"
    r"(?:,? \d{4,5}(?:-\d{4})?(?!\d)|,? [A-Z]{1,2}\d[A-Z\d]? \d[A-Z]{2}\b)?"
)
# The flat, floor, block or building before a street address or on its own: "Flat 4B, 12th Floor",
# "Room 1203, Block B".
_UNIT = (
    r"(?:(?:Flat|FLAT|Apt|APT|Apartment|Unit|UNIT|Suite|Ste|Room|Rm|RM|Level|Lvl|Floor|Fl"
    r"|Block|Blk|BLK|Tower|Building|Bldg)\.? ?#?[A-Z0-9][A-Za-z0-9-]{0,5}"
    r"|\d{1,3}(?:st|nd|rd|th)? ?(?:Floor|FLOOR|Fl\.|/F))\b"
)
UNIT_WORDS = words(
    "Flat FLAT Apt APT Apartment Unit UNIT Suite Room Rm RM Level Lvl Floor FLOOR Fl. /F Block "
    "Blk BLK Tower Building Bldg"
)
UNITS_BEFORE = re.compile(rf"{_UNIT}(?:,?[ \n]{_UNIT}){{0,3}},?[ \n]$")
_STREET = (
    r"(?:Street|St|Avenue|Ave|Road|Rd|Boulevard|Blvd|Lane|Ln|Drive|Dr|Court|Ct|Way|Place|Pl"
    r"|Terrace|Ter|Circle|Cir|Highway|Hwy|Parkway|Pkwy|Square|Sq)"
)

# Values that begin with a digit. Each pattern begins with "\d" and a look-behind on the
# character before it; ``re`` moves the shared "\d" out of the alternation, so one scan over the
# digits of a report tries them all. Earlier patterns win where two start at the same digit.
NUMBER_LED = (
    Detector(
        "ADDRESS",
        rf"\d(?<![\w.]\d)\d{{0,5}} (?:[A-Z][A-Za-z'.-]* |\d{{1,3}}(?:st|nd|rd|th) ){{1,4}}"
        rf"{_STREET}\b\.?"
        r"(?: (?:N|S|E|W|NE|NW|SE|SW|North|South|East|West)\b)?"
        r"(?:,? ?(?:Apt|Apartment|Suite|Ste|Unit|Flat|Room|Rm|#)\.? ?[A-Za-z0-9-]+)?"
        + _ADDRESS_TAIL,
    ),
    Detector(
        "ID",
        r"\d(?<=[1-9])(?<![0-9A-Za-z]\d)\d{5}[ -]?(?:18|19|20)\d{2}[ -]?(?:0[1-9]|1[0-2])"
        r"(?:0[1-9]|[12]\d|3[01])[ -]?\d{3}[\dXx](?![0-9A-Za-z])",
    ),
    Detector("PHONE", r"\d(?<=1)(?<![\d.]\d)[3-9]\d(?:[ -]?\d{4}){2}(?!\d|\.\d)"),
    Detector("PHONE", r"\d(?<=0)(?<![\d.]\d)\d{2,3}[ -]?\d{3,4}[ -]?\d{4}(?!\d|\.\d)"),
    Detector(
        "PHONE",
        r"\d(?<![\d.]\d)(?:\d\d[ .-]|[ .-](?:\(\d{3}\)[ .-]?|\d{3}[ .-]))\d{3}[ .-]\d{4}"
        r"(?!\d|\.\d)",
    ),
    Detector(
        "DATE",
        r"\d(?<=[12])(?<![\d.]\d)(?:(?<=1)9|(?<=2)0)\d{2}"
        r"(?:(?P<ymd>[-/.])(?:0?[1-9]|1[0-2])(?P=ymd)(?:0?[1-9]|[12]\d|3[01])"
        r"|[ ]?年[ ]?(?:0?[1-9]|1[0-2])[ ]?月(?:[ ]?(?:0?[1-9]|[12]\d|3[01])[ ]?[日号])?"
        r"|[-/.](?:0[1-9]|1[0-2])(?![\d./-]))(?!\d)",
    ),
    Detector("DATE", r"\d(?<![\d./]\d)\d?(?P<dmy>[/.-])\d\d?(?P=dmy)(?:19|20)?\d\d(?![\d/]|\.\d)"),
    Detector("DATE", r"\d(?<!\d\d)\d?(?:[ ]?年[ ]?\d\d?)?[ ]?月[ ]?\d\d?[ ]?[日号]"),
    Detector(
        "DATE",
        rf"\d(?<![\w.]\d)\d?(?:st|nd|rd|th)?(?: of)?[ -]?"
        # a month starts with one of these letters in any case: tested once, not per month
        rf"(?=(?i:[{_MONTH_INITIALS}]))"
        rf"(?:{_MONTH_ANY_CASE}\.?,?(?:[ -]?{_YEAR}|-\d\d)(?!\d)|{MONTH}(?![a-z]))",
    ),
    Detector("ID", r"\d(?<![\d-]\d)\d\d(?P<ssn>[- ])\d\d(?P=ssn)\d{4}(?![\d-])"),
    Detector(
        "AGE",
        r"\d(?<![\d.]\d)\d\d?(?=[ ]?(?:岁|周岁|-?years?\b|-?yrs?\b|[- ]?y/?o\b|y\.o\.|[Yy]\b))",
        check=_age_over_89,
    ),
    Detector("MRN", r"\d(?<![\d.,/-]\d)\d{6,}(?!\d|\.\d)"),
    Detector(
        "MRN",
        r"\d(?:(?<=[A-Z]\d)|(?<=[A-Z]-\d))\d{5,}(?!\d|\.\d)",
        prefix=re.compile(r"(?<![A-Za-z0-9])[A-Z]{1,4}-?$"),
    ),
)
# None of them starts right after an ASCII digit: the scan tests that once per digit, not once
# per pattern (most digits are inside a number). No pattern may have a "|" at its top level: the
# empty group that ends it names the match.
_NUMBER_PATTERNS = "|".join(f"{d.pattern[2:]}(?P<n{i}>)" for i, d in enumerate(NUMBER_LED))
NUMBER_SCAN = re.compile(rf"\d(?<![0-9]\d)(?:{_NUMBER_PATTERNS})")
ASCII_NUMBER_SCAN = re.compile(rf"[0-9](?<![0-9]\d)(?:{_NUMBER_PATTERNS})")
"""For ASCII text, where ``\\d`` is ``[0-9]``: a class of plain characters is tested with a bitmap,
a Unicode category by a lookup per character."""

# Values that begin otherwise; each is its own scan, skipped when its gate says it cannot occur.
OTHER = (
    Detector(
        "EMAIL",
        r"[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}",
        _contains("@"),
    ),
    Detector("URL", rf"www\.{_STOP}+", _contains("www.")),
    Detector(
        "DATE",
        rf"[{_ZH_DIGIT}]{{4}}[ ]?年[ ]?[{_ZH_DIGIT}]{{1,2}}[ ]?月"
        rf"(?:[ ]?[{_ZH_DIGIT}]{{1,3}}[ ]?[日号])?",
        _found(rf"年(?:(?<=[{_ZH_DIGIT}]年)|(?<=[{_ZH_DIGIT}] 年))"),
    ),
    Detector(
        "DATE",
        rf"{MONTH}\.?(?: {_DAY},? {_YEAR}(?!\d)|,? {_YEAR}(?!\d)"
        r"|(?<!OCT)(?<!OCT\.) (?:0?[1-9]|[12]\d|3[01])(?:st|nd|rd|th)?(?![\d.:/])"
        r"(?! ?(?:mm|mg|ml|%|D\b|[x×])))",
        check=_not_after_word,
    ),
    Detector("AGE", r"(?<=aged )\d\d\d?(?!\d)", _contains("aged "), _age_over_89),
    Detector(
        "AGE",
        rf"{EN_AGE_WORDS}\b"
        r"(?![- ](?i:burns|spots|shots|degrees|microns|letters|times|percent|mg|ml|um|μm))",
        _contains("inety", "undred", "INETY", "UNDRED"),
    ),
    Detector("AGE", rf"(?:{ZH_AGE_WORDS})(?=周?岁)", _contains("九十", "一百")),
    Detector("ADDRESS", r"[Pp]\.? ?[Oo]\.? (?:Box|BOX|box) \d+" + _ADDRESS_TAIL, _contains("ox ")),
    Detector(
        "ADDRESS",
        rf"{_UNIT}(?:,?[ \n]{_UNIT})+"
        rf"(?:(?:, |{_NEXT_LINE})[A-Z][\w'.-]*(?: [A-Z][\w'.-]*){{0,3}}){{0,5}}",
        _found(trie_pattern(list(UNIT_WORDS))),
    ),
)
OTHER_SCANS = tuple((detector, re.compile(detector.pattern)) for detector in OTHER)

# Anchors that are grown to the left over the characters of the value: much cheaper than trying
# a long prefix at every character. Chinese addresses end in a road and house number or a city
# and district; web addresses have "://" after their scheme, or end in a known top-level domain.
# Each anchor comes with the characters it grows over, up to a reach, as a pattern matched on
# the reversed text from where the anchor starts: reading backwards costs the length of the
# value, where searching a window for a pattern that ends at the anchor costs its square.
_ZH_UNIT = (
    rf"[{CJK}A-Za-z]{{0,8}}?[ ]?(?:\d+|[A-Z])[ ]?(?:号楼|号院|栋|幢|座|单元|层|楼|室|号|户|房)"
)
# Each anchor comes with the words one of which a report must hold for the anchor to be tried.
ZH_ADDRESS_ANCHORS = (
    (
        re.compile(
            rf"(?:路|街|大道|巷|弄|胡同|道)[ ]?\d+(?:-\d+)?[ ]?号院?"
            rf"(?:{_ZH_UNIT}|[ ]?\d+(?=[ ]*[,，。；;\n]))*"
        ),
        re.compile(rf"[{CJK}]{{1,20}}"),
        ("号",),
    ),
    (
        re.compile(
            r"(?:号楼(?:(?<=\d号楼)|(?<=\d 号楼))|[栋幢](?:(?<=\d[栋幢])|(?<=\d [栋幢])))"
            rf"(?:{_ZH_UNIT})*(?:[ ]?\d+(?!\d))?"
        ),
        re.compile(rf"[ ]?\d[{CJK}A-Za-z0-9]{{0,24}}"),
        ("号楼", "栋", "幢"),
    ),
    (re.compile(rf"市[{CJK}]{{1,6}}?[区县]"), re.compile(rf"[{CJK}]{{1,8}}"), ("市",)),
)
# An e-mail address with its "@" or its dots written out ("li[at]eye.cn", "li (at) eye dot com",
# "li#eye.cn", "li@eye[dot]cn"): from the "at" to the last label of the domain, grown left over
# the local part. Spelt-out dots need a letters-only last label; "#" needs real dots.
_DOT = r"(?:\.|[ ]?(?:\[dot\]|\(dot\)|\{dot\}|\[\.\])[ ]?| dot | DOT )"
# "at]", "@)", "dot]", "[.]" are found from their closing bracket, led by a literal (a fast pass)
_AT_BEFORE_BRACKET = re.compile(r"\](?:(?<=at\])|(?<=@\])|(?<=dot\])|(?<=\[\.\]))").search
_AT_BEFORE_PARENTHESIS = re.compile(r"\)(?:(?<=at\))|(?<=@\))|(?<=dot\)))").search


def email_at_gate(text: str) -> bool:
    """Whether ``text`` may hold an e-mail address with its "@" or dots written out ("at]",
    "at)", "at}", "at>", "@]", "@)", "dot]", "dot)", "[.]", " dot ", " DOT ")."""
    return bool(
        ("]" in text and _AT_BEFORE_BRACKET(text))
        or (")" in text and _AT_BEFORE_PARENTHESIS(text))
        or "at}" in text
        or "at>" in text
        or " dot " in text
        or " DOT " in text
    )


EMAIL_AT_ANCHOR = (
    re.compile(
        r"(?:[\[({<](?:at|@)[\])}>][ ]?|(?<= )(?:at|AT) (?=[\w-]+ (?:dot|DOT) )|@)"
        rf"[A-Za-z0-9-]+(?:{_DOT}[A-Za-z0-9-]+)*{_DOT}[A-Za-z]{{2,10}}(?![A-Za-z0-9-])"
    ),
    re.compile(r"[ ]?[A-Za-z0-9._%+-]{1,64}"),
)
# "li#eye.cn": a "#" for the "@", right after the local part
EMAIL_HASH_ANCHOR = (
    re.compile(r"#(?<=[A-Za-z0-9_]#)[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,10}(?![\w-])"),
    re.compile(r"[A-Za-z0-9._%+-]{1,64}"),
)
# A postcode ends many addresses ("Cambridge CB2 1EP", "Fitzroy VIC 3065", "BC K0U 3K9",
# "Savannah GA 31471", ", 13561 Berlin", "Beijing 100020"): the lines before it that read as
# address lines are the rest of the address. The scans find the part after the space or the line
# break, each led by that one literal character (a scan led by a character class tests every
# character, several times slower); the part before it is read backwards (POSTCODE_HEADS).
_WHOLE_POSTCODE = r"\d(?:\d{3} [A-Z]{2} [A-Z][a-z]+|\d{4} [A-Z][a-zäöüß]+)\b"
POSTCODE_TAILS = (
    re.compile(
        rf" (?=\d)(?:(?<=, ){_WHOLE_POSTCODE}"
        r"|(?:(?<=\b[A-Z]\d )|(?<=\b[A-Z]\d\w )|(?<=\b[A-Z]{2}\d )|(?<=\b[A-Z]{2}\d\w ))"
        r"(?P<uk>\d[A-Z]{2})\b"
        r"|(?<=\b[A-Z]\d[A-Z] )(?P<ca>\d[A-Z]\d)\b"
        r"|(?<=\b[A-Z]{2} )(?P<us>\d{5}(?:-\d{4})?)\b"
        r"|(?:(?<=\b(?:NSW|VIC|QLD|TAS|ACT) )|(?<=\b(?:WA|SA|NT) ))(?P<au>\d{4})\b"
        r"|(?<=[a-z] )(?P<cn>\d{6})\b)"
    ),
    re.compile(rf"\n{_WHOLE_POSTCODE}"),
)
POSTCODE_HEADS = {
    "uk": re.compile(r"(?<![\w])[A-Z]{1,2}\d[A-Z\d]?$"),
    "ca": re.compile(r"(?<![\w])[A-Z]\d[A-Z]$"),
    "us": re.compile(r"(?<![\w])[A-Z]{2}$"),
    "au": re.compile(r"(?<![\w])(?:NSW|VIC|QLD|WA|SA|TAS|ACT|NT)$"),
    "cn": re.compile(r"(?:(?<=, )|(?<=\n))[A-Z][a-z]{2,20}$"),
}
ADDRESS_LINE = re.compile(r"[A-Z0-9#][\w'.,#/ -]{0,70}$")
ADDRESS_STOP = re.compile(r".*(?:[:|;\t\x00]|  )[ ]*")
ADDRESS_LABEL = re.compile(r"(?i:addr(?:ess)?|residence|home)[^:|;\n]{0,12}[:：][ ]*")
SCHEME_ANCHOR = (re.compile(rf"://{_STOP}+"), re.compile(r"[A-Za-z]{1,8}"))
DOMAIN_ANCHOR = (
    re.compile(
        r"\.(?:com|cn|org|net|edu|gov|io|info|hk|tw|uk|us)(?![A-Za-z0-9-])"
        r"(?:/[^\s\x00<>\"'，。；、（）]*)?"
    ),
    re.compile(r"[A-Za-z0-9.-]{1,60}"),
)
