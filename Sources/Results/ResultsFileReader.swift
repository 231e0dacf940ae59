import Glibc

/// Reads a results CSV (`bench compare`, `history`, `ab`) with plain read(2), so anything readable works (a
/// pipe or process substitution, /dev/stdin, /dev/null as an empty file), and every failure
/// says what is wrong: the errno of open/read (a directory is "Is a directory"), or the line and
/// column of the first byte that is not UTF-8.
public enum ResultsFileReader {
    public static func read(_ path: String) throws -> [LocatedRow] {
        let bytes = try readBytes(path)
        guard let text = String(validating: bytes, as: UTF8.self) else { throw firstInvalidUTF8(bytes, file: path) }
        return try ResultsCSV.decodeLocated(text, file: path)
    }

    public static func readBytes(_ path: String) throws -> [UInt8] {
        // O_NONBLOCK for the open only: a named FIFO nobody writes then reads as empty instead of
        // hanging; a pipe with a writer (a process substitution) is read normally, blocking.
        let fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK)
        guard fd >= 0 else { throw cannotRead(path, errno) }
        defer { close(fd) }
        _ = fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) & ~O_NONBLOCK)
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 1 << 20)
        while true {
            let n = chunk.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress!, $0.count) }
            if n < 0 {
                if errno == EINTR { continue }
                throw cannotRead(path, errno)
            }
            if n == 0 { return bytes }
            bytes.append(contentsOf: chunk[..<n])
        }
    }

    private static func cannotRead(_ path: String, _ code: Int32) -> ResultsCSVError {
        ResultsCSVError(file: path, line: nil, reason: "cannot read: \(String(cString: strerror(code)))")
    }

    /// The error naming the physical line (as `CSVRecordReader` counts them) and column of the
    /// first byte sequence that is not UTF-8.
    static func firstInvalidUTF8(_ bytes: [UInt8], file: String) -> ResultsCSVError {
        var line = 1, lineStart = 0, offset = 0
        var parser = Unicode.UTF8.ForwardParser()
        var iterator = bytes.makeIterator()
        while true {
            switch parser.parseScalar(from: &iterator) {
            case .valid(let scalar):
                if scalar.count == 1 && scalar.first == UInt8(ascii: "\n") { line += 1; lineStart = offset + 1 }
                offset += scalar.count
            case .error(let length):
                let shown = bytes[offset..<min(offset + length, bytes.count)].map { "0x" + String($0, radix: 16) }
                return ResultsCSVError(file: file, line: line,
                                       reason: "not UTF-8 text: byte \(shown.joined(separator: " ")) at column \(offset - lineStart + 1)")
            case .emptyInput:
                return ResultsCSVError(file: file, line: nil, reason: "not UTF-8 text")
            }
        }
    }
}
