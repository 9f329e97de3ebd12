import Foundation

/// Joins relative names onto a root and refuses anything that could escape it. Spec names and
/// sibling names end up as directory names in a release; one `../` would let a spec overwrite
/// files anywhere the user can write.
public enum SafePath {
    /// `root/relative`, or ``PublishError/unsafePath(_:)`` when `relative` is absolute, empty,
    /// or has a `..` (or `.`) component, or a NUL.
    public static func join(_ root: URL, _ relative: String) throws -> URL {
        try check(relative)
        return relative.split(separator: "/").reduce(root) { $0.appendingPathComponent(String($1)) }
    }

    public static func check(_ relative: String) throws {
        guard !relative.isEmpty, !relative.hasPrefix("/"), !relative.hasPrefix("~"), !relative.contains("\0"), !relative.contains("\\") else {
            throw PublishError.unsafePath(relative)
        }
        for component in relative.split(separator: "/", omittingEmptySubsequences: false) {
            if component.isEmpty || component == ".." || component == "." { throw PublishError.unsafePath(relative) }
        }
    }
}
