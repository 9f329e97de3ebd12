import Foundation
import GRDB
import GRDBSQLite
import HeldoutCore

/// A read-only prepared statement stepped through SQLite's C API.
///
/// The split reads every item and segment of the store once; at a million rows GRDB's `Row`
/// (a copy of every column into Swift values) costs seconds that the C accessors do not.
final class RowScanner {
    private let handle: OpaquePointer
    private let db: OpaquePointer
    private static let transient = unsafeBitCast(-1, to: sqlite3_destructor_type.self)

    init(_ database: Database, _ sql: String) throws {
        guard let connection = database.sqliteConnection else {
            throw HeldoutError.store("the store's connection is closed")
        }
        db = connection
        var statement: OpaquePointer?
        let rc = sqlite3_prepare_v2(connection, sql, -1, &statement, nil)
        guard rc == SQLITE_OK, let statement else {
            throw DatabaseError(resultCode: ResultCode(rawValue: rc), message: String(cString: sqlite3_errmsg(connection)), sql: sql)
        }
        handle = statement
    }

    deinit { sqlite3_finalize(handle) }

    /// Steps once; `true` while a row is available.
    func next() throws -> Bool {
        let rc = sqlite3_step(handle)
        switch rc {
        case SQLITE_ROW: return true
        case SQLITE_DONE: return false
        default:
            throw DatabaseError(resultCode: ResultCode(rawValue: rc), message: String(cString: sqlite3_errmsg(db)))
        }
    }

    func reset() {
        sqlite3_reset(handle)
        sqlite3_clear_bindings(handle)
    }

    func bind(_ index: Int32, _ id: ContentID) {
        let bytes = id.bytes
        bytes.withUnsafeBytes { raw in
            _ = sqlite3_bind_blob(handle, index, raw.baseAddress, 16, Self.transient)
        }
    }

    func bind(_ index: Int32, _ value: String) {
        sqlite3_bind_text(handle, index, value, -1, Self.transient)
    }

    func isNull(_ column: Int32) -> Bool { sqlite3_column_type(handle, column) == SQLITE_NULL }

    func int64(_ column: Int32) -> Int64 { sqlite3_column_int64(handle, column) }

    func double(_ column: Int32) -> Double? {
        isNull(column) ? nil : sqlite3_column_double(handle, column)
    }

    func string(_ column: Int32) -> String? {
        guard let pointer = sqlite3_column_text(handle, column) else { return nil }
        let count = Int(sqlite3_column_bytes(handle, column))
        return String(decoding: UnsafeBufferPointer(start: pointer, count: count), as: UTF8.self)
    }

    func contentID(_ column: Int32) -> ContentID? {
        guard sqlite3_column_type(handle, column) == SQLITE_BLOB,
              sqlite3_column_bytes(handle, column) == 16,
              let pointer = sqlite3_column_blob(handle, column) else { return nil }
        return ContentID(bigEndian: pointer)
    }
}
