/// DeepAR's architecture and training settings. The defaults are the issue's: 2 layers
/// of 40 LSTM cells, dropout 0.1, a Student's t likelihood.
public struct DeepARConfig: Sendable, Codable, Equatable {
    public var layers = 2
    public var hiddenSize = 40
    public var dropout = 0.1
    public var likelihood = Likelihood.studentT
    /// How each series is scaled (see ``SeriesScaling/Mode``).
    public var scaling = SeriesScaling.Mode.standardize
    /// Length of the learned per-sensor embedding.
    public var embeddingSize = 4
    /// Steps per day and per week at the series' cadence (the seasonal lags).
    public var stepsPerDay = 288
    public var stepsPerWeek = 2016
    /// Training windows: steps back-propagated through, of which the first
    /// `burnInSteps` only warm the state (their loss is not counted).
    public var windowSteps = 144
    public var burnInSteps = 24
    public var windowsPerBatch = 16
    public var learningRate = 1e-3
    /// Gradients are scaled down to this global L2 norm when larger.
    public var gradientClip = 10.0
    public var maxEpochs = 30
    /// Batches per epoch.
    public var batchesPerEpoch = 50
    /// Epochs without a better validation loss before training stops.
    public var patience = 5
    /// Share of the history (its end) held out for validation and early stopping.
    public var validationShare = 0.15
    public var seed: UInt64 = 42

    public init() {}

    /// Inputs per step besides the embedding: the scaled value at lags 1 step, 1 day and
    /// 1 week, an indicator that each lag was observed, sin/cos of the hour of day and
    /// of the day of week, and the log of the series' scale.
    public static let featureCount = 11

    public var inputSize: Int { Self.featureCount + embeddingSize }
}
