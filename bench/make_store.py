#!/usr/bin/env python3
"""Fills a heldout store (schema already created by `heldout`) with aligned fr–en segments from a
Moses pair, the way the store's own ingest would: segment id = first 16 bytes of SHA-256 over
primary language, U+001F, normalised text (NFC, whitespace collapsed); group = smallest id.

Used by bench/questions.sh only, because this worktree has no Moses reader yet; with `--target N`
the pairs are cycled with a numbered suffix until N segments exist (a synthetic scale test: the
dictionary lookups and rendering are what is measured)."""
import hashlib, sqlite3, sys, unicodedata, re

def norm(t):
    t = unicodedata.normalize("NFC", t)
    return re.sub(r"[\s\u200b\ufeff]+", " ", t).strip()

def sid(lang, text):
    return hashlib.sha256(lang.encode() + b"\x1f" + text.encode()).digest()[:16]

store, fr_path, en_path, name = sys.argv[1:5]
target = int(sys.argv[5]) if len(sys.argv) > 5 else 0
pairs = [(norm(f), norm(e)) for f, e in zip(open(fr_path, encoding="utf-8"), open(en_path, encoding="utf-8"))]
pairs = [(f, e) for f, e in pairs if f and e and f != e]
db = sqlite3.connect(store)
db.execute("PRAGMA synchronous=OFF")
cur = db.cursor()
cur.execute("INSERT INTO corpus(name, format, sha256, size, files, languages, domain, licence, ingested_at, units, skipped) "
            "VALUES (?, 'moses', ?, 0, '[]', 'en,fr', NULL, NULL, '', 0, '{}')", (name, name))
corpus = cur.lastrowid
cur.execute("INSERT INTO document(corpus_id, name) VALUES (?, '')", (corpus,))
doc = cur.lastrowid
seen = set()
position = 0
round_ = 0
def add(f, e):
    global position
    a, b = sid("fr", f), sid("en", e)
    if a in seen or b in seen or a == b:
        return
    seen.add(a); seen.add(b)
    g = min(a, b)
    position += 1
    for lang, text, i in (("fr", f, a), ("en", e, b)):
        cur.execute("INSERT INTO segment(id, lang, text, grp) VALUES (?, ?, ?, ?)", (i, lang, text, g))
        cur.execute("INSERT INTO occurrence(corpus_id, position, segment, document_id, tag) VALUES (?, ?, ?, ?, NULL)",
                    (corpus, position, cur.lastrowid, doc))
while True:
    for f, e in pairs:
        if round_ == 0:
            add(f, e)
        else:
            add(f"{f} ({round_})", f"{e} ({round_})")
        if target and len(seen) >= target:
            break
    round_ += 1
    if not target or len(seen) >= target:
        break
cur.execute("UPDATE corpus SET units = ? WHERE id = ?", (position, corpus))
db.commit()
print(f"{len(seen)} segments, {position} pairs", file=sys.stderr)
