import Zlib
import Zstd

/// Decompresses gzip or zstd from another source as it is read, so large recordings never sit whole in memory.
public final class DecompressingSource: ByteSource {
    private enum Engine {
        case gzip(Inflater)
        case zstd(ZstdDecompressor)
    }

    private let upstream: any ByteSource
    private let engine: Engine
    private let path: String
    private var input: [UInt8]
    private var inStart = 0
    private var inEnd = 0
    private var upstreamEnded = false
    /// True between frames/members, so the end of input there is a clean end.
    private var atBoundary = true

    public init(upstream: any ByteSource, compression: Compression, path: String) throws(CaptureError) {
        self.upstream = upstream
        self.path = path
        input = [UInt8](repeating: 0, count: 256 * 1024)
        do {
            switch compression {
            case .gzip: engine = .gzip(try Inflater(format: .gzip))
            case .zstd: engine = .zstd(try ZstdDecompressor())
            case .none: throw CaptureError(.decompression, file: path, "DecompressingSource needs gzip or zstd")
            }
        } catch let e as CaptureError {
            throw e
        } catch {
            throw CaptureError(.decompression, file: path, "\(error)")
        }
    }

    public func read(into buffer: UnsafeMutableRawBufferPointer) throws(CaptureError) -> Int {
        if buffer.count == 0 { return 0 }
        while true {
            if inStart == inEnd && !upstreamEnded {
                let n = try input.withMutableBytes { b throws(CaptureError) in try upstream.read(into: b) }
                inStart = 0
                inEnd = n
                if n == 0 { upstreamEnded = true }
            }
            if inStart == inEnd && upstreamEnded {
                if atBoundary { return 0 }
                throw CaptureError(.decompression, file: path, "compressed data ends in the middle of a frame (file truncated?)")
            }
            let (consumed, produced, ended) = try step(buffer)
            inStart += consumed
            if consumed > 0 || produced > 0 { atBoundary = ended }
            if ended, case .gzip(let inflater) = engine {
                // Concatenated gzip members are one stream to `gzip -d`; mirror that.
                inflater.reset()
            }
            if produced > 0 { return produced }
            if consumed == 0 && inStart < inEnd && !ended {
                throw CaptureError(.decompression, file: path, "decompressor made no progress (corrupt data)")
            }
        }
    }

    private func step(_ out: UnsafeMutableRawBufferPointer) throws(CaptureError) -> (Int, Int, Bool) {
        let start = inStart, end = inEnd
        return try input.withBytes { raw throws(CaptureError) -> (Int, Int, Bool) in
            let slice = UnsafeRawBufferPointer(rebasing: raw[start..<end])
            switch engine {
            case .gzip(let inflater):
                do {
                    let s = try inflater.process(slice, out)
                    return (s.consumed, s.produced, s.streamEnded)
                } catch {
                    throw CaptureError(.decompression, file: path, "\(error)")
                }
            case .zstd(let d):
                do {
                    let s = try d.process(slice, out)
                    return (s.consumed, s.produced, s.frameEnded)
                } catch {
                    throw CaptureError(.decompression, file: path, "\(error)")
                }
            }
        }
    }
}
