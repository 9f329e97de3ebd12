import Foundation
import Testing

/// `heldout map items` through the binary: bundles on stdin, one item line each with every
/// column and its order key; a bad line exits 3 naming it, a grammar template exits 2.
@Suite("map items (command line)")
struct MapItemsCLITests {
    static let fr = "000000000000000000000000000000a1", en = "000000000000000000000000000000b2"
    static let bundles = [
        #"{"id":"\#(fr)","lang":"fr","text":"Le vent souffle fort ce soir.","group":"\#(fr)","labels":{"tone":["neutral"]},"grade":4.5,"members":[{"id":"\#(en)","lang":"en","text":"The wind is blowing hard tonight.","grade":3.25}]}"#,
        #"{"id":"\#(en)","lang":"en","text":"The wind is blowing hard tonight.","group":"\#(fr)","grade":3.25,"domain":"weather","domain_source":"metadata","domain_confidence":1,"members":[{"id":"\#(fr)","lang":"fr","text":"Le vent souffle fort ce soir.","grade":4.5}]}"#,
    ]

    func workspace(grammar: Bool = false) throws -> Workspace {
        let w = try Workspace()
        try w.write("spec.yaml", "name: items\nsources:\n  - { path: a.tmx, format: tmx }\ntemplates: templates\naxis: category\ncolumns:\n  translation: { role: supervised }\n  tone: { role: heldout }\n")
        try w.write("templates/translation.yaml", """
            id: translation
            version: 1
            category: translation
            pairs: [fr-en]
            selector: { kind: translation }
            question: "Translate into {{translation_lang_name}}: «{{text}}»"
            answer: "{{translation}}"
            rubric: ["is written in {{translation_lang_name}} only"]
            """)
        try w.write("templates/tone.yaml", """
            id: tone
            version: 2
            category: tone
            languages: [fr]
            selector: { kind: label, label: tone }
            question: "What tone does «{{text}}» take?"
            answer: "{{value}}"
            rubric: ["names one tone"]
            """)
        if grammar {
            try w.write("templates/number.yaml", """
                id: number
                version: 1
                category: grammar
                languages: [fr]
                selector: { kind: feature, feature: Number, upos: [NOUN] }
                question: "In «{{text}}», is {{word_ref}} singular or plural?"
                answer: "{{value_name}}"
                rubric: ["answers singular or plural"]
                """)
        }
        return w
    }

    @Test("two bundles: a translation item and a label item, every column present, keyed by pass and segment")
    func items() throws {
        let w = try workspace()
        let run = try HeldoutBinary.runWithInput(["map", "items", "spec.yaml"], input: Self.bundles.joined(separator: "\n") + "\n", in: w.url)
        #expect(run.status == 0, "\(run.stderr)")
        let records = run.stdout.split(separator: "\n").compactMap { try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any] }
        #expect(records.count == 2, "\(run.stdout)")
        let columns: Set<String> = ["key", "id", "template", "template_version", "category", "lang", "pair", "question", "answer", "rubric",
                                    "target_lemma", "target_lang", "consistency_group", "grade", "domain", "domain_source",
                                    "domain_confidence", "segments"]
        for record in records { #expect(Set(record.keys) == columns, "\(record)") }
        let translation = try #require(records.first { $0["template"] as? String == "translation" })
        #expect(translation["key"] as? String == "000000:\(Self.fr):000000")
        #expect(translation["answer"] as? String == "The wind is blowing hard tonight.")
        #expect(translation["segments"] as? [String] == [Self.fr, Self.en])
        #expect(translation["pair"] as? String == "fr-en" && translation["grade"] as? Double == 4.5)
        #expect(translation["domain"] is NSNull)
        let tone = try #require(records.first { $0["template"] as? String == "tone" })
        #expect(tone["answer"] as? String == "neutral" && tone["pair"] is NSNull && tone["template_version"] as? Int == 2)
        #expect(tone["segments"] as? [String] == [Self.fr])
    }

    @Test("a line that is not a bundle exits 3 at its line; a grammar template exits 2 naming it")
    func refusals() throws {
        let w = try workspace()
        let bad = try HeldoutBinary.runWithInput(["map", "items", "spec.yaml"], input: Self.bundles.joined(separator: "\n") + "\n{\"id\": 7}\n", in: w.url)
        #expect(bad.status == 3 && bad.stderr.contains("<stdin>:3") && bad.stderr.contains("not a segment bundle"), "\(bad.stderr)")
        #expect(bad.stdout.isEmpty)
        let grammar = try workspace(grammar: true)
        let refused = try HeldoutBinary.runWithInput(["map", "items", "spec.yaml"], input: Self.bundles[0] + "\n", in: grammar.url)
        #expect(refused.status == 2 && refused.stderr.contains("template number") && refused.stderr.contains("selects feature"), "\(refused.stderr)")
    }
}
