import Foundation
import RiskSignalCore
import Scenario
import ScenarioRun
import Testing

@Suite("Scenario files and gates")
struct ScenarioTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().path

    @Test(arguments: ["peak", "baseline", "ci", "social-burst", "flash-crash", "soak"])
    func shippedScenariosAreValid(name: String) throws {
        let s = try ScenarioParser.load(path: "\(Self.root)/scenarios/\(name).yaml")
        #expect(s.name == name)
        #expect(!s.workloads.isEmpty)
        #expect(s.duration > .zero)
        if name == "ci" { #expect(s.duration + s.warmup <= .seconds(60), "ci.yaml must fit in a minute") }
        if name == "flash-crash" { #expect(Set(s.injections.map(\.kind)) == ["liquidity_drop", "order_velocity"]) }
    }

    @Test func peakIsDominatedByOrderBooks() throws {
        let s = try ScenarioParser.load(path: "\(Self.root)/scenarios/peak.yaml")
        let rates = Dictionary(uniqueKeysWithValues: s.workloads.map { ($0.name, $0.rate.meanRate) })
        #expect(s.workloads.count == 6)
        #expect(rates["books"]! > rates.values.reduce(0, +) / 2)
    }

    @Test func parsesEveryRateModel() throws {
        let yaml = """
            duration: 10s
            workloads:
              - { name: a, generator: signals, rate: 100 }
              - { name: b, generator: signals, rate: { model: poisson, rate: 2k } }
              - { name: c, generator: signals, rate: { model: ramp, start: 10, stages: [ { duration: 10s, rate: 100 } ] } }
              - { name: d, generator: signals, rate: { model: step, stages: [ { duration: 5s, rate: 10 }, { duration: 5s, rate: 30 } ] } }
              - { name: e, generator: signals, rate: { model: bursts, on_rate: 100, off_rate: 0, on: 1s, off: 3s } }
              - { name: f, generator: signals, rate: { model: hawkes, baseline: 10, excitation: 1, decay: 2 } }
            """
        let s = try ScenarioParser.parse(yaml, file: "rates.yaml")
        #expect(s.workloads.map(\.rate.meanRate) == [100, 2000, 55, 20, 25, 20])
    }

    /// `stack: { nats_nodes: N }` asks the local stack for an N-node NATS cluster; a bad count names its line and key.
    @Test func parsesTheStackNodeCount() throws {
        let base = "duration: 10s\nworkloads:\n  - { name: a, generator: signals, rate: 100 }\n"
        #expect(try ScenarioParser.parse(base, file: "one.yaml").target.natsNodes == nil)
        #expect(try ScenarioParser.parse(base + "stack: { nats_nodes: 3 }\n", file: "three.yaml").target.natsNodes == 3)
        for (bad, message) in [("stack: { nats_nodes: 9 }", "at most 5"), ("stack: { nats_nodes: three }", "whole number"), ("stack: { nodes: 3 }", "nodes")] {
            do {
                _ = try ScenarioParser.parse(base + bad + "\n", file: "bad.yaml")
                Issue.record("accepted \(bad)")
            } catch {
                let issue = try #require(error.issues.first)
                #expect(issue.file == "bad.yaml")
                #expect(issue.line == 4, "\(bad): \(issue)")
                #expect(issue.key.hasPrefix("stack"), "\(bad): \(issue)")
                #expect(issue.message.contains(message), "\(bad): \(issue.message)")
            }
        }
    }

    /// Each bad input is reported with its line and key, and all of them at once.
    @Test func reportsEveryProblemWithLineAndKey() {
        let yaml = """
            name: broken
            duration: 60
            warmup: 5 seconds
            seed: -1
            colour: blue
            workloads:
              - name: books
                generator: l3
                rate: 100
              - name: trades
                generator: trades
                rate: -5
              - name: social
                generator: social
                rate: { model: hawkes, baseline: 10, excitation: 3, decay: 2 }
                params: { symbol: 5 }
              - name: orders
                generator: orders
            injections:
              - { at: 10s, kind: meteor, target: BTC-USDT }
            gates:
              - e2e_lag.p99 < 500
              - latency.p99 < 1s
              - lost = 0
            """
        do {
            _ = try ScenarioParser.parse(yaml, file: "broken.yaml")
            Issue.record("accepted a broken scenario")
        } catch {
            let byKey = Dictionary(error.issues.map { ($0.key, $0) }, uniquingKeysWith: { a, _ in a })
            #expect(byKey["duration"]?.line == 2)
            #expect(byKey["duration"]?.message.contains("need a unit") == true)
            #expect(byKey["warmup"]?.line == 3)
            #expect(byKey["seed"]?.line == 4)
            #expect(byKey["colour"]?.line == 5)
            #expect(byKey["workloads[0].generator"]?.message.contains("unknown generator \"l3\"") == true)
            #expect(byKey["workloads[0].generator"]?.line == 8)
            #expect(byKey["workloads[1].rate"]?.line == 12)
            #expect(byKey["workloads[2].rate.excitation"]?.message.contains("below 1") == true)
            #expect(byKey["workloads[2].params.symbol"]?.message.contains("did you mean symbols") == true)
            #expect(byKey["workloads[3].rate"]?.message.contains("required") == true)
            #expect(byKey["injections[0].kind"]?.message.contains("unknown injection") == true)
            #expect(byKey["gates[0]"]?.message.contains("duration") == true)
            #expect(byKey["gates[1]"]?.message.contains("unknown metric") == true)
            #expect(byKey["gates[2]"] != nil)
            #expect(error.issues.count >= 13)
            #expect(error.description.contains("broken.yaml:2:"))
        }
    }

    @Test func yamlSyntaxErrorsNameTheLine() {
        do {
            _ = try ScenarioParser.parse("duration: 10s\nworkloads: [ { name: a\n", file: "syntax.yaml")
            Issue.record("accepted")
        } catch {
            #expect(error.issues.count == 1)
            #expect(error.issues[0].message.hasPrefix("YAML syntax"))
            #expect(error.issues[0].line >= 2)
        }
    }

    @Test(arguments: [
        ("e2e_lag.p99 < 500ms", "e2e_lag.p99", Gate.Comparison.less, 0.5),
        ("insert_rows_per_s.trades >= 20k", "insert_rows_per_s.trades", .greaterOrEqual, 20_000),
        ("alert_latency.p99 < 1s", "alert_latency.p99", .less, 1),
        ("lost == 0", "lost", .equal, 0),
        ("achieved_ratio >= 99%", "achieved_ratio", .greaterOrEqual, 0.99),
        ("schedule_lag.max<=2ms", "schedule_lag.max", .lessOrEqual, 0.002),
    ])
    func parsesGates(text: String, metric: String, op: Gate.Comparison, threshold: Double) throws {
        let g = try Gate.parse(text).get()
        #expect(g.metric == metric)
        #expect(g.comparison == op)
        #expect(abs(g.threshold - threshold) < 1e-12)
    }

    @Test func gatesCompareInCanonicalUnits() throws {
        let g = try Gate.parse("e2e_lag.p99 < 500ms").get()
        #expect(g.holds(0.499))
        #expect(!g.holds(0.5))
        #expect(try Gate.parse("lost == 0").get().holds(0))
        #expect(!(try Gate.parse("lost == 0").get().holds(3)))
    }

    @Test(arguments: [
        ("e2e_lag.p99 < 500", "duration"),
        ("e2e_lag.p42 < 5ms", "unknown metric"),
        ("throughput > 5", "unknown metric"),
        ("lost is zero", "expected `metric <op> value`"),
        ("insert_rows_per_s > fast", "is a number"),
    ])
    func rejectsBadGates(text: String, fragment: String) {
        switch Gate.parse(text) {
        case .success: Issue.record("accepted \(text)")
        case .failure(let p): #expect(p.text.contains(fragment), "\(p)")
        }
    }
}

@Suite("Scenario parameters match the generators")
struct ScenarioGeneratorParameterTests {
    @Test func everyGeneratorParameterIsAcceptedByTheParserAndNoOther() {
        #expect(ScenarioParser.generatorParameters.mapValues { Set($0) } == ScenarioRun.WorkloadFactory.parameterNames.mapValues { Set($0) })
    }

    @Test func scenarioParamsReachTheGenerator() throws {
        let g = try ScenarioRun.WorkloadFactory.makeGenerator(.l2, params: ["symbols": .strings(["AAA-USDT"]), "depth": .number(5)], seed: 1)
        var gen = g
        let e = gen.next(at: 1_795_000_000_000_000_000)
        #expect(e.subject == "market.l2raw.AAA-USDT")
        #expect(throws: (any Error).self) { try ScenarioRun.WorkloadFactory.makeGenerator(.l2, params: ["depth": .string("deep")], seed: 1) }
    }
}
