import Foundation

/// `audit.html`: one self-contained page (inline CSS and SVG; no script, no network) that a
/// reviewer can open from a release: verdict, column × column heat map, rule counts,
/// reading-level and domain histograms per column and partition, the isolation cost, and
/// examples of each kind of leak. Every text from the data is HTML-escaped, and the page is
/// also well-formed XML (void elements self-closed), so tests can parse it.
public enum AuditHTML {
    public static func render(_ report: AuditReport) -> String {
        var h = """
        <!DOCTYPE html>
        <html lang="en" xmlns="http://www.w3.org/1999/xhtml"><head><meta charset="utf-8"/>
        <meta name="viewport" content="width=device-width, initial-scale=1"/>
        <title>heldout audit</title>
        <style>
        body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;margin:24px auto;max-width:1100px;color:#1d2433;padding:0 16px}
        h1{font-size:22px;margin:0 0 4px}h2{font-size:17px;margin:28px 0 8px;border-bottom:1px solid #dde3ea;padding-bottom:4px}
        h3{font-size:14px;margin:16px 0 6px}
        .verdict{display:inline-block;padding:6px 12px;border-radius:6px;font-weight:600;margin:8px 0}
        .clean{background:#e3f6e8;color:#14532d}.leaking{background:#fde8e8;color:#7f1d1d}
        table{border-collapse:collapse;margin:6px 0}td,th{border:1px solid #dde3ea;padding:3px 8px;text-align:left;vertical-align:top}
        th{background:#f3f5f8}td.n{text-align:right;font-variant-numeric:tabular-nums}
        .muted{color:#6b7280}.ex{border:1px solid #dde3ea;border-radius:6px;padding:8px 10px;margin:8px 0;background:#fafbfc}
        .ex .side{display:grid;grid-template-columns:110px 1fr;gap:2px 10px}
        .ex code{font-size:12px}svg text{font-family:inherit}
        .hists{display:flex;flex-wrap:wrap;gap:18px}
        </style></head><body>
        <h1>heldout audit</h1>

        """
        let verdict = report.clean ? "Clean: no leak of an enforced rule" : "Leaking: \(report.enforcedLeaks) leak(s) of enforced rules"
        h += "<div class=\"verdict \(report.clean ? "clean" : "leaking")\">\(escape(verdict))</div>\n"
        h += "<p class=\"muted\">Inputs: " + escape(report.inputs.map { "\($0.file) (\($0.side), \($0.records) records)" }.joined(separator: "; "))
        h += ". Store: \(report.storeUsed ? "yes" : "no"). Near-duplicate threshold: \(report.options.nearDuplicateThreshold ?? 0.8); n-grams: \(report.options.minimumNgramSize)–\(report.options.ngramSize) words.</p>\n"
        for note in report.notes { h += "<p class=\"muted\">Note: \(escape(note))</p>\n" }

        h += "<h2>Leaks by column</h2>\n"
        h += heatMap(report)
        h += "<h2>Leaks by rule</h2>\n<table><tr><th>rule</th><th>meaning</th><th>enforced</th><th>leaks</th></tr>\n"
        let totals = report.totals
        for rule in LeakRule.allCases {
            h += "<tr><td><code>\(rule.rawValue)</code></td><td>\(escape(rule.summary))</td><td>\(report.policy.isEnforced(rule) ? "yes" : "no")</td><td class=\"n\">\(totals[rule] ?? 0)</td></tr>\n"
        }
        h += "</table>\n"

        h += "<h2>Shares against the spec</h2>\n"
        if case let .array(rows)? = report.quotas?["rows"] {
            h += "<table><tr><th>column</th><th>role</th><th>partition</th><th>target share</th><th>items</th><th>share</th><th>met</th></tr>\n"
            for row in rows {
                func text(_ key: String) -> String {
                    switch row[key] {
                    case let .string(v)?: v
                    case let .number(v)?: key == "items" ? String(Int(v)) : String(format: "%.1f%%", v * 100)
                    case let .bool(v)?: v ? "yes" : "<strong>NO</strong>"
                    default: ""
                    }
                }
                h += "<tr><td>\(escape(text("column")))</td><td>\(escape(text("role")))</td><td>\(escape(text("partition")))</td>"
                h += "<td class=\"n\">\(text("target"))</td><td class=\"n\">\(text("items"))</td><td class=\"n\">\(text("share"))</td><td>\(text("met"))</td></tr>\n"
            }
            h += "</table>\n"
            if case .bool(true)? = report.quotas?["accepted_short"] {
                h += "<p><strong>Accepted short:</strong> the spec allowed this split although some shares are not met.</p>\n"
            }
        } else {
            h += "<p class=\"muted\">No manifest.json with quotas in this directory.</p>\n"
        }

        h += "<h2>Left out</h2>\n"
        if case let .object(columns)? = report.dropped, !columns.isEmpty {
            var reasons: Set<String> = []
            for case let .object(byReason) in columns.values { reasons.formUnion(byReason.keys) }
            let ordered = reasons.sorted()
            h += "<table><tr><th>column</th>" + ordered.map { "<th>\(escape($0))</th>" }.joined() + "</tr>\n"
            for column in columns.keys.sorted() {
                h += "<tr><td>\(escape(column))</td>"
                for reason in ordered {
                    var n = 0
                    if case let .number(v)? = columns[column]?[reason] { n = Int(v) }
                    h += "<td class=\"n\">\(n)</td>"
                }
                h += "</tr>\n"
            }
            h += "</table>\n<p class=\"muted\">Each item is listed in <code>dropped.jsonl</code> with its reason and, for isolation, the link and the kept item on the other side.</p>\n"
        } else {
            h += "<p class=\"muted\">Nothing left out, or no manifest.json.</p>\n"
        }

        h += "<h2>Isolation cost</h2>\n"
        if case let .object(byColumn)? = report.isolationCost?["by_column"] {
            // Column × link: how many items each link cost each column.
            var links: Set<String> = []
            for case let .object(entry) in byColumn.values { if case let .object(l)? = entry["by_link"] { links.formUnion(l.keys) } }
            let ordered = links.sorted()
            h += "<table><tr><th>column</th><th>dropped</th>" + ordered.map { "<th>\(escape($0))</th>" }.joined() + "<th>through dropped items</th></tr>\n"
            for column in byColumn.keys.sorted() {
                func number(_ v: JSONValue?) -> Int { if case let .number(n)? = v { return Int(n) } else { return 0 } }
                let entry = byColumn[column]
                h += "<tr><td>\(escape(column))</td><td class=\"n\">\(number(entry?["total"]))</td>"
                for link in ordered { h += "<td class=\"n\">\(number(entry?["by_link"]?[link]))</td>" }
                h += "<td class=\"n\">\(number(entry?["indirect"]))</td></tr>\n"
            }
            h += "</table>\n"
        } else if let cost = report.isolationCost {
            h += "<table><tr><th>item</th><th>value</th></tr>\n"
            for (key, value) in flatten(cost, prefix: "") {
                h += "<tr><td>\(escape(key))</td><td class=\"n\">\(escape(value))</td></tr>\n"
            }
            h += "</table>\n"
        } else {
            h += "<p class=\"muted\">No manifest.json with an isolation_cost in this directory.</p>\n"
        }

        for field in ["band", "domain"] {
            h += "<h2>\(field == "band" ? "Reading level (band)" : "Domain") per column and partition</h2>\n<div class=\"hists\">\n"
            let hs = report.histograms.filter { $0.field == field }
            for column in Set(hs.map(\.column)).sorted() {
                h += histogram(column: column, hs.filter { $0.column == column })
            }
            h += "</div>\n"
        }

        h += "<h2>Examples of each kind of leak</h2>\n"
        var any = false
        for rule in LeakRule.allCases {
            let examples = report.leaks.filter { $0.rule == rule }.prefix(5)
            guard !examples.isEmpty else { continue }
            any = true
            h += "<h3><code>\(rule.rawValue)</code>: \(escape(rule.summary)) (\(totals[rule] ?? 0))</h3>\n"
            for leak in examples { h += example(leak) }
        }
        if !any { h += "<p class=\"muted\">No leaks.</p>\n" }
        h += "</body></html>\n"
        return h
    }

    static func escape(_ s: String) -> String {
        var out = ""
        out.reserveCapacity(s.utf8.count)
        for c in s.unicodeScalars {
            switch c {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&#39;"
            default: out.unicodeScalars.append(c)
            }
        }
        return out
    }

    /// Training columns down, evaluation columns across; a cell's shade grows with the log of
    /// its leak count. Each cell carries `data-training`, `data-evaluation` and `data-count`.
    static func heatMap(_ report: AuditReport) -> String {
        var rows = Set(report.histograms.filter { $0.partition == "train" }.map(\.column))
        var cols = Set(report.histograms.filter { $0.partition != "train" }.map(\.column))
        var cell: [String: [String: (total: Int, enforced: Int, rules: [String])]] = [:]
        for c in report.counts {
            rows.insert(c.trainingColumn)
            cols.insert(c.evaluationColumn)
            var v = cell[c.trainingColumn, default: [:]][c.evaluationColumn] ?? (0, 0, [])
            v.total += c.count
            if c.enforced { v.enforced += c.count }
            v.rules.append("\(c.rule.rawValue) \(c.count)")
            cell[c.trainingColumn, default: [:]][c.evaluationColumn] = v
        }
        let r = rows.sorted(), k = cols.sorted()
        guard !r.isEmpty, !k.isEmpty else { return "<p class=\"muted\">No columns.</p>\n" }
        let maxCount = cell.values.flatMap(\.values).map(\.total).max() ?? 0
        let left = 170, top = 110, w = 96, hgt = 34
        let width = left + w * k.count + 10, height = top + hgt * r.count + 30
        var s = "<svg class=\"heatmap\" xmlns=\"http://www.w3.org/2000/svg\" width=\"\(width)\" height=\"\(height)\" viewBox=\"0 0 \(width) \(height)\" role=\"img\" aria-label=\"leaks per training and evaluation column\">\n"
        s += "<text x=\"\(left)\" y=\"14\" font-size=\"12\" fill=\"#6b7280\">evaluation column →</text>\n"
        s += "<text x=\"4\" y=\"\(top - 8)\" font-size=\"12\" fill=\"#6b7280\">training column ↓</text>\n"
        for (j, col) in k.enumerated() {
            let x = left + j * w + w / 2
            s += "<text x=\"\(x)\" y=\"\(top - 8)\" font-size=\"12\" text-anchor=\"start\" transform=\"rotate(-35 \(x) \(top - 8))\">\(escape(clip(col)))</text>\n"
        }
        for (i, row) in r.enumerated() {
            let y = top + i * hgt
            s += "<text x=\"\(left - 6)\" y=\"\(y + hgt / 2 + 4)\" font-size=\"12\" text-anchor=\"end\">\(escape(clip(row)))</text>\n"
            for (j, col) in k.enumerated() {
                let x = left + j * w
                let v = cell[row]?[col] ?? (0, 0, [])
                let fill: String
                if v.total == 0 {
                    fill = "#eef7f0"
                } else {
                    let t = maxCount <= 1 ? 1.0 : log(Double(v.total) + 1) / log(Double(maxCount) + 1)
                    let light = Int(92 - 50 * t)
                    fill = v.enforced > 0 ? "hsl(0,75%,\(light)%)" : "hsl(40,80%,\(light)%)"
                }
                let title = v.total == 0 ? "\(row) → \(col): no leaks" : "\(row) → \(col): \(v.rules.joined(separator: ", "))"
                s += "<g class=\"cell\" data-training=\"\(escape(row))\" data-evaluation=\"\(escape(col))\" data-count=\"\(v.total)\">"
                s += "<title>\(escape(title))</title>"
                s += "<rect x=\"\(x + 1)\" y=\"\(y + 1)\" width=\"\(w - 2)\" height=\"\(hgt - 2)\" rx=\"3\" fill=\"\(fill)\"/>"
                s += "<text x=\"\(x + w / 2)\" y=\"\(y + hgt / 2 + 4)\" font-size=\"13\" text-anchor=\"middle\">\(v.total)</text></g>\n"
            }
        }
        s += "</svg>\n"
        return s
    }

    /// Horizontal bars: one group per value, one bar per partition (train, dev, test, …).
    /// Each partition's bars are scaled to its own largest value, so a 10× larger training
    /// side does not flatten dev and test: the shapes compare, the numbers give the sizes.
    static func histogram(column: String, _ hs: [Histogram]) -> String {
        let partitions = hs.map(\.partition)
        let values = Set(hs.flatMap { $0.counts.keys }).sorted()
        let colors = ["train": "#4e79a7", "dev": "#f28e2b", "test": "#59a14f"]
        let label = 90, barMax = 180, bar = 10
        let groupHeight = bar * partitions.count + 6
        let width = label + barMax + 50, height = 40 + groupHeight * values.count + 20
        var s = "<svg class=\"histogram\" xmlns=\"http://www.w3.org/2000/svg\" width=\"\(width)\" height=\"\(height)\" viewBox=\"0 0 \(width) \(height)\" role=\"img\" aria-label=\"\(escape(column))\">\n"
        s += "<text x=\"0\" y=\"14\" font-size=\"13\" font-weight=\"600\">\(escape(clip(column)))</text>\n"
        for (p, partition) in partitions.enumerated() {
            let x = p * 70
            s += "<rect x=\"\(x)\" y=\"22\" width=\"10\" height=\"10\" fill=\"\(colors[partition] ?? "#9c755f")\"/><text x=\"\(x + 14)\" y=\"31\" font-size=\"11\">\(escape(partition))</text>\n"
        }
        for (v, value) in values.enumerated() {
            let y = 40 + v * groupHeight
            s += "<text x=\"\(label - 4)\" y=\"\(y + groupHeight / 2 + 2)\" font-size=\"11\" text-anchor=\"end\">\(escape(clip(value, 14)))</text>\n"
            for (p, hist) in hs.enumerated() {
                let n = hist.counts[value] ?? 0
                let maxCount = hist.counts.values.max() ?? 0
                let len = maxCount == 0 ? 0 : max(n > 0 ? 1 : 0, barMax * n / maxCount)
                s += "<rect x=\"\(label)\" y=\"\(y + p * bar)\" width=\"\(len)\" height=\"\(bar - 1)\" fill=\"\(colors[hist.partition] ?? "#9c755f")\"><title>\(escape("\(column) \(hist.partition) \(value): \(n)"))</title></rect>"
                s += "<text x=\"\(label + len + 3)\" y=\"\(y + p * bar + bar - 2)\" font-size=\"9\" fill=\"#6b7280\">\(n)</text>\n"
            }
        }
        s += "</svg>\n"
        return s
    }

    static func example(_ leak: Leak) -> String {
        func side(_ title: String, _ ref: RecordRef, _ text: String?) -> String {
            var s = "<div class=\"side\"><b>\(title)</b><span><code>\(escape(ref.file)):\(ref.line)</code> · column <b>\(escape(ref.column))</b> · \(escape(ref.partition))"
            if let id = ref.record?.id, !id.isEmpty { s += " · <code>\(escape(id))</code>" }
            s += "</span>"
            if let text { s += "<span></span><span>\(escape(AuditText.excerpt(text)))</span>" }
            return s + "</div>"
        }
        let e = leak.evidence
        var s = "<div class=\"ex\">"
        s += side("evaluation", leak.evaluation, e.evaluationText ?? leak.evaluation.record?.source?.text ?? leak.evaluation.record?.question)
        s += side("training", leak.training, e.trainingText ?? leak.training.text ?? leak.training.record?.source?.text ?? leak.training.record?.question)
        s += "<div class=\"muted\">\(escape(AuditSummary.describe(e)))\(leak.enforced ? "" : " (not enforced)")</div></div>\n"
        return s
    }

    static func flatten(_ v: JSONValue, prefix: String) -> [(String, String)] {
        switch v {
        case let .object(o):
            return o.keys.sorted().flatMap { k in flatten(o[k] ?? .null, prefix: prefix.isEmpty ? k : prefix + "." + k) }
        case let .array(a):
            return a.enumerated().flatMap { flatten($0.element, prefix: "\(prefix)[\($0.offset)]") }
        case let .number(d):
            return [(prefix, d == d.rounded() && abs(d) < 1e15 ? String(Int64(d)) : String(d))]
        case let .string(s): return [(prefix, s)]
        case let .bool(b): return [(prefix, b ? "true" : "false")]
        case .null: return [(prefix, "null")]
        }
    }

    static func clip(_ s: String, _ n: Int = 22) -> String { s.count <= n ? s : String(s.prefix(n - 1)) + "…" }
}
