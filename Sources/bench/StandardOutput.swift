import Glibc
import Results

/// The reports printed on stdout. A report that cannot be written (a closed pipe, a full disk,
/// /dev/full) is an I/O error, exit 74, not a silent success: stdio would only notice at exit
/// and drop the error.
enum StandardOutput {
    /// Writes `text` and flushes it at once; exits 74 with one line if it cannot.
    static func write(_ text: String) {
        errno = 0
        let failed = fputs(text, stdout) < 0
        flush(earlierError: failed ? errno : 0)
    }

    /// Flushes what `print` buffered; exits 74 with one line if stdout lost any of it.
    static func flush(earlierError: Int32 = 0) {
        errno = 0
        let flushFailed = fflush(stdout) != 0
        let code = flushFailed ? errno : earlierError
        guard flushFailed || earlierError != 0 || ferror(stdout) != 0 else { return }
        clearerr(stdout)
        BenchError(message: "cannot write the report to standard output: \(String(cString: strerror(code != 0 ? code : EIO)))",
                   code: SysExit.ioError).exit()
    }
}
