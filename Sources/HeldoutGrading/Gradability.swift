/// What is not prose is not graded: the rules that decide, before any formula, that a segment
/// is a path, code, a version string, a list of names, a label or text without sentence
/// boundaries (docs/grading.md, "What is graded").
///
/// Readability formulas measure sentence length and word length; on a file name, a menu label
/// or `V:17, I:196` they still give a number (`/usr/lib/mc/mc.sh` 0.7, `Arabic, Algerian
/// Saharan` 24.9), and those numbers filled the college band on Debian's data. The rules look
/// at the text's form only (one pass over its bytes, whitespace-separated tokens); they need no
/// tagger, so they run at the grader's speed in every language.
public enum Gradability {
    /// A token class share at or above this makes the segment that class (path, code, version).
    static let tokenShare = 0.25
    /// Figures (numbers, versions, `V:17`) need a larger share: "2 files were copied" is prose.
    static let figureShare = 0.4
    /// An unpunctuated text of fewer words than this with no verb cue is a label.
    static let labelMaxWords = 10
    /// An unpunctuated text of more words than this has no sentence boundaries to measure.
    static let unpunctuatedMaxWords = 30

    /// Why `text` is not prose, or `nil` when it is gradable; `words` is the analyzer's count.
    public static func reason(_ text: String, words: Int, language: GradingLanguage) -> UngradableReason? {
        var text = text
        return text.withUTF8 { reason(utf8: $0, words: words, language: language) }
    }

    /// Token form counts of one text, in one pass.
    struct Shape {
        var tokens = 0
        var paths = 0
        var code = 0
        var figures = 0
        /// Tokens that end with a comma or semicolon, and capitalised tokens.
        var commaEnds = 0
        var capitalised = 0
        /// Sentence punctuation (`. ! ? … : ;` and the CJK full stops) anywhere before a space
        /// or at the end.
        var terminal = false
        var endsTerminal = false
    }

    public static func reason(utf8 bytes: UnsafeBufferPointer<UInt8>, words: Int,
                              language: GradingLanguage) -> UngradableReason? {
        let shape = scan(bytes)
        let tokens = Double(max(shape.tokens, 1))
        if Double(shape.paths) / tokens >= tokenShare { return .path }
        if Double(shape.code) / tokens >= tokenShare { return .code }
        if Double(shape.figures) / tokens >= figureShare { return .version }
        if !shape.terminal {
            if words > unpunctuatedMaxWords { return .noSentenceBoundaries }
            if words < labelMaxWords, !hasVerbCue(bytes, language: language) {
                // `Arabic, Algerian Saharan`, `Moldova, Republic of`: comma-separated names.
                if shape.commaEnds > 0, shape.capitalised * 2 >= shape.tokens { return .list }
                return .label
            }
        }
        if !shape.endsTerminal, shape.commaEnds >= 2, shape.capitalised * 3 >= shape.tokens * 2 {
            return .list
        }
        return nil
    }

    static func scan(_ bytes: UnsafeBufferPointer<UInt8>) -> Shape {
        var shape = Shape()
        var i = 0
        let n = bytes.count
        while i < n {
            while i < n, isSpace(bytes[i]) { i += 1 }
            guard i < n else { break }
            let start = i
            while i < n, !isSpace(bytes[i]) { i += 1 }
            classify(bytes, start, i, into: &shape)
        }
        return shape
    }

    @inline(__always)
    static func isSpace(_ b: UInt8) -> Bool { b == 0x20 || b == 0x09 || b == 0x0A || b == 0x0D }

    /// Classifies one whitespace-separated token `bytes[start..<end]`.
    static func classify(_ bytes: UnsafeBufferPointer<UInt8>, _ start: Int, _ end: Int, into shape: inout Shape) {
        shape.tokens += 1
        var slashes = 0, digits = 0, letters = 0, codeMarks = 0, underscores = 0, innerCapitals = 0, dots = 0
        var previousLower = false
        // `()` and `://` seen in the same pass (not searched for again afterwards).
        var hasCall = false, hasScheme = false
        var previous: UInt8 = 0, beforePrevious: UInt8 = 0
        var i = start
        while i < end {
            let b = bytes[i]
            switch b {
            case 0x2F:   // /
                slashes += 1
                if previous == 0x2F && beforePrevious == 0x3A { hasScheme = true }
            case 0x29: if previous == 0x28 { hasCall = true }   // ()
            case 0x30...0x39: digits += 1
            case 0x61...0x7A: letters += 1
            case 0x41...0x5A:
                letters += 1
                if previousLower { innerCapitals += 1 }
            case 0x5F: underscores += 1   // _
            case 0x2E: dots += 1
            case 0x3D, 0x7B, 0x7D, 0x3C, 0x3E, 0x24, 0x60, 0x7C, 0x5C, 0x23, 0x40, 0x25:   // = { } < > $ ` | \ # @ %
                codeMarks += 1
            default:
                if b >= 0xC0 { letters += 1 }   // a non-ASCII letter's lead byte
            }
            previousLower = b >= 0x61 && b <= 0x7A
            beforePrevious = previous
            previous = b
            i += 1
        }
        let first = bytes[start], last = bytes[end - 1]
        // Sentence punctuation, also before a closing quote or bracket.
        var tail = end - 1
        while tail > start {
            let b = bytes[tail]
            if b == 0x22 || b == 0x27 || b == 0x29 || b == 0x5D { tail -= 1; continue }
            if tail - start >= 2, bytes[tail - 2] == 0xE2, bytes[tail - 1] == 0x80, b == 0x9D || b == 0x99 { tail -= 3; continue }
            if tail - start >= 1, bytes[tail - 1] == 0xC2, b == 0xBB { tail -= 2; continue }
            break
        }
        let t = bytes[tail]
        let terminal = t == 0x2E || t == 0x21 || t == 0x3F || t == 0x3A || t == 0x3B || endsWithEllipsisOrCJK(bytes, start, tail)
        shape.endsTerminal = terminal   // the last token's stands
        if terminal { shape.terminal = true }
        if last == 0x2C || last == 0x3B { shape.commaEnds += 1 }
        if first >= 0x41 && first <= 0x5A || first == 0xC3 && end - start > 1 && bytes[start + 1] >= 0x80 && bytes[start + 1] <= 0x9E {
            shape.capitalised += 1
        }
        // A path or URL: starts at a root (`/`, `~/`, `./`), has a scheme, or two slashes.
        let length = end - start
        let isPath = (first == 0x2F && length > 1) || (first == 0x7E && length > 1 && bytes[start + 1] == 0x2F)
            || (first == 0x2E && length > 2 && bytes[start + 1] == 0x2F)
            || slashes >= 2 || hasScheme
        if isPath {
            shape.paths += 1
            return
        }
        // Code: operators and sigils, identifiers (snake_case, camelCase, dotted calls), options.
        let isOption = length > 2 && first == 0x2D && bytes[start + 1] == 0x2D
        let isCall = hasCall || (dots > 0 && letters > 0 && dotInside(bytes, start, end) && digits == 0
                                                            && !looksLikeAbbreviation(bytes, start, end))
        if codeMarks > 0 || underscores > 0 || innerCapitals > 0 && letters > innerCapitals + 1 || isOption || isCall {
            shape.code += 1
            return
        }
        if digits > 0 && digits >= letters { shape.figures += 1 }
    }

    /// A dot between two letters (`os.path`, `www.debian.org`), not at the token's end.
    static func dotInside(_ bytes: UnsafeBufferPointer<UInt8>, _ start: Int, _ end: Int) -> Bool {
        var i = start + 1
        while i < end - 1 {
            if bytes[i] == 0x2E, isASCIILetter(bytes[i - 1]), isASCIILetter(bytes[i + 1]) { return true }
            i += 1
        }
        return false
    }

    /// `e.g.`, `i.e.`, `U.S.`, `z.B.`: single letters between dots.
    static func looksLikeAbbreviation(_ bytes: UnsafeBufferPointer<UInt8>, _ start: Int, _ end: Int) -> Bool {
        var run = 0
        for i in start..<end {
            if isASCIILetter(bytes[i]) {
                run += 1
                if run > 1 { return false }
            } else {
                run = 0
            }
        }
        return true
    }

    @inline(__always)
    static func isASCIILetter(_ b: UInt8) -> Bool { (b | 0x20) >= 0x61 && (b | 0x20) <= 0x7A }

    /// `…` (E2 80 A6), `。` (E3 80 82), `！` (EF BC 81), `？` (EF BC 9F) ending at `tail`.
    static func endsWithEllipsisOrCJK(_ bytes: UnsafeBufferPointer<UInt8>, _ start: Int, _ tail: Int) -> Bool {
        guard tail - start >= 2 else { return false }
        let a = bytes[tail - 2], b = bytes[tail - 1], c = bytes[tail]
        return (a == 0xE2 && b == 0x80 && c == 0xA6) || (a == 0xE3 && b == 0x80 && c == 0x82)
            || (a == 0xEF && b == 0xBC && (c == 0x81 || c == 0x9F))
    }

    /// Whether the text holds one of its language's most frequent finite verbs or auxiliaries
    /// (a label has none: `Navigating around directories`, `Opération non supportée`).
    ///
    /// Words are runs of letters and apostrophes (`'`, `’`) of the lowercased text, as
    /// ``hasVerbCueByCharacters(_:cues:)`` reads them from `Character`s. Text of Latin-1 and `’`
    /// only (nearly all of it) is read from its bytes: there every scalar is a `Character` of
    /// its own (no combining mark, and CR LF holds no letter), a letter exactly when it is
    /// alphabetic, and lowercasing keeps each scalar's UTF-8 length. Any other text takes the
    /// `Character` path. GradabilityTests checks both agree.
    static func hasVerbCue(_ bytes: UnsafeBufferPointer<UInt8>, language: GradingLanguage) -> Bool {
        guard let cues = verbCues[language], !cues.isEmpty else { return true }   // no list: cannot tell a label from a sentence
        return hasVerbCueLatin1(bytes, cues: cues) ?? hasVerbCueByCharacters(bytes, cues: cues)
    }

    /// The `Character` reading: lowercase the text, split it into words of letters and apostrophes.
    static func hasVerbCueByCharacters(_ bytes: UnsafeBufferPointer<UInt8>, cues: Set<String>) -> Bool {
        let text = String(decoding: bytes, as: UTF8.self).lowercased()
        var word = ""
        for character in text + " " {
            if character.isLetter || character == "'" || character == "’" {
                word.append(character)
            } else {
                if !word.isEmpty {
                    if cues.contains(word) { return true }
                    // `l'homme est`, `c'est`, `n'a`: the part after an elided article or pronoun.
                    if let apostrophe = word.lastIndex(where: { $0 == "'" || $0 == "’" }),
                       cues.contains(String(word[word.index(after: apostrophe)...])) {
                        return true
                    }
                }
                word = ""
            }
        }
        return false
    }

    /// The byte reading of text in Latin-1 and `’`; nil when the text holds another scalar.
    static func hasVerbCueLatin1(_ bytes: UnsafeBufferPointer<UInt8>, cues: Set<String>) -> Bool? {
        let n = bytes.count
        // The whole text is checked first: one scalar outside the reading sends all of it to
        // the Character reading, whose words could differ from here on.
        var i = 0
        while i < n {
            let b = bytes[i]
            if b < 0x80 { i += 1; continue }
            if b == 0xC2 || b == 0xC3, i + 1 < n, bytes[i + 1] & 0xC0 == 0x80 { i += 2; continue }
            if b == 0xE2, i + 2 < n, bytes[i + 1] == 0x80, bytes[i + 2] == 0x99 { i += 3; continue }
            return nil
        }
        var start = -1        // the current word's first byte, -1 when none
        var apostropheEnd = -1   // the byte after its last apostrophe
        i = 0
        while i <= n {
            var length = 1
            var isWord = false
            var isApostrophe = false
            if i < n {
                let b = bytes[i]
                if b < 0x80 {
                    isApostrophe = b == 0x27
                    isWord = isApostrophe || (b | 0x20) >= 0x61 && (b | 0x20) <= 0x7A
                } else if b == 0xE2 {
                    length = 3
                    isWord = true
                    isApostrophe = true
                } else {
                    length = 2
                    let scalar = UInt32(b & 0x1F) << 6 | UInt32(bytes[i + 1] & 0x3F)
                    isWord = scalar == 0xAA || scalar == 0xB5 || scalar == 0xBA
                        || scalar >= 0xC0 && scalar != 0xD7 && scalar != 0xF7
                }
            }
            if isWord {
                if start < 0 { start = i }
                if isApostrophe { apostropheEnd = i + length }
            } else if start >= 0 {
                if isCue(bytes, start, i, cues) { return true }
                if apostropheEnd >= 0, isCue(bytes, apostropheEnd, i, cues) { return true }
                start = -1
                apostropheEnd = -1
            }
            i += length
        }
        return false
    }

    /// The longest cue's UTF-8 length: a longer word is none.
    static let longestCue = verbCues.values.flatMap { $0 }.map(\.utf8.count).max() ?? 0

    /// Whether `bytes[start..<end]` (Latin-1 letters and apostrophes), lowercased, is a cue.
    static func isCue(_ bytes: UnsafeBufferPointer<UInt8>, _ start: Int, _ end: Int, _ cues: Set<String>) -> Bool {
        let count = end - start
        guard count > 0, count <= longestCue else { return false }
        return withUnsafeTemporaryAllocation(of: UInt8.self, capacity: longestCue) { word in
            var k = 0
            while k < count {
                let b = bytes[start + k]
                if b >= 0x41 && b <= 0x5A {
                    word[k] = b + 0x20
                } else if b == 0xC3, k + 1 < count, bytes[start + k + 1] >= 0x80, bytes[start + k + 1] <= 0x9E,
                          bytes[start + k + 1] != 0x97 {
                    word[k] = b                                  // À–Þ (not ×) → à–þ
                    word[k + 1] = bytes[start + k + 1] + 0x20
                    k += 1
                } else {
                    word[k] = b
                }
                k += 1
            }
            return cues.contains(String(decoding: UnsafeBufferPointer(rebasing: word[..<count]), as: UTF8.self))
        }
    }

    /// The most frequent finite verbs and auxiliaries of each language (present and past of be,
    /// have, can, must, will, do and a few verbs of messages); a sentence of a few words almost
    /// always has one.
    static let verbCues: [GradingLanguage: Set<String>] = [
        .english: ["is", "are", "was", "were", "be", "been", "has", "have", "had", "can", "cannot", "can't", "could",
                   "will", "would", "shall", "should", "must", "may", "might", "do", "does", "did", "don't",
                   "doesn't", "didn't", "isn't", "aren't", "wasn't", "won't", "it's", "there's", "let", "please",
                   "need", "needs", "want", "wants", "see", "use", "try", "get", "gets", "got", "make", "makes",
                   "go", "goes", "went", "say", "says", "said", "know", "knows", "think", "like", "seems"],
        .french: ["est", "sont", "était", "étaient", "a", "ont", "avait", "peut", "peuvent", "pouvez", "doit",
                  "doivent", "devez", "va", "vont", "fait", "font", "faites", "sera", "seront", "serait", "suis",
                  "es", "êtes", "sommes", "ai", "as", "avez", "avons", "veut", "voulez", "faut", "semble", "vais",
                  "dit", "voir", "voyez", "sait", "savez", "fut", "soit", "veuillez", "essayez", "utilisez"],
        .german: ["ist", "sind", "war", "waren", "hat", "haben", "hatte", "kann", "können", "konnte", "muss",
                  "müssen", "wird", "werden", "wurde", "wurden", "soll", "sollte", "darf", "bin", "bist", "seid",
                  "gibt", "geht", "macht", "sagt", "will", "wollen", "möchten", "sehen", "sieht", "wäre", "würde",
                  "verwenden", "versuchen", "bitte", "lässt", "hast"],
        .spanish: ["es", "son", "era", "eran", "fue", "está", "están", "estaba", "ha", "han", "había", "puede",
                   "pueden", "debe", "deben", "va", "van", "hay", "será", "sería", "soy", "eres", "somos",
                   "estoy", "he", "has", "hemos", "tiene", "tienen", "hace", "hacen", "quiere", "dice", "sea",
                   "use", "utilice", "intente", "vea", "parece"],
        .italian: ["è", "sono", "era", "erano", "fu", "ha", "hanno", "aveva", "può", "possono", "deve", "devono",
                   "va", "vanno", "sarà", "sarebbe", "sei", "siamo", "siete", "ho", "hai", "abbiamo", "avete",
                   "fa", "fanno", "vuole", "c'è", "dice", "sia", "usare", "provare", "vedi", "sembra", "stato"],
    ]
}
