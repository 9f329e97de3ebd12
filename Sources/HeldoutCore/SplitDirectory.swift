/// The files of a split directory, named once: Split writes them, Audit reads them, Publish
/// copies and checks them, and the command line compares them.
public enum SplitDirectory {
    public static let train = "train.jsonl"
    public static let dev = "dev.jsonl"
    public static let test = "test.jsonl"
    /// The items isolation or a quota left out, each with its reason.
    public static let dropped = "dropped.jsonl"
    public static let manifest = "manifest.json"
    /// The spec as resolved (every default written out).
    public static let spec = "spec.yaml"
    public static let audit = "audit.json"
    public static let auditHTML = "audit.html"
    /// Where `publish` puts versioned releases, inside the split directory.
    public static let releases = "releases"

    /// The training file, then the evaluation files.
    public static let partitionFiles = [train, dev, test]
    /// The files whose records are evaluation.
    public static let evaluationFiles = [dev, test]
    /// The data files with the split names a release's card and Croissant give them.
    public static let dataFiles: [(file: String, split: String)] = [(train, "train"), (dev, "validation"), (test, "test")]
    /// What Split writes and the manifest records a SHA-256 of (`outputs`).
    public static let recordedOutputs = [train, dev, test, spec, dropped]
    /// Every file a split directory may hold; anything else means the directory is not a split.
    public static let ownFiles: Set<String> = [train, dev, test, spec, manifest, audit, auditHTML, dropped, releases]
}

/// The audit rules that check an isolation link: one vocabulary for the manifest's
/// `audit.enforce` (written by Split) and for naming a leak by the link it breaks (the build's
/// audit seam). A shared segment is also checked after case, punctuation and diacritics are
/// folded. Word n-gram overlap and answer leakage are not links of DESIGN: no link names them,
/// and the audit reports them unenforced.
extension IsolationLink {
    /// The audit rule names that enforce this link.
    public var auditRules: [String] {
        switch self {
        case .sharedSegment: ["exact_segment", "folded_segment"]
        case .translation: ["translation"]
        case .nearDuplicate: ["near_duplicate"]
        case .document: ["same_document"]
        case .lexeme: ["same_lexeme"]
        case .consistencyGroup: ["consistency_group"]
        case .sharedPassage: ["shared_passage"]
        }
    }

    /// The link an audit rule checks, `nil` for a rule no link covers.
    public init?(auditRule: String) {
        guard let link = IsolationLink.allCases.first(where: { $0.auditRules.contains(auditRule) }) else { return nil }
        self = link
    }

    /// The `audit.enforce` list for these links, sorted.
    public static func auditRules(for links: [IsolationLink]) -> [String] {
        links.flatMap(\.auditRules).sorted()
    }
}
