/// How a question points at one word of its sentence: by the word itself when its form occurs
/// once, or as "the 2nd «le»" when it occurs more than once (occurrences counted as a reader
/// counts the tokens of the text, case aside), so that one question text has one right answer.
public enum GrammarReference {
    /// 1-based occurrence of surface token `surfaceIndex` among the tokens of the same form, and
    /// how many there are.
    public static func occurrence(of surfaceIndex: Int, in sentence: AnalysedSentence) -> (nth: Int, of: Int) {
        let form = sentence.surface[surfaceIndex].form.lowercased()
        var nth = 0, count = 0
        for (i, token) in sentence.surface.enumerated() where token.form.lowercased() == form {
            count += 1
            if i <= surfaceIndex { nth = count }
        }
        return (nth, count)
    }

    /// `«le»`, or `the 2nd «le»` when the form is not unique in the sentence.
    public static func word(_ index: Int, in sentence: AnalysedSentence) -> String {
        guard let surfaceIndex = surfaceIndex(of: index, in: sentence) else { return "«\(sentence.word(index)?.form ?? "")»" }
        let form = sentence.surface[surfaceIndex].form
        let (nth, count) = occurrence(of: surfaceIndex, in: sentence)
        return count > 1 ? "the \(ordinal(nth)) «\(form)»" : "«\(form)»"
    }

    /// A verb group as written: `«a été perdue»` (words apart joined by `…`), followed by
    /// `(from the 2nd «a»)` when its first word's form occurs more than once.
    public static func group(_ words: [Int], in sentence: AnalysedSentence) -> (text: String, reference: String) {
        let surfaceIndices = words.compactMap { surfaceIndex(of: $0, in: sentence) }
        var text = ""
        var last: Int?
        for s in surfaceIndices {
            if let last { text += s == last + 1 ? " " : " … " }
            text += sentence.surface[s].form
            last = s
        }
        guard let first = surfaceIndices.first else { return (text, "«\(text)»") }
        let (nth, count) = occurrence(of: first, in: sentence)
        let reference = count > 1 ? "«\(text)» (from the \(ordinal(nth)) «\(sentence.surface[first].form)»)" : "«\(text)»"
        return (text, reference)
    }

    /// The word's place as a reader counts: surface tokens, punctuation left out, from 1.
    public static func position(of index: Int, in sentence: AnalysedSentence) -> Int? {
        guard let surfaceIndex = surfaceIndex(of: index, in: sentence) else { return nil }
        var position = 0
        for token in sentence.surface[...surfaceIndex] where token.form.contains(where: { $0.isLetter || $0.isNumber }) {
            position += 1
        }
        return position
    }

    static func surfaceIndex(of index: Int, in sentence: AnalysedSentence) -> Int? {
        guard index >= 1, index <= sentence.surfaceOfWord.count else { return nil }
        let s = sentence.surfaceOfWord[index - 1]
        return s >= 0 ? s : nil
    }

    /// 1st, 2nd, 3rd, 4th … 11th, 12th, 13th, 21st.
    public static func ordinal(_ n: Int) -> String {
        let tens = (n / 10) % 10, units = n % 10
        let suffix = tens == 1 ? "th" : units == 1 ? "st" : units == 2 ? "nd" : units == 3 ? "rd" : "th"
        return "\(n)\(suffix)"
    }
}
