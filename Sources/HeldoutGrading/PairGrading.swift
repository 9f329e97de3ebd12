import HeldoutStore

/// Which side of an aligned pair gives the pair its band and domain.
public enum PairSide: String, Sendable, Codable, CaseIterable {
    case source, target
}

/// The band and domain a pair (source segment, its translation) is filed under.
public struct PairLabels: Sendable, Equatable {
    public var band: String?
    public var domain: String?
    public var domainSource: String?
}

/// How the splitter labels an aligned pair for the `complexity` and `domain` axes.
///
/// By default a pair takes the **source-language** segment's band and domain: the question is
/// about reading the source, and a translation's reading level is the translator's, not the
/// author's. A spec can choose the target side (`side: .target`). The band is never borrowed
/// from the other side (an ungradable or ungraded side leaves the pair without a band), but a
/// missing domain is: both sides of one alignment unit share their metadata, so a domain known
/// for either side is the pair's.
public enum PairGrading {
    public static func labels(source: SegmentGrading?, target: SegmentGrading?, side: PairSide = .source) -> PairLabels {
        let (chosen, other) = side == .source ? (source, target) : (target, source)
        let band = chosen.map(\.band)
        if let domain = chosen?.domain {
            return PairLabels(band: band, domain: domain, domainSource: chosen?.domainSource)
        }
        return PairLabels(band: band, domain: other?.domain, domainSource: other?.domainSource)
    }
}
