#!/usr/bin/env python3
"""Independent check of heldout's gold answers against a CoNLL-U treebank (issue 17).

Written apart from the Swift builder: it reads the treebank itself and reads each item as a user
does, from its question and answer text only (never the builder's bound values), then decides
from the annotation whether the gold is right.

    gold_check.py TREEBANK.conllu ITEMS.jsonl [--dict FREEDICT.index] [--label NAME] [--json OUT]

Verdicts per grammar item:
  contradicted  the gold disagrees with the annotation (wrong value, controller, tense name; a
                participle asked a tense; a minimal pair whose sentence B is not wrong, or wrong
                for another reason than the one stated)
  ambiguous     the question does not pick one word with one right answer (a repeated form with
                no occurrence named, a word the reader cannot see, nothing showing the number, a
                typo, a coordinated controller)
  duplicate     the same question text again (with the same or another answer)
  unmatched     the item's sentence or word could not be found (reported, not judged)
  correct       none of the above
Definition items: entry mismatches, where the dictionary entry the item uses does not match the
treebank's lemma or part of speech for the word asked about.
"""
import argparse
import collections
import gzip
import json
import re
import sys

# ---------------------------------------------------------------- treebank

class Word:
    __slots__ = ("id", "form", "lemma", "upos", "feats", "head", "deprel", "surface")

    def __init__(self, cols):
        self.id = int(cols[0])
        self.form, self.lemma, self.upos = cols[1], cols[2], cols[3]
        self.feats = {} if cols[5] == "_" else dict(p.split("=", 1) for p in cols[5].split("|"))
        self.head = int(cols[6]) if cols[6].isdigit() else None
        self.deprel = cols[7]
        self.surface = None  # index of the surface token that shows it

    @property
    def rel(self):
        return self.deprel.split(":")[0]


class Sentence:
    def __init__(self, text):
        self.text = text
        self.words = {}     # id -> Word
        self.surface = []   # [(form, [word ids])]

    def children(self, wid):
        return [w for w in self.words.values() if w.head == wid]

    def visible(self, wid):
        return len(self.surface[self.words[wid].surface][1]) == 1

    def resolve(self, form, nth=None):
        """Word ids of the surface tokens a reader takes «form» (or its nth occurrence) to mean."""
        hits = [i for i, (f, _) in enumerate(self.surface) if f.lower() == form.lower()]
        if nth is not None:
            hits = hits[nth - 1:nth] if 0 < nth <= len(hits) else []
        return [self.surface[i] for i in hits]


def read_conllu(path):
    sentences = {}
    duplicates = set()
    current, mwt_end = None, 0
    with open(path, encoding="utf-8") as f:
        for line in f:
            line = line.rstrip("\n")
            if line.startswith("# text = "):
                current = Sentence(line[len("# text = "):])
                mwt_end = 0
                if current.text in sentences:
                    duplicates.add(current.text)
                sentences[current.text] = current
                continue
            if not line or line.startswith("#") or current is None:
                continue
            cols = line.split("\t")
            if len(cols) != 10:
                continue
            if "-" in cols[0]:
                a, b = map(int, cols[0].split("-"))
                current.surface.append((cols[1], list(range(a, b + 1))))
                mwt_end = b
                continue
            if "." in cols[0]:
                continue
            w = Word(cols)
            current.words[w.id] = w
            if w.id <= mwt_end:
                w.surface = len(current.surface) - 1
            else:
                w.surface = len(current.surface)
                current.surface.append((w.form, [w.id]))
    return sentences, duplicates


class Lexicon:
    """(lemma, upos, form) -> every analysis of the form in the treebank (typos left out)."""

    def __init__(self, sentences):
        self.analyses = collections.defaultdict(set)
        for s in sentences.values():
            for w in s.words.values():
                if w.feats.get("Typo") == "Yes":
                    continue
                key = (w.lemma.lower(), w.upos, w.form.lower())
                self.analyses[key].add(tuple(sorted(w.feats.items())))

    def values(self, w_or_key, feature):
        key = w_or_key if isinstance(w_or_key, tuple) else (w_or_key.lemma.lower(), w_or_key.upos, w_or_key.form.lower())
        return {dict(a).get(feature) for a in self.analyses.get(key, ())} - {None}

    def ambiguous(self, w, feature):
        form, lemma = w.form.lower(), w.lemma.lower()
        if feature == "Number" and form == lemma and form[-1:] in ("s", "x", "z"):
            return True
        return len(self.values(w, feature)) > 1


# ---------------------------------------------------------------- shared helpers

ORD = r"(\d+)(?:st|nd|rd|th)"
REF = re.compile(r"^(?:the " + ORD + r" )?«(.+)»$")
VOWEL = set("aeiouyhàâäéèêëîïôöùûüœæ")
NAMES = {"masculine": ("Gender", "Masc"), "feminine": ("Gender", "Fem"), "singular": ("Number", "Sing"),
         "plural": ("Number", "Plur"), "first person": ("Person", "1"), "second person": ("Person", "2"),
         "third person": ("Person", "3")}
SIMPLE = {("Ind", "Pres"): "présent", ("Ind", "Imp"): "imparfait", ("Ind", "Past"): "passé simple",
          ("Ind", "Fut"): "futur simple", ("Cnd", "Pres"): "conditionnel présent", ("Sub", "Pres"): "subjonctif présent",
          ("Sub", "Imp"): "subjonctif imparfait", ("Imp", "Pres"): "impératif présent"}
COMPOUND = {"présent": "passé composé", "imparfait": "plus-que-parfait", "passé simple": "passé antérieur",
            "futur simple": "futur antérieur", "conditionnel présent": "conditionnel passé",
            "subjonctif présent": "subjonctif passé", "subjonctif imparfait": "subjonctif plus-que-parfait",
            "impératif présent": "impératif passé"}
# The English names the first version of the templates used.
OLD_TENSE = {"present": "présent", "imperfect": "imparfait", "future": "futur simple", "pluperfect": "plus-que-parfait",
             "past": "past (unspecified)", "present (conditional mood)": "conditionnel présent",
             "present (subjunctive mood)": "subjonctif présent", "imperfect (subjunctive mood)": "subjonctif imparfait",
             "present (imperative mood)": "impératif présent"}


def parse_ref(ref):
    m = REF.match(ref.strip())
    if not m:
        return None
    return m.group(2), (int(m.group(1)) if m.group(1) else None)


def person_number(w):
    feats = dict(w.feats)
    if "Person" not in feats and w.upos != "PRON":
        feats["Person"] = "3"
    return feats


def annotated_controller(s, t):
    """The controller the annotation gives target word t, with the relation: its HEAD for det and
    amod, the subject for a finite verb (or for the verb its auxiliary or copula belongs to)."""
    if t.rel in ("det", "amod") and t.head:
        return s.words.get(t.head), t.rel
    if t.feats.get("VerbForm") == "Fin":
        owner = t.head if t.rel in ("aux", "cop") and t.head else t.id
        subjects = [c for c in s.children(owner) if c.rel == "nsubj"]
        if len(subjects) == 1:
            return subjects[0], "nsubj"
    return None, None


def coordinated(s, controller, target):
    conj = [c for c in s.children(controller.id) if c.rel == "conj"]
    if not conj:
        return False
    if target.rel == "amod":
        return any(c.id < target.id for c in conj)
    return target.rel != "det"


# ---------------------------------------------------------------- grammar checks

def check_tense(s, item, lex):
    q, a = item["question"], item["answer"] or ""
    m = re.match(r"^In the French sentence «(.*)», what tense is «(.+?)» \(word (\d+)\)\?$", q, re.S)
    if m:  # version 1: one word, its syntactic number
        w = s.words.get(int(m.group(3)))
        if not w or w.form != m.group(2):
            return "unmatched", "word"
        chain_head = w.head if w.rel in ("aux", "cop") and w.head else w.id
        expected = group_tense(s, chain_head)
        if w.feats.get("VerbForm") == "Part":
            return "contradicted", "a participle asked a tense"
        am = re.search(r"in the (.+) tense \(UD", a)
        claimed = OLD_TENSE.get(am.group(1), am.group(1)) if am else None
        if expected is None:
            return "contradicted", "no finite group"
        if claimed != expected[0]:
            return "contradicted", f"tense {claimed!r} but the group is {expected[0]!r}"
        return "correct", ""
    m = re.match(r"^In the French sentence «(.*)», what tense is «(.+?)»(?: \(from the " + ORD + r" «(.+?)»\))?\?$", q, re.S)
    if not m:
        return "unmatched", "question format"
    group_text, nth, first = m.group(2), m.group(3), m.group(4)
    first_form = first or re.split(r" (?:… )?", group_text)[0]
    tokens = s.resolve(first_form, int(nth) if nth else None)
    if len(tokens) != 1:
        return ("ambiguous", "first word of the group repeated") if len(tokens) > 1 else ("unmatched", "word")
    w = s.words[tokens[0][1][0]]
    chain_head = w.head if w.rel in ("aux", "cop") and w.head else w.id
    expected = group_tense(s, chain_head)
    if expected is None:
        return "contradicted", "no finite verb group here"
    name, passive, forms = expected
    if forms != group_text:
        return "contradicted", f"group is «{forms}», question says «{group_text}»"
    claimed = a.split(":")[0].strip()
    want = name + (" (passive voice)" if passive else "")
    if claimed != want:
        return "contradicted", f"tense {claimed!r}, annotation gives {want!r}"
    return "correct", ""


def group_tense(s, head_id):
    """(French tense name, passive, group text) of the verb group headed by head_id; None when the
    group has no single finite verb or an unnamed chain."""
    head = s.words.get(head_id)
    if head is None:
        return None
    kids = [c for c in s.children(head_id) if c.rel in ("aux", "cop")]
    if any(c.deprel == "aux:caus" for c in kids):
        return None
    chain = sorted(kids + ([head] if head.upos in ("VERB", "AUX") else []), key=lambda w: w.id)
    finite = [w for w in chain if w.feats.get("VerbForm") == "Fin"]
    if len(finite) != 1:
        return None
    f = finite[0]
    mood, tense = f.feats.get("Mood"), f.feats.get("Tense") or ("Pres" if f.feats.get("Mood") == "Imp" else None)
    simple = SIMPLE.get((mood, tense))
    if simple is None:
        return None
    tense_aux = [c for c in kids if c.deprel in ("aux", "aux:tense")]
    if len(tense_aux) > 1:
        return None
    name = COMPOUND[simple] if tense_aux else simple
    passive = any(c.deprel == "aux:pass" for c in kids)
    surf = []
    for w in chain:
        surf.append(w.surface)
    text = ""
    for i, si in enumerate(surf):
        if i:
            text += " " if si == surf[i - 1] + 1 else " … "
        text += s.surface[si][0]
    return name, passive, text


def check_number(s, item, lex):
    q, a = item["question"], item["answer"] or ""
    m = re.match(r"^In(?: the French sentence)? «(.*)», is (.+) singular or plural\?$", q, re.S)
    if not m:
        return "unmatched", "question format"
    ref = parse_ref(m.group(2))
    if not ref:
        return "unmatched", "reference"
    tokens = s.resolve(*ref)
    if not tokens:
        return "ambiguous", "the word is not visible in the sentence"
    claimed = {"singular": "Sing", "plural": "Plur"}.get(a.split(":")[0].split(" (")[0].strip().lower())
    verdicts = set()
    for _, ids in tokens:
        cands = [s.words[i] for i in ids if "Number" in s.words[i].feats and s.words[i].upos in ("NOUN", "ADJ")]
        verdicts.add(tuple(sorted({w.feats["Number"] for w in cands})))
    if len(tokens) > 1 and len(verdicts) > 1:
        return "ambiguous", "repeated form, answers differ"
    w = next((s.words[i] for _, ids in tokens for i in ids if "Number" in s.words[i].feats), None)
    if w is None:
        return "unmatched", "no Number on the word"
    if "Typo=Yes" in a:
        return "contradicted", "Typo=Yes printed in the answer"
    if w.feats.get("Typo") == "Yes":
        return "ambiguous", "typo"
    if claimed != w.feats["Number"]:
        return "contradicted", f"answer {claimed}, annotation {w.feats['Number']}"
    if not number_shown(s, w, lex):
        return "ambiguous", "nothing shows the number"
    return "correct", ""


def number_shown(s, w, lex):
    value = w.feats["Number"]

    def shows(x):
        if x.feats.get("Number") != value or x.feats.get("Typo") == "Yes":
            return False
        return not s.visible(x.id) or not lex.ambiguous(x, "Number")

    if shows(w):
        return True
    for c in s.children(w.id):
        if c.rel in ("det", "amod", "nsubj", "cop", "aux") and shows(c):
            return True
        if c.rel == "nummod" and value == "Plur" and c.upos == "NUM" and c.form.lower() not in ("un", "une", "1"):
            return True
    h = s.words.get(w.head) if w.head else None
    if h is not None:
        if w.rel == "amod" and shows(h):
            return True
        if w.rel == "nsubj" and (shows(h) or any(c.rel in ("aux", "cop") and shows(c) for c in s.children(h.id))):
            return True
    return False


def check_agreement(s, item, lex):
    q, a = item["question"], item["answer"] or ""
    m = re.match(r"^In the French sentence «(.*)», which word does (.+) agree with, and in what\?$", q, re.S)
    am = re.match(r"^(.+?) agrees with (.+) \((\w+)\): both are (.+)\.$", a, re.S)
    if not m or not am:
        return "unmatched", "format"
    ref = parse_ref(m.group(2))
    cref = parse_ref(am.group(2))
    if not ref or not cref:
        return "unmatched", "reference"
    tokens = s.resolve(*ref)
    if not tokens:
        return "ambiguous", "the word is not visible in the sentence"
    if len(tokens) > 1:
        return "ambiguous", "repeated form, no occurrence named"
    ids = tokens[0][1]
    if len(ids) > 1:
        return "ambiguous", "asks about a contraction (au, du, des)"
    t = s.words[ids[0]]
    controller, rel = annotated_controller(s, t)
    if controller is None:
        return "contradicted", "the annotation gives this word no controller"
    ctokens = s.resolve(*cref)
    if len(ctokens) != 1:
        return ("ambiguous", "controller named ambiguously") if ctokens else ("contradicted", "controller not in the sentence")
    if controller.id not in ctokens[0][1]:
        return "contradicted", f"controller «{controller.form}» in the annotation, «{cref[0]}» in the answer"
    if t.feats.get("Typo") == "Yes" or controller.feats.get("Typo") == "Yes":
        return "ambiguous", "typo"
    if coordinated(s, controller, t):
        return "contradicted", "agreement with a coordination claimed with one conjunct"
    tf = t.feats
    cf = person_number(controller) if rel == "nsubj" else controller.feats
    for name in [n.strip() for n in re.split(r" (?=(?:masculine|feminine|singular|plural|first|second|third))", am.group(4))]:
        if name not in NAMES:
            return "unmatched", f"feature name {name}"
        feat, val = NAMES[name]
        if tf.get(feat) != val or cf.get(feat) != val:
            return "contradicted", f"{name}: target {tf.get(feat)}, controller {cf.get(feat)}"
    for feat in (("Number", "Person") if rel == "nsubj" else ("Gender", "Number")):
        if feat in tf and feat in cf and tf[feat] != cf[feat]:
            return "contradicted", f"{feat} differs: the annotation shows no agreement"
    return "correct", ""


def char_spans(s):
    """Character span of each surface token in the text, found left to right."""
    spans, cursor = [], 0
    for form, _ in s.surface:
        i = s.text.find(form, cursor)
        while i >= 0 and form[:1].isalpha() and i > 0 and s.text[i - 1].isalpha():
            i = s.text.find(form, i + 1)
        if i < 0:
            spans.append(None)
            continue
        spans.append((i, i + len(form)))
        cursor = i + len(form)
    return spans


def check_minimal_pair(s, item, lex, changed):
    a = item["answer"] or ""
    text = s.text
    # which token (or preposition + token, for au/du/aux/des) of A was replaced: the one whose
    # removal leaves A and B equal around it; a known form of its lemma first
    spans = char_spans(s)
    candidates = []
    for width in (1, 2):
        for i in range(len(spans) - width + 1):
            first, last = spans[i], spans[i + width - 1]
            if not first or not last:
                continue
            a0, b0 = first[0], last[1]
            tail = len(text) - b0
            if text[:a0] == changed[:a0] and len(changed) - tail >= a0 and text[b0:] == changed[len(changed) - tail:]:
                rep = changed[a0:len(changed) - tail]
                if rep and rep != text[a0:b0]:
                    candidates.append((list(range(i, i + width)), rep))
    def known(c):
        ids = s.surface[c[0][-1]][1]
        w = s.words[ids[0]]
        rep = c[1].lower()
        rep = {"au": "le", "aux": "les", "du": "le", "des": "les"}.get(rep, rep) if len(c[0]) == 2 else rep
        return (lex.analyses.get((w.lemma.lower(), w.upos, rep)) is not None, -len(c[0]))
    if not candidates:
        return "contradicted", "B differs in more than one word"
    touched, replacement = max(candidates, key=known)
    if re.search(r"(?i)(?<!\w)(à|de) (le|les)(?!\w)", changed) and not re.search(r"(?i)(?<!\w)(à|de) (le|les)(?!\w)", text):
        return "contradicted", "B needs a contraction (à le → au): wrong for another reason"
    prep_contraction = None
    if len(touched) == 2 and s.surface[touched[0]][0].lower() in ("à", "de") and replacement.lower() in ("au", "aux", "du", "des"):
        prep_contraction = replacement.lower()
        replacement = {"au": "le", "aux": "les", "du": "le", "des": "les"}[prep_contraction]
        touched = touched[1:]
    if len(touched) != 1 or " " in replacement.strip():
        return "contradicted", "B differs in more than one word"
    si = touched[0]
    ids = s.surface[si][1]
    if len(ids) != 1:
        return "contradicted", "a word inside a contraction was replaced"
    t = s.words[ids[0]]
    if si > 0 and s.surface[si - 1][0][-1:] in ("'", "’") and replacement[:1].lower() not in VOWEL:
        return "contradicted", "elision broken (d' + consonant)"
    if si + 1 < len(s.surface) and replacement.lower() in ("le", "la", "ce", "ma", "ta", "sa", "beau", "nouveau", "vieux") \
            and s.surface[si + 1][0][:1].lower() in VOWEL:
        return "contradicted", "elision or euphony broken before a vowel"
    rm = re.match(r"^B is wrong\. «(.+?)» is (.+?), but (.+), which it agrees with \((\w+)\), is (.+?): the (\w+) must match\.$", a, re.S)
    if not rm:
        return "unmatched", "answer format"
    found_name, cref, rel, expected_name, feature_name = rm.group(2), parse_ref(rm.group(3)), rm.group(4), rm.group(5), rm.group(6)
    feature = {"gender": "Gender", "number": "Number", "person": "Person"}.get(feature_name)
    if feature is None or found_name not in NAMES or expected_name not in NAMES:
        return "unmatched", "feature names"
    controller, arel = annotated_controller(s, t)
    if controller is None or cref is None:
        return "contradicted", "the annotation gives the changed word no controller"
    ctokens = s.resolve(*cref)
    if len(ctokens) != 1 or controller.id not in ctokens[0][1]:
        return "contradicted", f"the controller is «{controller.form}», the answer names «{cref[0]}»"
    if t.feats.get("Typo") == "Yes":
        return "ambiguous", "typo in sentence A"
    if coordinated(s, controller, t):
        return "contradicted", "coordinated controller"
    cf = person_number(controller) if arel == "nsubj" else controller.feats
    if cf.get(feature) != NAMES[expected_name][1]:
        return "contradicted", f"the controller is {cf.get(feature)}, not {expected_name}"
    if t.feats.get(feature) != cf.get(feature):
        return "contradicted", "A itself does not agree"
    if lex.ambiguous(controller, feature):
        return "contradicted", f"«{controller.form}» has both values of {feature}: B may be right"
    readings = lex.analyses.get((t.lemma.lower(), t.upos, replacement.lower()))
    if not readings:
        return "contradicted", f"«{replacement}» is not a form of {t.lemma} in the treebank"
    if feature == "Number" and replacement.lower() == t.lemma.lower() and replacement[-1:].lower() in ("s", "x", "z"):
        return "contradicted", f"«{replacement}» is the same in both numbers"
    for reading in readings:
        r = dict(reading)
        if r.get(feature) is None or r.get(feature) == cf.get(feature):
            return "contradicted", f"«{replacement}» can be {cf.get(feature)}: B may be right"
        if r.get(feature) != NAMES[found_name][1] and len(readings) == 1:
            return "contradicted", "the stated value of the replacement is wrong"
        others = [k for k in r if k != feature and k in t.feats and t.feats[k] != r[k]]
        if others:
            return "contradicted", f"«{replacement}» also differs in {','.join(others)}"
        broken = [k for k in ("Gender", "Number", "Person") if k != feature and k in r and k in cf and r[k] != cf[k]]
        if broken:
            return "contradicted", f"«{replacement}» also breaks {','.join(broken)}: B is wrong for another reason too"
    return "correct", ""


# ---------------------------------------------------------------- definitions

UPOS_OF = {"n": {"NOUN", "PROPN"}, "v": {"VERB", "AUX"}, "vt": {"VERB"}, "vi": {"VERB"}, "verb": {"VERB", "AUX"},
           "adj": {"ADJ", "VERB"}, "adv": {"ADV"}, "prep": {"ADP"}, "pron": {"PRON"}, "conj": {"CCONJ", "SCONJ"},
           "num": {"NUM"}, "art": {"DET"}, "int": {"INTJ"}, "interj": {"INTJ"}, "pn": {"PROPN"}}


def read_dict(index_path):
    data = gzip.open(index_path.replace(".index", ".dict.dz")).read()
    alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"

    def b64(x):
        n = 0
        for c in x:
            n = n * 64 + alphabet.index(c)
        return n

    pos = collections.defaultdict(set)
    with open(index_path, encoding="utf-8") as f:
        for line in f:
            parts = line.rstrip("\n").split("\t")
            if len(parts) < 3 or parts[0].startswith("00-database"):
                continue
            body = data[b64(parts[1]):b64(parts[1]) + b64(parts[2])].decode("utf-8", "replace")
            for tag in re.findall(r"<([^<>]+)>", body):
                head = tag.split(",")[0].strip().lower()
                pos[parts[0].lower()] |= UPOS_OF.get(head, set())
    return pos


def check_definition(item, sentences, dict_pos):
    q = item["question"]
    opens = [i for i, c in enumerate(q) if c == "«"]
    closes = [i for i, c in enumerate(q) if c == "»"]
    best = None
    for i in opens:
        for j in closes:
            if j > i and q[i + 1:j] in sentences and (best is None or j - i > best[1] - best[0]):
                best = (i, j)
    if best is None:
        return "unmatched", "sentence"
    s = sentences[q[best[0] + 1:best[1]]]
    rest = q[:best[0]] + q[best[1] + 1:]
    spans = re.findall(r"«([^«»]+)»", rest)
    lemma = (item.get("target") or {}).get("lemma", "")
    words = [w for sp in spans for w in s.words.values() if w.form.lower() == sp.lower()]
    if not words:
        # a multiword expression asked as a whole: its first word and a fixed/compound head
        words = [w for sp in spans for w in s.words.values() if sp.lower().startswith(w.form.lower() + " ")]
        if not words:
            return "unmatched", "word"
    if any(w.lemma.lower() == lemma.lower() or " " in lemma for w in words):
        w = next(w for w in words if w.lemma.lower() == lemma.lower() or " " in lemma)
    else:
        return "mismatch", f"entry «{lemma}» for «{words[0].form}» (treebank lemma «{words[0].lemma}», {words[0].upos})"
    if w.upos in ("PROPN", "AUX", "NUM", "DET", "ADP", "PRON", "CCONJ", "SCONJ", "PUNCT"):
        return "mismatch", f"asks about a {w.upos} («{w.form}»)"
    allowed = dict_pos.get(lemma.lower()) if dict_pos else None
    if allowed and w.upos not in allowed:
        return "mismatch", f"entry «{lemma}» is {sorted(allowed)}, treebank says {w.upos}"
    return "ok", ""


# ---------------------------------------------------------------- main

def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("treebank")
    ap.add_argument("items")
    ap.add_argument("--dict", help="FreeDict dictd index (its .dict.dz beside it)")
    ap.add_argument("--label", default="items")
    ap.add_argument("--json", help="write the figures here")
    ap.add_argument("--examples", type=int, default=3, help="examples printed per verdict and reason")
    args = ap.parse_args()

    sentences, dup_texts = read_conllu(args.treebank)
    lex = Lexicon(sentences)
    dict_pos = read_dict(args.dict) if args.dict else None

    items = [json.loads(line) for line in open(args.items, encoding="utf-8") if line.strip()]
    by_template = collections.Counter(i["template"] for i in items)
    verdicts = collections.defaultdict(collections.Counter)
    reasons = collections.defaultdict(collections.Counter)
    examples = collections.defaultdict(list)
    seen = collections.defaultdict(dict)

    for item in items:
        tid = item["template"]
        if item["category"] == "definition":
            v, why = check_definition(item, sentences, dict_pos)
            verdicts[tid][v] += 1
            if v != "ok":
                if v == "mismatch":
                    kind = "entry lemma is not the treebank's" if why.startswith("entry «") and "treebank lemma" in why \
                        else "entry part of speech is not the treebank's" if why.startswith("entry «") \
                        else why.split(" («")[0]
                    reasons[tid][kind] += 1
                else:
                    reasons[tid][why] += 1
                if len(examples[(tid, v)]) < args.examples:
                    examples[(tid, v)].append(why)
            continue
        if item["category"] != "grammar":
            continue
        key = item["question"]
        if key in seen[tid]:
            verdict = "duplicate"
            why = "same question, same answer" if seen[tid][key] == item["answer"] else "same question, another answer"
        else:
            seen[tid][key] = item["answer"]
            q = item["question"]
            mp = re.match(r"^One of these French sentences is ungrammatical\. Which one, and why\?\nA: «(.*)»\nB: «(.*)»$", q, re.S)
            if mp:
                text = mp.group(1)
            else:
                text = None
                start = q.find("«") + 1
                # the sentence may hold « » itself: the longest span from the first « that is a known sentence
                for j in range(len(q) - 1, start - 1, -1):
                    if q[j] == "»" and q[start:j] in sentences:
                        text = q[start:j]
                        break
            s = sentences.get(text) if text else None
            if s is None:
                verdict, why = "unmatched", "sentence"
            elif text in dup_texts:
                verdict, why = "unmatched", "sentence annotated twice in the treebank"
            elif mp:
                verdict, why = check_minimal_pair(s, item, lex, mp.group(2))
            elif "tense" in tid:
                verdict, why = check_tense(s, item, lex)
            elif "number" in tid:
                verdict, why = check_number(s, item, lex)
            elif "agreement" in tid:
                verdict, why = check_agreement(s, item, lex)
            else:
                verdict, why = "unmatched", "template not known to the checker"
        verdicts[tid][verdict] += 1
        if verdict != "correct":
            reasons[tid][why] += 1
            if len(examples[(tid, why)]) < args.examples:
                examples[(tid, why)].append(item["question"].replace("\n", " ")[:200] + " → " + (item["answer"] or "").replace("\n", " ")[:160])

    grammar = collections.Counter()
    for tid, c in verdicts.items():
        if "ok" not in c and "mismatch" not in c:
            grammar.update(c)
    definition = collections.Counter()
    for tid, c in verdicts.items():
        if "ok" in c or "mismatch" in c:
            definition.update(c)

    print(f"== {args.label}: {len(items)} items")
    print("items by template:")
    for tid, n in sorted(by_template.items()):
        print(f"  {tid:28} {n:7}  {dict(verdicts.get(tid, {}))}")
    g_total = sum(grammar.values())
    judged = g_total - grammar["unmatched"]
    pct = lambda n, d: 100.0 * n / d if d else 0.0
    amb_dup = grammar["ambiguous"] + grammar["duplicate"]
    print(f"grammar: {g_total} items, {judged} judged ({grammar['unmatched']} unmatched)")
    print(f"  correct        {grammar['correct']:7}  ({pct(grammar['correct'], judged):.1f}%)   goal: at least as many as before")
    print(f"  contradicted   {grammar['contradicted']:7}  ({pct(grammar['contradicted'], judged):.2f}%)   goal: 0")
    print(f"  ambiguous      {grammar['ambiguous']:7}  ({pct(grammar['ambiguous'], judged):.2f}%)")
    print(f"  duplicate      {grammar['duplicate']:7}  ({pct(grammar['duplicate'], judged):.2f}%)")
    print(f"  ambiguous+dup  {amb_dup:7}  ({pct(amb_dup, judged):.2f}%)   goal: ≤ 1%")
    d_total = sum(definition.values())
    d_judged = d_total - definition["unmatched"]
    print(f"definitions: {d_total} items, entry mismatches {definition['mismatch']} of {d_judged} judged "
          f"({pct(definition['mismatch'], d_judged):.2f}%)   goal: ≤ 2%  ({definition['unmatched']} unmatched)")
    print("reasons (grammar and definitions):")
    for tid in sorted(reasons):
        for why, n in reasons[tid].most_common(12):
            print(f"  {tid:28} {n:6}  {why}")
    if args.examples:
        print("examples:")
        for (tid, why), xs in sorted(examples.items()):
            for x in xs[:args.examples]:
                print(f"  [{tid}] {why}: {x}")
    if args.json:
        json.dump({"label": args.label, "items": len(items), "by_template": by_template, "grammar": grammar,
                   "definitions": definition, "verdicts": verdicts, "reasons": reasons},
                  open(args.json, "w"), ensure_ascii=False, indent=1, sort_keys=True)


if __name__ == "__main__":
    main()
