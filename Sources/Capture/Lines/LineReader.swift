#if canImport(Glibc)
import Glibc
#endif

/// Splits a byte stream into lines by scanning for '\n' (a trailing '\r' is dropped), in large blocks.
public struct LineReader {
    /// Lines longer than this are reported and skipped rather than buffered without bound.
    public static let maxLineLength = 64 << 20

    private let source: any ByteSource
    private var buffer: [UInt8]
    private var start = 0
    private var end = 0
    private var ended = false
    /// 1-based number of the line last returned.
    public private(set) var lineNumber = 0

    public init(source: any ByteSource, blockSize: Int = 256 * 1024) {
        self.source = source
        buffer = [UInt8](repeating: 0, count: blockSize)
    }

    /// One line.
    public enum Line {
        case text([UInt8])
        /// Longer than `maxLineLength`; its bytes were discarded.
        case tooLong
    }

    /// The next line without its terminator, nil at the end. A last line without '\n' still counts.
    public mutating func next() throws(CaptureError) -> Line? {
        var discarding = false
        while true {
            if let nl = findNewline() {
                var lineEnd = nl
                if lineEnd > start && buffer[lineEnd - 1] == 0x0d { lineEnd -= 1 }
                let line = Array(buffer[start..<lineEnd])
                start = nl + 1
                lineNumber += 1
                return discarding ? .tooLong : .text(line)
            }
            if ended {
                if start == end { return nil }
                let line = Array(buffer[start..<end])
                start = end
                lineNumber += 1
                return discarding ? .tooLong : .text(line)
            }
            if end - start > Self.maxLineLength {
                discarding = true
                start = 0
                end = 0
            }
            try fill()
        }
    }

    private func findNewline() -> Int? {
        if start == end { return nil }
        return buffer.withUnsafeBytes { raw -> Int? in
            guard let p = memchr(raw.baseAddress! + start, 0x0a, end - start) else { return nil }
            return raw.baseAddress!.distance(to: UnsafeRawPointer(p))
        }
    }

    private mutating func fill() throws(CaptureError) {
        if start > 0 {
            // Move the partial line to the front; blocks are large, so this is rare per byte.
            let count = end - start
            if count > 0 {
                buffer.withUnsafeMutableBytes { raw in
                    _ = memmove(raw.baseAddress!, raw.baseAddress! + start, count)
                }
            }
            start = 0
            end = count
        }
        if end == buffer.count { buffer.append(contentsOf: repeatElement(0, count: buffer.count)) }
        let e = end
        let src = source
        let n = try buffer.withMutableBytes { raw throws(CaptureError) -> Int in
            try src.read(into: UnsafeMutableRawBufferPointer(rebasing: raw[e...]))
        }
        if n == 0 { ended = true } else { end += n }
    }
}
