import Foundation
import HeldoutCore

/// Words of a sentence, for finding content words where no treebank analysis exists.
///
/// Letters (with inner hyphens and apostrophes) make a word; a French elided article or pronoun
/// (`l'`, `d'`, `qu'`) is split off, so `l'horloge` gives `horloge` while `aujourd'hui` stays whole.
public enum WordSplitter {
    static let elisions: Set<String> = ["l", "d", "j", "m", "n", "s", "t", "c", "qu", "jusqu", "lorsqu", "puisqu", "quoiqu"]

    public static func words(_ text: String) -> [String] {
        var out: [String] = []
        var current = ""
        func flush() {
            var word = current
            current = ""
            while let last = word.last, last == "-" || last == "'" || last == "’" { word.removeLast() }
            guard !word.isEmpty else { return }
            if let apostrophe = word.firstIndex(where: { $0 == "'" || $0 == "’" }),
               elisions.contains(word[..<apostrophe].lowercased()) {
                let rest = String(word[word.index(after: apostrophe)...])
                if !rest.isEmpty { out.append(rest) }
                return
            }
            out.append(word)
        }
        for character in text {
            if character.isLetter {
                current.append(character)
            } else if (character == "-" || character == "'" || character == "’"), !current.isEmpty {
                current.append(character)
            } else {
                flush()
            }
        }
        flush()
        return out
    }
}

/// Function words per language: never the target of a definition question.
public enum StopWords {
    static let french: Set<String> = Set("""
    a à afin ai aie aient aies ait alors as au aucun aucune aura aurai auraient aurais aurait aurez auront aussi autre
    autres aux avaient avais avait avant avec avez avoir avons ayant c ça car ce ceci cela celle celles celui ces cet cette
    ceux chaque chez ci comme comment d dans de depuis des dès donc dont du elle elles en encore entre es est et étaient
    étais était êtes être eu eux fait fois furent fut ici il ils je jusqu l la là le les leur leurs lui m ma mais me même
    mes moi mon n ne ni non nos notre nous on ont ou où par parce pas peu peut plus pour pourquoi qu quand que quel quelle
    quelles quels qui s sa sans se sera serai seraient serais serait seront ses si sien son sont sous soyez suis sur t ta
    te tes toi ton tous tout toute toutes très tu un une vers voici voilà vos votre vous y déjà vraiment
    après devant derrière pendant selon durant contre malgré parmi envers hors outre via lorsque puisque quoique
    tandis plusieurs certains certaines quelque quelques tel telle tels telles lequel laquelle lesquels lesquelles
    duquel auquel auxquels desquels celui-ci celle-ci ceux-ci celles-ci celui-là celle-là quiconque chacun chacune
    aucuns nul nulle autrui soi leur-même lui-même elle-même eux-mêmes nous-mêmes vous-mêmes moi-même toi-même
    """.split(whereSeparator: \.isWhitespace).map(String.init))
    /// Number words: never asked about in untagged text (a numeral's meaning is not a definition question).
    static let frenchNumbers: Set<String> = Set("""
    zéro deux trois quatre cinq six sept huit neuf dix onze douze treize quatorze quinze seize vingt vingts trente
    quarante cinquante soixante cent cents mille
    """.split(whereSeparator: \.isWhitespace).map(String.init))

    static let german: Set<String> = Set("""
    aber alle allem allen aller alles als also am an ander andere anderem anderen anderer anderes auch auf aus bei beim
    bin bis bist da damit dann das dass dein deine deinem deinen deiner dem den denn der deren des dessen dich die dies
    diese diesem diesen dieser dieses dir doch dort du durch ein eine einem einen einer eines er es etwas euch euer
    eure für gegen gewesen hab habe haben hat hatte hatten hier hin hinter ich ihm ihn ihnen ihr ihre ihrem ihren ihrer
    im in indem ins ist jede jedem jeden jeder jedes jene jenem jenen jener jenes jetzt kann kein keine keinem keinen
    keiner können könnte machen man manche manchem manchen mancher mein meine meinem meinen meiner mit muss musste nach
    nicht nichts noch nun nur ob oder ohne sehr sein seine seinem seinen seiner seit sich sie sind so solche solchem
    solchen solcher soll sollte sondern sonst über um und uns unser unsere unter viel vom von vor war waren warst was
    weg weil weiter welche welchem welchen welcher welches wenn werde werden wie wieder will wir wird wirst wo wollen
    wollte würde würden zu zum zur zwar zwischen bitte ja nein kein
    """.split(whereSeparator: \.isWhitespace).map(String.init))
    static let spanish: Set<String> = Set("""
    a al algo algunas algunos ante antes como con contra cual cuando de del desde donde durante e el él ella ellas ellos
    en entre era erais eran eras eres es esa esas ese eso esos esta estaba estado estais estamos estan estar estas este
    esto estos estoy fue fueron fui ha habéis había han has hasta hay la las le les lo los más me mi mis mucho muchos
    muy nada ni no nos nosotras nosotros o os otra otras otro otros para pero poco por porque que qué quien quienes se
    sea ser si sí sido sin sobre sois somos son soy su sus también tanto te tenéis tenemos tener tengo ti tiene tienen
    todo todos tu tus tú un una unas uno unos vosotras vosotros vuestra vuestro y ya yo aquí allí cada cual cuales
    """.split(whereSeparator: \.isWhitespace).map(String.init))
    static let germanNumbers: Set<String> = Set("""
    null eins zwei drei vier fünf sechs sieben acht neun zehn elf zwölf zwanzig dreißig vierzig fünfzig hundert tausend
    """.split(whereSeparator: \.isWhitespace).map(String.init))
    static let spanishNumbers: Set<String> = Set("""
    cero dos tres cuatro cinco seis siete ocho nueve diez once doce veinte treinta cuarenta cincuenta cien ciento mil
    """.split(whereSeparator: \.isWhitespace).map(String.init))

    public static func isNumber(_ word: String, lang: String) -> Bool {
        let lower = word.lowercased()
        switch lang {
        case "fr": return frenchNumbers.contains(lower)
        case "de": return germanNumbers.contains(lower)
        case "es": return spanishNumbers.contains(lower)
        default: return false
        }
    }
    static let english: Set<String> = Set("""
    a an and are as at be been but by can could did do does for from had has have he her him his i if in into is it its
    me my no not of on or our she so than that the their them then there these they this those to too us was we were what
    when which who will with would you your
    """.split(whereSeparator: \.isWhitespace).map(String.init))

    public static func contains(_ word: String, lang: String) -> Bool {
        let lower = word.lowercased()
        switch lang {
        case "fr": return french.contains(lower)
        case "en": return english.contains(lower)
        case "de": return german.contains(lower)
        case "es": return spanish.contains(lower)
        default: return false
        }
    }
}

/// Language names for questions (`fr` → French).
public enum LanguageNames {
    static let names: [String: String] = [
        "fr": "French", "en": "English", "de": "German", "es": "Spanish", "it": "Italian", "pt": "Portuguese",
        "nl": "Dutch", "sv": "Swedish", "pl": "Polish", "ru": "Russian",
    ]
    public static func name(_ code: String) -> String { names[code] ?? code }
}

/// English glosses made comparable with an English sentence: lowercased words with regular
/// inflection stripped (`defended` → `defend`, `bridges` → `bridge`), so a translation that uses an
/// inflected form still shows which sense is meant.
public enum EnglishStem {
    public static func stem(_ word: String) -> String {
        var w = word.lowercased()
        if w.count > 4, w.hasSuffix("ies") { return String(w.dropLast(3)) + "y" }
        // Strong participles: forbidden → forbid, written → writ(e), taken → tak(e).
        if w.count > 5, w.hasSuffix("en"), !w.hasSuffix("een") {
            w = String(w.dropLast(2))
            if let last = w.last, w.dropLast().last == last { w.removeLast() }
            if w.count > 3, w.hasSuffix("e") { w.removeLast() }
            return w
        }
        for suffix in ["ing", "ed", "es", "s"] where w.count > suffix.count + 2 && w.hasSuffix(suffix) {
            if suffix == "s", w.hasSuffix("ss") { break }
            w = String(w.dropLast(suffix.count))
            // doubled consonant (stopped → stopp → stop); silent e lost (closed → clos, matched against "close" → clos)
            if suffix != "s", suffix != "es", let last = w.last, w.count > 2, w.dropLast().last == last, !"aeiousl".contains(last) { w.removeLast() }
            break
        }
        if w.count > 3, w.hasSuffix("e") { w.removeLast() }
        return w
    }

    public static func stems(_ text: String) -> [String] {
        text.split(whereSeparator: { !$0.isLetter && $0 != "-" }).map { stem(String($0)) }
    }
}

/// Names for Universal Dependencies feature values, as a learner would say them.
public enum FeatureNames {
    static let featureNames: [String: String] = [
        "Tense": "tense", "Mood": "mood", "Person": "person", "Number": "number", "Gender": "gender", "Case": "case",
        "VerbForm": "verb form", "Definite": "definiteness", "PronType": "pronoun type", "Voice": "voice",
    ]
    static let valueNames: [String: [String: String]] = [
        "Tense": ["Pres": "present", "Past": "past", "Imp": "imperfect", "Fut": "future", "Pqp": "pluperfect"],
        "Mood": ["Ind": "indicative", "Sub": "subjunctive", "Cnd": "conditional", "Imp": "imperative"],
        "Person": ["1": "first person", "2": "second person", "3": "third person"],
        "Number": ["Sing": "singular", "Plur": "plural"],
        "Gender": ["Masc": "masculine", "Fem": "feminine", "Neut": "neuter"],
        "Case": ["Nom": "nominative", "Acc": "accusative", "Dat": "dative", "Gen": "genitive"],
        "VerbForm": ["Fin": "finite", "Inf": "infinitive", "Part": "participle", "Ger": "gerund"],
        "Definite": ["Def": "definite", "Ind": "indefinite"],
        "Voice": ["Act": "active", "Pass": "passive"],
    ]

    public static func feature(_ name: String) -> String { featureNames[name] ?? name }
    public static func value(_ feature: String, _ value: String) -> String { valueNames[feature]?[value] ?? value }

    /// `Gender=Masc|Number=Sing` restricted to `names` → `masculine singular`.
    public static func describe(_ features: Features, only names: [String]) -> String {
        names.compactMap { name in features[name].map { value(name, $0) } }.joined(separator: " ")
    }
}
