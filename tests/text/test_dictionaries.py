"""Dictionaries: term rewriting per language, boilerplate lines, extra files from params."""

from __future__ import annotations

import pytest

from retclip.config import CleanReportsParams
from retclip.text.boilerplate import BoilerplateFilter
from retclip.text.clean import clean_report
from retclip.text.dictionaries import DictionaryError, load_dictionaries
from retclip.text.terms import TermRewriter


@pytest.fixture(scope="module")
def built_in():
    return load_dictionaries(())


@pytest.mark.parametrize(
    ("lang", "text", "expected"),
    [
        ("zh", "诊断：双眼糖网。", "诊断：双眼糖尿病视网膜病变。"),
        (
            "zh",
            "右眼中度非增殖期NPDR，左眼增殖期PDR",
            "右眼中度非增殖期糖尿病视网膜病变，左眼增殖期糖尿病视网膜病变",
        ),
        ("zh", "杯盘比（C/D）约0.5，C/D约0.3，CDR0.4", "杯盘比约0.5，杯盘比约0.3，杯盘比0.4"),
        ("zh", "黄班区出雪，玻璃膜优", "黄斑区出血，玻璃膜疣"),
        ("zh", "糖尿病性视网膜病变；AMD（早期）", "糖尿病视网膜病变；年龄相关性黄斑变性（早期）"),
        (
            "en",
            "Mild NPDR; PDR; DR; DME; AMD; RVO; CRAO",
            "Mild non-proliferative diabetic retinopathy; proliferative diabetic retinopathy; "
            "diabetic retinopathy; diabetic macular edema; age-related macular degeneration; "
            "retinal vein occlusion; central retinal artery occlusion",
        ),
        ("en", "C/D 0.5, CDR 0.4", "cup-to-disc ratio 0.5, cup-to-disc ratio 0.4"),
        (
            "en",
            "Microaneurisms, heamorrhages and Haemorrhages",
            "Microaneurysms, hemorrhages and Hemorrhages",
        ),
        ("en", "hard exudates (HE), AV nicking", "hard exudates, arteriovenous nicking"),
        ("en", "Dr. [NAME]; [DR]; XDR; DRS; ODR", "Dr. [NAME]; [DR]; XDR; DRS; ODR"),
    ],
)
def test_terms_are_rewritten_to_one_canonical_form(built_in, lang, text, expected):
    assert built_in.rewriters[lang](text) == expected


def test_mixed_reports_expand_a_term_in_the_language_beside_it(built_in):
    text = "右眼DME。OD: DME."
    assert built_in.rewriters["mixed"](text) == "右眼糖尿病黄斑水肿。OD: diabetic macular edema."


def test_a_rewrite_reads_no_further_than_its_line_except_beside_chinese(built_in):
    text = "OD: DME\nCDR 0.5 OS\nDME\n\n糖网\nOD: DME"
    for lang in ("en", "zh"):
        rewrite = built_in.rewriters[lang]
        by_line = "\n".join(rewrite(line) for line in text.split("\n"))
        assert rewrite(text) == by_line
        assert rewrite(text) == by_line  # a second time, from the lines remembered
    # in a mixed report the script beside a key is looked for across the line break
    assert built_in.rewriters["mixed"]("右眼\nDME") == "右眼\n糖尿病黄斑水肿"


def test_longest_key_wins_and_chains_resolve():
    rewrite = TermRewriter({"ab": "x", "abc": "y", "typo": "variant", "variant": "canonical"})
    assert rewrite("abc ab typo") == "y x canonical"


@pytest.mark.parametrize(
    "line",
    [
        "东湖医院 眼底彩色照相检查报告单",
        "Eastlake Hospital - Fundus Photography Report",
        "姓名：[NAME] 性别：女 年龄：63岁 门诊号：[MRN]",
        "Patient name: [NAME] Sex: M Age: 20 Hospital No.: [MRN]",
        "检查日期：[DATE] 检查设备：免散瞳眼底照相机",
        "Exam date: [DATE] Camera: non-mydriatic fundus camera, 45 degrees",
        "报告医师：[NAME] 报告日期：[DATE]",
        "Electronically signed by Dr. [NAME], [DATE]",
        "本报告仅供临床参考，不作为诊断证明。",
        "CONFIDENTIAL: this report is intended for the referring clinician only.",
        "View online: [URL]",
        "检查所见：",
        "Findings:",
    ],
)
def test_boilerplate_lines_are_dropped(built_in, line):
    assert built_in.boilerplate(f"{line}\n右眼：视盘边界清。") == "右眼：视盘边界清。"


@pytest.mark.parametrize(
    "line",
    [
        "右眼：视盘边界清，杯盘比0.3。",
        "Impression: Glaucoma suspect OU.",
        "Recommendation: refer to retina clinic.",
        "视力：右眼 0.8，左眼 0.6 眼压：21mmHg",
        "患者：右眼视物模糊3年。",
        "[DATE] 复查，视盘水肿消退。",
    ],
)
def test_clinical_lines_are_kept(built_in, line):
    assert built_in.boilerplate(line) == line


def test_an_extra_dictionary_adds_and_overrides_entries(tmp_path):
    extra = tmp_path / "site.yaml"
    extra.write_text(
        "lang: en\n"
        "abbreviations:\n  DR: diabetic eye disease\n  VH: vitreous hemorrhage\n"
        "boilerplate:\n  - '^SiteSystem export'\n",
        encoding="utf-8",
    )
    params = CleanReportsParams(dictionaries=[str(extra)])
    cleaned = clean_report("SiteSystem export v2\nOD: DR with VH.\nOS: normal.", params)
    assert cleaned.patient_text == "OD: diabetic eye disease with vitreous hemorrhage.\nOS: normal."


@pytest.mark.parametrize(
    ("content", "problem"),
    [
        ("lang: fr\n", "lang: zh or lang: en"),
        ("lang: en\nabbrevs: {}\n", "unknown sections"),
        ("lang: en\nsynonyms: [a, b]\n", "must map text to text"),
        ("lang: en\nboilerplate: ['(unclosed']\n", "bad pattern"),
        ("lang: en\n  : :\n", "not valid YAML"),
    ],
)
def test_bad_dictionary_files_are_named_in_the_error(tmp_path, content, problem):
    path = tmp_path / "bad.yaml"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(DictionaryError, match=problem) as error:
        load_dictionaries((str(path),))
    assert str(path) in str(error.value)


def test_a_missing_dictionary_file_is_named(tmp_path):
    with pytest.raises(DictionaryError, match=r"missing\.yaml"):
        load_dictionaries((str(tmp_path / "missing.yaml"),))


def test_boilerplate_filter_without_patterns_keeps_content_lines():
    keep_all = BoilerplateFilter([], [])
    assert keep_all("a\n[NAME]\n- b") == "a\n- b"
