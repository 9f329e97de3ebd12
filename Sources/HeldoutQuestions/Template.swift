import Foundation
import HeldoutCore
import Mustache
import Yams

/// What a template's items are made from. The selector names the answer source: a dictionary
/// (`word`), a treebank (`feature`, `agreement`, `minimal_pair`) or a label (`label`).
public enum SelectorKind: String, Sendable, CaseIterable, Codable {
    /// A content word of a segment, glossed from a bilingual dictionary (definition).
    case word
    /// A token carrying a morphological feature (grammar: tense, mood, person, number, gender, case).
    case feature
    /// A word and the word it agrees with (grammar: "which word does X agree with?").
    case agreement
    /// A sentence with one form swapped for another form of its lemma that breaks agreement.
    case minimalPair = "minimal_pair"
    /// A segment's label (tone, or any label a corpus carries: a user's own category).
    case label
    /// A segment and its aligned translation: translate it, the translation as gold (the
    /// language-pair grid of the method: supervise de→en and es→en, test fr→en).
    case translation
}

/// Which segments, or which tokens in them, a template asks about.
public struct Selector: Sendable, Hashable {
    public var kind: SelectorKind
    /// Parts of speech to keep (UD UPOS); empty keeps every content word.
    public var upos: [String] = []
    /// For `feature`: the feature asked about (`Tense`).
    public var feature: String?
    /// For `label`: the label's name (`tone`).
    public var label: String?
    /// For `label`: ask about the labelled segment itself (`source`) or its translation (`translation`).
    public var side: Side = .source

    public enum Side: String, Sendable, Hashable { case source, translation }
}

/// What a template's items need from the data. A template states some (`requires:`) and the rest
/// follow from its selector and the variables it names; a run reports the ones the data does not
/// meet, so a template that makes nothing says why.
public enum Requirement: String, Sendable, CaseIterable, Codable, Hashable, Comparable {
    /// A bilingual dictionary from the source language into the pair's target (`word`).
    case dictionary
    /// An aligned translation of the segment into the pair's target language.
    case translation
    /// The sense shown by the translation (`gloss`, `evidence`, `sense_number`, `in_context`):
    /// a word whose translation does not show one sense is skipped.
    case contextSense = "context_sense"
    /// A dictionary entry listing at least two senses (a "which sense" question).
    case twoSenses = "two_senses"
    /// A treebank analysis: tokens with lemma, part of speech and features.
    case tokens
    /// Segments carrying the selector's label.
    case label

    public static func < (l: Requirement, r: Requirement) -> Bool { l.rawValue < r.rawValue }

    /// What the requirement asks for, in a sentence's words.
    public var explanation: String {
        switch self {
        case .dictionary: "a bilingual dictionary for the pair"
        case .translation: "an aligned translation of each segment"
        case .contextSense: "a translation that shows which sense the word has"
        case .twoSenses: "dictionary entries with at least two senses"
        case .tokens: "a treebank analysis (tokens with lemma, part of speech and features)"
        case .label: "segments carrying the label"
        }
    }
}

/// A template file, checked: everything a run needs, and where each part was written.
public struct Template: Sendable {
    public var id: String
    public var version: Int
    public var category: String
    /// Source languages (primary subtags).
    public var languages: [String]
    /// `fr-en`: source, then the language of the translation the item uses; empty for monolingual items.
    public var pairs: [DirectedLanguages]
    public var selector: Selector
    public var question: Body
    /// The gold answer; nil makes rubric-only items (a plausibility column's training items).
    public var answer: Body?
    public var rubric: [Body]
    public var consistencyGroup: Body?
    /// What its items need: stated in `requires:` and derived from the selector and variables.
    public var requirements: Set<Requirement> = []
    /// The file it came from.
    public var file: String

    /// A Mustache body with where it starts in its file, so errors in it point at a line.
    public struct Body: Sendable {
        public var source: String
        public var template: MustacheTemplate
        public var line: Int
        public var column: Int
    }

    /// Every variable its question, answer, rubric and consistency group name.
    public var variableNames: Set<String> {
        let bodies = [question] + (answer.map { [$0] } ?? []) + rubric + (consistencyGroup.map { [$0] } ?? [])
        var out: Set<String> = []
        for body in bodies {
            for tag in MustacheTags.scan(body.source) where !["!", "%"].contains(tag.kind) {
                out.insert(tag.name.split(separator: ".").first.map(String.init) ?? tag.name)
            }
        }
        return out
    }

    public struct DirectedLanguages: Sendable, Hashable, CustomStringConvertible {
        public var source: String
        public var target: String
        public var description: String { "\(source)-\(target)" }
    }
}

/// Reads and checks template files. Every problem is a ``HeldoutError/badInput(_:_:)`` with the
/// file, line and column: unknown or missing fields, malformed Mustache, variables the selector
/// does not bind, a question with no text.
public enum TemplateLoader {
    static let fields: Set<String> = ["id", "version", "category", "languages", "pairs", "pair", "selector",
                                      "question", "answer", "rubric", "consistency_group", "description", "requires"]
    static let selectorFields: Set<String> = ["kind", "upos", "feature", "label", "side"]

    /// Every `*.yaml`/`*.yml` in `directory`, in name order; ids must be unique.
    public static func load(directory: String) throws -> [Template] {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: directory, isDirectory: &isDirectory), isDirectory.boolValue else {
            throw HeldoutError.badInput(SourceLocation(file: directory), "not a directory of templates")
        }
        let names = try FileManager.default.contentsOfDirectory(atPath: directory)
            .filter { $0.hasSuffix(".yaml") || $0.hasSuffix(".yml") }.sorted()
        guard !names.isEmpty else {
            throw HeldoutError.badInput(SourceLocation(file: directory), "no template files (*.yaml) here")
        }
        var templates: [Template] = []
        var seen: [String: String] = [:]
        for name in names {
            let path = (directory as NSString).appendingPathComponent(name)
            let template = try load(file: path)
            if let other = seen[template.id] {
                throw HeldoutError.badInput(SourceLocation(file: path, line: 1), "template id \(template.id) is also used by \(other); ids must be unique")
            }
            seen[template.id] = path
            templates.append(template)
        }
        return templates
    }

    public static func load(file: String) throws -> Template {
        guard let data = FileManager.default.contents(atPath: file) else {
            throw HeldoutError.badInput(SourceLocation(file: file), InputProblem.describeUnreadable(file))
        }
        guard let text = String(data: data, encoding: .utf8) else {
            throw HeldoutError.badInput(SourceLocation(file: file), "not UTF-8 text")
        }
        return try parse(text, file: file)
    }

    public static func parse(_ text: String, file: String) throws -> Template {
        let node: Node
        do {
            guard let composed = try Yams.compose(yaml: text) else {
                throw HeldoutError.badInput(SourceLocation(file: file, line: 1), "empty template file")
            }
            node = composed
        } catch let error as YamlError {
            throw yamlError(error, file: file)
        }
        guard let mapping = node.mapping else {
            throw HeldoutError.badInput(location(file, node), "a template is a YAML mapping (id:, version:, category:, …)")
        }
        var values: [String: Node] = [:]
        for (key, value) in mapping {
            guard let name = key.string else { throw HeldoutError.badInput(location(file, key), "field names are strings") }
            guard fields.contains(name) else {
                throw HeldoutError.badInput(location(file, key), "unknown field \(name); fields are \(fields.sorted().joined(separator: ", "))")
            }
            values[name] = value
        }
        func required(_ name: String) throws -> Node {
            guard let value = values[name] else {
                throw HeldoutError.badInput(SourceLocation(file: file, line: 1, column: 1), "missing field \(name)")
            }
            return value
        }
        func string(_ name: String, _ value: Node) throws -> String {
            guard let s = value.scalar?.string, !s.trimmingCharacters(in: .whitespaces).isEmpty else {
                throw HeldoutError.badInput(location(file, value), "\(name) must be a non-empty string")
            }
            return s.trimmingCharacters(in: .whitespaces)
        }

        let idNode = try required("id")
        let id = try string("id", idNode)
        guard id.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "-" || $0 == "_" || $0 == "." }) else {
            throw HeldoutError.badInput(location(file, idNode), "id \(id): use letters, digits, -, _ and . only")
        }
        let versionNode = try required("version")
        guard let version = versionNode.int, version >= 1 else {
            throw HeldoutError.badInput(location(file, versionNode), "version must be a whole number ≥ 1")
        }
        let category = try string("category", try required("category"))
        let selector = try parseSelector(try required("selector"), file: file)

        var pairs: [Template.DirectedLanguages] = []
        for pairNode in list(values["pairs"] ?? values["pair"]) {
            let raw = try string("pairs", pairNode)
            guard let pair = DirectedPair(raw) else {
                throw HeldoutError.badInput(location(file, pairNode), "pair \(raw): expected source-target, e.g. fr-en")
            }
            pairs.append(.init(source: pair.source.primary, target: pair.target.primary))
        }
        var languages: [String] = []
        for languageNode in list(values["languages"]) {
            let raw = try string("languages", languageNode)
            guard let tag = LanguageTag(raw) else {
                throw HeldoutError.badInput(location(file, languageNode), "language \(raw) is not a language tag")
            }
            languages.append(tag.primary)
        }
        for pair in pairs where !languages.contains(pair.source) { languages.append(pair.source) }
        guard !languages.isEmpty else {
            throw HeldoutError.badInput(SourceLocation(file: file, line: 1, column: 1), "missing field languages (or pairs): which languages the template asks about")
        }
        if selector.kind == .translation, pairs.isEmpty {
            throw HeldoutError.badInput(location(file, try required("selector")), "kind: translation needs pairs: (the language translated into)")
        }
        if selector.kind == .label, selector.side == .translation, pairs.isEmpty {
            throw HeldoutError.badInput(location(file, try required("selector")), "side: translation needs pairs: (the translation's language)")
        }

        let variables = TemplateVariables.names(for: selector.kind, hasPair: !pairs.isEmpty)
        let question = try body(try required("question"), name: "question", file: file, variables: variables)
        if question.source.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty {
            throw HeldoutError.badInput(location(file, try required("question")), "the question is empty")
        }
        let answer = try values["answer"].map { try body($0, name: "answer", file: file, variables: variables) }
        let rubricNode = try required("rubric")
        let rubricItems = list(rubricNode)
        guard !rubricItems.isEmpty else {
            throw HeldoutError.badInput(location(file, rubricNode), "rubric must list at least one criterion")
        }
        let rubric = try rubricItems.map { try body($0, name: "rubric", file: file, variables: variables) }
        let consistency = try values["consistency_group"].map {
            try body($0, name: "consistency_group", file: file, variables: variables)
        }
        var stated: Set<Requirement> = []
        for node in list(values["requires"]) {
            guard let raw = node.string, let requirement = Requirement(rawValue: raw) else {
                throw HeldoutError.badInput(location(file, node), "requires: \(node.string ?? "?") is not one of \(Requirement.allCases.map(\.rawValue).joined(separator: ", "))")
            }
            let allowed = allowedRequirements(selector.kind)
            guard allowed.contains(requirement) else {
                throw HeldoutError.badInput(location(file, node), "requires: \(raw) does not apply to selector kind \(selector.kind.rawValue) (it may state \(allowed.sorted().map(\.rawValue).joined(separator: ", ")))")
            }
            if (requirement == .translation || requirement == .contextSense), pairs.isEmpty {
                throw HeldoutError.badInput(location(file, node), "requires: \(raw) needs pairs: (the translation's language)")
            }
            stated.insert(requirement)
        }
        var template = Template(id: id, version: version, category: category, languages: languages, pairs: pairs,
                                selector: selector, question: question, answer: answer, rubric: rubric,
                                consistencyGroup: consistency, file: file)
        template.requirements = stated.union(derivedRequirements(template))
        return template
    }

    /// Requirements a template may state for its selector kind.
    static func allowedRequirements(_ kind: SelectorKind) -> Set<Requirement> {
        switch kind {
        case .word: [.dictionary, .translation, .contextSense, .twoSenses, .tokens]
        case .feature, .agreement, .minimalPair: [.tokens, .translation]
        case .label: [.label, .translation]
        case .translation: [.translation]
        }
    }

    /// Requirements that follow from the selector and from the variables the bodies name: a
    /// `word` template that shows `gloss` or `evidence` claims a sense, which only a translation can show.
    static func derivedRequirements(_ template: Template) -> Set<Requirement> {
        var out: Set<Requirement> = []
        switch template.selector.kind {
        case .word:
            out.insert(.dictionary)
            if !template.selector.upos.isEmpty { out.insert(.tokens) }
            let names = template.variableNames
            if !names.isDisjoint(with: ["gloss", "evidence", "sense_number", "in_context"]) { out.insert(.contextSense) }
        case .feature, .agreement, .minimalPair:
            out.insert(.tokens)
        case .label:
            out.insert(.label)
            if template.selector.side == .translation { out.insert(.translation) }
        case .translation:
            out.insert(.translation)
        }
        if out.contains(.contextSense) { out.insert(.translation) }
        return out
    }

    static func parseSelector(_ node: Node, file: String) throws -> Selector {
        guard let mapping = node.mapping else {
            throw HeldoutError.badInput(location(file, node), "selector is a mapping with kind: (\(SelectorKind.allCases.map(\.rawValue).joined(separator: ", ")))")
        }
        var values: [String: Node] = [:]
        for (key, value) in mapping {
            guard let name = key.string, selectorFields.contains(name) else {
                throw HeldoutError.badInput(location(file, key), "unknown selector field \(key.string ?? "?"); fields are \(selectorFields.sorted().joined(separator: ", "))")
            }
            values[name] = value
        }
        guard let kindNode = values["kind"] else {
            throw HeldoutError.badInput(location(file, node), "missing field selector.kind")
        }
        guard let raw = kindNode.string, let kind = SelectorKind(rawValue: raw) else {
            throw HeldoutError.badInput(location(file, kindNode), "selector kind \(kindNode.string ?? "?") is not one of \(SelectorKind.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        var selector = Selector(kind: kind)
        selector.upos = list(values["upos"]).compactMap { $0.string?.uppercased() }
        selector.feature = values["feature"]?.string
        selector.label = values["label"]?.string
        if let side = values["side"] {
            guard let raw = side.string, let value = Selector.Side(rawValue: raw) else {
                throw HeldoutError.badInput(location(file, side), "side is source or translation")
            }
            selector.side = value
        }
        if kind == .feature, selector.feature == nil {
            throw HeldoutError.badInput(location(file, node), "missing field selector.feature (Tense, Mood, Person, Number, Gender, Case…)")
        }
        if kind == .label, selector.label?.isEmpty ?? true {
            throw HeldoutError.badInput(location(file, node), "missing field selector.label: the label that gives the answer (e.g. tone)")
        }
        return selector
    }

    /// Parses a Mustache body and checks that every variable it names is one the selector binds.
    static func body(_ node: Node, name: String, file: String, variables: Set<String>) throws -> Template.Body {
        guard let scalar = node.scalar else {
            throw HeldoutError.badInput(location(file, node), "\(name) must be text")
        }
        // A block scalar (| or >) starts on the line after its indicator.
        let block = scalar.style == .literal || scalar.style == .folded
        let line = node.mark.map { $0.line + (block ? 1 : 0) } ?? 1
        let quoted = scalar.style == .singleQuoted || scalar.style == .doubleQuoted
        let column = block ? 1 : (node.mark?.column ?? 1) + (quoted ? 1 : 0)
        let source = scalar.string
        let tags = MustacheTags.scan(source)
        func place(_ tag: MustacheTags.Tag) -> HeldoutCore.SourceLocation {
            SourceLocation(file: file, line: line + tag.line - 1, column: tag.line == 1 ? column + tag.column - 1 : tag.column)
        }
        // Sections are checked here first, so an unclosed one is reported where it opens rather
        // than at the end of the text, where the Mustache parser notices it.
        var open: [MustacheTags.Tag] = []
        for tag in tags where ["#", "^", "/"].contains(tag.kind) {
            if tag.kind != "/" {
                open.append(tag)
            } else if let last = open.last, last.name == tag.name {
                open.removeLast()
            } else {
                let expected = open.last.map { "{{/\($0.name)}}" } ?? "no closing tag"
                throw HeldoutError.badInput(place(tag), "malformed Mustache in \(name): {{/\(tag.name)}} closes nothing open here (expected \(expected))")
            }
        }
        if let unclosed = open.last {
            throw HeldoutError.badInput(place(unclosed), "malformed Mustache in \(name): {{\(unclosed.kind)\(unclosed.name)}} is never closed with {{/\(unclosed.name)}}")
        }
        let template: MustacheTemplate
        do {
            // Plain text, never HTML: a quote or an apostrophe stays as written.
            template = try MustacheTemplate(string: "{{%CONTENT_TYPE:TEXT}}" + source)
        } catch let error as MustacheTemplate.ParserError {
            let context = error.context
            throw HeldoutError.badInput(SourceLocation(file: file, line: line + context.lineNumber - 1,
                                                       column: context.lineNumber == 1 ? column : context.columnNumber),
                                        "malformed Mustache in \(name): \(error.error) (near: \(context.line.trimmingCharacters(in: .whitespaces)))")
        }
        for tag in tags {
            switch tag.kind {
            case "!", "%": continue
            case ">", "<", "$", "=":
                throw HeldoutError.badInput(place(tag), "\(name): {{\(tag.kind)…}} tags are not supported in templates")
            default:
                let root = tag.name.split(separator: ".").first.map(String.init) ?? tag.name
                if tag.name == "." || variables.contains(root) { continue }
                throw HeldoutError.badInput(place(tag),
                                            "unknown variable {{\(tag.name)}} in \(name); this selector binds \(variables.sorted().joined(separator: ", "))")
            }
        }
        return Template.Body(source: source, template: template, line: line, column: column)
    }

    static func list(_ node: Node?) -> [Node] {
        guard let node else { return [] }
        if let sequence = node.sequence { return Array(sequence) }
        return [node]
    }

    static func location(_ file: String, _ node: Node) -> SourceLocation {
        SourceLocation(file: file, line: node.mark?.line, column: node.mark?.column)
    }

    static func yamlError(_ error: YamlError, file: String) -> HeldoutError {
        switch error {
        case let .scanner(context, problem, mark, _), let .parser(context, problem, mark, _):
            let what = [context?.text, problem].compactMap { $0 }.filter { !$0.isEmpty }.joined(separator: " ")
            return .badInput(SourceLocation(file: file, line: mark.line, column: mark.column), "malformed YAML: \(what)")
        case let .composer(context, problem, mark, _):
            let what = [context?.text, problem].compactMap { $0 }.filter { !$0.isEmpty }.joined(separator: " ")
            return .badInput(SourceLocation(file: file, line: mark.line, column: mark.column), "malformed YAML: \(what)")
        default:
            return .badInput(SourceLocation(file: file, line: 1), "malformed YAML: \(error)")
        }
    }
}

/// The `{{…}}` tags of a Mustache body, with where they are (1-based line and column in the body).
enum MustacheTags {
    struct Tag {
        var kind: String
        var name: String
        var line: Int
        var column: Int
    }

    static func scan(_ source: String) -> [Tag] {
        var out: [Tag] = []
        var line = 1, column = 1
        var index = source.startIndex
        while index < source.endIndex {
            if source[index...].hasPrefix("{{") {
                let start = (line, column)
                let contentStart = source.index(index, offsetBy: 2)
                let triple = source[contentStart...].hasPrefix("{")
                guard let close = source.range(of: "}}", range: contentStart..<source.endIndex) else { break }
                var inner = String(source[contentStart..<close.lowerBound]).trimmingCharacters(in: .whitespaces)
                var kind = ""
                if triple {
                    kind = "{"
                    inner = String(inner.dropFirst()).trimmingCharacters(in: .whitespaces)
                } else if let first = inner.first, "#^/&!>%<$=".contains(first) {
                    kind = String(first)
                    inner = String(inner.dropFirst()).trimmingCharacters(in: .whitespaces)
                }
                out.append(Tag(kind: kind, name: inner, line: start.0, column: start.1))
                var end = close.upperBound
                if triple, end < source.endIndex, source[end] == "}" { end = source.index(after: end) }
                for character in source[index..<end] {
                    if character == "\n" { line += 1; column = 1 } else { column += 1 }
                }
                index = end
                continue
            }
            if source[index] == "\n" { line += 1; column = 1 } else { column += 1 }
            index = source.index(after: index)
        }
        return out
    }
}
