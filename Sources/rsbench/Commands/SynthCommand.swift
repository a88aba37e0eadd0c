import ArgumentParser
import Foundation
import LoadSource
import Reporting
import RiskSignalCore
import Scenario
import ScenarioRun
import Zstd

/// `rsbench synth <generator>`: write what a generator makes to a file, to inspect or replay it.
struct SynthCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "synth",
        abstract: "Write a generator's events to .ndjson.zst (one {ts_ns, subject, headers, payload} object a line).",
        discussion: """
            Events are stamped as if sent at --rate from now, so their event times look like a live feed. \
            Parameters are the scenario's generator params (see scenarios/README.md).

            Examples:
              rsbench synth l2 --count 100000 --out /tmp/l2.ndjson.zst --param symbols=50 --param zipf_exponent=1.2
              rsbench synth trades --count 1000 --out - | head      # plain NDJSON on standard output
            """
    )

    @Argument(help: "l2, trades, social, frontend, orders or signals.") var generator: String
    @Option(help: "How many events.") var count = 10_000
    @Option(help: "Output file (.ndjson.zst is compressed; - writes plain NDJSON to standard output).") var out: String
    @Option(help: "Random seed.") var seed: UInt64 = 1
    @Option(help: "Events per second used to space the timestamps.") var rate = 1000.0
    @Option(name: .customLong("param"), help: "A generator parameter as key=value (repeatable).") var params: [String] = []

    func validate() throws {
        guard FeedKind(rawValue: generator).flatMap({ ScenarioParser.generatorParameters[$0] }) != nil else {
            throw ValidationError("unknown generator \(generator); expected one of \(ScenarioParser.generatorParameters.keys.map(\.rawValue).sorted().joined(separator: ", "))")
        }
        guard count > 0, count <= 1_000_000_000 else { throw ValidationError("--count \(count): expected a positive number up to 1000000000") }
        guard rate.isFinite, ParameterCheck.rates.contains(rate) else {
            throw ValidationError("--rate \(rate): expected a positive number of events per second in 1e-06...1e+08")
        }
        // The last event's offset, count / rate seconds, must fit Int64 nanoseconds.
        guard (try? Checked.nanoseconds(seconds: Double(count) / rate, field: "--count/--rate")) != nil else {
            throw ValidationError("--count \(count) at --rate \(rate): the events would span more than 292 years; raise --rate")
        }
        if out != "-" { try requireWritable(OutputPath(flag: "--out", path: out, kind: .file)) }
    }

    func run() throws {
        var parsed: [String: ParamValue] = [:]
        let kind = FeedKind(rawValue: generator)!
        let allowed = ScenarioParser.generatorParameters[kind]!
        for p in params {
            let parts = p.split(separator: "=", maxSplits: 1).map(String.init)
            guard parts.count == 2, allowed.contains(parts[0]) else {
                throw ValidationError("--param \(p): expected key=value with key one of \(allowed.joined(separator: ", "))")
            }
            parsed[parts[0]] = Double(parts[1]).map(ParamValue.number) ?? (parts[1].contains(",") ? .strings(parts[1].split(separator: ",").map(String.init)) : .string(parts[1]))
        }
        var gen = try WorkloadFactory.makeGenerator(kind, params: parsed, seed: seed)
        let start = Timestamp.now().nanosSinceEpoch
        let writer: ZstdFileWriter? = out == "-" ? nil : try ZstdFileWriter(path: out)
        var buffer: [UInt8] = []
        buffer.reserveCapacity(1 << 20)
        var bytes = 0
        for i in 0..<count {
            let t = start + Int64(Double(i) / rate * 1e9)
            let e = gen.next(at: t)
            var line = "{\"ts_ns\":\(t),\"subject\":"
            JSONText.appendQuoted(e.subject, to: &line)
            line += ",\"headers\":{\"Nats-Msg-Id\":"
            JSONText.appendQuoted(e.eventID, to: &line)
            line += ",\"Rs-Intended-Ns\":\"\(t)\"},\"payload\":"
            JSONText.appendQuoted(String(decoding: e.payload, as: UTF8.self), to: &line)
            line += "}\n"
            buffer.append(contentsOf: line.utf8)
            bytes += e.payload.count
            if buffer.count > 1 << 20 {
                if let writer { try writer.write(buffer) } else { FileHandle.standardOutput.write(Data(buffer)) }
                buffer.removeAll(keepingCapacity: true)
            }
        }
        if let writer {
            try writer.write(buffer)
            try writer.close()
            FileHandle.standardError.write(Data("wrote \(count) \(generator) events (\(bytes / count) payload bytes on average) to \(out)\n".utf8))
        } else {
            FileHandle.standardOutput.write(Data(buffer))
        }
    }
}
