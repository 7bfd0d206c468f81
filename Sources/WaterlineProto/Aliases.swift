// Short names for the generated `Waterline_V1_*` types. Hand-written; the
// Generated/ folder is produced by scripts/generate-protos.sh and never edited.

public typealias RpcStatusCode = Waterline_V1_RpcStatusCode
public typealias RpcErrorMessage = Waterline_V1_RpcError
public typealias FieldViolation = Waterline_V1_FieldViolation
public typealias HealthRequest = Waterline_V1_HealthRequest
public typealias HealthResponse = Waterline_V1_HealthResponse
public typealias StatsRequest = Waterline_V1_StatsRequest
public typealias StatsResponse = Waterline_V1_StatsResponse
public typealias PartitionStats = Waterline_V1_PartitionStats
public typealias SeriesRequest = Waterline_V1_SeriesRequest

public typealias SensorKind = Waterline_V1_SensorKind
public typealias BalanceRole = Waterline_V1_BalanceRole
public typealias Sensor = Waterline_V1_Sensor
public typealias RegisterSensorsRequest = Waterline_V1_RegisterSensorsRequest
public typealias RegisterSensorsResponse = Waterline_V1_RegisterSensorsResponse
public typealias SensorRejection = Waterline_V1_SensorRejection
public typealias ListSensorsRequest = Waterline_V1_ListSensorsRequest
public typealias ListSensorsResponse = Waterline_V1_ListSensorsResponse

public typealias Reading = Waterline_V1_Reading
public typealias SubmitReadingsRequest = Waterline_V1_SubmitReadingsRequest
public typealias SubmitReadingsResponse = Waterline_V1_SubmitReadingsResponse
public typealias RejectionReason = Waterline_V1_RejectionReason
public typealias ReadingRejection = Waterline_V1_ReadingRejection
public typealias RawReading = Waterline_V1_RawReading
public typealias RawReadingBatch = Waterline_V1_RawReadingBatch
public typealias RawSeriesResponse = Waterline_V1_RawSeriesResponse

public typealias QualityFlag = Waterline_V1_QualityFlag
public typealias CleanPoint = Waterline_V1_CleanPoint
public typealias CleanBatch = Waterline_V1_CleanBatch
public typealias LatestPointsRequest = Waterline_V1_LatestPointsRequest

public typealias ReportStatus = Waterline_V1_ReportStatus
public typealias PublicReport = Waterline_V1_PublicReport
public typealias SubmitReportRequest = Waterline_V1_SubmitReportRequest
public typealias ListReportsRequest = Waterline_V1_ListReportsRequest
public typealias ListReportsResponse = Waterline_V1_ListReportsResponse
public typealias UpdateReportRequest = Waterline_V1_UpdateReportRequest

public typealias Settings = Waterline_V1_Settings
public typealias GetSettingsRequest = Waterline_V1_GetSettingsRequest
public typealias UpdateSettingsRequest = Waterline_V1_UpdateSettingsRequest
public typealias CleanSeriesResponse = Waterline_V1_CleanSeriesResponse
public typealias RollupRequest = Waterline_V1_RollupRequest
public typealias RollupPoint = Waterline_V1_RollupPoint
public typealias RollupResponse = Waterline_V1_RollupResponse

public typealias Score = Waterline_V1_Score
public typealias ScoreBatch = Waterline_V1_ScoreBatch
public typealias ScoreSeriesResponse = Waterline_V1_ScoreSeriesResponse

public typealias EventType = Waterline_V1_EventType
public typealias EventStatus = Waterline_V1_EventStatus
public typealias Evidence = Waterline_V1_Evidence
public typealias EventAction = Waterline_V1_EventAction
/// The proto message of an event's loss (`Detection.LossEstimate` is the detector's).
public typealias EventLoss = Waterline_V1_LossEstimate
public typealias LocationCandidate = Waterline_V1_LocationCandidate
public typealias SummaryRequest = Waterline_V1_SummaryRequest
public typealias SummaryResponse = Waterline_V1_SummaryResponse
public typealias ZoneSummary = Waterline_V1_ZoneSummary
public typealias Event = Waterline_V1_Event
public typealias EventChange = Waterline_V1_EventChange
public typealias EventUpdate = Waterline_V1_EventUpdate
public typealias ListEventsRequest = Waterline_V1_ListEventsRequest
public typealias ListEventsResponse = Waterline_V1_ListEventsResponse
public typealias GetEventRequest = Waterline_V1_GetEventRequest
public typealias EventActionType = Waterline_V1_EventActionType
public typealias UpdateEventRequest = Waterline_V1_UpdateEventRequest

public typealias ModelInfoRequest = Waterline_V1_ModelInfoRequest
public typealias ModelInfo = Waterline_V1_ModelInfo
public typealias TriggerTrainingRequest = Waterline_V1_TriggerTrainingRequest
public typealias TriggerTrainingResponse = Waterline_V1_TriggerTrainingResponse
public typealias ListTrainingRunsRequest = Waterline_V1_ListTrainingRunsRequest
public typealias ListTrainingRunsResponse = Waterline_V1_ListTrainingRunsResponse
public typealias ModelMetrics = Waterline_V1_ModelMetrics
public typealias TrainingRunInfo = Waterline_V1_TrainingRun
public typealias ListModelsRequest = Waterline_V1_ListModelsRequest
public typealias ListModelsResponse = Waterline_V1_ListModelsResponse
public typealias RegisteredModel = Waterline_V1_RegisteredModel
public typealias PromoteModelRequest = Waterline_V1_PromoteModelRequest
public typealias RollbackModelRequest = Waterline_V1_RollbackModelRequest
