/* Prints every burst, in every zone, as it opens or changes (the example in README.md). */
#include <stdio.h>
#include "waterline_client.h"

int main(void) {
    const char *endpoints[] = {"tcp://127.0.0.1:7032"};
    wl_subscriber_options o;
    wl_subscriber_options_init(&o);
    o.endpoints = endpoints;
    o.n_endpoints = 1;
    o.type = "burst"; /* every zone; o.zone = "north" for one */
    char err[256];
    wl_subscriber *sub = wl_subscriber_open(&o, err, sizeof err);
    if (!sub) return fprintf(stderr, "%s\n", err), 1;
    wl_update u;
    int rc;
    while ((rc = wl_subscriber_recv(sub, &u, -1)) != WL_ERR_ZMQ) {
        if (rc != WL_OK) continue; /* interrupted, or an undecodable message skipped */
        if (u.has_gap) printf("missed %llu updates on %s\n", (unsigned long long)u.gap.missing, u.topic);
        const Waterline__V1__Event *e = u.msg->event;
        if (e) printf("%s %s severity %.2f: %s\n", u.zone, e->event_id, e->severity, e->summary);
        fflush(stdout);
    }
    fprintf(stderr, "%s\n", wl_subscriber_error(sub));
    wl_subscriber_close(sub);
    return 1;
}
