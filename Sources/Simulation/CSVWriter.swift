/// Builds CSV text as UTF-8 bytes in one growing buffer, fast enough for a few hundred
/// thousand rows.
///
/// Fields are written as they are: callers make sure text fields hold no comma, quote or
/// line break (see ``CSVWriter/isPlainField(_:)``).
struct CSVWriter {
    private(set) var bytes: [UInt8] = []

    init(reservingCapacity capacity: Int = 0) {
        bytes.reserveCapacity(capacity)
    }

    /// Whether `field` can be written without quoting.
    static func isPlainField(_ field: String) -> Bool {
        !field.utf8.contains { $0 == UInt8(ascii: ",") || $0 == UInt8(ascii: "\"") || $0 == 10 || $0 == 13 }
    }

    mutating func append(_ text: String) {
        bytes.append(contentsOf: text.utf8)
    }

    mutating func append(bytes more: [UInt8]) {
        bytes.append(contentsOf: more)
    }

    mutating func comma() { bytes.append(UInt8(ascii: ",")) }

    mutating func newline() { bytes.append(10) }

    /// Appends the decimal digits of `value`.
    mutating func append(_ value: Int64) {
        if value < 0 { bytes.append(UInt8(ascii: "-")) }
        appendDigits(value.magnitude, minimumWidth: 1)
    }

    /// Appends `value` rounded to `decimals` places, without trailing zeros (`3.5`, `12`,
    /// `-0.0425`). Values too large for the fixed form fall back to Swift's shortest form.
    mutating func append(_ value: Double, decimals: Int) {
        precondition((0...9).contains(decimals))
        var scale = 1.0
        for _ in 0..<decimals { scale *= 10 }
        let scaled = (value * scale).rounded()
        guard scaled.magnitude < 9e15 else {
            append(value.description)
            return
        }
        let n = Int64(scaled)
        if n < 0 { bytes.append(UInt8(ascii: "-")) }
        let divisor = UInt64(scale)
        let integer = n.magnitude / divisor
        var fraction = n.magnitude % divisor
        appendDigits(integer, minimumWidth: 1)
        guard fraction != 0 else { return }
        var width = decimals
        while fraction % 10 == 0 {
            fraction /= 10
            width -= 1
        }
        bytes.append(UInt8(ascii: "."))
        appendDigits(fraction, minimumWidth: width)
    }

    /// Appends `value` in Swift's shortest round-tripping form.
    mutating func appendShortest(_ value: Double) {
        append(value.description)
    }

    private mutating func appendDigits(_ value: UInt64, minimumWidth: Int) {
        var digits: (UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8,
                     UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8) =
            (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)
        var count = 0
        var rest = value
        withUnsafeMutableBytes(of: &digits) { buffer in
            repeat {
                buffer[count] = UInt8(ascii: "0") + UInt8(rest % 10)
                rest /= 10
                count += 1
            } while rest != 0 || count < minimumWidth
            for i in stride(from: count - 1, through: 0, by: -1) {
                bytes.append(buffer[i])
            }
        }
    }
}
