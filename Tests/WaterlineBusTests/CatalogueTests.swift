import Foundation
import Testing
import WaterlineKit

/// The typed RPC catalogue (WaterlineKit/Methods.swift) and the `service` blocks of the
/// .proto files must name the same methods.
@Suite struct CatalogueTests {
    @Test func everyProtoRPCHasATypedMethodAndViceVersa() throws {
        let protoDir = URL(fileURLWithPath: #filePath)
            .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("proto/waterline/v1")
        var declared: Set<String> = []
        for file in try FileManager.default.contentsOfDirectory(atPath: protoDir.path) where file.hasSuffix("_service.proto") {
            let text = try String(contentsOf: protoDir.appendingPathComponent(file), encoding: .utf8)
            var service = ""
            for line in text.split(separator: "\n").map({ $0.trimmingCharacters(in: .whitespaces) }) {
                if line.hasPrefix("service ") { service = String(line.split(separator: " ")[1]) }
                if line.hasPrefix("rpc "), let name = line.dropFirst(4).split(separator: "(").first {
                    declared.insert("/waterline.v1.\(service)/\(name)")
                }
            }
        }
        #expect(declared.count >= 14)
        #expect(declared == Set(allRPCMethodNames))
    }
}
