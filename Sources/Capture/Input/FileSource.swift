#if canImport(Glibc)
import Glibc
#endif

/// Raw bytes of a file through read(2), unbuffered: callers read in large blocks.
public final class FileSource: ByteSource {
    private let fd: Int32
    public let path: String

    public init(path: String) throws(CaptureError) {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        if fd < 0 {
            throw CaptureError(.cannotOpen, file: path, "cannot open: \(String(cString: strerror(errno)))")
        }
        self.fd = fd
        self.path = path
    }

    deinit { close(fd) }

    public func read(into buffer: UnsafeMutableRawBufferPointer) throws(CaptureError) -> Int {
        while true {
            let n = Glibc.read(fd, buffer.baseAddress, buffer.count)
            if n >= 0 { return n }
            if errno == EINTR { continue }
            throw CaptureError(.io, file: path, "read failed: \(String(cString: strerror(errno)))")
        }
    }
}
