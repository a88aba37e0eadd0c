import CZlib

/// An inflate stream with a persistent context: gzip files (streaming) or raw deflate (WebSocket permessage-deflate).
public final class Inflater {
    /// Which container the compressed bytes are in.
    public enum Format: Sendable {
        /// gzip members, concatenated members allowed (what `gzip` and `cat a.gz b.gz` produce).
        case gzip
        /// Raw deflate with no header, as permessage-deflate sends it.
        case raw
    }

    /// What one `process` call did.
    public struct Step: Sendable {
        public var consumed: Int
        public var produced: Int
        /// A gzip member or deflate stream ended exactly here.
        public var streamEnded: Bool
    }

    private let stream: UnsafeMutablePointer<z_stream>
    public let format: Format

    public init(format: Format) throws(Zlib.Failure) {
        self.format = format
        stream = .allocate(capacity: 1)
        stream.initialize(to: z_stream())
        // Raw inflate always uses the largest window: it decodes streams made with any smaller max_window_bits.
        let bits: Int32 = format == .gzip ? 15 + 16 : -15
        let r = inflateInit2_(stream, bits, zlibVersion(), Int32(MemoryLayout<z_stream>.size))
        if r != Z_OK {
            stream.deallocate()
            throw Zlib.Failure(message: "inflateInit2 failed (\(r))")
        }
    }

    deinit {
        inflateEnd(stream)
        stream.deallocate()
    }

    /// Forgets the history window (no_context_takeover, or a new gzip member).
    public func reset() { inflateReset(stream) }

    /// Inflates as much of `input` into `output` as fits; call again with the unconsumed rest.
    public func process(_ input: UnsafeRawBufferPointer, _ output: UnsafeMutableRawBufferPointer) throws(Zlib.Failure) -> Step {
        stream.pointee.next_in = UnsafeMutablePointer(mutating: input.baseAddress?.assumingMemoryBound(to: UInt8.self))
        stream.pointee.avail_in = UInt32(input.count)
        stream.pointee.next_out = output.baseAddress?.assumingMemoryBound(to: UInt8.self)
        stream.pointee.avail_out = UInt32(output.count)
        let r = inflate(stream, Z_NO_FLUSH)
        let step = Step(consumed: input.count - Int(stream.pointee.avail_in),
                        produced: output.count - Int(stream.pointee.avail_out),
                        streamEnded: r == Z_STREAM_END)
        stream.pointee.next_in = nil
        stream.pointee.next_out = nil
        switch r {
        case Z_OK, Z_STREAM_END: return step
        case Z_BUF_ERROR: return step  // no progress possible: needs more input or more output room
        default: throw Zlib.Failure(message: Zlib.message(stream, r))
        }
    }

    /// Inflates one permessage-deflate message (RFC 7692 §7.2.2): appends the 00 00 ff ff tail the sender stripped.
    public func inflateMessage(_ compressed: [UInt8], maxOutput: Int = 64 << 20) throws(Zlib.Failure) -> [UInt8] {
        var input = compressed
        input.append(contentsOf: [0, 0, 0xff, 0xff])
        var out: [UInt8] = []
        out.reserveCapacity(compressed.count * 4)
        var chunk = [UInt8](repeating: 0, count: 32 * 1024)
        var offset = 0
        while true {
            let result: Result<Step, Zlib.Failure> = input.withUnsafeBytes { src in
                chunk.withUnsafeMutableBytes { dst in
                    Result { () throws(Zlib.Failure) -> Step in try process(UnsafeRawBufferPointer(rebasing: src[offset...]), dst) }
                }
            }
            let step = try result.get()
            offset += step.consumed
            out.append(contentsOf: chunk[0..<step.produced])
            if out.count > maxOutput { throw Zlib.Failure(message: "inflated message larger than \(maxOutput) bytes") }
            if step.streamEnded {
                // The sender finished its deflate stream (BFINAL); the next message starts a fresh one.
                reset()
                return out
            }
            if offset >= input.count && step.produced < chunk.count { return out }
            if step.consumed == 0 && step.produced == 0 {
                throw Zlib.Failure(message: "inflate made no progress (corrupt or incomplete deflate data)")
            }
        }
    }
}
