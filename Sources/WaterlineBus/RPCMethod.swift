import SwiftProtobuf

/// A typed RPC method: its wire name (`/waterline.v1.IngestService/SubmitReadings`)
/// with its request and response message types.
public struct RPCMethod<Request: SwiftProtobuf.Message & Sendable, Response: SwiftProtobuf.Message & Sendable>: Sendable {
    public let name: String
    /// Safe to send again after a lost reply: clients retry only these.
    public let idempotent: Bool

    public init(_ name: String, idempotent: Bool) {
        self.name = name
        self.idempotent = idempotent
    }
}
