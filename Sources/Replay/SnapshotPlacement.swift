import FeedAdapters
import Foundation
import MarketData

/// Finds the symbol of a bare Binance REST depth snapshot (`{"lastUpdateId":…,"bids":…,"asks":…}`, which names none)
/// from its context, the way recorders store it: the request line logged before it (`GET
/// /api/v3/depth?symbol=BTCUSDT&limit=1000`), then `--symbol`, then the file name, then the recording's own diffs
/// (the one symbol whose first diff after the snapshot straddles it by Binance's rule, or the only symbol there is).
struct SnapshotPlacement {
    /// A snapshot still waiting for the diffs after it to tell whose it is.
    struct Pending {
        var slot: Int
        var payload: [UInt8]
        var timeNanos: Int64
        var origin: String
        var lastUpdateId: Int64
        /// Symbol → whether its first diff not older than the snapshot straddles it.
        var verdicts: [String: Bool] = [:]
    }

    /// Most snapshots waiting at once; later ones are reported unsynced rather than held without bound.
    static let maxPending = 10_000

    let futures: Bool
    let explicit: String?
    let fromFileName: String?
    /// The symbol of the last logged request, used by the next snapshot only.
    private(set) var requested: String?
    private(set) var pending: [Pending] = []
    private(set) var seen: Set<String> = []

    init(futures: Bool, explicit: String?, fromFileName: String?) {
        self.futures = futures
        self.explicit = explicit
        self.fromFileName = fromFileName
    }

    /// A request line the recorder logged: remember its `symbol=` for the next snapshot.
    mutating func request(_ line: [UInt8], normalize: (String) -> String?) {
        let text = String(decoding: line, as: UTF8.self)
        guard let q = text.firstIndex(of: "?") else { return }
        let query = text[text.index(after: q)...].prefix { $0 != " " && $0 != "#" }
        for pair in query.split(separator: "&") {
            let kv = pair.split(separator: "=", maxSplits: 1)
            if kv.count == 2, kv[0] == "symbol", let s = normalize(String(kv[1]).removingPercentEncoding ?? String(kv[1])) {
                requested = s
                return
            }
        }
    }

    /// The symbol to place a snapshot on right away, if the context already says (request line, `--symbol`, file name).
    mutating func immediate() -> String? {
        if let r = requested { requested = nil; return r }
        return explicit ?? fromFileName
    }

    mutating func hold(_ p: Pending) -> Bool {
        guard pending.count < Self.maxPending else { return false }
        var p = p
        // Diffs the stream delivered before the REST response count too (a recorder buffers them, Binance says).
        let target = futures ? p.lastUpdateId : p.lastUpdateId + 1
        for (symbol, ids) in recent {
            if let first = ids.first(where: { $0.last >= target }) { p.verdicts[symbol] = first.first <= target }
        }
        pending.append(p)
        return true
    }

    /// Each symbol's latest diffs (first, last update id), for snapshots logged after diffs newer than them.
    private var recent: [String: [(first: Int64, last: Int64)]] = [:]
    static let recentPerSymbol = 256

    /// Every diff is evidence: Binance's rule is that the first event not older than the snapshot straddles it
    /// (spot: `U <= lastUpdateId+1 <= u`; USD-M futures: `U <= lastUpdateId <= u`).
    mutating func observe(_ u: L2Update) {
        seen.insert(u.symbol)
        guard u.kind == .delta else { return }
        recent[u.symbol, default: []].append((u.firstUpdateId, u.lastUpdateId))
        if recent[u.symbol]!.count > Self.recentPerSymbol { recent[u.symbol]!.removeFirst(Self.recentPerSymbol / 2) }
        guard !pending.isEmpty else { return }
        for k in pending.indices where pending[k].verdicts[u.symbol] == nil {
            let id = pending[k].lastUpdateId
            let target = futures ? id : id + 1
            if u.lastUpdateId < target { continue }  // older than the snapshot: Binance drops it
            pending[k].verdicts[u.symbol] = u.firstUpdateId <= target
        }
    }

    /// Symbols seen in trades and quotes count as "in the recording" too.
    mutating func saw(_ symbol: String) { seen.insert(symbol) }

    /// The symbol for a held snapshot at the end of the recording, or why there is none.
    func resolve(_ p: Pending) -> (symbol: String?, why: String) {
        let straddling = p.verdicts.filter(\.value).map(\.key).sorted()
        if straddling.count == 1 { return (straddling[0], "") }
        if straddling.isEmpty, seen.count == 1, let only = seen.first { return (only, "") }
        let why = straddling.isEmpty
            ? (seen.isEmpty ? "the recording has no other message naming a symbol"
                            : "no diff of \(seen.sorted().prefix(5).joined(separator: ", ")) straddles its lastUpdateId \(p.lastUpdateId)")
            : "the diffs of \(straddling.prefix(5).joined(separator: ", ")) all straddle its lastUpdateId \(p.lastUpdateId)"
        return (nil, "a REST depth snapshot names no symbol and none could be determined (\(why)); the book stays unsynced. "
                        + "Pass --symbol, log the request line (GET /api/v3/depth?symbol=…) or wrap it as {\"stream\":\"btcusdt@depth\",\"data\":…}")
    }

    /// A Binance symbol in the file name (`binance-BTCUSDT-depth-20240101.log.gz`, `btcusdt_depth.ns`), if exactly one.
    static func symbol(inFileName path: String, normalize: (String) -> String?) -> String? {
        let name = (path as NSString).lastPathComponent
        let words = name.split { !$0.isLetter && !$0.isNumber }.map(String.init)
        let found = Set(words.compactMap { w -> String? in
            guard w.count >= 5, w.contains(where: \.isLetter) else { return nil }
            return normalize(w)
        })
        return found.count == 1 ? found.first : nil
    }
}
