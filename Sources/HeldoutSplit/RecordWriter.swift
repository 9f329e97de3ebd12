import Foundation
import HeldoutCore
import HeldoutStore

/// Counts of records: column → role → partition → n.
/// Records per column, role and partition (the manifest's `counts`).
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

    func write(store: Store) throws {
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
                    // Same bytes as the primary's, copied after the pass.
                    if partition.isEvaluation && v > 0 { continue }
                    let role = variant.recordRole(column: Int(input.column[i]), partition: partition)
                    record.place(in: partition, as: role, answer: answer)
                    guard let output = outputs[v][partition] else { continue }
                    record.appendJSON(to: &output.buffer)
                    try output.flushIfFull()
                }
            }
        }
        ticker.finish()
        for files in outputs { for (_, output) in files { try output.close() } }
        try finish()
    }

    /// Gives every sibling the primary's evaluation files, and every variant its `spec.yaml`.
    private func finish() throws {
        for directory in directories.dropFirst() {
            for partition in [Partition.dev, .test] {
                let name = "\(partition.rawValue).jsonl"
                try FileManager.default.copyItem(at: directories[0].appendingPathComponent(name), to: directory.appendingPathComponent(name))
            }
        }
        for directory in directories {
            try Data(spec.resolvedYAML.utf8).write(to: directory.appendingPathComponent(SplitDirectory.spec))
        }
    }
}

extension RecordWriter {
    /// Takes the records a cluster wrote (``ItemPlacement``, `heldout map records`) instead of
    /// reading the store: `given/VARIANT/PARTITION.jsonl`, a variant's name as its directory,
    /// train for every variant, dev and test for the primary (siblings get the primary's
    /// copied, as ``write(store:)`` does). Each file must hold exactly the items these fates
    /// keep there, in id order, or nothing is taken: what the cluster placed is held to what
    /// the split decided, id by id, before the audit reads the records.
    func take(given: URL) throws {
        let fm = FileManager.default
        for (v, variant) in variants.enumerated() {
            for partition in Partition.allCases where v == 0 || partition == .train {
                let name = "\(partition.rawValue).jsonl"
                let source = given.appendingPathComponent(variant.name).appendingPathComponent(name)
                let expected = (0..<input.count).lazy.filter { fates[v][$0] == .kept(partition) }.map { input.ids[$0] }
                try Self.check(source, holds: expected)
                try fm.copyItem(at: source, to: directories[v].appendingPathComponent(name))
            }
        }
        try finish()
    }

    /// Whether the records at `url` are exactly `ids`, in order. A record's `"id"` is found as
    /// the bytes `,"id":"` (keys are sorted, and inside a JSON string every `"` is escaped, so
    /// that sequence is the key itself).
    static func check(_ url: URL, holds ids: some Sequence<ContentID>) throws {
        let file = url.path
        guard let handle = FileHandle(forReadingAtPath: file) else {
            throw HeldoutError.checkFailed("\(file): the cluster's records are missing; nothing was written")
        }
        defer { try? handle.close() }
        let key = Array(#","id":""#.utf8)
        var expected = ids.makeIterator()
        var line = 0
        func take(_ record: ArraySlice<UInt8>) throws {
            line += 1
            var found: String?
            if let at = record.indices.first(where: { record[$0...].starts(with: key) }), at + key.count + 32 <= record.endIndex {
                found = String(decoding: record[(at + key.count)..<(at + key.count + 32)], as: UTF8.self)
            }
            let want = expected.next()
            guard let found, found == want?.hex else {
                throw HeldoutError.checkFailed("\(file):\(line): the cluster's record \(found ?? "without an id") is not the split's \(want.map { "item \($0.hex)" } ?? "(it has no more)"); nothing was written")
            }
        }
        // Read in blocks: a training file of a million records is most of a gigabyte.
        var pending: [UInt8] = []
        while let block = try handle.read(upToCount: 1 << 22), !block.isEmpty {
            pending.append(contentsOf: block)
            var start = pending.startIndex
            while let end = pending[start...].firstIndex(of: 0x0A) {
                try take(pending[start..<end])
                start = end + 1
            }
            pending.removeFirst(start - pending.startIndex)
        }
        if !pending.isEmpty { try take(pending[...]) }
        if let missing = expected.next() {
            throw HeldoutError.checkFailed("\(file): the cluster's records end before the split's item \(missing.hex) (after \(line)); nothing was written")
        }
    }
}

extension SplitRecord {
    /// The record as written in `partition` under `role`: a plausibility item in training has
    /// no answer and its prompt alone; every other record its gold answer as the assistant's turn.
    mutating func place(in partition: Partition, as role: Role, answer gold: String?) {
        self.partition = partition
        self.role = role
        if !partition.isEvaluation && role == .plausibility {
            answer = nil
            // Chat formats know system, user and assistant only: the prompt is the one turn,
            // and the rubric a trainer rewards against stays in `rubric`.
            messages = [.init(role: "user", content: question)]
        } else {
            answer = gold
            messages = [.init(role: "user", content: question), .init(role: "assistant", content: gold ?? "")]
        }
    }
}

extension SplitVariant {
    /// The role a record carries: evaluation records the primary split's (the same files in
    /// every variant), training records this variant's.
    func recordRole(column: Int, partition: Partition) -> Role {
        partition.isEvaluation ? primaryRoles[column] : roles[column]
    }
}
