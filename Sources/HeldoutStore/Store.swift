import Foundation
import GRDB
import HeldoutCore

/// The SQLite store every stage reads and writes (DESIGN "Pipeline").
///
/// WAL mode, so readers never block the one writer; every write runs in an IMMEDIATE
/// transaction, so two writers queue up instead of failing half-way (the second waits up to
/// ``busyTimeout`` and then fails with `HeldoutError.storeBusy`, exit 4).
public final class Store: @unchecked Sendable {
    /// The store's file, as given: named in every error about the store.
    public let path: String
    let queue: DatabaseQueue
    /// Seconds a writer waits for another process's write lock before giving up (exit 4).
    public let busyTimeout: Int
    /// The store's file, held open for the `flock` below (see ``StoreFile``).
    private let file: StoreFile.ID

    /// Opens (and, unless `mustExist`, creates) the store at `path`, migrating it to the
    /// current schema.
    /// `onWait`: called once, with the path, when another process holds the store's write lock
    /// and this one starts waiting for it (the command line says so on standard error).
    public init(path: String, mustExist: Bool = false, busyTimeout: Int = 600,
                onWait: (@Sendable (String) -> Void)? = nil) throws {
        self.path = path
        self.busyTimeout = busyTimeout
        if mustExist, !FileManager.default.fileExists(atPath: path) {
            throw HeldoutError.badInput(SourceLocation(file: path),
                                        "no store here; create one with `heldout ingest` or name it with --store")
        }
        var config = Configuration()
        // WAL is switched on here, not by GRDB's `journalMode = .wal`: for that setting GRDB
        // writes and drops a table whenever the WAL file is missing or empty — at every open,
        // since SQLite deletes the WAL when the last connection closes — so that a
        // `DatabasePool`'s read-only readers find one
        // (https://github.com/groue/GRDB.swift/issues/102). heldout opens one read-write
        // `DatabaseQueue`, which needs no such file; the write cost a commit, two
        // fsyncs and Foundation's file-attribute lookup (user and group names) at the start of
        // every command. The mode is persistent: on an existing store this reads it back and
        // writes nothing.
        if let onWait {
            // SQLite's own timeout handler, plus one notice when the wait begins.
            let wait = BusyWait(path: path, seconds: busyTimeout, notice: onWait)
            config.busyMode = .callback { tries in wait.retry(tries) }
        } else {
            config.busyMode = .timeout(TimeInterval(busyTimeout))
        }
        config.label = "heldout.store"
        config.prepareDatabase { db in
            let mode = try String.fetchOne(db, sql: "PRAGMA journal_mode = WAL")
            guard mode == "wal" else { throw DatabaseError(message: "could not activate WAL mode at path: \(path)") }
            // Bounded memory: a 32 MB page cache whatever the corpus size; large transactions
            // spill to the WAL instead of growing the heap. SQLite's sorter (ingest's merge, index
            // builds) takes as much again, so 32 MB here is about 64 MB at the peak.
            try db.execute(sql: "PRAGMA cache_size = -32768")
            try db.execute(sql: "PRAGMA synchronous = NORMAL")
            try db.execute(sql: "PRAGMA temp_store = FILE")
            // No memory map (`mmap_size`): it saved ~5 ms on a grading pass with nothing to do,
            // but every page read through it counts in the process's resident memory — an
            // ingest's index build scans the whole segment table — and ingest promises a flat
            // peak RSS under 150 MB.
        }
        do {
            // Opening (which switches a new file to WAL, and needs a moment's exclusive lock) and
            // migrating happen under one `flock`: two processes opening a new store at once
            // otherwise saw SQLITE_BUSY at once, without the busy handler's wait (a concurrent
            // ingest test failed so under load). A long write does not hold it.
            let (file, descriptor) = try StoreFile.retain(path)
            self.file = file
            StoreFile.opening.lock()
            defer { StoreFile.opening.unlock() }
            flock(descriptor, LOCK_EX)
            defer { flock(descriptor, LOCK_UN) }
            do {
                queue = try DatabaseQueue(path: path, configuration: config)
            } catch {
                StoreFile.release(file)
                throw error
            }
            try Store.migrate(queue, path: path)
            let superseded = try queue.read { try Schema.migrator.hasBeenSuperseded($0) }
            if superseded {
                throw HeldoutError.store("\(path): this store was written by a newer heldout (schema newer than \(Schema.version)); upgrade heldout")
            }
        } catch let error as HeldoutError {
            throw error
        } catch let error as DatabaseError {
            throw Store.translate(error, path: path, busyTimeout: busyTimeout)
        }
    }

    /// The connection is closed before the descriptor (see ``StoreFile``).
    deinit {
        try? queue.close()
        StoreFile.release(file)
    }

    /// Brings the schema up to date. Two processes opening a new store at once would both see
    /// "nothing applied" and race to create the same tables, so the caller holds an exclusive
    /// `flock` on the database file (independent of SQLite's own fcntl locks on Linux); the
    /// second process then finds every migration applied.
    static func migrate(_ queue: DatabaseQueue, path: String) throws {
        if try queue.read({ try Schema.migrator.hasCompletedMigrations($0) }) { return }
        try Schema.migrator.migrate(queue)
    }

    /// Maps SQLite failures onto messages a user can act on.
    static func translate(_ error: DatabaseError, path: String, busyTimeout: Int) -> HeldoutError {
        switch error.resultCode {
        case .SQLITE_BUSY, .SQLITE_LOCKED:
            return .storeBusy(path: path, waitedSeconds: busyTimeout)
        case .SQLITE_NOTADB, .SQLITE_CORRUPT:
            return .store("\(path): not a heldout store (\(error.message ?? "not a database"))")
        case .SQLITE_FULL:
            return .store("\(path): the disk is full; nothing of this run was kept")
        default:
            return .store("\(path): \(error.message ?? "\(error)")")
        }
    }

    /// Runs `body` in one IMMEDIATE transaction: all of it is kept, or none of it.
    public func write<T>(_ body: (Database) throws -> T) throws -> T {
        do {
            var result: T?
            try queue.inTransaction(.immediate) { db in
                result = try body(db)
                return .commit
            }
            return result!
        } catch let error as DatabaseError {
            throw Store.translate(error, path: path, busyTimeout: busyTimeout)
        }
    }

    /// Runs `body` in one read transaction: it sees one consistent store while a writer works.
    public func read<T>(_ body: (Database) throws -> T) throws -> T {
        do {
            return try queue.read(body)
        } catch let error as DatabaseError {
            throw Store.translate(error, path: path, busyTimeout: busyTimeout)
        }
    }

    /// `PRAGMA integrity_check`: "ok" or the problems SQLite found.
    public func integrityCheck() throws -> [String] {
        try read { db in try String.fetchAll(db, sql: "PRAGMA integrity_check") }
    }
}

/// A busy handler that waits up to a timeout, sleeping a little longer each try (as SQLite's
/// own does, up to 100 ms), and says once that it is waiting.
final class BusyWait: @unchecked Sendable { // SQLite calls it on the connection's thread only
    private let path: String
    private let seconds: Int
    private let notice: @Sendable (String) -> Void
    private var started: Date?
    private var notified = false

    init(path: String, seconds: Int, notice: @escaping @Sendable (String) -> Void) {
        self.path = path
        self.seconds = seconds
        self.notice = notice
    }

    func retry(_ tries: Int) -> Bool {
        let now = Date()
        if tries == 0 || started == nil { started = now }
        if !notified {
            notified = true
            notice(path)
        }
        guard let started, now.timeIntervalSince(started) < Double(seconds) else { return false }
        usleep(useconds_t(min(100, 1 + tries * 5) * 1000))
        return true
    }
}

/// One descriptor per store file per process, closed when the last ``Store`` on the file is gone.
///
/// Closing any descriptor of a file drops every POSIX lock the process holds on it, SQLite's own
/// included. The descriptor `Store` opened for its `flock` used to be closed right after opening:
/// the process's shared lock on the database was gone, so another process closing its
/// connection took itself for the last one and checkpointed and reset the WAL under a live
/// writer ("database disk image is malformed", and a committed corpus lost, in issue 18's test of
/// one reader and two writers). A second descriptor of the same file is never opened, so none is
/// closed under a live connection.
enum StoreFile {
    struct ID: Hashable { var device: UInt64; var inode: UInt64 }

    private static let registry = NSLock()
    nonisolated(unsafe) private static var descriptors: [ID: (descriptor: Int32, count: Int)] = [:]
    /// Held while a store is opened and migrated: the `flock` on a shared descriptor does not
    /// exclude another opening in the same process.
    static let opening = NSLock()

    /// The file's descriptor (opened, or creating the file, on first use), counted once more.
    static func retain(_ path: String) throws -> (ID, Int32) {
        registry.lock()
        defer { registry.unlock() }
        var info = stat()
        if stat(path, &info) == 0 {
            let id = ID(device: UInt64(info.st_dev), inode: UInt64(info.st_ino))
            if let entry = descriptors[id] {
                descriptors[id] = (entry.descriptor, entry.count + 1)
                return (id, entry.descriptor)
            }
        }
        let descriptor = open(path, O_RDONLY | O_CREAT, 0o644)
        guard descriptor >= 0, fstat(descriptor, &info) == 0 else {
            let reason = String(cString: strerror(errno))
            if descriptor >= 0 { close(descriptor) }
            throw HeldoutError.store("\(path): cannot open or create the store (\(reason))")
        }
        let id = ID(device: UInt64(info.st_dev), inode: UInt64(info.st_ino))
        descriptors[id] = (descriptor, 1)
        return (id, descriptor)
    }

    static func release(_ id: ID) {
        registry.lock()
        defer { registry.unlock() }
        guard let entry = descriptors[id] else { return }
        if entry.count > 1 {
            descriptors[id] = (entry.descriptor, entry.count - 1)
        } else {
            descriptors[id] = nil
            close(entry.descriptor)
        }
    }
}
