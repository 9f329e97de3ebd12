import Foundation
import HeldoutCore

/// A JSON tree for documents whose keys are not Swift identifiers (`@context`, `@type`).
public indirect enum JSONTree: Encodable, Sendable, Equatable {
    case string(String)
    case int(Int)
    case bool(Bool)
    case array([JSONTree])
    case object([String: JSONTree])
    case null

    public func encode(to encoder: Encoder) throws {
        var c = encoder.singleValueContainer()
        switch self {
        case let .string(s): try c.encode(s)
        case let .int(n): try c.encode(n)
        case let .bool(b): try c.encode(b)
        case let .array(a): try c.encode(a)
        case let .object(o): try c.encode(o)
        case .null: try c.encodeNil()
        }
    }
}

/// `croissant.json`: MLCommons Croissant 1.0, so `mlcroissant` (and the hubs that index it)
/// can find, check and stream the release. Every file is a `cr:FileObject` with its SHA-256;
/// the `records` record set reads the primary split's three JSONL files and derives the split from the file
/// name, referencing the `splits` enumeration, as Croissant's split convention asks.
public struct CroissantDocument: Sendable {
    public static let conformsTo = "http://mlcommons.org/croissant/1.0"

    public var facts: ReleaseFacts
    public var description: String
    public var url: String
    public var creator: String

    public init(facts: ReleaseFacts, description: String, url: String, creator: String) {
        self.facts = facts
        self.description = description
        self.url = url
        self.creator = creator
    }

    /// The official 1.0 context, verbatim: `mlcroissant` warns on any other.
    static let context: JSONTree = .object([
        "@language": .string("en"), "@vocab": .string("https://schema.org/"),
        "citeAs": .string("cr:citeAs"), "column": .string("cr:column"), "conformsTo": .string("dct:conformsTo"),
        "cr": .string("http://mlcommons.org/croissant/"), "rai": .string("http://mlcommons.org/croissant/RAI/"),
        "data": .object(["@id": .string("cr:data"), "@type": .string("@json")]),
        "dataType": .object(["@id": .string("cr:dataType"), "@type": .string("@vocab")]),
        "dct": .string("http://purl.org/dc/terms/"),
        "examples": .object(["@id": .string("cr:examples"), "@type": .string("@json")]),
        "extract": .string("cr:extract"), "field": .string("cr:field"), "fileProperty": .string("cr:fileProperty"),
        "fileObject": .string("cr:fileObject"), "fileSet": .string("cr:fileSet"), "format": .string("cr:format"),
        "includes": .string("cr:includes"), "isLiveDataset": .string("cr:isLiveDataset"), "jsonPath": .string("cr:jsonPath"),
        "key": .string("cr:key"), "md5": .string("cr:md5"), "parentField": .string("cr:parentField"), "path": .string("cr:path"),
        "recordSet": .string("cr:recordSet"), "references": .string("cr:references"), "regex": .string("cr:regex"),
        "repeated": .string("cr:repeated"), "replace": .string("cr:replace"), "sc": .string("https://schema.org/"),
        "separator": .string("cr:separator"), "source": .string("cr:source"), "subField": .string("cr:subField"),
        "transform": .string("cr:transform"), "samplingRate": .string("cr:samplingRate"),
        "equivalentProperty": .string("cr:equivalentProperty"),
    ])

    /// Top-level string fields of a record, described as text; nested ones (`source`,
    /// `messages`, …) are left to the JSONL and named in the description, since their shape
    /// varies by template.
    static let textFields = ["id", "partition", "column", "role", "category", "pair", "band", "domain", "question", "answer", "consistency_group", "template"]

    static func licenseURL(_ spdx: String) -> String {
        spdx.contains("://") ? spdx : "https://spdx.org/licenses/\(spdx).html"
    }

    public var tree: JSONTree {
        let f = facts
        var distribution: [JSONTree] = f.fileDigests.sorted(by: { $0.key < $1.key }).map { path, sha in
            .object([
                "@type": .string("cr:FileObject"), "@id": .string(path), "name": .string(path),
                "contentUrl": .string(path), "sha256": .string(sha),
                "encodingFormat": .string(Self.encoding(path)),
            ])
        }
        distribution.append(.object([
            "@type": .string("cr:FileSet"), "@id": .string("jsonl-files"), "name": .string("jsonl-files"),
            "encodingFormat": .string("application/jsonlines"),
            // The root files only: a glob would also take the siblings' JSONL in subfolders.
            "includes": .array(SplitContents.dataFiles.map { .string($0.file) }),
        ]))
        let splitNames = SplitContents.dataFiles.map { String($0.file.dropLast(".jsonl".count)) }
        let splits: JSONTree = .object([
            "@type": .string("cr:RecordSet"), "@id": .string("splits"), "name": .string("splits"),
            "description": .string("The partitions: train (supervised columns only), dev and test (evaluation)."),
            "dataType": .string("cr:Split"), "key": .object(["@id": .string("splits/name")]),
            "field": .array([.object(["@type": .string("cr:Field"), "@id": .string("splits/name"),
                                      "name": .string("splits/name"), "dataType": .string("sc:Text")])]),
            "data": .array(splitNames.map { .object(["splits/name": .string($0)]) }),
        ])
        var fields: [JSONTree] = Self.textFields.filter { f.contents.fields.isEmpty || f.contents.fields.contains($0) }.map { name in
            .object([
                "@type": .string("cr:Field"), "@id": .string("records/\(name)"), "name": .string("records/\(name)"),
                "dataType": .string("sc:Text"),
                "source": .object(["fileSet": .object(["@id": .string("jsonl-files")]), "extract": .object(["column": .string(name)])]),
            ])
        }
        fields.append(.object([
            "@type": .string("cr:Field"), "@id": .string("records/split"), "name": .string("records/split"),
            "description": .string("The partition, from the file the record is in."),
            "dataType": .array([.string("sc:Text"), .string("cr:Split")]),
            "references": .object(["field": .object(["@id": .string("splits/name")])]),
            "source": .object([
                "fileSet": .object(["@id": .string("jsonl-files")]),
                "extract": .object(["fileProperty": .string("filename")]),
                "transform": .object(["regex": .string("^(train|dev|test)")]),
            ]),
        ]))
        let records: JSONTree = .object([
            "@type": .string("cr:RecordSet"), "@id": .string("records"), "name": .string("records"),
            "description": .string("One evaluation or training item a line. Nested fields (source, rubric, messages, segments, documents, target) are in the JSONL as written."),
            "field": .array(fields),
        ])
        return .object([
            "@context": Self.context,
            "@type": .string("sc:Dataset"),
            "dct:conformsTo": .string(Self.conformsTo),
            "name": .string(f.name),
            "description": .string(description),
            "license": .string(Self.licenseURL(f.license)),
            "url": .string(url),
            "creator": .object(["@type": .string("sc:Organization"), "name": .string(creator)]),
            "datePublished": .string(f.date),
            "version": .string(f.version.description),
            "citeAs": .string("\(f.name) \(f.version) (\(f.date)), built with heldout \(f.toolVersion)"),
            "distribution": .array(distribution),
            "recordSet": .array([splits, records]),
        ])
    }

    static func encoding(_ path: String) -> String {
        if path.hasSuffix(".jsonl") { return "application/jsonlines" }
        if path.hasSuffix(".json") { return "application/json" }
        if path.hasSuffix(".yaml") { return "application/yaml" }
        if path.hasSuffix(".md") { return "text/markdown" }
        return "text/plain"
    }

    /// Canonical JSON (sorted keys), one trailing newline.
    public func data() throws -> Data {
        var d = try CanonicalJSON.data(tree)
        d.append(0x0A)
        return d
    }
}
