import LoadSource
import RiskSignalCore

// Generators and rate models of rsbench scenarios: parameters and defaults. The seam they plug into (`EventGenerator`,
// `RateModel`, `RateSpec`, `Injection`) is the LoadSource module; these are its synthetic sources.
//
// Names are the Swift parameter names (errors name them too); a scenario file may spell them in snake_case
// (`zipfExponent` → `zipf_exponent`). Durations are Swift `Duration`s (scenario files: "5s", "250ms").
// Every generator and rate model is deterministic given its seed and the times passed in. Event-id counters
// (post-<n>, ord-<n>, beacon-<n>, s-<n>, trade and update ids) start at a seed-derived value in 10^9…10^10, so
// workloads with different seeds do not reuse ids; the same seed repeats them exactly.
//
// ## Generators (`GeneratorSpec`)
//
// | generator | parameter | default | meaning |
// |---|---|---|---|
// | l2 | symbols | nil | symbols, most popular first; nil: `symbolCount` defaults (BTC-USDT, ETH-USDT, SOL-USDT, BNB-USDT, XRP-USDT, DOGE-USDT, ADA-USDT, AVAX-USDT, LINK-USDT, TON-USDT, then SYM011-USDT…) |
// | l2 | symbolCount | 50 | number of default symbols (1–999) |
// | l2 | zipfExponent | 1.1 | symbol popularity ∝ rank^-s |
// | l2 | depth | 50 | levels per side in the book and in snapshots |
// | l2 | touchDecay | 0.8 | chance of changing the level i away from the touch ∝ touchDecay^i (0 < x < 1) |
// | l2 | maxLevelChanges | 3 | each exchange update changes 1…k levels (a delta folds 1–3 updates) |
// | l2 | snapshotEvery | 10000 | deltas between two snapshots of a symbol |
// | l2 | volatility | 2e-5 | std dev of the log mid per exchange update |
// | l2 | jumpProbability | 0.0005 | chance of a price jump per exchange update |
// | l2 | jumpSize | 0.002 | median relative jump size (lognormal, sigma 0.5) |
// | l2 | touchNotional | 5000 | median quote notional at the touch of the top symbol (÷ √rank for the others) |
// | l2 | levelGrowth | 0.08 | median level size × (1 + levelGrowth·i) at distance i |
// | l2 | sizeSigma | 0.8 | lognormal sigma of level sizes |
// | l2 | injectionLevels | 10 | levels per side a liquidity_drop thins |
// | trades | symbols, symbolCount, zipfExponent | nil, 50, 1.1 | as l2 |
// | trades | buyProbability | 0.5 | share of buys |
// | trades | medianNotional | 300 | median trade notional (lognormal) |
// | trades | sizeSigma | 1.2 | lognormal sigma of trade sizes |
// | trades | sweepProbability | 0.02 | chance a taker order sweeps several levels (fills share event_time and order_id) |
// | trades | maxSweepLevels | 5 | most levels per sweep (≥ 2, < depth) |
// | trades | updatesPerTrade | 2 | book updates simulated after each trade of a symbol |
// | trades | depth, volatility, jumpProbability, jumpSize, touchNotional | 20, 2e-5, 0.0005, 0.002, 5000 | book simulation, as l2 |
// | social | symbols, symbolCount, zipfExponent | nil, 50, 1.1 | as l2 |
// | social | positiveFraction | 0.4 | share of positive posts |
// | social | negativeFraction | 0.3 | share of negative posts (rest neutral) |
// | social | englishFraction | 0.8 | share of English; rest es:pt:ja:ko:tr = 5:4:4:4:3 |
// | social | authorPool | 1000000 | authors @user1…@userN, density ∝ id^-0.7 |
// | social | engagementAlpha | 1.3 | Pareto tail index of likes (> 1) |
// | frontend | sessionsPerSecond | 20 | session arrivals (Poisson) on the generator's clock; ~4 beacons per session, so pace beacons at ~4 × this |
// | frontend | beaconSize | 10 | events per beacon at most (also sent on page hide / exit) |
// | frontend | thinkTime | 5s | mean think time between a session's events (lognormal, sigma 1) |
// | frontend | userCount | 10000 | users 1…N, density ∝ id^-0.7 |
// | frontend | maxPagesPerSession | 40 | pages before a session is made to leave |
// | frontend | symbols, symbolCount, zipfExponent | nil, 50, 1.1 | symbols of /trade/<symbol> pages |
// | orders | symbols, symbolCount, zipfExponent | nil, 50, 1.1 | as l2 |
// | orders | userCount | 10000 | users 1…N |
// | orders | userZipfExponent | 0.8 | user activity ∝ user^-s |
// | orders | marketOrderFraction | 0.2 | share of market orders |
// | orders | cancelRatio | 0.3 | share of an ordinary user's limit orders that end canceled |
// | orders | cancelHeavyFraction | 0.05 | share of users who are cancel-heavy |
// | orders | cancelHeavyRatio | 0.9 | their cancel ratio |
// | orders | partialFillProbability | 0.4 | chance of each further partial fill (≤ 0.95) |
// | orders | targetOpenOrders | 500 | open orders the flow hovers around |
// | orders | medianNotional | 1000 | median order notional (lognormal) |
// | orders | injectedCancelRatio | 0.9 | cancel ratio of orders an order_velocity injection adds |
// | signals | sourceID | "risksignal-test-producer" | source_id of seed 000's signals |
//
// ## Payload notes
//
// - l2: a symbol's first message is a snapshot (all `depth` levels per side); then deltas whose
//   `first_update_id` is the previous `last_update_id` + 1 and `last_update_id − first_update_id` is the number of
//   exchange updates folded in (1–3); a resync snapshot every `snapshotEvery` deltas takes the next id (first = last).
//   Prices carry the tick's decimals (tick ≈ 1e-4 of the price rounded down to a power of ten); quantity 0 removes a
//   level; bids and asks never cross after any message. `event_id` = `l2-<symbol>-<last_update_id>`.
// - trades: a buy executes at the generator's own best ask, a sell at its best bid; sweep fills share
//   `event_time` and `order_id`; `trade_id` is contiguous per symbol.
// - orders: new → partially_filled* → filled | canceled; filled_quantity ≤ quantity; market orders carry the
//   reference price.
// - frontend: 1…beaconSize events per beacon, event times non-decreasing within a session.
//
// ## Rate models (LoadSource's `RateSpec`; all multiply rates by the run's rate_scale and stop at `end`)
//
// | model | parameters | arrivals |
// |---|---|---|
// | constant | rate | evenly spaced 1/rate, first at 0 |
// | poisson | rate | exponential gaps |
// | ramp | start = 0, stages [(duration, rate)] | rate linear from the previous target to each target; deterministic (where the expected count Λ(t) reaches k − ½); ends after the last stage |
// | step | stages [(duration, rate)] | piecewise constant, deterministic; ends after the last stage |
// | bursts | onRate, offRate, on, off | Poisson within each phase, starting with "on" |
// | hawkes | baseline μ, excitation α, decay β (all per second) | self-exciting; α/β < 1; mean μ/(1 − α/β) |
//
// ## Injections (LoadSource's `Injection`)
//
// | kind | target | magnitude | generators |
// |---|---|---|---|
// | liquidity_drop | symbol | fraction of top-`injectionLevels` quantity removed over the next 3 updates, kept thin for `duration` | l2, trades |
// | spread_blowout | symbol | spread factor for `duration` (levels near the touch removed) | l2, trades |
// | order_velocity | user id | extra new orders/s from that user for `duration`, mostly canceled within 2 s | orders |
// | social_buzz | symbol | factor on that symbol's mention rate for `duration`, strongly negative posts | social |

/// A generator as a scenario file describes it: its kind and parameters; `make` builds it for one run.
public enum GeneratorSpec: Sendable, Equatable {
    case l2(L2Generator.Parameters)
    case trades(TradeGenerator.Parameters)
    case social(SocialGenerator.Parameters)
    case frontend(FrontendGenerator.Parameters)
    case orders(OrderGenerator.Parameters)
    case signals(SignalGenerator.Parameters)

    /// The spec of `kind` with every parameter at its default; nil for a feed only replays carry (quotes).
    public static func defaults(kind: FeedKind) -> GeneratorSpec? {
        switch kind {
        case .l2: .l2(.init())
        case .trades: .trades(.init())
        case .social: .social(.init())
        case .frontend: .frontend(.init())
        case .orders: .orders(.init())
        case .signals: .signals(.init())
        case .quotes: nil
        }
    }

    /// The feed this generator makes, spelled as in scenario files.
    public var kind: FeedKind {
        switch self {
        case .l2: .l2
        case .trades: .trades
        case .social: .social
        case .frontend: .frontend
        case .orders: .orders
        case .signals: .signals
        }
    }

    /// Builds the generator, validating its parameters (a `GeneratorParameterError` names the one refused).
    /// `idSalt` (a run's `EventIDPolicy` nonce) moves only the event ids; 0 keeps the seed's own ids.
    public func make(seed: UInt64, idSalt: UInt64 = 0) throws -> any EventGenerator {
        switch self {
        case .l2(let p): try L2Generator(p, seed: seed, idSalt: idSalt)
        case .trades(let p): try TradeGenerator(p, seed: seed, idSalt: idSalt)
        case .social(let p): try SocialGenerator(p, seed: seed, idSalt: idSalt)
        case .frontend(let p): try FrontendGenerator(p, seed: seed, idSalt: idSalt)
        case .orders(let p): try OrderGenerator(p, seed: seed, idSalt: idSalt)
        case .signals(let p): try SignalGenerator(p, seed: seed, idSalt: idSalt)
        }
    }
}
