extension Array where Element == UInt8 {
    /// `withUnsafeMutableBytes` that keeps the typed error (the stdlib one is `rethrows`, losing the type).
    mutating func withMutableBytes<R>(_ body: (UnsafeMutableRawBufferPointer) throws(CaptureError) -> R) throws(CaptureError) -> R {
        let r: Result<R, CaptureError> = withUnsafeMutableBytes { b in Result { () throws(CaptureError) -> R in try body(b) } }
        return try r.get()
    }

    /// `withUnsafeBytes` that keeps the typed error.
    func withBytes<R>(_ body: (UnsafeRawBufferPointer) throws(CaptureError) -> R) throws(CaptureError) -> R {
        let r: Result<R, CaptureError> = withUnsafeBytes { b in Result { () throws(CaptureError) -> R in try body(b) } }
        return try r.get()
    }
}
