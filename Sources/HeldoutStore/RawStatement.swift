import GRDB
import GRDBSQLite
import HeldoutCore

/// A prepared statement driven through the C API, for the store's per-row hot paths (ingest,
/// grading, the split's and the audit's full scans) where GRDB's conveniences cost 5–15%
/// (measured: 1M single-row inserts in one transaction, 1.7 s through GRDB against 1.6 s) and,
/// at a million rows, seconds. Everything else goes through GRDB. Internal: other modules read
/// through the typed rows of ``StoreScan``.
final class RawStatement {
    private let handle: OpaquePointer
    private let db: OpaquePointer
    private static let transient = unsafeBitCast(-1, to: sqlite3_destructor_type.self)

    init(_ database: Database, _ sql: String) throws {
        guard let connection = database.sqliteConnection else {
            throw HeldoutError.store("the store's connection is closed")
        }
        db = connection
        var statement: OpaquePointer?
        let rc = sqlite3_prepare_v3(connection, sql, -1, UInt32(SQLITE_PREPARE_PERSISTENT), &statement, nil)
        guard rc == SQLITE_OK, let statement else {
            throw DatabaseError(resultCode: ResultCode(rawValue: rc), message: String(cString: sqlite3_errmsg(connection)), sql: sql)
        }
        handle = statement
    }

    deinit { sqlite3_finalize(handle) }

    func bind(_ index: Int32, _ value: Int64) { sqlite3_bind_int64(handle, index, value) }
    func bind(_ index: Int32, _ value: String) { sqlite3_bind_text(handle, index, value, -1, Self.transient) }
    func bind(_ index: Int32, _ value: String?) {
        if let value { bind(index, value) } else { sqlite3_bind_null(handle, index) }
    }
    /// Text that SQLite does not copy (`SQLITE_STATIC`): the bytes must stay valid and
    /// unchanged until the statement has run and been reset.
    func bindStatic(_ index: Int32, _ text: UnsafePointer<UInt8>, count: Int) {
        text.withMemoryRebound(to: CChar.self, capacity: max(count, 1)) {
            _ = sqlite3_bind_text(handle, index, $0, Int32(count), nil)
        }
    }
    func bind(_ index: Int32, _ value: Double?) {
        if let value { sqlite3_bind_double(handle, index, value) } else { sqlite3_bind_null(handle, index) }
    }
    func bind(_ index: Int32, _ id: ContentID) {
        id.withBytes { raw in
            _ = sqlite3_bind_blob(handle, index, raw.baseAddress, 16, Self.transient)
        }
    }
    func bind(_ index: Int32, _ id: ContentID?) {
        if let id { bind(index, id) } else { sqlite3_bind_null(handle, index) }
    }

    /// Steps once; `true` while a row is available.
    @discardableResult
    func step() throws -> Bool {
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

    /// Runs to completion, discarding rows, and resets.
    func run() throws {
        defer { reset() }
        while try step() {}
    }

    /// Runs to completion and resets, but keeps the bindings, for a statement whose every
    /// parameter is bound again before each run: SQLite then reuses the buffers it copied the
    /// last texts and blobs into instead of freeing and allocating them per value.
    func runRebinding() throws {
        defer { sqlite3_reset(handle) }
        while try step() {}
    }

    func int64(_ column: Int32) -> Int64 { sqlite3_column_int64(handle, column) }

    func string(_ column: Int32) -> String {
        guard let pointer = sqlite3_column_text(handle, column) else { return "" }
        let count = Int(sqlite3_column_bytes(handle, column))
        return String(decoding: UnsafeBufferPointer(start: pointer, count: count), as: UTF8.self)
    }

    /// Appends a text column's UTF-8 bytes without making a String (the grader's batch reads).
    func appendText(_ column: Int32, to bytes: inout [UInt8]) {
        guard let pointer = sqlite3_column_text(handle, column) else { return }
        let count = Int(sqlite3_column_bytes(handle, column))
        bytes.append(contentsOf: UnsafeBufferPointer(start: pointer, count: count))
    }

    func isNull(_ column: Int32) -> Bool { sqlite3_column_type(handle, column) == SQLITE_NULL }

    /// A text column, `nil` when NULL.
    func text(_ column: Int32) -> String? { isNull(column) ? nil : string(column) }

    /// A real column, `nil` when NULL.
    func double(_ column: Int32) -> Double? { isNull(column) ? nil : sqlite3_column_double(handle, column) }

    func contentID(_ column: Int32) -> ContentID? {
        guard sqlite3_column_type(handle, column) == SQLITE_BLOB,
              sqlite3_column_bytes(handle, column) == 16,
              let pointer = sqlite3_column_blob(handle, column) else { return nil }
        return ContentID(bytes: UnsafeRawBufferPointer(start: pointer, count: 16))
    }
}
