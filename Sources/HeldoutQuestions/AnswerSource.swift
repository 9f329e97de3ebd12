import HeldoutCore
import HeldoutStore

/// Where the questions stage reads its answer sources and puts its items: the store's
/// ``ItemSession`` for a local build, or a shard of segment bundles on a cluster (issue 15,
/// `heldout map items`). ``BuildContext`` and the annotator read through nothing else, so both
/// run the same code over either.
public protocol AnswerSource: AnyObject {
    /// Dictionary entries from `sourceLang` (to `targetLang` when given), in a stable order.
    func dictionaryEntries(sourceLang: String, targetLang: String?) throws -> [DictionaryEntry]
    /// Every analysed (form, lemma, upos, features) of `lang` with its count.
    func formAnalyses(lang: String) throws -> [FormAnalysis]
    /// The segments of `lang` (primary subtag) in id order, each with its translations into
    /// `translationLang` (same alignment group, same primary subtag, id order).
    func forEachSegment(lang: String, translationLang: String?, analysedOnly: Bool,
                        _ body: (SourceSegment) throws -> Void) throws
    /// The segments of `lang` that carry label `name`, in id order, with the label's distinct values.
    func forEachLabelledSegment(label name: String, lang: String, translationLang: String?,
                                _ body: (LabelledSegment) throws -> Void) throws
    /// A segment's grade and domain as items copy them.
    func grading(of segment: ContentID) throws -> SegmentGradingLookup
    /// Keeps `item` unless one with its id is kept already (then `false`).
    @discardableResult
    func add(_ item: Item) throws -> Bool
    /// Told before each pass of a template (its index among the run's templates, the pass's
    /// index among ``QuestionBuilder/targets(_:)``): a shard uses it to order what it keeps.
    func beginPass(template: Int, pass: Int)
}

extension AnswerSource {
    public func beginPass(template: Int, pass: Int) {}

    /// Every segment of `lang`, analysed or not.
    func forEachSegment(lang: String, translationLang: String?, _ body: (SourceSegment) throws -> Void) throws {
        try forEachSegment(lang: lang, translationLang: translationLang, analysedOnly: false, body)
    }
}

/// The store's session is the local answer source.
extension ItemSession: AnswerSource {}
