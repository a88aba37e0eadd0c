import RiskSignalCore

/// Parameter checks that name the parameter in the error, shared by every generator and rate model.
public enum ParameterCheck {
    public static func positive(_ v: Double, _ name: String) throws(GeneratorParameterError) {
        guard v.isFinite, v > 0 else { throw .init(parameter: name, message: "must be a finite number > 0, got \(v)") }
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
