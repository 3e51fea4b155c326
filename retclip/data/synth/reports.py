"""Clinical fundus reports in Chinese or English, written from the eyes' findings, with noise.

A report is assembled from segments; PHI segments are recorded as typed character spans of the
final string (the cleaner's ground truth), and noise is applied only to the text between them so
the offsets stay exact.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

import numpy as np

from retclip.data.synth import phi
from retclip.data.synth.findings import EyeFindings

HTML_REMNANTS = ("<br>", "<br/>", "&nbsp;", "<p>", "</p>", "<b>", "</b>", "&amp;", "<div>")
FULL_WIDTH = {",": "，", ":": "：", "(": "（", ")": "）", ";": "；", ".": "．", "!": "！"}
HALF_WIDTH = {"，": ",", "：": ":", "（": "(", "）": ")", "；": ";", "。": "."}
EN_TYPOS = {
    "haemorrhages": "heamorrhages",
    "hemorrhages": "hemorrages",
    "microaneurysms": "microaneurisms",
    "exudates": "exudats",
    "retinopathy": "retinopahty",
    "peripapillary": "peripapilary",
    "neuroretinal": "neuroretinl",
    "tessellated": "tesselated",
    "arteriolar": "arterolar",
}
ZH_TYPOS = {
    "黄斑": "黄班",
    "渗出": "渗处",
    "视网膜": "视网莫",
    "玻璃膜疣": "玻璃膜优",
    "出血": "出雪",
}


@dataclass
class Report:
    """Report text and the PHI spans inside it (type, start, end) in code points."""

    text: str
    spans: list[dict] = field(default_factory=list)


class _Builder:
    """Concatenates text and PHI segments, noising only the text."""

    def __init__(self, rng: np.random.Generator, lang: str, noise: float):
        self.rng, self.lang, self.noise = rng, lang, noise
        self.parts: list[str] = []
        self.spans: list[dict] = []
        self.length = 0

    def text(self, value: str) -> None:
        value = self._noisy(value)
        self.parts.append(value)
        self.length += len(value)

    def phi(self, kind: str, value: str) -> None:
        self.spans.append({"type": kind, "start": self.length, "end": self.length + len(value)})
        self.parts.append(value)
        self.length += len(value)

    def line(self, *segments: tuple[str, str] | str) -> None:
        """One line: plain strings are text, ``(TYPE, value)`` pairs are PHI."""
        for segment in segments:
            if isinstance(segment, tuple):
                self.phi(*segment)
            else:
                self.text(segment)
        self.text(self._line_end())

    def build(self) -> Report:
        return Report("".join(self.parts).strip("\n") + "\n", self.spans)

    def _line_end(self) -> str:
        roll = self.rng.random()
        if roll < 0.12 * self.noise:
            return f"{HTML_REMNANTS[int(self.rng.integers(0, 2))]}\n"
        if roll < 0.2 * self.noise:
            return "  \n\n"
        return "\n"

    def _noisy(self, value: str) -> str:
        rng, noise = self.rng, self.noise
        if not value or noise <= 0:
            return value
        typos = ZH_TYPOS if self.lang == "zh" else EN_TYPOS
        for right, wrong in typos.items():
            if right in value and rng.random() < 0.15 * noise:
                value = value.replace(right, wrong, 1)
        swap = FULL_WIDTH if self.lang == "en" else HALF_WIDTH
        if rng.random() < 0.3 * noise:
            value = "".join(swap.get(c, c) if rng.random() < 0.5 else c for c in value)
        if rng.random() < 0.08 * noise:
            value = value.replace(" ", "  ", 1) if " " in value else value + "&nbsp;"
        if rng.random() < 0.05 * noise and value[-1:] in "。.，,":
            value += value[-1]
        if rng.random() < 0.05 * noise:
            value = HTML_REMNANTS[int(rng.integers(len(HTML_REMNANTS)))] + value
        return value


def _pick(rng: np.random.Generator, options):
    return options[int(rng.integers(len(options)))]


# --- findings and impressions, per language -------------------------------------------------


def _zh_findings(rng: np.random.Generator, f: EyeFindings) -> str:
    parts = []
    if f.cataract >= 0.6:
        parts.append(_pick(rng, ("屈光间质混浊，眼底窥视欠清", "晶状体混浊，眼底模糊")))
    if f.glaucoma == 2:
        parts.append(f"视盘界清，杯盘比扩大，C/D约{f.cdr:.1f}，盘沿变窄")
    elif f.glaucoma == 1:
        parts.append(f"视盘色淡红，{_pick(rng, ('杯盘比', 'C/D', '杯盘比（C/D）'))}约{f.cdr:.1f}")
    else:
        parts.append(f"视盘边界清，色淡红，{_pick(rng, ('杯盘比', 'C/D'))}约{f.cdr:.1f}")
    if f.myopia >= 0.4:
        parts.append("豹纹状眼底，视盘颞侧可见弧形斑")
    if f.hypertensive:
        parts.append("视网膜动脉变细，反光增强，可见动静脉交叉压迫征")
    dr = {
        1: "视网膜可见散在微血管瘤",
        2: "视网膜可见微血管瘤、点片状出血及硬性渗出",
        3: "四个象限均可见大量视网膜出血，静脉串珠样改变，可见棉絮斑",
        4: "可见视网膜新生血管，伴视网膜出血及硬性渗出",
    }.get(f.dr_grade)
    if dr:
        parts.append(dr)
    if f.amd == 1:
        parts.append("黄斑区可见多个玻璃膜疣")
    elif f.amd == 2:
        parts.append("黄斑区地图样萎缩伴色素紊乱")
    if not (dr or f.amd or f.hypertensive):
        parts.append(_pick(rng, ("视网膜平伏，未见明显出血及渗出", "视网膜未见明显出血、渗出")))
    if not f.amd:
        parts.append(_pick(rng, ("黄斑中心凹反光可见", "黄斑区未见明显异常")))
    return "，".join(parts) + "。"


def _zh_diagnoses(rng: np.random.Generator, f: EyeFindings) -> list[str]:
    out = []
    if f.dr_grade:
        stage = ("轻度非增殖期", "中度非增殖期", "重度非增殖期", "增殖期")[f.dr_grade - 1]
        name = _pick(rng, ("糖尿病视网膜病变", "糖网", "糖尿病性视网膜病变"))
        abbrev = "PDR" if f.dr_grade == 4 else "NPDR"
        out.append(_pick(rng, (f"{name}（{stage}）", f"{name}{stage}", f"{stage}{abbrev}")))
    if f.glaucoma == 2:
        out.append(_pick(rng, ("青光眼", "青光眼性视神经病变")))
    elif f.glaucoma == 1:
        out.append("可疑青光眼")
    if f.amd:
        out.append(
            _pick(rng, ("年龄相关性黄斑变性", "AMD")) + ("（早期）" if f.amd == 1 else "（晚期）")
        )
    if f.cataract >= 0.3:
        out.append("白内障")
    if f.myopia >= 0.4:
        out.append(_pick(rng, ("高度近视眼底改变", "病理性近视")))
    if f.hypertensive:
        out.append("高血压性视网膜病变")
    return out


def _en_findings(rng: np.random.Generator, f: EyeFindings) -> str:
    parts = []
    if f.cataract >= 0.6:
        parts.append(_pick(rng, ("Media opacity, hazy view", "Poor view due to lens opacity")))
    cd = _pick(rng, ("C/D", "CDR", "cup-to-disc ratio"))
    if f.glaucoma == 2:
        parts.append(f"Disc: {cd} {f.cdr:.1f}, thinning of the neuroretinal rim")
    else:
        parts.append(f"Disc: pink, sharp margins, {cd} {f.cdr:.1f}")
    if f.myopia >= 0.4:
        parts.append("tessellated fundus with temporal peripapillary atrophy")
    if f.hypertensive:
        parts.append("arteriolar narrowing with AV nicking and copper wiring")
    dr = {
        1: "scattered microaneurysms",
        2: _pick(
            rng,
            (
                "microaneurysms, dot-blot haemorrhages and hard exudates",
                "MAs, dot and blot hemorrhages, hard exudates (HE)",
            ),
        ),
        3: "extensive haemorrhages in 4 quadrants, venous beading, cotton wool spots",
        4: _pick(
            rng,
            (
                "neovascularisation (NVD/NVE) with haemorrhages and exudates",
                "new vessels elsewhere, retinal hemorrhages",
            ),
        ),
    }.get(f.dr_grade)
    if dr:
        parts.append(dr)
    if f.amd == 1:
        parts.append("multiple soft drusen at the macula")
    elif f.amd == 2:
        parts.append("geographic atrophy of the macula with pigment clumping")
    if not (dr or f.amd or f.hypertensive):
        parts.append(
            _pick(rng, ("retina flat, no haemorrhages or exudates", "vessels and retina normal"))
        )
    if not f.amd:
        parts.append(_pick(rng, ("macula: normal foveal reflex", "macula unremarkable")))
    text = ", ".join(parts)
    return text[0].upper() + text[1:] + "."


def _en_diagnoses(rng: np.random.Generator, f: EyeFindings) -> list[str]:
    out = []
    if f.dr_grade:
        out.append(
            _pick(
                rng,
                (
                    ("Mild NPDR", "Moderate NPDR", "Severe NPDR", "PDR")[f.dr_grade - 1],
                    (
                        "Mild non-proliferative diabetic retinopathy",
                        "Moderate non-proliferative DR",
                        "Severe non-proliferative DR",
                        "Proliferative diabetic retinopathy",
                    )[f.dr_grade - 1],
                ),
            )
        )
    if f.glaucoma == 2:
        out.append(_pick(rng, ("Glaucomatous optic neuropathy", "Glaucoma")))
    elif f.glaucoma == 1:
        out.append("Glaucoma suspect")
    if f.amd:
        out.append("Early AMD (drusen)" if f.amd == 1 else "Late AMD, geographic atrophy")
    if f.cataract >= 0.3:
        out.append("Cataract")
    if f.myopia >= 0.4:
        out.append("Pathological myopia")
    if f.hypertensive:
        out.append("Hypertensive retinopathy")
    return out


SITE_NAMES = {
    "eastlake": ("东湖医院", "Eastlake Hospital"),
    "riverside": ("江滨眼科诊所", "Riverside Eye Clinic"),
    "hillview": ("山景眼科中心", "Hillview Eye Centre"),
}


@dataclass(frozen=True)
class Visit:
    """Who was examined, when and where: the facts a report header carries."""

    lang: str
    name: str
    sex: str
    age: int
    exam_date: date
    site: str


def write_report(
    rng: np.random.Generator,
    visit: Visit,
    left: EyeFindings | None,
    right: EyeFindings | None,
    noise: float,
) -> tuple[Report, str]:
    """Write one report; returns it and its laterality style (per_eye, both_eyes, none)."""
    b = _Builder(rng, visit.lang, noise)
    if visit.lang == "zh":
        style = _zh_report(rng, b, visit, left, right)
    else:
        style = _en_report(rng, b, visit, left, right)
    return b.build(), style


def _style(rng: np.random.Generator, left, right) -> str:
    if left is None or right is None:
        return "per_eye"
    roll = rng.random()
    if roll < 0.12:
        return "none"  # the reference's mode: no laterality markers at all
    if left == right or (roll < 0.3 and left.labels == right.labels):
        return "both_eyes"
    return "per_eye"


def _dominant(left: EyeFindings, right: EyeFindings) -> EyeFindings:
    """The eye a report without laterality describes: the sicker one."""

    def burden(f: EyeFindings) -> float:
        return f.dr_grade + f.glaucoma + f.amd + f.cataract + f.myopia + f.hypertensive

    return left if burden(left) > burden(right) else right


def _age_segment(age: int) -> tuple[str, str] | str:
    return ("AGE", str(age)) if age > 89 else str(age)


def _zh_report(rng, b: _Builder, visit: Visit, left, right) -> str:
    b.line(f"{SITE_NAMES[visit.site][0]} 眼底彩色照相检查报告单")
    label, mrn = phi.record_number(rng, "zh")
    sex = "男" if visit.sex == "M" else "女"
    b.line(
        _pick(rng, ("姓名：", "患者：", "患者姓名：")),
        ("NAME", visit.name),
        f"　性别：{sex}　年龄：",
        _age_segment(visit.age),
        f"岁　{label}：",
        ("MRN", mrn),
    )
    birth = date(
        visit.exam_date.year - visit.age, 1 + int(rng.integers(12)), 1 + int(rng.integers(28))
    )
    if rng.random() < 0.5:
        b.line("身份证号：", ("ID", phi.chinese_id(rng, birth)))
    if rng.random() < 0.7:
        b.line(_pick(rng, ("联系电话：", "电话：", "手机：")), ("PHONE", phi.phone(rng, "zh")))
    if rng.random() < 0.4:
        b.line(_pick(rng, ("住址：", "家庭住址：")), ("ADDRESS", phi.address(rng, "zh")))
    b.line(
        "检查日期：",
        ("DATE", phi.format_date(rng, visit.exam_date, "zh")),
        "　检查设备：免散瞳眼底照相机",
    )
    if rng.random() < 0.3:
        b.line(
            f"视力：右眼 {_pick(rng, ('0.8', '1.0', '0.5', '0.3'))}，"
            f"左眼 {_pick(rng, ('0.8', '1.0', '0.6', '0.4'))}"
            f"　眼压：{int(rng.integers(12, 30))}mmHg"
        )
    b.line("检查所见：")
    style = _style(rng, left, right)
    eyes = (("右眼", "OD", right), ("左眼", "OS", left))
    if style == "none":
        b.line("眼底：", _zh_findings(rng, _dominant(left, right)))
    elif style == "both_eyes":
        b.line(
            _pick(rng, ("双眼：", "OU：", "双眼（OU）：")),
            _zh_findings(rng, _dominant(left, right)),
        )
    else:
        marker = int(rng.integers(3))
        for zh, latin, f in eyes:
            tag = (f"{zh}：", f"{latin}：", f"{zh}（{latin}）：")[marker]
            b.line(tag, _zh_findings(rng, f) if f is not None else "未拍摄。")
    b.line("诊断：", _zh_impression(rng, style, left, right))
    b.line(
        "建议：",
        _pick(
            rng,
            ("定期复查。", "眼科门诊随诊。", "建议转诊眼底病专科。", "控制血糖血压，3个月后复查。"),
        ),
    )
    b.line(
        _pick(rng, ("报告医师：", "检查者：", "医师：")),
        ("NAME", phi.zh_name(rng)),
        "　报告日期：",
        ("DATE", phi.format_date(rng, visit.exam_date, "zh")),
    )
    if rng.random() < 0.6:
        b.line("本报告仅供临床参考，不作为诊断证明。")
    if rng.random() < 0.3:
        b.line("报告查询：", ("URL", phi.url(rng)))
    if rng.random() < 0.15:
        b.line("患者邮箱：", ("EMAIL", phi.email(rng, "")))
    return style


def _zh_impression(rng, style: str, left, right) -> str:
    def join(items: list[str]) -> str:
        return "；".join(items) if items else "眼底未见明显异常"

    if style == "per_eye":
        parts = []
        for zh, f in (("右眼", right), ("左眼", left)):
            if f is not None:
                parts.append(f"{zh}{join(_zh_diagnoses(rng, f))}")
        return "。".join(parts) + "。"
    prefix = "双眼" if style == "both_eyes" else ""
    return prefix + join(_zh_diagnoses(rng, _dominant(left, right))) + "。"


def _en_report(rng, b: _Builder, visit: Visit, left, right) -> str:
    b.line(f"{SITE_NAMES[visit.site][1]} - Fundus Photography Report")
    label, mrn = phi.record_number(rng, "en")
    b.line(
        _pick(rng, ("Name: ", "Patient: ", "Patient name: ")),
        ("NAME", visit.name),
        f"   Sex: {visit.sex}   Age: ",
        _age_segment(visit.age),
        f"   {label}: ",
        ("MRN", mrn),
    )
    birth = date(
        visit.exam_date.year - visit.age, 1 + int(rng.integers(12)), 1 + int(rng.integers(28))
    )
    if rng.random() < 0.4:
        b.line("DOB: ", ("DATE", phi.format_date(rng, birth, "en")))
    if rng.random() < 0.6:
        b.line(_pick(rng, ("Phone: ", "Tel: ", "Contact: ")), ("PHONE", phi.phone(rng, "en")))
    if rng.random() < 0.4:
        b.line("Address: ", ("ADDRESS", phi.address(rng, "en")))
    b.line(
        "Exam date: ",
        ("DATE", phi.format_date(rng, visit.exam_date, "en")),
        "   Camera: non-mydriatic fundus camera, 45 degrees",
    )
    if rng.random() < 0.3:
        b.line(
            f"VA: OD 20/{_pick(rng, ('20', '25', '40', '60'))}, "
            f"OS 20/{_pick(rng, ('20', '30', '40', '80'))}."
            f" IOP {int(rng.integers(12, 30))} mmHg OU."
        )
    b.line("Findings:")
    style = _style(rng, left, right)
    if style == "none":
        b.line("Fundus: ", _en_findings(rng, _dominant(left, right)))
    elif style == "both_eyes":
        b.line(_pick(rng, ("OU: ", "Both eyes: ")), _en_findings(rng, _dominant(left, right)))
    else:
        marker = int(rng.integers(3))
        for word, latin, f in (("Right eye", "OD", right), ("Left eye", "OS", left)):
            tag = (f"{word}: ", f"{latin}: ", f"{latin} ({word.lower()}): ")[marker]
            b.line(tag, _en_findings(rng, f) if f is not None else "not photographed.")
    b.line(
        _pick(rng, ("Impression: ", "Diagnosis: ", "IMPRESSION: ")),
        _en_impression(rng, style, left, right),
    )
    b.line(
        "Recommendation: ",
        _pick(
            rng,
            (
                "routine follow-up in 12 months.",
                "refer to retina clinic.",
                "repeat imaging in 3 months.",
                "optimise glycaemic control.",
            ),
        ),
    )
    b.line(
        "Electronically signed by Dr. ",
        ("NAME", phi.en_name(rng)),
        ", ",
        ("DATE", phi.format_date(rng, visit.exam_date, "en")),
    )
    if rng.random() < 0.6:
        b.line("CONFIDENTIAL: this report is intended for the referring clinician only.")
    if rng.random() < 0.3:
        b.line("View online: ", ("URL", phi.url(rng)))
    if rng.random() < 0.15:
        b.line("Patient e-mail: ", ("EMAIL", phi.email(rng, visit.name)))
    return style


def _en_impression(rng, style: str, left, right) -> str:
    def join(items: list[str]) -> str:
        return "; ".join(items) if items else "No abnormality detected"

    if style == "per_eye":
        parts = [
            f"{latin}: {join(_en_diagnoses(rng, f))}"
            for latin, f in (("OD", right), ("OS", left))
            if f is not None
        ]
        return ". ".join(parts) + "."
    suffix = " OU" if style == "both_eyes" else ""
    return join(_en_diagnoses(rng, _dominant(left, right))) + suffix + "."


def garble(rng: np.random.Generator, text: str) -> str:
    """Mojibake or line noise, as a broken export or a wrong code page leaves a report."""
    if rng.random() < 0.5:
        return text.encode("utf-8").decode("latin-1")
    alphabet = "@#$%^&*~|\\/<>{}[]\ufffd\x07"
    return "".join(
        alphabet[int(rng.integers(len(alphabet)))] for _ in range(int(rng.integers(20, 200)))
    )
