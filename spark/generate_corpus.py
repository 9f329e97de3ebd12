#!/usr/bin/env python3
"""Deterministic multi-way corpus for the cluster tests and bench (issue 15).

Writes DIR/tmx-K.tmx (K < --files) with en/fr/de units, DIR/pairs.en + DIR/pairs.es (a Moses
pair), and DIR/spec.yaml (language_pair axis: de-en and es-en supervised, fr-en held out).
Sentences are random words of invented vocabularies (no real text), so none is a near-duplicate
of another by chance. A fifth of the concepts are pivots split across two files: en-fr in one,
fr-de in another, so their pieces sit in different partitions. One planted concept, whose English
is PLANTED_EN, is such a pivot across the first and the last file. With --near-duplicates, the
spec isolates near-duplicates and the corpus holds some: PLANTED_NEAR across the first and the
last file, and copies of 4% of the English sentences in another file, one word or the case changed.
Up to 30 concepts tie a held-out item to training only through the translation closure (the
same French, folded, in two groups), and with --near-duplicates up to 30 more only through a
near-copy of long English: their dropped items' partners are named through those links.
With --domains, sources and units declare domains: the first file's source is `software`, the
Moses pair's `news`, and in the second file every third unit is `news` and every seventh `legal`
(a TMX prop), so pivots give segments occurrences of several domains, ties included. The
sentences are the same with or without it.

usage: generate_corpus.py DIR --units N [--files K] [--seed S] [--templates DIR]
"""
import argparse
import os
import random
from xml.sax.saxutils import escape

PLANTED_EN = "Zorvik plandemo quatrel the lighthouse keeper counted seventeen herrings."
PLANTED_FR = "Zorvikou plandema quatrelle le gardien du phare compta dix-sept harengs."
PLANTED_DE = "Zorvikk plandemu quatrell der Leuchtturmwärter zählte siebzehn Heringe."
# With --near-duplicates: a near-copy planted across the first and the last file (one word of
# fourteen changed, Jaccard 13/15 over words), en-fr in one, de-en in the other.
PLANTED_NEAR = ("Quorble vintaset the old harbour crane lifted twelve crates of salted fish before dawn.",
                "Quorble vintaset the old harbour crane lifted eleven crates of salted fish before dawn.")

SYLLABLES = {
    "en": ["ba", "len", "tor", "mi", "sho", "ward", "ly", "pen", "rat", "ing", "cor", "be", "the", "st", "ro"],
    "fr": ["ou", "ai", "ment", "lé", "rou", "tion", "ché", "pa", "gne", "vil", "eau", "sé", "ran", "di", "que"],
    "de": ["sch", "ung", "keit", "ber", "lich", "au", "ge", "mann", "ach", "ten", "stra", "ß", "ei", "wä", "dorf"],
    "es": ["ción", "ma", "ño", "rra", "ble", "que", "ta", "mien", "to", "ga", "llo", "cu", "ria", "dad", "es"],
}


def vocabulary(rng, lang, size=3000):
    words = set()
    while len(words) < size:
        words.add("".join(rng.choice(SYLLABLES[lang]) for _ in range(rng.randint(1, 4))))
    return sorted(words)


def sentence(rng, words):
    chosen = [rng.choice(words) for _ in range(rng.randint(7, 14))]
    return chosen[0].capitalize() + " " + " ".join(chosen[1:]) + "."


def tu(texts):
    tuvs = "".join(f'<tuv xml:lang="{lang}"><seg>{escape(text)}</seg></tuv>' for lang, text in texts)
    return f"<tu>{tuvs}</tu>\n"


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("directory")
    parser.add_argument("--units", type=int, default=50000)
    parser.add_argument("--files", type=int, default=6)
    parser.add_argument("--seed", type=int, default=15)
    parser.add_argument("--templates", default="templates", help="templates directory the spec names")
    parser.add_argument("--near-duplicates", action="store_true", help="isolate near-duplicates too (slower)")
    parser.add_argument("--domains", action="store_true", help="sources and units declare domains")
    parser.add_argument("--comparison", action="store_true",
                        help="the spec writes the comparison too (the held-out column supervised, size-matched)")
    parser.add_argument("--train-share", type=float, default=0.8,
                        help="the training partition's share (dev and test halve the rest): near 1, most components "
                             "holding held-out items stay on training and their held-out items are dropped")
    args = parser.parse_args()
    rng = random.Random(args.seed)
    vocab = {lang: vocabulary(rng, lang) for lang in SYLLABLES}
    os.makedirs(args.directory, exist_ok=True)
    tmx = [[] for _ in range(args.files)]
    moses_en, moses_es = [], []

    # The planted pivot: en-fr in the first file, fr-de in the last.
    tmx[0].append(tu([("en", PLANTED_EN), ("fr", PLANTED_FR)]))
    tmx[-1].append(tu([("fr", PLANTED_FR), ("de", PLANTED_DE)]))
    units = 2
    if args.near_duplicates:
        tmx[0].append(tu([("en", PLANTED_NEAR[0]), ("fr", "Quorblou vintasé la vieille grue du port souleva douze caisses.")]))
        tmx[-1].append(tu([("de", "Quorbel Vintasett der alte Hafenkran hob elf Kisten gesalzenen Fisch."), ("en", PLANTED_NEAR[1])]))
        units += 2
    # Items whose only tie to training is the translation closure (or, with --near-duplicates,
    # a near-copy): dropped.jsonl names such an item's partner through that link, which the
    # pivots above never leave to it (their items share a segment). From their own random
    # numbers, so the rest of the corpus does not change.
    plants = random.Random(args.seed + 1)
    for _ in range(min(30, args.units // 100)):
        text = {lang: sentence(plants, vocab[lang]) for lang in SYLLABLES}
        other_en = sentence(plants, vocab["en"])
        # en-fr in the first file; the same French once folded (case and punctuation) with
        # German and other English in the last: the closure joins the two groups.
        tmx[0].append(tu([("en", text["en"]), ("fr", text["fr"])]))
        tmx[-1].append(tu([("fr", text["fr"][:-1].lower() + " !"), ("de", text["de"]), ("en", other_en)]))
        units += 2
        if args.near_duplicates:
            words = (text["en"][:-1] + " " + sentence(plants, vocab["en"])[:-1].lower()).split(" ")
            near = list(words)
            near[len(near) // 2] = plants.choice(vocab["en"])
            tmx[0].append(tu([("en", " ".join(words) + "."), ("fr", sentence(plants, vocab["fr"]))]))
            tmx[-1].append(tu([("de", sentence(plants, vocab["de"])), ("en", " ".join(near) + ".")]))
            units += 2
    concept = 0
    while units < args.units:
        concept += 1
        text = {lang: sentence(rng, vocab[lang]) for lang in SYLLABLES}
        kind = rng.random()
        home = rng.randrange(args.files)
        if args.near_duplicates and rng.random() < 0.04:
            # Copies of this English in another file, paired with new French: one word changed
            # (a near-copy when the sentence is long enough, else a candidate the Jaccard turns
            # away), or only case and punctuation changed (the same shingles).
            words = text["en"][:-1].split(" ")
            if rng.random() < 0.6:
                words[rng.randrange(len(words))] = rng.choice(vocab["en"])
                copy = " ".join(words) + "."
            else:
                copy = ", ".join(words).upper() + "!"
            tmx[(home + 1) % args.files].append(tu([("en", copy), ("fr", sentence(rng, vocab["fr"]))]))
            units += 1
        if kind < 0.25:  # a three-way unit: its fr-en and de-en items share the English
            tmx[home].append(tu([("en", text["en"]), ("fr", text["fr"]), ("de", text["de"])]))
            units += 1
        elif kind < 0.45:  # a pivot across two files: en-fr here, fr-de in another file
            other = (home + 1 + rng.randrange(args.files - 1)) % args.files if args.files > 1 else home
            tmx[home].append(tu([("en", text["en"]), ("fr", text["fr"])]))
            tmx[other].append(tu([("fr", text["fr"]), ("de", text["de"])]))
            units += 2
        elif kind < 0.7:
            tmx[home].append(tu([("en", text["en"]), ("fr", text["fr"])]))
            units += 1
        elif kind < 0.85:
            tmx[home].append(tu([("de", text["de"]), ("en", text["en"])]))
            units += 1
        else:
            moses_en.append(text["en"])
            moses_es.append(text["es"])
            units += 1

    header = ('<?xml version="1.0" encoding="UTF-8"?>\n<tmx version="1.4"><header srclang="en" datatype="plaintext" '
              'segtype="sentence" adminlang="en" creationtool="generate_corpus" creationtoolversion="1" o-tmf="none"/>\n<body>\n')
    sources = []
    if args.domains and len(tmx) > 1:
        # Without the generator's random numbers, so the sentences do not change.
        def with_domain(k, unit):
            domain = "legal" if k % 7 == 0 else "news" if k % 3 == 0 else None
            return unit.replace("<tu>", f'<tu><prop type="x-domain">{domain}</prop>', 1) if domain else unit
        tmx[1] = [with_domain(k, unit) for k, unit in enumerate(tmx[1])]
    declared = {0: "software"} if args.domains else {}
    for index, body in enumerate(tmx):
        name = f"tmx-{index}.tmx"
        with open(os.path.join(args.directory, name), "w", encoding="utf-8") as f:
            f.write(header + "".join(body) + "</body></tmx>\n")
        domain = f", domain: {declared[index]}" if index in declared else ""
        sources.append(f"  - {{ path: {name}, format: tmx{domain}, license: CC0-1.0 }}")
    for lang, lines in (("en", moses_en), ("es", moses_es)):
        with open(os.path.join(args.directory, f"pairs.{lang}"), "w", encoding="utf-8") as f:
            f.write("".join(line + "\n" for line in lines))
    sources.append("  - { path: pairs.en, format: moses, pair: en-es" + (", domain: news" if args.domains else "") + ", license: CC0-1.0 }")
    near = "  near_duplicates: { threshold: 0.8 }\n" if args.near_duplicates else "  near_duplicates: false\n"
    spec = (
        "name: generated\nseed: 15\nsources:\n" + "\n".join(sources) + "\n"
        f"templates: {args.templates}\n"
        "axis: language_pair\n"
        "columns:\n  de-en: { role: supervised }\n  es-en: { role: supervised }\n  fr-en: { role: heldout }\n"
        "isolation:\n  level: segment\n  translations: true\n" + near +
        f"partitions: {{ train: {args.train_share:g}, dev: {(1 - args.train_share) / 2:g}, test: {(1 - args.train_share) / 2:g}, "
        "tolerance: 0.05 }\n"
        + ("comparison: true\n" if args.comparison else "")
    )
    with open(os.path.join(args.directory, "spec.yaml"), "w", encoding="utf-8") as f:
        f.write(spec)


if __name__ == "__main__":
    main()
