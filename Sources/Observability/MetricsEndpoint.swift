import Hummingbird
import Metrics
import Prometheus

/// The process's Prometheus `/metrics` endpoint, serving everything recorded through swift-metrics.
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

    /// An HTTP server on 127.0.0.1:`port` (or `host`) answering `GET /metrics` and `GET /healthz`; run it as a Service.
    public static func application(registry: PrometheusCollectorRegistry, host: String = "127.0.0.1", port: Int) -> some ApplicationProtocol {
        let router = Router()
        router.get("metrics") { _, _ -> Response in
            let body = registry.emitToBuffer()
            return Response(status: .ok, headers: [.contentType: "text/plain; version=0.0.4"], body: .init(byteBuffer: ByteBuffer(bytes: body)))
        }
        router.get("healthz") { _, _ in "ok" }
        return Application(router: router, configuration: .init(address: .hostname(host, port: port), serverName: "risksignal"))
    }
}
