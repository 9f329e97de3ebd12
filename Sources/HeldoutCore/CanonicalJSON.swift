import Foundation

/// JSON with sorted keys and no insignificant whitespace, so that files meant to be
/// byte-identical across runs are (Foundation's encoder with `.sortedKeys`, slashes unescaped).
public enum CanonicalJSON {
    public static func data<T: Encodable>(_ value: T) throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return try encoder.encode(value)
    }

    public static func string<T: Encodable>(_ value: T) throws -> String {
        String(decoding: try data(value), as: UTF8.self)
    }
}
