import Preprocess
import WaterlineKit

await ServiceMain.run(
    name: "waterline-preprocess", health: PreprocessRPC.health,
    rpcBindVariable: "WATERLINE_PREPROCESS_RPC_BIND", defaultRPCBind: PreprocessConfig.defaultRPCBind
) { environment, logger in
    try await PreprocessService(config: PreprocessConfig(environment), logger: logger)
}
