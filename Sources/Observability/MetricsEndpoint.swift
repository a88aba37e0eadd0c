import Hummingbird
import Logging
import Metrics
import Prometheus

/// The process's HTTP endpoint: Prometheus `/metrics`, the `/healthz` liveness check and, where the process has a
/// notion of ready, `/readyz`.
public enum MetricsEndpoint {
    /// Routes swift-metrics into a Prometheus registry; call once per process, before any metric is made.
    public static func bootstrap() -> PrometheusCollectorRegistry {
        let registry = PrometheusCollectorRegistry()
        var factory = PrometheusMetricsFactory(registry: registry)
        factory.defaultDurationHistogramBuckets = [
            .milliseconds(1), .milliseconds(2), .milliseconds(5), .milliseconds(10), .milliseconds(25), .milliseconds(50),
            .milliseconds(100), .milliseconds(250), .milliseconds(500), .seconds(1), .seconds(2.5), .seconds(5), .seconds(10),
        ]
        factory.defaultValueHistogramBuckets = [1, 10, 50, 100, 250, 500, 1000, 2500, 5000, 10000]
        MetricsSystem.bootstrap(factory)
        return registry
    }

    /// What `/readyz` answers: 200 with `body` when ready, else 503 with the reasons in `body`.
    public struct Readiness: Sendable, Equatable {
        public var ready: Bool
        public var body: String

        public init(ready: Bool, body: String) {
            self.ready = ready
            self.body = body
        }
    }

    /// The text `/metrics` serves at each scrape: what swift-metrics recorded, the `process_*` families and the build info.
    public static func exposition(registry: PrometheusCollectorRegistry?, build: BuildInfo, extra: (inout PrometheusText) -> Void = { _ in }) -> [UInt8] {
        var text = PrometheusText()
        extra(&text)
        ProcessMetrics.append(to: &text)
        build.append(to: &text)
        return (registry?.emitToBuffer() ?? []) + Array(text.text.utf8)
    }

    /// An HTTP server on `host`:`port` answering `GET /metrics` (whatever `metrics` renders at that moment),
    /// `GET /healthz` (liveness: the process answers) and, when `readiness` is given, `GET /readyz`; run it as a Service.
    /// `quiet` keeps the server's own log to warnings and errors (no "Server started" line at info).
    public static func application(host: String = "127.0.0.1", port: Int, serverName: String, metrics: @escaping @Sendable () -> [UInt8],
                                   readiness: (@Sendable () async -> Readiness)? = nil, quiet: Bool = false) -> some ApplicationProtocol {
        let router = Router()
        router.get("metrics") { _, _ -> Response in
            Response(status: .ok, headers: [.contentType: "text/plain; version=0.0.4"], body: .init(byteBuffer: ByteBuffer(bytes: metrics())))
        }
        router.get("healthz") { _, _ in "ok" }
        if let readiness {
            router.get("readyz") { _, _ -> Response in
                let r = await readiness()
                return Response(status: r.ready ? .ok : .serviceUnavailable, headers: [.contentType: "text/plain; charset=utf-8"],
                                body: .init(byteBuffer: ByteBuffer(string: r.body)))
            }
        }
        var warnings = Logger(label: serverName)
        warnings.logLevel = .warning
        return Application(router: router, configuration: .init(address: .hostname(host, port: port), serverName: serverName), logger: quiet ? warnings : nil)
    }
}
