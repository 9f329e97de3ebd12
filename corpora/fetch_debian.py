#!/usr/bin/env python3
"""Turn gettext PO catalogues (made by corpora/fetch-debian.sh with msgunfmt) into
TMX 1.4b files and Moses line pairs.

Standard library only. Called by fetch-debian.sh as

    fetch_debian.py --po-dir DIR --owners OWNERS.tsv --out DIR [--langs fr,de,es]

DIR/LANG/DOMAIN.po are read; OWNERS.tsv (domain<TAB>package, from `dpkg -S`) names the
Debian package each domain came from. Written into --out:

    gettext.en-LANG.tmx            one <tu> per (domain, msgctxt, msgid) translated into LANG
    gettext.en-fr-de-es.tmx        one <tu> per (domain, msgctxt, msgid), with every translation
    gettext.en-LANG.en / .LANG     Moses pairs, one unit per line, in the same order

What is kept: entries with a msgid, not fuzzy, with a non-empty translation (msgstr, or msgstr[0]
for plural entries: the singular form, which pairs with msgid). What is dropped, and counted:
the header entry, fuzzy entries, untranslated entries, entries whose msgid has no letter once
format specifiers are removed ("%s: %s", "%d%%", "{0}", "--"), and entries holding a character
XML 1.0 cannot carry (C0 controls other than tab/newline/CR). Text is kept as it is otherwise
(keyboard accelerators such as "_File" and "&Open" included).
"""

import argparse
import collections
import hashlib
import os
import re
import sys

# ---------------------------------------------------------------------------- PO parsing

_SIMPLE_ESCAPES = {
    ord("n"): b"\n", ord("t"): b"\t", ord("r"): b"\r", ord("a"): b"\a", ord("b"): b"\b",
    ord("f"): b"\f", ord("v"): b"\v", ord("\\"): b"\\", ord('"'): b'"', ord("'"): b"'",
    ord("?"): b"?",
}
_OCTAL = b"01234567"
_HEX = b"0123456789abcdefABCDEF"


def unescape(raw: bytes) -> bytes:
    """Decode C escapes of a PO string body (without its quotes). Works on bytes, because
    octal and hex escapes stand for bytes of the catalogue's charset."""
    if b"\\" not in raw:
        return raw
    out = bytearray()
    i, n = 0, len(raw)
    while i < n:
        c = raw[i]
        if c != 0x5C or i + 1 == n:  # not a backslash (or a trailing one: keep it)
            out.append(c)
            i += 1
            continue
        e = raw[i + 1]
        if e in _SIMPLE_ESCAPES:
            out += _SIMPLE_ESCAPES[e]
            i += 2
        elif e in _OCTAL:
            j = i + 1
            while j < n and j < i + 4 and raw[j] in _OCTAL:
                j += 1
            out.append(int(raw[i + 1:j], 8) & 0xFF)
            i = j
        elif e in (ord("x"), ord("X")) and i + 2 < n and raw[i + 2] in _HEX:
            j = i + 2
            while j < n and raw[j] in _HEX:
                j += 1
            out.append(int(raw[i + 2:j], 16) & 0xFF)
            i = j
        else:  # unknown escape: keep the character, as gettext does
            out.append(e)
            i += 2
    return bytes(out)


class POEntry:
    __slots__ = ("msgctxt", "msgid", "msgid_plural", "msgstr", "flags", "obsolete", "line")

    def __init__(self, line):
        self.msgctxt = None       # bytes or None
        self.msgid = None         # bytes
        self.msgid_plural = None  # bytes or None
        self.msgstr = {}          # index (0 for plain msgstr) -> bytes
        self.flags = set()
        self.obsolete = False
        self.line = line


_KEYWORD = re.compile(rb"^(msgctxt|msgid_plural|msgid|msgstr(?:\[(\d+)\])?)\s*(\".*)$")
_STRING = re.compile(rb'^"(.*)"\s*$')


class POError(Exception):
    pass


def parse_po(data: bytes, path: str):
    """Parse a PO file (bytes). Returns (entries, charset); entry strings are decoded str."""
    entries = []
    cur = None
    field = None          # (name, index) the current continuation lines belong to
    pending_flags = set()
    pending_obsolete = False
    pending_line = None

    def finish():
        nonlocal cur
        if cur is not None and cur.msgid is not None:
            entries.append(cur)
        cur = None

    for lineno, line in enumerate(data.split(b"\n"), 1):
        line = line.rstrip(b"\r").strip()
        if not line:
            field = None
            continue
        if line.startswith(b"#~"):
            # obsolete entry: never used, but it ends the current entry
            if cur is not None and cur.msgstr:
                finish()
            field = None
            continue
        if line.startswith(b"#"):
            if cur is not None and cur.msgstr:
                finish()
            if line.startswith(b"#,"):
                pending_flags.update(f.strip().decode("ascii", "replace")
                                     for f in line[2:].split(b",") if f.strip())
            field = None
            continue
        m = _KEYWORD.match(line)
        if m:
            name, idx, rest = m.group(1), m.group(2), m.group(3)
            sm = _STRING.match(rest)
            if not sm:
                raise POError(f"{path}:{lineno}: malformed string after {name.decode()}")
            value = unescape(sm.group(1))
            if name in (b"msgctxt", b"msgid"):
                # a new entry starts at msgctxt, or at msgid when no msgctxt preceded it
                if cur is not None and (cur.msgstr or name == b"msgctxt" or cur.msgid is not None):
                    finish()
                if cur is None:
                    cur = POEntry(lineno)
                    cur.flags, pending_flags = pending_flags, set()
                if name == b"msgctxt":
                    cur.msgctxt = value
                    field = ("msgctxt", None)
                else:
                    cur.msgid = value
                    field = ("msgid", None)
            elif cur is None or cur.msgid is None:
                raise POError(f"{path}:{lineno}: {name.decode()} without msgid")
            elif name == b"msgid_plural":
                cur.msgid_plural = value
                field = ("msgid_plural", None)
            else:
                k = int(idx) if idx is not None else 0
                cur.msgstr[k] = value
                field = ("msgstr", k)
            continue
        sm = _STRING.match(line)
        if sm and field is not None and cur is not None:
            value = unescape(sm.group(1))
            name, k = field
            if name == "msgctxt":
                cur.msgctxt += value
            elif name == "msgid":
                cur.msgid += value
            elif name == "msgid_plural":
                cur.msgid_plural += value
            else:
                cur.msgstr[k] += value
            continue
        raise POError(f"{path}:{lineno}: cannot parse line: {line[:60]!r}")
    finish()

    charset = "utf-8"
    for e in entries:
        if e.msgid == b"" and e.msgctxt is None:
            m = re.search(rb"charset=([A-Za-z0-9_.:-]+)", e.msgstr.get(0, b""))
            if m:
                charset = m.group(1).decode("ascii")
            break
    if charset.upper() in ("CHARSET", ""):
        charset = "utf-8"
    try:
        b"".decode(charset)
    except LookupError:
        charset = "utf-8"

    def dec(b):
        return None if b is None else b.decode(charset, errors="replace")

    for e in entries:
        e.msgctxt = dec(e.msgctxt)
        e.msgid = dec(e.msgid)
        e.msgid_plural = dec(e.msgid_plural)
        e.msgstr = {k: dec(v) for k, v in e.msgstr.items()}
    return entries, charset


# ---------------------------------------------------------------------------- filters

# printf (C, with positional args, flags, inttypes <PRIx64> macros), python %(name)s,
# python/C# braces {0} {name:>10}, Qt %1, and strftime %H:%M.
_FORMAT = re.compile(
    r"%(?:\d+\$)?[-+ #0'I]*(?:\*(?:\d+\$)?|\d+)?(?:\.(?:\*(?:\d+\$)?|\d+))?"
    r"(?:hh|h|ll|l|L|q|j|z|Z|t)?(?:<PRI[a-zA-Z0-9]+>|[diouxXDOUeEfFgGaAcCsSpnm%])"
    r"|%\([^)]*\)[-+ #0]*\d*(?:\.\d+)?[diouxXeEfFgGcrsa%]"
    r"|\{[A-Za-z0-9_.\[\]]*(?:![rsa])?(?::[^{}]*)?\}"
    r"|%\d+"
    r"|%[-_0^#]?\d*[EO]?[a-zA-Z+]"  # strftime (%H:%M, %a %b %e, %Ey)
)
# Characters XML 1.0 cannot carry, even as character references.
_XML_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
# Characters that some line readers take for a line break: replaced by a space in Moses files.
_LINE_BREAKS = re.compile("[\r\n\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029]")


def only_format(msgid: str) -> bool:
    rest = _FORMAT.sub("", msgid)
    return not any(ch.isalpha() for ch in rest)


def xml_escape(s: str) -> str:
    return (s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
            .replace("\r", "&#13;"))


def xml_attr(s: str) -> str:
    return xml_escape(s).replace('"', "&quot;").replace("\n", "&#10;").replace("\t", "&#9;")


def moses_line(s: str) -> str:
    return _LINE_BREAKS.sub(" ", s)


# ---------------------------------------------------------------------------- writers

class AtomicText:
    """A text file written beside its final name and renamed into place on success."""

    def __init__(self, path):
        self.path = path
        self.tmp = path + ".tmp"
        self.f = open(self.tmp, "w", encoding="utf-8", newline="\n")

    def write(self, s):
        self.f.write(s)

    def commit(self):
        self.f.close()
        os.replace(self.tmp, self.path)


def tmx_header(langs, origin_note):
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<tmx version="1.4">\n'
        '  <header creationtool="heldout corpora/fetch_debian.py" creationtoolversion="1"'
        ' datatype="PlainText" segtype="sentence" adminlang="en" srclang="en" o-tmf="PO">\n'
        f'    <note>{xml_escape(origin_note)}</note>\n'
        f'    <prop type="x-languages">{xml_escape(" ".join(langs))}</prop>\n'
        '  </header>\n'
        '  <body>\n'
    )


def tmx_unit(key, info, tuvs):
    domain, ctxt, msgid = key
    parts = [f'    <tu tuid="{xml_attr(info["tuid"])}">\n',
             '      <prop type="x-domain">software</prop>\n',
             f'      <prop type="x-package">{xml_escape(domain)}</prop>\n']
    if info["package"]:
        parts.append(f'      <prop type="x-debian-package">{xml_escape(info["package"])}</prop>\n')
    if ctxt is not None:
        parts.append(f'      <prop type="x-context">{xml_escape(ctxt)}</prop>\n')
    parts.append(f'      <tuv xml:lang="en"><seg>{xml_escape(msgid)}</seg></tuv>\n')
    for lang, text in tuvs:
        parts.append(f'      <tuv xml:lang="{lang}"><seg>{xml_escape(text)}</seg></tuv>\n')
    parts.append("    </tu>\n")
    return "".join(parts)


# ---------------------------------------------------------------------------- main

def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--po-dir", required=True, help="directory holding LANG/DOMAIN.po")
    ap.add_argument("--owners", help="TSV: domain<TAB>debian package")
    ap.add_argument("--out", required=True, help="output directory")
    ap.add_argument("--langs", default="fr,de,es")
    args = ap.parse_args(argv)
    langs = [l for l in args.langs.split(",") if l]

    owners = collections.defaultdict(set)
    if args.owners and os.path.exists(args.owners):
        with open(args.owners, encoding="utf-8") as f:
            for line in f:
                cols = line.rstrip("\n").split("\t")
                if len(cols) >= 2 and cols[1]:
                    owners[cols[0]].add(cols[1])

    # key (domain, msgctxt, msgid) -> {lang: translation}
    units = collections.defaultdict(dict)
    dropped = collections.Counter()
    catalogues = collections.Counter()
    for lang in langs:
        d = os.path.join(args.po_dir, lang)
        if not os.path.isdir(d):
            continue
        for name in sorted(os.listdir(d)):
            if not name.endswith(".po"):
                continue
            domain = name[:-3]
            path = os.path.join(d, name)
            with open(path, "rb") as f:
                data = f.read()
            try:
                entries, _charset = parse_po(data, path)
            except POError as e:
                print(f"warning: skipping {e}", file=sys.stderr)
                dropped["unparsable catalogue"] += 1
                continue
            catalogues[lang] += 1
            for e in entries:
                if e.msgid == "" and e.msgctxt is None:
                    continue  # header
                if "fuzzy" in e.flags:
                    dropped["fuzzy"] += 1
                    continue
                text = e.msgstr.get(0, "")
                if text == "":
                    dropped["untranslated"] += 1
                    continue
                if e.msgid.strip() == "" or only_format(e.msgid):
                    dropped["msgid without words (format specifiers, punctuation)"] += 1
                    continue
                if _XML_ILLEGAL.search(e.msgid) or _XML_ILLEGAL.search(text) or (
                        e.msgctxt is not None and _XML_ILLEGAL.search(e.msgctxt)):
                    dropped["character not allowed in XML 1.0"] += 1
                    continue
                units[(domain, e.msgctxt, e.msgid)][lang] = text

    def sort_key(k):
        return (k[0], k[1] is not None, k[1] or "", k[2])

    keys = sorted(units, key=sort_key)
    info = {}
    for k in keys:
        h = hashlib.sha1(("" if k[1] is None else k[1]).encode() + b"\x04" + k[2].encode())
        info[k] = {"tuid": f"{k[0]}:{h.hexdigest()[:12]}",
                   "package": " ".join(sorted(owners.get(k[0], ())))}

    note = ("Built by heldout's corpora/fetch-debian.sh from the gettext catalogues (.mo) of the "
            "Debian packages installed on the machine that ran it (/usr/share/locale/LANG/"
            "LC_MESSAGES/DOMAIN.mo, converted back to PO with msgunfmt). English is the msgid, the "
            "other language its msgstr. Each unit keeps the licence of its package "
            "(prop x-debian-package); see SOURCES.tsv beside this file for versions and copyright files.")

    os.makedirs(args.out, exist_ok=True)
    counts = {}
    for lang in langs:
        base = os.path.join(args.out, f"gettext.en-{lang}")
        tmx = AtomicText(base + ".tmx")
        en = AtomicText(base + ".en")
        tr = AtomicText(base + f".{lang}")
        tmx.write(tmx_header(["en", lang], note))
        n = 0
        for k in keys:
            t = units[k].get(lang)
            if t is None:
                continue
            tmx.write(tmx_unit(k, info[k], [(lang, t)]))
            en.write(moses_line(k[2]) + "\n")
            tr.write(moses_line(t) + "\n")
            n += 1
        tmx.write("  </body>\n</tmx>\n")
        for f in (tmx, en, tr):
            f.commit()
        counts[lang] = n

    multi_name = "gettext.en-" + "-".join(langs) + ".tmx"
    multi = AtomicText(os.path.join(args.out, multi_name))
    multi.write(tmx_header(["en"] + langs, note))
    for k in keys:
        multi.write(tmx_unit(k, info[k], [(l, units[k][l]) for l in langs if l in units[k]]))
    multi.write("  </body>\n</tmx>\n")
    multi.commit()

    # ---- report
    def norm(s):
        return " ".join(s.split())

    print(f"catalogues read: " + ", ".join(f"{l} {catalogues[l]}" for l in langs))
    for lang in langs:
        print(f"gettext.en-{lang}: {counts[lang]} units")
    print(f"{multi_name}: {len(keys)} units")
    if "fr" in langs and "de" in langs:
        both = sum(1 for k in keys if "fr" in units[k] and "de" in units[k])
        print(f"(domain, msgctxt, msgid) keys with fr AND de: {both} of {len(keys)}")
        texts = collections.defaultdict(set)
        for k in keys:
            texts[norm(k[2])].update(units[k])
        tboth = sum(1 for v in texts.values() if "fr" in v and "de" in v)
        print(f"distinct English texts (whitespace collapsed) with fr AND de: {tboth} of {len(texts)}")
    for reason, n in sorted(dropped.items()):
        print(f"dropped ({reason}): {n}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
