import Alerting
import ClickHouse
import JetStream
import Logging
import RiskSignalCore

/// Non-critical alerts from the per-minute rollups, evaluated periodically (the seed's "dashboards
/// and non-critical alerts" half of the hybrid): volume spikes and cancel-heavy minutes.
public struct RollupAlertEvaluator: Sendable {
    public var clickHouse: ClickHouseClient
    public var context: JetStreamContext
    public var interval: Duration = .seconds(30)
    /// Last minute's volume above this many times the average of the 30 minutes before.
    public var volumeFactor = 5.0
    /// A user's cancels / new orders in the last minute above this, with at least `minOrders` orders.
    public var cancelRatio = 0.9
    public var minOrders = 20
    /// The rules this evaluator raises.
    public static let rules = ["volume_spike", "cancel_heavy_minute"]
    let logger = Logger(label: "risksignal.alerts.rollups")

    public init(clickHouse: ClickHouseClient, context: JetStreamContext) {
        self.clickHouse = clickHouse
        self.context = context
    }

    /// Evaluates until cancelled.
    public func run() async throws {
        var raised: Set<String> = []
        while !Task.isCancelled {
            do {
                for a in try await evaluate() where raised.insert(a.id).inserted {
                    try await emit(a)
                }
            } catch let e as ClickHouseError {
                logger.warning("rollup evaluation failed; retrying next interval", metadata: ["error": .string(e.description)])
            }
            if raised.count > 100_000 { raised.removeAll() }
            try await Task.sleep(for: interval)
        }
    }

    /// Nanoseconds of a rollup minute (`toUnixTimestamp`, a DateTime), nil if ClickHouse sent something else.
    static func nanos(minute m: Double) -> Int64? {
        try? EpochUnit.seconds.nanos(m, field: "minute")
    }

    /// One pass over the rollups; returns the alerts for the last complete minute.
    public func evaluate() async throws(ClickHouseError) -> [RiskAlert] {
        var out: [RiskAlert] = []
        let volume = try await clickHouse.rows("""
            SELECT symbol, toUnixTimestamp(max(minute)) AS m,
                   sumIf(volume, minute = toStartOfMinute(now()) - INTERVAL 1 MINUTE) AS last,
                   sumIf(volume, minute < toStartOfMinute(now()) - INTERVAL 1 MINUTE AND minute >= toStartOfMinute(now()) - INTERVAL 31 MINUTE) / 30 AS base
            FROM market_trades_1m WHERE minute >= toStartOfMinute(now()) - INTERVAL 31 MINUTE
            GROUP BY symbol HAVING base > 0 AND last > \(volumeFactor) * base
            """)
        for r in volume {
            guard case .string(let symbol)? = r["symbol"], let last = r["last"]?.number, let base = r["base"]?.number, let m = r["m"]?.number else { continue }
            guard let t = Self.nanos(minute: m) else { continue }
            out.append(RiskAlert(id: "volume_spike-\(symbol)-\(t)", rule: "volume_spike", severity: "info", key: symbol, observed: last / base,
                                 threshold: volumeFactor, windowSeconds: 60, eventTime: t, intendedTime: nil, detail: ["volume": last, "baseline": base]))
        }
        let cancels = try await clickHouse.rows("""
            SELECT user_id, toUnixTimestamp(minute) AS m, sum(orders) AS o, sum(cancels) AS c
            FROM user_orders_1m WHERE minute = toStartOfMinute(now()) - INTERVAL 1 MINUTE
            GROUP BY user_id, minute HAVING o >= \(minOrders) AND c / o > \(cancelRatio)
            """)
        for r in cancels {
            guard let user = r["user_id"]?.number, let o = r["o"]?.number, let c = r["c"]?.number, let m = r["m"]?.number else { continue }
            guard let t = Self.nanos(minute: m) else { continue }
            // user_id is a UInt64 column: past Int.max, so it is printed from the column's own text, never via Int.
            let uid: String = if case .string(let s)? = r["user_id"] { s } else { UInt64(exactly: user.rounded()).map(String.init) ?? "\(user)" }
            out.append(RiskAlert(id: "cancel_heavy_minute-user:\(uid)-\(t)", rule: "cancel_heavy_minute", severity: "info", key: "user:\(uid)",
                                 observed: c / o, threshold: cancelRatio, windowSeconds: 60, eventTime: t, intendedTime: nil, detail: ["orders": o, "cancels": c]))
        }
        return out
    }

    func emit(_ a: RiskAlert) async throws {
        _ = try await context.publish(OutgoingMessage(subject: "alerts.\(a.rule)", text: a.jsonText(), messageID: a.id))
        var batch = InsertBatch()
        batch.append(row: AlertHistoryRow(alert: a, status: "raised", attempts: 0, endpoint: "", deliveredAt: nil, latencyMs: 0, detail: "", at: Timestamp.now()).json)
        try await clickHouse.insert(into: "alerts_history", batch: batch, deduplicationToken: "rollup:\(a.id)")
        logger.notice("rollup alert raised", metadata: ["rule": .string(a.rule), "key": .string(a.key)])
    }
}
