import Foundation
import Testing
import Mustache
@testable import HeldoutQuestions

/// The questions stage trims rendered text without Foundation (speed): it must trim exactly what
/// `trimmingCharacters(in: .whitespacesAndNewlines)` trims, or stored items would change.
@Suite("render trimming")
struct RenderTrimTests {
    @Test("trims what Foundation trims, at both ends, and nothing inside")
    func sameAsFoundation() {
        let spaces = [" ", "\n", "\t", "\r\n", "\u{0B}", "\u{0C}", "\u{85}", "\u{A0}", "\u{1680}", "\u{2003}", "\u{200A}",
                      "\u{2028}", "\u{2029}", "\u{202F}", "\u{205F}", "\u{3000}"]
        let kept = ["\u{200B}", "\u{FEFF}", "\u{301}", "«", "é", "🙂", "x", "\u{7F}"]
        var samples = ["", "plain", "In the sentence «Il pleut.», which word?\n", "  two  words  ", "\n\n"]
        for space in spaces {
            for inner in kept {
                samples.append(space + inner + " mid " + inner + space)
                samples.append(inner + space)
                samples.append(space + space + inner)
            }
            samples.append(space)
        }
        // Every scalar of the Basic Multilingual Plane, at each end.
        for value in 0...0xFFFF {
            guard let scalar = Unicode.Scalar(value) else { continue }
            samples.append(String(scalar) + "a")
            samples.append("a" + String(scalar))
        }
        for text in samples {
            #expect(BuildContext.trimmed(text) == text.trimmingCharacters(in: .whitespacesAndNewlines),
                    "\(text.unicodeScalars.map { String($0.value, radix: 16) })")
        }
    }
}

/// Bodies rendered without Mustache (constants, plain substitution) must render as Mustache does,
/// also after the first renderings that are checked against it.
@Suite("render plans")
struct RenderPlanTests {
    func body(_ source: String) throws -> Template.Body {
        Template.Body(source: source, template: try MustacheTemplate(string: "{{%CONTENT_TYPE:TEXT}}" + source), line: 1, column: 1)
    }

    @Test("every kind of body renders as Mustache renders it, past the checked renderings")
    func sameAsMustache() throws {
        let sources = [
            "names one tense", "In «{{text}}», what is {{ word_ref }}?\n", "{{value_name}} ({{features}}).",
            "tense:{{lang}}:{{lemma}}:{{value_name}}", "{{#in_context}}in context{{/in_context}}{{^in_context}}alone{{/in_context}}",
            "{{{text}}} & {{&word}}", "{{senses.0}}", "{{missing}} stays empty", "a }} b {{word}}", "{{flag}} is a flag",
            "'quotes' \"and\" <angles> & ampersands: {{text}}",
        ]
        let plans = RenderPlans()
        for source in sources {
            let b = try body(source)
            for i in 0..<(RenderPlans.checks + 20) {
                let bindings: [String: Any] = [
                    "text": "Le «chat» <dort> & rêve \(i)", "word_ref": "«chat» (the \(i % 3 + 1)th word)", "word": "l'été",
                    "value_name": "présent", "features": "Tense=Pres", "lang": "fr", "lemma": i % 2 == 0 ? "être" : "avoir",
                    "in_context": i % 2 == 0, "senses": ["one", "two"], "flag": i % 3 == 0,
                ]
                #expect(plans.render(b, bindings) == b.template.render(bindings), "\(source) #\(i)")
            }
        }
    }
}
