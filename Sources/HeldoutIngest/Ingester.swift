import Foundation
import HeldoutCore
import HeldoutStore

/// One corpus to ingest: its files, its format and the name it is stored under.
public struct PlannedCorpus: Sendable {
    public var name: String
    public var format: CorpusFormat
    public var files: [String]
}

/// Turns `heldout ingest FILE...` into stored corpora, one transaction per corpus.
public struct Ingester {
    public var options: IngestOptions
    public var licence: String?

    public init(options: IngestOptions, licence: String? = nil) {
        self.options = options
        self.licence = licence
    }

    /// Decides format and corpus name for every file before anything is read, so that a usage
    /// mistake in the tenth file does not leave the first nine ingested.
    public func plan(files: [String], format: CorpusFormat?, corpusName: String?) throws -> [PlannedCorpus] {
        guard !files.isEmpty else { throw HeldoutError.usage("no input files") }
        var byFormat: [(CorpusFormat, [String])] = []
        for file in files {
            var isDirectory: ObjCBool = false
            guard FileManager.default.fileExists(atPath: file, isDirectory: &isDirectory), !isDirectory.boolValue,
                  FileManager.default.isReadableFile(atPath: file) else {
                throw HeldoutError.badInput(SourceLocation(file: file), InputProblem.describeUnreadable(file))
            }
            let detected = try format ?? CorpusFormat.detect(path: file)
            if let index = byFormat.firstIndex(where: { $0.0 == detected }) {
                byFormat[index].1.append(file)
            } else {
                byFormat.append((detected, [file]))
            }
        }
        var planned: [PlannedCorpus] = []
        for (format, files) in byFormat {
            for group in try format.groupIntoCorpora(files, options: options) {
                var name = group.map { URL(fileURLWithPath: $0).lastPathComponent }.joined(separator: "+")
                // One Tatoeba download serves many pairs: each pair is its own corpus.
                if let pair = options.pair, format == .tsv || format == .csv, TatoebaReader.isTatoeba(group, options: options) {
                    name += ":\(pair)"
                }
                planned.append(PlannedCorpus(name: name, format: format, files: group))
            }
        }
        if let corpusName {
            guard planned.count == 1 else {
                throw HeldoutError.usage("--corpus names one corpus, but these files make \(planned.count); ingest them one by one")
            }
            planned[0].name = corpusName
        }
        // Readers check their options (languages, mappings) when made; make them all now.
        for corpus in planned {
            _ = try corpus.format.makeReader(files: corpus.files, options: options)
        }
        let names = planned.map(\.name)
        if Set(names).count != names.count {
            throw HeldoutError.usage("two inputs would be stored under one corpus name; ingest them separately with --corpus")
        }
        return planned
    }

    /// Hashes the corpus's files, and stores it unless the store already holds these exact bytes
    /// under this name. Nothing is kept if reading fails. `descriptor`: the one
    /// ``descriptor(for:)`` already made (the pipeline fingerprints it), so files are hashed once.
    public func ingest(_ corpus: PlannedCorpus, descriptor known: CorpusDescriptor? = nil, into store: Store,
                       progress: ((_ bytesRead: Int64, _ totalBytes: Int64, _ units: Int) -> Void)? = nil) throws -> IngestReport {
        let reader = try corpus.format.makeReader(files: corpus.files, options: options)
        let descriptor = try known ?? self.descriptor(for: corpus)
        let size = descriptor.size
        return try store.ingest(descriptor, progress: { bytes, units in progress?(bytes, size, units) }) { sink in
            try reader.read(into: sink)
        }
    }

    /// The reader of a planned corpus and what the store records of it. `heldout map units`
    /// describes a corpus through this (issue 15).
    public func describe(_ corpus: PlannedCorpus) throws -> (CorpusReader, CorpusDescriptor) {
        (try corpus.format.makeReader(files: corpus.files, options: options), try descriptor(for: corpus))
    }

    /// What the store records of the corpus: its name, format, files, SHA-256 and read options.
    public func descriptor(for corpus: PlannedCorpus) throws -> CorpusDescriptor {
        // Hash what the reader reads: an XCES alignment names its sentence documents, and a
        // change in one of them is a change of the corpus.
        let reader = try corpus.format.makeReader(files: corpus.files, options: options)
        var hashes: [String] = []
        var size: Int64 = 0
        for file in reader.files {
            let (hash, bytes) = try FileDigest.sha256(ofFile: file)
            if bytes == 0 {
                throw HeldoutError.badInput(SourceLocation(file: file), "file is empty")
            }
            hashes.append(hash)
            size += bytes
        }
        let sha = hashes.count == 1 ? hashes[0] : FileDigest.sha256(of: Array(hashes.joined(separator: "\n").utf8))
        return CorpusDescriptor(name: corpus.name, format: corpus.format.rawValue, sha256: sha, size: size,
                                files: reader.files, domain: options.domain, licence: licence,
                                readOptions: try options.fingerprint(format: corpus.format))
    }
}
