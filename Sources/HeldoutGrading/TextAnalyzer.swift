/// What the readability formulas are computed from, for one segment.
///
/// Counting rules (the same for every language, so that counts compare across languages):
/// - a **word** is a run of letters, digits and combining marks; an apostrophe, hyphen or dot
///   between two such characters joins them (`don't`, `l'homme`, `well-known`, `3.14`,
///   `www.debian.org` are one word each, as textstat and most readability tools count them);
///   a word of digits alone counts as a word of one syllable and no letters;
/// - a **sentence** ends at `.`, `!`, `?`, `…` (or `。！？`) followed by a space or the end of the
///   text; pieces of fewer than three words (abbreviations such as "Dr.", list numbers) are not
///   sentences of their own, and every text of at least one word has at least one sentence;
/// - **letters** are alphabetic characters; a **long word** has more than six letters
///   (Björnsson's LIX definition); a **polysyllable** has three syllables or more, a
///   **monosyllable** exactly one.
public struct TextCounts: Sendable, Equatable, Codable {
    public var words = 0
    public var sentences = 0
    public var syllables = 0
    public var letters = 0
    public var longWords = 0
    public var polysyllables = 0
    public var monosyllables = 0

    public init() {}

    public init(words: Int, sentences: Int, syllables: Int, letters: Int, longWords: Int,
                polysyllables: Int, monosyllables: Int) {
        self.words = words
        self.sentences = sentences
        self.syllables = syllables
        self.letters = letters
        self.longWords = longWords
        self.polysyllables = polysyllables
        self.monosyllables = monosyllables
    }

    enum CodingKeys: String, CodingKey {
        case words, sentences, syllables, letters, monosyllables, polysyllables
        case longWords = "long_words"
    }
}

/// Counts words, sentences, letters and syllables in one pass over a text's UTF-8 bytes.
///
/// A class that owns its scratch buffers, so the per-word path allocates nothing: grading
/// a million segments is a loop over bytes, not over `String`s or `Character`s (Regex is not
/// used). The buffers are raw memory rather than arrays: appending to an array checks its
/// uniqueness and passing slices of it retains and releases it, which together took ~10% of
/// grading time. One instance per thread.
public final class TextAnalyzer {
    public let syllables: SyllableCounter
    /// The current word, lowercased, joiners normalised (`'` U+0027, `-`, `.`), and the
    /// syllable counter's scratch space; both hold `capacity` scalars.
    private var word: UnsafeMutablePointer<UInt32>
    private var scratch: UnsafeMutablePointer<UInt32>
    private var capacity: Int

    public init(syllables: SyllableCounter = .standard) {
        self.syllables = syllables
        capacity = 128
        word = .allocate(capacity: capacity)
        scratch = .allocate(capacity: capacity)
    }

    deinit {
        word.deallocate()
        scratch.deallocate()
    }

    public func analyze(_ text: String, language: GradingLanguage) -> TextCounts {
        var text = text
        return text.withUTF8 { analyze(utf8: $0, language: language) }
    }

    public func analyze(utf8 bytes: UnsafeBufferPointer<UInt8>, language: GradingLanguage) -> TextCounts {
        // The scan state is a local struct with mutating methods, not captured variables of
        // nested functions or class properties: both are checked for exclusive access at run
        // time on every access (measured: ~15% of grading time); a local struct is not.
        var state = ScanState(word: word, scratch: scratch, capacity: capacity, syllables: syllables, language: language)
        defer {
            // The scan may have grown the buffers for a very long word.
            word = state.word
            scratch = state.scratch
            capacity = state.capacity
        }

        var index = 0
        let count = bytes.count
        while index < count {
            let lead = bytes[index]
            // Lowercase ASCII letters and spaces are most of any Latin-script text: handled
            // here without classifying.
            if lead >= 0x61 && lead <= 0x7A {
                index += 1
                state.appendLetter(UInt32(lead))
                continue
            }
            if lead == 0x20 {
                index += 1
                state.endWord()
                if state.sawTerminator {
                    state.endPiece()
                    state.sawTerminator = false
                }
                continue
            }
            // Decode one scalar (the store's text is valid UTF-8; malformed bytes become U+FFFD).
            var scalar: UInt32
            if lead < 0x80 {
                scalar = UInt32(lead)
                index += 1
            } else {
                let (decoded, length) = Self.decode(bytes, at: index)
                scalar = decoded
                index += length
            }

            switch Self.classify(scalar) {
            case .letter(let lower):
                state.appendLetter(lower)
            case .digit:
                state.appendDigit(scalar)
            case .mark:
                if state.wordCount > 0 { state.append(scalar) }
            case .joiner(let normalised):
                if state.wordCount > 0 && state.pendingJoiner == 0 {
                    state.pendingJoiner = normalised
                } else {
                    state.endWord()
                }
            case .terminator(let isDot):
                if isDot && state.wordCount > 0 && state.pendingJoiner == 0 && index < count && Self.isWordByte(bytes[index]) {
                    state.pendingJoiner = 0x2E   // "e.g", "3.14", "debian.org"
                } else {
                    state.endWord()
                    state.sawTerminator = true
                }
            case .closing:
                state.endWord()   // a quote or bracket after a terminator keeps the sentence open
            case .space:
                state.endWord()
                if state.sawTerminator {
                    state.endPiece()
                    state.sawTerminator = false
                }
            case .other:
                state.endWord()
                state.sawTerminator = false
            }
        }
        state.endWord()
        state.endPiece()
        if state.counts.words > 0 && state.counts.sentences == 0 { state.counts.sentences = 1 }
        return state.counts
    }

    /// Everything the scan keeps between characters.
    struct ScanState {
        var word: UnsafeMutablePointer<UInt32>
        var scratch: UnsafeMutablePointer<UInt32>
        var capacity: Int
        var wordCount = 0
        let syllables: SyllableCounter
        let language: GradingLanguage
        var counts = TextCounts()
        var wordsInPiece = 0
        var sawTerminator = false
        /// A joiner right after a word character, kept only if a word character follows.
        var pendingJoiner: UInt32 = 0
        var letters = 0
        var digits = 0

        init(word: UnsafeMutablePointer<UInt32>, scratch: UnsafeMutablePointer<UInt32>, capacity: Int,
             syllables: SyllableCounter, language: GradingLanguage) {
            self.word = word
            self.scratch = scratch
            self.capacity = capacity
            self.syllables = syllables
            self.language = language
        }

        @inline(__always)
        mutating func append(_ scalar: UInt32) {
            if wordCount == capacity { grow() }
            word[wordCount] = scalar
            wordCount += 1
        }

        @inline(__always)
        mutating func appendLetter(_ lower: UInt32) {
            if pendingJoiner != 0 {
                append(pendingJoiner)
                pendingJoiner = 0
            }
            append(lower)
            letters += 1
            sawTerminator = false
        }

        @inline(__always)
        mutating func appendDigit(_ digit: UInt32) {
            if pendingJoiner != 0 {
                append(pendingJoiner)
                pendingJoiner = 0
            }
            append(digit)
            digits += 1
            sawTerminator = false
        }

        /// Doubles both buffers (a word longer than any seen so far: a URL, a base64 run).
        mutating func grow() {
            let larger = capacity * 2
            let newWord = UnsafeMutablePointer<UInt32>.allocate(capacity: larger)
            newWord.update(from: word, count: wordCount)
            word.deallocate()
            scratch.deallocate()
            word = newWord
            scratch = .allocate(capacity: larger)
            capacity = larger
        }

        @inline(__always)
        mutating func endWord() {
            if wordCount > 0 {
                if letters > 0 || digits > 0 {
                    let syllableCount = letters > 0
                        ? syllables.count(word: UnsafeBufferPointer(start: word, count: wordCount), scratch: scratch,
                                          language: language)
                        : 1
                    counts.words += 1
                    wordsInPiece += 1
                    counts.syllables += syllableCount
                    counts.letters += letters
                    if letters > 6 { counts.longWords += 1 }
                    if syllableCount >= 3 { counts.polysyllables += 1 }
                    if syllableCount == 1 { counts.monosyllables += 1 }
                }
                wordCount = 0
            }
            letters = 0
            digits = 0
            pendingJoiner = 0
        }

        @inline(__always)
        mutating func endPiece() {
            if wordsInPiece >= 3 { counts.sentences += 1 }
            wordsInPiece = 0
        }
    }

    enum CharacterClass {
        case letter(UInt32), digit, mark, joiner(UInt32), terminator(isDot: Bool), closing, space, other
    }

    @inline(__always)
    static func isWordByte(_ byte: UInt8) -> Bool {
        (byte >= 0x61 && byte <= 0x7A) || (byte >= 0x41 && byte <= 0x5A) || (byte >= 0x30 && byte <= 0x39) || byte >= 0x80
    }

    @inline(__always)
    static func classify(_ scalar: UInt32) -> CharacterClass {
        if scalar < 0x80 {
            switch scalar {
            case 0x61...0x7A: return .letter(scalar)
            case 0x41...0x5A: return .letter(scalar + 32)
            case 0x30...0x39: return .digit
            case 0x20, 0x09, 0x0A, 0x0D: return .space
            case 0x27: return .joiner(0x27)
            case 0x2D: return .joiner(0x2D)
            case 0x2E: return .terminator(isDot: true)
            case 0x21, 0x3F: return .terminator(isDot: false)
            case 0x22, 0x29, 0x5D, 0x7D: return .closing
            default: return .other
            }
        }
        switch scalar {
        case 0x2019, 0x02BC: return .joiner(0x27)
        case 0x2010, 0x2011: return .joiner(0x2D)
        case 0x2026, 0x3002, 0xFF01, 0xFF1F: return .terminator(isDot: false)
        case 0x201D, 0x00BB, 0x203A, 0x300D: return .closing
        case 0x00A0, 0x2000...0x200A, 0x3000: return .space
        case 0x00C0...0x00DE where scalar != 0x00D7: return .letter(scalar + 32)
        case 0x00DF...0x00FF where scalar != 0x00F7: return .letter(scalar)
        case 0x0100...0x017F: return .letter(latinExtendedALower(scalar))
        default:
            return classifyByProperties(scalar)
        }
    }

    /// Everything beyond Latin-1 and Latin Extended-A, by Unicode properties: kept out of
    /// ``classify(_:)`` so that the common cases inline into the scan loop.
    @inline(never)
    static func classifyByProperties(_ scalar: UInt32) -> CharacterClass {
        guard let unicode = Unicode.Scalar(scalar) else { return .other }
        let properties = unicode.properties
        if properties.isAlphabetic {
            if properties.isUppercase, let lower = properties.lowercaseMapping.unicodeScalars.first {
                return .letter(lower.value)
            }
            return .letter(scalar)
        }
        switch properties.generalCategory {
        case .decimalNumber: return .digit
        case .nonspacingMark, .spacingMark, .enclosingMark: return .mark
        case .spaceSeparator, .lineSeparator, .paragraphSeparator: return .space
        default: return .other
        }
    }

    /// Latin Extended-A (U+0100–U+017F) pairs upper and lower case in adjacent code points,
    /// upper first, except in three runs that pair the other way round.
    @inline(__always)
    static func latinExtendedALower(_ scalar: UInt32) -> UInt32 {
        switch scalar {
        case 0x0100..<0x0130, 0x0132..<0x0138, 0x014A..<0x0178:
            return scalar & 1 == 0 ? scalar + 1 : scalar
        case 0x0139..<0x0149, 0x0179..<0x017F:
            return scalar & 1 == 1 ? scalar + 1 : scalar
        case 0x0130: return 0x69      // İ → i
        case 0x0178: return 0xFF      // Ÿ → ÿ
        default: return scalar
        }
    }

    /// Decodes the multi-byte UTF-8 sequence at `index`.
    static func decode(_ bytes: UnsafeBufferPointer<UInt8>, at index: Int) -> (UInt32, Int) {
        let lead = UInt32(bytes[index])
        let remaining = bytes.count - index
        @inline(__always) func cont(_ offset: Int) -> UInt32? {
            let byte = bytes[index + offset]
            return byte & 0xC0 == 0x80 ? UInt32(byte & 0x3F) : nil
        }
        if lead & 0xE0 == 0xC0, remaining >= 2, let b1 = cont(1) {
            return ((lead & 0x1F) << 6 | b1, 2)
        }
        if lead & 0xF0 == 0xE0, remaining >= 3, let b1 = cont(1), let b2 = cont(2) {
            return ((lead & 0x0F) << 12 | b1 << 6 | b2, 3)
        }
        if lead & 0xF8 == 0xF0, remaining >= 4, let b1 = cont(1), let b2 = cont(2), let b3 = cont(3) {
            return ((lead & 0x07) << 18 | b1 << 12 | b2 << 6 | b3, 4)
        }
        return (0xFFFD, 1)
    }
}
