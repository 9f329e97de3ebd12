#!/usr/bin/env python3
"""Language identification: heldout's (heldout-bench langid) against lingua, on Debian sentences
of 6+ words. Called by bench/langid.sh; nothing here is committed.

    langid.py sentences WORKDIR          → WORKDIR/langid.txt + langid.src (source of each line)
    langid.py compare WORKDIR OURS.tsv OURS.rate

Sentences: the held-apart catalogues of corpora/langid/test/ (gettext domains never trained on),
and, when corpora/debian/prose/ exists, the Debian Reference in en/fr/de/es (split into
sentences here). Goals (issue 20): agreement ≥ 98%, ≥ 100k sentences/s on one core.
"""
import collections, os, random, re, sys, time

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..")
PROSE = os.environ.get("DEBIAN_PROSE", os.path.join(ROOT, "corpora", "debian", "prose"))
PER_SOURCE = 3000


def words(s):
    return sum(1 for w in s.split() if any(c.isalpha() for c in w))


def sentences(workdir):
    rng = random.Random(20)
    out = []
    for lang in ["en", "fr", "de", "es", "it"]:
        path = os.path.join(ROOT, "corpora", "langid", "test", lang + ".txt")
        lines = [l for l in open(path, encoding="utf-8").read().splitlines() if words(l) >= 6]
        rng.shuffle(lines)
        out += [("catalogue." + lang, l) for l in lines[:PER_SOURCE]]
    for lang in ["en", "fr", "de", "es"]:
        path = os.path.join(PROSE, f"debian-reference.{lang}.txt")
        if not os.path.exists(path): continue
        paragraphs = re.split(r"\n\s*\n", open(path, encoding="utf-8").read())
        sents = []
        for p in paragraphs:
            text = " ".join(p.split())
            for s in re.split(r"(?<=[.!?])\s+(?=[A-ZÀ-Ý«\"“])", text):
                if words(s) >= 6 and not re.match(r"^[\d.]+ ", s): sents.append(s)
        rng.shuffle(sents)
        out += [("reference." + lang, s) for s in sents[:PER_SOURCE]]
    with open(os.path.join(workdir, "langid.txt"), "w", encoding="utf-8") as f, \
         open(os.path.join(workdir, "langid.src"), "w") as g:
        for src, s in out:
            f.write(s.replace("\n", " ") + "\n"); g.write(src + "\n")
    print(f"langid: {len(out)} sentences of 6+ words", file=sys.stderr)


def compare(workdir, ours_path, rate_path):
    from lingua import Language, LanguageDetectorBuilder
    texts = open(os.path.join(workdir, "langid.txt"), encoding="utf-8").read().split("\n")[:-1]
    srcs = open(os.path.join(workdir, "langid.src")).read().split()
    ours = [l.split("\t")[0] for l in open(ours_path, encoding="utf-8").read().split("\n")[:-1]]
    ours = ours[:len(texts)]
    five = [Language.ENGLISH, Language.FRENCH, Language.GERMAN, Language.SPANISH, Language.ITALIAN]
    # LINGUA=all: lingua's 75 languages (anything but the five is "other"; ~40 sentences/s here);
    # default: lingua choosing among the same five languages as heldout.
    every = os.environ.get("LINGUA") == "all"
    detector = (LanguageDetectorBuilder.from_all_languages() if every else LanguageDetectorBuilder.from_languages(*five)).build()
    code = {Language.ENGLISH: "en", Language.FRENCH: "fr", Language.GERMAN: "de", Language.SPANISH: "es", Language.ITALIAN: "it"}
    start = time.time()
    theirs = []
    for t in texts:
        l = detector.detect_language_of(t)
        theirs.append(code.get(l, "other") if l is not None else "-")
    lingua_rate = len(texts) / (time.time() - start)
    with open(os.path.join(workdir, "langid.lingua.txt"), "w") as f:
        f.write("\n".join(theirs) + "\n")
    agree = sum(a == b for a, b in zip(ours, theirs))
    print(f"language identification: {len(texts)} Debian sentences of 6+ words")
    which = "all 75 languages; not en/fr/de/es/it = other" if every else "lingua choosing among en/fr/de/es/it"
    print(f"  agreement with lingua ({which}): {agree}/{len(texts)} = {100 * agree / len(texts):.2f}%")
    print(f"  heldout: {open(rate_path).read().strip()}")
    print(f"  lingua {getattr(__import__('lingua'), '__version__', '')}: {lingua_rate:.0f} sentences/s (high accuracy, one thread)")
    by = collections.defaultdict(lambda: [0, 0])
    for s, a, b in zip(srcs, ours, theirs):
        by[s][0] += a == b; by[s][1] += 1
    print("  per source (tag = its language):")
    for s in sorted(by):
        lang = s.split(".")[1]
        o = sum(1 for x, y in zip(srcs, ours) if x == s and y != lang)
        t = sum(1 for x, y in zip(srcs, theirs) if x == s and y != lang)
        print(f"    {s:14} {by[s][1]:5} agree {100 * by[s][0] / by[s][1]:6.2f}%   not {lang}: heldout {100 * o / by[s][1]:5.1f}%  lingua {100 * t / by[s][1]:5.1f}%")
    confusion = collections.Counter((a, b) for a, b in zip(ours, theirs) if a != b)
    print("  disagreements (heldout → lingua): " + ", ".join(f"{a}→{b} {n}" for (a, b), n in confusion.most_common(12)))
    rng = random.Random(30)
    dis = [(s, a, b, t) for s, a, b, t in zip(srcs, ours, theirs, texts) if a != b]
    sample = sorted(rng.sample(dis, min(30, len(dis))))
    with open(os.path.join(workdir, "langid-disagreements.tsv"), "w", encoding="utf-8") as f:
        for row in sample: f.write("\t".join(row) + "\n")
    print(f"  a seeded sample of {len(sample)} disagreements for hand-checking: {workdir}/langid-disagreements.tsv")


if __name__ == "__main__":
    if sys.argv[1] == "sentences": sentences(sys.argv[2])
    else: compare(sys.argv[2], sys.argv[3], sys.argv[4])
