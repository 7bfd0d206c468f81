/*
 * A stand-in for the insight service in tests: binds an XPUB socket, waits for a
 * subscriber, publishes a fixed scenario of EventUpdates (every field set, several
 * topics and publishers, two sequence gaps, a restart, an undecodable message), then
 * exits. Usage:
 *   publish_fixture [--bind tcp://127.0.0.1:*] [--endpoint-file F] [--dump DIR] [--wait-ms N]
 * --endpoint-file: the bound endpoint is written there once listening.
 * --dump: each decodable payload is also written as DIR/<n>.waterline.v1.EventUpdate.bin,
 * in publishing order (for the conformance check of waterline-tail's output).
 * The scenario is described in test/tail_test.sh.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <zmq.h>

#include "fixture.h"

typedef struct step {
    const char *topic;
    const char *publisher;
    uint64_t sequence;
    int64_t updated_ms;
    int garbage; /* publish bytes that are not an EventUpdate */
} step;

static const step scenario[] = {
    {"insight.north.burst", "insight-a", 1, 1000, 0},
    {"insight.north.burst", "insight-a", 2, 2000, 0},
    {"insight.north.leak", "insight-a", 1, 2500, 0},
    {"insight.north.burst", "insight-a", 5, 5000, 0}, /* gap: 3 and 4 missed */
    {"insight.north.burst", "insight-b", 7, 5100, 0}, /* another replica, first seen: no gap */
    {"insight.south.burst", "insight-a", 1, 6000, 0},
    {"insight.north.burst", "insight-a", 0, 0, 1},    /* not an EventUpdate */
    {"insight.north.burst", "insight-a", 2, 7000, 0}, /* went back: restarted, no gap */
    {"insight.north.burst", "insight-a", 3, 8000, 0},
    {"insight.south.burst", "insight-a", 4, 9000, 0}, /* gap: 2 and 3 missed */
    {"insight.north.leak", "insight-a", 2, 9500, 0},
};

static int die(const char *what) {
    fprintf(stderr, "publish_fixture: %s: %s\n", what, zmq_strerror(zmq_errno()));
    return 1;
}

int main(int argc, char **argv) {
    const char *bind = "tcp://127.0.0.1:*", *endpoint_file = NULL, *dump = NULL;
    long wait_ms = 10000;
    for (int i = 1; i < argc; i++) {
        if (i + 1 < argc && strcmp(argv[i], "--bind") == 0)
            bind = argv[++i];
        else if (i + 1 < argc && strcmp(argv[i], "--endpoint-file") == 0)
            endpoint_file = argv[++i];
        else if (i + 1 < argc && strcmp(argv[i], "--dump") == 0)
            dump = argv[++i];
        else if (i + 1 < argc && strcmp(argv[i], "--wait-ms") == 0)
            wait_ms = atol(argv[++i]);
        else {
            fprintf(stderr, "publish_fixture: unknown argument %s\n", argv[i]);
            return 2;
        }
    }
    void *ctx = zmq_ctx_new();
    void *pub = zmq_socket(ctx, ZMQ_XPUB);
    int linger = 5000, ipv6 = 1;
    zmq_setsockopt(pub, ZMQ_LINGER, &linger, sizeof linger);
    zmq_setsockopt(pub, ZMQ_IPV6, &ipv6, sizeof ipv6);
    if (zmq_bind(pub, bind) != 0) return die("bind");
    char endpoint[256];
    size_t size = sizeof endpoint;
    zmq_getsockopt(pub, ZMQ_LAST_ENDPOINT, endpoint, &size);
    if (endpoint_file) {
        char tmp[1024];
        snprintf(tmp, sizeof tmp, "%s.tmp", endpoint_file);
        FILE *f = fopen(tmp, "w");
        if (!f || fprintf(f, "%s\n", endpoint) < 0 || fclose(f) != 0 || rename(tmp, endpoint_file) != 0) {
            perror("publish_fixture: endpoint file");
            return 1;
        }
    }
    /* A subscription arriving means the subscriber's filter is in place: nothing sent
     * from now on is lost to the slow-joiner effect. */
    zmq_pollitem_t item = {pub, 0, ZMQ_POLLIN, 0};
    if (zmq_poll(&item, 1, wait_ms) != 1) {
        fprintf(stderr, "publish_fixture: no subscriber within %ld ms\n", wait_ms);
        return 1;
    }
    char sub[256];
    zmq_recv(pub, sub, sizeof sub, 0);

    int dumped = 0;
    for (size_t i = 0; i < sizeof scenario / sizeof scenario[0]; i++) {
        const step *s = &scenario[i];
        uint8_t *payload;
        size_t len;
        if (s->garbage) {
            payload = (uint8_t *)strdup("\xff\xff\xff\xff not protobuf");
            len = strlen((char *)payload);
        } else {
            char zone[64], type[64];
            sscanf(s->topic, "insight.%63[^.].%63s", zone, type);
            Waterline__V1__EventType t = strcmp(type, "leak") == 0 ? WATERLINE__V1__EVENT_TYPE__EVENT_TYPE_LEAK
                                                                    : WATERLINE__V1__EVENT_TYPE__EVENT_TYPE_BURST;
            Waterline__V1__EventUpdate *u = fixture_full_update(s->sequence, s->publisher, zone, t, s->updated_ms);
            if (!u) return 1;
            char id[160];
            snprintf(id, sizeof id, "evt-%s-%s-%zu", zone, type, i + 1);
            free(u->event->event_id);
            u->event->event_id = strdup(id);
            len = waterline__v1__event_update__get_packed_size(u);
            payload = malloc(len);
            waterline__v1__event_update__pack(u, payload);
            waterline__v1__event_update__free_unpacked(u, NULL);
            if (dump) {
                char path[1024];
                snprintf(path, sizeof path, "%s/%03d.waterline.v1.EventUpdate.bin", dump, dumped++);
                FILE *f = fopen(path, "wb");
                if (!f || fwrite(payload, 1, len, f) != len || fclose(f) != 0) {
                    perror("publish_fixture: dump");
                    return 1;
                }
            }
        }
        if (zmq_send(pub, s->topic, strlen(s->topic), ZMQ_SNDMORE) < 0 || zmq_send(pub, payload, len, 0) < 0)
            return die("send");
        free(payload);
    }
    zmq_close(pub); /* lingers until the messages are out */
    zmq_ctx_term(ctx);
    return 0;
}
