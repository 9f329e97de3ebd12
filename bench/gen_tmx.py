#!/usr/bin/env python3
"""Generate an en-fr TMX 1.4b file of N translation units for heldout's ingest benchmark.

    bench/gen_tmx.py N [-o FILE] [--seed S] [--source TMX | --synthetic]

Text: the real en-fr pairs of corpora/debian/gettext.en-fr.tmx (made by corpora/fetch-debian.sh)
when that file exists, else synthetic sentences drawn from a fixed word list by a seeded RNG.
Real pairs are cycled through; a pair is used only if neither its English nor its French side
(whitespace collapsed) was met before, and from the second pass on both sides get the suffix
" (PASS)", so that every unit is distinct and no segment is shared between units (N units give
2N segments and N alignment groups). Synthetic units get " (i)" for the same reason.
Real pairs longer than 120 bytes a side are left out. One unit in four carries a
<prop type="x-domain">.

Output is streamed: memory does not grow with N (the real pairs, ~90k, are held once).
Average size is about 175 bytes per unit, like the real 1M-unit en-fr TMX the
ingest figures were first measured on (175 MB):
250k ~ 44 MB, 1M ~ 175 MB, 4M ~ 700 MB. Output is byte-identical for the same arguments and source.
"""

import argparse
import os
import random
import sys
import unicodedata
import xml.etree.ElementTree as ET

DEFAULT_SOURCE = os.path.join(os.path.dirname(os.path.abspath(__file__)),
                              "..", "corpora", "debian", "gettext.en-fr.tmx")
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
DOMAINS = ("software", "news", "fiction", "dialogue")

EN_WORDS = """the a this that every some new old small large first last good bad other same
file folder window user server message error system network package option value name list
change result report request answer question house street city country morning evening
night day week year time people child friend teacher doctor book letter story song road
river garden kitchen table door car train station market price money work plan idea
open close save delete find read write send receive show hide start stop check update
build install remove copy move print select cancel accept refuse wait walk talk think know
see hear bring leave take give keep call ask tell help try want need like love
quickly slowly always never often again now today tomorrow yesterday here there together
before after under over between with without from into about for and but or because when
if while although then still only also very really already soon""".split()

FR_WORDS = """le la les un une ce cette chaque quelques nouveau ancien petit grand premier dernier
bon mauvais autre même fichier dossier fenêtre utilisateur serveur message erreur système réseau
paquet option valeur nom liste changement résultat rapport demande réponse question maison rue
ville pays matin soir nuit jour semaine année temps gens enfant ami professeur médecin livre
lettre histoire chanson route rivière jardin cuisine table porte voiture train gare marché prix
argent travail projet idée ouvrir fermer enregistrer supprimer trouver lire écrire envoyer
recevoir montrer cacher commencer arrêter vérifier mettre installer retirer copier déplacer
imprimer choisir annuler accepter refuser attendre marcher parler penser savoir voir entendre
apporter partir prendre donner garder appeler demander dire aider essayer vouloir aimer
rapidement lentement toujours jamais souvent encore maintenant aujourd'hui demain hier ici là
ensemble avant après sous sur entre avec sans depuis dans pour et mais ou parce que quand si
pendant bien que ensuite déjà bientôt très vraiment""".split()


def norm(s):
    return unicodedata.normalize("NFC", " ".join(s.split()))


def xml_escape(s):
    return (s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
            .replace("\r", "&#13;"))


MAX_SIDE = 120  # bytes (escaped) per side: sentence-length units, not whole help screens


def load_pairs(path):
    """Distinct en-fr pairs of a TMX: neither side met before (whitespace collapsed, NFC),
    neither longer than MAX_SIDE bytes once escaped."""
    pairs, seen_en, seen_fr = [], set(), set()
    for _ev, el in ET.iterparse(path, events=("end",)):
        if el.tag != "tu":
            continue
        en = fr = None
        for tuv in el.iter("tuv"):
            lang = (tuv.get(XML_LANG) or tuv.get("lang") or "").lower()
            seg = tuv.find("seg")
            text = "".join(seg.itertext()) if seg is not None else ""
            if lang.startswith("en"):
                en = text
            elif lang.startswith("fr"):
                fr = text
        el.clear()
        if not en or not fr:
            continue
        if max(len(xml_escape(en).encode()), len(xml_escape(fr).encode())) > MAX_SIDE:
            continue
        ken, kfr = norm(en), norm(fr)
        if not ken or not kfr or ken in seen_en or kfr in seen_fr or ken in seen_fr or kfr in seen_en:
            continue
        seen_en.add(ken)
        seen_fr.add(kfr)
        pairs.append((en, fr))
    return pairs


def real_units(pairs):
    p = 0
    while True:
        suffix = "" if p == 0 else f" ({p})"
        for en, fr in pairs:
            yield en + suffix, fr + suffix
        p += 1


def synthetic_units(rng):
    i = 0
    while True:
        n = min(30, max(2, round(rng.lognormvariate(1.45, 0.5))))
        en = " ".join(rng.choice(EN_WORDS) for _ in range(n))
        fr = " ".join(rng.choice(FR_WORDS) for _ in range(n + rng.randint(0, 2)))
        yield f"{en[0].upper()}{en[1:]} ({i}).", f"{fr[0].upper()}{fr[1:]} ({i})."
        i += 1


def main(argv=None):
    ap = argparse.ArgumentParser(description="Generate an en-fr TMX of N units (streamed).")
    ap.add_argument("n", type=int, help="number of translation units")
    ap.add_argument("-o", "--output", help="output file (default: stdout)")
    ap.add_argument("--seed", type=int, default=17)
    g = ap.add_mutually_exclusive_group()
    g.add_argument("--source", help=f"TMX to take en-fr pairs from (default: {DEFAULT_SOURCE} if present)")
    g.add_argument("--synthetic", action="store_true", help="synthetic sentences even if the real corpus exists")
    args = ap.parse_args(argv)
    if args.n < 0:
        ap.error("N must be >= 0")

    rng = random.Random(args.seed)
    source = None
    if not args.synthetic:
        source = args.source or (DEFAULT_SOURCE if os.path.exists(DEFAULT_SOURCE) else None)
    if source:
        pairs = load_pairs(source)
        if not pairs:
            sys.exit(f"gen_tmx: no en-fr pairs in {source}")
        units = real_units(pairs)
        origin = (f"en-fr pairs of {os.path.basename(source)} (Debian gettext catalogues, see "
                  f"corpora/debian/SOURCES.tsv), {len(pairs)} distinct, cycled; suffix (PASS) from the second pass")
    else:
        units = synthetic_units(rng)
        origin = f"synthetic sentences from a fixed word list, seed {args.seed}"

    out = open(args.output + ".tmp", "w", encoding="utf-8", newline="\n", buffering=1 << 20) \
        if args.output else sys.stdout
    w = out.write
    w('<?xml version="1.0" encoding="UTF-8"?>\n<tmx version="1.4">\n'
      '<header creationtool="heldout bench/gen_tmx.py" creationtoolversion="1" datatype="PlainText"'
      ' segtype="sentence" adminlang="en" srclang="en" o-tmf="heldout">\n'
      f'<note>Benchmark data, {args.n} units: {xml_escape(origin)}.</note>\n</header>\n<body>\n')
    batch = []
    for i in range(args.n):
        en, fr = next(units)
        prop = (f'<prop type="x-domain">{DOMAINS[(i // 4) % 4] if not source else "software"}</prop>'
                if i % 4 == 0 else "")
        batch.append(f'<tu>{prop}\n<tuv xml:lang="en"><seg>{xml_escape(en)}</seg></tuv>\n'
                     f'<tuv xml:lang="fr"><seg>{xml_escape(fr)}</seg></tuv>\n</tu>\n')
        if len(batch) == 4096:
            w("".join(batch))
            batch.clear()
    w("".join(batch))
    w("</body>\n</tmx>\n")
    if args.output:
        out.close()
        os.replace(args.output + ".tmp", args.output)
    else:
        out.flush()
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main())
    except BrokenPipeError:
        sys.exit(1)
