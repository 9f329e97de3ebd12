import ArgumentParser
import Foundation
import HeldoutBuild
import HeldoutCore
import HeldoutShard
import HeldoutStore

/// `heldout map MODE SPEC`: the stateless mappers a cluster runs (issue 15; spark/heldout_spark.py).
/// Each reads lines on stdin and writes lines on stdout, with no store, through the code the
/// local stages run; `replay` is the driver's end, which turns the cluster's rows into a store
/// and splits it exactly as `heldout build` does.
struct MapCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "map",
        abstract: "Stateless mappers for running a spec on a cluster (stdin lines to stdout lines).",
        discussion: """
        Modes: plan prints {"sources": N, "near_duplicates": {threshold, bands, rows, window} or null}, or refuses a spec the cluster path does not carry. units reads source indices of SPEC, one a line, and writes one JSON row per corpus, unit and skip. grade reads segment rows [id, lang, text] and writes {id, grade, band, words, syllables}. bands reads segment rows and writes {id, folded, folded_hash, set, bands, shingles}, the near-duplicate stage's keys. pairs reads segment rows and writes the near-duplicate pairs [id, id] the local stage finds among them. replay reads units rows sorted by (source, corpus, ordinal) into --store, then grades, makes questions, splits and audits as `heldout build` does, without reading the sources again. See README "More than one machine".
        """
    )

    @Argument(help: "plan, units, grade, bands, pairs or replay.")
    var mode: String

    @Argument(help: "The split spec (YAML).")
    var spec: String

    @Option(help: "replay: the store to fill (a new file).")
    var store: String?

    @Option(help: "replay: output directory (default: splits/NAME).")
    var out: String?

    @Flag(help: "replay: print the split's summary as JSON.")
    var json = false

    func run() throws {
        let output = StdoutLines()
        defer { output.flush() }
        do {
            switch mode {
            case "plan":
                // What the driver needs before it starts executors: how many sources to read.
                let parsed = try SplitSpec.load(path: spec)
                for (index, source) in parsed.sources.enumerated() {
                    if let format = source.format, Self.unsupported.contains(format) {
                        throw HeldoutError.usage("sources[\(index)]: format \(format) is not carried by the cluster path yet (it supports \(Self.supported)); build this spec locally with `heldout build`")
                    }
                }
                guard !parsed.sources.isEmpty else {
                    throw HeldoutError.usage("\(spec): no sources; the cluster path reads a spec's sources")
                }
                output.write(try Self.planLine(parsed))
            case "units": try units(output)
            case "grade": try grade(output)
            case "bands", "pairs": try nearDuplicates(output)
            case "replay":
                guard let store else { throw HeldoutError.usage("map replay: --store PATH is required") }
                var lines = StdinLines()
                var number = 0
                _ = try ShardReplay().replay(next: {
                    guard let line = lines.next() else { return nil }
                    number += 1
                    return try Self.decode(line, line: number)
                }, into: try Store(path: store))
                var request = BuildPipeline.Request(specPath: spec, storePath: store, toolVersion: Heldout.version)
                request.output = out
                request.log = { Console.error($0) }
                request.ingested = true
                let summary = try BuildPipeline.run(request).summary
                output.flush()
                if json { try Console.json(summary) } else { summary.printLines() }
            default:
                throw HeldoutError.usage("map: unknown mode \(mode); use plan, units, grade, bands, pairs or replay")
            }
        } catch let error as ShardError {
            switch error {
            case .badRow: throw HeldoutError.badInput(SourceLocation(file: "<stdin>"), error.description)
            case .unsupported: throw HeldoutError.usage(error.description)
            }
        }
    }

    private func units(_ output: StdoutLines) throws {
        let parsed = try SplitSpec.load(path: spec)
        let writer = ShardRowWriter { output.write($0) }
        for (number, line) in StdinLines().enumerated() {
            guard let index = Int(line.trimmingCharacters(in: .whitespaces)), parsed.sources.indices.contains(index) else {
                throw HeldoutError.badInput(SourceLocation(file: "<stdin>", line: number + 1),
                                            "not a source index of \(spec) (0..<\(parsed.sources.count)): \(line)")
            }
            let (ingester, corpora) = try IngestRequest(source: parsed.sources[index], index: index, in: parsed).plan()
            for (corpusIndex, corpus) in corpora.enumerated() {
                let (reader, descriptor) = try ingester.describe(corpus)
                var head = ShardRow(kind: .corpus, source: index, corpus: corpusIndex, ordinal: 0)
                head.descriptor = descriptor
                try writer.write(head)
                try reader.read(into: ShardRowSink(writer: writer, source: index, corpus: corpusIndex))
            }
        }
    }

    private func grade(_ output: StdoutLines) throws {
        let parsed = try SplitSpec.load(path: spec)
        let grades = ShardGrades(bands: parsed.bands)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        for (index, line) in StdinLines().enumerated() {
            guard let segment = try? JSONDecoder().decode([String].self, from: Data(line.utf8)) else {
                throw HeldoutError.badInput(SourceLocation(file: "<stdin>", line: index + 1), "not a segment row [id, lang, text]")
            }
            var data = try encoder.encode(try grades.grade(segment, line: index + 1))
            data.append(0x0A)
            output.write(data)
        }
    }

    /// `bands`: each segment row's keys; `pairs`: the local stage over all the rows (read whole).
    private func nearDuplicates(_ output: StdoutLines) throws {
        let parsed = try SplitSpec.load(path: spec)
        guard parsed.isolation.isEnabled(.nearDuplicate) else {
            throw HeldoutError.usage("map \(mode): \(spec) does not isolate near-duplicates (isolation.near_duplicates is off)")
        }
        let bands = ShardBands(spec: parsed)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        var segments: [[String]] = []
        for (index, line) in StdinLines().enumerated() {
            guard let segment = try? JSONDecoder().decode([String].self, from: Data(line.utf8)) else {
                throw HeldoutError.badInput(SourceLocation(file: "<stdin>", line: index + 1), "not a segment row [id, lang, text]")
            }
            if mode == "pairs" {
                segments.append(segment)
                continue
            }
            var data = try encoder.encode(try bands.keys(segment, line: index + 1))
            data.append(0x0A)
            output.write(data)
        }
        guard mode == "pairs" else { return }
        for pair in try bands.pairs(segments) {
            var data = try encoder.encode(pair)
            data.append(0x0A)
            output.write(data)
        }
    }

    /// `plan`'s line: the number of sources, and the near-duplicate stage's parameters that the
    /// cluster's band join must use (null when the spec does not isolate near-duplicates).
    static func planLine(_ parsed: SplitSpec) throws -> Data {
        struct Plan: Encodable {
            var sources: Int
            var nearDuplicates: ShardBands.Parameters?
            enum CodingKeys: String, CodingKey { case sources, nearDuplicates = "near_duplicates" }
            func encode(to encoder: any Encoder) throws {
                var c = encoder.container(keyedBy: CodingKeys.self)
                try c.encode(sources, forKey: .sources)
                try c.encode(nearDuplicates, forKey: .nearDuplicates)
            }
        }
        let near = parsed.isolation.isEnabled(.nearDuplicate) ? ShardBands(spec: parsed).parameters : nil
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        var data = try encoder.encode(Plan(sources: parsed.sources.count, nearDuplicates: near))
        data.append(0x0A)
        return data
    }

    /// Formats whose readers deliver more than units of text (word analyses, dictionary entries).
    static let unsupported: Set<String> = ["conllu", "dictd", "tei", "glossary"]
    static let supported = "tmx, xliff, moses, tsv, csv, jsonl, po, xces, text, labels"

    static func decode(_ line: String, line number: Int) throws -> ShardRow {
        do {
            return try JSONDecoder().decode(ShardRow.self, from: Data(line.utf8))
        } catch {
            throw HeldoutError.badInput(SourceLocation(file: "<stdin>", line: number), "not a `heldout map units` row: \(error)")
        }
    }
}

/// Standard input as lines, read in blocks (a replay reads millions of them).
struct StdinLines: Sequence, IteratorProtocol {
    private var buffer: [UInt8] = []
    private var start = 0
    private var done = false

    mutating func next() -> String? {
        while true {
            if let end = buffer[start...].firstIndex(of: 0x0A) {
                let line = String(decoding: buffer[start..<end], as: UTF8.self)
                start = end + 1
                return line
            }
            if done {
                guard start < buffer.count else { return nil }
                let line = String(decoding: buffer[start...], as: UTF8.self)
                start = buffer.count
                return line
            }
            buffer.removeFirst(start)
            start = 0
            let chunk = FileHandle.standardInput.readData(ofLength: 1 << 20)
            if chunk.isEmpty { done = true } else { buffer.append(contentsOf: chunk) }
        }
    }
}

/// Standard output in blocks: a line at a time would be a write call per row.
final class StdoutLines {
    private var pending = Data()

    func write(_ data: Data) {
        pending.append(data)
        if pending.count >= 1 << 20 { flush() }
    }

    func flush() {
        guard !pending.isEmpty else { return }
        FileHandle.standardOutput.write(pending)
        pending.removeAll(keepingCapacity: true)
    }
}
