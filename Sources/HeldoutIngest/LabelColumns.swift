/// `--label tone=COLUMN`: which cell of a TSV/CSV row or which field of a JSONL object holds a
/// label (tone, register…) that questions use as gold. The column is named like the metadata
/// it also is (`--columns fr,en,tone`), or numbered from 1; `--label tone` alone means the
/// column called `tone`.
enum LabelColumns {
    static func values(_ labels: [String: String], byName metadata: [String: String], fields: [String]?) -> [String: String] {
        guard !labels.isEmpty else { return [:] }
        var out: [String: String] = [:]
        for (name, spec) in labels {
            let value: String?
            if let fields, let number = Int(spec), number >= 1, number <= fields.count {
                value = fields[number - 1]
            } else {
                value = metadata[spec.isEmpty ? name : spec]
            }
            if let value, !value.allSatisfy(\.isWhitespace) { out[name] = value }
        }
        return out
    }
}
