import Foundation
import Testing

/// Issue 14: a release made step by step (ingest, grade, questions, split, publish) states its
/// sources and templates in spec.yaml, from what the store recorded, and rebuilds to the byte.
@Suite("a step-by-step release", .serialized)
struct StepByStepRebuildTests {
    @Test("made with ingest, grade, questions and split, it rebuilds byte for byte")
    func rebuilds() throws {
        let w = try BuildTests().demoWorkspace()
        let steps: [[String]] = [
            ["ingest", "corpora/samples/en-fr.tmx"],
            ["ingest", "corpora/samples/en-fr.xliff"],
            ["ingest", "corpora/samples/en-de.en", "corpora/samples/en-de.de", "--pair", "en-de"],
            ["ingest", "corpora/samples/fr.txt", "--lang", "fr"],
            ["ingest", "corpora/samples/fr-en.glossary.tsv", "--format", "glossary", "--pair", "fr-en"],
            ["ingest", "corpora/samples/fr.conllu", "--lang", "fr"],
            ["ingest", "corpora/samples/fr-tone.tsv", "--format", "labels", "--lang", "fr", "--label", "tone"],
            ["grade"],
            ["questions", "--templates", "templates"],
        ]
        for step in steps {
            let result = try HeldoutBinary.run(step, in: w.url)
            #expect(result.status == 0, "\(step): \(result.stderr)")
        }
        // The demo's spec without its sources and templates: the store knows them.
        var text = try String(contentsOfFile: w.path("splits/demo.yaml"), encoding: .utf8)
        text = text.split(separator: "\n", omittingEmptySubsequences: false)
            .filter { !$0.hasPrefix("sources:") && !$0.hasPrefix("  - {") && !$0.hasPrefix("templates:") }
            .joined(separator: "\n")
            .replacingOccurrences(of: "name: demo", with: "name: steps")
        try text.write(toFile: w.path("splits/steps.yaml"), atomically: true, encoding: .utf8)
        let split = try w.run("split", "splits/steps.yaml")
        #expect(split.status == 0, "\(split.stderr)")
        let stated = try String(contentsOfFile: w.path("splits/steps/spec.yaml"), encoding: .utf8)
        #expect(stated.contains("corpora/samples/fr-tone.tsv") && stated.contains("label: \"tone\"") && stated.contains("templates: \"../templates\"") && stated.contains("base: \"..\""))
        let published = try w.run("publish", "splits/steps", "--version", "1.0.0", "--date", "2026-01-01")
        #expect(published.status == 0, "\(published.stderr)")
        let rebuilt = try w.run("rebuild", "splits/steps/releases/v1.0.0")
        #expect(rebuilt.status == 0, "\(rebuilt.stderr)")
        #expect(rebuilt.stdout.contains("byte-identical"))
    }
}
