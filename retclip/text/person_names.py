# ruff: noqa: RUF001
"""Names written with no label and no title: "陈志强今日复查", "Harold returned today".

A name alone is told from a word only by knowing names: given names come from
``gender-guesser``'s list (61,000 names of many countries), and a Chinese name is a known surname
with one or two characters after it that ``jieba``'s dictionary does not know as a word. Context
then decides: an English given name counts where a surname or a person's verb follows it or a
person's word comes before it; a Chinese one at a clause's start or after a person's word
(患者, 家属, 其女), followed by a word or a verb ("今日", "诉").
"""

from __future__ import annotations

import re
import unicodedata
from functools import cache
from itertools import accumulate

import yaml

from retclip.text import gazetteers
from retclip.text import phi_patterns as p
from retclip.text.dictionaries import BUILT_IN, TERM_SECTIONS
from retclip.text.identifiers import CODE_LABEL_WORDS
from retclip.text.places import NOT_PLACES, REGION_NAMES
from retclip.text.trie import trie_pattern

_Span = tuple[str, int, int]

_FOLD_ACCENTS = {
    code: base
    for code in range(0xC0, 0x250)
    if (base := unicodedata.normalize("NFKD", chr(code))[0]).isascii() and base.isalpha()
}
"""Accented Latin letters to their base letter, one for one, so that offsets hold: "Jürgen
Östberg" is looked up as "Jurgen Ostberg" (the name lists hold both spellings)."""
_LATIN = "A-Za-zÀ-ÖØ-öø-ɏ"
_WORD_SPLIT = re.compile(rf"([{_LATIN}]+(?:['’-][{_LATIN}]+)*)")
"""A word: Latin letters, accented ones too ("Müller", "Ní Bhriain"), and inner apostrophes or
hyphens."""
_PARTICLES = p.words(
    "van von der den de da di del della dos das do la le du st. bin binti bint ibn al ap ter ten "
    "ní nic ó"
)
_PERSON_VERBS = p.words(
    "returns returned reports reported presents presented states stated denies denied notes "
    "noted says said feels felt complains complained came comes attended attends was is has "
    "had will would lives lived works worked drives drove asked agreed consented declined "
    "understands understood wishes wanted wants prefers remains continues needs brought "
    "called phoned rang missed arrived uses used takes took stopped started admits describes "
    "described mentions mentioned tells told thinks reads saw sees recalls remembers lost "
    "walked walks can cannot could may might should does did who and or himself herself "
    "accompanied tolerated tolerates notices noticed finds found keeps kept"
)
_ONLY_PEOPLE_VERBS = p.words(
    "returns returned reports reported presents presented states stated denies denied says said "
    "feels felt complains complained came attended attends lives lived works worked drives drove "
    "asked agreed consented declined understands understood wishes wanted wants prefers missed "
    "arrived admits describes described mentions mentioned tells told thinks recalls remembers "
    "walked tolerated tolerates notices noticed called"
)
"""Verbs whose subject is a person: a capitalised word before one is a name even where no list
knows it ("Yamamoto tolerated the injection", "Xiuying missed")."""
_PERSON_BEFORE = p.words(
    "with by to for and told asked called saw see thank thanks dear son daughter wife husband "
    "mother father brother sister friend carer caregiver partner grandson granddaughter niece "
    "nephew neighbour neighbor patient pt cousin aunt uncle widow widower colleague spoke "
    "informed advised reassured examined referring reviewed per today met visited phoned rang "
    "called contacted"
)
_NOT_SUBJECTS = p.words(
    "New Old He She They We I It You Patient Pt Mother Father Son Daughter Wife Husband Family "
    "Carer Everyone Nobody Someone Parents Mum Mom Dad Doctor Nurse Optometrist Ophthalmologist "
    "Technician This That There Who Which Both Each Neither Either Mr Mrs Ms Miss Dr"
)
NOT_NAMES = (
    p.CLINICAL_PROPER_NAMES
    | p.words(
        "Iris Lens Disc Cornea Macula Fovea Pupil Sclera Vision Fundus Retina Vitreous Optic "
        "The Will May Mark Grace Hope Faith Joy Dawn Early Moderate Severe Mild Stable Plan "
        "Review Clinic Patient Right Left Both Eye Eyes Amber Ruby Pearl Jade Olive Gray Grey "
        "Summer Autumn Winter Spring Sunny Sonny Bill Pat Sue Guy Eve Ada Dale Glen Rich Bud "
        "Chase Hunter Page Miles Rod Ray Sol Art Don Dan Ben Max Jan June April August Monday "
        "Tuesday Wednesday Thursday Friday Saturday Sunday Christian Royal Major General "
        "Street Road Avenue Drive Court Way Close House Hospital Health Care Centre Center "
        "Today Tomorrow Please Thank Dear Also Then Next Last Note Notes Impression Findings "
        "History Diagnosis Assessment Signed Reviewed Report Reports Visit Follow Return "
        "Repeat Refer Referral Continue Start Stop Consider Discussed Advised Given Seen "
        "Admin Social Other Additional Information Outcome Plan Dilated Undilated Treatment "
        "Injection Laser Images Scans Results Recall Screening"
    )
    | _NOT_SUBJECTS
    | REGION_NAMES
    | frozenset(word for region in REGION_NAMES for word in region.split()[1:])
)
_STRONG_BEFORE = p.words(
    "referring reviewed see seen per thank thanks told asked called phoned rang met visited "
    "informed advised reassured examined contacted dear other social admin note today dad mum mom "
    "son daughter wife husband brother sister partner carer granddaughter grandson niece nephew "
    "voicemail"
)
"""Words after which a lower-cased given name is a name ("referring ava thompson")."""
_PRONOUNS = p.words("her his their")
_AFTER_WAS = p.words(
    "seen counselled counseled reviewed examined told advised informed consented discharged "
    "referred asked given offered booked contacted called phoned admitted"
)
"""Passives whose subject is a person ("Byrne was counselled")."""
_AFTER_BEEN = p.words(
    "using taking instilling applying putting missing attending wearing coping managing "
    "struggling complaining"
)
"""What a person has been doing ("Siew Hoon has been using the drops"): an agent's verbs only,
so that "Bevacizumab has been given" stays a drug."""
_COMPANIONS = p.words(
    "son daughter wife husband mother father brother sister partner carer granddaughter grandson "
    "niece nephew friend mum mom dad her his family"
)
_LOWER_CUES = _STRONG_BEFORE | {"with"}
_SPEAK_PREPOSITIONS = p.words("to for with")
_SPEAK_VERBS = p.words(
    "spoke speak spoken talked wrote sent voicemail message discussed met consented"
)
_PERSON_VERB_BEFORE = _STRONG_BEFORE - p.words("other social admin note today")
"""The person's words other than section labels: any capitalised word after one is a name;
after a section's label ("Admin:") only a known given name is."""
_LOWER_STOPS = (
    p.words(
        "dot will may mark bill pat grace hope joy rose iris ray art sue jack frank jean penny "
        "ruby april june august dawn summer holly ivy lily daisy violet amber crystal faith chance "
        "chase hunter page miles rod sol don guy eve dale glen rich bud sunny sandy bob nick "
        "victor wade carol lee gene sage sky star king young white black brown green gray grey "
        "gold silver major minor early late long short new old fair dusty rusty misty"
    )
    | p.words(
        "the a an and or but if then he she they it his her their him them we you i me my our "
        "all any this that these those there here who which what when where why how to for with "
        "of in on at by from is was are were be been has have had will would can could should may "
        "might must not no yes again today now also very more less mild moderate severe right left "
        "both eye eyes vision drops review clinic patient family"
    )
    | frozenset(w.lower() for w in NOT_NAMES)
)


_INTERESTING = (
    _LOWER_CUES | _SPEAK_PREPOSITIONS | _ONLY_PEOPLE_VERBS | _PERSON_VERBS | {"is", "was", "has"}
)
"""The lower-case words whose place in a text tells where names may stand."""


def en_unlabelled_names(text: str) -> list[_Span]:
    """English names with no label, each word looked at with its neighbours: a given name
    (gender-guesser's list) with the surname after it, or alone where a person's verb follows or
    a person's word comes before it; "Surname, Given"; capitalised words before a verb only
    people do ("Yamamoto tolerated the injection", "Zhiqiang Hall attended"); a word between
    "with" and "and her"; lower-cased names after a strong person's word ("referring ava
    thompson")."""
    words = _Words(text if text.isascii() else text.translate(_FOLD_ACCENTS))
    spans = []
    for index in words.candidates():
        span = words.name_at(index)
        if span is not None:
            spans.append(("NAME", *span))
    return spans


class _Words:
    """The words of a text, where each starts and ends, and what each one's neighbours say
    about it. One ``re.split`` gives the words and the gaps between them, and running sums of
    their lengths the offsets: no match object per word."""

    def __init__(self, text: str) -> None:
        parts = _WORD_SPLIT.split(text)
        offsets = list(accumulate(map(len, parts)))
        self.text = text
        self.tokens = parts[1::2]
        self.gaps = parts[2::2]  # the gap after each word
        self.starts = offsets[::2][: len(self.tokens)]
        self.ends = offsets[1::2]
        self.names = gazetteers.given_names()

    def candidates(self) -> list[int]:
        """The words worth a closer look (a tenth of them): a capitalised word that is a known
        given name or stands before one, before a person's verb or after a person's word; a
        lower-cased one after a person's word or before a person's verb. Found in one pass."""
        tokens, names = self.tokens, self.names
        count = len(tokens)
        after_cue, before_verb, two_before_verb, capitals = set(), set(), set(), []
        interesting = _INTERESTING
        for i in [i for i, t in enumerate(tokens) if t in interesting or t[0].isupper()]:
            t = tokens[i]
            if t[0].isupper():
                if not t.isupper():
                    capitals.append(i)
                if t.lower() in _LOWER_CUES:
                    after_cue.add(i + 1)
            elif t in _LOWER_CUES:
                after_cue.add(i + 1)
            elif t in _SPEAK_PREPOSITIONS and i and tokens[i - 1].lower() in _SPEAK_VERBS:
                after_cue.add(i + 1)  # "Spoke to ...", "voicemail for ...", "discussed with"
            elif t == "is" and i and tokens[i - 1] == "this":
                after_cue.add(i + 1)  # "this is mohammed okafor"
            if t in _ONLY_PEOPLE_VERBS or t == "was" or self.has_been_doing(i):
                before_verb.add(i - 1)
            if t in _PERSON_VERBS:
                two_before_verb.add(i - 2)
        found = {
            i
            for i in capitals
            if _base(tokens[i]) in names
            or i in before_verb
            or i in after_cue
            or (i + 1 < count and tokens[i + 1] in names)
            or (
                ((i + 1 < count and tokens[i + 1] == "and") or (i > 0 and tokens[i - 1] == "and"))
                and self.both_named(i)  # only beside an "and": most capitals are not
            )
        }
        found |= {i for i in after_cue | before_verb if 0 <= i < count and tokens[i].islower()}
        found |= {
            i
            for i in two_before_verb
            if i >= 0 and tokens[i].islower() and tokens[i].capitalize() in names
        }
        return sorted(found)

    def word(self, index: int) -> str:
        return self.tokens[index] if 0 <= index < len(self.tokens) else ""

    def both_named(self, i: int) -> bool:
        """A word of "X and Y both ...": two people named together ("Aroha and Deborah both")."""
        word = self.word
        return (word(i + 1) == "and" and _capitalised(word(i + 2)) and word(i + 3) == "both") or (
            word(i - 1) == "and" and _capitalised(word(i - 2)) and word(i + 1) == "both"
        )

    def has_been_doing(self, index: int) -> bool:
        """Whether "has been" and an agent's verb start at word ``index``."""
        return (
            self.word(index) == "has"
            and self.word(index + 1) == "been"
            and self.word(index + 2) in _AFTER_BEEN
        )

    def accompanied(self, index: int) -> bool:
        """Whether "w/" or "with" and a companion ("son", "her") follow the lower-cased words
        after word ``index`` ("seen grace kelly w/ son"): a name that is also a word, then."""
        for following in range(index + 1, index + 5):
            word = self.word(following)
            if word == "with" or (word == "w" and self.gap_after(following).startswith("/")):
                return self.word(following + 1) in _COMPANIONS
            if not word.islower() or self.gap_after(following) != " ":
                return False
        return False

    def gap_after(self, index: int) -> str:
        return self.gaps[index] if index + 1 < len(self.tokens) else ""

    def name_at(self, index: int) -> tuple[int, int] | None:
        raw = self.word(index)
        word = _base(raw)
        start, end = self.starts[index], self.starts[index] + len(word)
        after, before = self.word(index + 1), self.word(index - 1).lower()
        gap = self.gap_after(index)
        spaced = gap == " "
        if word.islower():
            return self._lower_name(index, word, start, end, after, before)
        if not _capitalised(word):
            return None
        if word in NOT_NAMES and not (  # "Hope reports that ...": a name after all
            spaced
            and (after in _ONLY_PEOPLE_VERBS or self.has_been_doing(index + 1))
            and word in self.names
        ):
            return None
        people_verb = spaced and (
            after in _ONLY_PEOPLE_VERBS
            or (after in ("was", "and") and self.word(index + 2) in _AFTER_WAS)
            or self.has_been_doing(index + 1)
            or (after == "and" and self.word(index + 2) in self.names)
        )
        if people_verb or self.both_named(index):
            return self._with_words_before(index, start), end
        if before in _PERSON_VERB_BEFORE or (
            before in ("to", "for", "with") and self.word(index - 2).lower() in _SPEAK_VERBS
        ):  # "referring Kwame Lee", "Spoke to Ka Yan Le Roux"
            return start, self._run_end(index)
        if before == "with" and spaced and after == "and" and self.word(index + 2) in _PRONOUNS:
            return start, end
        if (
            gap.strip() == ","
            and after in self.names
            and after not in NOT_NAMES
            and f"{after} {self.word(index + 2)}" not in REGION_NAMES  # "Sha Tin, Hong Kong"
        ):
            return self._with_words_before(index, start), self.ends[index + 1]
        if word not in self.names:
            return None
        last = _surname_end(self, index + 1) if spaced else None
        if last is not None:
            return start, last
        if (
            (spaced and _person_follows(after, raw))
            or before in _PERSON_BEFORE
            or (gap.startswith(", ") and _capitalised(after))  # "Maria, 93, ..."
        ):
            return start, end
        return None

    def _lower_name(
        self, index: int, word: str, start: int, end: int, after: str, before: str
    ) -> tuple[int, int] | None:
        known = word.capitalize() in self.names
        if (word in _LOWER_STOPS or word in _PERSON_VERBS) and not (
            known and before in _STRONG_BEFORE and self.accompanied(index)
        ):
            return None
        spaced = self.gap_after(index) == " "
        surname = self.word(index + 1)
        if (
            known
            and spaced
            and surname.islower()
            and surname not in _LOWER_STOPS | _PERSON_VERBS
            and self.gap_after(index + 1) == " "
            and self.word(index + 2) in _PERSON_VERBS
        ):
            return start, self.ends[index + 1]  # "madison schneider was seen"
        if before == "with" and spaced and after == "and" and self.word(index + 2) in _PRONOUNS:
            return start, end
        if known and spaced and after in _ONLY_PEOPLE_VERBS:
            return start, end
        this_is = before == "is" and self.word(index - 2) == "this"  # "hi, this is ava ng"
        if (before in _STRONG_BEFORE or this_is) and (
            known or this_is or self.word(index).endswith("'s")
        ):
            return start, _lower_surname_end(self, index + 1, end)
        return None

    def _run_end(self, index: int) -> int:
        """The end of the capitalised words and particles that start at ``index``."""
        end = self.starts[index] + len(_base(self.word(index)))
        while self.gap_after(index) == " ":
            following = self.word(index + 1)
            if not (following.lower() in _PARTICLES or _capitalised(following)):
                break
            if following in NOT_NAMES and following not in self.names:
                break
            index += 1
            end = self.starts[index] + len(_base(following))
        return end

    def _with_words_before(self, index: int, start: int) -> int:
        """The start of a name whose last word is at ``index``: capitalised words and particles
        before it on the same line ("Ngozi van der Berg", "Zhiqiang Hall", "Thompson,
        Zhiqiang")."""
        while index > 0 and self.gap_after(index - 1) in (" ", ", "):
            previous = self.word(index - 1)
            if previous.lower() in _PARTICLES or (
                _capitalised(previous) and (previous not in NOT_NAMES or previous in self.names)
            ):
                index -= 1
                start = self.starts[index]
            else:
                break
        return start


def _base(word: str) -> str:
    """A word without its possessive ending ("Giuseppe's" -> "Giuseppe")."""
    return word[:-2] if word.endswith(("'s", "\u2019s")) else word


def _capitalised(word: str) -> bool:
    """A capitalised word, with a surname's prefix ("d'Souza", "O'Neill") counted in."""
    if word[:2] in ("d'", "D'") or word[:2] == "O'":
        word = word[2:]
    return word[:1].isupper() and not word.isupper()


def _person_follows(after: str, word: str) -> bool:
    return after.lower() in _PERSON_VERBS or word.endswith(("'s", "\u2019s"))


def _surname_end(words: _Words, index: int) -> int | None:
    """End of the surname (with particles: "van der Berg") that starts at word ``index``."""
    while index < len(words.tokens):
        word = _base(words.tokens[index])
        if word.lower() in _PARTICLES:
            index += 1
            continue
        if not _capitalised(word) or word in NOT_NAMES or word in NOT_PLACES:
            return None
        return words.starts[index] + len(word)
    return None


def _lower_surname_end(words: _Words, index: int, end: int) -> int:
    """A lower-cased surname after a lower-cased given name ("ava thompson", "clive dos
    santos", "min-ji ng")."""
    while index < len(words.tokens) and words.text[end : words.starts[index]] == " ":
        word = words.tokens[index]
        particle = word in _PARTICLES
        if not word.islower() or (
            not particle
            and (
                word in _LOWER_STOPS
                or word in _PERSON_VERBS
                or word == "writing"
                or len(word) == 1  # "w/": with
            )
        ):
            break
        end = words.ends[index]
        index += 1
        if not particle:
            break
    return end


_ZH_PERSON_CUES = p.words(
    "患者 病人 家属 陪同 其子 其女 儿子 女儿 丈夫 妻子 老伴 患儿 联系人 监护人 同事 朋友 邻居 "
    "之子 之女 与 和 由 及 同 请 嘱 告知 通知 转告 叮嘱 其夫 其妻 母亲 父亲 孙子 孙女 外孙 "
    "爱人 家人 护工 保姆 先生 女士 今日 今天 昨日 随访 电话随访 已向 向 候诊时 时 给 为 让 叫 "
    "据 经 对 联系 反映 称 接听 回忆 照顾 看望 提醒 委托 询问 安抚 姐姐 哥哥 弟弟 妹妹 外孙女 "
    "儿媳 女婿 侄子 侄女 外甥 外甥女 侄孙 孙媳"
)
_ZH_BOUNDARY = frozenset("\n。！？!?；;，,：:、 \t（(“\"'）)》【】[]")
_ZH_FOLLOW_CHARS = frozenset(
    "诉因于在的和与及、，。；：:,.（( 是有已曾自经来去说称今昨前近本该之也都\n男女将要想需对向从"
    "被把拒表跌由"
)
_ZH_GIVEN_STOPS = frozenset(
    "的了未见无不可均较为是于在及和与并但而或即其此该各每另所被把将对向从以由请需应须宜诉述患病史"
    "号检查医师科院伴否既往现今曾已经复诊岁后前内外上下侧部区度级期型性样状裂纹堡疣痕缩殖脱"
    "硬素凹陷灶眼视网膜斑血压糖尿渗肿炎痛术药针"
)
"""Characters that end a given name: function words, report verbs and clinical characters."""
_ZH_PERSON_VERB = re.compile(
    "拒绝|诉|自诉|表示|同意|要求|由其|自行|称其|跌倒|签字|来诊|就诊|复诊|本次|希望|担心|反映|的儿子"
    "|的女儿|的家属|及家属|陪同|同日|近期|负责|签署|接听|回忆|告知|多年前|已按时|自述|的母亲|的父亲"
    "|之姐|之妹|之兄|之弟|之子|之女|之外孙|之孙|（|电话联系"
)
"""Verbs whose subject is a person: the two or three characters before one, at a clause's
start, are a name even with a surname no list knows ("区桂芝拒绝...", "今日訾刚由其女儿陪同")."""
_ZH_MAKERS = tuple(name for name in p.CLINICAL_PROPER_NAMES if not name.isascii())


@cache
def _clinical_pairs() -> frozenset[str]:
    """Every two characters that stand together in a clinical term of the Chinese dictionary
    (矫正 in 最佳矫正视力, 黄斑 in 黄斑水肿): a surname followed so starts the term, not a name."""
    with (BUILT_IN / "zh.yaml").open(encoding="utf-8") as f:
        sections = yaml.safe_load(f)
    terms = {
        str(t)
        for name in TERM_SECTIONS
        for pair in (sections.get(name) or {}).items()
        for t in pair
    }
    return frozenset(term[i : i + 2] for term in terms for i in range(len(term) - 1))


def zh_unlabelled_names(text: str) -> list[_Span]:
    """Chinese names with no label at a clause's start or after a person's word (患者, 家属,
    今日): a surname, one or two characters that do not form a common word (jieba's dictionary),
    then a word that can follow a name; or two or three characters before a verb only people
    do ("区桂芝拒绝...")."""
    words = gazetteers.zh_words()
    spans: list[_Span] = []
    for m in _zh_name_starts().finditer(text):
        i = m.start()
        if not _zh_label_at(text, i):
            after_person = bool(i) and text[i - 1] not in _ZH_BOUNDARY
            end = _zh_name_end(text, i, words, after_person)
            if end:
                spans.append(("NAME", i, end))
    for verb in _ZH_PERSON_VERB.finditer(text):  # a few per report: look back from each
        end = verb.start() - (text[verb.start() - 1 : verb.start()] in "，,、")
        for start in (end - 4, end - 3, end - 2):
            if end - start == 4 and text[start : start + 2] not in p.ZH_COMPOUND_SURNAMES:
                continue
            if (
                start >= 0
                and _clause_starts_at(text, start)
                and _zh_unknown_word(text, start, end, words)
            ):
                spans.append(("NAME", start, end))
                break
    return spans


def _clause_starts_at(text: str, i: int) -> bool:
    return (
        i == 0
        or text[i - 1] in _ZH_BOUNDARY
        or any(text[max(0, i - k) : i] in _ZH_PERSON_CUES for k in (1, 2, 3, 4))
    )


@cache
def _zh_name_starts() -> re.Pattern[str]:
    """A surname (or a compound surname's first character) at a clause's start or after a
    person's word: the class first, so that the scan skips to surnames, then what stands
    before it."""
    surnames = "".join(sorted(gazetteers.zh_surnames_and_firsts()))
    boundary = re.escape("".join(sorted(_ZH_BOUNDARY)))
    lengths = sorted({len(cue) for cue in _ZH_PERSON_CUES})
    before = "|".join(
        [
            r"(?<![\s\S][\s\S])",  # the text's first character
            f"(?<=[{boundary}].)",
            # one lookbehind per length of cue, its words as a prefix tree: a hundred cues
            # tried one by one at every surname cost a fifth of the detector
            *(
                f"(?<={trie_pattern(sorted(c for c in _ZH_PERSON_CUES if len(c) == n))}.)"
                for n in lengths
            ),
        ]
    )
    return re.compile(f"[{surnames}](?:{before})")


def _zh_label_at(text: str, i: int) -> bool:
    """A maker's name (海德堡) or a code's label (微信, QQ号) starts at ``i``."""
    return text.startswith(_ZH_MAKERS, i) or any(
        text[i : i + k] in CODE_LABEL_WORDS for k in (2, 3)
    )


def _zh_unknown_word(text: str, start: int, end: int, words: dict[str, int]) -> bool:
    """Whether ``text[start:end]`` is no word and holds none: a name, not "推轮椅" or "儿陪同"."""
    name = text[start:end]
    return all(p.CJK_CHAR.match(c) for c in name) and not (
        any(text[k : k + 2] in words for k in range(start, end - 1))
        or any(c in _ZH_GIVEN_STOPS for c in name[1:])
        or words.get(name, 0) >= 30
        or name[:2] in _clinical_pairs()
    )


def _zh_name_end(text: str, i: int, words: dict[str, int], after_person: bool) -> int | None:
    """End of the name at ``i``; at a clause's start a word must follow it (a verb, a time:
    "陈志强今日复查"), after a person's word punctuation may ("陪同家属王丽。")."""
    surname = 2 if text[i : i + 2] in p.ZH_COMPOUND_SURNAMES else 1
    if surname == 1 and (
        words.get(text[i : i + 2], 0) >= 30 or text[i : i + 2] in _clinical_pairs()
    ):
        return None  # 黄斑, 高度, 双眼: a common word starts here
    for given in (2, 1):
        j = i + surname + given
        name = text[i:j]
        chars = name[surname:]
        if len(chars) < given or not all(p.CJK_CHAR.match(c) for c in chars):
            continue
        if any(c in _ZH_GIVEN_STOPS for c in chars) or words.get(name, 0) >= 30:
            continue
        if j == len(text):
            return j if after_person else None
        follows = text[j] in _ZH_FOLLOW_CHARS and (
            after_person or text[j] not in _ZH_BOUNDARY or text[j] in "、（("
        )
        if follows or _starts_word(text, j, words):
            return j
    return None


def _starts_word(text: str, j: int, words: dict[str, int]) -> bool:
    return any(text[j : j + k] in words for k in (2, 3, 4))
