import CZstd
import Foundation

/// zstd compression of whole buffers (HTTP bodies, payloads) over libzstd.
public enum Zstd {
    /// A failure reported by libzstd.
    public struct Failure: Error, Sendable, CustomStringConvertible {
        public var message: String
        public var description: String { "zstd: \(message)" }
    }

    public static func compress(_ input: some ContiguousBytes, level: Int32 = 3) throws(Failure) -> [UInt8] {
        let result: Result<[UInt8], Failure> = input.withUnsafeBytes { src in
            let bound = ZSTD_compressBound(src.count)
            var out = [UInt8](repeating: 0, count: bound)
            let n = out.withUnsafeMutableBytes { dst in
                ZSTD_compress(dst.baseAddress, bound, src.baseAddress, src.count, level)
            }
            if ZSTD_isError(n) != 0 { return .failure(Failure(message: String(cString: ZSTD_getErrorName(n)))) }
            out.removeSubrange(n...)
            return .success(out)
        }
        return try result.get()
    }

    /// Decompresses one or more concatenated frames, with or without a recorded content size.
    public static func decompress(_ input: some ContiguousBytes, maxOutput: Int = 1 << 30) throws(Failure) -> [UInt8] {
        let result: Result<[UInt8], Failure> = input.withUnsafeBytes { src in
            guard let ds = ZSTD_createDStream() else { return .failure(Failure(message: "cannot allocate a decompression stream")) }
            defer { ZSTD_freeDStream(ds) }
            var out: [UInt8] = []
            let chunk = ZSTD_DStreamOutSize()
            var buffer = [UInt8](repeating: 0, count: chunk)
            var inBuf = ZSTD_inBuffer(src: src.baseAddress, size: src.count, pos: 0)
            var lastRet = 0
            while inBuf.pos < inBuf.size || lastRet != 0 {
                let (ret, produced) = buffer.withUnsafeMutableBytes { dst -> (Int, Int) in
                    var outBuf = ZSTD_outBuffer(dst: dst.baseAddress, size: chunk, pos: 0)
                    let r = ZSTD_decompressStream(ds, &outBuf, &inBuf)
                    return (r, outBuf.pos)
                }
                if ZSTD_isError(ret) != 0 { return .failure(Failure(message: String(cString: ZSTD_getErrorName(ret)))) }
                out.append(contentsOf: buffer[0..<produced])
                if out.count > maxOutput { return .failure(Failure(message: "output larger than \(maxOutput) bytes")) }
                lastRet = ret
                if produced == 0 && inBuf.pos >= inBuf.size && ret != 0 {
                    return .failure(Failure(message: "truncated input: the last frame is incomplete"))
                }
            }
            return .success(out)
        }
        return try result.get()
    }
}
