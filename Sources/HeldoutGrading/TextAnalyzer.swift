/// What the readability formulas are computed from, for one segment.
///
/// Counting rules (the same for every language, so that counts compare across languages):
/// - a **word** is a run of letters, digits and combining marks; an apostrophe, hyphen or dot
///   between two such characters joins them (`don't`, `l'homme`, `well-known`, `3.14`,
///   `www.debian.org` are one word each, as textstat and most readability tools count them);
///   a word of digits alone counts as a word of one syllable and no letters;
///   a comma between digits followed by exactly three digits is a thousands separator
///   (`1,000,000` is one word, as textstat and most tools count it; `1,2` is two);
/// - a **sentence** ends at `.`, `!`, `?`, `…` (or `。！？`) followed by a space or the end of the
///   text, except (as Punkt and pySBD decide, in the simplest form):
///   - after an abbreviation that precedes a name or an example — a single letter (`J. Smith`),
///     a dotted abbreviation (`e.g.`, `i.e.`, `U.S.`, `z.B.`) or a title or a reference word
///     (`Mr.`, `Dr.`, `vs.`, `cf.`, ``Abbreviations/title``);
///   - after an abbreviation that may also end a sentence (`etc.`, `al.`, `Inc.`, `No.`,
///     ``Abbreviations/final``), unless the next word starts with a capital;
///   - after a terminator inside quotes or brackets followed by a lowercase word
///     (`'what broke now?' release`).
///   A full stop after an ordinary word ends a sentence even before a lowercase word (`... at
///   configure time. debuginfod is packaged ...`): names of programs start sentences in lowercase.
///   Pieces of fewer than three words (list numbers, "Dr." alone) are not sentences of their
///   own, and every text of at least one word has at least one sentence;
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
    /// Syllables of the words this analyzer has counted.
    private let cache = WordCache()

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
        var state = ScanState(word: word, scratch: scratch, capacity: capacity, syllables: syllables, cache: cache,
                              language: language)
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
            // here without classifying, a run of letters at a time (the scan's state is
            // updated once per run, not once per letter).
            if lead >= 0x61 && lead <= 0x7A {
                var end = index + 1
                while end < count && bytes[end] >= 0x61 && bytes[end] <= 0x7A { end += 1 }
                state.appendLowercaseRun(bytes, from: index, to: end)
                index = end
                continue
            }
            if lead == 0x20 {
                index += 1
                state.space(bytes, at: index)
                continue
            }
            if lead == 0x2C && state.letters == 0 && state.digits > 0 && state.pendingJoiner == 0
                && Self.thousandsGroupFollows(bytes, at: index + 1) {
                index += 1   // 1,000: the comma is skipped, the number goes on
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
                    // An apostrophe right after a terminator closes a quotation ('what now?').
                    if normalised == 0x27 && state.sawTerminator { state.closedAfterTerminator = true }
                }
            case .terminator(let isDot):
                if isDot && state.wordCount > 0 && state.pendingJoiner == 0 && index < count && Self.isWordByte(bytes[index]) {
                    state.pendingJoiner = 0x2E   // "e.g", "3.14", "debian.org"
                } else {
                    // Only a full stop right after a word can make it an abbreviation.
                    state.abbreviation = isDot && state.wordCount > 0 && state.pendingJoiner == 0
                        ? state.abbreviationKind() : .none
                    state.endWord()
                    state.sawTerminator = true
                    state.closedAfterTerminator = false
                }
            case .closing:
                state.endWord()   // a quote or bracket after a terminator keeps the sentence open
                if state.sawTerminator { state.closedAfterTerminator = true }
            case .space:
                state.space(bytes, at: index)
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
        let cache: WordCache
        let language: GradingLanguage
        var counts = TextCounts()
        var wordsInPiece = 0
        var sawTerminator = false
        /// A joiner right after a word character, kept only if a word character follows.
        var pendingJoiner: UInt32 = 0
        var letters = 0
        var digits = 0
        /// What the word before the last full stop was, if an abbreviation.
        var abbreviation = Abbreviations.Kind.none
        /// A quote or bracket closed after the last terminator (`?'`, `.)`).
        var closedAfterTerminator = false

        init(word: UnsafeMutablePointer<UInt32>, scratch: UnsafeMutablePointer<UInt32>, capacity: Int,
             syllables: SyllableCounter, cache: WordCache, language: GradingLanguage) {
            self.word = word
            self.scratch = scratch
            self.capacity = capacity
            self.syllables = syllables
            self.cache = cache
            self.language = language
        }

        @inline(__always)
        mutating func append(_ scalar: UInt32) {
            if wordCount == capacity { grow() }
            word[wordCount] = scalar
            wordCount += 1
        }

        /// A letter (lower-cased) or digit of the current word, after any joiner waiting for it.
        @inline(__always)
        mutating func appendWordScalar(_ scalar: UInt32, isLetter: Bool) {
            takePendingJoiner()
            append(scalar)
            if isLetter { letters += 1 } else { digits += 1 }
            sawTerminator = false
        }

        /// A joiner waiting after a word character joins the word now that another follows.
        @inline(__always)
        mutating func takePendingJoiner() {
            if pendingJoiner != 0 {
                append(pendingJoiner)
                pendingJoiner = 0
            }
        }

        @inline(__always)
        mutating func appendLetter(_ lower: UInt32) { appendWordScalar(lower, isLetter: true) }

        /// `bytes[start..<end]`, lowercase ASCII letters, as ``appendLetter(_:)`` of each would.
        @inline(__always)
        mutating func appendLowercaseRun(_ bytes: UnsafeBufferPointer<UInt8>, from start: Int, to end: Int) {
            takePendingJoiner()
            let n = end - start
            while wordCount + n > capacity { grow() }
            let target = word + wordCount
            for k in 0..<n { target[k] = UInt32(bytes[start + k]) }
            wordCount += n
            letters += n
            sawTerminator = false
        }

        @inline(__always)
        mutating func appendDigit(_ digit: UInt32) { appendWordScalar(digit, isLetter: false) }

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
                    let syllableCount = letters > 0 ? wordSyllables() : 1
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

        /// The current word's syllables: from the cache when this analyzer has counted the word
        /// before (most words of a text are frequent ones), else by the counter.
        @inline(__always)
        func wordSyllables() -> Int {
            let buffer = UnsafeBufferPointer(start: word, count: wordCount)
            let key = WordCache.key(buffer, language: language)
            let cached = cache.lookup(key)
            if cached != 0 { return Int(cached) }
            let counted = syllables.count(word: buffer, scratch: scratch, language: language)
            cache.insert(key, counted)
            return counted
        }

        /// A space (or the end of a line): ends the word, and the sentence after a terminator
        /// unless the terminator belongs to an abbreviation or a quotation (see ``TextCounts``).
        @inline(__always)
        mutating func space(_ bytes: UnsafeBufferPointer<UInt8>, at index: Int) {
            endWord()
            guard sawTerminator else { return }
            sawTerminator = false
            let ends: Bool
            switch abbreviation {
            case .title:
                ends = false
            case .final:
                ends = TextAnalyzer.nextWordStart(bytes, from: index) == .upper
            case .none:
                ends = !(closedAfterTerminator && TextAnalyzer.nextWordStart(bytes, from: index) == .lower)
            }
            abbreviation = .none
            closedAfterTerminator = false
            if ends { endPiece() }
        }

        /// Whether the current word (before a full stop) is an abbreviation, and of which kind.
        func abbreviationKind() -> Abbreviations.Kind {
            guard letters > 0, digits == 0 else { return .none }
            if wordCount == 1 { return .title }           // an initial: J. Smith
            var hasDot = false
            var part = 0
            var shortParts = true
            var packed: UInt64 = 0
            for k in 0..<wordCount {
                let c = word[k]
                if c == 0x2E {
                    hasDot = true
                    if part == 0 || part > 2 { shortParts = false }
                    part = 0
                } else {
                    part += 1
                    packed = c < 0x100 ? (packed << 8) | UInt64(c) : UInt64.max
                }
            }
            if hasDot {
                return shortParts && part > 0 && part <= 2 ? .title : .none   // e.g, i.e, u.s, z.b, ph.d
            }
            guard wordCount <= 8, packed != UInt64.max else { return .none }
            return Abbreviations.kind(packed)
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

    /// Three digits at `index`, and no fourth: what follows a thousands separator.
    @inline(__always)
    static func thousandsGroupFollows(_ bytes: UnsafeBufferPointer<UInt8>, at index: Int) -> Bool {
        @inline(__always) func digit(_ i: Int) -> Bool { i < bytes.count && bytes[i] >= 0x30 && bytes[i] <= 0x39 }
        return digit(index) && digit(index + 1) && digit(index + 2) && !digit(index + 3)
    }

    enum WordStart { case upper, lower, other }

    /// How the next word after `index` starts, past spaces and opening quotes or brackets.
    /// Only asked at a possible sentence end, so it may decode and classify freely.
    static func nextWordStart(_ bytes: UnsafeBufferPointer<UInt8>, from index: Int) -> WordStart {
        var i = index
        while i < bytes.count {
            let lead = bytes[i]
            var scalar = UInt32(lead)
            var length = 1
            if lead >= 0x80 { (scalar, length) = decode(bytes, at: i) }
            switch scalar {
            case 0x20, 0x09, 0x0A, 0x0D, 0x28, 0x5B, 0x7B, 0x22, 0x27, 0x60, 0x2018, 0x201C, 0x00AB, 0x00BF, 0x00A1:
                i += length   // ( [ { " ' ` ‘ “ « ¿ ¡
                continue
            default:
                if case let .letter(lower) = classify(scalar) { return lower == scalar ? .lower : .upper }
                return .other
            }
        }
        return .other
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

/// Abbreviations that a full stop follows without ending the sentence (lowercase, without
/// their dots). Short lists for the five languages with rules: a wrong guess costs one
/// sentence boundary, while a long list would start to swallow real sentence ends.
enum Abbreviations {
    enum Kind { case none, title, final }

    /// Titles and words that introduce a name, a number or an example: never sentence-final.
    static let title: Set<UInt64> = pack([
        "mr", "mrs", "ms", "dr", "prof", "rev", "st", "mme", "mlle", "mm", "hr", "hrn", "sra", "srta",
        "sig", "dott", "vs", "cf", "viz", "eg", "ie", "vgl", "bzw", "fig", "figs", "eq", "ref", "vol",
        "pp", "ch", "sec", "art", "nr",
    ])
    /// Words that may end a sentence too: sentence-final only before a capital.
    static let final: Set<UInt64> = pack([
        "etc", "al", "approx", "incl", "resp", "ca", "usw", "ecc", "ff", "inc", "ltd", "co", "corp",
        "jr", "sr", "no", "nos", "jan", "feb", "mar", "apr", "jun", "jul", "aug", "sep", "sept", "oct",
        "nov", "dec",
    ])

    static func kind(_ packed: UInt64) -> Kind {
        if title.contains(packed) { return .title }
        if final.contains(packed) { return .final }
        return .none
    }

    /// Each word's scalars (all below U+0100), eight bits each, as one integer.
    private static func pack(_ words: [String]) -> Set<UInt64> {
        Set(words.map { $0.unicodeScalars.reduce(UInt64(0)) { ($0 << 8) | UInt64($1.value) } })
    }
}

/// Syllable counts of words already counted by one analyzer, keyed by the FNV-1a hash of the
/// word (as the scan holds it: lowercased, joiners kept) mixed with its language. A text's
/// words are mostly frequent ones: on 25k English sentences 94% of word tokens repeat an
/// earlier one, and a probe here is cheaper than the exception lookup and the rules. A count
/// depends only on the word and the language, so the cache changes no result (a collision of
/// two words' hashes aside, 56 bits here, as in ``ExceptionTable``); it stops taking words when
/// half full rather than evicting, which keeps lookups short. One per analyzer, so one per thread.
///
/// Open addressing in one array, each slot the hash's high 56 bits and the count in the low 8:
/// a hit is one memory access. The table outgrows the core's caches, and with keys and counts
/// in two arrays a probe was a third of the per-word time.
final class WordCache {
    private let slots: UnsafeMutablePointer<UInt64>
    private let mask: Int
    private let shift: UInt64
    private let limit: Int
    private var filled = 0

    /// `capacity`: a power of two.
    init(capacity: Int = 1 << 16) {
        precondition(capacity > 1 && capacity & (capacity - 1) == 0, "WordCache capacity must be a power of two")
        shift = UInt64(64 - capacity.trailingZeroBitCount)
        slots = .allocate(capacity: capacity)
        slots.initialize(repeating: 0, count: capacity)
        mask = capacity - 1
        limit = capacity / 2
    }

    deinit {
        slots.deallocate()
    }

    @inline(__always)
    static func key(_ word: UnsafeBufferPointer<UInt32>, language: GradingLanguage) -> UInt64 {
        let salt: UInt64
        switch language {
        case .english: salt = 1
        case .french: salt = 2
        case .spanish: salt = 3
        case .german: salt = 4
        case .italian: salt = 5
        case .other: salt = 6
        }
        return SyllableCounter.wordKey(word) ^ (salt &* 0x9E37_79B9_7F4A_7C15)
    }

    /// The part of a key a slot keeps: its high 56 bits, never zero (zero marks a free slot).
    @inline(__always)
    private static func tag(_ key: UInt64) -> UInt64 { (key | 0x100) & ~0xFF }

    @inline(__always)
    private func slot(_ key: UInt64) -> Int {
        Int(truncatingIfNeeded: (key &* 0xFF51_AFD7_ED55_8CCD) >> shift)
    }

    /// The cached count, or 0.
    @inline(__always)
    func lookup(_ key: UInt64) -> UInt8 {
        let tag = Self.tag(key)
        var i = slot(key)
        while true {
            let entry = slots[i]
            if entry & ~0xFF == tag { return UInt8(truncatingIfNeeded: entry) }
            if entry == 0 { return 0 }
            i = (i + 1) & mask
        }
    }

    func insert(_ key: UInt64, _ count: Int) {
        guard filled < limit, count > 0, count <= 255 else { return }
        let tag = Self.tag(key)
        var i = slot(key)
        while slots[i] != 0 {
            if slots[i] & ~0xFF == tag { return }
            i = (i + 1) & mask
        }
        slots[i] = tag | UInt64(count)
        filled += 1
    }
}
