import Foundation
import Testing
import HeldoutCore
@testable import HeldoutIngest

@Suite("Labels from TSV columns and JSONL fields")
struct LabelColumnTests {
    func options(columns: String? = nil, labels: [String: String]) -> IngestOptions {
        var options = IngestOptions()
        options.columns = columns?.split(separator: ",").map(String.init)
        options.labels = labels
        return options
    }

    @Test("--label tone names a column; --label register=4 numbers one; blank cells carry no label")
    func tsv() throws {
        let scratch = try ScratchDirectory()
        defer { scratch.cleanUp() }
        let path = try scratch.write("tone.tsv", "Merci mille fois !\tThanks a lot!\tgrateful\tinformal\nVeuillez patienter.\tPlease wait.\t \tformal\n")
        let sink = CollectingSink()
        try CorpusFormat.tsv.makeReader(files: [path], options: options(columns: "fr,en,tone,register",
                                                                         labels: ["tone": "", "register": "4"])).read(into: sink)
        #expect(sink.units.map(\.labels) == [["tone": "grateful", "register": "informal"], ["register": "formal"]])
    }

    @Test("--label tone=mood reads a JSONL field")
    func jsonl() throws {
        let scratch = try ScratchDirectory()
        defer { scratch.cleanUp() }
        let path = try scratch.write("tone.jsonl", #"{"fr": "Laisse-moi tranquille.", "en": "Leave me alone.", "mood": "annoyed"}"# + "\n")
        let sink = CollectingSink()
        try CorpusFormat.jsonl.makeReader(files: [path], options: options(labels: ["tone": "mood"])).read(into: sink)
        #expect(sink.units.map(\.labels) == [["tone": "annoyed"]])
    }
}
