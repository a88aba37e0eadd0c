import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A path a command will write, checked before the command does any work: a file (`--out`, `--json`) or a folder
/// (`--reports`). Writability is tried, not asked of `access(2)` (which says yes to root everywhere): a probe file is
/// created and removed in the folder that will hold the output.
public struct OutputPath: Sendable, Equatable {
    /// What the flag names.
    public enum Kind: Sendable, Equatable {
        /// One file, written whole (a temporary file beside it, then renamed).
        case file
        /// A folder that is created when missing, and files written inside it.
        case folder
    }

    /// The flag that gave the path, as the user typed it (`--out`).
    public var flag: String
    public var path: String
    public var kind: Kind

    public init(flag: String, path: String, kind: Kind) {
        self.flag = flag
        self.path = path
        self.kind = kind
    }

    /// Throws the first reason the output cannot be written; creates nothing that stays.
    public func check() throws(OutputPathError) {
        let fm = FileManager.default
        guard !path.isEmpty else { throw .empty(flag: flag) }
        var isDir: ObjCBool = false
        let exists = fm.fileExists(atPath: path, isDirectory: &isDir)
        switch kind {
        case .file:
            if path.hasSuffix("/") || (exists && isDir.boolValue) { throw .directoryGiven(flag: flag, path: path) }
            let parent = (path as NSString).deletingLastPathComponent
            try Self.requireWritableFolder(parent.isEmpty ? "." : parent, flag: flag, path: path)
        case .folder:
            if exists {
                guard isDir.boolValue else { throw .fileGiven(flag: flag, path: path) }
                try Self.requireWritableFolder(path, flag: flag, path: path)
                return
            }
            // A missing folder is made with its missing parents: the nearest one that exists must take new entries.
            var ancestor = (path as NSString).deletingLastPathComponent
            while !ancestor.isEmpty, !fm.fileExists(atPath: ancestor) { ancestor = (ancestor as NSString).deletingLastPathComponent }
            try Self.requireWritableFolder(ancestor.isEmpty ? "." : ancestor, flag: flag, path: path)
        }
    }

    /// `folder` exists, is a folder, and a file can be created in it.
    static func requireWritableFolder(_ folder: String, flag: String, path: String) throws(OutputPathError) {
        var isDir: ObjCBool = false
        guard FileManager.default.fileExists(atPath: folder, isDirectory: &isDir) else { throw .missingFolder(flag: flag, path: path, folder: folder) }
        guard isDir.boolValue else { throw .notAFolder(flag: flag, path: path, folder: folder) }
        let probe = (folder as NSString).appendingPathComponent(".rsbench-write-probe-\(getpid())-\(UInt32.random(in: 0...UInt32.max))")
        let fd = open(probe, O_WRONLY | O_CREAT | O_EXCL, 0o600)
        guard fd >= 0 else { throw .notWritable(flag: flag, path: path, folder: folder, reason: String(cString: strerror(errno))) }
        close(fd)
        unlink(probe)
    }
}

/// Why an output path cannot be written; each message names the flag and what was expected.
public enum OutputPathError: Error, Equatable, CustomStringConvertible {
    case empty(flag: String)
    case directoryGiven(flag: String, path: String)
    case fileGiven(flag: String, path: String)
    case missingFolder(flag: String, path: String, folder: String)
    case notAFolder(flag: String, path: String, folder: String)
    case notWritable(flag: String, path: String, folder: String, reason: String)

    public var description: String {
        switch self {
        case .empty(let flag):
            "\(flag): empty path; expected a file or folder name"
        case .directoryGiven(let flag, let path):
            "\(flag) \(path): is a folder; expected a file name, like \(path.hasSuffix("/") ? path : path + "/")out.json"
        case .fileGiven(let flag, let path):
            "\(flag) \(path): is a file; expected a folder (it is created when missing)"
        case .missingFolder(let flag, let path, let folder):
            "\(flag) \(path): the folder \(folder) does not exist; create it first"
        case .notAFolder(let flag, let path, let folder):
            "\(flag) \(path): \(folder) is a file, not a folder"
        case .notWritable(let flag, let path, let folder, let reason):
            "\(flag) \(path): cannot create files in \(folder) (\(reason))"
        }
    }
}

extension Array where Element == OutputPath {
    /// Checks every path in order; the first problem is thrown.
    public func check() throws(OutputPathError) {
        for p in self { try p.check() }
    }
}
