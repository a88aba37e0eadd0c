import MarketData

/// IEX-TP segments (one UDP payload) carrying DEEP (0x8004) or TOPS (0x8003) messages.
///
/// Sequencing. IEX numbers messages per session across all symbols; the adapter checks the segments chain
/// (`first seq == previous first + count`, heartbeats included) and records each break in `gaps`; older
/// segments (retransmissions, duplicates) are skipped and counted as `duplicateSegments`. A per-symbol book only
/// sees its own messages, so ids chain through `prevLastUpdateId`: a delta is `first…last` = the IEX sequence
/// numbers it covers, `prevLastUpdateId` = the last sequence number emitted for that symbol, or, if a gap happened
/// since, the last missing number, which never matches, so `BookNormalizer` reports the gap for every symbol that
/// trades on. DEEP has no snapshot message, so the first time a symbol is seen an empty `.snapshot` (id = its first
/// sequence number - 1) starts its book: levels then fill in as they update, a partial but never stale book.
/// After a gap a book stays down until IEX's own recovery (the session's next start of day): no snapshot to resync.
///
/// Batching. DEEP price-level updates of one symbol are held until one arrives with event flag bit 0 set ("event
/// processing complete"), then emitted as one delta, so no book is published mid-transition (transient crosses).
///
/// Trades. IEX trade reports carry no aggressor side, so it is inferred (Lee-Ready): at or above the best ask of the
/// adapter's own book → BUY, at or below the best bid → SELL, otherwise the tick rule against the symbol's previous
/// trade (an unchanged price keeps the previous side; the first trade inside the spread is BUY). Trade breaks are
/// counted, not emitted.
///
/// Unknown message types are counted as `unknown` and skipped, as the IEX specification requires of receivers,
/// unless `strictMessageTypes` is set.
public struct IEXAdapter: FeedAdapter {
    public let name: String
    public let strictMessageTypes: Bool
    /// Every sequence break seen, in order.
    public private(set) var gaps: [IEXSequenceGap] = []

    private var tally = KindTally(IEXMessageType.allCases.map(\.name) + ["unknown", "segments", "heartbeats", "duplicateSegments"])
    private static let unknownSlot = IEXMessageType.allCases.count
    private static let segmentSlot = unknownSlot + 1
    private static let heartbeatSlot = unknownSlot + 2
    private static let duplicateSlot = unknownSlot + 3
    private static let typeSlots: [Int] = {
        var slots = Array(repeating: -1, count: 256)
        for (k, t) in IEXMessageType.allCases.enumerated() { slots[Int(t.rawValue)] = k }
        return slots
    }()

    private var sessionId: UInt32?
    private var nextSequence: Int64 = 0
    /// The last sequence number lost in the most recent gap; books that last emitted before it are suspect.
    private var lastLost: Int64 = -1
    private var symbols = SymbolCache()
    private var states: [SymbolState] = []

    private struct SymbolState {
        var lastEmitted: Int64?
        var pendingFirst: Int64 = -1
        var bids: [PriceLevel] = []
        var asks: [PriceLevel] = []
        var book = OrderBook()
        var lastTradePrice = 0.0
        var lastTradeSide = TakerSide.buy
    }

    public init(name: String = "iex", strictMessageTypes: Bool = false) {
        self.name = name
        self.strictMessageTypes = strictMessageTypes
    }

    public var counts: [String: Int] { tally.dictionary }
    public var unmappedKinds: Set<String> { ["unknown"] }

    public mutating func adapt(_ segment: UnsafeRawBufferPointer, receivedNanos: Int64) throws(AdapterError) -> [NormalizedEvent] {
        // Validate the whole segment before touching any state, so a rejected one leaves the adapter as it was.
        guard segment.count >= 40 else { throw AdapterError.malformed("header", "expected an IEX-TP segment of at least 40 bytes, got \(segment.count)") }
        let version = segment[0]
        guard version == 1 else { throw AdapterError.malformed("header.version", "expected IEX-TP version 1, got \(version)") }
        let proto = u16(segment, 2)
        guard proto == 0x8004 || proto == 0x8003 else {
            throw AdapterError.unsupported("header.messageProtocolId", kind: "protocol 0x\(String(proto, radix: 16))",
                                           "expected 0x8004 (DEEP) or 0x8003 (TOPS), got 0x\(String(proto, radix: 16))")
        }
        let session = u32(segment, 8)
        let payloadLength = Int(u16(segment, 12))
        let messageCount = Int(u16(segment, 14))
        let firstSeq = i64(segment, 24)
        // Sequence numbers start at 1; one past the last message must still fit Int64 (it is added to below).
        guard firstSeq >= 0, firstSeq <= Int64.max - 65_536 else {
            throw AdapterError.malformed("header.firstMessageSequenceNumber", "expected a sequence number in 0...\(Int64.max - 65_536), got \(firstSeq)")
        }
        guard 40 + payloadLength == segment.count else {
            throw AdapterError.malformed("header.payloadLength", "expected \(segment.count - 40) (segment size - 40), got \(payloadLength)")
        }
        var at = 40
        for k in 0..<messageCount {
            guard at + 2 <= segment.count else { throw AdapterError.malformed("message[\(k)].length", "segment ends before message \(k) of \(messageCount)") }
            let length = Int(u16(segment, at))
            guard length > 0, at + 2 + length <= segment.count else {
                throw AdapterError.malformed("message[\(k)].length", "expected 1...\(segment.count - at - 2) bytes, got \(length)")
            }
            let type = segment[at + 2]
            if let t = IEXMessageType(rawValue: type) {
                guard length >= t.minimumLength else {
                    throw AdapterError.malformed("message[\(k)]", "\(t.name) needs at least \(t.minimumLength) bytes, got \(length)")
                }
            } else if strictMessageTypes {
                throw AdapterError.unsupported("message[\(k)].type", kind: "message type 0x\(String(type, radix: 16))", "unknown IEX message type 0x\(String(type, radix: 16))")
            }
            at += 2 + length
        }
        guard at == segment.count else { throw AdapterError.malformed("header.messageCount", "\(messageCount) messages end at byte \(at) of \(segment.count)") }

        tally.add(Self.segmentSlot)
        if messageCount == 0 { tally.add(Self.heartbeatSlot) }
        if sessionId != session {
            // A new session restarts numbering at 1; the old session's books mean nothing now.
            sessionId = session
            nextSequence = firstSeq
            lastLost = -1
            states = states.map { _ in SymbolState() }
        } else if firstSeq < nextSequence {
            tally.add(Self.duplicateSlot)
            return []
        } else if firstSeq > nextSequence {
            gaps.append(IEXSequenceGap(sessionId: session, expected: nextSequence, got: firstSeq))
            lastLost = firstSeq - 1
        }
        nextSequence = firstSeq + Int64(messageCount)

        var events: [NormalizedEvent] = []
        at = 40
        for k in 0..<messageCount {
            let length = Int(u16(segment, at))
            let m = at + 2
            at += 2 + length
            let slot = Self.typeSlots[Int(segment[m])]
            guard slot >= 0 else { tally.add(Self.unknownSlot); continue }
            tally.add(slot)
            let seq = firstSeq + Int64(k)
            switch segment[m] {
            case IEXMessageType.priceLevelBuy.rawValue, IEXMessageType.priceLevelSell.rawValue:
                level(segment, m, seq: seq, into: &events)
            case IEXMessageType.tradeReport.rawValue:
                trade(segment, m, into: &events)
            case IEXMessageType.quoteUpdate.rawValue:
                quote(segment, m, into: &events)
            default:
                break
            }
        }
        return events
    }

    // MARK: Messages

    private mutating func symbolSlot(_ buf: UnsafeRawBufferPointer, _ m: Int) -> (index: Int, symbol: String)? {
        var end = m + 18
        while end > m + 10, buf[end - 1] == 0x20 || buf[end - 1] == 0 { end -= 1 }
        guard let s = symbols.lookup(buf, (m + 10)..<end, normalize: { SymbolNormalizer.equity($0) }) else { return nil }
        while states.count < symbols.count { states.append(SymbolState()) }
        return s
    }

    private mutating func level(_ buf: UnsafeRawBufferPointer, _ m: Int, seq: Int64, into events: inout [NormalizedEvent]) {
        guard let (slot, symbol) = symbolSlot(buf, m) else { return }
        let isBid = buf[m] == IEXMessageType.priceLevelBuy.rawValue
        let complete = buf[m + 1] & 0x01 != 0
        let time = i64(buf, m + 2)
        let level = PriceLevel(price: Double(i64(buf, m + 22)) / 10_000, quantity: Double(u32(buf, m + 18)))
        if states[slot].lastEmitted == nil {
            states[slot].lastEmitted = seq - 1
            events.append(.book(L2Update(symbol: symbol, exchange: name, kind: .snapshot, eventTimeNanos: time,
                                         firstUpdateId: seq - 1, lastUpdateId: seq - 1, bids: [], asks: [])))
        }
        if states[slot].pendingFirst < 0 { states[slot].pendingFirst = seq }
        if isBid { states[slot].bids.append(level) } else { states[slot].asks.append(level) }
        states[slot].book.set(isBid ? .bid : .ask, price: level.price, quantity: level.quantity)
        guard complete else { return }
        var state = states[slot]
        let last = state.lastEmitted!
        events.append(.book(L2Update(
            symbol: symbol, exchange: name, kind: .delta, eventTimeNanos: time,
            firstUpdateId: state.pendingFirst, lastUpdateId: seq,
            prevLastUpdateId: last < lastLost ? lastLost : last, bids: state.bids, asks: state.asks)))
        state.lastEmitted = seq
        state.pendingFirst = -1
        state.bids.removeAll(keepingCapacity: true)
        state.asks.removeAll(keepingCapacity: true)
        states[slot] = state
    }

    private mutating func trade(_ buf: UnsafeRawBufferPointer, _ m: Int, into events: inout [NormalizedEvent]) {
        guard let (slot, symbol) = symbolSlot(buf, m) else { return }
        let price = Double(i64(buf, m + 22)) / 10_000
        var side: TakerSide
        if let ask = states[slot].book.bestAsk, price >= ask.price {
            side = .buy
        } else if let bid = states[slot].book.bestBid, price <= bid.price {
            side = .sell
        } else if price > states[slot].lastTradePrice {
            side = .buy
        } else if price < states[slot].lastTradePrice {
            side = .sell
        } else {
            side = states[slot].lastTradeSide
        }
        states[slot].lastTradePrice = price
        states[slot].lastTradeSide = side
        events.append(.trade(Trade(
            symbol: symbol, exchange: name, eventTimeNanos: i64(buf, m + 2), tradeId: UInt64(bitPattern: i64(buf, m + 30)),
            price: price, quantity: Double(u32(buf, m + 18)), side: side)))
    }

    private mutating func quote(_ buf: UnsafeRawBufferPointer, _ m: Int, into events: inout [NormalizedEvent]) {
        guard let (_, symbol) = symbolSlot(buf, m) else { return }
        events.append(.quote(Quote(
            symbol: symbol, exchange: name, eventTimeNanos: i64(buf, m + 2),
            bidPrice: Double(i64(buf, m + 22)) / 10_000, bidSize: Double(u32(buf, m + 18)),
            askPrice: Double(i64(buf, m + 30)) / 10_000, askSize: Double(u32(buf, m + 38)))))
    }

    // MARK: Little-endian fields

    @inline(__always) private func u16(_ b: UnsafeRawBufferPointer, _ at: Int) -> UInt16 {
        UInt16(littleEndian: b.loadUnaligned(fromByteOffset: at, as: UInt16.self))
    }

    @inline(__always) private func u32(_ b: UnsafeRawBufferPointer, _ at: Int) -> UInt32 {
        UInt32(littleEndian: b.loadUnaligned(fromByteOffset: at, as: UInt32.self))
    }

    @inline(__always) private func i64(_ b: UnsafeRawBufferPointer, _ at: Int) -> Int64 {
        Int64(littleEndian: b.loadUnaligned(fromByteOffset: at, as: Int64.self))
    }
}
