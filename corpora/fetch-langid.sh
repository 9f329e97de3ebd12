#!/usr/bin/env bash
# Labelled text for heldout's language identifier, from the gettext catalogues of the Debian
# packages installed here, into corpora/langid/ (git-ignored: nothing made here is committed).
#
#   corpora/fetch-langid.sh        # Debian 12; installs gettext (msgunfmt) if missing
#   python3 scripts/make-language-profiles.py     # then: the profiles shipped in the repo
#
# What it makes (one message per line, newlines inside a message become spaces, each line once):
#   train/LANG.txt   en (the msgids), fr, de, es, it (msgstrs differing from their msgid), and
#                    other: pt, nl, pl, sv, ca, ro, cs, tr, id, da msgstrs (so that a language the
#                    grader does not know is not forced onto one it does)
#   test/LANG.txt    the same, from the catalogues held apart: every gettext domain whose
#                    md5 starts with 0–2 (~3/16 of them) goes to test/, the rest to train/
#   SOURCES.tsv      language, catalogue, Debian package, version
# Each message keeps its package's licence; the shipped profiles keep only n-gram frequencies.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
out="$here/langid"
LANGS=(fr de es it)
OTHER=(pt nl pl sv ca ro cs tr id da)
log() { printf '%s\n' "fetch-langid: $*" >&2; }

if ! command -v msgunfmt >/dev/null 2>&1; then
  log "installing gettext (msgunfmt)"
  if [ "$(id -u)" -eq 0 ]; then apt-get install -y -q --no-install-recommends gettext >&2
  else sudo apt-get install -y -q --no-install-recommends gettext >&2; fi
fi

rm -rf "$out"
mkdir -p "$out/train" "$out/test" "$out/.work"
trap 'rm -rf "$out/.work"' EXIT
printf 'language\tcatalogue\tpackage\tversion\n' >"$out/SOURCES.tsv"
shopt -s nullglob
for l in "${LANGS[@]}" "${OTHER[@]}"; do
  for mo in /usr/share/locale/"$l"/LC_MESSAGES/*.mo; do
    domain="$(basename "$mo" .mo)"
    msgunfmt --no-wrap -o "$out/.work/$l.$domain.po" "$mo" 2>/dev/null || { log "skipped $mo (msgunfmt failed)"; continue; }
    pkg="$(dpkg-query -S "$mo" 2>/dev/null | head -n1 | cut -d: -f1 | cut -d, -f1 || true)"
    ver="$( [ -n "$pkg" ] && dpkg-query -W -f '${Version}' "$pkg" 2>/dev/null | head -n1 || true)"
    printf '%s\t%s\t%s\t%s\n' "$l" "$mo" "${pkg:-(unowned)}" "$ver" >>"$out/SOURCES.tsv"
  done
done
python3 - "$out" "${LANGS[*]}" "${OTHER[*]}" <<'PY'
import glob, hashlib, os, sys
out, langs, other = sys.argv[1], sys.argv[2].split(), sys.argv[3].split()

def messages(path):
    """(msgid, msgstr) of a msgunfmt --no-wrap PO file; plural forms and the header skipped."""
    entries, cur, key = [], {}, None
    def unq(s):
        s = s.strip()
        if not (s.startswith('"') and s.endswith('"')): return ""
        return bytes(s[1:-1], "utf-8").decode("unicode_escape").encode("latin-1").decode("utf-8", "replace")
    for line in open(path, encoding="utf-8", errors="replace"):
        if line.startswith("msgid "): 
            if "msgid" in cur and "msgstr" in cur: entries.append(cur)
            cur, key = {"msgid": unq(line[6:])}, "msgid"
        elif line.startswith("msgstr "): cur["msgstr"], key = unq(line[7:]), "msgstr"
        elif line.startswith('"') and key: cur[key] = cur.get(key, "") + unq(line)
        elif not line.strip(): key = None
        else: key = None if not line.startswith('"') else key
    if "msgid" in cur and "msgstr" in cur: entries.append(cur)
    return [(e["msgid"], e["msgstr"]) for e in entries if e["msgid"]]

def clean(s):
    return " ".join(s.replace("\\n", " ").split())

sets = {}
for po in sorted(glob.glob(os.path.join(out, ".work", "*.po"))):
    name = os.path.basename(po)[:-3]
    lang, domain = name.split(".", 1)
    part = "test" if hashlib.md5(domain.encode()).hexdigest()[0] in "012" else "train"
    label = lang if lang in langs else "other"
    for msgid, msgstr in messages(po):
        msgid, msgstr = clean(msgid), clean(msgstr)
        if lang == langs[0]:   # English once, from the first language's catalogues
            sets.setdefault((part, "en"), set()).add(msgid)
        if msgstr and msgstr != msgid:
            sets.setdefault((part, label), set()).add(msgstr)
# A text seen in both parts stays in train only: the test part is held apart.
for (part, label), texts in list(sets.items()):
    if part == "test":
        texts -= sets.get(("train", label), set())
for (part, label), texts in sorted(sets.items()):
    with open(os.path.join(out, part, label + ".txt"), "w", encoding="utf-8") as f:
        for t in sorted(texts): f.write(t + "\n")
    print(f"fetch-langid: {part}/{label}.txt {len(texts)} messages", file=sys.stderr)
PY
log "done: $out"
