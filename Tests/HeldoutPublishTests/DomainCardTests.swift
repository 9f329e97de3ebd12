import Foundation
import HeldoutCore
import Testing
@testable import HeldoutPublish

/// Issue 19: the card of an `axis: domain` split says how many items' domains were predicted.
@Suite struct DomainCardTests {
    func publish(domains: String?) throws -> String {
        let f = try SplitFixture()
        try f.standard()
        if let domains {
            let url = f.split.appendingPathComponent("manifest.json")
            var text = try String(contentsOf: url, encoding: .utf8)
            text = text.replacingOccurrences(of: #"{"audit":"#, with: #"{"domains":\#(domains),"audit":"#)
            try text.write(to: url, atomically: true, encoding: .utf8)
        }
        return try f.text(try f.publish("1.0.0"), "README.md")
    }

    @Test("predicted domains and the classifier's accuracy are on the card; declared-only says none was predicted; other axes say nothing")
    func cardLines() throws {
        let predicted = try publish(domains: #"{"declared":40,"predicted":12,"predicted_allowed":true,"classifier_accuracy":0.8731}"#)
        #expect(predicted.contains("40 item(s) have a domain their corpus or unit declared"))
        #expect(predicted.contains("**12 have a domain the classifier predicted** (cross-validated accuracy 87.3%"))
        let declared = try publish(domains: #"{"declared":40,"predicted":0,"predicted_allowed":false}"#)
        #expect(declared.contains("none has a predicted domain"))
        let none = try publish(domains: nil)
        #expect(!none.contains("predicted"))
    }
}
