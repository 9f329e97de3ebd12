import Foundation
import HeldoutCore

/// Cuts monolingual text into sentences, with rules for one language.
///
/// A segment in the store is one sentence (DESIGN "Identity"), so the `text` reader has to find
/// sentence ends in running prose. This splitter is rule-based in the manner of pySBD's "golden
/// rules" rather than a trained model such as Punkt: the rules are deterministic (the same text
/// always gives the same segments, which keeps segment ids reproducible), auditable, and need no
/// training data. It scans the text once, looking closely only at the few places where a
/// sentence could end (`.` `!` `?` `…`), without Regex, so it is about a hundred times faster
/// than pySBD's regex pipeline (about ten million characters per second in release builds here).
///
/// What it knows:
/// - abbreviations per language (`Mr.`, `Dr.`, `M.`, `z. B.`, `usw.`, `Sra.`, `p. ej.`, `e.g.`),
///   in two kinds: titles and connectors that never end a sentence, and words like `etc.`,
///   `Co.`, `U.S.` that end one only when the next word is one that typically starts a sentence;
/// - initials (`J. R. R. Tolkien`), decimals and grouped numbers (`3.14`, `1.000.000`), German
///   ordinals before months and counted nouns (`am 1. Januar`), list markers (`1.`, `a.`);
/// - ellipses (`…`, `...`, `. . .`), `?!` runs, Spanish `¿ ¡`, and closing quotes and brackets
///   after the final punctuation, which stay with their sentence (`« Oui. »`, `„Ja.“`);
/// - lines: a single line break inside a paragraph is a space, but a list item (`- `, `* `,
///   `1. `, `a) `) always starts on its own and ends at the end of its line.
///
/// A blank line ends a paragraph; ``split(_:)`` takes one paragraph, the reader feeds paragraphs
/// one by one.
public struct SentenceSplitter: Sendable {
    /// The language whose rules are applied; languages without rules of their own get the
    /// generic rules (punctuation, initials, numbers, a few international abbreviations).
    public let language: LanguageTag
    let rules: LanguageRules

    public init(language: LanguageTag) {
        self.language = language
        self.rules = LanguageRules.forLanguage(language.primary)
    }

    /// The sentences of one paragraph, each trimmed and with its runs of whitespace (line
    /// breaks included) collapsed to one space. Blank lines inside `paragraph` end a sentence
    /// as a paragraph break would.
    public func split(_ paragraph: String) -> [String] {
        var out: [String] = []
        var accumulator = SentenceAccumulator(splitter: self)
        var number = 0
        // Lines are cut at LF bytes, and a CR before one is dropped: on UTF-8, not on Characters,
        // whose grapheme breaking took most of the splitter's time ("\r\n" is one Character).
        let utf8 = paragraph.utf8
        var lineStart = utf8.startIndex
        while true {
            let lineEnd = utf8[lineStart...].firstIndex(of: 0x0A) ?? utf8.endIndex
            var textEnd = lineEnd
            if textEnd > lineStart, utf8[utf8.index(before: textEnd)] == 0x0D { textEnd = utf8.index(before: textEnd) }
            number += 1
            let text = String(paragraph[lineStart..<textEnd])
            if Scan.isBlank(text) {
                accumulator.finish { out.append($0.text) }
            } else {
                accumulator.add(line: text, number: number) { out.append($0.text) }
            }
            guard lineEnd < utf8.endIndex else { break }
            lineStart = utf8.index(after: lineEnd)
        }
        accumulator.finish { out.append($0.text) }
        return out
    }

    // MARK: - Sentence ends in one block

    /// Where the sentences of `s` end: each cut is the offset just past a sentence's final
    /// punctuation and closing quotes. The text after the last cut is the last sentence.
    ///
    /// `s` is one block: a paragraph's lines joined by spaces, up to the next list item.
    func cuts(in s: [Unicode.Scalar]) -> [Int] {
        var cuts: [Int] = []
        let n = s.count
        var sentenceStart = 0
        var i = 0
        // A sentence that starts with a list marker ("1.)", "• 9.", "a.") is an item: its
        // marker's period is no end, and the next marker of the sequence ("2.)", "• 10.", "b.")
        // starts the next item even without punctuation before it.
        var item = Scan.listMarker(s, at: 0)
        if let item { i = item.end }
        while i < n {
            // The hot loop: most characters are not terminal punctuation.
            let c = s[i]
            if let current = item, Scan.isSpace(c), i + 1 < n, !Scan.isSpace(s[i + 1]),
               let next = Scan.listMarker(s, at: i + 1), next.follows(current) {
                cuts.append(i)
                sentenceStart = i
                item = next
                i = next.end
                continue
            }
            guard Scan.isTerminal(c) else {
                i += 1
                continue
            }
            let run = Scan.terminalRun(s, from: i)
            let end = run.end
            if end >= n { break }
            if !Scan.isSpace(s[end]) {
                // `3.14`, `U.S.A.`, `example.com`, `Yahoo!Inc`, `Jr.'s`: not an end, except for
                // the full-width marks of scripts written without spaces.
                if run.fullWidth {
                    cuts.append(end)
                    sentenceStart = end
                    item = nil
                }
                i = end
                continue
            }
            var next = end
            while next < n, Scan.isSpace(s[next]) { next += 1 }
            if next >= n { break }
            if run.attachedFullStopBeforeEllipsis, i > 0, Scan.isLetter(s[i - 1]) || Scan.isDigit(s[i - 1]),
               Scan.following(s, at: next).kind == .uppercase {
                // "compounds. . . . The practice": a full stop, then an ellipsis that opens the
                // next sentence (an omission at its start).
                cuts.append(i + 1)
                sentenceStart = i + 1
                item = nil
                i = next
                continue
            }
            if isBoundary(s, run: run, at: i, next: next, sentenceStart: sentenceStart) {
                cuts.append(end)
                sentenceStart = end
                item = Scan.listMarker(s, at: next)
                i = item?.end ?? next
                continue
            }
            i = next
        }
        return Self.mergingBarePunctuation(cuts, in: s)
    }

    /// Drops the cuts that would leave a piece with no letter or digit (a closing quote, a
    /// stray bracket or dash): such a piece belongs to the sentence before it (or, at the
    /// start, the one after it), and is never a sentence of its own.
    static func mergingBarePunctuation(_ cuts: [Int], in s: [Unicode.Scalar]) -> [Int] {
        guard !cuts.isEmpty else { return cuts }
        func hasWord(_ range: Range<Int>) -> Bool {
            for k in range where Scan.isLetter(s[k]) || Scan.isDigit(s[k]) { return true }
            return false
        }
        var kept: [Int] = []
        var start = 0
        for (index, cut) in cuts.enumerated() {
            let end = index + 1 < cuts.count ? cuts[index + 1] : s.count
            if !hasWord(start..<cut) {
                // The piece before this cut is bare: it joins the next one (this cut goes).
                continue
            }
            if !hasWord(cut..<end) {
                // The next piece is bare: it stays with this one (this cut goes); `start`
                // stays where it is so that the merged piece is judged as a whole.
                continue
            }
            kept.append(cut)
            start = cut
        }
        return kept
    }

    /// Decides whether the punctuation run starting at `i` ends a sentence, given that
    /// whitespace follows it and `next` is the first character after that whitespace.
    private func isBoundary(_ s: [Unicode.Scalar], run: Scan.Run, at i: Int, next: Int, sentenceStart: Int) -> Bool {
        let following = Scan.following(s, at: next)
        switch following.kind {
        case .lowercase, .continuation:
            // "Yahoo! in the", "etc. and", "Hmm... well", "« Vraiment ? » demanda-t-il", "Ltd., "
            return false
        case .uppercase, .digit, .symbol:
            break
        }
        if run.ellipsis {
            // "[...]" and "(...)" mark an omission inside a quotation, never an end; neither do
            // three spaced dots between words ("the thing is . . . I didn't"), whereas four
            // ("a period . . . . Next") are an ellipsis and a full stop.
            if i > 0, s[i - 1] == "[" || s[i - 1] == "(" { return false }
            if run.spacedDots == 3, i > 0, Scan.isSpace(s[i - 1]) { return false }
            return true
        }
        if run.strong || run.periods > 1 || run.fullWidth {
            // `!`, `?`, `?!`, `…`, `...`, and `..` (an abbreviation's period plus a full stop).
            return true
        }
        // A single period: what it ends decides.
        var tokenStart = i
        while tokenStart > 0, !Scan.isSpace(s[tokenStart - 1]) { tokenStart -= 1 }
        while tokenStart < i, Scan.isOpener(s[tokenStart]) { tokenStart += 1 }
        let token = s[tokenStart..<i]
        if token.isEmpty { return true }

        if Scan.isListMarker(token), Scan.onlyBullets(s, from: sentenceStart, to: tokenStart) {
            // "1. The first item", "• 9. Item", "a. Item", "1.) Item"
            return false
        }
        if let kind = abbreviation(s, token: tokenStart..<i, next: next) {
            switch kind {
            case .prefix:
                return false
            case .terminal:
                return following.kind == .digit ? false : startsSentence(s, following)
            }
        }
        if token.count == 1, let letter = token.first, Scan.isUppercase(letter) {
            // An initial: "Jonas E. Smith", "J. R. R. Tolkien" — unless the next word plainly
            // starts a sentence: "you and I. Did you", "Anhang B. Die Tabelle".
            if following.kind == .digit { return false }
            return startsSentence(s, following)
        }
        if Scan.isDottedAcronym(token) {
            // "U.S.", "a.m.", "Ph.D.", "LL.AA.II.RR.": "the U.S. Government" but "the E.U. How".
            if following.kind == .digit { return false }
            return startsSentence(s, following)
        }
        if rules.ordinalNumbers, token.count <= 3, token.allSatisfy(Scan.isASCIIDigit) {
            // German ordinals: "am 12. Juni", "im 3. Jahrhundert", "vom 1. -3. Jahrhundert".
            // A dash is an opener, so "-3." is seen as a digit here.
            if following.kind == .digit { return false }
            if let word = Scan.word(s, at: following.position), rules.ordinalFollowers.contains(word) {
                return false
            }
            if let previous = Scan.previousWord(s, before: tokenStart), rules.ordinalPreceders.contains(previous) {
                return false
            }
        }
        return true
    }

    /// For abbreviations that may end a sentence (`etc.`, `Co.`, an initial, `U.S.`): does the
    /// text after it start a new one? Yes before an opening quote or bracket, or a word that
    /// usually starts sentences ("The", "Il", "Der", "El"); no before a name or another initial.
    private func startsSentence(_ s: [Unicode.Scalar], _ following: Scan.Following) -> Bool {
        if following.kind == .symbol { return false }
        if following.afterOpener { return true }
        if Scan.isInitial(s, at: following.position) { return false }
        guard !rules.starters.isEmpty else {
            // No list of sentence starters for this language: a capital starts a sentence.
            return following.kind == .uppercase
        }
        guard let word = Scan.word(s, at: following.position) else { return false }
        return rules.starters.contains(word)
    }

    /// The kind of abbreviation the period after `token` closes, if it closes one: the token
    /// alone (`Dr`, `z.B`, `c.-à-d`), or with a short neighbour across one space (`z. B.`,
    /// `u. a.`, `p. ej.`, `EE. UU.`).
    private func abbreviation(_ s: [Unicode.Scalar], token: Range<Int>, next: Int) -> AbbreviationKind? {
        guard token.count <= LanguageRules.longestAbbreviation else { return nil }
        // Exact entries all start with a capital ("No", "Mar", "M").
        if Scan.isUppercase(s[token.lowerBound]), let kind = rules.exact[Scan.key(s[token], lowercased: false)] {
            return kind
        }
        let lower = Scan.key(s[token], lowercased: true)
        if let kind = rules.abbreviations[lower] { return kind }
        if rules.abbreviatedEndings.contains(where: { lower.utf8.count > $0.utf8.count && lower.hasSuffix($0) }) {
            return .terminal // "Hauptstr." like "Str."
        }
        // "z. B." seen from "z": the next token is short letters and a period.
        if let nextPart = Scan.shortDottedWord(s, at: next),
           let kind = rules.abbreviations[lower + "." + nextPart] {
            return kind
        }
        // "z. B." seen from "B": the previous token is short letters and a period.
        let before = token.lowerBound
        if before >= 3, Scan.isSpace(s[before - 1]), s[before - 2] == "." {
            var start = before - 2
            while start > 0, before - 2 - start < 4, Scan.isLetter(s[start - 1]) { start -= 1 }
            if start < before - 2, start == 0 || Scan.isSpace(s[start - 1]) || Scan.isOpener(s[start - 1]) {
                let previous = Scan.key(s[start..<(before - 2)], lowercased: true)
                if let kind = rules.abbreviations[previous + "." + lower] { return kind }
            }
        }
        return nil
    }
}

/// One sentence as the accumulator hands it out: its text and the line it starts on.
struct Sentence {
    var text: String
    var line: Int
}

/// Turns a paragraph's lines into sentences, one block at a time, in memory bounded by the
/// longest sentence rather than the paragraph: the reader feeds it a file line by line.
///
/// A block is the run of lines that may hold one sentence across line breaks: the lines of a
/// paragraph up to the next list item, or one list item with its indented continuation lines.
/// A block that grows past ``flushThreshold`` is split early: every sentence but the last is
/// handed out (their ends were decided with the next sentence's first words in view), and the
/// last is kept to be continued by the next line.
struct SentenceAccumulator {
    let splitter: SentenceSplitter
    private var block: [Unicode.Scalar] = []
    /// Where each line of the block starts, to tell a sentence's line.
    private var lineStarts: [(offset: Int, line: Int)] = []
    private var blockIsListItem = false
    /// The line being added, decoded; kept to reuse its storage.
    private var lineBuffer: [Unicode.Scalar] = []
    private var nextFlush = SentenceAccumulator.flushThreshold

    /// Characters in a block before it is split early.
    static let flushThreshold = 1 << 16
    /// A "sentence" this long without an end is cut at a line break: keeping it whole would make
    /// memory grow with the file, and no sentence is a megabyte long.
    static let hardLimit = 1 << 20
    /// This accumulator's hard limit, in characters: the text reader sets it just above the
    /// segment limit in bytes, so that a block cut there is a segment the limit refuses.
    let limit: Int

    init(splitter: SentenceSplitter, limit: Int = SentenceAccumulator.hardLimit) {
        self.splitter = splitter
        self.limit = max(limit, 1)
    }

    /// Adds one non-blank line of the current paragraph; hands out the sentences it completes.
    mutating func add(line: String, number: Int, emit: (Sentence) throws -> Void) rethrows {
        var line = line
        line.withUTF8 { Scan.decode($0, into: &lineBuffer) }
        try addDecodedLine(number: number, emit: emit)
    }

    private mutating func addDecodedLine(number: Int, emit: (Sentence) throws -> Void) rethrows {
        let line = lineBuffer[...]
        let isItem = Scan.startsListItem(line)
        let indented = line.first.map(Scan.isSpace) ?? false
        if isItem || (blockIsListItem && !indented) {
            try finish(emit: emit)
        }
        if isItem { blockIsListItem = true }
        if !block.isEmpty { block.append(" ") }
        lineStarts.append((block.count, number))
        block.append(contentsOf: line)
        if block.count >= nextFlush {
            try flushEarly(emit: emit)
        }
    }

    /// Ends the paragraph (a blank line or the end of the file): everything left is handed out.
    mutating func finish(emit: (Sentence) throws -> Void) rethrows {
        defer {
            block.removeAll(keepingCapacity: block.capacity <= Self.flushThreshold * 2)
            lineStarts.removeAll(keepingCapacity: true)
            blockIsListItem = false
            nextFlush = Self.flushThreshold
        }
        guard !block.isEmpty else { return }
        var start = 0
        for cut in splitter.cuts(in: block) {
            try hand(start..<cut, emit)
            start = cut
        }
        try hand(start..<block.count, emit)
    }

    private mutating func flushEarly(emit: (Sentence) throws -> Void) rethrows {
        let cuts = splitter.cuts(in: block)
        guard let last = cuts.last else {
            if block.count >= limit {
                try finish(emit: emit)
            } else {
                // Nothing to hand out yet; wait for twice as much, so that a long sentence is
                // rescanned a logarithmic number of times, not once per line.
                nextFlush = min(block.count * 2, limit)
            }
            return
        }
        var start = 0
        for cut in cuts {
            try hand(start..<cut, emit)
            start = cut
        }
        let firstLine = line(at: last)
        block.removeFirst(last)
        lineStarts = [(offset: 0, line: firstLine)]
            + lineStarts.compactMap { $0.offset > last ? (offset: $0.offset - last, line: $0.line) : nil }
        if block.count >= limit {
            try finish(emit: emit)
        } else {
            nextFlush = min(max(Self.flushThreshold, block.count * 2), limit)
        }
    }

    private func hand(_ range: Range<Int>, _ emit: (Sentence) throws -> Void) rethrows {
        var first = range.lowerBound
        while first < range.upperBound, Scan.isSpace(block[first]) { first += 1 }
        guard first < range.upperBound else { return }
        try emit(Sentence(text: Scan.collapsed(block[first..<range.upperBound]), line: line(at: first)))
    }

    /// The line of the block that holds offset `offset`.
    private func line(at offset: Int) -> Int {
        var low = 0, high = lineStarts.count - 1
        guard high >= 0 else { return 0 }
        while low < high {
            let mid = (low + high + 1) / 2
            if lineStarts[mid].offset <= offset { low = mid } else { high = mid - 1 }
        }
        return lineStarts[low].line
    }
}

// MARK: - Character classes and small scanners

/// The character-level questions the splitter asks, kept free of Regex and of `Character`
/// (grapheme breaking) so that the scan stays fast.
enum Scan {
    struct Run {
        /// Just past the run: its punctuation and the closing quotes and brackets after it.
        var end: Int
        var periods = 0
        var strong = false
        var ellipsis = false
        var fullWidth = false
        /// How many dots a spaced ellipsis (`. . .`) had, 0 without one.
        var spacedDots = 0
        /// The run starts with a period followed by a spaced ellipsis: `word. . . .`.
        var attachedFullStopBeforeEllipsis = false
    }

    enum Kind { case lowercase, uppercase, digit, continuation, symbol }

    /// What comes after a possible sentence end.
    struct Following {
        var kind: Kind
        /// Position of the first character after any opening quotes, brackets, dashes.
        var position: Int
        var afterOpener: Bool
    }

    @inline(__always)
    static func isSpace(_ c: Unicode.Scalar) -> Bool {
        switch c.value {
        case 0x20, 0x09...0x0D: return true
        case 0..<0x80: return false
        default: return c.properties.isWhitespace || c.value == 0x200B || c.value == 0xFEFF
        }
    }

    @inline(__always)
    static func isTerminal(_ c: Unicode.Scalar) -> Bool {
        switch c.value {
        case 0x2E, 0x21, 0x3F: return true // . ! ?
        case 0..<0x80: return false
        case 0x2026, 0x203C, 0x2047, 0x2048, 0x2049, 0x3002, 0xFF01, 0xFF1F, 0xFF61, 0x061F, 0x0964, 0x0965:
            return true
        default: return false
        }
    }

    static func isStrong(_ c: Unicode.Scalar) -> Bool {
        switch c.value {
        case 0x21, 0x3F, 0x203C, 0x2047, 0x2048, 0x2049, 0x061F, 0x0964, 0x0965: return true
        default: return false
        }
    }

    static func isFullWidth(_ c: Unicode.Scalar) -> Bool {
        switch c.value {
        case 0x3002, 0xFF01, 0xFF1F, 0xFF61: return true
        default: return false
        }
    }

    /// Closing quotes and brackets that, right after a sentence's final punctuation, belong to
    /// that sentence. `“` and `‘` close German quotes („…“), `«` closes German »…«.
    static func isCloser(_ c: Unicode.Scalar) -> Bool {
        switch c.value {
        case 0x22, 0x27, 0x29, 0x5D, 0x7D, 0xAB, 0xBB, 0x2018, 0x2019, 0x201C, 0x201D, 0x2039, 0x203A,
             0x300D, 0x300F, 0xFF09:
            return true
        default: return false
        }
    }

    /// What may stand before a sentence's first word: quotes, brackets, Spanish `¿ ¡`, dashes.
    static func isOpener(_ c: Unicode.Scalar) -> Bool {
        switch c.value {
        case 0x22, 0x27, 0x28, 0x5B, 0x7B, 0xAB, 0xBB, 0xBF, 0xA1, 0x2018, 0x201A, 0x201C, 0x201E,
             0x2039, 0x203A, 0x2014, 0x2013, 0x2D, 0x300C, 0x300E, 0xFF08, 0x2022:
            return true
        default: return false
        }
    }

    static func isBullet(_ c: Unicode.Scalar) -> Bool {
        switch c.value {
        case 0x2D, 0x2A, 0x2022, 0x2013, 0x2014, 0x2023, 0x25E6, 0x25AA, 0x2043, 0xB7: return true
        default: return false
        }
    }

    @inline(__always)
    static func isASCIIDigit(_ c: Unicode.Scalar) -> Bool { c.value >= 0x30 && c.value <= 0x39 }

    static func isDigit(_ c: Unicode.Scalar) -> Bool {
        isASCIIDigit(c) || (c.value >= 0x80 && c.properties.generalCategory == .decimalNumber)
    }

    static func isLetter(_ c: Unicode.Scalar) -> Bool {
        if c.value < 0x80 { return (c.value | 0x20) >= 0x61 && (c.value | 0x20) <= 0x7A }
        return c.properties.isAlphabetic
    }

    /// The punctuation run starting at terminal mark `i`: marks, spaced ellipses (`. . .`), and
    /// the closing quotes and brackets after them, including a French closing guillemet after a
    /// space (`« Oui. »`).
    static func terminalRun(_ s: [Unicode.Scalar], from i: Int) -> Run {
        let n = s.count
        var run = Run(end: i)
        var j = i
        while j < n {
            let c = s[j]
            if c == "." {
                let dots = spacedDots(s, from: j)
                if dots.count >= 3 {
                    run.ellipsis = true
                    run.spacedDots = dots.count
                    // "compounds. . . ." is a full stop and then ". . .": four dots, the first
                    // attached to its word.
                    if j == i, dots.count >= 4 { run.attachedFullStopBeforeEllipsis = true }
                    j = dots.end
                } else {
                    run.periods += 1
                    j += 1
                }
            } else if c == "\u{2026}" {
                run.ellipsis = true
                j += 1
            } else if isStrong(c) {
                run.strong = true
                j += 1
            } else if isFullWidth(c) {
                run.fullWidth = true
                j += 1
            } else if isCloser(c) {
                j += 1
            } else if isSpace(c), let after = spacedCloser(s, from: j) {
                j = after
            } else {
                break
            }
        }
        if run.periods >= 3 { run.ellipsis = true }
        run.end = j
        return run
    }

    /// `. . .` starting at `j`: how many dots, and where the pattern ends.
    private static func spacedDots(_ s: [Unicode.Scalar], from j: Int) -> (count: Int, end: Int) {
        var count = 1
        var k = j + 1
        while k + 1 < s.count, s[k] == " ", s[k + 1] == "." {
            count += 1
            k += 2
        }
        return (count, k)
    }

    /// A closing quote or bracket after a space or two: `» ›` of French typography, and the
    /// closers that never open (`” ’ ) ] }`) left after a space by careless typing ("the end. ”
    /// Next"), which stay with their sentence. A guillemet is closing when no letter or digit
    /// follows it (an opening German `»` is followed by its first word). Quotes that may open
    /// (`« “ " '`) are left to the next sentence; one left bare is merged back by
    /// ``SentenceSplitter/mergingBarePunctuation(_:in:)``.
    private static func spacedCloser(_ s: [Unicode.Scalar], from j: Int) -> Int? {
        var k = j
        while k < s.count, isSpace(s[k]) { k += 1 }
        guard k < s.count, k - j <= 2 else { return nil }
        switch s[k].value {
        case 0xBB, 0x203A:
            // French closing guillemets: closing unless the next word follows at once.
            if k + 1 < s.count, isLetter(s[k + 1]) || isDigit(s[k + 1]) { return nil }
        case 0x201D, 0x2019, 0x29, 0x5D, 0x7D:
            // Curly closing quotes and brackets only close; after a space they are a typing slip.
            if k + 1 < s.count, !isSpace(s[k + 1]), !isCloser(s[k + 1]), !isTerminal(s[k + 1]) { return nil }
        default:
            // « “ ‘ " ' after a space open the next sentence as often as they close this one.
            return nil
        }
        return k + 1
    }

    /// Classifies what starts at `position` (the first non-space after a possible end).
    static func following(_ s: [Unicode.Scalar], at position: Int) -> Following {
        var p = position
        while p < s.count, isOpener(s[p]) {
            // A dash set off by spaces ("what luck! -- landed"): look past it to the word.
            let isDash = s[p] == "-" || s[p] == "\u{2013}" || s[p] == "\u{2014}"
            p += 1
            if isDash, p < s.count, isSpace(s[p]) {
                while p < s.count, isSpace(s[p]) { p += 1 }
            }
        }
        let afterOpener = p > position
        guard p < s.count else { return Following(kind: .symbol, position: position, afterOpener: afterOpener) }
        let c = s[p]
        let kind: Kind
        if !afterOpener, isContinuation(c) {
            kind = .continuation
        } else if isDigit(c) {
            kind = .digit
        } else if isLetter(c) {
            if Scan.isLowercase(c) {
                // "iPhone", "eBay" start sentences in lower case.
                kind = hasCapitalInside(s, from: p + 1) ? .uppercase : .lowercase
            } else {
                kind = .uppercase // upper, title case, or a script without case
            }
        } else {
            kind = .symbol
        }
        return Following(kind: kind, position: p, afterOpener: afterOpener)
    }

    /// Punctuation that continues a sentence after a period: "Ltd., ", "etc.; ".
    private static func isContinuation(_ c: Unicode.Scalar) -> Bool {
        switch c {
        case ",", ";", ":", ")", "]", "}", "%", "/": return true
        default: return false
        }
    }

    private static func hasCapitalInside(_ s: [Unicode.Scalar], from p: Int) -> Bool {
        var k = p
        while k < s.count, k < p + 12, isLetter(s[k]) {
            if isUppercase(s[k]) { return true }
            k += 1
        }
        return false
    }

    /// The word at `p` (letters and combining marks), lowercased and in NFC; `nil` if none.
    /// An apostrophe ends it, so "L'exploitation" gives "l" and "C'est" gives "c".
    static func word(_ s: [Unicode.Scalar], at p: Int) -> String? {
        var k = p
        while k < s.count, k - p < 24, isLetter(s[k]) || (s[k].value >= 0x300 && s[k].properties.generalCategory == .nonspacingMark) {
            k += 1
        }
        guard k > p else { return nil }
        return key(s[p..<k], lowercased: true)
    }

    /// The word before offset `p`, skipping spaces: "am" in "am 12. Juni".
    static func previousWord(_ s: [Unicode.Scalar], before p: Int) -> String? {
        var end = p
        while end > 0, isSpace(s[end - 1]) { end -= 1 }
        var start = end
        while start > 0, end - start < 24, isLetter(s[start - 1]) { start -= 1 }
        guard start < end else { return nil }
        return key(s[start..<end], lowercased: true)
    }

    /// Up to four letters followed by a period, at `p`: the second half of `z. B.`.
    static func shortDottedWord(_ s: [Unicode.Scalar], at p: Int) -> String? {
        var k = p
        while k < s.count, k - p <= 4, isLetter(s[k]) { k += 1 }
        guard k > p, k - p <= 4, k < s.count, s[k] == "." else { return nil }
        return key(s[p..<k], lowercased: true)
    }

    /// A single letter and a period at `p`, like the "R." of "J. R. R. Tolkien".
    static func isInitial(_ s: [Unicode.Scalar], at p: Int) -> Bool {
        p + 1 < s.count && isLetter(s[p]) && s[p + 1] == "."
            && (p + 2 == s.count || isSpace(s[p + 2]) || isLetter(s[p + 2]))
    }

    /// "1", "12", "a", "iv": what numbers a list item before a period.
    static func isListMarker(_ token: ArraySlice<Unicode.Scalar>) -> Bool {
        guard let first = token.first else { return false }
        if token.count <= 3, token.allSatisfy(isASCIIDigit) { return true }
        if token.count == 1, first.value >= 0x61, first.value <= 0x7A { return true }
        return token.count <= 4 && token.allSatisfy { "ivx".unicodeScalars.contains($0) }
    }

    /// A list item's marker: an optional bullet, then a number of up to three digits or one
    /// lower-case letter, then `.`, `)` or `.)`, then a space.
    struct ListMarker {
        var bullet: Unicode.Scalar?
        var number: Int?
        var letter: UInt32?
        var suffix: [Unicode.Scalar]
        /// Just past the marker (before the space).
        var end: Int

        /// Is `self` the marker after `previous` in one sequence: same bullet and punctuation,
        /// the next number or letter?
        func follows(_ previous: ListMarker) -> Bool {
            guard bullet == previous.bullet, suffix == previous.suffix else { return false }
            if let number, let before = previous.number { return number == before + 1 }
            if let letter, let before = previous.letter { return letter == before + 1 }
            return false
        }
    }

    static func listMarker(_ s: [Unicode.Scalar], at p: Int) -> ListMarker? {
        let n = s.count
        var k = p
        while k < n, isSpace(s[k]) { k += 1 }
        var bullet: Unicode.Scalar?
        if k < n, isBullet(s[k]), s[k] != "-" {
            bullet = s[k]
            k += 1
            while k < n, k - p < 4, isSpace(s[k]) { k += 1 }
        }
        let labelStart = k
        while k < n, k - labelStart < 4, isASCIIDigit(s[k]) { k += 1 }
        var number: Int?
        var letter: UInt32?
        if k > labelStart {
            guard k - labelStart <= 3 else { return nil }
            number = s[labelStart..<k].reduce(0) { $0 * 10 + Int($1.value - 0x30) }
        } else if k < n, s[k].value >= 0x61, s[k].value <= 0x7A {
            letter = s[k].value
            k += 1
        } else {
            return nil
        }
        var suffix: [Unicode.Scalar] = []
        if k < n, s[k] == "." { suffix.append("."); k += 1 }
        if k < n, s[k] == ")" { suffix.append(")"); k += 1 }
        // A number needs its punctuation; a letter needs it too ("a. The first", not "a The").
        guard !suffix.isEmpty, k < n, isSpace(s[k]) else { return nil }
        // "a." or "i." inside prose ("type a. Then") must not start a list: a letter marker
        // counts only at the start of a sentence, which the caller guarantees, and only "a"
        // begins a sequence there; a later letter is checked by `follows`.
        return ListMarker(bullet: bullet, number: number, letter: letter, suffix: suffix, end: k)
    }

    /// Is there nothing but spaces and bullets between `from` and `to`?
    static func onlyBullets(_ s: [Unicode.Scalar], from: Int, to: Int) -> Bool {
        var k = from
        while k < to {
            guard isSpace(s[k]) || isBullet(s[k]) else { return false }
            k += 1
        }
        return true
    }

    /// "U.S", "a.m", "Ph.D", "LL.AA.II.RR", "J.-C": letters in groups of one to three joined
    /// by periods (the token before the final period).
    static func isDottedAcronym(_ token: ArraySlice<Unicode.Scalar>) -> Bool {
        var groups = 0
        var length = 0
        for c in token {
            if c == "." {
                guard length > 0 else { return false }
                groups += 1
                length = 0
            } else if isLetter(c) {
                length += 1
                if length > 3 { return false }
            } else if c == "-", length == 0 {
                continue
            } else {
                return false
            }
        }
        return groups >= 1 && length > 0
    }

    /// Does this line start with a list marker: "- ", "* ", "• ", "– ", "1. ", "12) ", "1.) ",
    /// "a) ", "b. ", "(a) ", "(3) ", "iv. "? An upper-case letter and a period ("A. Smith")
    /// is an initial, not a marker.
    static func startsListItem<Line: Collection<Unicode.Scalar>>(_ line: Line) -> Bool {
        var scalars = line.drop(while: isSpace)
        guard let first = scalars.first else { return false }
        if isBullet(first) {
            let rest = scalars.dropFirst()
            return rest.first.map(isSpace) ?? false
        }
        var parenthesised = false
        if first == "(" {
            parenthesised = true
            scalars = scalars.dropFirst()
        }
        let label = scalars.prefix { isASCIIDigit($0) || isLetter($0) }
        guard !label.isEmpty else { return false }
        let isNumber = label.count <= 3 && label.allSatisfy(isASCIIDigit)
        let isLetterLabel = label.count == 1 && label.first.map(isLetter) == true
        let isRoman = label.count <= 4 && label.allSatisfy { "ivx".unicodeScalars.contains($0) }
        guard isNumber || isLetterLabel || isRoman else { return false }
        var rest = scalars.dropFirst(label.count)
        guard let mark = rest.first else { return false }
        if parenthesised {
            guard mark == ")" else { return false }
        } else if mark == "." {
            if !isNumber, label.first.map(isUppercase) == true { return false }
            if rest.dropFirst().first == ")" { rest = rest.dropFirst() }
        } else if mark != ")" {
            return false
        }
        return rest.dropFirst().first.map(isSpace) ?? false
    }

    /// A short piece of text as a key for the word lists: in NFC, and lower-cased if asked.
    /// ASCII, by far the common case, is encoded and lower-cased by hand.
    static func key(_ scalars: ArraySlice<Unicode.Scalar>, lowercased: Bool) -> String {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(scalars.count)
        for c in scalars {
            guard c.value < 0x80 else {
                var view = String.UnicodeScalarView()
                view.append(contentsOf: scalars)
                let text = String(view).precomposedStringWithCanonicalMapping
                return lowercased ? text.lowercased() : text
            }
            let byte = UInt8(c.value)
            bytes.append(lowercased && byte >= 0x41 && byte <= 0x5A ? byte | 0x20 : byte)
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    /// The text of a sentence: runs of whitespace (line breaks included) become one space,
    /// and none is left at the ends.
    ///
    /// Encodes to UTF-8 by hand and makes the string once: appending scalar by scalar to a
    /// `String` costs more than all of the splitting.
    static func collapsed(_ scalars: ArraySlice<Unicode.Scalar>) -> String {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(scalars.count + scalars.count / 8)
        var pendingSpace = false
        for c in scalars {
            let v = c.value
            if v < 0x80 {
                if v == 0x20 || (v >= 0x09 && v <= 0x0D) {
                    pendingSpace = !bytes.isEmpty
                    continue
                }
                if pendingSpace {
                    bytes.append(0x20)
                    pendingSpace = false
                }
                bytes.append(UInt8(v))
                continue
            }
            if isSpace(c) {
                pendingSpace = !bytes.isEmpty
                continue
            }
            if pendingSpace {
                bytes.append(0x20)
                pendingSpace = false
            }
            if v < 0x800 {
                bytes.append(UInt8(0xC0 | (v >> 6)))
                bytes.append(UInt8(0x80 | (v & 0x3F)))
            } else if v < 0x10000 {
                bytes.append(UInt8(0xE0 | (v >> 12)))
                bytes.append(UInt8(0x80 | ((v >> 6) & 0x3F)))
                bytes.append(UInt8(0x80 | (v & 0x3F)))
            } else {
                bytes.append(UInt8(0xF0 | (v >> 18)))
                bytes.append(UInt8(0x80 | ((v >> 12) & 0x3F)))
                bytes.append(UInt8(0x80 | ((v >> 6) & 0x3F)))
                bytes.append(UInt8(0x80 | (v & 0x3F)))
            }
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    /// Is the line empty or only whitespace (a paragraph break)?
    static func isBlank(_ line: String) -> Bool {
        for byte in line.utf8 {
            if byte >= 0x80 { return line.unicodeScalars.allSatisfy(isSpace) }
            if byte != 0x20, byte < 0x09 || byte > 0x0D { return false }
        }
        return true
    }

    /// Decodes UTF-8 (valid: it comes from a `String`) into `scalars`, replacing their content.
    /// Faster than appending a `String.UnicodeScalarView`, which counts the scalars first.
    static func decode(_ bytes: UnsafeBufferPointer<UInt8>, into scalars: inout [Unicode.Scalar]) {
        scalars.removeAll(keepingCapacity: true)
        scalars.reserveCapacity(bytes.count)
        var i = 0
        let n = bytes.count
        while i < n {
            let lead = UInt32(bytes[i])
            var value: UInt32
            if lead < 0x80 {
                value = lead
                i += 1
            } else if lead < 0xE0, i + 1 < n {
                value = (lead & 0x1F) << 6 | UInt32(bytes[i + 1] & 0x3F)
                i += 2
            } else if lead < 0xF0, i + 2 < n {
                value = (lead & 0x0F) << 12 | UInt32(bytes[i + 1] & 0x3F) << 6 | UInt32(bytes[i + 2] & 0x3F)
                i += 3
            } else if i + 3 < n {
                value = (lead & 0x07) << 18 | UInt32(bytes[i + 1] & 0x3F) << 12
                    | UInt32(bytes[i + 2] & 0x3F) << 6 | UInt32(bytes[i + 3] & 0x3F)
                i += 4
            } else {
                value = 0xFFFD
                i = n
            }
            scalars.append(Unicode.Scalar(value) ?? "\u{FFFD}")
        }
    }

    static func isLowercase(_ c: Unicode.Scalar) -> Bool {
        c.value < 0x80 ? (c.value >= 0x61 && c.value <= 0x7A) : c.properties.isLowercase
    }

    static func isUppercase(_ c: Unicode.Scalar) -> Bool {
        c.value < 0x80 ? (c.value >= 0x41 && c.value <= 0x5A) : c.properties.isUppercase
    }
}

// MARK: - Language data

/// How an abbreviation behaves before a capitalised word.
enum AbbreviationKind: Sendable {
    /// Titles and connectors that stand before what they qualify and never end a sentence:
    /// `Mr.`, `Dr.`, `M.`, `Sra.`, `e.g.`, `z. B.`, `vs.`.
    case prefix
    /// Abbreviations that may end a sentence: `etc.`, `Co.`, `Jr.`, `usw.`, `p.` (before a
    /// number it never does). One ends before a word that typically starts a sentence.
    case terminal
}

/// The abbreviations and word lists of one language, written here (no resource file) so that
/// the rules are reviewed with the code and compiled into the binary.
struct LanguageRules: Sendable {
    /// Lower-case abbreviations (without the final period) that match in any case.
    var abbreviations: [String: AbbreviationKind] = [:]
    /// Abbreviations that are ordinary words in another case ("No" but not "no", Spanish
    /// "Mar" for martes/marzo but not "mar", the sea), matched exactly.
    var exact: [String: AbbreviationKind] = [:]
    /// Lower-case words that typically start a sentence: articles, pronouns, conjunctions.
    var starters: Set<String> = []
    /// German: a number and a period can be an ordinal ("am 1. Januar").
    var ordinalNumbers = false
    var ordinalFollowers: Set<String> = []
    var ordinalPreceders: Set<String> = []
    /// Endings of compounds that are abbreviated like the word they end in ("Parkstr.").
    var abbreviatedEndings: [String] = []

    /// Longer tokens are not looked up.
    static let longestAbbreviation = 12

    /// Adds space-separated entries: entries with a capital letter match exactly, the others
    /// in any case.
    mutating func add(_ kind: AbbreviationKind, _ list: String) {
        for entry in list.split(separator: " ") {
            let text = String(entry).precomposedStringWithCanonicalMapping
            if text.contains(where: \.isUppercase) {
                exact[text] = kind
            } else {
                abbreviations[text] = kind
            }
        }
    }

    static func words(_ list: String) -> Set<String> {
        Set(list.split(separator: " ").map { String($0).precomposedStringWithCanonicalMapping })
    }

    static func forLanguage(_ primary: String) -> LanguageRules {
        switch primary {
        case "en": english
        case "fr": french
        case "de": german
        case "es": spanish
        default: generic
        }
    }

    /// Abbreviations met in any Latin-script language.
    static let generic: LanguageRules = {
        var rules = LanguageRules()
        rules.add(.prefix, "mr mrs ms dr prof e.g i.e vs cf mt")
        // Company forms and currencies met in every language's text: "Acme Inc. sells",
        // "Rs. 500" (a currency never ends a sentence before its amount).
        rules.add(.terminal, "etc n° nº No Nr inc ltd corp llc plc gmbh rs")
        return rules
    }()

    static let english: LanguageRules = {
        var rules = generic
        rules.add(.prefix, """
            mr mrs ms mx dr prof rev messrs mmes e.g i.e vs viz cf ca approx \
            Gen Col Sen Rep Gov Pres Lt Sgt Capt Cmdr Adm Supt Insp Hon Rev Fr
            """)
        rules.add(.terminal, """
            etc al inc ltd co corp llc plc bros jr sr esq st ave rd blvd dept univ assn est \
            fig figs eq p pp ch chap sec vol vols nos ft lb lbs oz min hr hrs sq yd ph.d \
            jan feb apr jun jul aug sep sept oct nov dec mon tue tues wed thu thur thurs fri \
            No Mar Sat Sun Art
            """)
        rules.starters = words("""
            a an the this that these those it its he she we they i you my his her our their your \
            there here then but and so yet or nor however in on at for to from by with after before \
            when while if what who whom whose why how where which did do does is are was were have has \
            had will would can could should may might must as now one some many most all each every \
            no not being millions more meanwhile also still although because since today yesterday \
            tomorrow once thus therefore instead indeed later soon meanwhile finally first next
            """)
        return rules
    }()

    static let french: LanguageRules = {
        var rules = generic
        rules.add(.prefix, """
            M MM Me Mgr mme mmes mlle mlles mgr dr pr c.-à-d c-à-d cf vs p.ex
            """)
        rules.add(.terminal, """
            etc av apr j.-c éd coll vol vols chap p pp fig env hab min max tél réf bd boul sq ex \
            art cie ibid cit janv févr fév avr juil sept oct nov déc lun mar ven sam dim \
            St Ste No
            """)
        rules.starters = words("""
            le la les l un une des du de d il elle ils elles on nous vous je j tu ce c cet cette ces \
            ça cela ceci mais et ou puis alors donc car quand si s dans en au aux pour par sur sous \
            avec selon depuis après avant pourtant cependant enfin ensuite aussi ainsi qui que qu \
            quoi comment pourquoi où mon ma mes ton ta tes son sa ses leur leurs notre nos votre vos \
            tout tous toute toutes chaque aujourd hier demain il y ne n voici voilà lorsque comme \
            personne rien certains plusieurs chez entre malgré
            """)
        return rules
    }()

    static let german: LanguageRules = {
        var rules = generic
        rules.add(.prefix, """
            dr prof hr hrn Fr frl st hl med dipl ing phil rer nat jur z.b z.t z.z d.h u.a u.ä \
            u.u o.ä s.o s.u v.a bzw vgl ggf evtl ca sog inkl exkl zzgl abzgl bspw insb geb verh gest s
            """)
        rules.add(.terminal, """
            usw etc u.s.w abs art kap bd jh jhd jahrh mio mrd tsd str pl tel kath ev evang röm \
            co nr S Nr jan febr feb mär apr jun jul aug sep sept okt nov dez
            """)
        rules.starters = words("""
            der die das den dem des ein eine einen einem einer er sie es wir ihr ich du man dann doch \
            aber und oder auch als wenn weil da dort hier so nun jetzt heute gestern morgen im in am an \
            auf mit nach vor bei zum zur was wer wie wo warum wann dieser diese dieses mein meine sein \
            seine unser unsere alle jeder jede jedes nicht kein keine trotzdem deshalb danach außerdem \
            denn später zuerst schließlich dabei damit daher deswegen allerdings zudem ob obwohl nachdem
            """)
        rules.abbreviatedEndings = ["str"]
        rules.ordinalNumbers = true
        rules.ordinalFollowers = words("""
            januar jänner februar märz april mai juni juli august september oktober november dezember \
            jahrhundert jahrhunderts jahrtausend jahrtausends platz mal stock stockwerk klasse auflage \
            kapitel runde liga weltkrieg weltkriegs geburtstag lebensjahr quartal halbjahr spieltag \
            etage semester grad grades advent todestag jahrestag jahrgang etappe tag woche
            """)
        rules.ordinalPreceders = words("""
            am im vom zum beim der die das den dem des ihr ihrem ihren ihrer sein seinem \
            seinen seiner jedem jeden jeder ins ums fürs zur
            """)
        return rules
    }()

    static let spanish: LanguageRules = {
        var rules = generic
        rules.add(.prefix, """
            sr sra srta sres sras dr dra dres lic lcda lcdo ing prof d dña dn ud uds vd vds \
            p.ej gral excmo excma ilmo ilma sto sta mons
            """)
        rules.add(.terminal, """
            etc ee.uu pág págs p pp núm art arts cap caps tel tlf telf aprox avda av admón dpto depto \
            párr párrf párrs inc incs lit apdo ptas pts \
            cía s.a ltda ej vol vols hs min seg ref fig \
            ene feb abr jun jul ago sep sept oct nov dic lun mié jue vie sáb dom Mar No
            """)
        rules.starters = words("""
            el la los las lo un una unos unas él ella ellos ellas yo tú usted ustedes nosotros \
            nosotras vosotros se le les me te nos pero y e o u entonces luego después antes cuando si \
            como en con por para desde hoy ayer mañana este esta estos estas ese esa esos esas aquel \
            mi mis su sus tu tus nuestro nuestra hay es era fue no sí ya también aquí allí qué quién \
            cómo dónde cuándo al del todo todos todas cada gracias sin embargo además así aunque \
            mientras finalmente primero
            """)
        return rules
    }()
}
