import Foundation

/// Words for a failed read or write that a user can act on ("permission denied", "no space
/// left on the device"), and the path it concerns when Foundation recorded one: an I/O failure
/// exits 4 naming the path (DESIGN), never 2 as a usage error would. In the core, since every
/// command's failures end in `main` with these words, not only publish's.
public enum IOFailure {
    /// The path Foundation attached to `error`, if any.
    public static func path(_ error: Error) -> String? {
        let info = (error as NSError).userInfo
        if let path = info[NSFilePathErrorKey] as? String { return path }
        if let url = info[NSURLErrorKey] as? URL { return url.path }
        return nil
    }

    /// The cause in plain words, from the POSIX error underneath when there is one.
    public static func reason(_ error: Error) -> String {
        var current: NSError? = error as NSError
        while let e = current {
            if e.domain == NSPOSIXErrorDomain, let code = POSIXErrorCode(rawValue: Int32(e.code)) {
                return words(code)
            }
            current = e.userInfo[NSUnderlyingErrorKey] as? NSError
        }
        if let cocoa = error as? CocoaError {
            switch cocoa.code {
            case .fileWriteOutOfSpace: return words(.ENOSPC)
            case .fileWriteVolumeReadOnly: return words(.EROFS)
            case .fileWriteNoPermission, .fileReadNoPermission: return words(.EACCES)
            case .fileNoSuchFile, .fileReadNoSuchFile: return words(.ENOENT)
            default: break
            }
        }
        let text = "\(error)"
        if text.localizedCaseInsensitiveContains("disk is full") || text.localizedCaseInsensitiveContains("SQLITE_FULL") { return words(.ENOSPC) }
        return text
    }

    static func words(_ code: POSIXErrorCode) -> String {
        switch code {
        case .ENOSPC: "no space left on the device; free some space or choose another folder"
        case .EROFS: "the file system is read-only; choose a writable folder"
        case .EACCES, .EPERM: "permission denied; choose a folder you can write to, or fix its permissions"
        case .ENOENT: "no such file or folder"
        case .EDQUOT: "disk quota exceeded"
        default: String(cString: strerror(code.rawValue))
        }
    }
}
