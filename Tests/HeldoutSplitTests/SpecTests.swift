import Foundation
import Testing
import HeldoutCore
import HeldoutStore
@testable import HeldoutSplit

func specError(_ yaml: String) -> HeldoutError? {
    do {
        _ = try SplitSpec(yaml: yaml, file: "spec.yaml")
        return nil
    } catch let error as HeldoutError {
        return error
    } catch {
        return .usage("unexpected \(error)")
    }
}

@Suite("Spec")
struct SpecTests {
    static let good = """
        name: tone-heldout
        seed: 17
        sources:
          - { path: corpora/samples/en-fr.tmx, format: tmx, domain: software }
          - { path: corpora/samples/fra-eng.tsv, format: glossary, pair: fr-en }
        templates: templates/
        axis: category
        columns:
          grammar:    { role: supervised }
          definition: { role: supervised }
          tone:       { role: plausibility }
        where: { pairs: [fr-en], min_tokens: 4 }
        isolation:
          level: segment
          translations: true
          near_duplicates: { threshold: 0.8 }
          lexemes: true
        partitions: { train: 0.8, dev: 0.1, test: 0.1 }
        """

    @Test("DESIGN's example reads, defaults filled in, and the resolved YAML reads back to the same spec")
    func designExample() throws {
        let spec = try SplitSpec(yaml: Self.good, file: "spec.yaml")
        #expect(spec.seed == 17 && spec.axis == .category && spec.columns.map(\.name) == ["definition", "grammar", "tone"])
        #expect(spec.isolation.enabledLinks == [.sharedSegment, .translation, .nearDuplicate, .lexeme, .consistencyGroup, .sharedPassage])
        #expect(spec.filter.pairs == ["fr-en"] && spec.filter.minTokens == 4)
        var reread = try SplitSpec(yaml: spec.resolvedYAML, file: "spec.yaml")
        reread.locations = spec.locations
        #expect(reread == spec)
        #expect(reread.resolvedYAML == spec.resolvedYAML)
    }

    @Test("every spec mistake names its key and line, exit status 3", arguments: [
        ("isolation:\n  near_duplicates: { treshold: 0.8 }", "isolation.near_duplicates.treshold: unknown key", 11),
        ("colour: red", "colour: unknown key", 10),
        ("partitions: { train: 0.8, dev: 0.1, test: 0.2 }", "partitions: train + dev + test must sum to 1", 10),
        ("axis: colour", "axis: colour is not one of category, language_pair, complexity, domain", 10),
        ("sweep: { supervised: [3] }", "sweep.supervised: subset size 3", 10),
        ("isolation: { level: chapter }", "isolation.level: chapter is not one of item, segment, document", 10),
        ("sources:\n  - { path: a.tmx, formt: tmx }", "sources[0].formt: unknown key", 11),
        ("where: { pairs: [french] }", "where.pairs: french: expected two language tags", 10),
        ("bands: [1-5, 4-8]", "bands: 4-8 overlaps or precedes 1-5", 10),
        ("balance: { caps: { poetry: 3 } }", "balance.caps.poetry: not a column of this spec", 10),
    ])
    func mistakes(_ extra: String, _ message: String, _ line: Int) throws {
        let yaml = """
            name: t
            seed: 1
            columns:
              grammar: { role: supervised }
              definition: { role: supervised }
              tone: { role: heldout }
            partitions: { train: 0.8, dev: 0.1, test: 0.1 }
            """
        // Replace the partitions line when the mistake is about partitions.
        let text = extra.hasPrefix("partitions") ? yaml.replacingOccurrences(of: "partitions: { train: 0.8, dev: 0.1, test: 0.1 }", with: "") + "\n\n\n" + extra
            : yaml + "\n\n\n" + extra
        let error = try #require(specError(text))
        #expect(error.exitCode == 3)
        #expect(error.description.contains(message), "\(error.description)")
        #expect(error.description.hasPrefix("spec.yaml:\(line):"), "\(error.description)")
    }

    @Test("a column the data does not have, and a column left empty by `where`, are spec errors before any work")
    func dataErrors() throws {
        let bench = try plantedStore()
        let missing = """
            name: t
            columns: { grammar: supervised, poetry: heldout }
            """
        #expect {
            _ = try bench.split(missing)
        } throws: { error in
            let e = error as? HeldoutError
            return e?.exitCode == 3 && e?.description.contains("columns.poetry: no item of the store has category poetry (the store has: grammar, tone)") == true
        }
        let emptied = """
            name: t
            columns: { grammar: supervised, tone: heldout }
            where: { categories: [grammar] }
            """
        #expect {
            _ = try bench.split(emptied)
        } throws: { error in
            (error as? HeldoutError)?.description.contains("columns.tone: no item left after `where`") == true
        }
        #expect(!FileManager.default.fileExists(atPath: bench.url("out").path))
    }

    @Test("bands: 1-5,6-8,9-12,13+; ungradable; a gap where no band covers the grades")
    func bands() throws {
        let scheme = BandScheme.default
        #expect(scheme.band(forGrade: nil) == "ungradable")
        #expect(scheme.band(forGrade: -2) == "1-5")
        #expect(scheme.band(forGrade: 5.4) == "1-5")
        #expect(scheme.band(forGrade: 5.6) == "6-8")
        #expect(scheme.band(forGrade: 12.49) == "9-12")
        #expect(scheme.band(forGrade: 40) == "13+")
        let gapped = try BandScheme(parsing: "1-5, 8+")
        #expect(gapped.band(forGrade: 5.4) == "1-5")
        #expect(gapped.band(forGrade: 5.6) == nil)
        #expect(gapped.band(forGrade: 7.4) == nil)
        #expect(gapped.band(forGrade: 7.5) == "8+")
        #expect(throws: BandError.self) { try BandScheme(parsing: "1-5,13+,6-8") }
    }

    @Test("near-duplicate parameters miss a pair at the threshold with probability ≤ 1e-6; exact Jaccard confirms")
    func nearDuplicates() throws {
        for t in [0.5, 0.7, 0.8, 0.9] {
            let p = NearDuplicateIndex.Parameters(threshold: t)
            #expect(p.candidateProbability(similarity: t) >= 1 - 1e-6)
            #expect(p.permutations <= 256)
            // Unrelated sentences sharing a few common words rarely become candidates.
            if t >= 0.8 { #expect(p.candidateProbability(similarity: 0.3) < 0.1) }
        }
        let index = NearDuplicateIndex(parameters: .init(threshold: 0.8))
        let texts = [nearA, nearB, "Something else entirely, about the weather in spring.", nearA.uppercased()]
        let pairs = index.pairs(texts).map { [$0.0, $0.1] }
        // Identical folded sets are tied to the first text that has the set (3 to 0, not also to 1).
        #expect(pairs == [[0, 1], [0, 3]])
    }
}
