import Foundation

/// JSON with sorted keys and no insignificant whitespace, so that files meant to be
/// byte-identical across runs are (Foundation's encoder with `.sortedKeys`, slashes unescaped).
public enum CanonicalJSON {
    public static func data<T: Encodable>(_ value: T) throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return try encoder.encode(value)
    }

    /// The same keys and values, indented for people (`manifest.json`): still one byte
    /// sequence per value, since the keys are sorted.
    public static func prettyData<T: Encodable>(_ value: T) throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes, .prettyPrinted]
        return try encoder.encode(value)
    }

    public static func string<T: Encodable>(_ value: T) throws -> String {
        String(decoding: try data(value), as: UTF8.self)
    }

    /// One encoder for a stream of values (JSON Lines): the bytes of ``data(_:)``, without
    /// making and configuring a `JSONEncoder` per value.
    public final class Encoder {
        private let encoder: JSONEncoder

        public init() {
            encoder = JSONEncoder()
            encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        }

        public func data<T: Encodable>(_ value: T) throws -> Data {
            try encoder.encode(value)
        }
    }
}
