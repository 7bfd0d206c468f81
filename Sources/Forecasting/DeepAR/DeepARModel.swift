/// A trained DeepAR: the network and, per sensor, its embedding row and its scale.
/// Codable, so the registry can store it as an artifact.
public struct DeepARModel: Sendable, Codable, Equatable {
    public var network: DeepARNetwork
    /// Sensor ids in embedding order.
    public var sensors: [String]
    public var scalings: [SeriesScaling]
    public var cadenceMs: Int64
    /// Multiplies every predicted scale: fitted on the validation window so that its
    /// central 90% intervals hold 90% of its values (dropout in training, and a
    /// likelihood that is not quite the data's, leave a network a little over- or
    /// under-confident).
    public var scaleCalibration: Double = 1

    public var config: DeepARConfig { network.config }

    public init(network: DeepARNetwork, sensors: [String], scalings: [SeriesScaling], cadenceMs: Int64, scaleCalibration: Double = 1) {
        precondition(sensors.count == network.sensorCount && scalings.count == sensors.count, "one embedding and scaling per sensor")
        self.network = network
        self.sensors = sensors
        self.scalings = scalings
        self.cadenceMs = cadenceMs
        self.scaleCalibration = scaleCalibration
    }

    public func index(of sensorID: String) -> Int? { sensors.firstIndex(of: sensorID) }

    /// The network's LSTM layers (their places in the parameter vector).
    var layers: [LSTMLayer] { network.lstmLayers }
}

/// How training went, epoch by epoch.
public struct DeepARTrainingReport: Sendable, Codable, Equatable {
    public struct Epoch: Sendable, Codable, Equatable {
        public var epoch: Int
        /// Mean negative log-likelihood per counted step (scaled units).
        public var trainLoss: Double
        public var validationLoss: Double
    }

    public var epochs: [Epoch] = []
    /// The epoch whose parameters were kept (lowest validation loss).
    public var bestEpoch = 0
    public var stoppedEarly = false
    /// The fitted ``DeepARModel/scaleCalibration``.
    public var scaleCalibration = 1.0
}
