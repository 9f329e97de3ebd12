import Foundation
import HeldoutCore
import HeldoutStore

/// Counts of records: column → role → partition → n.
typealias RecordCounts = [String: [String: [String: Int]]]

/// Streams the items from the store once, in id order, and writes each variant's records into
/// its directory: so every file is sorted by id without sorting, and the texts never sit in
/// memory all at once. Evaluation files are written once, for the primary split, and copied to
/// every sibling, which makes "the same evaluation items, byte for byte" true by construction.
struct RecordWriter {
    let spec: SplitSpec
    let input: SplitInput
    let variants: [SplitVariant]
    let fates: [[ItemFate]]
    let directories: [URL]
    /// Items passed of the selection, for a progress line.
    var progress: ProgressReport?

    private final class Output {
        let handle: FileHandle
        var buffer: [UInt8] = []

        init(_ url: URL) throws {
            guard FileManager.default.createFile(atPath: url.path, contents: nil) else {
                throw HeldoutError.usage("\(url.path): cannot create the file (is the directory writable?)")
            }
            handle = try FileHandle(forWritingTo: url)
            buffer.reserveCapacity(1 << 22)
        }

        func flushIfFull() throws {
            if buffer.count >= 1 << 22 { try flush() }
        }

        func flush() throws {
            try handle.write(contentsOf: buffer)
            buffer.removeAll(keepingCapacity: true)
        }

        func close() throws {
            try flush()
            try handle.close()
        }
    }

    func write(store: Store) throws -> [RecordCounts] {
        var counts = [RecordCounts](repeating: [:], count: variants.count)
        // Train files for every variant; dev and test for the primary only.
        var outputs: [[Partition: Output]] = []
        for (index, directory) in directories.enumerated() {
            var files: [Partition: Output] = [:]
            for partition in Partition.allCases where index == 0 || partition == .train {
                files[partition] = try Output(directory.appendingPathComponent("\(partition.rawValue).jsonl"))
            }
            outputs.append(files)
        }
        let decoder = JSONDecoder()
        let pairs = SplitInputLoader.PairCanonicaliser()
        var rubrics: [String: [String]] = [:]
        var ticker = ProgressTicker(total: input.count, report: progress)
        try store.scan { reader in
            var cursor = 0
            var i = 0
            try reader.itemContents(where: { id in
                guard cursor < input.count else { return .stop }
                while cursor < input.count, input.ids[cursor] < id { cursor += 1 }
                ticker.tick(cursor)
                guard cursor < input.count, input.ids[cursor] == id else { return .skip }
                i = cursor
                cursor += 1
                return fates.contains(where: { if case .kept = $0[i] { true } else { false } }) ? .read : .skip
            }) { item in
                let id = item.id
                let rubricText = item.rubric
                let rubric: [String]
                if rubricText == "[]" {
                    rubric = []
                } else if let known = rubrics[rubricText] {
                    rubric = known
                } else {
                    // Rubrics come from templates: few distinct texts, decoded once each.
                    rubric = try decoder.decode([String].self, from: Data(rubricText.utf8))
                    if rubrics.count < 65_536 { rubrics[rubricText] = rubric }
                }
                let question = item.question
                let answer = item.answer
                let segments = input.segments(ofItem: i)
                let sourceSegment = Int(segments.first ?? 0)
                var documents: [Int32] = []
                for s in segments { documents.append(contentsOf: input.documents(ofSegment: s)) }
                let documentNames = Array(Set(documents)).sorted().map { input.documentNames[Int($0)] }
                var target: Lexeme?
                if let lemma = item.targetLemma, let lang = item.targetLang { target = Lexeme(lemma: lemma, lang: lang) }
                let translation = input.translation[i] >= 0 ? input.segmentText[Int(input.translation[i])] : nil
                let columnName = spec.columns[Int(input.column[i])].name
                var record = SplitRecord(
                    id: id.hex, partition: .train, column: columnName, role: .supervised,
                    category: item.category, pair: item.pair.flatMap(pairs.canonical),
                    band: input.band[i], domain: input.domain[i], question: question, answer: answer, rubric: rubric,
                    source: .init(lang: input.segmentLang[sourceSegment], text: input.segmentText[sourceSegment], translation: translation),
                    consistencyGroup: item.consistencyGroup.flatMap { $0.isEmpty ? nil : $0 }, messages: [],
                    segments: segments.map { input.segmentIDs[Int($0)].hex }, documents: documentNames,
                    target: target, template: item.template)

                for (v, variant) in variants.enumerated() {
                    guard case let .kept(partition) = fates[v][i] else { continue }
                    if partition.isEvaluation && v > 0 {
                        // Same bytes as the primary's, copied after the pass; count them here.
                        let role = variant.primaryRoles[Int(input.column[i])]
                        counts[v][columnName, default: [:]][role.rawValue, default: [:]][partition.rawValue, default: 0] += 1
                        continue
                    }
                    let role = partition.isEvaluation ? variant.primaryRoles[Int(input.column[i])] : variant.roles[Int(input.column[i])]
                    record.partition = partition
                    record.role = role
                    if !partition.isEvaluation && role == .plausibility {
                        record.answer = nil
                        // Chat formats know system, user and assistant only: the prompt is the
                        // one turn, and the rubric a trainer rewards against stays in `rubric`.
                        record.messages = [.init(role: "user", content: question)]
                    } else {
                        record.answer = answer
                        record.messages = [.init(role: "user", content: question), .init(role: "assistant", content: answer ?? "")]
                    }
                    guard let output = outputs[v][partition] else { continue }
                    record.appendJSON(to: &output.buffer)
                    try output.flushIfFull()
                    counts[v][columnName, default: [:]][role.rawValue, default: [:]][partition.rawValue, default: 0] += 1
                }
            }
        }
        ticker.finish()
        for files in outputs { for (_, output) in files { try output.close() } }
        for directory in directories.dropFirst() {
            for partition in [Partition.dev, .test] {
                let name = "\(partition.rawValue).jsonl"
                try FileManager.default.copyItem(at: directories[0].appendingPathComponent(name), to: directory.appendingPathComponent(name))
            }
        }
        for directory in directories {
            try Data(spec.resolvedYAML.utf8).write(to: directory.appendingPathComponent(SplitDirectory.spec))
        }
        return counts
    }
}
