import Foundation
import HeldoutCore

/// `heldout publish`: freezes a built split into `DIR/releases/vX.Y.Z/` — data, dataset card,
/// Croissant, checksums and change log — written beside and renamed into place, so a release
/// directory either is complete or does not exist.
public struct Publisher: Sendable {
    public struct Options: Sendable {
        public var version: String
        public var notes: String?
        public var license: String?
        /// `YYYY-MM-DD`; when nil, ``resolveDate(explicit:environment:now:)`` decides.
        public var date: String?
        public var url: String?
        public var creator: String?
        public var toolVersion: String
        /// The split directory as the user named it (e.g. `splits/demo`), for the card's commands;
        /// absolute temporary paths would not help a reader.
        public var displayPath: String?
        /// Licence per corpus name, from the store the split was built from, when it is at hand:
        /// the spec states licences only for the sources it lists with `license:`.
        public var corpusLicences: [String: String] = [:]
        /// Files, format and size per corpus name, from the store when it is at hand: a split made
        /// step by step has no `sources` in its spec, and the card still lists what it was made from.
        public var corpusDetails: [String: CorpusDetail] = [:]
        /// Publish although the audit finds enforced leaks; the card then says so at its top and
        /// `release.json` records how many, so `verify` reports them as known.
        public var allowLeaks = false
        /// The independent audit, plugged in by the command line; without it (library callers,
        /// tests) the split's own `audit.json` verdict is trusted.
        public var auditRunner: AuditRunner?

        public init(version: String, toolVersion: String) {
            self.version = version
            self.toolVersion = toolVersion
        }
    }

    /// Files of a split that a release carries, when present.
    public static let splitFiles = SplitDirectory.partitionFiles + [SplitDirectory.spec, SplitDirectory.manifest, SplitDirectory.dropped,
                                                                    SplitDirectory.audit, SplitDirectory.auditHTML]
    /// The audit's report files: written from the audit publish itself ran, when it ran one.
    static let auditFiles: Set<String> = [SplitDirectory.audit, SplitDirectory.auditHTML]
    public static let requiredFiles = SplitDirectory.partitionFiles + [SplitDirectory.spec, SplitDirectory.manifest]
    /// The file that records what publish decided (date, licence, previous version), so verify
    /// and rebuild read it instead of the clock.
    public static let releaseFile = "release.json"

    public let split: URL

    public init(split: URL) { self.split = split.standardizedFileURL }

    /// The publication date: `--date`, else `SOURCE_DATE_EPOCH` (reproducible builds), else today (UTC).
    public static func resolveDate(explicit: String?, environment: [String: String], now: Date = Date()) throws -> String {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.dateFormat = "yyyy-MM-dd"
        if let explicit {
            guard explicit.count == 10, let parsed = formatter.date(from: explicit), formatter.string(from: parsed) == explicit else {
                throw PublishError.badDate(explicit)
            }
            return explicit
        }
        if let epoch = environment["SOURCE_DATE_EPOCH"] {
            guard let seconds = Int(epoch) else { throw PublishError.badDate("SOURCE_DATE_EPOCH=\(epoch)") }
            return formatter.string(from: Date(timeIntervalSince1970: TimeInterval(seconds)))
        }
        return formatter.string(from: now)
    }

    /// Existing releases by version (directories `vX.Y.Z` under `releases/`).
    public func releases() throws -> [ReleaseVersion: URL] {
        let root = split.appendingPathComponent("releases")
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: root.path) else { return [:] }
        var out: [ReleaseVersion: URL] = [:]
        for name in names where name.hasPrefix("v") {
            if let v = ReleaseVersion(name) { out[v] = root.appendingPathComponent(name) }
        }
        return out
    }

    /// Sibling splits (`NAME-comparison`, `NAME-sweep-…`) next to the split, by suffix.
    public func siblings(primaryName: String) throws -> [(suffix: String, url: URL)] {
        let parent = split.deletingLastPathComponent()
        let stem = split.lastPathComponent + "-"
        var out: [(String, URL)] = []
        for name in (try? FileManager.default.contentsOfDirectory(atPath: parent.path))?.sorted() ?? [] where name.hasPrefix(stem) {
            let url = parent.appendingPathComponent(name)
            guard let manifest = Self.readManifest(url),
                  let siblingName = manifest.name, siblingName.hasPrefix(primaryName + "-") else { continue }
            let suffix = String(name.dropFirst(stem.count))
            try SafePath.check(suffix)
            out.append((suffix, url))
        }
        return out
    }

    /// The split's manifest, `nil` when it is missing or not a manifest this heldout reads.
    static func readManifest(_ split: URL) -> SplitManifest? {
        try? SplitManifest.read(from: split.appendingPathComponent(SplitDirectory.manifest))
    }

    static func readJSON(_ url: URL) -> [String: Any]? {
        guard let data = FileManager.default.contents(atPath: url.path) else { return nil }
        return (try? JSONSerialization.jsonObject(with: data)) as? [String: Any]
    }

    /// Publishes; returns the release directory.
    @discardableResult
    public func publish(_ options: Options, environment: [String: String] = ProcessInfo.processInfo.environment) throws -> URL {
        guard let version = ReleaseVersion(options.version), !options.version.hasPrefix("v") else {
            throw PublishError.invalidVersion(options.version)
        }
        let fm = FileManager.default
        for file in Self.requiredFiles where !fm.fileExists(atPath: split.appendingPathComponent(file).path) {
            throw PublishError.notASplit(split.path)
        }
        let releasesRoot = try SafePath.join(split, "releases")
        let target = try SafePath.join(releasesRoot, version.directoryName)
        if fm.fileExists(atPath: target.path) { throw PublishError.versionExists(target.path) }
        let existing = try releases()
        let previous = existing.keys.max()
        if let previous, previous >= version {
            throw PublishError.versionNotNewer(new: version.description, latest: previous.description)
        }
        let date = try Self.resolveDate(explicit: options.date, environment: environment)
        var notes: String?
        if let path = options.notes {
            guard let data = fm.contents(atPath: path), let text = String(data: data, encoding: .utf8) else { throw PublishError.badNotes(path) }
            notes = text
        }

        // Checks first: nothing is written unless the split is the one built, usable, and clean.
        let manifest = Self.readManifest(split)
        let name = manifest?.name ?? split.lastPathComponent
        let siblings = try siblings(primaryName: name)
        var changed = try ReleaseChecks.outputProblems(in: split)
        for sibling in siblings { changed += try ReleaseChecks.outputProblems(in: sibling.url, label: "\(sibling.suffix)/") }
        guard changed.isEmpty else { throw PublishError.splitChanged(changed) }
        let contents = try SplitContents.read(directory: split)
        try Self.checkUsable(manifest: manifest, split: split, contents: contents)
        let against = try Self.recordedAgainst(in: split)
        let audit = try runAudit(options, against: against)
        if audit.enforcedLeaks > 0 && !options.allowLeaks {
            throw PublishError.leaking(count: audit.enforcedLeaks, summary: audit.summary)
        }
        var previousContents: (version: String, contents: SplitContents)?
        if let previous, let url = existing[previous] {
            previousContents = (previous.description, try SplitContents.read(directory: url))
        }
        let diff = ReleaseDiff(previous: previousContents, current: version.description, contents: contents)
        if let previous, diff.evaluationMembershipChanged, version.major <= previous.major {
            throw PublishError.majorBumpRequired(new: version.description, previous: previous.description,
                                                 added: diff.evaluationAdded, removed: diff.evaluationRemoved)
        }

        try Self.io(releasesRoot) { try fm.createDirectory(at: releasesRoot, withIntermediateDirectories: true) }
        let temporary = releasesRoot.appendingPathComponent(".\(version.directoryName).tmp-\(UUID().uuidString)")
        try Self.io(temporary) { try fm.createDirectory(at: temporary, withIntermediateDirectories: false) }
        defer { Self.remove(temporary) }

        var digests: [String: String] = [:]
        func copy(from directory: URL, prefix: String, skipping: Set<String> = []) throws {
            if !prefix.isEmpty {
                let folder = try SafePath.join(temporary, prefix)
                try Self.io(folder) { try fm.createDirectory(at: folder, withIntermediateDirectories: true) }
            }
            for file in Self.splitFiles where !skipping.contains(file) && fm.fileExists(atPath: directory.appendingPathComponent(file).path) {
                let relative = prefix.isEmpty ? file : "\(prefix)/\(file)"
                let destination = try SafePath.join(temporary, relative)
                try Self.io(destination) {
                    try fm.copyItem(at: directory.appendingPathComponent(file), to: destination)
                    digests[relative] = try FileDigest.sha256(ofFile: destination.path).hex
                }
            }
        }
        try copy(from: split, prefix: "", skipping: audit.ran ? Self.auditFiles : [])
        if audit.ran {
            try write(audit.json, "audit.json", in: temporary, digests: &digests)
            try write(audit.html, "audit.html", in: temporary, digests: &digests)
        }
        for sibling in siblings { try copy(from: sibling.url, prefix: sibling.suffix) }

        // What publish decided, recorded so nothing downstream depends on the clock.
        let spec = try? SplitSpec.load(path: split.appendingPathComponent("spec.yaml").path)
        var finalRecord = ReleaseRecord(name: name, version: version.description, date: date,
                                        license: try license(options.license, spec: spec, corpora: options.corpusLicences),
                                        toolVersion: options.toolVersion, previous: previous?.description,
                                        evaluationMembershipChanged: diff.evaluationMembershipChanged,
                                        siblings: siblings.map(\.suffix))
        finalRecord.format = ReleaseRecord.currentFormat
        // spec.yaml is copied unchanged: its paths start from the split directory (its `base`).
        finalRecord.specDirectory = "../.."
        finalRecord.auditAgainst = against
        finalRecord.allowedLeaks = audit.enforcedLeaks > 0 ? audit.enforcedLeaks : nil
        finalRecord.build = OutputDependencies.versions(tool: options.toolVersion)
        try write(try Self.jsonData(finalRecord), Self.releaseFile, in: temporary, digests: &digests)
        try write(Data(diff.markdown(notes: notes).utf8), "CHANGES.md", in: temporary, digests: &digests)

        let sourceDigests = manifest?.inputs?.sources ?? [:]
        let specSources = spec?.sources.map { ($0.path, $0.license) } ?? sourceDigests.keys.sorted().map { ($0, nil) }
        let facts = ReleaseFacts(
            name: name, version: version, date: date, license: finalRecord.license, toolVersion: options.toolVersion,
            contents: contents, roles: manifest?.roles ?? [:],
            isolation: manifest?.isolation?.links ?? [],
            enforcedRules: manifest?.audit?.enforce ?? [],
            isolationCostTotal: manifest?.isolationCost?.total,
            auditClean: audit.found ? audit.enforcedLeaks == 0 : nil, auditEnforcedLeaks: audit.found ? audit.enforcedLeaks : nil,
            corpora: manifest?.inputs?.corpora ?? [:], corpusLicences: options.corpusLicences,
            corpusDetails: options.corpusDetails,
            displayPath: options.displayPath ?? split.path,
            sources: specSources.map { (path: $0.0, sha256: sourceDigests[$0.0], license: $0.1) },
            sourceDetails: Dictionary(spec?.sources.map { source in
                (source.path, (format: source.format, bytes: (try? fm.attributesOfItem(atPath: Self.sourceFile(source.path, spec: spec))[.size] as? Int) ?? nil))
            } ?? [], uniquingKeysWith: { a, _ in a }),
            licenceProblems: options.license == nil ? Self.licenceProblems(spec: spec, corpora: options.corpusLicences) : [],
            specYAML: (try? String(contentsOf: split.appendingPathComponent("spec.yaml"), encoding: .utf8)) ?? "",
            siblings: siblings.map(\.suffix), fileDigests: digests)
        var shortFacts = facts
        shortFacts.allowedLeaks = finalRecord.allowedLeaks ?? 0
        shortFacts.auditAgainst = against.map(\.path)
        shortFacts.unmetQuotas = (manifest?.quotas?.unmet ?? []).map {
            "\($0.column) \($0.partition): \($0.items) item(s), share \(Self.number($0.share)) against \(Self.number($0.target))"
        }
        if let d = manifest?.domains {
            shortFacts.domainEvidence = (d.declared, d.predicted, d.classifierAccuracy)
        }
        let card = DatasetCard(facts: shortFacts)
        let croissant = CroissantDocument(
            facts: facts,
            description: "\(name) \(version): a held-out generalisation dataset (\(contents.total) records; columns \(facts.roles.sorted { $0.key < $1.key }.map { "\($0.key) (\($0.value))" }.joined(separator: ", "))), built and audited by heldout.",
            url: options.url ?? "releases/\(version.directoryName)/", creator: options.creator ?? "heldout")
        try write(Data(card.markdown.utf8), "README.md", in: temporary, digests: &digests)
        try write(try croissant.data(), "croissant.json", in: temporary, digests: &digests)
        let sums = temporary.appendingPathComponent(ReleaseVerifier.checksumsFile)
        try Self.io(sums) { try Data(Checksums(entries: digests).text.utf8).write(to: sums) }
        // Sealed before it appears: renaming within one folder needs no write access to the
        // renamed folder itself, so the release is read-only from its first moment.
        try ReleaseChecks.seal(temporary)

        // rename(2) refuses nothing on an existing empty dir on Linux, so check again right before.
        if fm.fileExists(atPath: target.path) { throw PublishError.versionExists(target.path) }
        try Self.io(target) { try fm.moveItem(at: temporary, to: target) }
        return target
    }

    /// The audit publish relies on: the one it runs itself (with the recorded `--against`
    /// files), else the split's own `audit.json`.
    struct AuditVerdict {
        var ran: Bool
        var found: Bool
        var enforcedLeaks: Int
        var summary: String
        var json = Data()
        var html = Data()
    }

    private func runAudit(_ options: Options, against: [AgainstInput]) throws -> AuditVerdict {
        if let runner = options.auditRunner {
            let outcome = try runner(split, against.map(\.path))
            return AuditVerdict(ran: true, found: true, enforcedLeaks: outcome.enforcedLeaks, summary: outcome.summary,
                                json: outcome.json, html: outcome.html)
        }
        guard let recorded = Self.readJSON(split.appendingPathComponent("audit.json")) else {
            return AuditVerdict(ran: false, found: false, enforcedLeaks: 0, summary: "")
        }
        let leaks = recorded["enforced_leaks"] as? Int ?? (recorded["clean"] as? Bool == false ? 1 : 0)
        return AuditVerdict(ran: false, found: true, enforcedLeaks: leaks,
                            summary: "audit.json records \(leaks) enforced leak(s); see audit.html")
    }

    /// The `--against` files of the split's audit, each read now for its SHA-256; one that
    /// cannot be read stops publish, since its part of the audit could not be repeated.
    static func recordedAgainst(in directory: URL) throws -> [AgainstInput] {
        try ReleaseChecks.recordedAgainst(in: directory).map { path in
            guard FileManager.default.isReadableFile(atPath: path) else { throw PublishError.againstUnavailable(path) }
            return AgainstInput(path: path, sha256: try FileDigest.sha256(ofFile: path).hex)
        }
    }

    /// Runs `body`, turning a file-system failure into ``PublishError/io(path:reason:)`` naming
    /// `url` (exit 4), and letting heldout's own errors through unchanged.
    static func io<T>(_ url: URL, _ body: () throws -> T) throws -> T {
        do { return try body() } catch let error as PublishError { throw error } catch let error as HeldoutError { throw error } catch {
            throw PublishError.io(path: url.path, reason: IOFailure.reason(error))
        }
    }

    /// Removes a half-written release, making its folders writable first (it may be sealed).
    static func remove(_ url: URL) {
        let fm = FileManager.default
        guard fm.fileExists(atPath: url.path) else { return }
        if let all = try? Checksums.listFiles(in: url, includingDirectories: true) {
            try? fm.setAttributes([.posixPermissions: 0o755], ofItemAtPath: url.path)
            for relative in all where relative.hasSuffix("/") {
                try? fm.setAttributes([.posixPermissions: 0o755], ofItemAtPath: url.appendingPathComponent(relative).path)
            }
        }
        try? fm.removeItem(at: url)
    }

    /// A release loads as train/dev/test in `datasets`: an empty partition, or a quota the split
    /// did not meet, is refused unless the split was accepted as short (its manifest says so).
    /// An evaluation column without an item in dev or test is refused on the same terms.
    static func checkUsable(manifest: SplitManifest?, split: URL, contents: SplitContents? = nil) throws {
        let quotas = manifest?.quotas
        if quotas?.acceptedShort == true { return }
        if let file = ReleaseChecks.emptyDataFiles(in: split).first { throw PublishError.unusable("\(file) is empty") }
        if let contents, let first = ReleaseChecks.emptyEvaluationColumns(contents: contents, manifest: manifest).first {
            throw PublishError.unusable(first)
        }
        if let row = quotas?.unmet.first {
            throw PublishError.unusable("\(row.column) \(row.partition) holds \(row.items) item(s), share \(Self.number(row.share)) against \(Self.number(row.target))")
        }
    }

    /// A share as JSON spells it: `1`, not `1.0`.
    static func number(_ x: Double) -> String {
        x == x.rounded() && abs(x) < 1e15 ? String(Int(x)) : "\(x)"
    }

    /// Where a stored spec's source is: from its `base`, or, for a `spec.yaml` written before
    /// specs had one, from the working directory, as it was built.
    static func sourceFile(_ path: String, spec: SplitSpec?) -> String {
        guard let spec, spec.base != nil else { return path }
        return spec.resolve(path)
    }

    private func write(_ data: Data, _ name: String, in directory: URL, digests: inout [String: String]) throws {
        let url = try SafePath.join(directory, name)
        try Self.io(url) { try data.write(to: url) }
        digests[name] = FileDigest.sha256(of: data)
    }

    /// Where the sources' licences leave the release: unstated sources and disagreeing
    /// licences, one line each, for the card and for publish's warning. Empty when every source
    /// states the same licence (or the store's corpora agree on one).
    public static func licenceProblems(spec: SplitSpec?, corpora: [String: String]) -> [String] {
        let sources = spec?.sources ?? []
        var problems: [String] = []
        let unstated = sources.filter { $0.license == nil }.map(\.path)
        let stated = Dictionary(grouping: sources.filter { $0.license != nil }, by: { $0.license ?? "" })
        if !unstated.isEmpty {
            let fromStore = Set(corpora.values)
            if !(fromStore.count == 1 && stated.keys.allSatisfy(fromStore.contains)) {
                problems.append("no licence stated for " + unstated.map { "`\($0)`" }.joined(separator: ", ")
                                + " (spec `sources: license:` or `heldout ingest --license`)")
            }
        }
        if stated.count > 1 {
            problems.append("the sources' licences differ: " + stated.keys.sorted().map { licence in
                "\(licence) (" + (stated[licence] ?? []).map { "`\($0.path)`" }.joined(separator: ", ") + ")"
            }.joined(separator: "; ") + "; the release is bound by all of them")
        }
        return problems
    }

    /// `--license`, else the one licence every source of the spec states, else the one licence of
    /// every corpus in the store, else `other` (the Hub's word for "see the card").
    private func license(_ explicit: String?, spec: SplitSpec?, corpora: [String: String]) throws -> String {
        if let explicit {
            guard !explicit.isEmpty, Self.isLicenceIdentifier(explicit) else {
                throw PublishError.badLicense(explicit)
            }
            return explicit
        }
        let stated = Set(spec?.sources.compactMap(\.license) ?? [])
        if stated.count == 1, let only = stated.first, spec?.sources.allSatisfy({ $0.license != nil }) == true { return only }
        let fromStore = Set(corpora.values)
        if fromStore.count == 1, let only = fromStore.first, Self.isLicenceIdentifier(only) { return only }
        return "other"
    }

    /// An SPDX-style identifier (`cc-by-sa-4.0`, `MIT`): ASCII letters, digits and `-.+` only.
    static func isLicenceIdentifier(_ licence: String) -> Bool {
        licence.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || "-.+".contains($0)) }
    }

    static func jsonData<T: Encodable>(_ value: T) throws -> Data {
        var d = try CanonicalJSON.data(value)
        d.append(0x0A)
        return d
    }
}

/// A corpus as the store recorded it at ingest.
public struct CorpusDetail: Sendable, Equatable {
    public var files: [String]
    public var format: String
    public var bytes: Int64

    public init(files: [String], format: String, bytes: Int64) {
        self.files = files
        self.format = format
        self.bytes = bytes
    }
}

/// `release.json`: what publish decided for this release.
public struct ReleaseRecord: Codable, Sendable, Equatable {
    public var name: String
    public var version: String
    public var date: String
    public var license: String
    public var toolVersion: String
    public var previous: String?
    public var evaluationMembershipChanged: Bool
    public var siblings: [String]
    /// The release layout (`heldout-release/N`); bumped whenever the bytes a release holds
    /// change on purpose, together with the golden sums (Tests/HeldoutCLITests/Golden).
    public var format: String?
    /// The `--against` inputs the audit used, by path and SHA-256, for `verify` to repeat it.
    public var auditAgainst: [AgainstInput]?
    /// Enforced leaks published knowingly (`--allow-leaks`); nil for a clean release.
    public var allowedLeaks: Int?
    /// Versions of heldout, the toolchain and the packages that shape the output bytes.
    public var build: [String: String]?
    /// The folder, relative to the release, that its `spec.yaml` was written in (the split
    /// directory): the spec's relative paths (through its `base`) start there. Format 3 on.
    public var specDirectory: String?

    /// 3: `spec.yaml` paths are relative to the spec (`base`, `spec_directory`), not to the
    /// working directory of the build.
    public static let currentFormat = "heldout-release/3"

    enum CodingKeys: String, CodingKey {
        case name, version, date, license, previous, siblings, format, build
        case toolVersion = "tool_version"
        case evaluationMembershipChanged = "evaluation_membership_changed"
        case auditAgainst = "audit_against"
        case allowedLeaks = "allowed_leaks"
        case specDirectory = "spec_directory"
    }

    public static func read(release: URL) throws -> ReleaseRecord {
        let url = release.appendingPathComponent(Publisher.releaseFile)
        guard let data = FileManager.default.contents(atPath: url.path) else {
            throw HeldoutError.badInput(SourceLocation(file: url.path), "no release.json: not a heldout release directory")
        }
        do { return try JSONDecoder().decode(ReleaseRecord.self, from: data) } catch {
            throw HeldoutError.badInput(SourceLocation(file: url.path), "not a release record: \(error)")
        }
    }
}
