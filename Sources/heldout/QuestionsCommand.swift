import ArgumentParser
import Foundation
import HeldoutBuild
import HeldoutCore
import HeldoutQuestions
import HeldoutStore

struct QuestionsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "questions",
        abstract: "Make items from the templates in a directory, with gold answers and rubrics.",
        discussion: """
        Every *.yaml in DIR is a template (id, version, category, languages or pairs, selector, question, answer, rubric). All templates are checked before anything is read: a bad one exits 3 with its file and line. The items of these templates are replaced in one transaction; items of other templates are kept. A template that made no item is named on standard error with the requirement the data did not meet (a translation, a label, a treebank analysis, a dictionary, entries with two senses) or why its candidates were skipped.
        """
    )

    @OptionGroup var common: StoreOptions

    @Option(help: "Directory of template files (*.yaml).")
    var templates: String

    func run() throws {
        let loaded = try TemplateLoader.load(directory: templates)
        let store = try common.open(mustExist: true)
        let runner = StageRunner(store: store, showProgress: Console.stderrIsTerminal, skipUnchanged: false)
        runner.warn = { Console.error($0) }
        guard let report = try runner.run(QuestionsStage(templates: loaded, directory: templates)) else { return }
        // Remembered so that a split made step by step can state its templates in spec.yaml.
        try store.setStageFingerprint(Store.templatesPathKey, templates)
        if common.json {
            try Console.json(report)
            return
        }
        Console.out(Table(["template", "category", "items", "candidates", "answered", "coverage", "in context"], report.templates.map {
            [$0.template, $0.category, "\($0.items)", "\($0.candidates)", "\($0.answered)",
             $0.coverage.map { String(format: "%.1f%%", $0 * 100) } ?? "-", $0.category == "definition" ? "\($0.inContext)" : "-"]
        }).render())
        Console.out("\(report.items) items stored")
    }
}
