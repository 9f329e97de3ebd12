import HeldoutCore

/// An evaluation gold answer as the audit looks for it (issue 13): its folded words, their
/// hash, and whether it is specific enough to leak.
///
/// Quoting "yes", "to run", "2" or "formal" in training gives nothing away: such answers are
/// everywhere. An answer is specific when it has ``AuditOptions/answerMinimumContentWords``
/// content words, or one content word of ``AuditOptions/answerMinimumCharacters`` letters.
/// A content word is a folded word of at least ``AuditOptions/answerContentWordLength``
/// characters that is not a number and not a function word of English, French, German or
/// Spanish; a word of a script written without spaces (ideographs, kana, Thai: one character a
/// word after folding) is a content word. A template's boilerplate — an answer shared by more
/// than ``AuditOptions/answerMaximumRecords`` evaluation records — is left out by the index.
struct AnswerWork: Sendable {
    var tokens: [UInt64] = []
    /// Hash of the folded words (what "the same answer" means when counting records).
    var hash: UInt64 = 0
    var specific = false

    static func compute(_ answers: [String?], options: AuditOptions) -> [AnswerWork] {
        parallelMap(answers, context: { TextFolder() }) { folder, answer in
            guard let answer else { return AnswerWork() }
            var w = AnswerWork()
            folder.tokens(answer, into: &w.tokens)
            guard !w.tokens.isEmpty else { return w }
            w.hash = Hash64.sequence(w.tokens, salt: Hash64.saltFolded)
            var scalars: [UInt32] = []
            folder.fold(answer, into: &scalars)
            w.specific = isSpecific(folded: scalars, options: options)
            return w
        }
    }

    /// `folded`: the folded scalars, words separated by one space.
    static func isSpecific(folded: [UInt32], options: AuditOptions) -> Bool {
        var content = 0
        var longest = 0
        var start = 0
        func word(_ w: ArraySlice<UInt32>) {
            guard let first = w.first else { return }
            if first >= 0x2E80 && w.count <= 2 { content += 1; return }
            guard w.count >= options.answerContentWordLength else { return }
            if w.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }) { return }
            var s = String.UnicodeScalarView()
            for c in w { if let u = Unicode.Scalar(c) { s.append(u) } }
            if functionWords.contains(String(s)) { return }
            content += 1
            longest = max(longest, w.count)
        }
        for (i, c) in folded.enumerated() where c == 0x20 {
            word(folded[start..<i])
            start = i + 1
        }
        word(folded[start...])
        return content >= options.answerMinimumContentWords || longest >= options.answerMinimumCharacters
    }

    /// Folded function words of four or more letters (shorter words never count).
    static let functionWords: Set<String> = [
        // English
        "about", "above", "after", "again", "against", "also", "although", "another", "because", "been", "before",
        "being", "below", "between", "both", "cannot", "could", "does", "doing", "done", "down", "during", "each",
        "either", "else", "even", "ever", "every", "false", "from", "further", "have", "having", "here", "into",
        "itself", "just", "many", "might", "more", "most", "much", "must", "neither", "never", "none", "null",
        "only", "other", "ought", "ours", "over", "same", "shall", "should", "some", "such", "than", "that",
        "their", "theirs", "them", "then", "there", "these", "they", "this", "those", "though", "through", "true",
        "under", "unless", "until", "upon", "very", "want", "were", "what", "when", "where", "whether", "which",
        "while", "whom", "whose", "will", "with", "within", "without", "would", "your", "yours",
        // French
        "aucun", "aucune", "aussi", "autre", "autres", "avant", "avec", "avoir", "ceci", "cela", "celle", "celles",
        "celui", "cependant", "certains", "cette", "ceux", "chaque", "chez", "comme", "comment", "dans", "depuis",
        "donc", "elle", "elles", "encore", "entre", "etaient", "etait", "etre", "faire", "leur", "leurs", "lorsque",
        "mais", "meme", "moins", "notre", "nous", "parce", "pendant", "peut", "plus", "pour", "pourquoi", "quand",
        "quel", "quelle", "quelles", "quels", "sans", "selon", "sera", "sont", "sous", "toujours", "tous", "tout",
        "toute", "toutes", "tres", "vers", "votre", "vous", "vrai", "faux",
        // German
        "aber", "alle", "allem", "allen", "aller", "alles", "auch", "auf", "bevor", "bist", "dass", "dein", "deine",
        "denn", "derer", "dessen", "diese", "diesem", "diesen", "dieser", "dieses", "doch", "dort", "durch", "eine",
        "einem", "einen", "einer", "eines", "etwas", "habe", "haben", "hatte", "hier", "ihre", "ihrem", "ihren",
        "ihrer", "immer", "jede", "jedem", "jeden", "jeder", "jedes", "kann", "kein", "keine", "keinem", "keinen",
        "meine", "mich", "muss", "nach", "nicht", "noch", "nur", "oder", "ohne", "sehr", "sein", "seine", "sich",
        "sind", "soll", "uber", "unter", "viel", "weil", "wenn", "werden", "wird", "wurde", "zwischen",
        // Spanish
        "algo", "alguno", "ante", "antes", "aquel", "cada", "como", "contra", "cual", "cuando", "desde", "donde",
        "durante", "ella", "ellas", "ellos", "entre", "esta", "estaba", "estan", "estas", "este", "esto", "estos",
        "hace", "hasta", "mientras", "mismo", "mucho", "muy", "nada", "nosotros", "nuestro", "otra", "otro",
        "para", "pero", "porque", "puede", "sido", "sobre", "solo", "tambien", "tanto", "tiene", "todo", "todos",
        "unas", "unos", "usted", "ustedes", "verdadero", "falso",
    ]
}
