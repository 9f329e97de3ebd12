import Foundation
import HeldoutBuild
import HeldoutCore
import HeldoutStore
import Testing

/// Items made on a cluster carry declared domains only (the classifier learns from the whole
/// store). Once the replay's grading has predicted domains, the given items would differ from a
/// local build's, so the pipeline makes them itself; without predictions it takes them.
@Suite("items given to the pipeline, and the classifier")
struct ImportedItemsFallbackTests {
    // Original sentences from two small vocabularies, written for this test.
    static let cooking = ["butter", "flour", "oven", "simmer", "garlic", "onion", "sauce", "bake", "pan", "salt", "pepper", "dough"]
    static let computing = ["kernel", "compiler", "server", "packet", "driver", "socket", "thread", "memory", "cache", "binary", "script", "router"]
    static let shared = ["the", "a", "with", "and", "then", "we", "it", "is", "slowly", "again"]

    static func sentence(_ vocabulary: [String], _ n: Int) -> String {
        var words: [String] = []
        var state = UInt64(n) &* 0x9E37_79B9_7F4A_7C15 &+ 1
        for k in 0..<8 {
            state = state &* 6364136223846793005 &+ 1442695040888963407
            let pool = k % 2 == 0 ? vocabulary : shared
            words.append(pool[Int(state >> 33) % pool.count])
        }
        return words.joined(separator: " ") + "."
    }

    static func tmx(_ pairs: [(String, String)]) -> String {
        let units = pairs.map { en, fr in
            "<tu><tuv xml:lang=\"en\"><seg>\(en)</seg></tuv><tuv xml:lang=\"fr\"><seg>\(fr)</seg></tuv></tu>"
        }
        return """
            <?xml version="1.0" encoding="UTF-8"?>
            <tmx version="1.4"><header srclang="en" datatype="plaintext" segtype="sentence" adminlang="en" creationtool="t" creationtoolversion="1" o-tmf="none"/>
            <body>
            \(units.joined(separator: "\n"))
            </body></tmx>

            """
    }

    /// A spec over two corpora that declare `cooking` and `computing` (or nothing) and one that
    /// declares nothing, whose segments the classifier can place.
    static func folder(declared: Bool, columns: String = "fr-en: { role: supervised }\n  en-fr: { role: heldout }") throws -> (URL, String) {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("heldout-fallback-\(UUID().uuidString)")
        let templates = directory.appendingPathComponent("templates")
        try FileManager.default.createDirectory(at: templates, withIntermediateDirectories: true)
        let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        try FileManager.default.copyItem(at: repository.appendingPathComponent("templates/translation.yaml"),
                                         to: templates.appendingPathComponent("translation.yaml"))
        func write(_ name: String, _ pairs: [(String, String)]) throws {
            try Data(tmx(pairs).utf8).write(to: directory.appendingPathComponent(name))
        }
        try write("cook.tmx", (0..<25).map { (sentence(cooking, $0), "Nous cuisinons: " + sentence(cooking, $0)) })
        try write("comp.tmx", (0..<25).map { (sentence(computing, $0 + 500), "Le système: " + sentence(computing, $0 + 500)) })
        try write("open.tmx", [("We simmer the garlic and onion with butter in the pan.", "Nous faisons mijoter l'ail."),
                               ("The router dropped a packet and the driver freed memory.", "Le routeur a perdu un paquet.")])
        let cook = declared ? ", domain: cooking" : "", comp = declared ? ", domain: computing" : ""
        let spec = directory.appendingPathComponent("spec.yaml").path
        try """
            name: fallback
            seed: 3
            sources:
              - { path: cook.tmx, format: tmx\(cook), license: CC0-1.0 }
              - { path: comp.tmx, format: tmx\(comp), license: CC0-1.0 }
              - { path: open.tmx, format: tmx, license: CC0-1.0 }
            templates: templates
            axis: language_pair
            columns:
              \(columns)
            partitions: { train: 0.8, dev: 0.1, test: 0.1, tolerance: 0.05 }

            """.write(toFile: spec, atomically: true, encoding: .utf8)
        return (directory, spec)
    }

    /// Runs the pipeline up to the split with given items; whether it asked for them, its log,
    /// and the store's items.
    static func run(declared: Bool) throws -> (asked: Bool, log: [String], items: [Item]) {
        let (directory, spec) = try folder(declared: declared)
        defer { try? FileManager.default.removeItem(at: directory) }
        var request = BuildPipeline.Request(specPath: spec, storePath: directory.appendingPathComponent("s.sqlite").path, toolVersion: "test")
        request.stopBeforeSplit = true
        var log: [String] = []
        request.log = { log.append($0) }
        final class Flag: @unchecked Sendable { var asked = false }
        let flag = Flag()
        request.importedItems = { flag.asked = true; return [] }
        _ = try BuildPipeline.run(request)
        var items: [Item] = []
        try Store(path: directory.appendingPathComponent("s.sqlite").path, mustExist: true).forEachItem { items.append($0) }
        return (flag.asked, log, items)
    }

    @Test("with predicted domains the items are made here, and carry them; without, the given items are taken")
    func fallback() throws {
        let predicted = try Self.run(declared: true)
        #expect(!predicted.asked)
        #expect(predicted.log.contains { $0.contains("the classifier predicted the domain of") && $0.contains("made here instead") })
        #expect(predicted.items.contains { $0.domainSource == "classifier" })
        #expect(predicted.items.contains { $0.domainSource == "metadata" })

        let plain = try Self.run(declared: false)
        #expect(plain.asked)
        #expect(plain.items.isEmpty)   // the given (empty) list, stored as given
        #expect(!plain.log.contains { $0.contains("made here instead") })
    }

    @Test("records a cluster wrote are not taken once the classifier predicted domains (they lack them); without, they are held to the split")
    func recordsFallback() throws {
        for declared in [true, false] {
            // One column: the corpora give fr-en items only, and this split must be written.
            let (directory, spec) = try Self.folder(declared: declared, columns: "fr-en: { role: supervised }")
            defer { try? FileManager.default.removeItem(at: directory) }
            // A folder of empty files: no split keeps nothing, so taking it must fail.
            let records = directory.appendingPathComponent("records/fallback")
            try FileManager.default.createDirectory(at: records, withIntermediateDirectories: true)
            for name in ["train.jsonl", "dev.jsonl", "test.jsonl"] { try Data().write(to: records.appendingPathComponent(name)) }
            var request = BuildPipeline.Request(specPath: spec, storePath: directory.appendingPathComponent("s.sqlite").path, toolVersion: "test")
            request.output = directory.appendingPathComponent("out").path
            request.givenRecords = records.deletingLastPathComponent()
            var log: [String] = []
            request.log = { log.append($0) }
            if declared {
                let report = try BuildPipeline.run(request)
                #expect(report.summary.taken == ["records": false])  // what a driver's summary reports
                #expect(log.contains { $0.contains("which the cluster's records lack; the records are written here instead") }, "\(log)")
                let train = try Data(contentsOf: directory.appendingPathComponent("out/train.jsonl"))
                #expect(!train.isEmpty)
            } else {
                #expect { try BuildPipeline.run(request) } throws: { error in
                    (error as? HeldoutError).map { $0.exitStatus == 1 && $0.userMessage.contains("train.jsonl") } ?? false
                }
                #expect(!FileManager.default.fileExists(atPath: directory.appendingPathComponent("out").path))
            }
        }
    }
}
