import CStdio

/// Standard output flushed at every line, wherever it goes. C's stdio buffers stdout in
/// blocks when it is not a terminal, so `waterline demo > demo.log`, a pipe to `tee`,
/// `nohup` or a container's log shipper would see the summary, the first account's
/// password and the gateway's address only when the program exits. Call first thing in
/// every executable's main. (Standard error is unbuffered already.)
public enum LineBufferedOutput {
    public static func enable() {
        wl_stdout_line_buffered()
    }
}
