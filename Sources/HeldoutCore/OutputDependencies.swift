import Foundation

/// The versions of everything that decides a release's bytes: heldout itself, the Swift
/// toolchain (its Foundation spells floats and dates), Yams (spec.yaml), swift-mustache
/// (questions), swift-crypto (digests and seeds) and GRDB (the store's order). SwiftPM tells a
/// program nothing about its packages, so they are stated here; `OutputDependencyTests` fails
/// when Package.resolved resolves anything else, so the list cannot go stale silently.
public enum OutputDependencies {
    /// Package identity (as in Package.resolved) → version.
    public static let packages: [String: String] = [
        "yams": "6.2.2",
        "swift-mustache": "2.1.1",
        "swift-crypto": "4.5.2",
        "grdb.swift": "7.10.0",
    ]

    /// The compiler's language version, to the minor release it can tell.
    public static var swift: String {
        #if compiler(>=6.5)
        "6.5+"
        #elseif compiler(>=6.4)
        "6.4"
        #elseif compiler(>=6.3)
        "6.3"
        #elseif compiler(>=6.2)
        "6.2"
        #elseif compiler(>=6.1)
        "6.1"
        #else
        "6.0"
        #endif
    }

    /// Which Foundation spelled the output: the toolchain's open-source one on Linux.
    public static var foundation: String {
        #if canImport(Darwin)
        "Apple Foundation (swift \(swift))"
        #else
        "swift-corelibs-foundation (swift \(swift))"
        #endif
    }

    /// All of it, for `release.json`'s and `manifest.json`'s `build`.
    public static func versions(tool: String) -> [String: String] {
        var out = packages
        out["heldout"] = tool
        out["swift"] = swift
        out["foundation"] = foundation
        return out
    }
}
