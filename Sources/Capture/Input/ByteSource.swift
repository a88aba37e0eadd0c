/// A pull source of bytes: the seam between files/decompressors and the format readers.
public protocol ByteSource: AnyObject {
    /// Fills up to `buffer.count` bytes and returns how many; 0 means the end.
    func read(into buffer: UnsafeMutableRawBufferPointer) throws(CaptureError) -> Int
}

extension ByteSource {
    /// Reads up to `limit` bytes from the start (for format detection).
    /// With `partialOnDecompressionError`, a compressed stream that breaks off yields what came before.
    func readPrefix(_ limit: Int, partialOnDecompressionError: Bool = false) throws(CaptureError) -> [UInt8] {
        var out = [UInt8](repeating: 0, count: limit)
        var filled = 0
        while filled < limit {
            let n: Int
            do throws(CaptureError) {
                n = try out.withMutableBytes { buf throws(CaptureError) -> Int in
                    try read(into: UnsafeMutableRawBufferPointer(rebasing: buf[filled...]))
                }
            } catch {
                guard partialOnDecompressionError && error.kind == .decompression && filled > 0 else { throw error }
                break
            }
            if n == 0 { break }
            filled += n
        }
        out.removeSubrange(filled...)
        return out
    }
}
