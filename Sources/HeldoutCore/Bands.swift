import Foundation

/// One reading-level band: whole grades `lower…upper` (`upper == nil`: and above).
public struct Band: Sendable, Hashable, Codable, CustomStringConvertible {
    public let lower: Int
    public let upper: Int?

    public init(lower: Int, upper: Int?) {
        self.lower = lower
        self.upper = upper
    }

    /// `1-5`, `9-12`, `13+`, `7` (a band of one grade).
    public var label: String {
        guard let upper else { return "\(lower)+" }
        return upper == lower ? "\(lower)" : "\(lower)-\(upper)"
    }

    public var description: String { label }

    func contains(_ grade: Int) -> Bool {
        grade >= lower && (upper.map { grade <= $0 } ?? true)
    }
}

/// Where a segment falls among the bands.
public enum BandAssignment: Sendable, Hashable {
    case band(Band)
    /// Between two bands of a scheme with a gap (e.g. grade 6–7 with `--gap 5,8`).
    case gap
    /// Too short or without letters (`UngradableReason`, in HeldoutGrading).
    case ungradable

    /// What the store and `segments --jsonl` hold: the band's label, `gap` or `ungradable`.
    public var label: String {
        switch self {
        case let .band(band): band.label
        case .gap: "gap"
        case .ungradable: "ungradable"
        }
    }
}

/// Shared by grading (the band of every graded segment) and splitting (the `complexity` axis
/// and `where.bands`), so that "6-8" means the same grades in both.
///
/// The bands a spec or `--bands` asks for, default `1-5,6-8,9-12,13+`.
///
/// A grade belongs to a band by its nearest whole grade (5.49 → 5, 5.5 → 6; halves round away
/// from zero). Grades below the first band's lower bound belong to the first band (FKGL goes
/// below zero for very easy text; "grade −1" is still the easiest band) and the last band may
/// be open (`13+`). Whole grades that no band covers form the **gap**: with `1-5,8+`
/// (`--gap 5,8`), grades rounding to 6 or 7 are assigned to no band, as easy-to-hard
/// generalisation studies want (train on ≤ 5, evaluate on ≥ 8, nothing in between).
public struct BandScheme: Sendable, Hashable, CustomStringConvertible {
    public let bands: [Band]

    public static let standard = BandScheme(validated: [
        Band(lower: 1, upper: 5), Band(lower: 6, upper: 8), Band(lower: 9, upper: 12), Band(lower: 13, upper: nil),
    ])

    private init(validated bands: [Band]) {
        self.bands = bands
    }

    /// Checks that bands are ascending and do not overlap; only the last may be open.
    public init(_ bands: [Band]) throws {
        guard !bands.isEmpty else { throw BandError("no bands given") }
        for (index, band) in bands.enumerated() {
            if let upper = band.upper, upper < band.lower {
                throw BandError("\(band.label) ends before it starts")
            }
            if band.upper == nil && index != bands.count - 1 {
                throw BandError("only the last band can be open-ended (\(band.label))")
            }
            if index > 0, let previousUpper = bands[index - 1].upper, band.lower <= previousUpper {
                throw BandError("\(band.label) overlaps or precedes \(bands[index - 1].label)")
            }
        }
        self.bands = bands
    }

    /// Parses `1-5,6-8,9-12,13+` (spaces allowed).
    public init(parsing text: String) throws {
        var bands: [Band] = []
        for raw in text.split(separator: ",") {
            let item = trimmed(raw)
            if item.hasSuffix("+") {
                guard let lower = Int(item.dropLast()) else { throw BandError("cannot read \(item.debugDescription)") }
                bands.append(Band(lower: lower, upper: nil))
            } else if let dash = item.firstIndex(of: "-"), dash != item.startIndex {
                guard let lower = Int(item[..<dash]), let upper = Int(item[item.index(after: dash)...]) else {
                    throw BandError("cannot read \(item.debugDescription)")
                }
                bands.append(Band(lower: lower, upper: upper))
            } else if let single = Int(item) {
                bands.append(Band(lower: single, upper: single))
            } else {
                throw BandError("cannot read \(item.debugDescription)")
            }
        }
        try self.init(bands)
    }

    /// Two bands with a gap between them: easy `≤ easyMax`, hard `≥ hardMin`
    /// (`--gap 5,8` → `1-5,8+`, where the easy band also takes every grade below 1).
    public init(gapBetween easyMax: Int, and hardMin: Int) throws {
        guard hardMin > easyMax + 1 else {
            throw BandError("a gap needs the hard band to start at least two grades above the easy band's end (\(easyMax), \(hardMin))")
        }
        try self.init([Band(lower: min(1, easyMax), upper: easyMax), Band(lower: hardMin, upper: nil)])
    }

    /// `1-5,6-8,9-12,13+`: the form `--bands` reads and the store records.
    public var description: String { bands.map(\.label).joined(separator: ",") }

    /// The same as ``standard``: what a spec without `bands` uses.
    public static var `default`: BandScheme { standard }

    /// The label of items whose grade is unknown.
    public static let ungradable = "ungradable"

    /// Band labels in order.
    public var names: [String] { bands.map(\.label) }

    /// Parses a list of labels, each `lo-hi`, `lo+` or a single grade.
    public init(names: [String]) throws {
        try self.init(parsing: names.joined(separator: ","))
    }

    /// The band label of a grade; ``ungradable`` for nil; nil for a grade in a gap between bands
    /// (such an item belongs to no band and is left out of band-based columns).
    public func band(forGrade grade: Double?) -> String? {
        switch assign(grade) {
        case let .band(band): band.label
        case .gap: nil
        case .ungradable: Self.ungradable
        }
    }

    public func assign(_ grade: Double?) -> BandAssignment {
        guard let grade, grade.isFinite else { return .ungradable }
        let whole = Int(grade.rounded(.toNearestOrAwayFromZero))
        if let first = bands.first, whole < first.lower { return .band(first) }
        for band in bands where band.contains(whole) { return .band(band) }
        return .gap
    }
}

/// A band list that cannot be used; says why in words a `--bands` or spec author can act on.
public struct BandError: ReportableError, CustomStringConvertible, Sendable, Equatable {
    public let reason: String
    init(_ reason: String) { self.reason = reason }
    public var exitStatus: Int32 { 2 }
    public var userMessage: String { "bands: \(description)" }
    public var description: String {
        "\(reason) (expected ascending grade ranges such as 1-5,6-8,9-12,13+; leave grades out for a gap: 1-5,8+)"
    }
}

/// Spaces and tabs trimmed at both ends.
private func trimmed(_ text: Substring) -> Substring {
    var slice = text
    while let first = slice.first, first == " " || first == "\t" { slice.removeFirst() }
    while let last = slice.last, last == " " || last == "\t" { slice.removeLast() }
    return slice
}
