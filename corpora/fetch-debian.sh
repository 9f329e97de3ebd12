#!/usr/bin/env bash
# Build real corpora for heldout from Debian packages, into corpora/debian/ (git-ignored:
# nothing made here is ever committed). Idempotent: a rerun rebuilds the same files.
#
#   corpora/fetch-debian.sh        # as root (or with sudo) on Debian 12, apt reachable
#   DEBIAN_DIR=/tmp/debian corpora/fetch-debian.sh   # into another folder (as bench/grade.sh reads)
#
# What it makes:
#   po/LANG/DOMAIN.po              every /usr/share/locale/{fr,de,es,it}/LC_MESSAGES/DOMAIN.mo,
#                                  turned back into PO with msgunfmt
#   gettext.en-LANG.tmx            TMX 1.4b, one <tu> per (domain, msgctxt, msgid) translated
#   gettext.en-fr-de-es.tmx        the same units with every fr/de/es translation (English pivot;
#                                  Italian is only in its own pair files, so this file stays as it was)
#   gettext.en-LANG.{en,LANG}      Moses line pairs (newlines inside a message become spaces)
#   freedict/freedict-PAIR.{index,dict.dz}  FreeDict dictionaries (dictd format, Debian's names)
#   prose/debian-reference.LANG.txt  the Debian Reference manual as text (en, fr, de, es): prose
#   prose/fortunes.LANG.txt        fortune cookies (en, de, es), one per paragraph: informal text
#   copyright/PACKAGE              the copyright file of every package something was taken from
#   SOURCES.tsv                    package, version, copyright file, source path, output path
#   README.txt                     how and when these files were made
#
# Each catalogue and dictionary keeps its package's licence (see SOURCES.tsv).
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
out="${DEBIAN_DIR:-$here/debian}"
LANGS=(fr de es)
# Languages with pair files only (gettext.en-LANG.*), kept out of the multi-way TMX above so that
# its name and bytes, which benches and docs figures rely on, do not change.
PAIR_LANGS=(it)
DICTS=(fra-eng eng-fra deu-eng spa-eng)
# A few common packages that ship fr/de/es catalogues, on top of what is installed already.
EXTRA_PACKAGES=(nano gawk cpio util-linux-locales)
# Prose in other domains than software messages: a manual, and informal text.
REFERENCE_LANGS=(en fr de es)
FORTUNE_PACKAGES=(fortunes fortunes-de fortunes-es)

log() { printf '%s\n' "fetch-debian: $*" >&2; }
die() { log "error: $*"; exit 1; }

as_root() {
  if [ "$(id -u)" -eq 0 ]; then "$@"
  elif command -v sudo >/dev/null 2>&1; then sudo "$@"
  else die "needs root (or sudo) to run: $*"; fi
}

[ -r /etc/debian_version ] || die "this script expects Debian (no /etc/debian_version)"
command -v apt-get >/dev/null || die "apt-get not found"

# ---------------------------------------------------------------- packages
packages=(gettext python3 "${EXTRA_PACKAGES[@]}")
for d in "${DICTS[@]}"; do packages+=("dict-freedict-$d"); done
for l in "${REFERENCE_LANGS[@]}"; do packages+=("debian-reference-$l"); done
packages+=("${FORTUNE_PACKAGES[@]}")

has_candidate() {
  local c
  c="$(apt-cache policy "$1" 2>/dev/null | awk '/Candidate:/ {print $2; exit}')"
  [ -n "$c" ] && [ "$c" != "(none)" ]
}
missing=()
for p in "${packages[@]}"; do has_candidate "$p" || missing+=("$p"); done
if [ "${#missing[@]}" -gt 0 ]; then
  log "apt has no candidate for ${missing[*]}: running apt-get update"
  as_root apt-get update -q
fi
log "installing ${packages[*]}"
as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends \
  "${packages[@]}" >&2

# ---------------------------------------------------------------- output tree
mkdir -p "$out"
rm -rf "$out/po" "$out/freedict" "$out/prose" "$out/copyright" "$out/.work"
work="$out/.work"
mkdir -p "$work" "$out/freedict" "$out/prose" "$out/copyright"
for l in "${LANGS[@]}" "${PAIR_LANGS[@]}"; do mkdir -p "$out/po/$l"; done
trap 'rm -rf "$work"' EXIT

# Every file taken, one per line: source path <TAB> output path (relative to corpora/debian).
taken="$work/taken.tsv"
: >"$taken"

shopt -s nullglob
mos=()
for l in "${LANGS[@]}" "${PAIR_LANGS[@]}"; do
  for mo in /usr/share/locale/"$l"/LC_MESSAGES/*.mo; do mos+=("$mo"); done
done
[ "${#mos[@]}" -gt 0 ] || die "no .mo catalogues under /usr/share/locale/{${LANGS[*]}}"

dict_files=()
for d in "${DICTS[@]}"; do
  for f in "/usr/share/dictd/freedict-$d.index" "/usr/share/dictd/freedict-$d.dict.dz"; do
    [ -f "$f" ] || die "$f missing after installing dict-freedict-$d"
    dict_files+=("$f")
  done
done

reference_files=()
for l in "${REFERENCE_LANGS[@]}"; do
  f="/usr/share/debian-reference/debian-reference.$l.txt.gz"
  [ -f "$f" ] || die "$f missing after installing debian-reference-$l"
  reference_files+=("$f")
done
# Fortune files: regular files only (the .u8 names are symlinks), no index (.dat), no ASCII art,
# nothing from the offensive sets (off/).
fortune_files=()
for dir in /usr/share/games/fortunes /usr/share/games/fortunes/de /usr/share/games/fortunes/es; do
  for f in "$dir"/*; do
    [ -f "$f" ] && [ ! -L "$f" ] || continue
    case "$(basename "$f")" in *.dat|*.u8|*ascii*|*asciiart*) continue ;; esac
    fortune_files+=("$f")
  done
done
[ "${#fortune_files[@]}" -gt 0 ] || die "no fortune files under /usr/share/games/fortunes"

# Owning package of every file, in one dpkg call: "pkg[:arch][, pkg2]: /path".
owners="$work/owners.raw"
{ dpkg-query -S "${mos[@]}" "${dict_files[@]}" "${reference_files[@]}" "${fortune_files[@]}" 2>/dev/null || true; } | grep -v "^diversion by" >"$owners" || true
owner_of() {  # path -> package (first owner, without :arch), or empty
  awk -v p="$1" 'index($0, ": " p) && substr($0, length($0) - length(p) + 1) == p {
      split($0, a, ": "); split(a[1], b, ", "); sub(/:.*/, "", b[1]); print b[1]; exit }' "$owners"
}

# ---------------------------------------------------------------- gettext catalogues
: >"$work/domains.tsv"
converted=0
for mo in "${mos[@]}"; do
  l="$(basename "$(dirname "$(dirname "$mo")")")"
  domain="$(basename "$mo" .mo)"
  pkg="$(owner_of "$mo")"
  rel="po/$l/$domain.po"
  if ! msgunfmt --no-wrap -o "$work/conv.po" "$mo" 2>"$work/conv.err"; then
    log "warning: msgunfmt failed on $mo, skipped: $(head -n1 "$work/conv.err")"
    continue
  fi
  {
    printf '# Made by heldout corpora/fetch-debian.sh: msgunfmt %s\n' "$mo"
    if [ -n "$pkg" ]; then
      printf '# Debian package %s %s; licence: /usr/share/doc/%s/copyright (copy in ../../copyright/%s)\n' \
        "$pkg" "$(dpkg-query -W -f '${Version}' "$pkg" 2>/dev/null | head -n1)" "$pkg" "$pkg"
    else
      printf '# Not owned by any Debian package (dpkg -S found nothing)\n'
    fi
    cat "$work/conv.po"
  } >"$out/$rel"
  printf '%s\t%s\n' "$mo" "$rel" >>"$taken"
  printf '%s\t%s\n' "$domain" "$pkg" >>"$work/domains.tsv"
  converted=$((converted + 1))
done
log "converted $converted of ${#mos[@]} catalogues with msgunfmt"

log "building TMX and Moses files"
python3 "$here/fetch_debian.py" --po-dir "$out/po" --owners "$work/domains.tsv" \
  --out "$out" --langs "$(IFS=,; echo "${LANGS[*]}")"
# One language per call: its "multi-way" file is gettext.en-LANG.tmx again, the same units.
for l in "${PAIR_LANGS[@]}"; do
  python3 "$here/fetch_debian.py" --po-dir "$out/po" --owners "$work/domains.tsv" --out "$out" --langs "$l"
done

# ---------------------------------------------------------------- FreeDict
for f in "${dict_files[@]}"; do
  cp -f "$f" "$out/freedict/"
  printf '%s\t%s\n' "$f" "freedict/$(basename "$f")" >>"$taken"
done

# ---------------------------------------------------------------- prose
for f in "${reference_files[@]}"; do
  l="$(basename "$f" .txt.gz)"; l="${l##*.}"
  gzip -dc "$f" >"$out/prose/debian-reference.$l.txt"
  printf '%s\t%s\n' "$f" "prose/debian-reference.$l.txt" >>"$taken"
done
# A fortune file holds entries separated by lines of "%"; here each entry becomes one paragraph
# (blank lines inside an entry are dropped), so `--documents paragraph` makes it one document.
python3 - "$out/prose" "$taken" "${fortune_files[@]}" <<'PY'
import os, sys
out, taken, files = sys.argv[1], sys.argv[2], sys.argv[3:]
by_lang = {}
for path in sorted(files):
    parent = os.path.basename(os.path.dirname(path))
    lang = parent if parent in ("de", "es") else "en"
    try:
        text = open(path, "rb").read().decode("utf-8")
    except UnicodeDecodeError:
        print(f"fetch-debian: warning: {path} is not UTF-8, skipped", file=sys.stderr)
        continue
    entries = []
    for entry in text.replace("\r\n", "\n").split("\n%\n"):
        lines = [l.rstrip() for l in entry.strip("%\n").split("\n") if l.strip()]
        if lines:
            entries.append("\n".join(lines))
    by_lang.setdefault(lang, []).append((path, entries))
with open(taken, "a") as t:
    for lang, items in sorted(by_lang.items()):
        rel = f"prose/fortunes.{lang}.txt"
        with open(os.path.join(out, f"fortunes.{lang}.txt"), "w") as o:
            for path, entries in items:
                for e in entries:
                    o.write(e + "\n\n")
                t.write(f"{path}\t{rel}\n")
PY

# ---------------------------------------------------------------- SOURCES.tsv
sources="$out/SOURCES.tsv"
{
  printf 'package\tversion\tcopyright\tsource\toutput\n'
  while IFS=$'\t' read -r src rel; do
    pkg="$(owner_of "$src")"
    if [ -n "$pkg" ]; then
      ver="$(dpkg-query -W -f '${Version}' "$pkg" 2>/dev/null | head -n1)"
      copy="/usr/share/doc/$pkg/copyright"
      if [ -f "$copy" ] && [ ! -f "$out/copyright/$pkg" ]; then cp "$copy" "$out/copyright/$pkg"; fi
      [ -f "$copy" ] || copy="(none)"
    else
      pkg="(unowned)"; ver=""; copy="(none)"
    fi
    printf '%s\t%s\t%s\t%s\t%s\n' "$pkg" "$ver" "$copy" "$src" "$rel"
  done <"$taken" | LC_ALL=C sort -t $'\t' -k1,1 -k4,4
} >"$sources.tmp"
mv -f "$sources.tmp" "$sources"

cat >"$out/README.txt" <<EOF
Made by heldout's corpora/fetch-debian.sh on $(hostname) ($(. /etc/os-release && echo "$PRETTY_NAME")),
$(date -u +%Y-%m-%dT%H:%M:%SZ). Nothing here was written by the heldout authors and nothing here is
committed: it is taken from the Debian packages listed in SOURCES.tsv (package, version, copyright
file, source path, output path), each under its own licence (copies of the copyright files in
copyright/).

po/LANG/DOMAIN.po         msgunfmt of /usr/share/locale/LANG/LC_MESSAGES/DOMAIN.mo
gettext.en-LANG.tmx       TMX 1.4b, one <tu> per (domain, msgctxt, msgid) with a LANG translation;
                          props x-domain (software), x-package (gettext domain), x-debian-package,
                          x-context (msgctxt)
gettext.en-fr-de-es.tmx   the same units with all their fr/de/es translations (English pivot;
                          Italian, gettext.en-it.*, has its pair files only)
gettext.en-LANG.en/.LANG  Moses pairs of the same units, in the same order
freedict/                 FreeDict dictionaries (dictd .index + .dict.dz) from dict-freedict-*
prose/debian-reference.LANG.txt   the Debian Reference (debian-reference-LANG), as its text edition
prose/fortunes.LANG.txt   fortune cookies (fortunes, fortunes-de, fortunes-es; no offensive set,
                          no ASCII art), one per paragraph
EOF

if command -v xmllint >/dev/null 2>&1; then
  for t in "$out"/gettext.*.tmx; do xmllint --stream --noout "$t" || die "$t is not well-formed"; done
  log "TMX files are well-formed (xmllint)"
fi
log "done: $out"
