import Foundation
import HeldoutCore

/// `audit.html`: one self-contained page (inline CSS and SVG; no script, no network) that a
/// reviewer can open from a release: verdict, column × column heat map, rule counts,
/// reading-level and domain histograms per column and partition, the isolation cost, and
/// examples of each kind of leak. Every text from the data is HTML-escaped, and the page is
/// also well-formed XML (void elements self-closed), so tests can parse it.
public enum AuditHTML {
    /// Partition colours of every chart, and what the legend says of them.
    static let partitionColors = ["train": "#4e79a7", "dev": "#f28e2b", "test": "#59a14f"]

    /// The page for `report`, as one string of XHTML-compatible HTML.
    public static func render(_ report: AuditReport) -> String {
        let facts = report.split
        let title = facts?.name.map { "heldout audit: \($0)" } ?? "heldout audit"
        var h = """
        <!DOCTYPE html>
        <html lang="en" xmlns="http://www.w3.org/1999/xhtml"><head><meta charset="utf-8"/>
        <meta name="viewport" content="width=device-width, initial-scale=1"/>
        <title>\(escape(title))</title>
        <style>
        body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;margin:20px auto;max-width:1100px;color:#1d2433;padding:0 16px}
        h1{font-size:22px;margin:0 0 4px}h2{font-size:17px;margin:28px 0 8px;border-bottom:1px solid #dde3ea;padding-bottom:4px}
        h3{font-size:14px;margin:16px 0 6px}
        .verdict{display:inline-block;padding:6px 12px;border-radius:6px;font-weight:600;margin:6px 0}
        .clean{background:#e3f6e8;color:#14532d}.leaking{background:#fde8e8;color:#7f1d1d}
        table{border-collapse:collapse;margin:6px 0}td,th{border:1px solid #dde3ea;padding:3px 8px;text-align:left;vertical-align:top}
        th{background:#f3f5f8}td.n{text-align:right;font-variant-numeric:tabular-nums}td.z{color:#b6bec8}
        td.short{background:#fde8e8;color:#7f1d1d;font-weight:600}td.met{background:#f3faf5}
        .first{display:grid;grid-template-columns:minmax(300px,420px) 1fr;gap:8px 28px;align-items:start}
        .facts th{width:110px}.facts td code{word-break:break-all}
        .muted{color:#6b7280}.ex{border:1px solid #dde3ea;border-radius:6px;padding:8px 10px;margin:8px 0;background:#fafbfc}
        .ex .side{display:grid;grid-template-columns:110px 1fr;gap:2px 10px}
        .ex code{font-size:12px}svg text{font-family:inherit}
        .hists{display:flex;flex-wrap:wrap;gap:18px}
        .legend{display:flex;flex-wrap:wrap;gap:6px 18px;margin:6px 0;font-size:13px}
        .sw{display:inline-block;width:12px;height:12px;border-radius:2px;margin-right:5px;vertical-align:-1px;border:1px solid #c9d1db}
        details{margin:6px 0}summary{cursor:pointer;color:#1f4e8c}
        </style></head><body>

        """
        h += "<h1>\(escape(title))</h1>\n"
        let verdict = report.clean ? "Clean: no leak of an enforced rule" : "Leaking: \(report.enforcedLeaks) leak(s) of enforced rules"
        let unenforced = report.counts.filter { !$0.enforced }.reduce(0) { $0 + $1.count }
        h += "<div id=\"verdict\" class=\"verdict \(report.clean ? "clean" : "leaking")\" data-clean=\"\(report.clean)\" data-enforced-leaks=\"\(report.enforcedLeaks)\">\(escape(verdict))</div>"
        if unenforced > 0 { h += " <span class=\"muted\">and \(unenforced) finding(s) of rules this split does not enforce (orange below)</span>" }
        h += "\n<div class=\"first\">\n" + factsTable(report) + "<div>\n<h2 style=\"margin-top:0\">Items per column and partition against the spec</h2>\n" + quotaTable(report) + "</div>\n</div>\n"
        for note in report.notes { h += "<p class=\"muted\">Note: \(escape(note))</p>\n" }

        h += "<h2>Colours</h2>\n" + legend(report)

        h += "<h2>Leaks by column</h2>\n"
        h += heatMap(report)
        h += "<h2>Leaks by rule</h2>\n<table id=\"rules\"><tr><th>rule</th><th>meaning</th><th>enforced</th><th>leaks</th></tr>\n"
        let totals = report.totals
        for rule in LeakRule.allCases {
            h += "<tr><td><code>\(rule.rawValue)</code></td><td>\(escape(rule.summary))</td><td>\(report.policy.isEnforced(rule) ? "yes" : "no")</td><td class=\"n\">\(totals[rule] ?? 0)</td></tr>\n"
        }
        h += "</table>\n"

        h += "<h2>How close evaluation comes to training</h2>\n" + nearestSection(report)
        h += "<h3>n-gram overlap</h3>\n" + ngramSection(report)

        h += "<h2>Shares against the spec</h2>\n"
        if let quotas = report.quotas {
            h += "<details><summary>The rows of <code>manifest.json</code> <code>quotas</code> (summarised in the first table)</summary>\n<table><tr><th>column</th><th>role</th><th>partition</th><th>target share</th><th>items</th><th>share</th><th>met</th></tr>\n"
            func percent(_ v: Double) -> String { String(format: "%.1f%%", v * 100) }
            for row in quotas.rows {
                h += "<tr><td>\(escape(row.column))</td><td>\(escape(row.role))</td><td>\(escape(row.partition))</td>"
                h += "<td class=\"n\">\(percent(row.target))</td><td class=\"n\">\(row.items)</td><td class=\"n\">\(percent(row.share))</td><td>\(row.met ? "yes" : "<strong>NO</strong>")</td></tr>\n"
            }
            h += "</table></details>\n"
            if quotas.acceptedShort {
                h += "<p><strong>Accepted short:</strong> the spec allowed this split although some shares are not met.</p>\n"
            }
        } else {
            h += "<p class=\"muted\">No manifest.json with quotas in this directory.</p>\n"
        }

        h += "<h2>Left out</h2>\n"
        if let columns = report.dropped, !columns.isEmpty {
            let ordered = Set(columns.values.flatMap(\.keys)).sorted()
            h += "<table><tr><th>column</th>" + ordered.map { "<th>\(escape($0))</th>" }.joined() + "</tr>\n"
            for column in columns.keys.sorted() {
                h += "<tr><td>\(escape(column))</td>"
                for reason in ordered { h += "<td class=\"n\">\(columns[column]?[reason] ?? 0)</td>" }
                h += "</tr>\n"
            }
            h += "</table>\n<p class=\"muted\">Each item is listed in <code>dropped.jsonl</code> with its reason and, for isolation, the link and the kept item on the other side.</p>\n"
        } else {
            h += "<p class=\"muted\">Nothing left out, or no manifest.json.</p>\n"
        }

        h += "<h2>Isolation cost</h2>\n"
        if let byColumn = report.isolationCost?.byColumn {
            // Column × link: how many items each link cost each column.
            let ordered = Set(byColumn.values.flatMap(\.byLink.keys)).sorted()
            h += "<table id=\"cost\"><tr><th>column</th><th>dropped</th>" + ordered.map { "<th>\(escape($0))</th>" }.joined() + "<th>through dropped items</th></tr>\n"
            for (column, entry) in byColumn.sorted(by: { $0.key < $1.key }) {
                h += "<tr><td>\(escape(column))</td><td class=\"n\">\(entry.total)</td>"
                for link in ordered { h += "<td class=\"n\">\(entry.byLink[link] ?? 0)</td>" }
                h += "<td class=\"n\">\(entry.indirect)</td></tr>\n"
            }
            h += "</table>\n"
        } else {
            h += "<p class=\"muted\">No manifest.json with an isolation_cost in this directory.</p>\n"
        }
        h += droppedList(report)

        h += "<h2>Label balance per column</h2>\n" + labelSection(report)

        for field in ["band", "domain"] {
            h += "<h2>\(field == "band" ? "Reading level (band)" : "Domain") per column and partition</h2>\n"
            if field == "domain" { h += domainEvidence(report) }
            h += "<div class=\"hists\">\n"
            let hs = report.histograms.filter { $0.field == field }
            for column in Set(hs.map(\.column)).sorted() {
                h += histogram(column: column, hs.filter { $0.column == column })
            }
            h += "</div>\n"
        }
        h += "<h2>Breakdowns</h2>\n<p class=\"muted\">Records per value, per column and partition. Records carry their template's category (the template id is in the store, not in the record).</p>\n"
        for (field, title) in [("category", "By template category"), ("pair", "By language pair"),
                               ("question_words", "Question length (words)"), ("answer_words", "Gold answer length (words)")] {
            h += "<h3>\(title)</h3>\n" + breakdownTable(report, field: field)
        }

        h += "<h2>Examples of each kind of leak</h2>\n"
        var any = false
        for rule in LeakRule.allCases {
            let examples = report.leaks.filter { $0.rule == rule }
            guard !examples.isEmpty else { continue }
            any = true
            let total = totals[rule] ?? 0
            h += "<h3><code>\(rule.rawValue)</code>: \(escape(rule.summary)) (\(total)\(report.policy.isEnforced(rule) ? "" : ", not enforced"))</h3>\n"
            for leak in examples.prefix(3) { h += example(leak) }
            if examples.count > 3 {
                h += "<details><summary>\(examples.count - 3) more listed here</summary>\n"
                for leak in examples.dropFirst(3) { h += example(leak) }
                h += "</details>\n"
            }
            if let missing = report.unlisted[rule.rawValue], missing > 0 {
                h += "<p class=\"muted\">\(missing) more not listed (\(examples.count) of \(total) are): <code>audit.json</code> lists at most \(report.options.maxListedLeaksPerRule) per rule; <code>heldout audit --full</code> lists every one.</p>\n"
            }
        }
        if !any { h += "<p class=\"muted\">No leaks.</p>\n" }
        h += "</body></html>\n"
        return h
    }

    // MARK: - First screen

    static func factsTable(_ report: AuditReport) -> String {
        let f = report.split
        var rows: [(String, String)] = []
        rows.append(("split", escape(f?.name ?? "(no manifest.json)") + (f?.variant.map { " <span class=\"muted\">(\(escape($0)))</span>" } ?? "")))
        rows.append(("seed", escape(f?.seed ?? "-")))
        rows.append(("spec", f?.specDigest.map { "<code title=\"SHA-256 of the spec file\">\(escape(String($0.prefix(16))))…</code>" } ?? "-"))
        rows.append(("tool", escape(f?.toolVersion.map { "heldout \($0)" } ?? "-")))
        rows.append(("date", escape(f?.date ?? "not recorded") + (f?.date == nil ? " <span class=\"muted\">(the split is byte-reproducible; set SOURCE_DATE_EPOCH to stamp it)</span>" : "")))
        rows.append(("axis", escape(f?.axis ?? "-")))
        if let f, !f.roles.isEmpty {
            let columns = Set(f.roles.keys).union(f.evaluationRoles.keys).sorted()
            rows.append(("columns", columns.map { c in
                let train = f.roles[c] ?? "-", eval = f.evaluationRoles[c] ?? train
                return "<b>\(escape(c))</b> \(escape(train))" + (eval != train ? " <span class=\"muted\">(evaluation: \(escape(eval)))</span>" : "")
            }.joined(separator: "<br/>")))
        }
        rows.append(("audited", escape(report.inputs.map { "\($0.file) \($0.records)" }.joined(separator: ", "))
                     + "; store \(report.storeUsed ? "yes" : "no")"))
        rows.append(("thresholds", "near-duplicate Jaccard ≥ \(report.options.nearDuplicateThreshold ?? 0.8); n-grams \(report.options.minimumNgramSize)–\(report.options.ngramSize) words"))
        return "<table id=\"facts\" class=\"facts\">" + rows.map { "<tr><th>\($0.0)</th><td>\($0.1)</td></tr>" }.joined(separator: "\n") + "</table>\n"
    }

    /// Column × partition: items, share and target from the manifest's quota rows; a share
    /// under its target is marked `short` (red), whether or not the split was accepted short.
    static func quotaTable(_ report: AuditReport) -> String {
        guard let rows = report.quotas?.rows, !rows.isEmpty else {
            return "<p class=\"muted\">No manifest.json with quotas: the targets are unknown.</p>\n"
        }
        var cells: [String: [String: SplitManifest.Quotas.Row]] = [:]
        var roles: [String: String] = [:]
        var partitions: [String] = []
        for row in rows {
            cells[row.column, default: [:]][row.partition] = row
            roles[row.column] = row.role
            if !partitions.contains(row.partition) { partitions.append(row.partition) }
        }
        partitions.sort { Audit.partitionOrder($0) < Audit.partitionOrder($1) }
        var h = "<table id=\"quota\"><tr><th>column</th><th>role</th>" + partitions.map { "<th>\(escape($0))</th>" }.joined() + "</tr>\n"
        var shortfalls = 0
        for column in cells.keys.sorted() {
            h += "<tr data-column=\"\(escape(column))\"><td><b>\(escape(column))</b></td><td>\(escape(roles[column] ?? ""))</td>"
            for partition in partitions {
                guard let row = cells[column]?[partition] else { h += "<td class=\"n muted\">-</td>"; continue }
                let met = row.met
                if !met { shortfalls += 1 }
                h += "<td class=\"n \(met ? "met" : "short")\" data-partition=\"\(escape(partition))\" data-items=\"\(row.items)\" data-met=\"\(met)\">"
                h += "\(row.items) <span class=\"muted\">\(String(format: "%.0f%%", row.share * 100)) / \(String(format: "%.0f%%", row.target * 100))</span>"
                if !met { h += " ▼ short" }
                h += "</td>"
            }
            h += "</tr>\n"
        }
        h += "</table>\n<p class=\"muted\">Each cell: items, then their share of the column / the spec's target share.</p>\n"
        if shortfalls > 0 {
            h += "<p id=\"shortfalls\"><strong>\(shortfalls) cell(s) short of the target</strong>"
            if report.quotas?.acceptedShort == true { h += " (the spec accepted the split short)" }
            h += ".</p>\n"
        } else {
            h += "<p id=\"shortfalls\">Every column meets its targets.</p>\n"
        }
        return h
    }

    static func legend(_ report: AuditReport) -> String {
        func swatch(_ color: String, _ text: String) -> String {
            "<span><span class=\"sw\" style=\"background:\(color)\"></span>\(escape(text))</span>"
        }
        var h = "<div class=\"legend\">"
        h += swatch("#e3f6e8", "verdict clean: no leak of an enforced rule")
        h += swatch("#fde8e8", "verdict leaking, or a column × partition short of its target")
        h += "</div>\n<div class=\"legend\">"
        h += swatch("#eef7f0", "heat map: no leak between these columns")
        h += swatch("hsl(40,80%,72%)", "heat map: findings of rules this split does not enforce only (reported, not failing)")
        h += swatch("hsl(0,75%,62%)", "heat map: leaks of an enforced rule (the split fails)")
        h += "<span class=\"muted\">darker = more (log scale)</span>"
        h += "</div>\n<div class=\"legend\">"
        for p in ["train", "dev", "test"] { h += swatch(partitionColors[p] ?? "#9c755f", "charts: \(p)") }
        h += swatch("#9c755f", "charts: other partition")
        h += swatch("#d62728", "similarity chart: the near-duplicate threshold")
        h += "</div>\n"
        return h
    }

    // MARK: - Similarity and overlap

    static func nearestSection(_ report: AuditReport) -> String {
        guard let n = report.nearest else {
            return "<p class=\"muted\">Not measured (no training file, or no evaluation record).</p>\n"
        }
        let buckets = NearestSimilarity.buckets
        var totals: [String: Int] = [:]
        for byBucket in n.counts.values { for (b, c) in byBucket { totals[b, default: 0] += c } }
        let all = totals.values.reduce(0, +)
        var h = "<p>Each evaluation record's highest Jaccard similarity (folded-word sets) to a training segment, over the training segments MinHash LSH (\(n.bands) × \(n.rows)) proposed: "
        h += "<b>\(n.atOrAbove)</b> of \(all) at or above the threshold \(n.threshold). "
        h += "<span class=\"muted\">Every training record was compared (nothing sampled); LSH proposes pairs below ~0.6 only by chance, so low buckets are undercounted and <i>none</i> means no training segment came near. <i>short</i>: segments of fewer than \(report.options.minimumShingles) words, left to the exact and folded rules.</span></p>\n"
        // Bars.
        let maxCount = max(totals.values.max() ?? 0, 1)
        let left = 50, bar = 46, height = 150, top = 16
        let width = left + bar * buckets.count + 20
        var s = "<svg id=\"nearest\" xmlns=\"http://www.w3.org/2000/svg\" width=\"\(width)\" height=\"\(height + top + 40)\" viewBox=\"0 0 \(width) \(height + top + 40)\" role=\"img\" aria-label=\"nearest training similarity of evaluation records\">\n"
        s += "<text x=\"0\" y=\"\(top + 4)\" font-size=\"11\" fill=\"#6b7280\">\(maxCount)</text><text x=\"0\" y=\"\(top + height)\" font-size=\"11\" fill=\"#6b7280\">0</text>\n"
        for (k, bucket) in buckets.enumerated() {
            let c = totals[bucket] ?? 0
            // Log scale: the few records near the threshold must show beside the many far from it.
            let barHeight = c == 0 ? 0 : max(2, Int(Double(height) * log(Double(c) + 1) / log(Double(maxCount) + 1)))
            let x = left + k * bar
            let color = k < 3 ? "#b8c2cc" : "#4e79a7"
            s += "<rect x=\"\(x + 3)\" y=\"\(top + height - barHeight)\" width=\"\(bar - 6)\" height=\"\(barHeight)\" fill=\"\(color)\"><title>\(escape(bucket)): \(c)</title></rect>"
            s += "<text x=\"\(x + bar / 2)\" y=\"\(top + height - barHeight - 3)\" font-size=\"10\" text-anchor=\"middle\" fill=\"#6b7280\">\(c)</text>"
            s += "<text x=\"\(x + bar / 2)\" y=\"\(top + height + 14)\" font-size=\"11\" text-anchor=\"middle\">\(escape(bucket))</text>\n"
        }
        // The threshold: between the bucket holding it and the one before, at its place in the tenth.
        let tenth = min(max(n.threshold, 0), 1) * 10
        let tx = left + 3 * bar + Int(tenth * Double(bar))
        s += "<line x1=\"\(tx)\" y1=\"\(top - 6)\" x2=\"\(tx)\" y2=\"\(top + height + 2)\" stroke=\"#d62728\" stroke-width=\"2\" stroke-dasharray=\"4 3\"/>"
        s += "<text x=\"\(tx + 4)\" y=\"\(top + 2)\" font-size=\"11\" fill=\"#d62728\">threshold \(n.threshold)</text>\n"
        s += "<text x=\"\(left)\" y=\"\(top + height + 32)\" font-size=\"11\" fill=\"#6b7280\">nearest training similarity (Jaccard, lower bound of each tenth); bar height on a log scale; grey: not measured</text>\n"
        s += "</svg>\n"
        h += s
        h += "<table id=\"nearest-by-column\"><tr><th>evaluation column</th>" + buckets.map { "<th>\(escape($0))</th>" }.joined() + "</tr>\n"
        for column in n.counts.keys.sorted() {
            h += "<tr><td>\(escape(column))</td>" + buckets.map { cell(n.counts[column]?[$0] ?? 0) }.joined() + "</tr>\n"
        }
        return h + "</table>\n"
    }

    /// Shared passages and n-gram overlaps per training × evaluation column.
    static func ngramSection(_ report: AuditReport) -> String {
        let rules: [LeakRule] = [.sharedPassage, .ngramOverlap]
        let rows = report.counts.filter { rules.contains($0.rule) }
        var h = "<p class=\"muted\">Runs of \(report.options.ngramSize) folded words, or a whole segment of \(report.options.minimumNgramSize)+ words, that an evaluation segment shares with training: between segments (<code>shared_passage</code>) and inside training questions, answers or outside files (<code>ngram_overlap</code>). Counted only where no stronger rule (same or near-duplicate sentence) already holds the pair.</p>\n"
        guard !rows.isEmpty else { return h + "<p>No n-gram overlap.</p>\n" }
        h += "<table id=\"ngrams\"><tr><th>training column</th><th>evaluation column</th>" + rules.map { "<th><code>\($0.rawValue)</code></th>" }.joined() + "</tr>\n"
        var pairs: [String: [LeakRule: (Int, Bool)]] = [:]
        for r in rows { pairs["\(r.trainingColumn)\u{1F}\(r.evaluationColumn)", default: [:]][r.rule] = (r.count, r.enforced) }
        for key in pairs.keys.sorted() {
            let parts = key.split(separator: "\u{1F}", omittingEmptySubsequences: false).map(String.init)
            h += "<tr><td>\(escape(parts[0]))</td><td>\(escape(parts.count > 1 ? parts[1] : ""))</td>"
            for rule in rules {
                let v = pairs[key]?[rule]
                h += "<td class=\"n\">\(v?.0 ?? 0)\(v.map { $0.1 ? "" : " (not enforced)" } ?? "")</td>"
            }
            h += "</tr>\n"
        }
        return h + "</table>\n"
    }

    // MARK: - Dropped items, labels, domains, breakdowns

    static func droppedList(_ report: AuditReport) -> String {
        guard !report.droppedExamples.isEmpty else { return "" }
        var h = ""
        let byColumn = Dictionary(grouping: report.droppedExamples, by: \.column)
        for column in byColumn.keys.sorted() {
            let list = byColumn[column] ?? []
            var total = list.count
            if let reasons = report.dropped?[column] { total = reasons.values.reduce(0, +) }
            h += "<details class=\"dropped\"><summary>Dropped items of <b>\(escape(column))</b> (\(list.count < total ? "first \(list.count) of \(total)" : "\(total)"))</summary>\n"
            h += "<table><tr><th>where</th><th>item</th><th>reason</th><th>link</th><th>kept item on the other side</th></tr>\n"
            for d in list {
                h += "<tr><td><code>dropped.jsonl:\(d.line)</code></td><td><code>\(escape(String(d.id.prefix(16))))</code></td><td>\(escape(d.reason))</td>"
                h += "<td>\(escape(d.link ?? (d.reason == "isolation" ? "through dropped items" : "")))</td><td><code>\(escape(String((d.partner ?? "").prefix(16))))</code></td></tr>\n"
            }
            h += "</table>"
            if list.count < total { h += "<p class=\"muted\">The other \(total - list.count) are in <code>dropped.jsonl</code>.</p>" }
            h += "</details>\n"
        }
        return h
    }

    static func labelSection(_ report: AuditReport) -> String {
        let hs = report.histograms.filter { $0.field == "label" }
        guard !hs.isEmpty else { return "<p class=\"muted\">No records.</p>\n" }
        var h = "<p class=\"muted\">Gold answers of up to \(32) bytes counted by value (a tone class, a tense, yes/no); longer answers are <i>free text</i>. A column with more than \(Audit.maximumLabels) distinct short answers is shown as one value: its answers are not classes.</p>\n<div class=\"hists\">\n"
        for column in Set(hs.map(\.column)).sorted() {
            h += histogram(column: column, hs.filter { $0.column == column })
        }
        return h + "</div>\n"
    }

    static func domainEvidence(_ report: AuditReport) -> String {
        guard let d = report.split?.domains else { return "" }
        var h = "<p id=\"domain-evidence\">Columns are domains: \(d.declared) item(s) with a declared domain, <b>\(d.predicted) with a predicted one</b>"
        if let a = d.classifierAccuracy {
            h += "; the classifier's cross-validated accuracy is \(String(format: "%.1f%%", a * 100))"
            if let m = d.classifierMinimumAccuracy { h += " (minimum \(String(format: "%.0f%%", m * 100)))" }
        }
        if !d.predictedAllowed { h += ". The spec does not allow predicted domains: items with one were left out" }
        return h + ".</p>\n"
    }

    /// One table per field: rows column × partition, columns the field's values.
    static func breakdownTable(_ report: AuditReport, field: String) -> String {
        let hs = report.histograms.filter { $0.field == field }
        guard !hs.isEmpty else { return "<p class=\"muted\">No records.</p>\n" }
        var values = Set(hs.flatMap { $0.counts.keys }).sorted()
        var clipped = 0
        if values.count > 30 {
            // Keep the 30 largest values; the page says how many others there are.
            var sums: [String: Int] = [:]
            for hist in hs { for (v, c) in hist.counts { sums[v, default: 0] += c } }
            let top = Set(sums.sorted { ($0.value, $1.key) > ($1.value, $0.key) }.prefix(30).map(\.key))
            clipped = values.count - top.count
            values = values.filter(top.contains)
        }
        // Length buckets are zero-padded to sort (`06-10`); shown as 6–10.
        func label(_ v: String) -> String {
            guard field.hasSuffix("_words") else { return v }
            return v.split(separator: "-").map { Int($0).map(String.init) ?? String($0) }.joined(separator: "–")
        }
        var h = "<table class=\"breakdown\" data-field=\"\(escape(field))\"><tr><th>column</th><th>partition</th>" + values.map { "<th>\(escape(label($0)))</th>" }.joined() + "</tr>\n"
        for hist in hs {
            h += "<tr><td>\(escape(hist.column))</td><td>\(escape(hist.partition))</td>" + values.map { cell(hist.counts[$0] ?? 0) }.joined() + "</tr>\n"
        }
        h += "</table>\n"
        if clipped > 0 { h += "<p class=\"muted\">\(clipped) smaller value(s) not shown (see <code>audit.json</code>).</p>\n" }
        return h
    }

    /// A count cell; zeros are greyed so the non-zero cells stand out.
    static func cell(_ n: Int) -> String { n == 0 ? "<td class=\"n z\">0</td>" : "<td class=\"n\">\(n)</td>" }

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
        let colors = partitionColors
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

    static func clip(_ s: String, _ n: Int = 22) -> String { s.count <= n ? s : String(s.prefix(n - 1)) + "…" }
}
