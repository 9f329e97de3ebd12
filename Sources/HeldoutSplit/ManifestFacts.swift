import Crypto
import Foundation
import HeldoutCore

/// What a cluster counts for a split's manifests (issue 15, `heldout map manifest`): per
/// variant the items of each column and fate, the primary's isolation cost, the near-duplicate
/// join's figures, the corpora's digests and the items left out for their language. With the
/// sides `map choose` wrote (components, the bound) and the item ids in order (their digest),
/// that is every figure a manifest holds when the sides are chosen on the cluster, so the
/// manifest is assembled by the split's own function (`SplitManifest.assemble`) from them.
public struct ManifestFacts: Codable, Sendable {
    /// A corpus as its row names it: the store's name and the SHA-256 of its files.
    public struct Corpus: Codable, Sendable {
        /// The corpus's name.
        public var name: String
        /// Its digest (`inputs.corpora`).
        public var sha256: String
    }

    /// The split's near-duplicate join, as the cluster ran it over the segments its items use.
    public struct NearDuplicateFigures: Codable, Sendable {
        /// The distinct segments the split's items use (the join's input).
        public var segments: Int
        /// The confirmed pairs.
        public var pairs: Int
        /// Buckets cut to the join's window.
        public var windowedBuckets: Int

        enum CodingKeys: String, CodingKey {
            case segments, pairs
            case windowedBuckets = "windowed_buckets"
        }
    }

    /// Per variant (``ItemPlacement/variants``' order), per column, the items of each fate:
    /// the partition that keeps them (`train`, `dev`, `test`) or the reason they are dropped.
    public var fates: [[String: [String: Int]]]
    /// The primary's.
    public var isolationCost: SplitManifest.IsolationCost
    /// Nil when the spec does not isolate near-duplicates.
    public var nearDuplicates: NearDuplicateFigures?
    /// Every corpus row, in row order (a later corpus of one name replaces an earlier one).
    public var corpora: [Corpus]
    /// Per column, the items `map select` left out as `language_mismatch`.
    public var languageMismatch: [String: Int]

    enum CodingKeys: String, CodingKey {
        case fates, corpora
        case isolationCost = "isolation_cost"
        case nearDuplicates = "near_duplicates"
        case languageMismatch = "language_mismatch"
    }

    /// Why the manifest of `spec` is written from the store (nil when a cluster can count it):
    /// a domain split's manifest holds the classifier's accuracy, which only the store has.
    public static func onDriver(_ spec: SplitSpec) -> String? {
        spec.axis == .domain ? "axis: domain (the manifest holds the classifier's accuracy, from the store)" : nil
    }

    /// Writes every variant's `spec.yaml` and `manifest.json` into `folder/VARIANT/`, beside
    /// the records and `dropped.jsonl` the cluster wrote there (a sibling's evaluation files
    /// are the primary's, read from its folder). `stated` is the spec as `spec.yaml` states it
    /// (for a spec with sources, as a cluster's has, the spec itself); `output` and `readFrom`
    /// are the split's own (`spec.yaml`'s base); `itemsDigest` is ``ItemsDigest``'s over the
    /// ids the split selects.
    /// Returns each variant's name and records per partition. A count that names no column or
    /// fate of the spec is refused, `origin` naming the facts' file; so are the primary's unmet
    /// quotas unless the spec allows a short split (exit 1, as the split refuses them).
    public func write(spec: SplitSpec, stated: SplitSpec, specPath: String?, into folder: URL, output: URL, readFrom: SplitLocation, sides: GivenSides,
                      itemsDigest: String, toolVersion: String, origin: SourceLocation) throws -> [(name: String, records: [String: Int])] {
        if let why = Self.onDriver(spec) { throw HeldoutError.usage("map manifest: \(why); the replay writes it") }
        let variants = SplitVariant.all(for: spec)
        guard fates.count == variants.count else {
            throw HeldoutError.badInput(origin, "fates for \(fates.count) variant(s), and the spec makes \(variants.count)")
        }
        let columnIndex = Dictionary(uniqueKeysWithValues: spec.columns.enumerated().map { ($0.element.name, $0.offset) })
        for name in languageMismatch.keys where columnIndex[name] == nil {
            throw HeldoutError.badInput(origin, "language_mismatch: \(name) is not a column of the spec")
        }
        let flipped = sides.sides.values.filter(\.flipped).count
        let components = SplitManifest.Components(total: sides.sides.count,
                                                  evaluation: sides.sides.values.filter { $0.partition.isEvaluation }.count,
                                                  flipped: flipped)
        let yaml = Data(stated.stored(in: readFrom.folder(output: output)).resolvedYAML.utf8)
        var corpora: [(String, String)] = []
        for corpus in self.corpora { corpora.append((corpus.name, corpus.sha256)) }
        let inputs = try SplitManifest.Inputs(spec: spec, specPath: specPath, corpora: corpora, items: itemsDigest)
        let near = spec.isolation.isEnabled(.nearDuplicate) ? nearDuplicates.map {
            let nd = spec.isolation.nearDuplicates
            return SplitManifest.NearDuplicates(parameters: NearDuplicateIndex.Parameters(threshold: nd.threshold, shingle: nd.shingle, size: nd.size),
                                                segments: $0.segments, pairs: $0.pairs, windowedBuckets: $0.windowedBuckets)
        } : nil
        if spec.isolation.isEnabled(.nearDuplicate), near == nil {
            throw HeldoutError.badInput(origin, "near_duplicates: the spec isolates near-duplicates, and the facts give no figures of the join")
        }
        let bound = SideAssignment.Bound(keptUpperBound: sides.keptUpperBound, method: sides.boundMethod)
        var out: [(name: String, records: [String: Int])] = []
        let primaryFolder = folder.appendingPathComponent(variants[0].name)
        for (v, variant) in variants.enumerated() {
            var tally = ManifestTally(columns: spec.columns.count)
            for (name, counts) in fates[v] {
                guard let c = columnIndex[name] else {
                    throw HeldoutError.badInput(origin, "fates[\(v)]: \(name) is not a column of the spec")
                }
                for (fate, n) in counts {
                    guard n >= 0 else { throw HeldoutError.badInput(origin, "fates[\(v)].\(name).\(fate): a negative count") }
                    if let partition = Partition(rawValue: fate) {
                        tally.kept[c][Partition.allCases.firstIndex(of: partition) ?? 0] += n
                    } else if let reason = DropReason(rawValue: fate) {
                        tally.dropped[c][reason, default: 0] += n
                    } else {
                        throw HeldoutError.badInput(origin, "fates[\(v)].\(name): \(fate) is neither a partition nor a reason to drop an item")
                    }
                }
            }
            var quotas = QuotaTable(spec: spec, tally: tally, roles: variant.primaryRoles)
            // As the split refuses (`Splitter`): the primary's unmet quotas, unless the spec
            // accepts a short split; nothing is written then.
            if v == 0, !quotas.unmet.isEmpty, !spec.partitions.allowShort {
                throw HeldoutError.checkFailed((QuotaRefusal.unmet(split: variant.name, table: quotas)
                    + ["  to fix: `partitions.allow_short: true` to write it anyway, marked short; heldout build names the components and links that hold it"])
                    .joined(separator: "\n"))
            }
            quotas.acceptedShort = !quotas.unmet.isEmpty
            let directory = folder.appendingPathComponent(variant.name)
            try yaml.write(to: directory.appendingPathComponent(SplitDirectory.spec))
            let manifest = SplitManifest.assemble(
                spec: spec, variant: variant, tally: tally, components: components,
                cost: variant.kind == .primary ? isolationCost : nil, nearDuplicates: near, inputs: inputs,
                outputs: try SplitManifest.outputs(of: directory, evaluation: primaryFolder), toolVersion: toolVersion,
                quotas: quotas, bound: bound, hubs: [:], domains: nil, languageMismatch: languageMismatch)
            try manifest.write(to: directory.appendingPathComponent(SplitDirectory.manifest))
            out.append((variant.name, manifest.records ?? [:]))
        }
        return out
    }
}

/// The manifest's `inputs.items`: SHA-256 over the selected items' ids, in id order, fed one
/// at a time (a cluster's ids need not fit in memory).
public struct ItemsDigest {
    private var hasher = SHA256()

    /// An empty digest.
    public init() {}

    /// Adds the next id (ids come in id order).
    public mutating func append(_ id: ContentID) { hasher.update(data: id.bytes) }

    /// The digest in hex, as `inputs.items` holds it.
    public func finalize() -> String { hasher.finalize().map { String(format: "%02x", $0) }.joined() }
}
