import Foundation
import Testing
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
