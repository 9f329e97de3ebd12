import ArgumentParser
import Foundation
import HeldoutCore
import HeldoutStore

struct ItemsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "items",
        abstract: "List the stored items, in id order."
    )

    @OptionGroup var common: StoreOptions

    @Flag(help: "One JSON object per line: id, category, template, pair, question, answer, rubric, segments, target, consistency_group.")
    var jsonl = false

    @Option(help: "Only items of this category.")
    var category: String?

    func run() throws {
        let store = try common.open(mustExist: true)
        let asJSON = jsonl || common.json
        let output = JSONLinesOutput()
        defer { output.flush() }
        try store.forEachItem(category: category) { item in
            if asJSON {
                try output.write(item)
            } else {
                let question = item.question.split(separator: "\n").first.map(String.init) ?? ""
                Console.out("\(item.id)  \(item.category.padding(toLength: 10, withPad: " ", startingAt: 0))  \(question)")
            }
        }
    }
}
