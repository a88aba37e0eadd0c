/// Messages missing from an IEX-TP session: `expected` was the next sequence number wanted, `got` the first one seen.
public struct IEXSequenceGap: Sendable, Hashable {
    public var sessionId: UInt32
    public var expected: Int64
    public var got: Int64
    public var missing: Int64 { got - expected }

    public init(sessionId: UInt32, expected: Int64, got: Int64) {
        self.sessionId = sessionId
        self.expected = expected
        self.got = got
    }
}
