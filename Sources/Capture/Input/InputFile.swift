/// Opens a file and returns its content bytes, decompressing gzip/zstd transparently.
public enum InputFile {
    /// The decompressed byte stream of `path` and the compression found.
    public static func open(_ path: String) throws(CaptureError) -> (source: any ByteSource, compression: Compression) {
        let sniffer = try FileSource(path: path)
        let magic = try sniffer.readPrefix(4)
        let compression = Compression.sniff(magic)
        // Reopen rather than push back: cheaper than a peek buffer and keeps FileSource trivial.
        let file = try FileSource(path: path)
        switch compression {
        case .none: return (file, .none)
        case .gzip, .zstd: return (try DecompressingSource(upstream: file, compression: compression, path: path), compression)
        }
    }
}
