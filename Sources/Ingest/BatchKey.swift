/// A batch of readings named by its content, so that a resend of the same batch (same
/// readings in the same order) is recognised while the first copy is still queued or
/// being written, or shortly after it was stored. 128 bits from two independent
/// 64-bit hashes of the request's bytes: a mistaken match among the few thousand
/// batches kept at once is far less likely than a hardware fault. Made from the bytes
/// as received (RPC payload or PULL message), so nothing is encoded again.
public struct BatchKey: Hashable, Sendable {
    let low: UInt64
    let high: UInt64
    let count: Int

    public init(bytes: [UInt8]) {
        // FNV-1a, and a multiply-xorshift hash with a different seed.
        var fnv: UInt64 = 0xcbf2_9ce4_8422_2325
        var mix: UInt64 = 0x9e37_79b9_7f4a_7c15
        for byte in bytes {
            fnv = (fnv ^ UInt64(byte)) &* 0x0000_0100_0000_01b3
            mix = (mix ^ UInt64(byte)) &* 0xff51_afd7_ed55_8ccd
            mix ^= mix >> 29
        }
        low = fnv
        high = mix
        count = bytes.count
    }
}
