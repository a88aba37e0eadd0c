import Foundation

/// Tick positions and labels for a chart axis.
struct AxisTicks {
    var lower: Double
    var upper: Double
    var ticks: [(value: Double, label: String)]

    /// "Nice" 1-2-5 ticks covering `lo...hi` (in transformed coordinates for linear axes).
    static func linear(lo: Double, hi: Double, target: Int = 5, format: (Double) -> String) -> AxisTicks {
        var lo = lo, hi = hi
        if hi <= lo { hi = lo + (lo == 0 ? 1 : abs(lo) * 0.1) }
        let raw = (hi - lo) / Double(target)
        let magnitude = pow(10, floor(log10(raw)))
        let step = [1.0, 2, 5, 10].map { $0 * magnitude }.first { $0 >= raw } ?? 10 * magnitude
        lo = floor(lo / step) * step
        hi = ceil(hi / step) * step
        var ticks: [(Double, String)] = []
        var v = lo
        while v <= hi + step / 2 {
            let clean = abs(v) < step / 1e6 ? 0 : v
            ticks.append((clean, format(clean)))
            v += step
        }
        return AxisTicks(lower: lo, upper: hi, ticks: ticks.map { (value: $0.0, label: $0.1) })
    }

    /// Decade ticks of the percentile axis: 0 %, 90 %, 99 %, 99.9 %, ... up to `decades`.
    static func percentile(decades: Int) -> AxisTicks {
        let d = max(2, min(decades, Int(AxisScale.maxPercentileDecade)))
        let labels = ["0%", "90%", "99%", "99.9%", "99.99%", "99.999%"]
        return AxisTicks(lower: 0, upper: Double(d), ticks: (0...d).map { (value: Double($0), label: labels[$0]) })
    }
}
