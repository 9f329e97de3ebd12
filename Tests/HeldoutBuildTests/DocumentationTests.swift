import Foundation
import Testing

/// The DocC catalogues (`Sources/*/*.docc`) build with every symbol link resolved: each module's
/// symbol graph is extracted from the modules `swift build --build-tests` made, and `docc
/// convert --warnings-as-errors` fails on a link to a symbol that does not exist (a link to
/// another module's symbol, or to an internal one, counts as broken: name those in code voice).
/// For the modules in ``fullyDocumented`` the symbol graph must also show a doc comment on
/// every public symbol declared in the module's own sources. Developers
/// without the toolchain's `docc` are not blocked; CI sets HELDOUT_REQUIRE_DOCC=1 so a missing
/// tool is a failure there, not a silent skip.
@Suite("documentation", .serialized)
struct DocumentationTests {
    static let repository = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    /// A tool of the toolchain: next to `swift` on the PATH.
    static func tool(_ name: String) -> URL? {
        for directory in (ProcessInfo.processInfo.environment["PATH"] ?? "").split(separator: ":") {
            let url = URL(fileURLWithPath: String(directory)).appendingPathComponent(name)
            if FileManager.default.isExecutableFile(atPath: url.path) { return url }
        }
        return nil
    }

    static let docc = tool("docc")
    static let extractor = tool("swift-symbolgraph-extract")
    static let required = ProcessInfo.processInfo.environment["HELDOUT_REQUIRE_DOCC"] == "1"

    static func run(_ executable: URL, _ arguments: [String]) throws -> (status: Int32, output: String) {
        let process = Process()
        process.executableURL = executable
        process.arguments = arguments
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        try process.run()
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: data, as: UTF8.self))
    }

    @Test("every module's DocC catalogue builds with its symbol links resolved",
          .enabled(if: (docc != nil && extractor != nil) || required, "the toolchain has no docc / swift-symbolgraph-extract"))
    func catalogues() throws {
        guard let docc = Self.docc, let extractor = Self.extractor else {
            Issue.record("docc and swift-symbolgraph-extract are required (HELDOUT_REQUIRE_DOCC=1); they ship with the Swift toolchain")
            return
        }
        let fm = FileManager.default
        // The test bundle sits in .build/<triple>/debug; the built modules are in its Modules/.
        let buildDirectory = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
        let modules = buildDirectory.appendingPathComponent("Modules")
        try #require(fm.fileExists(atPath: modules.path), "no Modules/ next to \(CommandLine.arguments[0])")
        // The C modules the Swift ones import, by their module maps.
        var clangArguments: [String] = ["-Xcc", "-I/usr/include/libxml2"]
        for root in ["Sources", ".build/checkouts"] {
            guard let walker = fm.enumerator(atPath: Self.repository.appendingPathComponent(root).path) else { continue }
            for case let path as String in walker where path.hasSuffix("module.modulemap")
                && !path.contains("SQLCipher") && !path.contains("SQLiteCustom") && !path.hasPrefix("GRDB.swift/Support") {
                clangArguments += ["-Xcc", "-fmodule-map-file=" + Self.repository.appendingPathComponent(root).appendingPathComponent(path).path]
            }
        }
        let catalogues = try fm.contentsOfDirectory(atPath: Self.repository.appendingPathComponent("Sources").path).sorted().compactMap { module -> (String, URL)? in
            let catalogue = Self.repository.appendingPathComponent("Sources/\(module)/\(module).docc")
            return fm.fileExists(atPath: catalogue.path) ? (module, catalogue) : nil
        }
        #expect(catalogues.map(\.0).contains("HeldoutCore"))
        let work = fm.temporaryDirectory.appendingPathComponent("heldout-docc-\(UUID().uuidString)")
        defer { try? fm.removeItem(at: work) }
        for (module, catalogue) in catalogues {
            let graphs = work.appendingPathComponent("\(module)-symbols")
            try fm.createDirectory(at: graphs, withIntermediateDirectories: true)
            #if arch(x86_64)
            let target = "x86_64-unknown-linux-gnu"
            #else
            let target = "aarch64-unknown-linux-gnu"
            #endif
            let extracted = try Self.run(extractor, ["-module-name", module, "-I", modules.path, "-target", target,
                                                     "-output-dir", graphs.path, "-minimum-access-level", "public"] + clangArguments)
            #expect(extracted.status == 0, "\(module): symbol graph: \(extracted.output)")
            guard extracted.status == 0 else { continue }
            let converted = try Self.run(docc, ["convert", catalogue.path, "--additional-symbol-graph-dir", graphs.path,
                                                "--output-path", work.appendingPathComponent("\(module).doccarchive").path,
                                                "--fallback-display-name", module, "--fallback-bundle-identifier", "org.heldout.\(module)",
                                                "--warnings-as-errors"])
            #expect(converted.status == 0, "\(module): docc: \(converted.output)")
            if Self.fullyDocumented.contains(module) {
                let undocumented = try Self.undocumentedSymbols(module: module, graphs: graphs)
                #expect(undocumented.isEmpty, "\(module): public symbols without a doc comment: \(undocumented.joined(separator: ", "))")
            }
        }
    }

    /// Modules whose every public symbol says what it is for (issue 16): the store, whose API is
    /// read by every stage, and the audit, whose report other tools read.
    static let fullyDocumented: Set<String> = ["HeldoutAudit", "HeldoutStore"]

    /// Protocol requirements whose meaning is the protocol's (Codable, Comparable, Hashable).
    static let conformanceNames: Set<String> = ["init(from:)", "encode(to:)", "<(_:_:)", "==(_:_:)", "hash(into:)"]

    /// The public symbols declared in `module`'s own sources (its main symbol graph) that have no
    /// doc comment, by path (`Type/member`).
    static func undocumentedSymbols(module: String, graphs: URL) throws -> [String] {
        let data = try Data(contentsOf: graphs.appendingPathComponent("\(module).symbols.json"))
        guard let graph = try JSONSerialization.jsonObject(with: data) as? [String: Any],
              let symbols = graph["symbols"] as? [[String: Any]] else {
            Issue.record("\(module): unreadable symbol graph")
            return []
        }
        var missing: [String] = []
        for symbol in symbols {
            // Synthesized and inherited members (a protocol extension's default) have no
            // location in the module's own sources.
            guard let location = symbol["location"] as? [String: Any], let uri = location["uri"] as? String,
                  uri.contains("/Sources/\(module)/"), symbol["docComment"] == nil,
                  let path = symbol["pathComponents"] as? [String], let name = path.last,
                  !conformanceNames.contains(name) else { continue }
            missing.append(path.joined(separator: "/"))
        }
        return missing.sorted()
    }
}
