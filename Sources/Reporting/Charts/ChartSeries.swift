/// One line of a chart: a name for the legend and its points in data coordinates.
public struct ChartSeries: Sendable, Equatable {
    public var name: String
    public var points: [ChartPoint]

    public init(name: String, points: [ChartPoint]) {
        self.name = name
        self.points = points
    }

    /// Points a chart can draw; NaN and infinities are dropped rather than breaking the SVG.
    public var drawablePoints: [ChartPoint] { points.filter { $0.x.isFinite && $0.y.isFinite } }
}

/// A point in data coordinates.
public struct ChartPoint: Sendable, Equatable {
    public var x: Double
    public var y: Double

    public init(x: Double, y: Double) {
        self.x = x
        self.y = y
    }
}
