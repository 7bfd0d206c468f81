import Foundation
import Mongo
import Testing
import WaterlineTestSupport
@testable import Accounts

@Suite struct CredentialsTests {
    @Test func namesAndPasswordsAreChecked() throws {
        try Credentials.validateName("operator")
        try Credentials.validateName("ana.silva@utility")
        for bad in ["ab", "Operator", "has space", "-dash-first", String(repeating: "a", count: 65), "semi;colon"] {
            #expect(throws: AccountError.self, "\(bad)") { try Credentials.validateName(bad) }
        }
        try Credentials.validatePassword("long enough!")
        #expect(throws: AccountError.self) { try Credentials.validatePassword("short") }
        #expect(throws: AccountError.self) { try Credentials.validatePassword(String(repeating: "x", count: 73)) }
    }

    @Test func generatedPasswordsAreValidAndDiffer() throws {
        let a = Credentials.generatePassword(), b = Credentials.generatePassword()
        try Credentials.validatePassword(a)
        #expect(a != b && a.count == 20)
    }
}

@Suite struct TokenSignerTests {
    let secret = Array("0123456789abcdef0123456789abcdef".utf8)

    @Test func aTokenNamesItsCallerUntilItExpires() async throws {
        let signer = await TokenSigner(secret: secret, lifetime: .seconds(3600))
        let ana = Caller(name: "ana", role: .client, admin: true)
        let (token, expires) = try await signer.issue(for: ana)
        #expect(await signer.verify(token)?.caller == ana)
        #expect(expires.timeIntervalSinceNow > 3500)
        let (old, _) = try await signer.issue(for: ana, now: Date().addingTimeInterval(-7200))
        #expect(await signer.verify(old) == nil)
    }

    @Test func aTokenSignedWithAnotherKeyOrAlteredIsRefused() async throws {
        let ours = await TokenSigner(secret: secret)
        let theirs = await TokenSigner(secret: Array("another secret that is 32 bytes!".utf8))
        let (token, _) = try await theirs.issue(for: Caller(name: "mallory", role: .client, admin: true))
        #expect(await ours.verify(token) == nil)
        // A public user's token edited to claim the client role fails its signature.
        let (publicToken, _) = try await ours.issue(for: Caller(name: "pat", role: .public, admin: false))
        var parts = publicToken.split(separator: ".").map(String.init)
        let payload = Data(base64URL: parts[1])!
        let edited = String(decoding: payload, as: UTF8.self).replacingOccurrences(of: "\"public\"", with: "\"client\"")
        parts[1] = Data(edited.utf8).base64URLEncoded
        #expect(await ours.verify(parts.joined(separator: ".")) == nil)
        #expect(await ours.verify("not.a.token") == nil)
        #expect(await ours.verify("") == nil)
    }

    @Test func aPublicCallerIsNeverAnAdmin() {
        #expect(Caller(name: "pat", role: .public, admin: true).admin == false)
    }
}

@Suite struct TokenSecretTests {
    @Test func theSecretComesFromTheEnvironmentOrAFileMadeOnce() throws {
        #expect(try TokenSecret.load(secret: String(repeating: "s", count: 40), file: nil).count == 40)
        #expect(throws: AccountError.self) { try TokenSecret.load(secret: "too short", file: nil) }
        #expect(throws: AccountError.self) { try TokenSecret.load(secret: nil, file: nil) }
        let dir = try TestEnvironment.scratchDirectory("token-secret")
        defer { try? FileManager.default.removeItem(at: dir) }
        let file = dir.appendingPathComponent("gateway/jwt-secret").path
        let made = try TokenSecret.load(secret: nil, file: file)
        #expect(made.count == 32)
        #expect(try TokenSecret.load(secret: nil, file: file) == made)
        let permissions = try FileManager.default.attributesOfItem(atPath: file)[.posixPermissions] as? Int
        #expect(permissions == 0o600)
    }
}

/// The user store against a real SecantusDB server.
@Suite(.serialized) struct UserStoreTests {
    @Test func addAuthenticateDisable() async throws {
        try await TestDatabase.withClient { client in
            let store = UserStore(client: client, cost: 4)
            let ana = try await store.add(name: "ana", password: "correct horse", role: .client, admin: true)
            #expect(ana.passwordHash.hasPrefix("$2") && !ana.passwordHash.contains("correct horse"))
            await #expect(throws: AccountError.exists("ana")) { try await store.add(name: "ana", password: "another one!", role: .public, admin: false) }
            await #expect(throws: AccountError.self) { try await store.add(name: "x", password: "correct horse", role: .client, admin: false) }
            try await store.add(name: "pat", password: "resident pass", role: .public, admin: true)

            #expect(try await store.authenticate(name: "ana", password: "correct horse")?.caller == Caller(name: "ana", role: .client, admin: true))
            #expect(try await store.authenticate(name: "ana", password: "wrong horse") == nil)
            #expect(try await store.authenticate(name: "nobody", password: "correct horse") == nil)
            #expect(try await store.list().map(\.name) == ["ana", "pat"])
            #expect(try await store.find("pat")?.admin == false)

            #expect(try await store.setDisabled("ana", true).disabled)
            #expect(try await store.authenticate(name: "ana", password: "correct horse") == nil)
            #expect(try await store.setDisabled("ana", false).disabled == false)
            #expect(try await store.authenticate(name: "ana", password: "correct horse") != nil)
            await #expect(throws: AccountError.notFound("nobody")) { try await store.setDisabled("nobody", true) }
        }
    }
}

extension Data {
    init?(base64URL text: String) {
        var base64 = text.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        while base64.count % 4 != 0 { base64 += "=" }
        self.init(base64Encoded: base64)
    }

    var base64URLEncoded: String {
        base64EncodedString().replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_").replacingOccurrences(of: "=", with: "")
    }
}
