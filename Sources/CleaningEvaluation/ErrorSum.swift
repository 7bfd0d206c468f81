/// A sum of squared errors and its count: RMSEs that add up exactly over series.
public struct ErrorSum: Sendable, Equatable {
    public var sumOfSquares = 0.0
    public var count = 0

    public init(sumOfSquares: Double = 0, count: Int = 0) {
        self.sumOfSquares = sumOfSquares
        self.count = count
    }

    public mutating func add(_ estimate: Double, truth: Double) {
        sumOfSquares += (estimate - truth) * (estimate - truth)
        count += 1
    }

    /// nil when nothing was compared.
    public var rmse: Double? { count > 0 ? (sumOfSquares / Double(count)).squareRoot() : nil }

    public static func + (a: ErrorSum, b: ErrorSum) -> ErrorSum {
        ErrorSum(sumOfSquares: a.sumOfSquares + b.sumOfSquares, count: a.count + b.count)
    }
}

/// Encoded with the RMSE.
extension ErrorSum: Codable {
    private enum CodingKeys: String, CodingKey { case sumOfSquares, count, rmse }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        sumOfSquares = try c.decode(Double.self, forKey: .sumOfSquares)
        count = try c.decode(Int.self, forKey: .count)
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(sumOfSquares, forKey: .sumOfSquares)
        try c.encode(count, forKey: .count)
        try c.encodeIfPresent(rmse, forKey: .rmse)
    }
}
