import Foundation
import HeldoutCore
import HeldoutStore
import Testing
@testable import HeldoutGrading

/// Sentence and word counting at abbreviations, quotations and numbers; the scratch buffers
/// and the exception table behind the fast path.
@Suite struct CountingTests {
    let analyzer = TextAnalyzer()

    func sentences(_ text: String, _ language: GradingLanguage = .english) -> Int {
        analyzer.analyze(text, language: language).sentences
    }

    @Test func abbreviationsBeforeExamplesAndNamesDoNotEndSentences() {
        #expect(sentences("It uses many tools, e.g. grep and sed, for this job.") == 1)
        #expect(sentences("Each entry is what the bits decode as, i.e. how many bits to gobble.") == 1)
        #expect(sentences("Mr. Smith and Dr. Jones went to Washington together.") == 1)
        #expect(sentences("The program was written by John J. Smith in the spring.") == 1)
        #expect(sentences("This is the value for the U.S. Government and its agencies.") == 1)
        #expect(sentences("Das ist z.B. ein gutes Beispiel für uns.", .german) == 1)
    }

    @Test func abbreviationsThatMayEndASentenceEndOneOnlyBeforeACapital() {
        #expect(sentences("The types used for memory lengths, etc. have been made portable.") == 1)
        #expect(sentences("We sell apples, pears, etc. They are all fresh today.") == 2)
        #expect(sentences("See page No. 5 of the manual for the details.") == 1)
        #expect(sentences("The answer to that question is no. The next one is yes.") == 2)
    }

    @Test func fullStopsAfterWordsStillEndSentencesBeforeLowercase() {
        // Program names start sentences in lowercase; only abbreviations are exempt.
        #expect(sentences("It is enabled at configure time. debuginfod is packaged with elfutils.") == 2)
        #expect(sentences("The cat sat on the mat. The dog lay on the rug.") == 2)
        #expect(sentences("Is this the right way? We think it is the right way!") == 2)
    }

    @Test func terminatorsInsideQuotationsBeforeLowercaseDoNotEndSentences() {
        #expect(sentences("Nano 0.9.8 (the 'what broke now?' release) should fix the crash.") == 1)
        #expect(sentences("He said \"stop it now!\" and then he left the room.") == 1)
        // Before a capital the quotation ends the sentence.
        #expect(sentences("He said \"we are done now.\" Then he left the room.") == 2)
    }

    @Test func numbersWithThousandsSeparatorsAreOneWord() {
        #expect(analyzer.analyze("The fee is 1,000,000 dollars today", language: .english).words == 6)
        #expect(analyzer.analyze("Pick 1,2 or 3 of them", language: .english).words == 7)       // a list, not a number
        #expect(analyzer.analyze("Pick 1,2345 of them now", language: .english).words == 6)     // four digits: no separator
        #expect(analyzer.analyze("We counted 12,500 birds there", language: .english).syllables == 6)
    }

    @Test func wordsLongerThanTheBuffersAreCountedWhole() {
        let long = String(repeating: "ab", count: 700)
        let counts = analyzer.analyze("A \(long) then more words follow here.", language: .english)
        #expect(counts.words == 7)
        #expect(counts.letters == 1 + 1_400 + 4 + 4 + 5 + 6 + 4)
        // The grown buffers keep working for the next text.
        #expect(analyzer.analyze("The cat sat on the mat.", language: .english).syllables == 6)
    }

    @Test func exceptionTableLooksUpWhatItHolds() throws {
        let table = try SyllableCounter.parseExceptions("# comment\n\nfire 1\nqueue 1\nfire 2\ncafé 2\n")
        #expect(table.count == 3)                          // a repeated word replaces the earlier count
        func key(_ word: String) -> UInt64 {
            word.unicodeScalars.map(\.value).withUnsafeBufferPointer { SyllableCounter.wordKey($0) }
        }
        #expect(table.lookup(key("fire")) == 2)
        #expect(table.lookup(key("queue")) == 1)
        #expect(table.lookup(key("café")) == 2)            // non-ASCII lines hash by scalar like the scan does
        #expect(table.lookup(key("cat")) == 0)
        let counter = try SyllableCounter(exceptionList: "syllable 7\n")
        #expect(counter.count("syllable", language: .english) == 7)
        #expect(counter.count("syllables", language: .english) == 3)   // not in the list: the rules
    }

    @Test func malformedExceptionListsNameTheLine() {
        for bad in ["cat\n", "cat one\n", "cat 0\n", "cat 1 2\n", " 1\n", "cat 300\n"] {
            #expect(throws: GradingError.self, "\(bad.debugDescription)") {
                _ = try SyllableCounter.parseExceptions("good 1\n" + bad)
            }
        }
        do {
            _ = try SyllableCounter.parseExceptions("good 1\n# note\nbad x\n")
            Issue.record("expected an error")
        } catch let GradingError.badSyllableData(line, text) {
            #expect(line == 3 && text == "bad x")
        } catch {
            Issue.record("unexpected \(error)")
        }
    }

    @Test func batchRecordsAreTheSegmentGrades() {
        let texts: [(String, GradingLanguage)] = [
            ("The cat sat on the mat.", .english), ("Yes.", .english),
            ("Notwithstanding considerable complexity, collaboration materialised.", .english),
            ("Le chat dort sur la table de la cuisine.", .french), ("El perro come en la casa grande.", .spanish),
            ("Der Hund schläft in der großen Küche.", .german), ("Il gatto dorme sul tavolo della cucina.", .italian),
            ("Кошка спит на столе в кухне.", .other), ("1 2 3", .english),
        ]
        // The batch path (what is stored) against the one-text path, formula by formula.
        var batch = SegmentBatch()
        let tags: [GradingLanguage: String] = [.english: "en", .french: "fr", .spanish: "es", .german: "de",
                                               .italian: "it", .other: "ru"]
        for (i, (text, language)) in texts.enumerated() {
            batch.append(rowid: Int64(i + 1), lang: tags[language] ?? "und", text: text)
        }
        let records = Grader.gradeBatch(batch, bands: .standard, analyzers: [TextAnalyzer(), TextAnalyzer()])
        #expect(records.map(\.segment) == Array(1...Int64(texts.count)))
        for ((text, language), record) in zip(texts, records) {
            let grade = Grader.grade(text, language: language)
            #expect(record.words == grade.counts.words && record.syllables == grade.counts.syllables, "\(text)")
            #expect(record.grade == grade.grade, "\(text)")
            var expected: [String: Double] = [:]
            for (formula, value) in grade.readability { expected[formula.rawValue] = Grader.round2(value) }
            var stored: [String: Double] = [:]
            for (i, name) in GradeRecord.formulaColumns.enumerated() where !record.formulas[i].isNaN {
                stored[name] = record.formulas[i]
            }
            #expect(stored == expected, "\(text)")
        }
    }

    @Test func everyFormulaHasAColumn() {
        for formula in ReadabilityFormula.allCases {
            #expect(GradeRecord.formulaColumns.contains(formula.rawValue), "\(formula)")
        }
        #expect(Set(GradeRecord.formulaColumns).count == ReadabilityFormula.allCases.count)
        #expect(GradeRecord.noFormulas.count == GradeRecord.formulaColumns.count)
        for language in [GradingLanguage.english, .french, .spanish, .german, .italian, .other] {
            #expect(Grader.slots(language).count == ReadabilityFormula.formulas(for: language).count)
        }
    }

    @Test func rowsWrittenThirtyTwoAtATimeBelongToTheirSegments() throws {
        // 75 segments in one batch: two 32-row inserts and 11 single rows; every row must carry
        // its own segment's counts.
        let t = try TemporaryStore()
        let texts = (0..<75).map { i in
            (["Item", "\(i)", "has"] + Array(repeating: "cat", count: i % 19) + ["here."]).joined(separator: " ")
        }
        try t.ingest("a", texts.map { ("en", $0, nil) })
        var options = Grader.Options()
        options.threads = 2
        #expect(try Grader(options: options).run(store: t.store).graded == 75)
        let segments = try t.segments()
        for text in texts {
            let expected = Grader.grade(text, language: .english)
            let stored = try #require(segments[text])
            #expect(stored.words == expected.counts.words && stored.syllables == expected.counts.syllables, "\(text)")
            #expect(stored.grade == expected.grade, "\(text)")
        }
    }

    @Test func metadataDomainsDisappearWhenNoCorpusDeclaresOne() throws {
        let t = try TemporaryStore()
        try t.ingest("a", domain: "news", [("en", "The cat sat on the mat.", nil), ("en", "A dog ran in the park.", nil)])
        var options = Grader.Options()
        options.threads = 2
        _ = try Grader(options: options).run(store: t.store)
        #expect(try t.segments()["The cat sat on the mat."]?.domain == "news")
        // The same corpus again, changed and without a domain: its metadata domains go.
        try t.ingest("a", [("en", "The cat sat on the mat.", nil), ("en", "A bird sang in the tree.", nil)])
        let run = try Grader(options: options).run(store: t.store)
        #expect(run.metadataDomains == 0)
        #expect(try t.segments().values.allSatisfy { $0.domain == nil })
    }
}

/// The per-analyzer word cache must not change any count.
@Suite struct WordCacheTests {
    @Test func aWarmAnalyzerCountsLikeAFreshOne() {
        let texts: [(String, GradingLanguage)] = [
            ("The table is on the filesystem, and the tables are in the namespace.", .english),
            ("La table est dans la cuisine avec les tables.", .french),
            ("The table is there again.", .english),
            ("Die Tabelle ist auf dem Tisch neben der Tabelle.", .german),
        ]
        let warm = TextAnalyzer()
        for _ in 0..<2 {
            for (text, language) in texts {
                #expect(warm.analyze(text, language: language) == TextAnalyzer().analyze(text, language: language), "\(text)")
            }
        }
        // The same word in two languages: each language's count, not the first one cached.
        #expect(warm.analyze("table", language: .english).syllables == 2)
        #expect(warm.analyze("table", language: .french).syllables == 1)
    }

    @Test func aFullCacheStopsTakingWordsAndStaysCorrect() {
        let cache = WordCache(capacity: 8)
        for k in 1...10 { cache.insert(UInt64(k) &* 0x1234_5678_9ABC_DEF1, k) }
        var held = 0
        for k in 1...10 {
            let found = cache.lookup(UInt64(k) &* 0x1234_5678_9ABC_DEF1)
            #expect(found == 0 || Int(found) == k)
            if found != 0 { held += 1 }
        }
        #expect(held == 4)                       // half of the capacity
        cache.insert(99, 300)                    // more than a byte holds: not cached
        #expect(cache.lookup(99) == 0)
    }
}
