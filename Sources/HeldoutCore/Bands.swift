import Foundation

/// Reading-level bands over the US grade scale: `1-5, 6-8, 9-12, 13+` by default.
///
/// Shared by grading (which names the band of every graded segment) and splitting (the
/// `complexity` axis and the `where.bands` filter), so that "6-8" means the same grades in both.
///
/// A band `lo-hi` covers grades from `lo` up to, not including, the next band's `lo` (so 5.7
/// is in `1-5`, not between bands): grade formulas give fractions, band names give integers.
/// The first band also takes every grade below its `lo` (formulas go below 1 for very easy
/// text); a last band written `lo+` takes everything above; a last band `lo-hi` stops at `hi + 1`.
///
/// `gap` leaves out the grades near an interior boundary — within `gap` of it on either side —
/// so that a complexity split compares levels that are actually apart, not 8.9 against 9.1.
public struct BandScheme: Hashable, Sendable, CustomStringConvertible {
    public struct Band: Hashable, Sendable {
        public var name: String
        public var lower: Int
        /// Inclusive upper grade as written, nil for `13+`.
        public var upper: Int?
    }

    /// The name given to items whose grade is unknown (nil).
    public static let ungradable = "ungradable"
    public static let `default` = try! BandScheme(parsing: "1-5,6-8,9-12,13+")

    public let bands: [Band]
    public let gap: Double

    public init(bands: [Band], gap: Double = 0) throws {
        guard !bands.isEmpty else { throw BandError("no bands") }
        guard gap >= 0, gap.isFinite else { throw BandError("gap must be a number ≥ 0, not \(gap)") }
        for (index, band) in bands.enumerated() {
            if let upper = band.upper, upper < band.lower {
                throw BandError("\(band.name): upper grade below lower grade")
            }
            if index + 1 < bands.count {
                let next = bands[index + 1]
                guard let upper = band.upper else {
                    throw BandError("\(band.name): only the last band can be open (`13+`)")
                }
                guard next.lower == upper + 1 else {
                    throw BandError("\(band.name) and \(next.name): bands must be in order and adjacent (\(upper + 1) expected next)")
                }
            }
        }
        self.bands = bands
        self.gap = gap
    }

    /// Parses `1-5,6-8,9-12,13+` (spaces allowed).
    public init(parsing text: String, gap: Double = 0) throws {
        try self.init(names: text.split(separator: ",").map(String.init), gap: gap)
    }

    /// Parses a list of band names, each `lo-hi` or `lo+`.
    public init(names: [String], gap: Double = 0) throws {
        var parsed: [Band] = []
        for raw in names {
            let name = raw.trimmingCharacters(in: .whitespaces)
            if name.hasSuffix("+"), let lower = Int(name.dropLast()) {
                parsed.append(Band(name: name, lower: lower, upper: nil))
                continue
            }
            let parts = name.split(separator: "-", omittingEmptySubsequences: false)
            guard parts.count == 2, let lower = Int(parts[0]), let upper = Int(parts[1]) else {
                throw BandError("`\(name)`: expected a band like 6-8 or 13+")
            }
            parsed.append(Band(name: name, lower: lower, upper: upper))
        }
        try self.init(bands: parsed, gap: gap)
    }

    public var names: [String] { bands.map(\.name) }

    /// The band of a grade; ``ungradable`` for nil; nil when the grade falls in a gap or above
    /// a closed last band (such an item has no band and is left out of band-based columns).
    public func band(forGrade grade: Double?) -> String? {
        guard let grade else { return Self.ungradable }
        guard grade.isFinite else { return Self.ungradable }
        for (index, band) in bands.enumerated() {
            let isLast = index == bands.count - 1
            let end: Double? = isLast ? band.upper.map { Double($0 + 1) } : Double(bands[index + 1].lower)
            if let end, grade >= end { continue }
            // Inside this band (the first band is open below). Now the gaps around interior boundaries.
            if gap > 0 {
                if index > 0, grade < Double(band.lower) + gap { return nil }
                if !isLast, let end, grade >= end - gap { return nil }
            }
            return band.name
        }
        return nil
    }

    public var description: String { names.joined(separator: ",") }
}

/// A band list that cannot be used; the spec reader prefixes the key path.
public struct BandError: Error, CustomStringConvertible, Sendable {
    public let description: String
    init(_ message: String) { description = message }
}
