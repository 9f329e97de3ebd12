import Foundation
import Testing

/// Issue 14 on the command line: publish refuses a changed or leaking split and writes nothing,
/// `--allow-leaks` publishes a known leak that verify then reports, verify names a changed mode,
/// and a failed write exits 4 naming the path (never 2, which means "usage").
@Suite("release commands", .serialized)
struct ReleaseCLITests {
    /// The demo, built through the README's command in a workspace holding only its inputs.
    func builtDemo() throws -> Workspace {
        let w = try BuildTests().demoWorkspace()
        let built = try w.run("build", "splits/demo.yaml")
        try #require(built.status == 0, "\(built.stderr)")
        return w
    }

    /// Folders writable again, so the workspace can be removed by a user who is not root.
    func unseal(_ w: Workspace) {
        _ = try? Process.run(URL(fileURLWithPath: "/bin/chmod"), arguments: ["-R", "u+w", w.url.path]).waitUntilExit()
    }

    @Test("a leak found with --against: publish exits 1 naming it and writes nothing; --allow-leaks publishes it, the card warns, verify reports it")
    func leakAgainst() throws {
        let w = try builtDemo()
        defer { unseal(w) }
        // One sentence of a test record, as outside data a model may have seen.
        let first = try String(contentsOfFile: w.path("splits/demo/test.jsonl"), encoding: .utf8).split(separator: "\n")[0]
        let record = try #require(try JSONSerialization.jsonObject(with: Data(first.utf8)) as? [String: Any])
        let sentence = try #require((record["source"] as? [String: Any])?["text"] as? String)
        try w.write("outside.txt", sentence + "\n")
        #expect(try w.run("audit", "splits/demo", "--against", "outside.txt").status == 1)

        let refused = try w.run("publish", "splits/demo", "--version", "1.0.0", "--date", "2026-01-02")
        #expect(refused.status == 1)
        #expect(refused.stderr.contains("outside.txt"), "\(refused.stderr)")
        #expect(refused.stderr.contains("--allow-leaks"))
        #expect(!FileManager.default.fileExists(atPath: w.path("splits/demo/releases/v1.0.0")))

        let published = try w.run("publish", "splits/demo", "--version", "1.0.0", "--date", "2026-01-02", "--allow-leaks")
        try #require(published.status == 0, "\(published.stderr)")
        let release = "splits/demo/releases/v1.0.0"
        let card = try String(contentsOfFile: w.path("\(release)/README.md"), encoding: .utf8)
        #expect(card.contains("known to leak"))
        let verify = try w.run("verify", release)
        #expect(verify.status == 0, "\(verify.stderr)")
        #expect(verify.stdout.contains("KNOWN leak"), "\(verify.stdout)")
        #expect(verify.stdout.contains("--against outside.txt"), "\(verify.stdout)")

        // The outside file changed: verify says so plainly rather than auditing something else.
        try w.write("outside.txt", "Une tout autre phrase.\n")
        let changed = try w.run("verify", release)
        #expect(changed.stderr.contains("outside.txt has changed since publication"), "\(changed.stderr)")
        try FileManager.default.removeItem(atPath: w.path("outside.txt"))
        let gone = try w.run("verify", release)
        #expect(gone.stderr.contains("outside.txt is no longer available"), "\(gone.stderr)")
    }

    @Test("a line deleted from train.jsonl: publish exits 1 naming it; a clean publish is sealed and verify names a changed mode")
    func tamperedAndModes() throws {
        let w = try builtDemo()
        defer { unseal(w) }
        let train = w.path("splits/demo/train.jsonl")
        let original = try Data(contentsOf: URL(fileURLWithPath: train))
        let lines = original.split(separator: 0x0A)
        try Data(lines.dropFirst().joined(separator: [0x0A]) + [0x0A]).write(to: URL(fileURLWithPath: train))
        let refused = try w.run("publish", "splits/demo", "--version", "1.0.0")
        #expect(refused.status == 1)
        #expect(refused.stderr.contains("train.jsonl: SHA-256"), "\(refused.stderr)")
        #expect(!FileManager.default.fileExists(atPath: w.path("splits/demo/releases")))

        try original.write(to: URL(fileURLWithPath: train))
        let published = try w.run("publish", "splits/demo", "--version", "1.0.0", "--date", "2026-01-02")
        try #require(published.status == 0, "\(published.stderr)")
        let release = "splits/demo/releases/v1.0.0"
        for file in ["audit.html", "dropped.jsonl", "comparison/dropped.jsonl"] {
            #expect(FileManager.default.fileExists(atPath: w.path("\(release)/\(file)")), "\(file)")
        }
        let mode = try FileManager.default.attributesOfItem(atPath: w.path("\(release)/train.jsonl"))[.posixPermissions] as? Int
        #expect(mode == 0o444)
        #expect(try w.run("verify", release).status == 0)
        try FileManager.default.setAttributes([.posixPermissions: 0o664], ofItemAtPath: w.path("\(release)/test.jsonl"))
        let verify = try w.run("verify", release)
        #expect(verify.status == 1)
        #expect(verify.stderr.contains("test.jsonl: mode 0664, published 0444"), "\(verify.stderr)")
    }

    // MARK: - Exit 4

    static var isRoot: Bool { getuid() == 0 }
    /// CI must run every exit-status check; a developer's machine may lack the means for one.
    static var required: Bool {
        let env = ProcessInfo.processInfo.environment
        return env["CI"] != nil || env["HELDOUT_REQUIRE_PYTHON_CHECK"] == "1"
    }

    /// Mounts a tmpfs at `path` (root only); false when it cannot.
    static func mountTmpfs(_ path: String, options: String) -> Bool {
        guard isRoot, let p = try? Process.run(URL(fileURLWithPath: "/bin/mount"), arguments: ["-t", "tmpfs", "-o", options, "tmpfs", path]) else { return false }
        p.waitUntilExit()
        return p.terminationStatus == 0
    }

    static func unmount(_ path: String) {
        _ = try? Process.run(URL(fileURLWithPath: "/bin/umount"), arguments: [path]).waitUntilExit()
    }

    /// Makes `path` a folder nobody can write to: a read-only tmpfs as root (whom permissions do
    /// not stop), mode 0555 otherwise. Returns how to undo it.
    static func readOnlyFolder(_ path: String) throws -> () -> Void {
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        if isRoot {
            try #require(mountTmpfs(path, options: "ro,size=1m"), "cannot mount a read-only tmpfs at \(path)")
            return { unmount(path) }
        }
        try FileManager.default.setAttributes([.posixPermissions: 0o555], ofItemAtPath: path)
        return { try? FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: path) }
    }

    @Test("a read-only output folder exits 4 and names the path: publish's releases/, and build's --out")
    func readOnlyOutput() throws {
        let w = try builtDemo()
        let undo = try Self.readOnlyFolder(w.path("splits/demo/releases"))
        defer { undo() }
        let publish = try w.run("publish", "splits/demo", "--version", "1.0.0")
        #expect(publish.status == 4, "\(publish.stderr)")
        #expect(publish.stderr.contains(w.path("splits/demo/releases")), "\(publish.stderr)")

        let readOnly = w.path("ro")
        let undoOut = try Self.readOnlyFolder(readOnly)
        defer { undoOut() }
        let build = try w.run("build", "splits/demo.yaml", "--out", "ro/demo")
        #expect(build.status == 4, "\(build.stderr)")
        #expect(build.stderr.contains(readOnly), "\(build.stderr)")
    }

    @Test("a full file system exits 4 naming the path: the store, and publish's output")
    func fullDisk() throws {
        let w = try builtDemo()
        let full = w.path("full")
        try FileManager.default.createDirectory(atPath: full, withIntermediateDirectories: true)
        guard Self.mountTmpfs(full, options: "size=128k") else {
            if Self.required { Issue.record("cannot mount a small tmpfs (needs root): the full-disk check must run in CI") }
            return
        }
        defer { Self.unmount(full) }
        let store = try w.run("build", "splits/demo.yaml", "--store", "full/heldout.sqlite", "--out", "elsewhere/demo")
        #expect(store.status == 4, "\(store.stderr)")
        #expect(store.stderr.contains("full/heldout.sqlite"), "\(store.stderr)")
        Self.unmount(full)

        let releases = w.path("splits/demo/releases")
        try FileManager.default.createDirectory(atPath: releases, withIntermediateDirectories: true)
        try #require(Self.mountTmpfs(releases, options: "size=128k"))
        defer { Self.unmount(releases) }
        let publish = try w.run("publish", "splits/demo", "--version", "1.0.0")
        #expect(publish.status == 4, "\(publish.stderr)")
        #expect(publish.stderr.contains(releases), "\(publish.stderr)")
        #expect(publish.stderr.contains("no space left"), "\(publish.stderr)")
        #expect(try FileManager.default.contentsOfDirectory(atPath: releases).isEmpty, "a half-written release was left behind")
    }
}

/// Issue 14: what `rebuild` says when it cannot rebuild.
@Suite("release rebuild inputs", .serialized)
struct ReleaseRebuildTests {
    @Test("rebuild names a missing source file (exit 3); a release made step by step states the store's corpora and rebuilds")
    func missingInputs() throws {
        let w = try ReleaseCLITests().builtDemo()
        defer { ReleaseCLITests().unseal(w) }
        try #require(try w.run("publish", "splits/demo", "--version", "1.0.0", "--date", "2026-01-02").status == 0)
        try FileManager.default.moveItem(atPath: w.path("corpora/samples/fr.txt"), toPath: w.path("fr.txt.moved"))
        let missing = try w.run("rebuild", "splits/demo/releases/v1.0.0")
        #expect(missing.status == 3, "\(missing.stderr)")
        #expect(missing.stderr.contains("corpora/samples/fr.txt"), "\(missing.stderr)")
        try FileManager.default.moveItem(atPath: w.path("fr.txt.moved"), toPath: w.path("corpora/samples/fr.txt"))

        // The same spec without sources, split from the store the build left: step by step.
        let spec = try String(contentsOfFile: w.path("splits/demo.yaml"), encoding: .utf8).split(separator: "\n", omittingEmptySubsequences: false)
            .filter { !$0.hasPrefix("sources:") && !$0.hasPrefix("  - {") }
            .map { $0 == "name: demo" ? "name: steps" : String($0) }.joined(separator: "\n")
        try w.write("splits/steps.yaml", spec)
        let split = try w.run("split", "splits/steps.yaml")
        try #require(split.status == 0, "\(split.stderr)")
        try #require(try w.run("publish", "splits/steps", "--version", "1.0.0", "--date", "2026-01-02").status == 0)
        // The split states the store's corpora as its sources, so the card lists them and the
        // release rebuilds (StepByStepRebuildTests does it from bare ingest commands).
        let card = try String(contentsOfFile: w.path("splits/steps/releases/v1.0.0/README.md"), encoding: .utf8)
        #expect(card.contains("corpora/samples/fr.txt"), "the card lists the corpora from the store")
        #expect(!card.contains(w.url.path), "the card holds no absolute path of the workspace")
        let rebuild = try w.run("rebuild", "splits/steps/releases/v1.0.0")
        #expect(rebuild.status == 0, "\(rebuild.stderr)")
    }
}
