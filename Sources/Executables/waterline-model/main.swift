import Model
import WaterlineKit

await ServiceMain.run(
    name: "waterline-model", health: ModelRPC.health,
    rpcBindVariable: "WATERLINE_MODEL_RPC_BIND", defaultRPCBind: ModelConfig.defaultRPCBind
) { environment, logger in
    try await ModelService(config: ModelConfig(environment), logger: logger)
}
