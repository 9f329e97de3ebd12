import Foundation

/// Where a spec's relative paths point: against the folder holding the spec file (and its
/// `base`, when it states one), never against the working directory, so a spec means the same
/// files wherever heldout is run from. Absolute paths are taken as they are.
extension SplitSpec {
    /// The spec file's folder, absolute (the working directory's for a spec not read from a file).
    public var directory: String {
        get { _directory ?? FileManager.default.currentDirectoryPath }
        set { _directory = newValue }
    }

    /// The folder relative `sources` and `templates` paths resolve against: `directory`, then `base`.
    public var pathBase: String {
        guard let base else { return directory }
        return SpecPaths.resolve(base, against: directory)
    }

    /// `path` as the spec means it: unchanged when absolute, else under ``pathBase``. A URI
    /// (`hdfs://…/a.tmx`) is its local copy in ``fetchedSources`` when there is one (same file
    /// name), else the URI itself, which no local file matches.
    public func resolve(_ path: String) -> String {
        if SpecPaths.isURI(path) {
            guard let folder = fetchedSources, let name = path.split(separator: "/").last else { return path }
            return SpecPaths.resolve(String(name), against: folder)
        }
        return SpecPaths.resolve(path, against: pathBase)
    }

    /// A path given on the command line (relative to the working directory) as this spec
    /// spells it: relative to ``pathBase``; an absolute path stays absolute.
    public func spelling(_ workingDirectoryPath: String) -> String {
        guard !workingDirectoryPath.hasPrefix("/") else { return workingDirectoryPath }
        let absolute = SpecPaths.resolve(workingDirectoryPath, against: FileManager.default.currentDirectoryPath)
        return SpecPaths.relative(from: pathBase, to: absolute)
    }

    /// The spec as written into `folder` (a split directory's `spec.yaml`): its paths keep their
    /// spelling, and `base` says where they start from, relative to `folder`; absolute when
    /// `folder` is nil (the split is read from a place not on this file system, such as hdfs:).
    public func stored(in folder: URL?) -> SplitSpec {
        var copy = self
        copy.base = folder.map { SpecPaths.relative(from: $0.standardizedFileURL.path, to: pathBase) } ?? pathBase
        return copy
    }
}

/// Lexical path arithmetic for spec paths (no symlink resolution: the paths are printed back).
public enum SpecPaths {
    /// Whether `path` is a URI (`hdfs://…`, `s3a://…`, `file:…`): a scheme followed by `://`,
    /// or `file:`, so that a file name with a colon (`en-fr:v2.tmx`) stays a path.
    public static func isURI(_ path: String) -> Bool {
        path.hasPrefix("file:") || path.range(of: "^[A-Za-z][A-Za-z0-9+.-]*://", options: .regularExpression) != nil
    }

    /// `path` unchanged when absolute, else `folder/path`, with `.` and `..` folded.
    public static func resolve(_ path: String, against folder: String) -> String {
        if path.hasPrefix("/") { return URL(fileURLWithPath: path).standardizedFileURL.path }
        return URL(fileURLWithPath: folder).appendingPathComponent(path).standardizedFileURL.path
    }

    /// An absolute path as a command line would give it: relative to the working directory
    /// when it lies below it (what the store records of a corpus's files, as `ingest` does),
    /// else absolute.
    public static func fromWorkingDirectory(_ absolute: String) -> String {
        let here = URL(fileURLWithPath: FileManager.default.currentDirectoryPath).standardizedFileURL.path
        let prefix = here.hasSuffix("/") ? here : here + "/"
        return absolute.hasPrefix(prefix) ? String(absolute.dropFirst(prefix.count)) : absolute
    }

    /// The relative path that leads from folder `from` to `to` (both absolute): `.` when they
    /// are the same, `../..`-style when `to` is not below `from`.
    public static func relative(from: String, to: String) -> String {
        let a = URL(fileURLWithPath: from).standardizedFileURL.pathComponents.filter { $0 != "/" }
        let b = URL(fileURLWithPath: to).standardizedFileURL.pathComponents.filter { $0 != "/" }
        var common = 0
        while common < a.count, common < b.count, a[common] == b[common] { common += 1 }
        let parts = Array(repeating: "..", count: a.count - common) + b[common...]
        return parts.isEmpty ? "." : parts.joined(separator: "/")
    }
}

/// Where a split directory is read from after it is written, which `spec.yaml`'s `base` (the
/// way back to the sources) is stated against.
public enum SplitLocation: Sendable, Equatable {
    /// Where the split is written (`Splitter.Options.output`).
    case output
    /// A local folder it is copied to: `base` is relative to it, as for a split written there.
    case folder(URL)
    /// A place off this file system (`hdfs:`, `s3a:`): `base` is the absolute folder on the machine that built it.
    case elsewhere

    /// The folder `base` is relative to; nil for an absolute `base`.
    public func folder(output: URL) -> URL? {
        switch self {
        case .output: output
        case .folder(let url): url
        case .elsewhere: nil
        }
    }

    /// The location a `--read-from` argument names: a `file:` URI or a path (relative to the
    /// working directory) is a folder here, any other URI is elsewhere.
    public init(argument: String) {
        let here = FileManager.default.currentDirectoryPath
        if let url = URL(string: argument), url.scheme == "file" {
            self = .folder(URL(fileURLWithPath: SpecPaths.resolve(url.path, against: here)))
        } else if SpecPaths.isURI(argument) {
            self = .elsewhere
        } else {
            self = .folder(URL(fileURLWithPath: SpecPaths.resolve(argument, against: here)))
        }
    }
}
