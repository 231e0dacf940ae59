import Glibc

/// The reports printed on stdout. A report that cannot be written (a closed pipe, a full disk,
/// /dev/full) is an I/O error, exit 74, not a silent success: stdio would only notice at exit
/// and drop the error.
enum StandardOutput {
    /// Writes `text` and flushes it at once; exits 74 with one line if it cannot.
    static func write(_ text: String) {
        fputs(text, stdout)
        flush()
    }

    /// Flushes what `print` buffered; exits 74 with one line if stdout lost any of it.
    static func flush() {
        let flushed = fflush(stdout) == 0
        let code = errno
        guard !flushed || ferror(stdout) != 0 else { return }
        clearerr(stdout)
        BenchError(message: "cannot write the report to standard output: \(String(cString: strerror(flushed ? EIO : code)))",
                   code: SysExit.ioError).exit()
    }
}
