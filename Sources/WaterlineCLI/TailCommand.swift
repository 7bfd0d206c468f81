import ArgumentParser
import Foundation
import SwiftProtobuf
import WaterlineBus
import WaterlineKit
import WaterlineProto

struct TailCommand: AsyncCommand {
    static let configuration = CommandConfiguration(
        commandName: "tail", abstract: "Subscribe to the insight stream and print event changes as JSON lines.")

    @Option(help: "Insight PUB endpoint.")
    var insight = "tcp://127.0.0.1:7032"

    @Option(help: "Topic prefix, e.g. insight.north or insight.north.burst.")
    var topic = "insight."

    @Option(help: "Stop after this many messages (0: run until Ctrl-C).")
    var count = 0

    func runAsync() async throws {
        let subscriber = try StreamSubscriber(name: "tail", connect: [insight], topics: [topic])
        var gaps = SequenceGapDetector()
        var seen = 0
        var options = JSONEncodingOptions()
        options.preserveProtoFieldNames = true
        while count == 0 || seen < count {
            guard let batch = await subscriber.nextBatch() else { break }
            for message in batch {
                guard let update = try? EventUpdate(serializedBytes: message.payload) else {
                    FileHandle.standardError.write(Data("tail: undecodable message on \(message.topic)\n".utf8))
                    continue
                }
                let gap = update.isHeartbeat
                    ? gaps.observeHeartbeat(publisher: update.publisherID, key: message.topic, latest: update.sequence)
                    : gaps.observe(publisher: update.publisherID, key: message.topic, sequence: update.sequence)
                if let gap { FileHandle.standardError.write(Data("tail: GAP \(gap)\n".utf8)) }
                if update.isHeartbeat { continue }
                print(try update.jsonString(options: options))
                seen += 1
                if count > 0 && seen >= count { break }
            }
        }
        await subscriber.close()
    }
}
