import Capture
import FeedAdapters
import MarketData
import Foundation
import RiskSignalCore

/// Reads a capture file into replay items: detects the container and the exchange, runs the adapter,
/// applies the symbol filter, and counts what it had to skip (the rest is kept).
public struct CaptureLoader: Sendable {
    public var options: ReplayOptions
    /// Messages sampled to recognise the exchange.
    static let sniffCount = 50

    public init(options: ReplayOptions) { self.options = options }

    public func load(path: String) throws(ReplayError) -> (items: [ReplayItem], report: ReplayLoadReport) {
        guard FileManager.default.isReadableFile(atPath: path) else {
            throw .unreadable(file: path, reason: "no such file, or not readable")
        }
        let explicit: ReplayFormat?
        if options.format == "auto" {
            explicit = nil
        } else if let f = ReplayFormat(rawValue: options.format) {
            explicit = f
        } else {
            throw .badOption(name: "--format", reason: "\"\(options.format)\" is not a format; expected auto or one of \(ReplayFormat.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        let container: CaptureFormat
        do {
            container = try CaptureReader.detectFormat(path: path)
        } catch {
            if case .unknownFormat(let tried) = error.kind {
                throw .unknownFormat(file: path, tried: tried.map(\.rawValue) + ReplayFormat.allCases.map(\.rawValue))
            }
            throw .unreadable(file: path, reason: error.description)
        }
        var out: (items: [ReplayItem], report: ReplayLoadReport)
        switch (explicit, container) {
        case (.iex?, _), (nil, .pcap) where Self.isIEX(path), (nil, .pcapng) where Self.isIEX(path):
            out = try loadIEX(path, container)
        case (.accessLog?, _), (nil, .accessLog), (nil, .nasaTSV):
            out = try loadAccessLog(path, container)
        case (.recording?, _), (nil, .recording):
            out = try loadRecording(path, container)
        case (.socialJSONL?, _):
            out = try loadSocial(path, container)
        case (nil, .jsonl):
            // JSONL that is not an exchange feed is read as social posts when a mapping (or a text field) says so.
            if let f = try sniff(path, container) { out = try loadExchange(path, container, f) } else { out = try loadSocial(path, container) }
        case (let f?, _):
            out = try loadExchange(path, container, f)
        case (nil, _):
            guard let f = try sniff(path, container) else {
                if container == .pcap || container == .pcapng, let why = Self.pcapDamage(path) {
                    throw .unreadable(file: path, reason: "cannot tell the feed from the packets before the damage: \(why)")
                }
                throw .unknownFormat(file: path, tried: ReplayFormat.allCases.map(\.rawValue))
            }
            out = try loadExchange(path, container, f)
        }
        if out.items.isEmpty && out.report.read == 0 { throw .empty(file: path, reason: "no messages in the \(container.rawValue) container") }
        out.items = window(out.items, &out.report)
        return out
    }

    /// The from/to window, as offsets from the first message.
    func window(_ items: [ReplayItem], _ report: inout ReplayLoadReport) -> [ReplayItem] {
        guard options.from != nil || options.to != nil, let t0 = items.map(\.timeNanos).min() else { return items }
        // Saturating: a capture's first time is outside data and may sit near Int64's end.
        let lo = ReplaySchedule.saturating(t0, options.from?.totalNanoseconds ?? 0)
        let hi = options.to.map { ReplaySchedule.saturating(t0, $0.totalNanoseconds) } ?? Int64.max
        let kept = items.filter { $0.timeNanos >= lo && $0.timeNanos < hi }
        report.filtered += items.count - kept.count
        return kept
    }

    // MARK: Exchanges over WebSocket, line recordings or pcap

    func sniff(_ path: String, _ container: CaptureFormat) throws(ReplayError) -> ReplayFormat? {
        var reader = try open(path, container)
        var samples: [[UInt8]] = []
        while samples.count < Self.sniffCount, let m = try next(&reader, path) { samples.append(m.payload) }
        return ReplayFormat.sniffExchange(samples)
    }

    func loadExchange(_ path: String, _ container: CaptureFormat, _ format: ReplayFormat) throws(ReplayError) -> ([ReplayItem], ReplayLoadReport) {
        switch format {
        case .binance: return try loadBinance(path, container, format, BinanceAdapter(market: .spot))
        case .binanceFutures: return try loadBinance(path, container, format, BinanceAdapter(market: .usdmFutures))
        case .bitmex: return try loadVenue(path, container, format, BitMEXAdapter())
        case .bybit: return try loadVenue(path, container, format, BybitAdapter())
        default: return try loadVenue(path, container, format, CoinbaseAdapter())
        }
    }

    func loadVenue<A: FeedAdapter>(_ path: String, _ container: CaptureFormat, _ format: ReplayFormat, _ adapter: A) throws(ReplayError) -> ([ReplayItem], ReplayLoadReport) {
        var adapter = adapter
        var reader = try open(path, container)
        var report = ReplayLoadReport(file: path, format: format, container: container.rawValue)
        var items: [ReplayItem] = []
        while let m = try next(&reader, path) {
            if m.isRequest { continue }  // counted by the reader as "request"; context only Binance uses
            report.read += 1
            do {
                let events = try adapter.adapt(m.payload, receivedNanos: m.timestampNanos)
                append(events, time: m.timestampNanos, to: &items, &report)
            } catch {
                report.classify(error, at: "\(m.origin)")
            }
        }
        report.sourceKinds = adapter.counts
        report.countUnmapped(adapter)
        absorb(reader.report, into: &report)
        return (items, report)
    }

    /// Binance, whose REST depth snapshot names no symbol: it is placed by its context (`SnapshotPlacement`), and one
    /// that nothing places is reported by line and leaves its book unsynced.
    func loadBinance(_ path: String, _ container: CaptureFormat, _ format: ReplayFormat, _ adapter: BinanceAdapter) throws(ReplayError) -> ([ReplayItem], ReplayLoadReport) {
        var adapter = adapter
        let normalize: (String) -> String? = { [adapter] in adapter.normalizedSymbol($0) }
        var explicit: String?
        if let s = options.symbol {
            guard let n = normalize(s) else {
                throw .badOption(name: "--symbol", reason: "\"\(s)\" is not a Binance symbol (expected one like BTCUSDT, ending in a known quote asset)")
            }
            explicit = n
        }
        var placement = SnapshotPlacement(futures: adapter.market == .usdmFutures, explicit: explicit,
                                          fromFileName: SnapshotPlacement.symbol(inFileName: path, normalize: normalize))
        var reader = try open(path, container)
        var report = ReplayLoadReport(file: path, format: format, container: container.rawValue)
        var items: [ReplayItem] = []
        var placed: [(slot: Int, events: [NormalizedEvent], time: Int64)] = []
        while let m = try next(&reader, path) {
            if m.isRequest { placement.request(m.payload, normalize: normalize); continue }
            report.read += 1
            do {
                let events = try adapter.adapt(m.payload, receivedNanos: m.timestampNanos)
                for e in events {
                    if case .book(let u) = e { placement.observe(u) } else { placement.saw(e.symbol) }
                }
                append(events, time: m.timestampNanos, to: &items, &report)
            } catch where error.reason == .noSymbol {
                if let symbol = placement.immediate() {
                    do throws(AdapterError) {
                        append(try adapter.adaptSnapshot(m.payload, receivedNanos: m.timestampNanos, symbol: symbol), time: m.timestampNanos, to: &items, &report)
                    } catch {
                        report.classify(error, at: "\(m.origin)")
                    }
                    continue
                }
                // Whose it is shows in the diffs after it; hold its place in the order until the end.
                let id = Self.lastUpdateId(m.payload)
                guard let id, placement.hold(.init(slot: items.count, payload: m.payload, timeNanos: m.timestampNanos, origin: "\(m.origin)", lastUpdateId: id)) else {
                    report.classify(error, at: "\(m.origin)")
                    continue
                }
            } catch {
                report.classify(error, at: "\(m.origin)")
            }
        }
        for p in placement.pending {
            let (symbol, why) = placement.resolve(p)
            if let symbol {
                do throws(AdapterError) {
                    placed.append((p.slot, try adapter.adaptSnapshot(p.payload, receivedNanos: p.timeNanos, symbol: symbol), p.timeNanos))
                } catch {
                    report.classify(error, at: p.origin)
                }
            } else {
                report.classify(AdapterError(reason: .noSymbol, field: "stream", message: why), at: p.origin)
            }
        }
        if !placed.isEmpty {
            // Put each placed snapshot back where it was in the recording, before the diffs that follow it.
            var merged: [ReplayItem] = []
            merged.reserveCapacity(items.count + placed.count)
            var next = 0
            for (k, item) in items.enumerated() {
                while next < placed.count, placed[next].slot == k {
                    append(placed[next].events, time: placed[next].time, to: &merged, &report)
                    next += 1
                }
                merged.append(item)
            }
            while next < placed.count { append(placed[next].events, time: placed[next].time, to: &merged, &report); next += 1 }
            items = merged
        }
        Self.replayBufferedDiffsAfterSnapshots(&items, futures: adapter.market == .usdmFutures)
        report.sourceKinds = adapter.counts
        report.countUnmapped(adapter)
        absorb(reader.report, into: &report)
        return (items, report)
    }

    /// Binance's book procedure buffers the stream's diffs while the REST snapshot is fetched, then applies those not
    /// older than it. A recorder logs the snapshot when its response arrives, after diffs that are already newer than
    /// it (the straddling one among them): such a snapshot moves before the first of them (taking its receive time),
    /// so the book is built in Binance's order instead of reporting a false gap.
    static func replayBufferedDiffsAfterSnapshots(_ items: inout [ReplayItem], futures: Bool, lookBack: Int = 100_000) {
        var k = 0
        while k < items.count {
            defer { k += 1 }
            guard case .market(.book(let snap)) = items[k].body, snap.kind == .snapshot else { continue }
            let target = futures ? snap.lastUpdateId : snap.lastUpdateId + 1
            var first: Int?
            var j = k - 1
            while j >= 0, k - j <= lookBack {
                if case .market(.book(let u)) = items[j].body, u.symbol == snap.symbol {
                    if u.kind == .snapshot || u.lastUpdateId < target { break }
                    first = j
                }
                j -= 1
            }
            guard let first else { continue }
            var moved = items.remove(at: k)
            moved.timeNanos = items[first].timeNanos
            items.insert(moved, at: first)
        }
    }

    /// The `lastUpdateId` of a bare REST snapshot, for matching it against the diffs after it.
    static func lastUpdateId(_ payload: [UInt8]) -> Int64? {
        payload.withUnsafeBytes { buf -> Int64? in
            let json = JSONScanner(buf)
            guard let fields = try? json.rootFields(), let at = json.value(fields, "lastUpdateId") else { return nil }
            return json.int64(at)
        }
    }

    func append(_ events: [NormalizedEvent], time: Int64, to items: inout [ReplayItem], _ report: inout ReplayLoadReport) {
        for e in events {
            if let keep = options.symbols, !keep.contains(e.symbol) { report.filtered += 1; continue }
            let item = ReplayItem(timeNanos: time, body: .market(e))
            report.produced[item.kind, default: 0] += 1
            items.append(item)
        }
    }

    func open(_ path: String, _ container: CaptureFormat) throws(ReplayError) -> CaptureReader {
        do { return try CaptureReader(path: path, format: container) } catch { throw .unreadable(file: path, reason: error.description) }
    }

    func next(_ r: inout CaptureReader, _ path: String) throws(ReplayError) -> CapturedMessage? {
        do { return try r.next() } catch { throw .unreadable(file: path, reason: error.description) }
    }

    func absorb(_ r: ReadReport, into report: inout ReplayLoadReport) {
        for p in r.problems { report.problem("\(p.origin)", p.reason) }
        report.problemCount += max(0, r.problemCount - r.problems.count)
        report.truncation = r.truncation.map(\.description)
        report.corruption = r.corruption.map(\.description)
    }

    /// A corrupt or cut record in a capture, named by record and offset, when that is what hid the feed.
    static func pcapDamage(_ path: String) -> String? {
        guard var r = try? PacketReader(path: path) else { return nil }
        var n = 0
        while n < 100_000_000, r.next() != nil { n += 1 }
        return (r.report.corruption ?? r.report.truncation).map(\.description)
    }

    // MARK: IEX over UDP

    static func isIEX(_ path: String) -> Bool {
        guard var r = try? UDPReader(path: path) else { return false }
        for _ in 0..<20 {
            guard let d = r.next() else { return false }
            if d.payload.count >= 4 {
                let proto = UInt16(d.payload[2]) | UInt16(d.payload[3]) << 8
                return proto == 0x8003 || proto == 0x8004
            }
        }
        return false
    }

    func loadIEX(_ path: String, _ container: CaptureFormat) throws(ReplayError) -> ([ReplayItem], ReplayLoadReport) {
        var reader: UDPReader
        do { reader = try UDPReader(path: path) } catch { throw .unreadable(file: path, reason: error.description) }
        var adapter = IEXAdapter()
        var report = ReplayLoadReport(file: path, format: .iex, container: container.rawValue)
        var items: [ReplayItem] = []
        while let d = reader.next() {
            report.read += 1
            do {
                let events = try d.payload.withUnsafeBytes { (b) throws(AdapterError) in try adapter.adapt(b, receivedNanos: d.timestampNanos) }
                append(events, time: d.timestampNanos, to: &items, &report)
            } catch {
                if let e = error as? AdapterError { report.classify(e, at: "packet \(d.packetIndex)") } else { report.problem("packet \(d.packetIndex)", "\(error)") }
            }
        }
        report.sourceKinds = adapter.counts
        report.countUnmapped(adapter)
        report.gaps = adapter.gaps.map { "session \($0.sessionId): expected \($0.expected), got \($0.got)" }
        absorb(reader.report, into: &report)
        return (items, report)
    }

    // MARK: Recordings, access logs, social posts

    func loadRecording(_ path: String, _ container: CaptureFormat) throws(ReplayError) -> ([ReplayItem], ReplayLoadReport) {
        var reader = try open(path, .recording)
        var report = ReplayLoadReport(file: path, format: .recording, container: container.rawValue)
        var items: [ReplayItem] = []
        while let m = try next(&reader, path) {
            report.read += 1
            guard let subject = m.subject, !subject.isEmpty else { report.problem("\(m.origin)", "no subject"); continue }
            // The whole recording is read before the first publish, so a refused subject stops the replay with nothing sent.
            if let why = options.subjects.refusal(for: subject) {
                throw .refusedSubject(file: path, location: "\(m.origin)", subject: subject, reason: why)
            }
            if let keep = options.symbols, let sym = subject.split(separator: ".").last, !keep.contains(String(sym)) { report.filtered += 1; continue }
            let id = m.headers.first { $0.0 == "Nats-Msg-Id" || $0.0 == MessageHeader.traceID }?.1 ?? "rec-\(report.read)"
            items.append(ReplayItem(timeNanos: m.timestampNanos, body: .raw(subject: subject, payload: m.payload, eventID: id, kind: "recorded")))
            report.produced["recorded", default: 0] += 1
        }
        absorb(reader.report, into: &report)
        return (items, report)
    }

    func loadAccessLog(_ path: String, _ container: CaptureFormat) throws(ReplayError) -> ([ReplayItem], ReplayLoadReport) {
        var reader: AccessLogReader
        do { reader = try AccessLogReader(path: path, format: container == .nasaTSV ? .nasaTSV : nil) } catch { throw .unreadable(file: path, reason: error.description) }
        var report = ReplayLoadReport(file: path, format: .accessLog, container: container.rawValue)
        var items: [ReplayItem] = []
        while true {
            let e: AccessLogEntry?
            do { e = try reader.next() } catch { throw .unreadable(file: path, reason: error.description) }
            guard let e else { break }
            report.read += 1
            report.sourceKinds[e.method, default: 0] += 1
            items.append(ReplayItem(timeNanos: e.timeNanos, body: .timed(subject: AccessLogBeacon.subject, eventID: "access-\(e.line)", feed: .frontend,
                                                                        render: { t in AccessLogBeacon.payload(e, timeNanos: t) })))
            report.produced[FeedKind.frontend.rawValue, default: 0] += 1
        }
        absorb(reader.report, into: &report)
        return (items, report)
    }

    func loadSocial(_ path: String, _ container: CaptureFormat) throws(ReplayError) -> ([ReplayItem], ReplayLoadReport) {
        var reader = try open(path, .jsonl)
        var report = ReplayLoadReport(file: path, format: .socialJSONL, container: container.rawValue)
        var items: [ReplayItem] = []
        let mapping = SocialPostMapping(fields: options.socialFields)
        while let m = try next(&reader, path) {
            report.read += 1
            switch mapping.post(from: m.payload, line: report.read) {
            case .success(let post):
                if let keep = options.symbols, !keep.contains(post.symbol) { report.filtered += 1; continue }
                // A post with no time of its own in a container with none either (plain JSONL) has no instant: reported
                // by line rather than placed with every other such post at one instant.
                guard let time = post.timeNanos ?? (m.timestampNanos != 0 ? m.timestampNanos : nil) else {
                    report.problem("\(m.origin)", "no time: none of \(SocialPostMapping.timeNames.joined(separator: ", ")) is present; map the post's time with --fields time=<field> (or fields: in a scenario)")
                    continue
                }
                items.append(ReplayItem(timeNanos: time, body: .timed(subject: FeedKind.social.subjectPrefix + post.source, eventID: post.id, feed: .social,
                                                                      render: { t in post.payload(eventTimeNanos: t) })))
                report.produced[FeedKind.social.rawValue, default: 0] += 1
            case .failure(let e):
                report.problem("\(m.origin)", e.description)
            }
        }
        absorb(reader.report, into: &report)
        return (items, report)
    }
}
