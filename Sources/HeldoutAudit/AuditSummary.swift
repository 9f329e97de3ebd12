/// The text summary `heldout audit` prints on stdout.
public enum AuditSummary {
    /// The summary of `report`: verdict, leaks per rule and column pair, the isolation cost and notes.
    public static func text(_ report: AuditReport) -> String {
        var lines: [String] = []
        let records = report.inputs.map { "\($0.file) \($0.records)" }.joined(separator: ", ")
        lines.append("audited: \(records); store: \(report.storeUsed ? "yes" : "no")")
        let totals = report.totals
        lines.append("")
        lines.append(pad("rule", 20) + pad("enforced", 10) + "leaks")
        for rule in LeakRule.allCases {
            let n = totals[rule] ?? 0
            lines.append(pad(rule.rawValue, 20) + pad(report.policy.isEnforced(rule) ? "yes" : "no", 10) + "\(n)")
        }
        if !report.counts.isEmpty {
            lines.append("")
            lines.append("by column (training → evaluation):")
            for c in report.counts {
                lines.append("  \(c.trainingColumn) → \(c.evaluationColumn)  \(c.rule.rawValue)  \(c.count)\(c.enforced ? "" : " (not enforced)")")
            }
            let shown = report.leaks.prefix(10)
            lines.append("")
            lines.append(report.unlisted.isEmpty ? "first leaks (all in audit.json):"
                : "first leaks (audit.json lists the first \(report.options.maxListedLeaksPerRule) of each rule):")
            for leak in shown {
                lines.append("  [\(leak.rule.rawValue)] \(leak.evaluation.file):\(leak.evaluation.line) ← \(leak.training.file):\(leak.training.line)  \(describe(leak.evidence))")
            }
        }
        for (rule, n) in report.unlisted.sorted(by: { $0.key < $1.key }) {
            lines.append("\(rule): \(n) more leaks counted but not listed (limit per rule; `heldout audit --full` lists them all)")
        }
        for note in report.notes { lines.append("note: \(note)") }
        lines.append("")
        lines.append(report.clean
            ? "clean: no leak of an enforced rule"
            : "LEAKING: \(report.enforcedLeaks) leak(s) of enforced rules; see audit.json and audit.html")
        return lines.joined(separator: "\n")
    }

    static func describe(_ e: Evidence) -> String {
        if let n = e.ngram { return "\(e.n ?? 0)-gram \"\(AuditText.excerpt(n, limit: 80))\"" }
        if let j = e.jaccard { return "Jaccard \(j): \"\(AuditText.excerpt(e.evaluationText ?? "", limit: 60))\"" }
        if let a = e.answer { return "answer \"\(AuditText.excerpt(a, limit: 60))\"" }
        if let d = e.document {
            // Keys are `CORPUS/DOCUMENT`; `CORPUS/` is a corpus without document boundaries,
            // read as one document.
            if d.hasSuffix("/") { return "document: all of \(d.dropLast()) (a corpus read as one document)" }
            return "document \(d)"
        }
        if let l = e.lexeme { return "lexeme \(l)" }
        if let g = e.consistencyGroup { return "consistency group \(g)" }
        if let t = e.translationSegment { return "translation \(t) of \"\(AuditText.excerpt(e.evaluationText ?? "", limit: 60))\"" }
        return "\"\(AuditText.excerpt(e.evaluationText ?? e.trainingText ?? "", limit: 80))\""
    }

    private static func pad(_ s: String, _ n: Int) -> String {
        s.count >= n ? s + " " : s + String(repeating: " ", count: n - s.count)
    }
}
