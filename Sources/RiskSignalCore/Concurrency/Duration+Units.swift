extension Duration {
    /// Whole milliseconds, for C APIs and wire formats that take them.
    public var totalMilliseconds: Int64 {
        let (s, a) = components
        return s * 1000 + a / 1_000_000_000_000_000
    }

    /// Whole nanoseconds (saturates past ±292 years).
    public var totalNanoseconds: Int64 {
        let (s, a) = components
        let (m, o) = s.multipliedReportingOverflow(by: 1_000_000_000)
        return o ? (s > 0 ? .max : .min) : m + a / 1_000_000_000
    }

    public var seconds: Double {
        let (s, a) = components
        return Double(s) + Double(a) / 1e18
    }
}
