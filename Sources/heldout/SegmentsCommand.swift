import ArgumentParser
import HeldoutCore
import HeldoutStore

struct SegmentsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "segments",
        abstract: "List segments: id, language, text, alignment group, corpora, and once graded band and domain."
    )

    @OptionGroup var common: StoreOptions

    @Flag(help: "One JSON object per line.")
    var jsonl = false

    @Option(help: "Only this language (a primary tag like fr matches fr-CA too).")
    var lang: String?

    func run() throws {
        let store = try common.open(mustExist: true)
        let asJSON = jsonl || common.json
        let output = JSONLinesOutput()
        defer { output.flush() }
        if !asJSON {
            Console.out("id                                lang   group                             band        domain        text")
        }
        try store.forEachSegment(lang: lang) { segment in
            if asJSON {
                try output.write(segment)
            } else {
                let lang = segment.lang.padding(toLength: 6, withPad: " ", startingAt: 0)
                let band = (segment.band ?? "-").padding(toLength: 10, withPad: " ", startingAt: 0)
                let domain = (segment.domain ?? "-").padding(toLength: 12, withPad: " ", startingAt: 0)
                Console.out("\(segment.id)  \(lang) \(segment.group ?? String(repeating: "-", count: 32))  \(band)  \(domain)  \(segment.text)")
            }
        }
    }
}
