#ifndef WATERLINE_CSTDIO_H
#define WATERLINE_CSTDIO_H

/// Makes C's stdout line-buffered (Swift 6 cannot name the global `stdout` safely).
void wl_stdout_line_buffered(void);

#endif
