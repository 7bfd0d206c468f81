/* The subscriber against XPUB publishers on loopback: filters, decoding, gaps,
 * connecting to every resolved address and following resolution changes. */
#include <stdlib.h>
#include <string.h>

#include <zmq.h>

#include "check.h"
#include "internal.h"
#include "waterline_client.h"

static void *ctx;

/* An XPUB bound to ip on an ephemeral port (or on `port`); the endpoint in `endpoint`. */
static void *publisher(const char *ip, const char *port, char *endpoint, size_t size) {
    void *s = zmq_socket(ctx, ZMQ_XPUB);
    int linger = 0;
    zmq_setsockopt(s, ZMQ_LINGER, &linger, sizeof linger);
    char bind[64];
    snprintf(bind, sizeof bind, "tcp://%s:%s", ip, port ? port : "*");
    CHECK_INT(zmq_bind(s, bind), 0);
    zmq_getsockopt(s, ZMQ_LAST_ENDPOINT, endpoint, &size);
    return s;
}

/* Waits (up to 5 s) for a subscription on an XPUB; returns its prefix. */
static int wait_subscription(void *pub, char *prefix, size_t size) {
    zmq_pollitem_t item = {pub, 0, ZMQ_POLLIN, 0};
    for (;;) { /* unsubscriptions of closed subscribers are skipped */
        if (zmq_poll(&item, 1, 5000) != 1) return -1;
        char buf[256];
        int n = zmq_recv(pub, buf, sizeof buf, 0);
        if (n < 1 || buf[0] != 1) continue;
        snprintf(prefix, size, "%.*s", n - 1, buf + 1);
        return 0;
    }
}

static void send_update(void *pub, const char *topic, const char *publisher_id, uint64_t sequence) {
    Waterline__V1__Event event = WATERLINE__V1__EVENT__INIT;
    event.event_id = "e";
    event.updated_ms = (int64_t)sequence * 1000;
    Waterline__V1__EventUpdate u = WATERLINE__V1__EVENT_UPDATE__INIT;
    u.sequence = sequence;
    u.publisher_id = (char *)publisher_id;
    u.event = &event;
    uint8_t buf[256];
    size_t n = waterline__v1__event_update__pack(&u, buf);
    zmq_send(pub, topic, strlen(topic), ZMQ_SNDMORE);
    zmq_send(pub, buf, n, 0);
}

/* ---- a resolver the test controls */
static const char *fake_addrs[4];
static size_t fake_n = 0;
static int fake_fail = 0;

static int fake_resolver(const char *host, const char *port, char ***addrs, size_t *n, char *err, size_t err_size) {
    if (fake_fail || strcmp(host, "insight") != 0) {
        snprintf(err, err_size, "cannot resolve '%s'", host);
        return -1;
    }
    *addrs = calloc(fake_n ? fake_n : 1, sizeof **addrs);
    for (size_t i = 0; i < fake_n; i++) {
        char text[64];
        snprintf(text, sizeof text, "tcp://%s:%s", fake_addrs[i], port);
        (*addrs)[i] = strdup(text);
    }
    *n = fake_n;
    return 0;
}

static int logged = 0;
static void count_log(void *c, const char *message) {
    (void)c;
    (void)message;
    logged++;
}

static void test_filters_and_gaps(void) {
    char endpoint[128], port[16], prefix[64];
    void *pub = publisher("127.0.0.1", NULL, endpoint, sizeof endpoint);
    snprintf(port, sizeof port, "%s", strrchr(endpoint, ':') + 1);
    char via_name[128];
    snprintf(via_name, sizeof via_name, "tcp://localhost:%s", port);
    const char *endpoints[] = {via_name};
    wl_subscriber_options o;
    wl_subscriber_options_init(&o);
    o.endpoints = endpoints;
    o.n_endpoints = 1;
    o.type = "burst";
    o.rcvhwm = 10;
    char err[256];
    wl_subscriber *sub = wl_subscriber_open(&o, err, sizeof err);
    CHECK(sub != NULL);
    if (!sub) {
        fprintf(stderr, "%s\n", err);
        zmq_close(pub);
        return;
    }
    CHECK_STR(wl_subscriber_connection(sub, 0), endpoint); /* localhost resolved to 127.0.0.1 */
    CHECK(wl_subscriber_connection(sub, 1) == NULL);
    CHECK(wl_subscriber_socket(sub) != NULL);
    CHECK_INT(wait_subscription(pub, prefix, sizeof prefix), 0);
    CHECK_STR(prefix, "insight."); /* a type alone is filtered client-side */

    send_update(pub, "insight.north.burst", "a", 1);
    send_update(pub, "insight.north.leak", "a", 1); /* not a burst */
    send_update(pub, "insight.south.burst", "a", 1);
    send_update(pub, "insight.north.burst", "a", 4);
    zmq_send(pub, "insight.north.burst", 19, ZMQ_SNDMORE);
    zmq_send(pub, "\xff\xff\xff", 3, 0); /* not protobuf */
    zmq_send(pub, "insight.north.burst", 19, ZMQ_SNDMORE);
    zmq_send(pub, "a", 1, ZMQ_SNDMORE);
    zmq_send(pub, "b", 1, 0); /* three frames */
    send_update(pub, "insight.north.burst", "a", 5);
    send_update(pub, "insight.northeast.burst", "b", 9);

    wl_update u;
    CHECK_INT(wl_subscriber_recv(sub, &u, 3000), WL_OK);
    CHECK_STR(u.topic, "insight.north.burst");
    CHECK_STR(u.zone, "north");
    CHECK_STR(u.type, "burst");
    CHECK_INT(u.msg->sequence, 1);
    CHECK_STR(u.msg->event->event_id, "e");
    CHECK_INT(u.seq, WL_SEQ_FIRST);
    CHECK_INT(u.has_gap, 0);
    CHECK_INT(wl_subscriber_recv(sub, &u, 3000), WL_OK);
    CHECK_STR(u.topic, "insight.south.burst");
    CHECK_INT(u.seq, WL_SEQ_FIRST);
    CHECK_INT(wl_subscriber_recv(sub, &u, 3000), WL_OK);
    CHECK_STR(u.topic, "insight.north.burst");
    CHECK_INT(u.seq, WL_SEQ_GAP);
    CHECK_INT(u.has_gap, 1);
    CHECK_STR(u.gap.topic, "insight.north.burst");
    CHECK_STR(u.gap.publisher_id, "a");
    CHECK_INT(u.gap.expected, 2);
    CHECK_INT(u.gap.received, 4);
    CHECK_INT(u.gap.missing, 2);
    CHECK_INT(u.previous_sequence, 1);
    CHECK_INT(wl_subscriber_recv(sub, &u, 3000), WL_ERR_DECODE);
    CHECK_STR(u.topic, "insight.north.burst");
    CHECK(u.msg == NULL);
    CHECK_INT(wl_subscriber_recv(sub, &u, 3000), WL_ERR_DECODE);
    CHECK(strstr(wl_subscriber_error(sub), "3 frames") != NULL);
    CHECK_INT(wl_subscriber_undecodable(sub), 2);
    CHECK_INT(wl_subscriber_recv(sub, &u, 3000), WL_OK);
    CHECK_INT(u.msg->sequence, 5);
    CHECK_INT(u.seq, WL_SEQ_NEXT);
    CHECK_INT(wl_subscriber_recv(sub, &u, 3000), WL_OK);
    CHECK_STR(u.zone, "northeast");
    CHECK_INT(wl_subscriber_recv(sub, &u, 100), WL_TIMEOUT);
    CHECK_INT(wl_subscriber_recv(sub, &u, 0), WL_TIMEOUT);
    wl_subscriber_close(sub);

    /* A zone: subscribed with its prefix; another zone sharing the prefix is not delivered. */
    o.type = NULL;
    o.zone = "north";
    sub = wl_subscriber_open(&o, err, sizeof err);
    CHECK(sub != NULL);
    CHECK_INT(wait_subscription(pub, prefix, sizeof prefix), 0);
    CHECK_STR(prefix, "insight.north.");
    send_update(pub, "insight.northeast.burst", "a", 1);
    send_update(pub, "insight.south.leak", "a", 1);
    send_update(pub, "insight.north.leak", "a", 3);
    CHECK_INT(wl_subscriber_recv(sub, &u, 3000), WL_OK);
    CHECK_STR(u.topic, "insight.north.leak");
    wl_subscriber_close(sub);
    zmq_close(pub);

    /* Bad options. */
    o.zone = "a.b";
    CHECK(wl_subscriber_open(&o, err, sizeof err) == NULL);
    o.zone = NULL;
    o.type = "flood";
    CHECK(wl_subscriber_open(&o, err, sizeof err) == NULL);
    CHECK(strstr(err, "unknown event type 'flood'") != NULL);
    o.type = NULL;
    const char *bad[] = {"tcp://insight"};
    o.endpoints = bad;
    CHECK(wl_subscriber_open(&o, err, sizeof err) == NULL);
    CHECK(strstr(err, "tcp://insight") != NULL);
}

static void test_resolution(void) {
    char e1[128], e2[128], prefix[64];
    void *pub1 = publisher("127.0.0.1", NULL, e1, sizeof e1);
    const char *port = strrchr(e1, ':') + 1;
    void *pub2 = publisher("127.0.0.2", port, e2, sizeof e2);
    int (*saved)(const char *, const char *, char ***, size_t *, char *, size_t) = wl_resolver;
    wl_resolver = fake_resolver;
    fake_addrs[0] = "127.0.0.1";
    fake_n = 1;
    char given[64];
    snprintf(given, sizeof given, "tcp://insight:%s", port);
    const char *endpoints[] = {given, e1}; /* the same address twice: one connection */
    wl_subscriber_options o;
    wl_subscriber_options_init(&o);
    o.endpoints = endpoints;
    o.n_endpoints = 2;
    o.resolve_interval_s = 1;
    o.log = count_log;
    char err[256];
    wl_subscriber *sub = wl_subscriber_open(&o, err, sizeof err);
    CHECK(sub != NULL);
    if (!sub) goto out;
    CHECK_STR(wl_subscriber_connection(sub, 0), e1);
    CHECK(wl_subscriber_connection(sub, 1) == NULL);
    CHECK_INT(wait_subscription(pub1, prefix, sizeof prefix), 0);

    /* A second replica appears. */
    fake_addrs[1] = "127.0.0.2";
    fake_n = 2;
    CHECK_INT(wl_subscriber_refresh(sub), 0);
    CHECK_STR(wl_subscriber_connection(sub, 1), e2);
    CHECK_INT(wait_subscription(pub2, prefix, sizeof prefix), 0);
    send_update(pub2, "insight.west.leak", "replica-2", 1);
    send_update(pub1, "insight.west.leak", "replica-1", 1);
    wl_update u;
    int from1 = 0, from2 = 0;
    for (int i = 0; i < 2; i++) {
        CHECK_INT(wl_subscriber_recv(sub, &u, 3000), WL_OK);
        if (u.msg) {
            from1 += strcmp(u.msg->publisher_id, "replica-1") == 0;
            from2 += strcmp(u.msg->publisher_id, "replica-2") == 0;
        }
    }
    CHECK(from1 == 1 && from2 == 1);

    /* A resolution failure keeps the connections. */
    fake_fail = 1;
    int before = logged;
    CHECK_INT(wl_subscriber_refresh(sub), 0);
    CHECK(wl_subscriber_connection(sub, 1) != NULL);
    CHECK(logged > before);
    fake_fail = 0;

    /* The name now has only the second address; the given literal keeps the first. */
    fake_addrs[0] = "127.0.0.2";
    fake_n = 1;
    CHECK_INT(wl_subscriber_refresh(sub), 0);
    CHECK(wl_subscriber_connection(sub, 0) != NULL && wl_subscriber_connection(sub, 1) != NULL);
    wl_subscriber_close(sub);

    /* Only the name: the vanished address is disconnected, by the timer (1 s) here. */
    fake_addrs[0] = "127.0.0.1";
    fake_n = 1;
    o.n_endpoints = 1;
    sub = wl_subscriber_open(&o, err, sizeof err);
    CHECK(sub != NULL);
    if (!sub) goto out;
    CHECK_STR(wl_subscriber_connection(sub, 0), e1);
    fake_addrs[0] = "127.0.0.2";
    CHECK_INT(wl_subscriber_recv(sub, &u, 1500), WL_TIMEOUT);
    CHECK_STR(wl_subscriber_connection(sub, 0), e2);
    CHECK(wl_subscriber_connection(sub, 1) == NULL);
    wl_subscriber_close(sub);

    /* A name that does not resolve yet is not an error at open. */
    fake_fail = 1;
    sub = wl_subscriber_open(&o, err, sizeof err);
    CHECK(sub != NULL);
    CHECK(wl_subscriber_connection(sub, 0) == NULL);
    wl_subscriber_close(sub);
    fake_fail = 0;
out:
    wl_resolver = saved;
    zmq_close(pub1);
    zmq_close(pub2);
}

void test_subscriber(void) {
    ctx = zmq_ctx_new();
    test_filters_and_gaps();
    test_resolution();
    zmq_ctx_term(ctx);
}
