import CZlib

/// zlib helpers for whole buffers: gzip and raw deflate (tests and recordings use them).
public enum Zlib {
    /// A failure reported by zlib, with zlib's own message where it gave one.
    public struct Failure: Error, Sendable, CustomStringConvertible {
        public var message: String
        public init(message: String) { self.message = message }
        public var description: String { "zlib: \(message)" }
    }

    /// Compresses `input` into one gzip member (what `gzip` writes).
    public static func gzip(_ input: [UInt8], level: Int32 = 6) throws(Failure) -> [UInt8] {
        let deflater = try Deflater(windowBits: 15 + 16, level: level)
        return try deflater.compress(input, flush: Z_FINISH)
    }

    /// Raw deflate of one buffer, finished (no zlib or gzip wrapper).
    public static func rawDeflate(_ input: [UInt8], level: Int32 = 6) throws(Failure) -> [UInt8] {
        let deflater = try Deflater(windowBits: -15, level: level)
        return try deflater.compress(input, flush: Z_FINISH)
    }

    static func message(_ stream: UnsafeMutablePointer<z_stream>, _ code: Int32) -> String {
        if let m = stream.pointee.msg { return String(cString: m) }
        return "error code \(code)"
    }
}

/// A deflate stream whose context persists between calls (permessage-deflate's sender side).
public final class Deflater {
    private let stream: UnsafeMutablePointer<z_stream>

    /// `windowBits`: -15 raw deflate, 15 zlib, 31 gzip.
    public init(windowBits: Int32 = -15, level: Int32 = 6) throws(Zlib.Failure) {
        stream = .allocate(capacity: 1)
        stream.initialize(to: z_stream())
        let r = deflateInit2_(stream, level, Z_DEFLATED, windowBits, 8, Z_DEFAULT_STRATEGY, zlibVersion(), Int32(MemoryLayout<z_stream>.size))
        if r != Z_OK {
            stream.deallocate()
            throw Zlib.Failure(message: "deflateInit2 failed (\(r))")
        }
    }

    deinit {
        deflateEnd(stream)
        stream.deallocate()
    }

    /// Compresses one WebSocket message the way RFC 7692 says: sync flush, then drop the 00 00 ff ff tail.
    public func compressMessage(_ input: [UInt8]) throws(Zlib.Failure) -> [UInt8] {
        var out = try compress(input, flush: Z_SYNC_FLUSH)
        if out.count >= 4 && Array(out.suffix(4)) == [0, 0, 0xff, 0xff] { out.removeLast(4) }
        return out
    }

    func compress(_ input: [UInt8], flush: Int32) throws(Zlib.Failure) -> [UInt8] {
        var out: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 64 * 1024)
        var input = input
        let count = input.count
        let result: Result<Void, Zlib.Failure> = input.withUnsafeMutableBufferPointer { src in
            stream.pointee.next_in = src.baseAddress
            stream.pointee.avail_in = UInt32(count)
            while true {
                let (r, produced) = chunk.withUnsafeMutableBufferPointer { dst -> (Int32, Int) in
                    stream.pointee.next_out = dst.baseAddress
                    stream.pointee.avail_out = UInt32(dst.count)
                    let r = deflate(stream, flush)
                    return (r, dst.count - Int(stream.pointee.avail_out))
                }
                if r != Z_OK && r != Z_STREAM_END && r != Z_BUF_ERROR {
                    return .failure(Zlib.Failure(message: Zlib.message(stream, r)))
                }
                out.append(contentsOf: chunk[0..<produced])
                if r == Z_STREAM_END { return .success(()) }
                if stream.pointee.avail_in == 0 && stream.pointee.avail_out != 0 { return .success(()) }
            }
        }
        stream.pointee.next_in = nil
        try result.get()
        return out
    }
}
