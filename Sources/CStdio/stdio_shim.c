#include <stdio.h>
#include "CStdio.h"

void wl_stdout_line_buffered(void) {
    setvbuf(stdout, NULL, _IOLBF, 0);
}
