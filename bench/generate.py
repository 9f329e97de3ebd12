#!/usr/bin/env python3
"""Synthetic split for the audit benchmark: N training and M evaluation records in the heldout
JSONL schema, with Zipf-distributed words (so n-grams and word sets behave like text) and a
known number of planted leaks of each kind. Deterministic (seeded)."""
import json, random, sys, os

out, n_train, n_eval = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
rng = random.Random(17)
syll = ["ka", "lo", "mi", "ne", "ru", "sa", "te", "vo", "bri", "dan", "el", "fou", "gar", "hin", "jo", "qu", "ster", "ton", "ul", "wen"]
common = "the of and to a in is that it was for on are as with his they at be this from have or by one had not but what all were when we there can an your which their said if do will each about how up out them then she many some so these would other into has more her two like him see time could no make than first been its who now people my made over did down only way find use may water long little very after words called just where most know".split()
vocab = sorted({"".join(rng.choice(syll) for _ in range(rng.randint(2, 4))) for _ in range(40000)})[:20000]
weights = [1 / (i + 1) ** 1.05 for i in range(len(vocab))]
cum = []
acc = 0.0
for w in weights:
    acc += w
    cum.append(acc)
columns = ["grammar", "definition", "tone", "register", "idiom", "spelling"]
bands = ["1-5", "6-8", "9-12", "college"]
domains = ["news", "fiction", "dialogue", "software", "legal"]

def sentence():
    n = rng.randint(6, 30)
    words = []
    content = rng.choices(vocab, cum_weights=cum, k=n)
    for w in content:
        if rng.random() < 0.35:
            words.append(rng.choice(common))
        words.append(w)
    s = " ".join(words)
    return s[0].upper() + s[1:] + rng.choice([".", ".", ".", "?", "!"])

def record(i, partition, column, text, question=None, answer=None):
    q = question or f"Question about {column}: is this sentence acceptable? {text}"
    r = {"id": f"{partition}-{i:08d}", "partition": partition, "column": column,
         "role": "heldout" if column == "tone" else "supervised", "category": column, "pair": None,
         "band": rng.choice(bands), "domain": rng.choice(domains), "question": q,
         "answer": answer if answer is not None else rng.choice(["yes", "no"]), "rubric": None,
         "source": {"lang": "en", "text": text, "translation": None},
         "consistency_group": f"{partition}-cg-{i // 4}" if rng.random() < 0.2 else None,
         "messages": [{"role": "user", "content": q}]}
    if column == "definition":
        r["target"] = {"lemma": rng.choice(vocab) + f"{partition}{i}", "lang": "en"}
    return r

os.makedirs(out, exist_ok=True)
eval_texts = []
eval_answers = []
half = n_eval // 2
for name, lo, hi in (("dev", 0, half), ("test", half, n_eval)):
    with open(os.path.join(out, f"{name}.jsonl"), "w") as f:
        for i in range(lo, hi):
            t = sentence()
            a = " ".join(rng.choice(vocab) for _ in range(4))  # rare words: a real answer, not a stock phrase
            eval_texts.append(t)
            eval_answers.append(a)
            f.write(json.dumps(record(i, name, rng.choice(columns), t, answer=a), ensure_ascii=False) + "\n")

plants = {"exact": 0, "folded": 0, "near": 0, "ngram": 0, "answer": 0}
with open(os.path.join(out, "train.jsonl"), "w") as f:
    for i in range(n_train):
        column = rng.choice(columns)
        q = None
        if i % 1000 == 0:  # one planted leak per 1000 records, cycling through the kinds
            kind = list(plants)[(i // 1000) % 5]
            e = eval_texts[rng.randrange(len(eval_texts))]
            words = e.split()
            if kind == "exact":
                t = e
            elif kind == "folded":
                t = e.upper().rstrip(".?!") + " !!"
            elif kind == "near":
                while len(set(words)) < 12:  # a one-word change is a near-copy only in a long enough sentence
                    words = eval_texts[rng.randrange(len(eval_texts))].split()
                words[len(words) // 2] = "zzword"
                t = " ".join(words)
            elif kind == "ngram":
                if len(words) < 13:
                    t = sentence()
                    kind = None
                else:
                    t = sentence().rstrip(".?!") + " " + " ".join(words[:13]) + " " + sentence()
            else:
                t = sentence()
                q = f"Some people say {eval_answers[rng.randrange(len(eval_answers))]} about this: {t}"
            if kind:
                plants[kind] += 1
        else:
            t = sentence()
        f.write(json.dumps(record(i, "train", column, t, question=q), ensure_ascii=False) + "\n")
print(json.dumps(plants), file=sys.stderr)
