/* wl_strerror: texts for the library's return codes. */
#include "waterline_client.h"

const char *wl_strerror(int code) {
    switch (code) {
    case WL_OK: return "ok";
    case WL_TIMEOUT: return "timed out";
    case WL_ERR_INTERRUPTED: return "interrupted by a signal";
    case WL_ERR_DECODE: return "undecodable message";
    case WL_ERR_ARGUMENT: return "invalid argument";
    case WL_ERR_ZMQ: return "ZeroMQ error";
    case WL_ERR_MEMORY: return "out of memory";
    case WL_ERR_HTTP: return "gateway unreachable or HTTP error";
    case WL_ERR_AUTH: return "gateway refused the token";
    case WL_ERR_RESPONSE: return "unexpected gateway response";
    default: return "unknown error";
    }
}
