import Foundation
import Hummingbird
import SwiftProtobuf
import WaterlineBus
import WaterlineKit
import WaterlineProto

// MARK: Models and training (the model service's registry and orchestrator)

extension GatewayAPI {
    func addModelRoutes(to routes: RouteTable) {
        routes.post("/api/v1/models/train", .client) { request, context in await respond { try await self.train(request, context) } }
        routes.get("/api/v1/training-runs", .client) { request, _ in
            await respond {
                var list = ListTrainingRunsRequest()
                list.limit = UInt32(clamping: try self.int64(request, "limit") ?? 0)
                let reply = try await call(self.backends.model, ModelRPC.listTrainingRuns, list, "model")
                return jsonResponse(["runs": reply.runs.map(protoJSON)])
            }
        }
        routes.get("/api/v1/models", .client) { request, _ in
            await respond {
                var list = ListModelsRequest()
                list.limit = UInt32(clamping: try self.int64(request, "limit") ?? 0)
                let reply = try await call(self.backends.model, ModelRPC.listModels, list, "model")
                return jsonResponse(["models": reply.models.map(protoJSON)])
            }
        }
        routes.post("/api/v1/models/rollback", .client) { request, context in
            await respond {
                var rollback = RollbackModelRequest()
                rollback.requestedBy = try await self.actor(request, context)
                return jsonResponse(protoJSON(try await call(self.backends.model, ModelRPC.rollbackModel, rollback, "model")))
            }
        }
        routes.post("/api/v1/models/:version/promote", .client) { request, context in
            await respond {
                var promote = PromoteModelRequest()
                promote.version = try context.parameters.require("version")
                promote.requestedBy = try await self.actor(request, context)
                return jsonResponse(protoJSON(try await call(self.backends.model, ModelRPC.promoteModel, promote, "model")))
            }
        }
    }

    /// 202 when a run was queued; 409 when one is already queued or running.
    private func train(_ request: Request, _ context: GatewayContext) async throws -> Response {
        var trigger = TriggerTrainingRequest()
        trigger.requestedBy = try await actor(request, context)
        let reply = try await call(backends.model, ModelRPC.triggerTraining, trigger, "model")
        return jsonResponse(protoJSON(reply), status: reply.queued ? .accepted : .conflict)
    }

    /// Who asks: the logged-in user. An optional body must still be a JSON object
    /// (older clients send `{"actor": ...}`, which is ignored: the token names the actor).
    private func actor(_ request: Request, _ context: GatewayContext) async throws -> String {
        let data = try await body(request)
        if !data.isEmpty, (try? JSONSerialization.jsonObject(with: data)) as? [String: Any] == nil {
            throw APIError.badRequest("body must be a JSON object (or empty)")
        }
        return context.caller.name
    }
}

/// A message as JSON with its proto field names and int64s as numbers (proto3 JSON
/// leaves out fields at their default: false, 0, "").
func protoJSON(_ message: some SwiftProtobuf.Message) -> Any {
    var options = JSONEncodingOptions()
    options.preserveProtoFieldNames = true
    options.alwaysPrintInt64sAsNumbers = true
    guard let text = try? message.jsonString(options: options),
        let object = try? JSONSerialization.jsonObject(with: Data(text.utf8))
    else { return [String: Any]() }
    return object
}
