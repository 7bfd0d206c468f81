import Foundation
import JWTKit

/// Signs and checks the gateway's access tokens: HS256 JWTs naming the user, role and
/// admin flag, with an expiry.
public struct TokenSigner: Sendable {
    let keys: JWTKeyCollection
    /// How long a token is valid.
    public let lifetime: Duration

    public init(secret: [UInt8], lifetime: Duration = .seconds(12 * 3600)) async {
        keys = JWTKeyCollection()
        await keys.add(hmac: HMACKey(from: secret), digestAlgorithm: .sha256)
        self.lifetime = lifetime
    }

    /// A token for `caller`, and when it expires.
    public func issue(for caller: Caller, now: Date = Date()) async throws -> (token: String, expires: Date) {
        let expires = now.addingTimeInterval(Double(lifetime.components.seconds))
        let claims = AccessClaims(
            sub: SubjectClaim(value: caller.name), exp: ExpirationClaim(value: expires), iat: IssuedAtClaim(value: now),
            iss: IssuerClaim(value: AccessClaims.issuer), role: caller.role.rawValue, admin: caller.admin)
        return (try await keys.sign(claims), expires)
    }

    /// The caller a token names and when the token expires, or nil when it is
    /// malformed, forged or expired.
    public func verify(_ token: String) async -> (caller: Caller, expires: Date)? {
        guard let claims = try? await keys.verify(token, as: AccessClaims.self), let role = Role(rawValue: claims.role) else {
            return nil
        }
        return (Caller(name: claims.sub.value, role: role, admin: claims.admin), claims.exp.value)
    }
}

struct AccessClaims: JWTPayload {
    static let issuer = "waterline-gateway"

    var sub: SubjectClaim
    var exp: ExpirationClaim
    var iat: IssuedAtClaim
    var iss: IssuerClaim
    var role: String
    var admin: Bool

    func verify(using algorithm: some JWTAlgorithm) async throws {
        try exp.verifyNotExpired()
        guard iss.value == Self.issuer else { throw JWTError.claimVerificationFailure(failedClaim: iss, reason: "unknown issuer") }
    }
}
