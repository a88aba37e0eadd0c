import RiskSignalCore

/// Parameter checks that name the parameter in the error, shared by every generator and rate model.
public enum ParameterCheck {
    public static func positive(_ v: Double, _ name: String) throws(GeneratorParameterError) {
        guard v.isFinite, v > 0 else { throw .init(parameter: name, message: "must be a finite number > 0, got \(v)") }
    }

    /// A multiplier like `rate_scale`: finite, > 0, and within 1e-6...1e6 so scaled rates stay schedulable.
    public static func scale(_ v: Double, _ name: String) throws(GeneratorParameterError) {
        guard v.isFinite, v > 0, PacingLimits.scales.contains(v) else { throw .init(parameter: name, message: "must be a finite number in 1e-06...1e+06, got \(v)") }
    }

    public static func nonNegative(_ v: Double, _ name: String) throws(GeneratorParameterError) {
        guard v.isFinite, v >= 0 else { throw .init(parameter: name, message: "must be a finite number ≥ 0, got \(v)") }
    }

    public static func fraction(_ v: Double, _ name: String, open: Bool = false) throws(GeneratorParameterError) {
        let ok = open ? (v > 0 && v < 1) : (v >= 0 && v <= 1)
        guard ok else {
            throw .init(parameter: name, message: open ? "must be strictly between 0 and 1, got \(v)" : "must be between 0 and 1, got \(v)")
        }
    }

    public static func range(_ v: Int, _ r: ClosedRange<Int>, _ name: String) throws(GeneratorParameterError) {
        guard r.contains(v) else { throw .init(parameter: name, message: "must be in \(r.lowerBound)...\(r.upperBound), got \(v)") }
    }

    public static func range(_ v: Double, _ r: ClosedRange<Double>, _ name: String) throws(GeneratorParameterError) {
        guard v.isFinite, r.contains(v) else {
            throw .init(parameter: name, message: "must be in \(r.lowerBound)...\(r.upperBound), got \(v)")
        }
    }

    public static func positive(_ d: Duration, _ name: String) throws(GeneratorParameterError) {
        guard d > .zero else { throw .init(parameter: name, message: "must be a positive duration, got \(d)") }
        guard d <= maxDuration else { throw .init(parameter: name, message: "must be at most \(maxDurationText), got \(d)") }
    }

    /// Rates a pacer can schedule (`PacingLimits.rates`).
    public static let rates = PacingLimits.rates
    /// The longest duration a workload, stage or phase may have.
    public static let maxDuration = PacingLimits.maxDuration
    public static let maxDurationText = "366 days"
    public static let maxLoops = PacingLimits.maxLoops
    public static let maxEmissions = PacingLimits.maxEmissions
    static let ratesText = PacingLimits.ratesText

    /// A rate in events/s that, multiplied by `scale`, lies in `rates` (or is 0 when `allowZero`).
    public static func rate(_ v: Double, scale: Double = 1, _ name: String, allowZero: Bool = false) throws(GeneratorParameterError) {
        guard v.isFinite, v >= 0, allowZero || v > 0 else {
            throw .init(parameter: name, message: "must be a finite number \(allowZero ? "≥" : ">") 0 events/s, got \(v)")
        }
        let scaled = v * scale
        if allowZero && v == 0 { return }
        guard rates.contains(scaled) else {
            let how = scale == 1 ? "" : " after rate_scale \(scale) (= \(scaled))"
            throw .init(parameter: name, message: "must be within \(ratesText)\(how), got \(v)")
        }
    }

    /// The total of stage durations, failing when it does not fit the pacer's Int64 nanoseconds.
    public static func total(_ durations: [Duration], _ name: String) throws(GeneratorParameterError) -> Int64 {
        var sum: Int64 = 0
        for d in durations {
            let (s, o) = sum.addingReportingOverflow(d.totalNanoseconds)
            guard !o else { throw .init(parameter: name, message: "stages last longer than 292 years in total") }
            sum = s
        }
        return sum
    }

    /// Symbols must look like `BASE-QUOTE` (what the pipeline's validators accept) and be distinct.
    public static func symbols(_ list: [String], _ name: String) throws(GeneratorParameterError) {
        guard !list.isEmpty else { throw .init(parameter: name, message: "must list at least one symbol") }
        for s in list where !FieldReader.isSymbol(s) {
            throw .init(parameter: name, message: "\"\(s)\" is not a BASE-QUOTE symbol like BTC-USDT")
        }
        guard Set(list).count == list.count else { throw .init(parameter: name, message: "lists a symbol twice") }
    }
}
