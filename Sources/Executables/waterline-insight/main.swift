import Insight
import WaterlineKit

await ServiceMain.run(
    name: "waterline-insight", health: InsightRPC.health,
    rpcBindVariable: "WATERLINE_INSIGHT_RPC_BIND", defaultRPCBind: InsightConfig.defaultRPCBind
) { environment, logger in
    try await InsightService(config: InsightConfig(environment), logger: logger)
}
