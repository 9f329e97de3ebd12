/// A plain aligned text table; numbers right-aligned.
public struct Table {
    public let header: [String]
    public let rows: [[String]]

    public init(_ header: [String], _ rows: [[String]]) {
        self.header = header
        self.rows = rows
    }

    /// `12`, `11.18`, `-0.5`, `97.5%`: right-aligned.
    public static func isNumber(_ cell: String) -> Bool {
        let digits = cell.hasSuffix("%") ? String(cell.dropLast()) : cell
        return !digits.isEmpty && Double(digits) != nil && digits.allSatisfy { $0.isNumber || $0 == "." || $0 == "-" }
    }

    public func render() -> String {
        let all = [header] + rows
        let widths = header.indices.map { column in all.map { $0.count > column ? $0[column].count : 0 }.max() ?? 0 }
        // The first column labels the row and is left-aligned, whatever it holds (a grade
        // `10` under `<1` and `9`); numbers in the others are right-aligned. Only trailing
        // spaces are trimmed: trimming leading ones shifted a right-aligned first cell.
        func line(_ cells: [String]) -> String {
            var text = cells.enumerated().map { index, cell in
                let pad = String(repeating: " ", count: widths[index] - cell.count)
                return index > 0 && Self.isNumber(cell) ? pad + cell : cell + pad
            }.joined(separator: "  ")
            while text.last == " " { text.removeLast() }
            return text
        }
        let rule = widths.map { String(repeating: "-", count: $0) }.joined(separator: "  ")
        return ([line(header), rule] + rows.map(line)).joined(separator: "\n")
    }
}
