import WaterlineBus
import WaterlineProto

// The typed RPC catalogue: one entry per `rpc` line in proto/waterline/v1/*_service.proto
// (a test checks they agree).

public enum IngestRPC {
    /// Idempotent: readings are stored by (sensor_id, ts_ms), so a resent batch stores nothing twice.
    public static let submitReadings = RPCMethod<SubmitReadingsRequest, SubmitReadingsResponse>(
        "/waterline.v1.IngestService/SubmitReadings", idempotent: true)
    public static let registerSensors = RPCMethod<RegisterSensorsRequest, RegisterSensorsResponse>(
        "/waterline.v1.IngestService/RegisterSensors", idempotent: true)
    public static let listSensors = RPCMethod<ListSensorsRequest, ListSensorsResponse>(
        "/waterline.v1.IngestService/ListSensors", idempotent: true)
    public static let getRawSeries = RPCMethod<SeriesRequest, RawSeriesResponse>(
        "/waterline.v1.IngestService/GetRawSeries", idempotent: true)
    public static let health = RPCMethod<HealthRequest, HealthResponse>(
        "/waterline.v1.IngestService/Health", idempotent: true)
    public static let stats = RPCMethod<StatsRequest, StatsResponse>(
        "/waterline.v1.IngestService/Stats", idempotent: true)
}

public enum PreprocessRPC {
    public static let getCleanSeries = RPCMethod<SeriesRequest, CleanSeriesResponse>(
        "/waterline.v1.PreprocessService/GetCleanSeries", idempotent: true)
    public static let getSeriesRollups = RPCMethod<RollupRequest, RollupResponse>(
        "/waterline.v1.PreprocessService/GetSeriesRollups", idempotent: true)
    public static let latestPoints = RPCMethod<LatestPointsRequest, CleanSeriesResponse>(
        "/waterline.v1.PreprocessService/LatestPoints", idempotent: true)
    public static let health = RPCMethod<HealthRequest, HealthResponse>(
        "/waterline.v1.PreprocessService/Health", idempotent: true)
    public static let stats = RPCMethod<StatsRequest, StatsResponse>(
        "/waterline.v1.PreprocessService/Stats", idempotent: true)
}

public enum ModelRPC {
    public static let getScoreSeries = RPCMethod<SeriesRequest, ScoreSeriesResponse>(
        "/waterline.v1.ModelService/GetScoreSeries", idempotent: true)
    public static let getModelInfo = RPCMethod<ModelInfoRequest, ModelInfo>(
        "/waterline.v1.ModelService/GetModelInfo", idempotent: true)
    public static let health = RPCMethod<HealthRequest, HealthResponse>(
        "/waterline.v1.ModelService/Health", idempotent: true)
    public static let stats = RPCMethod<StatsRequest, StatsResponse>(
        "/waterline.v1.ModelService/Stats", idempotent: true)
    public static let triggerTraining = RPCMethod<TriggerTrainingRequest, TriggerTrainingResponse>(
        "/waterline.v1.ModelService/TriggerTraining", idempotent: false)
    public static let listTrainingRuns = RPCMethod<ListTrainingRunsRequest, ListTrainingRunsResponse>(
        "/waterline.v1.ModelService/ListTrainingRuns", idempotent: true)
    public static let listModels = RPCMethod<ListModelsRequest, ListModelsResponse>(
        "/waterline.v1.ModelService/ListModels", idempotent: true)
    public static let promoteModel = RPCMethod<PromoteModelRequest, RegisteredModel>(
        "/waterline.v1.ModelService/PromoteModel", idempotent: false)
    public static let rollbackModel = RPCMethod<RollbackModelRequest, RegisteredModel>(
        "/waterline.v1.ModelService/RollbackModel", idempotent: false)
}

public enum InsightRPC {
    public static let listEvents = RPCMethod<ListEventsRequest, ListEventsResponse>(
        "/waterline.v1.InsightService/ListEvents", idempotent: true)
    public static let getEvent = RPCMethod<GetEventRequest, Event>(
        "/waterline.v1.InsightService/GetEvent", idempotent: true)
    public static let updateEvent = RPCMethod<UpdateEventRequest, Event>(
        "/waterline.v1.InsightService/UpdateEvent", idempotent: false)
    public static let summary = RPCMethod<SummaryRequest, SummaryResponse>(
        "/waterline.v1.InsightService/Summary", idempotent: true)
    /// Not idempotent: a resent report is a second report.
    public static let submitReport = RPCMethod<SubmitReportRequest, PublicReport>(
        "/waterline.v1.InsightService/SubmitReport", idempotent: false)
    public static let listReports = RPCMethod<ListReportsRequest, ListReportsResponse>(
        "/waterline.v1.InsightService/ListReports", idempotent: true)
    public static let updateReport = RPCMethod<UpdateReportRequest, PublicReport>(
        "/waterline.v1.InsightService/UpdateReport", idempotent: false)
    public static let getSettings = RPCMethod<GetSettingsRequest, Settings>(
        "/waterline.v1.InsightService/GetSettings", idempotent: true)
    /// Idempotent: setting the same values twice leaves the same settings.
    public static let updateSettings = RPCMethod<UpdateSettingsRequest, Settings>(
        "/waterline.v1.InsightService/UpdateSettings", idempotent: true)
    public static let health = RPCMethod<HealthRequest, HealthResponse>(
        "/waterline.v1.InsightService/Health", idempotent: true)
    public static let stats = RPCMethod<StatsRequest, StatsResponse>(
        "/waterline.v1.InsightService/Stats", idempotent: true)
}

/// Every method name, for the test that compares the catalogue with the .proto files.
public let allRPCMethodNames: [String] = [
    IngestRPC.submitReadings.name, IngestRPC.registerSensors.name, IngestRPC.listSensors.name,
    IngestRPC.getRawSeries.name, IngestRPC.health.name, IngestRPC.stats.name,
    PreprocessRPC.getCleanSeries.name, PreprocessRPC.getSeriesRollups.name, PreprocessRPC.latestPoints.name,
    PreprocessRPC.health.name, PreprocessRPC.stats.name,
    ModelRPC.stats.name, InsightRPC.stats.name,
    ModelRPC.getScoreSeries.name, ModelRPC.getModelInfo.name, ModelRPC.health.name, ModelRPC.triggerTraining.name,
    ModelRPC.listTrainingRuns.name, ModelRPC.listModels.name, ModelRPC.promoteModel.name, ModelRPC.rollbackModel.name,
    InsightRPC.listEvents.name, InsightRPC.getEvent.name, InsightRPC.updateEvent.name, InsightRPC.summary.name,
    InsightRPC.submitReport.name, InsightRPC.listReports.name, InsightRPC.updateReport.name,
    InsightRPC.getSettings.name, InsightRPC.updateSettings.name, InsightRPC.health.name,
]
