import Foundation
import Testing
import HeldoutCore
import HeldoutIngest
import HeldoutQuestions
import HeldoutStore

@Suite("templates")
struct TemplateTests {
    func badInput(_ yaml: String) -> (line: Int?, column: Int?, message: String)? {
        guard let error = heldoutError({ _ = try template(yaml, file: "t.yaml") }) else { return nil }
        guard error.exitCode == 3, let location = error.location, location.file == "t.yaml" else { return nil }
        return (location.line, location.column, error.message)
    }

    @Test("an unknown variable is refused at its line and column, naming what the selector binds")
    func unknownVariable() throws {
        let error = try #require(badInput("""
            id: t
            version: 1
            category: tone
            languages: [fr]
            selector: { kind: label, label: tone }
            question: |
              Tone of this sentence?
              «{{sentence}}»
            rubric: [x]
            """))
        #expect(error.line == 8)
        #expect(error.message.contains("unknown variable {{sentence}}"))
        #expect(error.message.contains("text"))
        let inRubric = try #require(badInput("""
            id: t
            version: 1
            category: tone
            languages: [fr]
            selector: { kind: label, label: tone }
            question: "{{text}}"
            rubric:
              - "names the {{lemma}}"
            """))
        #expect(inRubric.line == 8)
        #expect(inRubric.column == 16) // `  - "names the {{lemma}}"`: the tag starts at column 16
    }

    @Test("missing and unknown fields")
    func fields() throws {
        let missing = try #require(badInput("id: t\nversion: 1\ncategory: tone\nlanguages: [fr]\nselector: { kind: label, label: tone }\nrubric: [x]\n"))
        #expect(missing.message.contains("missing field question"))
        let noRubric = try #require(badInput("id: t\nversion: 1\ncategory: tone\nlanguages: [fr]\nselector: { kind: label, label: tone }\nquestion: q\n"))
        #expect(noRubric.message.contains("missing field rubric"))
        let typo = try #require(badInput("id: t\nversion: 1\ncategory: tone\nlanguages: [fr]\nselector: { kind: label, label: tone }\nquestoin: q\nrubric: [x]\n"))
        #expect(typo.line == 6)
        #expect(typo.message.contains("unknown field questoin"))
        let kind = try #require(badInput("id: t\nversion: 1\ncategory: tone\nlanguages: [fr]\nselector: { kind: sentence }\nquestion: q\nrubric: [x]\n"))
        #expect(kind.line == 5)
        let version = try #require(badInput("id: t\nversion: one\ncategory: tone\nlanguages: [fr]\nselector: { kind: word }\nquestion: q\nrubric: [x]\n"))
        #expect(version.line == 2)
        let noLabel = try #require(badInput("id: t\nversion: 1\ncategory: c\nlanguages: [fr]\nselector: { kind: label }\nquestion: q\nrubric: [x]\n"))
        #expect(noLabel.message.contains("selector.label"))
    }

    @Test("malformed Mustache and malformed YAML point at their line")
    func malformed() throws {
        let mustache = try #require(badInput("""
            id: t
            version: 1
            category: tone
            languages: [fr]
            selector: { kind: label, label: tone }
            question: |
              Tone?
              {{#text}} unclosed
            rubric: [x]
            """))
        #expect(mustache.message.contains("malformed Mustache"))
        #expect(mustache.line == 8) // where the section opens
        #expect(mustache.column == 1)
        let closeMismatch = try #require(badInput("id: t\nversion: 1\ncategory: tone\nlanguages: [fr]\nselector: { kind: label, label: tone }\nquestion: \"{{#text}}x{{/value}}\"\nrubric: [x]\n"))
        #expect(closeMismatch.line == 6)
        let yaml = try #require(badInput("id: t\nversion: 1\nquestion: [unclosed\nrubric: x\n"))
        #expect(yaml.message.contains("malformed YAML"))
    }

    @Test("a question that renders empty: exit 3 at the question's line, and nothing is stored")
    func emptyQuestion() throws {
        let t = try TempStore()
        try t.ingest([Fixtures.path("fr-tone.tsv")], format: .labels, options: options(lang: "fr", labels: ["tone": ""]))
        _ = try build(t.store, [try template(toneSource)])
        let before = try t.items()
        #expect(before.count == 3)
        let empty = try template("""
            id: empty
            version: 1
            category: tone
            languages: [fr]
            selector: { kind: label, label: tone }
            question: "{{^text}}never{{/text}}"
            rubric: [x]
            """, file: "empty.yaml")
        let changed = try template(toneSource.replacingOccurrences(of: "Tone of", with: "The tone of"))
        let error = try #require(heldoutError { _ = try build(t.store, [changed, empty]) })
        #expect(error.exitCode == 3)
        #expect(error.location?.file == "empty.yaml")
        #expect(error.location?.line == 6)
        #expect(try t.items() == before) // the earlier template's new items were rolled back too
    }

    @Test("a directory of templates: sorted, unique ids; the shipped templates all load")
    func directory() throws {
        let shipped = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("templates").path
        let templates = try TemplateLoader.load(directory: shipped)
        let perCategory = Dictionary(grouping: templates, by: \.category).mapValues(\.count)
        #expect(perCategory["definition", default: 0] >= 3)
        #expect(perCategory["grammar", default: 0] >= 3)
        #expect(perCategory["tone", default: 0] >= 3)
        let t = try TempStore()
        try t.write("templates/a.yaml", toneSource)
        try t.write("templates/b.yaml", toneSource)
        let error = heldoutError { _ = try TemplateLoader.load(directory: t.directory.appendingPathComponent("templates").path) }
        #expect(error?.exitCode == 3)
        #expect(error?.message.contains("also used by") == true)
    }

    @Test("grade and domain come from the annotator hook")
    func annotator() throws {
        struct Fixed: SegmentAnnotator {
            func annotation(for segment: ContentID, session: ItemSession) throws -> SegmentAnnotation {
                SegmentAnnotation(grade: 7.5, domain: "dialogue")
            }
        }
        let t = try TempStore()
        try t.ingest([Fixtures.path("fr-tone.tsv")], format: .labels, options: options(lang: "fr", labels: ["tone": ""]))
        _ = try build(t.store, [try template(toneSource)], annotator: Fixed())
        #expect(try t.items().allSatisfy { $0.grade == 7.5 && $0.domain == "dialogue" })
        _ = try build(t.store, [try template(toneSource)])
        #expect(try t.items().allSatisfy { $0.grade == nil && $0.domain == nil })
        #expect(try t.store.itemBreakdown().map(\.items) == [3])
    }
}
