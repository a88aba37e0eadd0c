import Generators
import LoadSource
import RiskSignalCore
import Scenario

/// Maps a scenario's `params` (snake_case) onto each generator's parameters.
enum GeneratorParameters {
    struct Setter<P> {
        let apply: (inout P, ParamValue) throws(GeneratorParameterError) -> Void
    }

    static func number<P>(_ name: String, _ kp: WritableKeyPath<P, Double>) -> (String, Setter<P>) {
        (name, Setter { p, v throws(GeneratorParameterError) in
            guard case .number(let d) = v else { throw .init(parameter: name, message: "expected a number") }
            p[keyPath: kp] = d
        })
    }

    static func integer<P>(_ name: String, _ kp: WritableKeyPath<P, Int>) -> (String, Setter<P>) {
        (name, Setter { p, v throws(GeneratorParameterError) in
            guard case .number(let d) = v, let i = try? Checked.wholeInt(d, field: name, in: -1_000_000_000_000...1_000_000_000_000) else {
                throw .init(parameter: name, message: "expected a whole number")
            }
            p[keyPath: kp] = i
        })
    }

    static func seconds<P>(_ name: String, _ kp: WritableKeyPath<P, Duration>) -> (String, Setter<P>) {
        (name, Setter { p, v throws(GeneratorParameterError) in
            guard case .string(let s) = v, case .success(let d) = ScenarioDurations.parse(s) else {
                throw .init(parameter: name, message: "expected a duration like 5s")
            }
            p[keyPath: kp] = d
        })
    }

    /// `symbols: 40` (how many) or `symbols: [BTC-USDT, ETH-USDT]` (which).
    static func symbols<P>(_ list: WritableKeyPath<P, [String]?>, _ count: WritableKeyPath<P, Int>) -> (String, Setter<P>) {
        ("symbols", Setter { p, v throws(GeneratorParameterError) in
            switch v {
            case .number(let d):
                do { p[keyPath: count] = try Checked.wholeInt(d, field: "symbols", in: 1...100_000) } catch {
                    throw .init(parameter: "symbols", message: "expected a count of symbols in 1...100000 or a list like [BTC-USDT, ETH-USDT], got \(d)")
                }
            case .strings(let s) where !s.isEmpty: p[keyPath: list] = s
            case .string(let s): p[keyPath: list] = [s]
            default: throw .init(parameter: "symbols", message: "expected a count of symbols or a list like [BTC-USDT, ETH-USDT]")
            }
        })
    }

    static func apply<P>(_ params: [String: ParamValue], to p: inout P, _ setters: [(String, Setter<P>)]) throws(GeneratorParameterError) {
        let table = Dictionary(setters, uniquingKeysWith: { a, _ in a })
        for (k, v) in params.sorted(by: { $0.key < $1.key }) {
            guard let s = table[k] else {
                throw .init(parameter: k, message: "unknown parameter; expected one of \(setters.map(\.0).joined(separator: ", "))")
            }
            try s.apply(&p, v)
        }
    }

    static var l2: [(String, Setter<L2Generator.Parameters>)] {
        [
            symbols(\.symbols, \.symbolCount), number("zipf_exponent", \.zipfExponent), integer("depth", \.depth),
            number("touch_decay", \.touchDecay), integer("max_level_changes", \.maxLevelChanges), integer("snapshot_every", \.snapshotEvery),
            number("volatility", \.volatility), number("jump_probability", \.jumpProbability), number("jump_size", \.jumpSize),
            number("touch_notional", \.touchNotional), number("level_growth", \.levelGrowth), number("size_sigma", \.sizeSigma),
            integer("injection_levels", \.injectionLevels),
        ]
    }
    static var trades: [(String, Setter<TradeGenerator.Parameters>)] {
        [
        symbols(\.symbols, \.symbolCount), number("zipf_exponent", \.zipfExponent), number("buy_probability", \.buyProbability),
        number("median_notional", \.medianNotional), number("size_sigma", \.sizeSigma), number("sweep_probability", \.sweepProbability),
        integer("max_sweep_levels", \.maxSweepLevels), integer("updates_per_trade", \.updatesPerTrade), integer("depth", \.depth),
        number("volatility", \.volatility), number("jump_probability", \.jumpProbability), number("jump_size", \.jumpSize),
        number("touch_notional", \.touchNotional),
        ]
    }
    static var social: [(String, Setter<SocialGenerator.Parameters>)] {
        [
        symbols(\.symbols, \.symbolCount), number("zipf_exponent", \.zipfExponent), number("positive_fraction", \.positiveFraction),
        number("negative_fraction", \.negativeFraction), number("english_fraction", \.englishFraction), integer("author_pool", \.authorPool),
        number("engagement_alpha", \.engagementAlpha),
        ]
    }
    static var frontend: [(String, Setter<FrontendGenerator.Parameters>)] {
        [
        number("sessions_per_second", \.sessionsPerSecond), integer("beacon_size", \.beaconSize), seconds("think_time", \.thinkTime),
        integer("user_count", \.userCount), integer("max_pages_per_session", \.maxPagesPerSession),
        symbols(\.symbols, \.symbolCount), number("zipf_exponent", \.zipfExponent),
        ]
    }
    static var orders: [(String, Setter<OrderGenerator.Parameters>)] {
        [
        symbols(\.symbols, \.symbolCount), number("zipf_exponent", \.zipfExponent), integer("user_count", \.userCount),
        number("user_zipf_exponent", \.userZipfExponent), number("market_order_fraction", \.marketOrderFraction),
        number("cancel_ratio", \.cancelRatio), number("cancel_heavy_fraction", \.cancelHeavyFraction),
        number("cancel_heavy_ratio", \.cancelHeavyRatio), number("partial_fill_probability", \.partialFillProbability),
        integer("target_open_orders", \.targetOpenOrders), number("median_notional", \.medianNotional),
        number("injected_cancel_ratio", \.injectedCancelRatio),
        ]
    }

    /// Parameter names per generator, for the scenario parser's unknown-key errors.
    static var names: [FeedKind: [String]] {
        [.l2: l2.map(\.0), .trades: trades.map(\.0), .social: social.map(\.0), .frontend: frontend.map(\.0),
         .orders: orders.map(\.0), .signals: []]
    }
}

extension WorkloadFactory {
    /// Builds a generator from scenario params; errors name the parameter.
    public static func makeGenerator(_ kind: FeedKind, params: [String: ParamValue], seed: UInt64, idSalt: UInt64 = 0) throws -> any EventGenerator {
        switch kind {
        case .l2:
            var p = L2Generator.Parameters(); try GeneratorParameters.apply(params, to: &p, GeneratorParameters.l2)
            return try GeneratorSpec.l2(p).make(seed: seed, idSalt: idSalt)
        case .trades:
            var p = TradeGenerator.Parameters(); try GeneratorParameters.apply(params, to: &p, GeneratorParameters.trades)
            return try GeneratorSpec.trades(p).make(seed: seed, idSalt: idSalt)
        case .social:
            var p = SocialGenerator.Parameters(); try GeneratorParameters.apply(params, to: &p, GeneratorParameters.social)
            return try GeneratorSpec.social(p).make(seed: seed, idSalt: idSalt)
        case .frontend:
            var p = FrontendGenerator.Parameters(); try GeneratorParameters.apply(params, to: &p, GeneratorParameters.frontend)
            return try GeneratorSpec.frontend(p).make(seed: seed, idSalt: idSalt)
        case .orders:
            var p = OrderGenerator.Parameters(); try GeneratorParameters.apply(params, to: &p, GeneratorParameters.orders)
            return try GeneratorSpec.orders(p).make(seed: seed, idSalt: idSalt)
        case .signals:
            guard params.isEmpty else { throw GeneratorParameterError(parameter: params.keys.sorted()[0], message: "the signals generator takes no parameters") }
            return try GeneratorSpec.signals(.init()).make(seed: seed, idSalt: idSalt)
        case .quotes:
            // The scenario parser only accepts generators that have parameters listed, so this is a caller's slip.
            throw GeneratorParameterError(parameter: "generator", message: "no generator makes quotes; replay a capture that carries them")
        }
    }

    /// Parameter names each generator accepts.
    public static var parameterNames: [FeedKind: [String]] { GeneratorParameters.names }
}
