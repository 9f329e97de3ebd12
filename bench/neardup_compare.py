"""Near-duplicate stage: heldout's MinHash/LSH (via heldout-bench) against datasketch's MinHashLSH
(128 permutations) on the same sentences, same threshold, same shingles (sets of folded words:
the split's default; the generated sentences are ASCII, so folding is lower-casing and cutting at
everything that is not a letter or digit), in one run.

Recall and precision of both are measured against exact Jaccard on a sample of pairs: every
planted near-copy pair, every pair either method reported, and 20,000 random pairs.
"""
import json, random, re, subprocess, sys, time

from datasketch import MinHash, MinHashLSH

n, threshold, binary, workdir = int(sys.argv[1]), float(sys.argv[2]), sys.argv[3], sys.argv[4]
rng = random.Random(7)
# 20,000 random words of 2-10 letters: real text has thousands of distinct 3-grams.
vocab = ["".join(rng.choice("abcdefghijklmnopqrstuvwxyz") for _ in range(rng.randint(2, 10))) for _ in range(20000)]
def word(): return rng.choice(vocab)
def sentence(): return " ".join(word() for _ in range(rng.randint(8, 17)))

sentences, planted = [], []
for i in range(n):
    if i > 10 and rng.random() < 0.05:
        j = rng.randrange(i)
        words = sentences[j].split()
        for _ in range(rng.choice([1, 1, 2, 3])):
            words[rng.randrange(len(words))] = word()
        sentences.append(" ".join(words)); planted.append((j, i))
    else:
        sentences.append(sentence())
path = f"{workdir}/sentences-{n}.txt"
with open(path, "w") as f:
    f.write("\n".join(sentences) + "\n")

def shingles(text):
    return set(w for w in re.split(r"[^0-9a-z]+", text.lower()) if w)

def jaccard(a, b):
    return len(a & b) / len(a | b) if a or b else 1.0

# heldout
out = subprocess.run([binary, "neardup", path, str(threshold), "word", "1"], check=True, capture_output=True, text=True)
ours = json.loads(out.stdout)
our_pairs = set()
with open(path + ".pairs") as f:
    for line in f:
        if line.strip():
            a, b = map(int, line.split()); our_pairs.add((min(a, b), max(a, b)))

# datasketch: MinHash per sentence, insert into LSH, query each (its own candidates = pairs)
t0 = time.perf_counter()
lsh = MinHashLSH(threshold=threshold, num_perm=128)
mhs = []
for i, s in enumerate(sentences):
    m = MinHash(num_perm=128)
    m.update_batch([x.encode("utf8") for x in shingles(s)])
    lsh.insert(str(i), m); mhs.append(m)
ds_pairs = set()
for i, m in enumerate(mhs):
    for key in lsh.query(m):
        j = int(key)
        if j != i: ds_pairs.add((min(i, j), max(i, j)))
ds_seconds = time.perf_counter() - t0

sets = {}
def S(i):
    if i not in sets: sets[i] = shingles(sentences[i])
    return sets[i]
sample = set((min(a, b), max(a, b)) for a, b in planted) | our_pairs | ds_pairs
for _ in range(20000):
    a, b = rng.randrange(n), rng.randrange(n)
    if a != b: sample.add((min(a, b), max(a, b)))
truth = {p for p in sample if jaccard(S(p[0]), S(p[1])) >= threshold}
def score(found):
    tp = len(found & truth)
    return {"recall": tp / len(truth) if truth else 1.0, "precision": tp / len(found) if found else 1.0, "pairs": len(found)}
result = {
    "sentences": n, "threshold": threshold, "true_pairs_in_sample": len(truth), "sample_pairs": len(sample),
    "heldout": {"sentences_per_second": round(ours["sentences_per_second"]), "seconds": round(ours["seconds"], 3),
                "bands": ours["bands"], "rows": ours["rows"], **score(our_pairs)},
    "datasketch": {"sentences_per_second": round(n / ds_seconds), "seconds": round(ds_seconds, 3), **score(ds_pairs)},
}
result["speedup"] = round(result["heldout"]["sentences_per_second"] / result["datasketch"]["sentences_per_second"], 1)
print(json.dumps(result, indent=1))
