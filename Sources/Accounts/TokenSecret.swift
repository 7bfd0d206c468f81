import Foundation

/// Where the key that signs access tokens comes from.
///
/// `WATERLINE_JWT_SECRET` (at least 32 characters) when set — what containers use;
/// otherwise the file `WATERLINE_JWT_SECRET_FILE`, which is created with 32 random
/// bytes (mode 0600) on the first local run and read on later ones. The secret is never
/// in the repository: `var/` and the data folders are ignored by git.
public enum TokenSecret {
    public static func load(secret: String?, file: String?) throws(AccountError) -> [UInt8] {
        if let secret, !secret.isEmpty {
            guard secret.utf8.count >= 32 else {
                throw .invalid("WATERLINE_JWT_SECRET must be at least 32 characters long", field: "WATERLINE_JWT_SECRET")
            }
            return Array(secret.utf8)
        }
        guard let file, !file.isEmpty else {
            throw .invalid("set WATERLINE_JWT_SECRET (or WATERLINE_JWT_SECRET_FILE for a local secret file)", field: "WATERLINE_JWT_SECRET")
        }
        if let data = FileManager.default.contents(atPath: file) {
            guard data.count >= 32 else { throw .invalid("the secret in \(file) is shorter than 32 bytes", field: "WATERLINE_JWT_SECRET_FILE") }
            return Array(data)
        }
        var generator = SystemRandomNumberGenerator()
        let bytes = (0..<32).map { _ in UInt8.random(in: .min ... .max, using: &generator) }
        let url = URL(fileURLWithPath: file)
        do {
            try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
            guard FileManager.default.createFile(atPath: file, contents: Data(bytes), attributes: [.posixPermissions: 0o600]) else {
                throw CocoaError(.fileWriteUnknown)
            }
        } catch {
            throw .invalid("could not create the secret file \(file): \(error)", field: "WATERLINE_JWT_SECRET_FILE")
        }
        return bytes
    }
}
