/// A rate that is piecewise linear in time; arrivals fall where the cumulative expected count Λ(t) reaches
/// k − ½ (k = 1, 2, …), so the count over any stretch is its integral rounded, with no sampling noise, and no
/// arrival sits on a stage boundary.
struct PiecewiseLinearArrivals: Sendable {
    struct Segment: Sendable {
        var start: Int64
        var length: Int64
        /// Rate at the start (events/s) and its slope (events/s²).
        var rate: Double
        var slope: Double
        /// Λ at the start of the segment.
        var cumulative: Double
        var total: Double { rate * seconds + slope * seconds * seconds / 2 }
        var seconds: Double { Double(length) / nanosPerSecond }
    }

    let segments: [Segment]
    let end: Int64
    /// The last k − ½ handed out.
    private var lastTarget: Double = -0.5

    /// `points`: (duration, rate at the start, rate at the end) per stage.
    init(stages: [(length: Int64, from: Double, to: Double)], end: Int64) {
        var segs: [Segment] = []
        var start: Int64 = 0
        var cumulative = 0.0
        for s in stages {
            let secs = Double(s.length) / nanosPerSecond
            let seg = Segment(start: start, length: s.length, rate: s.from, slope: (s.to - s.from) / secs, cumulative: cumulative)
            cumulative += seg.total
            segs.append(seg)
            start = start.addingReportingOverflow(s.length).overflow ? .max : start + s.length
        }
        segments = segs
        self.end = min(end, start)
    }

    func segmentIndex(at t: Int64) -> Int? {
        var lo = 0, hi = segments.count - 1
        guard hi >= 0, t >= 0, t < segments[hi].start + segments[hi].length else { return nil }
        while lo < hi {
            let mid = (lo + hi + 1) >> 1
            if segments[mid].start <= t { lo = mid } else { hi = mid - 1 }
        }
        return lo
    }

    func rate(at t: Int64) -> Double {
        guard t <= end, let j = segmentIndex(at: t) else { return 0 }
        let s = segments[j]
        return max(0, s.rate + s.slope * Double(t - s.start) / nanosPerSecond)
    }

    func count(at t: Int64) -> Double {
        guard let last = segments.last else { return 0 }
        if t <= 0 { return 0 }
        guard let j = segmentIndex(at: t) else { return last.cumulative + last.total }
        let s = segments[j]
        let x = Double(t - s.start) / nanosPerSecond
        return s.cumulative + s.rate * x + s.slope * x * x / 2
    }

    mutating func nextArrival(after t: Int64) -> Int64? {
        // The count to reach: the next half-integer past Λ(t), and never one already handed out.
        let k = max((count(at: t) + 0.5 + 1e-9).rounded(.down) + 0.5, lastTarget + 1)
        var j = segmentIndex(at: max(t, 0)) ?? segments.count
        while j < segments.count, segments[j].cumulative + segments[j].total < k { j += 1 }
        guard j < segments.count else { return nil }
        let s = segments[j]
        let need = k - s.cumulative
        // Solve rate·x + slope·x²/2 = need in the stable form 2·need / (rate + √(rate² + 2·slope·need)).
        let disc = max(0, s.rate * s.rate + 2 * s.slope * need)
        let denom = s.rate + disc.squareRoot()
        let x = denom > 0 ? 2 * need / denom : Double(s.length) / nanosPerSecond
        let at = max(t &+ 1, s.start &+ min(s.length, arrivalNanos((x * nanosPerSecond).rounded(.up))))
        guard at <= end else { return nil }
        lastTarget = k
        return at
    }
}
