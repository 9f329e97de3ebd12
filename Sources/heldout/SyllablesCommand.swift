import ArgumentParser
import Foundation
import HeldoutCore
import HeldoutGrading

/// `heldout syllables`: the grader's syllable counter on words, one per line — for checking it
/// against a reference (bench/grade.sh) and for regenerating the English exception list
/// (scripts/make-syllable-exceptions.py, which runs it with --rules-only).
struct SyllablesCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "syllables",
        abstract: "Count syllables of words (arguments, or one per line on stdin) as the grader does."
    )

    @Option(help: "Language whose rules to use: en, fr, es, de, it (others: generic vowel groups).")
    var lang = "en"

    @Flag(help: "English: rules only, without the CMUdict-derived exception list.")
    var rulesOnly = false

    @Option(help: "English: use this exception list (`word count` per line) instead of the built-in one.")
    var exceptions: String?

    @Argument(help: "Words (default: read stdin).")
    var words: [String] = []

    func run() throws {
        let counter: SyllableCounter
        if rulesOnly {
            counter = .rulesOnly
        } else if let exceptions {
            guard let text = try? String(contentsOfFile: exceptions, encoding: .utf8) else {
                throw HeldoutError.badInput(SourceLocation(file: exceptions), InputProblem.describeUnreadable(exceptions))
            }
            counter = try SyllableCounter(exceptionList: text)
        } else {
            counter = .standard
        }
        let language = GradingLanguage(tag: lang)
        var output = ""
        func emit(_ word: Substring) {
            let trimmed = word.trimmingCharacters(in: .whitespaces)
            guard !trimmed.isEmpty else { return }
            output += "\(trimmed)\t\(counter.count(trimmed, language: language))\n"
            if output.utf8.count > 1 << 16 {
                FileHandle.standardOutput.write(Data(output.utf8))
                output = ""
            }
        }
        if words.isEmpty {
            while let line = readLine() { emit(Substring(line)) }
        } else {
            for word in words { emit(Substring(word)) }
        }
        FileHandle.standardOutput.write(Data(output.utf8))
    }
}
