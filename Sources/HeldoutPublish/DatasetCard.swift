import Foundation
import HeldoutCore

/// The facts about a release that the card and the Croissant document both state, gathered once
/// so the two can never disagree.
public struct ReleaseFacts: Sendable {
    public var name: String
    public var version: ReleaseVersion
    public var date: String
    public var license: String
    public var toolVersion: String
    public var contents: SplitContents
    /// Column → role, from the manifest.
    public var roles: [String: String]
    public var isolation: [String]
    public var enforcedRules: [String]
    public var isolationCostTotal: Int?
    /// Column × partition quotas the split did not meet, as `column partition: share against target`
    /// (empty when all were met); non-empty only for a split accepted as short.
    public var unmetQuotas: [String] = []
    /// An `axis: domain` split's `manifest.json` `domains`: (declared, predicted, classifier
    /// accuracy); nil for other axes.
    public var domainEvidence: (declared: Int, predicted: Int, accuracy: Double?)?
    public var auditClean: Bool?
    /// Enforced leaks published knowingly with `--allow-leaks` (0 for a clean release).
    public var allowedLeaks: Int = 0
    /// The `--against` files the audit checked evaluation against.
    public var auditAgainst: [String] = []
    public var auditEnforcedLeaks: Int?
    /// Corpus name → SHA-256 as ingested, from the manifest.
    public var corpora: [String: String]
    /// Corpus name → licence as the store recorded it at ingest.
    public var corpusLicences: [String: String] = [:]
    /// Corpus name → files, format and size as the store recorded them.
    public var corpusDetails: [String: CorpusDetail] = [:]
    /// The split directory as the user named it, for the rebuild commands.
    public var displayPath: String
    /// Source path → (SHA-256, licence from the spec).
    public var sources: [(path: String, sha256: String?, license: String?)]
    /// Source path → its format (from the spec) and size in bytes (when the file was at hand).
    public var sourceDetails: [String: (format: String?, bytes: Int?)]
    /// Unstated or disagreeing licences (see ``Publisher/licenceProblems(spec:corpora:)``).
    public var licenceProblems: [String]
    public var specYAML: String
    /// The comparison/sweep siblings, as folder names inside the release.
    public var siblings: [String]
    /// Relative path → SHA-256 of every file the release ships except the metadata that
    /// describes them (card, Croissant, SHA256SUMS).
    public var fileDigests: [String: String]
}

/// `README.md`: a Hugging Face dataset card. The YAML header is what `datasets.load_dataset`
/// reads (`configs`/`data_files` map dev.jsonl to the `validation` split); the prose is what a
/// reviewer needs to trust the held-out claim without running anything.
public struct DatasetCard: Sendable {
    public var facts: ReleaseFacts

    public init(facts: ReleaseFacts) { self.facts = facts }

    /// Hub size buckets.
    static func sizeCategory(_ n: Int) -> String {
        switch n {
        case ..<1_000: "n<1K"
        case ..<10_000: "1K<n<10K"
        case ..<100_000: "10K<n<100K"
        case ..<1_000_000: "100K<n<1M"
        default: "1M<n<10M"
        }
    }

    /// YAML scalars are written double-quoted with JSON escaping, which YAML accepts, so a spec
    /// name with `:` or `#` cannot break the header.
    static func quoted(_ s: String) -> String {
        (try? CanonicalJSON.string(s)) ?? "\"\""
    }

    /// `NAME-vX.Y.Z` (and `NAME-vX.Y.Z-SIBLING`): `datasets` keys its cache by the folder name
    /// (`vX.Y.Z` for every release) and the config name, so a config named `default` made two
    /// releases share one cache entry and load each other's rows.
    public static func configName(_ facts: ReleaseFacts, sibling: String? = nil) -> String {
        let base = "\(facts.name)-\(facts.version.directoryName)"
        return sibling.map { "\(base)-\($0)" } ?? base
    }

    public var header: String {
        var y = "---\n"
        y += "pretty_name: \(Self.quoted("\(facts.name) \(facts.version)"))\n"
        y += "license: \(Self.quoted(facts.license.lowercased()))\n"
        let languages = facts.contents.languages
        y += languages.isEmpty ? "language: []\n" : "language:\n" + languages.map { "- \($0)\n" }.joined()
        y += "task_categories:\n- question-answering\n- text-classification\n"
        y += "size_categories:\n- \(Self.sizeCategory(facts.contents.total))\n"
        y += "configs:\n- config_name: \(Self.quoted(Self.configName(facts)))\n  default: true\n  data_files:\n"
        for (file, split) in SplitContents.dataFiles {
            y += "  - split: \(split)\n    path: \(file)\n"
        }
        for sibling in facts.siblings {
            y += "- config_name: \(Self.quoted(Self.configName(facts, sibling: sibling)))\n  data_files:\n"
            for (file, split) in SplitContents.dataFiles {
                y += "  - split: \(split)\n    path: \(sibling)/\(file)\n"
            }
        }
        y += "---\n"
        return y
    }

    public var markdown: String {
        let f = facts
        var md = header
        md += "\n# \(f.name) \(f.version)\n\n"
        md += "A held-out generalisation dataset built by heldout \(f.toolVersion), published \(f.date). "
        md += "Models are trained on the supervised columns; the held-out columns never reach training, "
        md += "directly or through any isolation link below.\n\n"
        if f.allowedLeaks > 0 {
            md += "> **Warning: this release is known to leak.** It was published with `--allow-leaks` although the "
            md += "independent audit found \(f.allowedLeaks) leak(s) of enforced rules (see `audit.json` and `audit.html`). "
            md += "Scores on its evaluation partitions may be inflated; `heldout verify` reports the leaks.\n\n"
        }
        md += "Load it with `datasets.load_dataset(\"PATH/\(f.version.directoryName)\")` (config `\(Self.configName(f))`).\n\n"

        md += "## The grid\n\n| column | role | train | dev | test |\n| --- | --- | ---: | ---: | ---: |\n"
        for column in Set(f.roles.keys).union(f.contents.facets["column", default: [:]].keys).sorted() where column != "(none)" {
            let counts = ["train", "dev", "test"].map { f.contents.byPartitionColumn[$0]?[column] ?? 0 }
            md += "| \(column) | \(f.roles[column] ?? "?") | \(counts[0]) | \(counts[1]) | \(counts[2]) |\n"
        }
        let totals = ["train", "dev", "test"].map { p in f.contents.byPartitionColumn[p, default: [:]].values.reduce(0, +) }
        md += "| **all** | | \(totals[0]) | \(totals[1]) | \(totals[2]) |\n\n"
        md += "`dev.jsonl` loads as the `validation` split.\n\n"
        if !f.unmetQuotas.isEmpty {
            md += "**This split is short**: it was accepted although these partitions miss the shares the spec asks for: "
            md += f.unmetQuotas.joined(separator: "; ") + ". Results on them are weaker than the grid suggests.\n\n"
        }

        if let d = f.domainEvidence {
            md += "Columns are domains. \(d.declared) item(s) have a domain their corpus or unit declared; "
            if d.predicted > 0 {
                md += "**\(d.predicted) have a domain the classifier predicted** (cross-validated accuracy "
                md += (d.accuracy.map { String(format: "%.1f%%", $0 * 100) } ?? "unknown") + "; the spec opted in with `predicted_domains: true`): "
                md += "some of them sit in the wrong column.\n\n"
            } else {
                md += "none has a predicted domain.\n\n"
            }
        }
        md += "## Isolation and audit\n\n"
        md += "Links isolated between training and evaluation: \(f.isolation.isEmpty ? "none" : f.isolation.map { "`\($0)`" }.joined(separator: ", ")). "
        md += "No training record shares any of these with a dev or test record.\n"
        if let cost = f.isolationCostTotal { md += "Isolation dropped \(cost) item(s) (see `manifest.json`, `isolation_cost`, and `dropped.jsonl`, which names each with its reason).\n" }
        md += "\nThe independent audit enforces \(f.enforcedRules.isEmpty ? "no rule" : f.enforcedRules.map { "`\($0)`" }.joined(separator: ", ")); "
        switch f.auditClean {
        case true?: md += "its result: **clean** (\(f.auditEnforcedLeaks ?? 0) enforced leaks; `audit.json`).\n\n"
        case false?: md += "its result: **NOT clean** (\(f.auditEnforcedLeaks ?? 0) enforced leaks; `audit.json`).\n\n"
        case nil: md += "no audit report was found.\n\n"
        }
        if !f.auditAgainst.isEmpty {
            md += "Evaluation records were also checked against outside data (`--against`, paths and SHA-256 in `release.json`): "
            md += f.auditAgainst.map { "`\($0)`" }.joined(separator: ", ") + ".\n\n"
        }

        for (facet, title) in [("band", "Reading level (grade band)"), ("domain", "Domain"), ("pair", "Language pair")] {
            let counts = f.contents.facets[facet, default: [:]]
            guard !counts.isEmpty else { continue }
            md += "## \(title)\n\n| \(facet) | records |\n| --- | ---: |\n"
            for (value, n) in counts.sorted(by: { $0.key < $1.key }) { md += "| \(value) | \(n) |\n" }
            md += "\n"
        }

        md += "## Sources and licence\n\n"
        md += "Licence of the release: **\(f.license)**"
        if f.licenceProblems.isEmpty {
            md += ", what its sources allow.\n\n"
        } else {
            md += ". Its sources do not settle it: " + f.licenceProblems.joined(separator: "; ") + ". Check each source's terms before reuse.\n\n"
        }
        md += "| source | format | size (bytes) | licence | SHA-256 |\n| --- | --- | ---: | --- | --- |\n"
        for s in f.sources {
            let detail = f.sourceDetails[s.path]
            md += "| `\(s.path)` | \(detail?.format ?? "?") | \(detail?.bytes.map(String.init) ?? "?") | \(s.license ?? "unstated") | `\(s.sha256 ?? "not recorded")` |\n"
        }
        if !f.corpora.isEmpty {
            md += "\nCorpora as ingested (from `manifest.json`; files, format and size from the store):\n\n"
            md += "| corpus | files | format | size (bytes) | licence | SHA-256 |\n| --- | --- | --- | ---: | --- | --- |\n"
            for (name, sha) in f.corpora.sorted(by: { $0.key < $1.key }) {
                let detail = f.corpusDetails[name]
                let files = detail.map { $0.files.map { "`\($0)`" }.joined(separator: ", ") } ?? "?"
                md += "| \(name) | \(files) | \(detail?.format ?? "?") | \(detail.map { String($0.bytes) } ?? "?") | \(f.corpusLicences[name] ?? "unstated") | `\(sha)` |\n"
            }
        }

        let release = "\(f.displayPath)/releases/\(f.version.directoryName)"
        if f.sources.isEmpty {
            md += "\n## Rebuilding\n\nThis release was made step by step (`ingest`, `grade`, `questions`, `split`): its spec lists no "
            md += "`sources`, so `heldout rebuild` cannot rebuild it from the spec alone. The corpora above are what it was made from "
            md += "(files, format and SHA-256 as ingested). `heldout verify \(release)` still re-checks every file and the audit.\n\n"
            md += "The spec (`spec.yaml`):\n\n```yaml\n\(f.specYAML.trimmingCharacters(in: .newlines))\n```\n\n"
        } else {
        md += "\n## Rebuilding\n\nFrom the directory the spec's source paths are relative to (where it was built), with heldout \(f.toolVersion):\n\n"
        md += "```sh\nheldout verify \(release)    # re-hashes every file, checks modes, re-runs the audit (with --against)\n"
        md += "heldout rebuild \(release)   # builds spec.yaml with a fresh store in a temporary directory and compares the bytes\n"
        md += "# the same build by hand:\nheldout build \(release)/spec.yaml --store /tmp/rebuild.sqlite --out /tmp/rebuild/\(f.name)\n```\n\n"
        md += "The resolved spec (`spec.yaml`):\n\n```yaml\n\(f.specYAML.trimmingCharacters(in: .newlines))\n```\n\n"
        }
        if !f.siblings.isEmpty {
            md += "## Siblings\n\n" + f.siblings.map { "- `\($0)/`: the \($0) split of the same spec (config `\(Self.configName(f, sibling: $0))`).\n" }.joined() + "\n"
        }
        md += "## Files\n\n| file | SHA-256 |\n| --- | --- |\n"
        for (path, sha) in f.fileDigests.sorted(by: { $0.key < $1.key }) { md += "| `\(path)` | `\(sha)` |\n" }
        md += "\nEvery file is listed in `SHA256SUMS` (`sha256sum -c SHA256SUMS`) and read-only (files 0444, folders 0555); `CHANGES.md` says what changed since the previous release.\n"
        return md
    }
}
