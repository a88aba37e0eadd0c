import Foundation
import RiskSignalCore

/// One price level of an order book: a price and the quantity resting there (0 in a delta removes the level).
public struct PriceLevel: Sendable, Hashable {
    public var price: Double
    public var quantity: Double

    public init(price: Double, quantity: Double) {
        self.price = price
        self.quantity = quantity
    }
}

/// Whether an L2 message replaces the whole book (`snapshot`) or patches some levels of it (`delta`).
public enum L2UpdateKind: String, Sendable, Hashable {
    case delta
    case snapshot
}

/// A normalised L2 order-book message as published on `market.l2raw.<symbol>`: a snapshot or a diff of price levels
/// together with the exchange update-id range it covers.
public struct L2Update: Sendable, Hashable {
    /// `BASE-QUOTE`, e.g. `BTC-USDT`.
    public var symbol: String
    public var exchange: String
    public var kind: L2UpdateKind
    /// Exchange event time, nanoseconds since the Unix epoch.
    public var eventTimeNanos: Int64
    public var firstUpdateId: Int64
    public var lastUpdateId: Int64
    /// Binance futures `pu`: the `last_update_id` of the previous message in the exchange's stream.
    public var prevLastUpdateId: Int64?
    /// In message order; a price may repeat, and then the later entry wins.
    public var bids: [PriceLevel]
    public var asks: [PriceLevel]
    public var eventId: String?
    /// When the load generator meant to send this message, nanoseconds since the Unix epoch.
    public var intendedNanos: Int64?

    public init(
        symbol: String, exchange: String, kind: L2UpdateKind, eventTimeNanos: Int64,
        firstUpdateId: Int64, lastUpdateId: Int64, prevLastUpdateId: Int64? = nil,
        bids: [PriceLevel], asks: [PriceLevel], eventId: String? = nil, intendedNanos: Int64? = nil
    ) {
        self.symbol = symbol
        self.exchange = exchange
        self.kind = kind
        self.eventTimeNanos = eventTimeNanos
        self.firstUpdateId = firstUpdateId
        self.lastUpdateId = lastUpdateId
        self.prevLastUpdateId = prevLastUpdateId
        self.bids = bids
        self.asks = asks
        self.eventId = eventId
        self.intendedNanos = intendedNanos
    }

    /// Payloads above this are rejected before parsing; a full-depth snapshot of a few thousand levels is ~200 KiB.
    public static let defaultMaxPayloadBytes = 1 << 20

    /// Parses and validates one JSON message; the error names the first offending field.
    public static func decode(
        _ bytes: UnsafeRawBufferPointer, maxPayloadBytes: Int = defaultMaxPayloadBytes
    ) -> Result<L2Update, L2DecodeError> {
        guard bytes.count <= maxPayloadBytes else {
            return .failure(L2DecodeError(
                field: "$",
                message: "payload is \(bytes.count) bytes, over the \(maxPayloadBytes)-byte limit; raise maxPayloadBytes or split the snapshot"))
        }
        var decoder = L2Decoder(bytes)
        do {
            return .success(try decoder.decode())
        } catch {
            return .failure(error)
        }
    }

    /// Same as the buffer form, for callers holding `Data`.
    public static func decode(_ data: Data, maxPayloadBytes: Int = defaultMaxPayloadBytes) -> Result<L2Update, L2DecodeError> {
        data.withUnsafeBytes { decode($0, maxPayloadBytes: maxPayloadBytes) }
    }
}
