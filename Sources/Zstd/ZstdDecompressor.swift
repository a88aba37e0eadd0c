import CZstd

/// Streaming zstd decompression: feed input a piece at a time, get output a piece at a time.
public final class ZstdDecompressor {
    /// What one `process` call did.
    public struct Step: Sendable {
        public var consumed: Int
        public var produced: Int
        /// A frame ended exactly here and no partial frame is pending.
        public var frameEnded: Bool
    }

    private let stream: OpaquePointer

    public init() throws(Zstd.Failure) {
        guard let s = ZSTD_createDStream() else { throw Zstd.Failure(message: "cannot allocate a decompression stream") }
        ZSTD_initDStream(s)
        stream = s
    }

    deinit { ZSTD_freeDStream(stream) }

    /// Decompresses as much of `input` into `output` as fits; call again with the unconsumed rest.
    public func process(_ input: UnsafeRawBufferPointer, _ output: UnsafeMutableRawBufferPointer) throws(Zstd.Failure) -> Step {
        var inBuf = ZSTD_inBuffer(src: input.baseAddress, size: input.count, pos: 0)
        var outBuf = ZSTD_outBuffer(dst: output.baseAddress, size: output.count, pos: 0)
        let r = ZSTD_decompressStream(stream, &outBuf, &inBuf)
        if ZSTD_isError(r) != 0 { throw Zstd.Failure(message: String(cString: ZSTD_getErrorName(r))) }
        return Step(consumed: inBuf.pos, produced: outBuf.pos, frameEnded: r == 0)
    }
}
