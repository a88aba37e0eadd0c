import CZstd
import Foundation

/// Writes a zstd-compressed file incrementally (for `.ndjson.zst` recordings of any size).
public final class ZstdFileWriter {
    private let stream: OpaquePointer
    private let file: FileHandle
    private var out: [UInt8]
    public let path: String

    public init(path: String, level: Int32 = 3) throws(Zstd.Failure) {
        guard FileManager.default.createFile(atPath: path, contents: nil), let f = FileHandle(forWritingAtPath: path) else {
            throw Zstd.Failure(message: "cannot create \(path)")
        }
        guard let s = ZSTD_createCCtx() else { throw Zstd.Failure(message: "cannot allocate a compression context") }
        ZSTD_CCtx_setParameter(s, ZSTD_c_compressionLevel, level)
        stream = s
        file = f
        self.path = path
        out = [UInt8](repeating: 0, count: ZSTD_CStreamOutSize())
    }

    deinit { ZSTD_freeCCtx(stream) }

    public func write(_ bytes: [UInt8]) throws(Zstd.Failure) {
        try pump(bytes, end: false)
    }

    /// Flushes the last frame and closes the file.
    public func close() throws(Zstd.Failure) {
        try pump([], end: true)
        try? file.close()
    }

    private func pump(_ bytes: [UInt8], end: Bool) throws(Zstd.Failure) {
        let result: Result<Void, Zstd.Failure> = bytes.withUnsafeBytes { src in
            var input = ZSTD_inBuffer(src: src.baseAddress, size: src.count, pos: 0)
            while true {
                let (ret, produced) = out.withUnsafeMutableBytes { dst -> (Int, Int) in
                    var output = ZSTD_outBuffer(dst: dst.baseAddress, size: dst.count, pos: 0)
                    let r = ZSTD_compressStream2(stream, &output, &input, end ? ZSTD_e_end : ZSTD_e_continue)
                    return (r, output.pos)
                }
                if ZSTD_isError(ret) != 0 { return .failure(Zstd.Failure(message: String(cString: ZSTD_getErrorName(ret)))) }
                if produced > 0 { file.write(Data(out[0..<produced])) }
                if end ? ret == 0 : input.pos == input.size { return .success(()) }
            }
        }
        try result.get()
    }
}
