import Ingest
import WaterlineKit

await ServiceMain.run(
    name: "waterline-ingest", health: IngestRPC.health,
    rpcBindVariable: "WATERLINE_INGEST_RPC_BIND", defaultRPCBind: IngestConfig.defaultRPCBind
) { environment, logger in
    try await IngestService(config: IngestConfig(environment), logger: logger)
}
