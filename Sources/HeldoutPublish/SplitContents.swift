import Foundation
import HeldoutCore

/// What a split directory holds, read once from its JSONL files: the per-record facts the card,
/// the Croissant record set and the change log need. Only ids and a few short labels are kept
/// (not texts), so memory is a few hundred bytes a record.
public struct SplitContents: Sendable, Equatable {
    /// The data files of a split, in the order the card and Croissant list them, with the
    /// Hugging Face split name each one loads as.
    public static let dataFiles = SplitDirectory.dataFiles

    public struct Entry: Sendable, Hashable {
        public var id: String
        public var partition: String
        public var column: String
    }

    public var entries: [Entry] = []
    /// Count of records by facet (`column`, `role`, `band`, `domain`, `pair`, `language`) then value.
    public var facets: [String: [String: Int]] = [:]
    /// Records per partition file (train/dev/test), by column.
    public var byPartitionColumn: [String: [String: Int]] = [:]
    /// Every top-level field seen, for the record set.
    public var fields: Set<String> = []

    public init() {}

    /// Reads `train.jsonl`, `dev.jsonl`, `test.jsonl` in `directory`; the file decides the
    /// partition, as in the audit. A malformed line is bad input, named by file and line.
    public static func read(directory: URL) throws -> SplitContents {
        var contents = SplitContents()
        for (file, _) in dataFiles {
            let partition = String(file.dropLast(".jsonl".count))
            let url = directory.appendingPathComponent(file)
            guard FileManager.default.fileExists(atPath: url.path) else { continue }
            let data = try Data(contentsOf: url)
            var lineNumber = 0
            for line in data.split(separator: 0x0A, omittingEmptySubsequences: false) {
                lineNumber += 1
                if line.allSatisfy({ $0 == 0x20 || $0 == 0x09 || $0 == 0x0D }) { continue }
                guard let object = try? JSONSerialization.jsonObject(with: Data(line)) as? [String: Any],
                      let id = object["id"] as? String else {
                    throw HeldoutError.badInput(SourceLocation(file: url.path, line: lineNumber), "not a JSON record with a string \"id\"")
                }
                let column = object["column"] as? String ?? "(none)"
                contents.entries.append(Entry(id: id, partition: partition, column: column))
                contents.byPartitionColumn[partition, default: [:]][column, default: 0] += 1
                contents.fields.formUnion(object.keys)
                func count(_ facet: String, _ value: Any?) {
                    let text = (value as? String) ?? "(none)"
                    contents.facets[facet, default: [:]][text, default: 0] += 1
                }
                count("column", object["column"])
                count("role", object["role"])
                count("band", object["band"])
                count("domain", object["domain"])
                count("pair", object["pair"])
                count("language", (object["source"] as? [String: Any])?["lang"])
            }
        }
        return contents
    }

    public var total: Int { entries.count }

    /// Ids in dev or test: what a reported score is computed over.
    public var evaluationIDs: Set<String> {
        Set(entries.lazy.filter { $0.partition != "train" }.map(\.id))
    }

    /// Languages (primary subtags) of the records' sources and pairs, for the card's `language`.
    public var languages: [String] {
        var out = Set<String>()
        for value in facets["language", default: [:]].keys where value != "(none)" {
            out.insert(String(value.split(separator: "-").first ?? Substring(value)).lowercased())
        }
        for pair in facets["pair", default: [:]].keys where pair != "(none)" {
            for side in pair.split(separator: "-") { out.insert(side.lowercased()) }
        }
        return out.filter { $0.count >= 2 && $0.count <= 3 && $0.allSatisfy(\.isLetter) }.sorted()
    }
}
