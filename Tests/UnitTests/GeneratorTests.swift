import Foundation
import Generators
import LoadSource
import RiskSignalCore
import Testing

// Statistical tests of rsbench's traffic generators and rate models. Every test uses fixed seeds, so each
// outcome is deterministic; tolerances are several standard errors wide so they hold for any seed, not just these.

private let epoch: Int64 = 1_763_834_400_000_000_000
private let second: Int64 = 1_000_000_000

/// A payload parsed with Foundation (independently of the generators' own writer).
private func parse(_ event: GeneratedEvent) throws -> [String: Any] {
    let object = try JSONSerialization.jsonObject(with: Data(event.payload))
    return try #require(object as? [String: Any], "payload is not a JSON object: \(String(decoding: event.payload, as: UTF8.self))")
}

/// Whether a parsed value is a JSON boolean (on Linux, NSNumbers holding 0 or 1 also pass `is Bool`).
private func isBoolean(_ v: Any?) -> Bool {
    guard let n = v as? NSNumber else { return false }
    return String(cString: n.objCType) == "c"
}

private func number(_ v: Any?) -> Double? {
    guard let n = v as? NSNumber, !isBoolean(v) else { return nil }
    return n.doubleValue
}

private func integer(_ v: Any?) -> Int64? {
    guard let n = v as? NSNumber, !isBoolean(v) else { return nil }
    return n.doubleValue == n.doubleValue.rounded() ? n.int64Value : nil
}

/// `[[price, quantity], …]` of an L2 payload.
private func levels(_ v: Any?) -> [[Double]]? {
    guard let list = v as? [Any] else { return nil }
    var out: [[Double]] = []
    for item in list {
        guard let pair = item as? [Any], pair.count == 2, let p = number(pair[0]), let q = number(pair[1]) else { return nil }
        out.append([p, q])
    }
    return out
}

/// Collects failed checks of a long loop: one `#expect` per check per event would dominate a debug run.
private struct Problems {
    private(set) var list: [String] = []
    private(set) var count = 0

    mutating func check(_ ok: Bool, _ message: @autoclosure () -> String) {
        guard !ok else { return }
        count += 1
        if list.count < 10 { list.append(message()) }
    }

    var summary: String { "\(count) failed checks, first: \(list.joined(separator: "; "))" }
}

/// Runs a rate model from 0 and returns its arrivals (at most `limit`).
private func arrivals(_ model: inout some RateModel, limit: Int = 10_000_000) -> [Int64] {
    var out: [Int64] = []
    var t: Int64 = 0
    while out.count < limit, let next = model.nextArrival(after: t) {
        out.append(next)
        t = next
    }
    return out
}

private func count(_ times: [Int64], from a: Int64, to b: Int64) -> Int {
    times.reduce(0) { $0 + ($1 >= a && $1 < b ? 1 : 0) }
}

private func strictlyIncreasing(_ times: [Int64]) -> Bool {
    zip(times, times.dropFirst()).allSatisfy { $0 < $1 }
}

/// Least-squares slope of y on x.
private func slope(_ x: [Double], _ y: [Double]) -> Double {
    let mx = x.reduce(0, +) / Double(x.count), my = y.reduce(0, +) / Double(y.count)
    var sxy = 0.0, sxx = 0.0
    for (a, b) in zip(x, y) {
        sxy += (a - mx) * (b - my)
        sxx += (a - mx) * (a - mx)
    }
    return sxy / sxx
}

// MARK: - Rate models

@Suite("Generators: rate models")
struct GeneratorRateModelTests {
    @Test func constantRateIsEvenlySpacedAndExact() throws {
        var model = try ConstantRate(rate: 1_000, end: 10 * second)
        let times = arrivals(&model)
        #expect(times.first == 0)
        #expect(times.count == 10_001)  // 0, 1 ms, …, 10 s inclusive
        #expect(zip(times, times.dropFirst()).allSatisfy { $1 - $0 == 1_000_000 })
        #expect(model.nextArrival(after: 10 * second) == nil)

        var scaled = try ConstantRate(rate: 100, scale: 2.5, end: 4 * second)
        #expect(arrivals(&scaled).count == 1_001)
        #expect(scaled.expectedRate(at: second) == 250)
    }

    @Test func poissonMeanRateWithinOnePercent() throws {
        var model = try PoissonRate(rate: 1_000, seed: 11)
        let times = arrivals(&model, limit: 100_000)
        #expect(strictlyIncreasing(times))
        let rate = Double(times.count) / (Double(times.last!) / 1e9)
        #expect(abs(rate / 1_000 - 1) < 0.01, "achieved \(rate)/s")
        // Exponential gaps: coefficient of variation 1.
        let gaps = zip(times, times.dropFirst()).map { Double($1 - $0) }
        let mean = gaps.reduce(0, +) / Double(gaps.count)
        let sd = (gaps.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(gaps.count)).squareRoot()
        #expect(abs(sd / mean - 1) < 0.02)

        var ending = try PoissonRate(rate: 1_000, seed: 1, end: 2 * second)
        let bounded = arrivals(&ending)
        #expect(bounded.last! <= 2 * second)
        #expect(abs(bounded.count - 2_000) < 150)
    }

    @Test func rampCountsMatchTheIntegralPerStage() throws {
        var model = try RampStages(stages: [(.seconds(10), 100), (.seconds(20), 100), (.seconds(10), 0)], startRate: 0)
        let times = arrivals(&model)
        #expect(strictlyIncreasing(times))
        #expect(abs(count(times, from: 0, to: 10 * second) - 500) <= 1)
        #expect(abs(count(times, from: 10 * second, to: 30 * second) - 2_000) <= 1)
        #expect(abs(count(times, from: 30 * second, to: 40 * second) - 500) <= 1)
        #expect(times.last! <= 40 * second)
        #expect(abs(model.expectedRate(at: 5 * second) - 50) < 1e-9)
        #expect(abs(model.expectedRate(at: 35 * second) - 50) < 1e-9)

        // A ramp down to 0, a stage at 0 and a ramp back up: nothing arrives while the rate is 0.
        var gapped = try RampStages(stages: [(.seconds(4), 0), (.seconds(4), 0), (.seconds(4), 200)], startRate: 100, scale: 2)
        let g = arrivals(&gapped)
        #expect(abs(count(g, from: 0, to: 4 * second) - 400) <= 1)
        #expect(count(g, from: 4 * second, to: 8 * second) == 0)
        #expect(abs(count(g, from: 8 * second, to: 12 * second) - 800) <= 1)

        var cut = try RampStages(stages: [(.seconds(10), 100)], startRate: 100, end: 3 * second)
        #expect(abs(arrivals(&cut).count - 300) <= 1)
    }

    @Test func stepCountsMatchEachStage() throws {
        var model = try StepStages(stages: [(.seconds(5), 200), (.seconds(5), 0), (.seconds(5), 50)])
        let times = arrivals(&model)
        #expect(strictlyIncreasing(times))
        #expect(abs(count(times, from: 0, to: 5 * second) - 1_000) <= 1)
        #expect(count(times, from: 5 * second, to: 10 * second) == 0)
        #expect(abs(count(times, from: 10 * second, to: 15 * second) - 250) <= 1)
        #expect(model.nextArrival(after: 15 * second) == nil)
        #expect(model.expectedRate(at: 7 * second) == 0)
    }

    @Test func onOffBurstsAlternatePhases() throws {
        var model = try OnOffBursts(onRate: 500, offRate: 50, onDuration: .seconds(1), offDuration: .seconds(4), seed: 3,
                                    end: 200 * second)
        let times = arrivals(&model)
        #expect(strictlyIncreasing(times))
        #expect(times.last! <= 200 * second)
        var on = 0, off = 0
        for t in times { if (t % (5 * second)) < second { on += 1 } else { off += 1 } }
        // 40 cycles: 40 × 500 in "on", 40 × 4 × 50 in "off".
        #expect(abs(Double(on) / 20_000 - 1) < 0.03, "on \(on)")
        #expect(abs(Double(off) / 8_000 - 1) < 0.05, "off \(off)")
        #expect(model.expectedRate(at: second / 2) == 500)
        #expect(model.expectedRate(at: 3 * second) == 50)
    }

    @Test func hawkesRecoversBranchingRatioAndMeanRate() throws {
        // μ = 50/s, α = 10/s, β = 20/s: branching ratio 0.5, stationary mean 100/s.
        let horizon: Int64 = 5_000
        var model = try HawkesRate(baseline: 50, excitation: 10, decay: 20, seed: 5, end: horizon * second)
        let times = arrivals(&model)
        #expect(strictlyIncreasing(times))
        let rate = Double(times.count) / Double(horizon)
        #expect(abs(rate / 100 - 1) < 0.03, "mean rate \(rate)")
        #expect(model.expectedRate(at: 0) == 100)

        // Counts in windows much longer than 1/β: variance/mean → 1/(1 − n)², so n ≈ 1 − 1/√(var/mean).
        func branching(_ times: [Int64], window: Int64) -> Double {
            var counts = [Double](repeating: 0, count: Int(horizon / window))
            for t in times where Int(t / (window * second)) < counts.count { counts[Int(t / (window * second))] += 1 }
            let mean = counts.reduce(0, +) / Double(counts.count)
            let variance = counts.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(counts.count - 1)
            return 1 - 1 / (variance / mean).squareRoot()
        }
        let n = branching(times, window: 5)
        #expect(abs(n - 0.5) < 0.05, "estimated branching ratio \(n)")

        // The same estimator on a Poisson process finds no excitation.
        var poisson = try PoissonRate(rate: 100, seed: 5, end: horizon * second)
        #expect(abs(branching(arrivals(&poisson), window: 5)) < 0.05)
    }

    @Test func hawkesRefusesAnExplosiveBranchingRatio() {
        #expect {
            _ = try HawkesRate(baseline: 10, excitation: 30, decay: 20, seed: 1)
        } throws: { error in
            guard let e = error as? GeneratorParameterError else { return false }
            return e.parameter == "excitation" && e.message.contains("branching ratio") && e.message.contains("< 1")
        }
    }

    static let specs: [RateSpec] = [
        .constant(300),
        .poisson(300),
        .ramp(start: 10, stages: [.init(duration: .seconds(3), rate: 500), .init(duration: .seconds(3), rate: 100)]),
        .step([.init(duration: .seconds(2), rate: 100), .init(duration: .seconds(2), rate: 700)]),
        .bursts(onRate: 900, offRate: 100, on: .milliseconds(500), off: .milliseconds(1500)),
        .hawkes(baseline: 100, excitation: 5, decay: 10),
    ]

    @Test(arguments: specs)
    func specsBuildModelsThatRespectEndAndScale(spec: RateSpec) throws {
        let end = 4 * second
        var model = try spec.make(seed: 9, scale: 2, end: end)
        var times: [Int64] = []
        var t: Int64 = 0
        while let next = model.nextArrival(after: t) {
            times.append(next)
            t = next
        }
        #expect(strictlyIncreasing(times))
        #expect(times.allSatisfy { $0 >= 0 && $0 <= end })
        #expect(model.nextArrival(after: end) == nil)
        // Roughly 2 × meanRate × 4 s for the stationary ones; ramps and steps have their own profile.
        if case .constant = spec { #expect(times.count == 2_401) }
        if case .poisson = spec { #expect(abs(Double(times.count) / 2_400 - 1) < 0.1) }
        if case .hawkes = spec { #expect(spec.meanRate == 200) }
        if case .step = spec { #expect(abs(times.count - 3_200) <= 1) }
        #expect(spec.meanRate > 0)
    }

    @Test func invalidRatesNameTheParameter() {
        func parameter(_ body: () throws -> Void) -> String? {
            do { try body() } catch let e as GeneratorParameterError { return e.parameter } catch { return "?" }
            return nil
        }
        #expect(parameter { _ = try ConstantRate(rate: 0) } == "rate")
        #expect(parameter { _ = try PoissonRate(rate: -1, seed: 1) } == "rate")
        #expect(parameter { _ = try ConstantRate(rate: 1, scale: 0) } == "scale")
        #expect(parameter { _ = try RampStages(stages: []) } == "stages")
        #expect(parameter { _ = try RampStages(stages: [(.seconds(1), -5)]) } == "stages[0].target")
        #expect(parameter { _ = try StepStages(stages: [(.zero, 5)]) } == "stages[0].duration")
        #expect(parameter { _ = try OnOffBursts(onRate: 0, offRate: 0, onDuration: .seconds(1), offDuration: .seconds(1), seed: 1) } == "onRate")
        #expect(parameter { _ = try HawkesRate(baseline: 0, excitation: 1, decay: 2, seed: 1) } == "baseline")
    }
}

// MARK: - L2 order books

/// An independent consumer-side book: price → quantity per side, rebuilt from snapshots and patched by deltas.
private struct ReplayedBook {
    var bids: [Double: Double] = [:] { didSet { cachedBid = nil } }
    var asks: [Double: Double] = [:] { didSet { cachedAsk = nil } }
    var lastUpdateID: Int64 = 0
    // Best prices, recomputed only when a change may have moved them (a full scan per message is slow in debug).
    private var cachedBid: Double?
    private var cachedAsk: Double?

    mutating func apply(_ levels: [[Double]], toBids: Bool) {
        let (bid, ask) = (bestBid, bestAsk)
        for l in levels {
            if l[1] == 0 {
                if toBids { bids[l[0]] = nil } else { asks[l[0]] = nil }
            } else if toBids {
                bids[l[0]] = l[1]
            } else {
                asks[l[0]] = l[1]
            }
        }
        // Keep the cache when every change was strictly behind the old best price.
        if toBids, let bid, levels.allSatisfy({ $0[0] < bid }) { cachedBid = bid }
        if !toBids, let ask, levels.allSatisfy({ $0[0] > ask }) { cachedAsk = ask }
    }

    var bestBid: Double? { mutating get { if cachedBid == nil { cachedBid = bids.keys.max() }; return cachedBid } }
    var bestAsk: Double? { mutating get { if cachedAsk == nil { cachedAsk = asks.keys.min() }; return cachedAsk } }
}

@Suite("Generators: L2 books")
struct GeneratorL2Tests {
    @Test func zipfExponentIsRecoveredFromSymbolFrequencies() throws {
        for (s, events) in [(1.1, 200_000), (1.5, 100_000)] {
            var gen = try L2Generator(.init(symbolCount: 50, zipfExponent: s), seed: 21)
            var counts: [String: Int] = [:]
            for k in 0..<events { counts[gen.next(at: epoch + Int64(k) * 1_000_000).subject, default: 0] += 1 }
            let ranks = gen.symbols.indices.map { log(Double($0 + 1)) }
            let freqs = gen.symbols.map { log(Double(counts["market.l2raw." + $0] ?? 1)) }
            let fitted = -slope(ranks, freqs)
            #expect(abs(fitted - s) < 0.1, "zipfExponent \(s) estimated as \(fitted)")
        }
    }

    @Test func replayedBooksNeverCrossAndSequencesAreContiguous() throws {
        var gen = try L2Generator(.init(symbolCount: 20, snapshotEvery: 2_000, jumpProbability: 0.002), seed: 7)
        var books: [String: ReplayedBook] = [:]
        var deltaSizes: [Int] = []
        var snapshots = 0
        var p = Problems()
        for k in 0..<200_000 {
            let intended = epoch + Int64(k) * 500_000
            let event = gen.next(at: intended)
            let m = try parse(event)
            let symbol = try #require(m["symbol"] as? String)
            let type = try #require(m["type"] as? String)
            let first = try #require(integer(m["first_update_id"]))
            let last = try #require(integer(m["last_update_id"]))
            let bids = try #require(levels(m["bids"]))
            let asks = try #require(levels(m["asks"]))
            p.check(event.subject == "market.l2raw." + symbol, "subject \(event.subject)")
            p.check(m["event_id"] as? String == "l2-\(symbol)-\(last)" && event.eventID == "l2-\(symbol)-\(last)", "event id \(event.eventID)")
            p.check(integer(m["intended_ns"]) == intended && integer(m["event_time"]) == intended / 1_000_000, "times of \(event.eventID)")
            p.check(m["exchange"] as? String == "sim", "exchange")
            var book = books[symbol] ?? ReplayedBook()
            if books[symbol] == nil {
                p.check(type == "snapshot", "first message of \(symbol) is a \(type)")
            } else {
                p.check(first == book.lastUpdateID + 1, "\(symbol): \(first) after \(book.lastUpdateID)")
            }
            if type == "snapshot" {
                snapshots += 1
                p.check(first == last, "snapshot ids \(first)…\(last)")
                book.bids = [:]
                book.asks = [:]
            } else {
                p.check(type == "delta", "type \(type)")
                p.check((1...3).contains(last - first), "delta covers \(first)…\(last)")
                deltaSizes.append(event.payload.count)
            }
            book.apply(bids, toBids: true)
            book.apply(asks, toBids: false)
            book.lastUpdateID = last
            guard let b = book.bestBid, let a = book.bestAsk else {
                Issue.record("\(symbol) has an empty side after update \(last)")
                return
            }
            p.check(b < a, "\(symbol) crossed after update \(last): bid \(b) ask \(a)")
            books[symbol] = book
        }
        #expect(p.count == 0, "\(p.summary)")
        // The replayed books are exactly the generator's books.
        for (symbol, book) in books {
            let (bids, asks) = gen.bookSnapshot(symbol: symbol)
            #expect(Dictionary(uniqueKeysWithValues: bids.map { ($0.0, $0.1) }) == book.bids, "\(symbol) bids differ")
            #expect(Dictionary(uniqueKeysWithValues: asks.map { ($0.0, $0.1) }) == book.asks, "\(symbol) asks differ")
            let mid = try #require(gen.mid(symbol: symbol))
            #expect(mid > bids[0].0 && mid < asks[0].0)
        }
        #expect(books.count == 20)
        #expect(snapshots > 20)  // resync snapshots every 2000 deltas as well as the first ones
        deltaSizes.sort()
        let median = deltaSizes[deltaSizes.count / 2]
        #expect((150...600).contains(median), "median delta \(median) bytes")
        #expect(deltaSizes[deltaSizes.count / 10] >= 150 && deltaSizes[deltaSizes.count * 9 / 10] <= 700)
    }

    @Test func liquidityDropThinsTheTopLevels() throws {
        var gen = try L2Generator(.init(symbols: ["BTC-USDT", "ETH-USDT", "SOL-USDT"], injectionLevels: 10), seed: 3)
        var t = epoch
        for _ in 0..<3_000 { t += 1_000_000; _ = gen.next(at: t) }
        func topDepth() -> Double {
            let (b, a) = gen.bookSnapshot(symbol: "ETH-USDT")
            return b.prefix(10).reduce(0) { $0 + $1.1 } + a.prefix(10).reduce(0) { $0 + $1.1 }
        }
        let before = topDepth()
        gen.inject(Injection(kind: .liquidityDrop, target: "ETH-USDT", magnitude: 0.8, duration: .seconds(30)), at: t)
        var updates = 0
        while updates < 6 {
            t += 1_000_000
            if gen.next(at: t).subject == "market.l2raw.ETH-USDT" { updates += 1 }
        }
        let during = topDepth()
        // 80 % removed; new and re-sized levels are drawn thin too, so at least ~60 % of the depth is gone.
        #expect(during < before * (1 - 0.8 * 0.75), "top-10 depth \(before) → \(during)")
        // It stays thin while the injection lasts…
        for _ in 0..<3_000 { t += 1_000_000; _ = gen.next(at: t) }
        #expect(topDepth() < before * 0.5)
        // …and recovers after it.
        t += 30 * second
        for _ in 0..<6_000 { t += 1_000_000; _ = gen.next(at: t) }
        #expect(topDepth() > before * 0.5)
        // Other symbols are untouched.
        #expect(gen.bookSnapshot(symbol: "BTC-USDT").bids.prefix(10).allSatisfy { $0.1 > 0 })
    }

    @Test func spreadBlowoutWidensTheSpread() throws {
        var gen = try L2Generator(.init(symbols: ["BTC-USDT", "ETH-USDT"]), seed: 4)
        var t = epoch
        func spreadTicks() -> Double {
            let (b, a) = gen.bookSnapshot(symbol: "ETH-USDT")
            return (a[0].0 - b[0].0) / 0.1  // ETH's tick is 0.1
        }
        func averageSpread(updates: Int) -> Double {
            var sum = 0.0, n = 0
            while n < updates {
                t += 1_000_000
                if gen.next(at: t).subject == "market.l2raw.ETH-USDT" {
                    sum += spreadTicks()
                    n += 1
                }
            }
            return sum / Double(n)
        }
        _ = averageSpread(updates: 500)
        let before = averageSpread(updates: 1_000)
        gen.inject(Injection(kind: .spreadBlowout, target: "ETH-USDT", magnitude: 5, duration: .seconds(60)), at: t)
        let during = averageSpread(updates: 500)
        #expect(during / before > 3.5 && during / before < 7, "spread \(before) → \(during) ticks")
        t += 60 * second
        _ = averageSpread(updates: 300)
        let after = averageSpread(updates: 500)
        #expect(after / before < 1.5)
    }
}

// MARK: - Trades

@Suite("Generators: trades")
struct GeneratorTradeTests {
    @Test func tradesExecuteAtTheTouchOfTheGeneratorsBook() throws {
        let symbols = ["BTC-USDT", "ETH-USDT", "SOL-USDT", "XRP-USDT", "SYM005-USDT"]
        var gen = try TradeGenerator(.init(symbols: symbols, buyProbability: 0.7, sweepProbability: 0.05), seed: 8)
        var lastTradeID: [String: Int64] = [:]
        var buys = 0
        var fillsByOrder: [Int64: [(time: Int64, price: Double, side: String)]] = [:]
        var p = Problems()
        let n = 50_000
        for k in 0..<n {
            let touches = Dictionary(uniqueKeysWithValues: symbols.map { ($0, gen.touch(symbol: $0)!) })
            let intended = epoch + Int64(k) * 2_000_000
            let event = gen.next(at: intended)
            let m = try parse(event)
            let symbol = try #require(m["symbol"] as? String)
            let side = try #require(m["side"] as? String)
            let price = try #require(number(m["price"]))
            let quantity = try #require(number(m["quantity"]))
            let tradeID = try #require(integer(m["trade_id"]))
            let orderID = try #require(integer(m["order_id"]))
            let touch = try #require(touches[symbol])
            let expected = side == "BUY" ? touch.ask : touch.bid
            p.check(price == expected, "\(symbol) \(side) at \(price), touch \(touch)")
            p.check(quantity > 0, "quantity \(quantity)")
            p.check(isBoolean(m["taker"]) && m["taker"] as? Bool == true, "taker")
            p.check(event.subject == "market.trades." + symbol && event.eventID == "trade-\(symbol)-\(tradeID)", "ids of \(event.eventID)")
            if let previous = lastTradeID[symbol] { p.check(tradeID == previous + 1, "\(symbol) trade id \(tradeID) after \(previous)") }
            lastTradeID[symbol] = tradeID
            if side == "BUY" { buys += 1 }
            fillsByOrder[orderID, default: []].append((try #require(integer(m["event_time"])), price, side))
        }
        #expect(p.count == 0, "\(p.summary)")
        #expect(abs(Double(buys) / Double(n) - 0.7) < 0.02)
        // Sweeps: several fills of one taker order at one event time, walking away from the touch.
        let sweeps = fillsByOrder.values.filter { $0.count > 1 }
        #expect(sweeps.count > 500)
        for fills in sweeps {
            let prices = fills.map(\.price)
            p.check(Set(fills.map(\.time)).count == 1, "sweep fills at different times")
            p.check(fills[0].side == "BUY" ? prices == prices.sorted() : prices == prices.sorted(by: >), "sweep prices \(prices)")
        }
        #expect(p.count == 0, "\(p.summary)")
    }
}

// MARK: - Orders

@Suite("Generators: orders")
struct GeneratorOrderTests {
    @Test func lifecyclesAreValid() throws {
        var gen = try OrderGenerator(seed: 12)
        struct Seen { var filled: Double; var quantity: Double; var price: Double; var user: Int64; var symbol: String }
        var orders: [Int64: Seen] = [:]
        var ended = Set<Int64>()
        var outcomes: [Bool: (canceled: Int, filled: Int)] = [:]
        var p = Problems()
        for k in 0..<100_000 {
            let m = try parse(gen.next(at: epoch + Int64(k) * 1_000_000))
            let id = try #require(integer(m["order_id"]))
            let status = try #require(m["status"] as? String)
            let filled = try #require(number(m["filled_quantity"]))
            let quantity = try #require(number(m["quantity"]))
            let price = try #require(number(m["price"]))
            let user = try #require(integer(m["user_id"]))
            let symbol = try #require(m["symbol"] as? String)
            let type = try #require(m["type"] as? String)
            p.check(!ended.contains(id), "order \(id) has an event after it ended")
            p.check(filled <= quantity && filled >= 0 && quantity > 0 && price > 0, "order \(id): \(filled)/\(quantity) at \(price)")
            if let previous = orders[id] {
                p.check(status != "new", "order \(id) is new twice")
                p.check(filled >= previous.filled, "order \(id): filled went down")
                p.check(quantity == previous.quantity && price == previous.price && user == previous.user && symbol == previous.symbol,
                        "order \(id) changed its terms")
            } else {
                p.check(status == "new" && filled == 0, "order \(id) starts with \(status)")
            }
            switch status {
            case "new": break
            case "partially_filled": p.check(filled > 0 && filled < quantity, "partial fill \(filled)/\(quantity)")
            case "filled": p.check(filled == quantity, "filled \(filled)/\(quantity)")
            case "canceled": p.check(filled < quantity, "canceled at \(filled)/\(quantity)")
            default: p.check(false, "unexpected status \(status)")
            }
            if status == "filled" || status == "canceled" {
                ended.insert(id)
                if type == "limit" {
                    var o = outcomes[gen.isCancelHeavy(user: user)] ?? (0, 0)
                    if status == "canceled" { o.canceled += 1 } else { o.filled += 1 }
                    outcomes[gen.isCancelHeavy(user: user)] = o
                }
            }
            orders[id] = Seen(filled: filled, quantity: quantity, price: price, user: user, symbol: symbol)
        }
        #expect(p.count == 0, "\(p.summary)")
        #expect(ended.count > 20_000)
        #expect(gen.openOrderCount < 1_500)
        let normal = try #require(outcomes[false]), heavy = try #require(outcomes[true])
        let normalRatio = Double(normal.canceled) / Double(normal.canceled + normal.filled)
        let heavyRatio = Double(heavy.canceled) / Double(heavy.canceled + heavy.filled)
        #expect(abs(normalRatio - 0.3) < 0.03, "ordinary users cancel \(normalRatio)")
        #expect(abs(heavyRatio - 0.9) < 0.05, "cancel-heavy users cancel \(heavyRatio)")
    }

    @Test func orderVelocityAddsThatUsersOrdersAtTheGivenRate() throws {
        var gen = try OrderGenerator(seed: 13)
        var t = epoch
        let step: Int64 = 2_000_000  // 500 events/s
        for _ in 0..<5_000 { t += step; _ = gen.next(at: t) }
        let start = t
        gen.inject(Injection(kind: .orderVelocity, target: "777777", magnitude: 50, duration: .seconds(20)), at: start)
        var news = 0, cancels = 0, fills = 0, newsAfter = 0
        var open = Set<Int64>()
        while t < start + 30 * second {
            t += step
            let m = try parse(gen.next(at: t))
            guard integer(m["user_id"]) == 777_777 else { continue }
            let id = try #require(integer(m["order_id"]))
            switch m["status"] as? String {
            case "new":
                if t <= start + 20 * second { news += 1 } else { newsAfter += 1 }
                open.insert(id)
            case "canceled": cancels += 1; open.remove(id)
            case "filled": fills += 1; open.remove(id)
            default: Issue.record("injected orders go straight from new to an end")
            }
        }
        #expect(abs(Double(news) / 1_000 - 1) < 0.1, "\(news) orders in 20 s")
        #expect(newsAfter == 0)
        #expect(open.isEmpty, "injected orders all end within 2 s")
        #expect(abs(Double(cancels) / Double(cancels + fills) - 0.9) < 0.04)
    }
}

// MARK: - Social

@Suite("Generators: social")
struct GeneratorSocialTests {
    @Test func postsMixSourcesLanguagesAndHeavyTailedEngagement() throws {
        var gen = try SocialGenerator(seed: 14)
        var sources: [String: Int] = [:], languages: [String: Int] = [:]
        var likes: [Int64] = []
        let n = 20_000
        for k in 0..<n {
            let event = gen.next(at: epoch + Int64(k) * 1_000_000)
            let m = try parse(event)
            let source = try #require(m["source"] as? String)
            #expect(event.subject == "social.raw." + source)
            sources[source, default: 0] += 1
            languages[try #require(m["language"] as? String), default: 0] += 1
            let text = try #require(m["text"] as? String)
            let symbol = try #require(m["symbol"] as? String)
            #expect(text.contains("$" + symbol.split(separator: "-")[0]), "\(text) should mention \(symbol)")
            let engagement = try #require(m["engagement"] as? [String: Any])
            likes.append(try #require(integer(engagement["likes"])))
            #expect(integer(engagement["reposts"]) != nil && integer(engagement["replies"]) != nil)
            #expect((m["author"] as? String)?.hasPrefix("@user") == true)
        }
        for (source, share) in [("twitter", 0.5), ("reddit", 0.25), ("telegram", 0.15), ("news", 0.10)] {
            #expect(abs(Double(sources[source] ?? 0) / Double(n) - share) < 0.015, "\(source): \(sources[source] ?? 0)")
        }
        #expect(abs(Double(languages["en"] ?? 0) / Double(n) - 0.8) < 0.015)
        #expect(Set(languages.keys) == ["en", "es", "pt", "ja", "ko", "tr"])
        likes.sort()
        #expect(likes[n / 2] <= 3 && likes[n - 1] > 1_000, "median \(likes[n / 2]), max \(likes[n - 1])")
    }

    @Test func socialBuzzRaisesMentionsByTheMagnitude() throws {
        var gen = try SocialGenerator(seed: 15)
        let target = gen.symbols[9]
        var t = epoch
        func mentions(posts: Int) throws -> (count: Int, negative: Int) {
            var c = 0, negative = 0
            for _ in 0..<posts {
                t += 10_000_000
                let m = try parse(gen.next(at: t))
                if m["symbol"] as? String == target {
                    c += 1
                    let text = (m["text"] as? String ?? "").lowercased()
                    if ["rug", "exploit", "hacked", "collapsing", "panic", "scam", "depeg"].contains(where: text.contains) { negative += 1 }
                }
            }
            return (c, negative)
        }
        let before = try mentions(posts: 20_000)
        gen.inject(Injection(kind: .socialBuzz, target: target, magnitude: 10, duration: .seconds(200)), at: t)
        let during = try mentions(posts: 20_000)  // 200 s at 100 posts/s
        let after = try mentions(posts: 20_000)
        let expected = gen.mentionProbability(symbol: target) * 20_000
        #expect(abs(Double(before.count) / expected - 1) < 0.2)
        #expect(abs(Double(during.count) / Double(before.count) / 10 - 1) < 0.2, "\(before.count) → \(during.count) mentions")
        #expect(Double(during.negative) > 0.8 * Double(during.count - before.count))
        #expect(Double(after.count) / Double(before.count) < 1.5)
    }
}

// MARK: - Frontend

@Suite("Generators: frontend")
struct GeneratorFrontendTests {
    @Test func beaconsAreBoundedOrderedAndSessionsEnd() throws {
        var gen = try FrontendGenerator(.init(sessionsPerSecond: 10, beaconSize: 8), seed: 16)
        var lastEventTime: [String: Int64] = [:]
        var firstBeacon: Int64?
        var sizes = Set<Int>()
        var types = Set<String>()
        var p = Problems()
        for k in 0..<20_000 {
            let intended = epoch + Int64(k) * 25_000_000  // 40 beacons/s, about the natural rate
            let event = gen.next(at: intended)
            let m = try parse(event)
            let session = try #require(m["session_id"] as? String)
            let events = try #require(m["events"] as? [[String: Any]])
            p.check((1...8).contains(events.count), "beacon of \(events.count) events")
            sizes.insert(events.count)
            p.check(integer(m["user_id"]).map { $0 >= 1 && $0 <= 10_000 } == true, "user_id \(String(describing: m["user_id"]))")
            var previous = lastEventTime[session] ?? .min
            for e in events {
                let time = try #require(integer(e["event_time"]))
                p.check(time >= previous, "\(session): event times go back")
                previous = time
                types.insert(try #require(e["event_type"] as? String))
                let properties = try #require(e["properties"] as? [String: Any])
                p.check((properties["page"] as? String)?.hasPrefix("/") == true, "page \(properties)")
                p.check(e["element"] is String, "element")
            }
            p.check(try #require(integer(m["sent_at"])) >= previous, "sent before its last event")
            lastEventTime[session] = previous
            let number = try #require(Int64(event.eventID.dropFirst("beacon-".count)))
            if firstBeacon == nil { firstBeacon = number }
            p.check(m["event_id"] as? String == event.eventID && number == firstBeacon! + Int64(k), "beacon id \(event.eventID)")
        }
        #expect(p.count == 0, "\(p.summary)")
        #expect(sizes.contains(1) && sizes.contains(8))
        #expect(types == ["page_view", "click", "scroll", "input"])
        #expect(gen.activeSessions == gen.sessionsStarted - gen.sessionsEnded)
        // Sessions last about a minute and a half, so ~10/s × 90 s are open at a time, not an ever-growing pile.
        #expect(gen.activeSessions < 2_000)
    }

    @Test func sessionsEnd() throws {
        // Short sessions (≤ 3 pages, 1 s think time): every session seen early must be over well before the end.
        var gen = try FrontendGenerator(.init(sessionsPerSecond: 10, thinkTime: .seconds(1), maxPagesPerSession: 3), seed: 17)
        var firstSeen: [String: Int] = [:], lastSeen: [String: Int] = [:]
        let n = 12_000
        for k in 0..<n {
            let m = try parse(gen.next(at: epoch + Int64(k) * 30_000_000))
            let session = try #require(m["session_id"] as? String)
            if firstSeen[session] == nil { firstSeen[session] = k }
            lastSeen[session] = k
        }
        let early = firstSeen.filter { $0.value < 1_000 }.keys
        #expect(early.count > 100)
        #expect(early.allSatisfy { lastSeen[$0]! < 4_000 }, "a session started early was still sending at the end")
        #expect(gen.sessionsEnded > gen.sessionsStarted * 95 / 100)
    }
}

// MARK: - All generators

@Suite("Generators: payloads and determinism")
struct GeneratorPayloadTests {
    static let kinds = FeedKind.generated

    private static func events(_ spec: GeneratorSpec, seed: UInt64, count: Int) throws -> [GeneratedEvent] {
        var gen = try spec.make(seed: seed)
        #expect(gen.feeds == [spec.kind])
        return (0..<count).map { gen.next(at: epoch + Int64($0) * 1_000_000) }
    }

    @Test(arguments: kinds)
    func sameSeedSamePayloadsOtherSeedOthers(kind: FeedKind) throws {
        let spec = try #require(GeneratorSpec.defaults(kind: kind))
        let a = try Self.events(spec, seed: 42, count: 10_000)
        let b = try Self.events(spec, seed: 42, count: 10_000)
        let c = try Self.events(spec, seed: 43, count: 10_000)
        #expect(a.map(\.payload) == b.map(\.payload))
        #expect(a.map(\.eventID) == b.map(\.eventID) && a.map(\.subject) == b.map(\.subject))
        #expect(a.map(\.payload) != c.map(\.payload))
    }

    /// Documented fields: name → "s" string, "i" integer, "n" number, "b" boolean, "a" array, "o" object.
    static let fields: [String: [String: Character]] = [
        "l2": ["symbol": "s", "exchange": "s", "type": "s", "event_time": "i", "first_update_id": "i", "last_update_id": "i",
               "bids": "a", "asks": "a", "event_id": "s", "intended_ns": "i"],
        "trades": ["symbol": "s", "exchange": "s", "event_time": "i", "trade_id": "i", "price": "n", "quantity": "n", "side": "s",
                   "taker": "b", "order_id": "i", "event_id": "s", "intended_ns": "i"],
        "social": ["event_id": "s", "event_time": "i", "source": "s", "symbol": "s", "language": "s", "text": "s", "author": "s",
                   "engagement": "o", "intended_ns": "i"],
        "frontend": ["session_id": "s", "user_id": "i", "sent_at": "i", "events": "a", "event_id": "s", "intended_ns": "i"],
        "orders": ["event_id": "s", "event_time": "i", "user_id": "i", "order_id": "i", "symbol": "s", "side": "s", "type": "s",
                   "price": "n", "quantity": "n", "filled_quantity": "n", "status": "s", "intended_ns": "i"],
        "signals": ["event_time": "s", "source_id": "s", "event_type": "s", "payload": "o", "severity": "i", "trace_id": "s",
                    "user_id": "s", "wallet_address": "s", "intended_ns": "i"],
    ]

    @Test(arguments: kinds)
    func payloadsAreJSONWithTheDocumentedFields(kind: FeedKind) throws {
        let spec = try #require(GeneratorSpec.defaults(kind: kind))
        let expected = try #require(Self.fields[kind.rawValue])
        for (k, event) in try Self.events(spec, seed: 1, count: 2_000).enumerated() {
            let m = try parse(event)
            #expect(Set(m.keys) == Set(expected.keys), "\(kind) keys \(m.keys.sorted())")
            for (key, type) in expected {
                let v = m[key]
                let ok: Bool = switch type {
                case "s": v is String
                case "i": integer(v) != nil
                case "n": number(v) != nil
                case "b": isBoolean(v)
                case "a": v is [Any]
                default: v is [String: Any]
                }
                #expect(ok, "\(kind).\(key) is not of type \(type): \(String(describing: v))")
            }
            #expect(integer(m["intended_ns"]) == epoch + Int64(k) * 1_000_000)
            #expect(event.intendedNanos == epoch + Int64(k) * 1_000_000)
            #expect(event.eventID == (m["event_id"] as? String ?? m["trace_id"] as? String))
            if let time = integer(m["event_time"]), kind != .trades { #expect(time == event.intendedNanos / 1_000_000) }
            switch kind {
            case .l2:
                for level in try #require(levels(m["bids"])) + #require(levels(m["asks"])) {
                    #expect(level[0] > 0 && level[1] >= 0)
                }
            case .orders:
                #expect(event.subject == "user.actions.orders")
                #expect(["new", "partially_filled", "filled", "canceled"].contains(m["status"] as! String))
                #expect(["limit", "market"].contains(m["type"] as! String) && ["BUY", "SELL"].contains(m["side"] as! String))
            case .signals:
                #expect(event.subject == "signals.transaction")
            case .social:
                let engagement = try #require(m["engagement"] as? [String: Any])
                #expect(Set(engagement.keys) == ["likes", "reposts", "replies"])
            case .frontend:
                #expect(event.subject == "frontend.events.web")
            default: break
            }
        }
    }

    @Test func specsBuildEveryKindAndRefuseBadParameters() throws {
        for kind in FeedKind.generated {
            let spec = try #require(GeneratorSpec.defaults(kind: kind))
            #expect(try spec.make(seed: 1).feeds == [kind])
            #expect(spec.kind == kind)
        }
        #expect(GeneratorSpec.defaults(kind: .quotes) == nil, "quotes come from replayed captures only")
        #expect(FeedKind(rawValue: "nope") == nil)
        func parameter(_ spec: GeneratorSpec) -> String? {
            do { _ = try spec.make(seed: 1) } catch let e as GeneratorParameterError { return e.parameter } catch { return "?" }
            return nil
        }
        #expect(parameter(.l2(.init(zipfExponent: -1))) == "zipfExponent")
        #expect(parameter(.l2(.init(depth: 1))) == "depth")
        #expect(parameter(.l2(.init(touchDecay: 1))) == "touchDecay")
        #expect(parameter(.l2(.init(symbols: ["BTCUSDT"]))) == "symbols")
        #expect(parameter(.l2(.init(snapshotEvery: 0))) == "snapshotEvery")
        #expect(parameter(.trades(.init(buyProbability: 1.5))) == "buyProbability")
        #expect(parameter(.trades(.init(maxSweepLevels: 30, depth: 20))) == "maxSweepLevels")
        #expect(parameter(.social(.init(positiveFraction: 0.7, negativeFraction: 0.5))) == "negativeFraction")
        #expect(parameter(.frontend(.init(beaconSize: 0))) == "beaconSize")
        #expect(parameter(.frontend(.init(sessionsPerSecond: 0))) == "sessionsPerSecond")
        #expect(parameter(.orders(.init(cancelRatio: 1.2))) == "cancelRatio")
        #expect(parameter(.orders(.init(userCount: 0))) == "userCount")
        #expect(parameter(.signals(.init(sourceID: ""))) == "sourceID")
    }
}
