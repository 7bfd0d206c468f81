/* Endpoint parsing and IPv4 resolution. */
#include <stdlib.h>

#include "check.h"
#include "internal.h"

static int kind(const char *endpoint) {
    char *host, *port, err[256];
    int k = wl_endpoint_parse(endpoint, &host, &port, err, sizeof err);
    free(host);
    free(port);
    return k;
}

void test_endpoint(void) {
    char *host, *port, err[256];
    CHECK_INT(wl_endpoint_parse("tcp://insight:7032", &host, &port, err, sizeof err), WL_ENDPOINT_RESOLVE);
    CHECK_STR(host, "insight");
    CHECK_STR(port, "7032");
    free(host);
    free(port);
    CHECK_INT(kind("tcp://127.0.0.1:7032"), WL_ENDPOINT_AS_GIVEN);
    CHECK_INT(kind("tcp://[::1]:7032"), WL_ENDPOINT_AS_GIVEN);
    CHECK_INT(kind("tcp://eth0;insight:7032"), WL_ENDPOINT_AS_GIVEN);
    CHECK_INT(kind("ipc:///tmp/insight.sock"), WL_ENDPOINT_AS_GIVEN);
    CHECK_INT(kind("inproc://x"), WL_ENDPOINT_AS_GIVEN);
    CHECK_INT(kind("insight:7032"), WL_ENDPOINT_INVALID);
    CHECK_INT(kind("tcp://insight"), WL_ENDPOINT_INVALID);
    CHECK_INT(kind("tcp://insight:"), WL_ENDPOINT_INVALID);
    CHECK_INT(kind("tcp://insight:70000"), WL_ENDPOINT_INVALID);
    CHECK_INT(kind("tcp://insight:12ab"), WL_ENDPOINT_INVALID);
    CHECK_INT(kind("tcp://:7032"), WL_ENDPOINT_INVALID);
    CHECK_INT(kind("tcp://*:7032"), WL_ENDPOINT_INVALID);
    CHECK_INT(kind("tcp://"), WL_ENDPOINT_INVALID);
    CHECK_INT(kind(NULL), WL_ENDPOINT_INVALID);

    char **addrs;
    size_t n;
    CHECK_INT(wl_resolve_ipv4("localhost", "7032", &addrs, &n, err, sizeof err), 0);
    CHECK(n >= 1);
    if (n >= 1) CHECK_STR(addrs[0], "tcp://127.0.0.1:7032");
    wl_free_strings(addrs, n);
    CHECK_INT(wl_resolve_ipv4("10.1.2.3", "1", &addrs, &n, err, sizeof err), 0);
    CHECK_INT(n, 1);
    if (n == 1) CHECK_STR(addrs[0], "tcp://10.1.2.3:1");
    wl_free_strings(addrs, n);
    CHECK_INT(wl_resolve_ipv4("no-such-host.invalid", "7032", &addrs, &n, err, sizeof err), -1);
    CHECK(addrs == NULL && n == 0);
}
