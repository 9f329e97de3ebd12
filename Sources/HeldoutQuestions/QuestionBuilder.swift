import Foundation
import HeldoutCore
import HeldoutStore
import Mustache

/// Grade and domain of a segment, for items (DESIGN: items carry the band and domain of their
/// source segment, and their domain's evidence). Nil fields until the grading stage has run.
/// The store's own lookup type: the grading stage's tables are where it comes from.
public typealias SegmentAnnotation = SegmentGradingLookup

/// The hook through which the grading stage gives items their grade and domain. It is called
/// inside the questions transaction, with its session, once per item's source segment.
public protocol SegmentAnnotator {
    func annotation(for segment: ContentID, session: ItemSession) throws -> SegmentAnnotation
    /// The annotation over any answer source. By default the store's session goes to
    /// ``annotation(for:session:)`` and any other source gives the grading its segments carry.
    func annotation(for segment: ContentID, source: any AnswerSource) throws -> SegmentAnnotation
}

extension SegmentAnnotator {
    public func annotation(for segment: ContentID, source: any AnswerSource) throws -> SegmentAnnotation {
        if let session = source as? ItemSession { return try annotation(for: segment, session: session) }
        return try source.grading(of: segment)
    }
}

/// Reads grade and domain from the grading stage's tables in the store (`heldout grade`).
public struct GradedSegments: SegmentAnnotator {
    public init() {}
    public func annotation(for segment: ContentID, session: ItemSession) throws -> SegmentAnnotation {
        try session.grading(of: segment)
    }
}

/// What one template produced.
public struct TemplateReport: Sendable, Codable, Equatable {
    public var template: String
    public var category: String
    public var items: Int
    /// Candidate targets met (content words for `word`, tokens, agreements, labelled segments).
    public var candidates: Int
    /// Candidates that got a gold answer (for `word`: a gloss was found).
    public var answered: Int
    /// `answered / candidates`, the definition coverage.
    public var coverage: Double?
    /// `word`: answers whose sense was chosen from the translation.
    public var inContext: Int
    /// `word`: how the lemma was found (headword, lexicon, rules).
    public var lemmaMethods: [String: Int]
    /// Candidates left without an item, by reason; for `word`, also the words never asked about by
    /// rule (proper noun, auxiliary, numeral, function word…), which are not counted as candidates.
    public var skipped: [String: Int]
    /// What the template needs from the data (``Requirement``), sorted.
    public var requirements: [Requirement] = []
    /// Requirements the data did not meet at all, with the reason; set only when the template made no item.
    public var unmet: [UnmetRequirement] = []

    enum CodingKeys: String, CodingKey {
        case template, category, items, candidates, answered, coverage, skipped, requirements, unmet
        case inContext = "in_context"
        case lemmaMethods = "lemma_methods"
    }

    /// Why the template made no item, in one line: the unmet requirements, else the commonest skip reasons.
    public var emptyReason: String? {
        guard items == 0 else { return nil }
        if !unmet.isEmpty { return unmet.map { "needs \($0.requirement.explanation): \($0.reason)" }.joined(separator: "; ") }
        let top = skipped.sorted { $0.value != $1.value ? $0.value > $1.value : $0.key < $1.key }.prefix(3)
        if top.isEmpty { return "no candidate in the data" }
        return "every candidate was skipped (" + top.map { "\($0.key): \($0.value)" }.joined(separator: ", ") + ")"
    }
}

/// A requirement of a template that no segment of the data met, and what is missing.
public struct UnmetRequirement: Sendable, Codable, Equatable {
    public var requirement: Requirement
    public var reason: String
}

public struct QuestionsReport: Sendable, Codable, Equatable {
    public var items: Int
    public var templates: [TemplateReport]
}

/// Turns templates and the store's answer sources into items (issue 4).
///
/// One transaction: the items of every template are replaced together, or, when a template fails
/// while rendering (a question that renders empty), nothing changes.
public struct QuestionBuilder {
    public var templates: [Template]
    public var annotator: SegmentAnnotator
    /// Template × language (or pair) passes done of all of them, for a progress line.
    public var progress: ProgressReport?

    public init(templates: [Template], annotator: SegmentAnnotator = GradedSegments()) {
        self.templates = templates
        self.annotator = annotator
    }

    public func run(store: Store) throws -> QuestionsReport {
        var reports: [TemplateReport] = []
        let total = try store.replaceItems(ofTemplates: Set(templates.map(\.id))) { session in
            reports = try build(session)
        }
        return QuestionsReport(items: total, templates: reports)
    }

    /// The same run over any answer source (a cluster's shard, `heldout map items`): the items go
    /// to `source.add`, and the report counts them.
    public func run(source: any AnswerSource) throws -> QuestionsReport {
        let reports = try build(source)
        return QuestionsReport(items: reports.reduce(0) { $0 + $1.items }, templates: reports)
    }

    /// The languages (or directed pairs) `template` makes items in, one pass each, in pass order.
    public static func targets(_ template: Template) -> [(lang: String, pair: Template.DirectedLanguages?)] {
        BuildContext.targets(template)
    }

    private func build(_ source: any AnswerSource) throws -> [TemplateReport] {
        var reports: [TemplateReport] = []
        var context = BuildContext(session: source, annotator: annotator)
        context.ticker = ProgressTicker(total: templates.reduce(0) { $0 + BuildContext.targets($1).count }, report: progress)
        for (index, template) in templates.enumerated() {
            reports.append(try context.build(template, index: index))
        }
        context.ticker.finish()
        return reports
    }
}

/// Caches shared by the templates of one run: dictionaries and lexicons per language.
struct BuildContext {
    let session: any AnswerSource
    let annotator: SegmentAnnotator
    var dictionaries: [String: Glossary] = [:]
    var analyses: [String: [FormAnalysis]] = [:]
    /// Question → answer of the items stored so far, per template: an identical question never
    /// carries two answers, nor is stored twice.
    let ledger = QuestionLedger()
    /// How each template body is rendered fastest with the same text (``RenderPlans``).
    let plans = RenderPlans()
    /// Counts the (template, language) passes done.
    var ticker = ProgressTicker(total: 0, report: nil)
    var passes = 0

    init(session: any AnswerSource, annotator: SegmentAnnotator) {
        self.session = session
        self.annotator = annotator
    }

    mutating func analyses(_ lang: String) throws -> [FormAnalysis] {
        if let cached = analyses[lang] { return cached }
        let loaded = try session.formAnalyses(lang: lang)
        analyses[lang] = loaded
        return loaded
    }

    mutating func dictionary(_ source: String, _ target: String?) throws -> Glossary {
        let key = source + "-" + (target ?? "*")
        if let cached = dictionaries[key] { return cached }
        let glossary = Glossary(entries: try session.dictionaryEntries(sourceLang: source, targetLang: target),
                                analyses: try analyses(source), lang: source)
        dictionaries[key] = glossary
        return glossary
    }

    mutating func build(_ template: Template, index: Int = 0) throws -> TemplateReport {
        var report = TemplateReport(template: template.id, category: template.category, items: 0, candidates: 0, answered: 0,
                                    coverage: nil, inContext: 0, lemmaMethods: [:], skipped: [:],
                                    requirements: template.requirements.sorted())
        var met = RequirementEvidence()
        let targets = Self.targets(template)
        for (pass, (lang, pair)) in targets.enumerated() {
            session.beginPass(template: index, pass: pass)
            defer {
                passes += 1
                ticker.tick(passes)
            }
            switch template.selector.kind {
            case .word: try words(template, lang: lang, pair: pair, report: &report, met: &met)
            case .feature, .agreement, .minimalPair: try grammar(template, lang: lang, pair: pair, report: &report)
            case .label: try labels(template, lang: lang, pair: pair, report: &report)
            case .translation: try translations(template, lang: lang, pair: pair, report: &report)
            }
        }
        if report.candidates > 0 { report.coverage = Double(report.answered) / Double(report.candidates) }
        if report.items == 0 { report.unmet = try unmetRequirements(template, targets: targets, met: met) }
        return report
    }

    /// The languages (or directed pairs) a template makes items in, one pass each.
    static func targets(_ template: Template) -> [(lang: String, pair: Template.DirectedLanguages?)] {
        template.pairs.isEmpty ? template.languages.map { ($0, nil) } : template.pairs.map { ($0.source, $0) }
    }

    // MARK: rendering

    func common(_ segment: SourceSegment, lang: String, pair: Template.DirectedLanguages?) -> [String: Any] {
        var out: [String: Any] = [
            "text": segment.text, "lang": lang, "lang_name": LanguageNames.name(lang),
            "segment": segment.id.hex, "group": (segment.group ?? segment.id).hex,
        ]
        if let pair {
            out["translation"] = segment.translations.first?.text ?? ""
            out["has_translation"] = !segment.translations.isEmpty
            out["translation_lang"] = pair.target
            out["translation_lang_name"] = LanguageNames.name(pair.target)
        }
        return out
    }

    /// The source segment, then the translation the item shows or relies on (isolation must see both).
    func segmentIDs(_ segment: SourceSegment, pair: Template.DirectedLanguages?) -> [ContentID] {
        guard pair != nil, let first = segment.translations.first else { return [segment.id] }
        return [segment.id, first.id]
    }

    func emit(_ template: Template, lang: String, pair: Template.DirectedLanguages?, bindings: [String: Any],
              segments: [ContentID], target: Lexeme?, defaultConsistency: String, source: ContentID,
              renderedQuestion: String? = nil, report: inout TemplateReport) throws {
        // A caller that rendered the question already (grammar, for its duplicate check) passes
        // the raw rendering: rendering it again would give the same text.
        let question = renderedQuestion.map(Self.trimmed) ?? render(template.question, bindings)
        guard !question.isEmpty else {
            throw HeldoutError.badInput(SourceLocation(file: template.file, line: template.question.line, column: template.question.column),
                                        "the question renders empty (segment \(source.hex): «\(bindings["text"] as? String ?? "")»); nothing was stored")
        }
        let answer = template.answer.map { render($0, bindings) }.flatMap { $0.isEmpty ? nil : $0 }
        let rubric = template.rubric.map { render($0, bindings) }.filter { !$0.isEmpty }
        guard !rubric.isEmpty else {
            let line = template.rubric.first?.line ?? template.question.line
            throw HeldoutError.badInput(SourceLocation(file: template.file, line: line),
                                        "the rubric renders empty (segment \(source.hex)); nothing was stored")
        }
        switch ledger.record(template: template.id, question: question, answer: answer ?? "") {
        case .new: break
        case .sameAnswer:
            report.skipped["duplicate question", default: 0] += 1
            return
        case .otherAnswer:
            report.skipped["same question with another answer", default: 0] += 1
            return
        }
        let consistency = template.consistencyGroup.map { render($0, bindings) }.flatMap { $0.isEmpty ? nil : $0 } ?? defaultConsistency
        var bound: [String: String] = ["pair": pair?.description ?? "", "item_lang": lang]
        for (key, value) in bindings {
            switch value {
            case let string as String: bound[key] = string
            case let flag as Bool: bound[key] = flag ? "true" : "false"
            case let list as [String]: bound[key] = list.joined(separator: "\u{1E}")
            default: bound[key] = "\(value)"
            }
        }
        let annotation = try annotator.annotation(for: source, source: session)
        var item = Item(template: template.id, templateVersion: template.version, boundValues: bound, category: template.category,
                        lang: lang, pair: pair?.description, question: question, answer: answer, rubric: rubric,
                        segments: segments, target: target, consistencyGroup: consistency,
                        grade: annotation.grade, domain: annotation.domain)
        item.domainSource = annotation.domainSource
        item.domainConfidence = annotation.domainConfidence
        if try session.add(item) { report.items += 1 }
    }

    func render(_ body: Template.Body, _ bindings: [String: Any]) -> String {
        Self.trimmed(plans.render(body, bindings))
    }

    /// `text` without leading and trailing white space: the same result as Foundation's
    /// `trimmingCharacters(in: .whitespacesAndNewlines)` (whose set is the Unicode White_Space
    /// property plus U+200B, zero width space: checked over every scalar), without bridging to
    /// NSString, which cost a tenth of the questions stage.
    static func trimmed(_ text: String) -> String {
        let utf8 = text.utf8
        guard let first = utf8.first, let last = utf8.last else { return text }
        // Fast path: an ASCII letter or mark at both ends (a rendered question ends with one
        // line break at most): nothing to trim.
        if first > 0x20, first < 0x80, last > 0x20, last < 0x80 { return text }
        let scalars = text.unicodeScalars
        var start = scalars.startIndex, end = scalars.endIndex
        func isSpace(_ scalar: Unicode.Scalar) -> Bool { scalar.properties.isWhitespace || scalar.value == 0x200B }
        while start < end, isSpace(scalars[start]) { start = scalars.index(after: start) }
        while end > start, isSpace(scalars[scalars.index(before: end)]) { end = scalars.index(before: end) }
        if start == scalars.startIndex, end == scalars.endIndex { return text }
        return String(scalars[start..<end])
    }
}

/// Renders template bodies with less work than Mustache where that gives the same text:
///
/// - a body without any tag (most rubrics) is rendered once per run;
/// - a body whose tags are all plain variables (`{{word}}`) bound to strings is rendered by
///   substitution. Templates are plain text (`CONTENT_TYPE:TEXT`, nothing escaped), so Mustache
///   prints such a variable as the string itself. The first renderings of each body are also made
///   by Mustache and compared: a body whose substitution ever differs goes back to Mustache;
/// - anything else (sections, dotted names, a value that is not a string) goes to Mustache.
///
/// Keyed by source text; a reference type so that rendering stays non-mutating.
final class RenderPlans {
    /// A body split at its variables: `literals.count == names.count + 1`.
    struct Substitution {
        var literals: [String]
        var names: [String]
    }

    enum Plan {
        case constant(String)
        case substitution(Substitution, checksLeft: Int)
        case mustache
    }

    /// Renderings compared with Mustache's before a body's substitution is trusted.
    static let checks = 64
    private var plans: [String: Plan] = [:]

    func render(_ body: Template.Body, _ bindings: [String: Any]) -> String {
        let plan = plans[body.source] ?? makePlan(body)
        switch plan {
        case let .constant(text):
            return text
        case .mustache:
            return body.template.render(bindings)
        case let .substitution(substitution, checksLeft):
            guard let text = Self.substitute(substitution, bindings) else { return body.template.render(bindings) }
            if checksLeft > 0 {
                let reference = body.template.render(bindings)
                plans[body.source] = reference == text ? .substitution(substitution, checksLeft: checksLeft - 1) : .mustache
                return reference
            }
            return text
        }
    }

    private func makePlan(_ body: Template.Body) -> Plan {
        let plan: Plan
        if !body.source.contains("{{") {
            plan = .constant(body.template.render([String: Any]()))
        } else if let substitution = Self.parse(body.source) {
            plan = .substitution(substitution, checksLeft: Self.checks)
        } else {
            plan = .mustache
        }
        plans[body.source] = plan
        return plan
    }

    /// The body as literals and plain variable names, or nil when any tag is something else.
    static func parse(_ source: String) -> Substitution? {
        var literals: [String] = [], names: [String] = []
        var rest = Substring(source)
        while let open = rest.firstRange(of: "{{") {
            literals.append(String(rest[..<open.lowerBound]))
            let inside = rest[open.upperBound...]
            guard let close = inside.firstRange(of: "}}") else { return nil }
            let name = inside[..<close.lowerBound].trimmingPrefix(while: { $0 == " " })
            let trimmed = name.prefix(while: { $0 != " " })
            guard !trimmed.isEmpty, name[trimmed.endIndex...].allSatisfy({ $0 == " " }),
                  trimmed.unicodeScalars.allSatisfy({ $0.isASCII && ($0.properties.isAlphabetic || ("0"..."9").contains($0) || $0 == "_") })
            else { return nil }
            names.append(String(trimmed))
            rest = inside[close.upperBound...]
        }
        // A "}}" left over (or "{{{…}}}") is not plain text for Mustache's parser: not substituted.
        if rest.contains("}}") || literals.contains(where: { $0.contains("}}") }) { return nil }
        literals.append(String(rest))
        return Substitution(literals: literals, names: names)
    }

    /// The substituted text, or nil when a variable is unbound or not a string.
    static func substitute(_ body: Substitution, _ bindings: [String: Any]) -> String? {
        var out = body.literals[0]
        for (index, name) in body.names.enumerated() {
            guard let value = bindings[name] as? String else { return nil }
            out += value
            out += body.literals[index + 1]
        }
        return out
    }
}
