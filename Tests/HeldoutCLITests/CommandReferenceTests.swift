import Foundation
import Testing

/// The command-line reference, `docs/cli/`, is generated from the commands' own help: the
/// `heldout --experimental-dump-help` JSON (swift-argument-parser's ToolInfo, the input its
/// generate-manual and generate-docc-reference plugins read) rendered as Markdown, one page per
/// command. The committed pages must equal what the binary gives now, so the reference cannot
/// drift from the code. (The plugins themselves cannot run here: a SwiftPM plugin run inside
/// `swift test` would wait on the build directory the tests hold.)
///
/// After a change to a command's options or texts, regenerate with
///
///     HELDOUT_UPDATE_CLI_REFERENCE=1 swift test --skip-build --filter CommandReferenceTests
///
/// (or `scripts/cli-reference.sh`, which does the same).
@Suite("command-line reference")
struct CommandReferenceTests {
    static let directory = HelpTests.repository.appendingPathComponent("docs/cli")

    @Test("docs/cli/ equals the reference the binary's help generates now")
    func reference() throws {
        let result = try HeldoutBinary.run(["--experimental-dump-help"], in: FileManager.default.temporaryDirectory)
        #expect(result.status == 0, "\(result.stderr)")
        let tool = try JSONDecoder().decode(ToolInfo.self, from: Data(result.stdout.utf8))
        let pages = CommandReference.pages(tool.command)
        #expect(pages["heldout.md"] != nil && pages["build.md"] != nil && pages["syllables.md"] != nil, "\(pages.keys.sorted())")
        let fm = FileManager.default
        if ProcessInfo.processInfo.environment["HELDOUT_UPDATE_CLI_REFERENCE"] == "1" {
            try fm.createDirectory(at: Self.directory, withIntermediateDirectories: true)
            for name in (try? fm.contentsOfDirectory(atPath: Self.directory.path)) ?? [] where name.hasSuffix(".md") && pages[name] == nil {
                try fm.removeItem(at: Self.directory.appendingPathComponent(name))
            }
            for (name, text) in pages { try Data(text.utf8).write(to: Self.directory.appendingPathComponent(name)) }
        }
        var stale: [String] = []
        for (name, text) in pages.sorted(by: { $0.key < $1.key })
        where (try? String(contentsOf: Self.directory.appendingPathComponent(name), encoding: .utf8)) != text {
            stale.append(name)
        }
        #expect(stale.isEmpty, "docs/cli/ differs from the commands' help: \(stale); review, then regenerate with HELDOUT_UPDATE_CLI_REFERENCE=1")
        // A page of a command that no longer exists is stale too.
        let committed = Set(try fm.contentsOfDirectory(atPath: Self.directory.path).filter { $0.hasSuffix(".md") })
        #expect(committed == Set(pages.keys), "pages without a command: \(committed.subtracting(pages.keys).sorted())")
    }

    @Test("the renderer shows every displayed option with its default and values")
    func renderer() throws {
        let command = CommandInfo(
            superCommands: ["heldout"], shouldDisplay: true, commandName: "demo", abstract: "Does one thing.",
            discussion: "At length.", subcommands: nil,
            arguments: [
                ArgumentInfo(kind: .positional, shouldDisplay: true, isOptional: false, isRepeating: true,
                             names: nil, preferredName: nil, valueName: "file", defaultValue: nil,
                             allValues: nil, abstract: "Input files."),
                ArgumentInfo(kind: .option, shouldDisplay: true, isOptional: true, isRepeating: false,
                             names: [.init(kind: .long, name: "format"), .init(kind: .short, name: "f")],
                             preferredName: .init(kind: .long, name: "format"), valueName: "format",
                             defaultValue: "tmx", allValues: ["tmx", "po"], abstract: "The format."),
                ArgumentInfo(kind: .flag, shouldDisplay: false, isOptional: true, isRepeating: false,
                             names: [.init(kind: .long, name: "secret")], preferredName: .init(kind: .long, name: "secret"),
                             valueName: nil, defaultValue: nil, allValues: nil, abstract: "Hidden."),
            ])
        let page = CommandReference.page(command)
        #expect(page.hasPrefix("# heldout demo\n\nDoes one thing.\n\nAt length.\n"))
        #expect(page.contains("heldout demo <file> ... [--format <format>]\n"), "\(page)")
        #expect(page.contains("- `<file> ...`: Input files."))
        #expect(page.contains("- `-f`, `--format <format>`: The format. Default: `tmx`. Values: `tmx`, `po`."))
        #expect(!page.contains("secret"))
        #expect(CommandReference.oneLine("a TMX <tu>\n  & its\nprop") == "a TMX &lt;tu> &amp; its prop")
    }
}

/// Markdown pages from the ToolInfo JSON: `heldout.md` for the root (its subcommands, linked),
/// and `NAME.md` per subcommand, with a nested subcommand's sections on its parent's page.
enum CommandReference {
    static func pages(_ root: CommandInfo) -> [String: String] {
        var root = root
        // argument-parser's own `help` subcommand is `--help` by another name; the root's
        // `--help` does not list it either.
        root.subcommands = root.subcommands?.filter { $0.commandName != "help" }
        var pages: [String: String] = ["heldout.md": page(root, linkSubcommands: true)]
        for sub in root.subcommands ?? [] where sub.shouldDisplay {
            pages[sub.commandName + ".md"] = page(sub)
        }
        return pages
    }

    static func page(_ command: CommandInfo, level: Int = 1, linkSubcommands: Bool = false) -> String {
        let full = ((command.superCommands ?? []) + [command.commandName]).joined(separator: " ")
        let heading = String(repeating: "#", count: level)
        var out = "\(heading) \(full)\n\n"
        if let abstract = command.abstract, !abstract.isEmpty { out += prose(abstract) + "\n\n" }
        if let discussion = command.discussion, !discussion.isEmpty { out += prose(discussion) + "\n\n" }
        let shown = (command.arguments ?? []).filter(\.shouldDisplay)
        let subcommands = (command.subcommands ?? []).filter(\.shouldDisplay)
        out += "```\n\(full)\(subcommands.isEmpty ? "" : " <subcommand>")\(synopsis(shown))\n```\n\n"
        let positionals = shown.filter { $0.kind == .positional }
        let options = shown.filter { $0.kind != .positional }
        if !positionals.isEmpty {
            out += "\(heading)# Arguments\n\n" + positionals.map(item).joined() + "\n"
        }
        if !options.isEmpty {
            out += "\(heading)# Options\n\n" + options.map(item).joined() + "\n"
        }
        if !subcommands.isEmpty {
            out += "\(heading)# Subcommands\n\n"
            for sub in subcommands {
                let name = linkSubcommands ? "[`\(sub.commandName)`](\(sub.commandName).md)" : "`\(sub.commandName)`"
                out += "- \(name): \(oneLine(sub.abstract ?? ""))\n"
            }
            out += "\n"
            if !linkSubcommands {
                for sub in subcommands { out += page(sub, level: level + 1) }
            }
        }
        return level == 1 ? out.trimmingCharacters(in: .newlines) + "\n" : out
    }

    /// The usage line's arguments: optional ones in brackets, as `--help` shows them.
    static func synopsis(_ arguments: [ArgumentInfo]) -> String {
        arguments.filter { $0.preferredName?.name != "help" }.map { argument in
            var text = usage(argument, name: argument.preferredName)
            if argument.isRepeating { text += " ..." }
            return " " + (argument.isOptional ? "[\(text)]" : text)
        }.joined()
    }

    static func usage(_ argument: ArgumentInfo, name: ArgumentInfo.Name?) -> String {
        let value = argument.valueName.map { "<\($0)>" } ?? ""
        guard argument.kind != .positional, let name else { return value }
        let flag = (name.kind == .long ? "--" : "-") + name.name
        return argument.kind == .flag || value.isEmpty ? flag : "\(flag) \(value)"
    }

    static func item(_ argument: ArgumentInfo) -> String {
        let names: String
        if argument.kind == .positional {
            names = "`" + usage(argument, name: nil) + (argument.isRepeating ? " ..." : "") + "`"
        } else {
            // Short names first, the value after the last name only: `-f`, `--format <format>`.
            let all = (argument.names ?? []).sorted { ($0.kind == .long ? 1 : 0, $0.name) < ($1.kind == .long ? 1 : 0, $1.name) }
            names = all.enumerated().map { index, name in
                let flag = (name.kind == .long ? "--" : "-") + name.name
                let value = argument.valueName.map { " <\($0)>" } ?? ""
                return "`" + flag + (index == all.count - 1 && argument.kind == .option ? value : "") + "`"
            }.joined(separator: ", ")
        }
        var text = "- \(names): \(oneLine(argument.abstract ?? ""))"
        if let discussion = argument.discussion, !discussion.isEmpty { text += " " + oneLine(discussion) }
        if let value = argument.defaultValue, !value.isEmpty, argument.kind != .flag { text += " Default: `\(value)`." }
        if let values = argument.allValues, !values.isEmpty { text += " Values: " + values.map { "`\($0)`" }.joined(separator: ", ") + "." }
        return text + "\n"
    }

    /// Help texts wrap for a terminal; a Markdown list item is one paragraph.
    static func oneLine(_ text: String) -> String {
        prose(text.split(whereSeparator: \.isNewline).map { $0.trimmingCharacters(in: .whitespaces) }.joined(separator: " "))
    }

    /// Help text as Markdown prose: `<tu>` would be read as an HTML tag and vanish.
    static func prose(_ text: String) -> String {
        text.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
    }
}

/// The part of swift-argument-parser's ToolInfo (serialization version 0) the reference uses.
struct ToolInfo: Decodable {
    var command: CommandInfo
}

struct CommandInfo: Decodable {
    var superCommands: [String]?
    var shouldDisplay: Bool
    var commandName: String
    var abstract: String?
    var discussion: String?
    var subcommands: [CommandInfo]?
    var arguments: [ArgumentInfo]?

    enum CodingKeys: String, CodingKey { case superCommands, shouldDisplay, commandName, abstract, discussion, subcommands, arguments }

    init(superCommands: [String]?, shouldDisplay: Bool, commandName: String, abstract: String?, discussion: String?,
         subcommands: [CommandInfo]?, arguments: [ArgumentInfo]?) {
        self.superCommands = superCommands
        self.shouldDisplay = shouldDisplay
        self.commandName = commandName
        self.abstract = abstract
        self.discussion = discussion
        self.subcommands = subcommands
        self.arguments = arguments
    }

    init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        superCommands = try c.decodeIfPresent([String].self, forKey: .superCommands)
        shouldDisplay = try c.decodeIfPresent(Bool.self, forKey: .shouldDisplay) ?? true
        commandName = try c.decode(String.self, forKey: .commandName)
        abstract = try c.decodeIfPresent(String.self, forKey: .abstract)
        discussion = try c.decodeIfPresent(String.self, forKey: .discussion)
        subcommands = try c.decodeIfPresent([CommandInfo].self, forKey: .subcommands)
        arguments = try c.decodeIfPresent([ArgumentInfo].self, forKey: .arguments)
    }
}

struct ArgumentInfo: Decodable {
    enum Kind: String, Decodable { case positional, option, flag }
    struct Name: Decodable {
        enum Kind: String, Decodable { case long, short, longWithSingleDash }
        var kind: Kind
        var name: String
    }
    var kind: Kind
    var shouldDisplay: Bool
    var isOptional: Bool
    var isRepeating: Bool
    var names: [Name]?
    var preferredName: Name?
    var valueName: String?
    var defaultValue: String?
    var allValues: [String]?
    var abstract: String?
    var discussion: String?
}
