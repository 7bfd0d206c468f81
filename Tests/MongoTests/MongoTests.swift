import Foundation
import Testing
import WaterlineTestSupport
@testable import Mongo

/// Runs against a real SecantusDB server (MongoDB wire protocol) started per suite.
@Suite(.serialized) struct MongoTests {
    private func withCollection(_ body: (MongoCollection) async throws -> Void) async throws {
        try await TestDatabase.withClient { try await body($0.collection("items")) }
    }

    @Test func unorderedInsertReportsDuplicateKeysAndStoresTheRest() async throws {
        try await withCollection { items in
            let first = try await items.insertMany([["_id": "a", "v": 1], ["_id": "b", "v": 2]])
            #expect(first.inserted == 2)
            let second = try await items.insertMany([["_id": "a", "v": 9], ["_id": "c", "v": 3], ["_id": "b", "v": 9]])
            #expect(second.inserted == 1)
            #expect(second.duplicateIndices.sorted() == [0, 2])
            #expect(second.errors.isEmpty)
            #expect(try await items.count() == 3)
            // The first writer's value stays.
            #expect(try await items.findOne(["_id": "a"])?["v"]?.int64Value == 1)
        }
    }

    @Test func binaryValuesRoundTrip() async throws {
        try await withCollection { items in
            let bytes: [UInt8] = (0..<70_000).map { UInt8($0 % 251) }
            _ = try await items.insertMany([["_id": "blob", "data": .binary(bytes), "empty": .binary([])]])
            let stored = try await items.findOne(["_id": "blob"])
            #expect(stored?["data"]?.binaryValue == bytes)
            #expect(stored?["empty"]?.binaryValue == [])
        }
    }

    @Test func orderedInsertStopsAtTheFirstDuplicate() async throws {
        try await withCollection { items in
            _ = try await items.insertMany([["_id": "a"]])
            let result = try await items.insertMany([["_id": "x"], ["_id": "a"], ["_id": "y"]], ordered: true)
            #expect(result.inserted == 1)
            #expect(result.duplicateIndices == [1])
            #expect(try await items.count() == 2)
        }
    }

    @Test func findFiltersSortsAndLimits() async throws {
        try await withCollection { items in
            _ = try await items.insertMany((0..<20).map { ["_id": .string("k\($0)"), "n": .int64(Int64($0)), "even": .bool($0 % 2 == 0)] })
            let found = try await items.find(["even": true, "n": ["$gte": 4]], sort: ["n": -1], limit: 3)
            #expect(found.compactMap { $0["n"]?.int64Value } == [18, 16, 14])
            let projected = try await items.find(["_id": "k3"], projection: ["n": 1])
            #expect(projected.first?["even"] == nil)
            #expect(projected.first?["n"]?.int64Value == 3)
        }
    }

    @Test func aggregateGroupsDocuments() async throws {
        try await withCollection { items in
            _ = try await items.insertMany((0..<10).map { ["zone": .string($0 < 4 ? "a" : "b"), "v": .double(Double($0))] })
            let groups = try await items.aggregate([
                ["$group": ["_id": "$zone", "total": ["$sum": "$v"]]], ["$sort": ["_id": 1]],
            ])
            #expect(groups.map { $0["_id"]?.stringValue } == ["a", "b"])
            #expect(groups.map { $0["total"]?.doubleValue } == [6, 39])
        }
    }

    @Test func uniqueIndexesRejectDuplicates() async throws {
        try await withCollection { items in
            try await items.createIndex(["sensor": 1, "ts": 1], name: "sensor_ts", unique: true)
            let result = try await items.insertMany([["sensor": "s", "ts": 1], ["sensor": "s", "ts": 1], ["sensor": "s", "ts": 2]])
            #expect(result.inserted == 2)
            #expect(result.duplicateIndices == [1])
        }
    }

    @Test func bulkReplaceUpsertsAndFindOneAndUpdateReturnsTheNewDocument() async throws {
        try await withCollection { items in
            let result = try await items.bulkWrite([
                .replaceOne(filter: ["_id": "e1"], replacement: ["_id": "e1", "status": "open"], upsert: true),
                .replaceOne(filter: ["_id": "e1"], replacement: ["_id": "e1", "status": "acked"], upsert: true),
            ])
            #expect(result.upserted == 1)
            #expect(result.modified == 1)
            let updated = try await items.findOneAndUpdate(filter: ["_id": "e1"], update: ["$set": ["status": "resolved"]])
            #expect(updated?["status"]?.stringValue == "resolved")
        }
    }

    @Test func documentsRoundTripEveryType() async throws {
        try await withCollection { items in
            let doc: Document = [
                "_id": "all", "d": 1.5, "s": "text with ünïcode", "i32": .int32(7), "i64": .int64(1 << 40), "b": true,
                "n": .null, "t": .dateTime(1_700_000_000_000), "arr": [1, "two", [3]], "sub": ["x": ["y": 1]],
            ]
            _ = try await items.insertMany([doc])
            let back = try #require(try await items.findOne(["_id": "all"]))
            #expect(back == doc)
            #expect(back.json.contains("ünïcode"))
            let parsed = try Document(json: #"{"a": 1, "b": "x", "c": [true]}"#)
            #expect(parsed["b"]?.stringValue == "x")
            #expect(parsed["a"]?.int64Value == 1)
            #expect(parsed["c"] == [true])
        }
    }

    @Test func badURIAndUnreachableServerAreTypedErrors() async throws {
        let bad = #expect(throws: MongoError.self) { _ = try MongoClient(uri: "not-a-uri", database: "x") }
        #expect(bad?.kind == .invalidURI)
        let port = try reservePort()
        let client = try MongoClient(uri: "mongodb://127.0.0.1:\(port)/?serverSelectionTimeoutMS=300&directConnection=true", database: "x")
        defer { client.close() }
        let down = await #expect(throws: MongoError.self) { try await client.ping() }
        #expect(down?.kind == .connection)
    }
}
