/// Which way a metric should move to count as an improvement.
public enum MetricDirection: String, Sendable, Codable {
    /// Latency, CPU, memory.
    case lowerIsBetter
    /// Throughput and achieved rates.
    case higherIsBetter
}
