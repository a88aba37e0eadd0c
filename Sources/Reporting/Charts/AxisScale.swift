import Foundation

/// How an axis maps data values to positions.
public enum AxisScale: Sendable, Equatable {
    case linear
    /// Percentiles 0...100 on the HdrHistogram-style axis: position = −log10(1 − p/100),
    /// so 0 %, 90 %, 99 %, 99.9 %, 99.99 % are evenly spaced and the tail is readable.
    case percentile

    /// Deepest decade the percentile axis shows; p = 100 (the max) is drawn here.
    static let maxPercentileDecade = 5.0

    func transform(_ v: Double) -> Double {
        switch self {
        case .linear: return v
        case .percentile:
            let rest = 1 - min(max(v, 0), 100) / 100
            guard rest > 0 else { return Self.maxPercentileDecade }
            return min(-log10(rest), Self.maxPercentileDecade)
        }
    }
}
