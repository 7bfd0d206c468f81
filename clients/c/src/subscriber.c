/*
 * The insight stream subscriber: a ZeroMQ SUB socket connected to every address of
 * the given endpoints, receiving [topic, EventUpdate] and checking sequences.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <zmq.h>

#include "internal.h"
#include "waterline_client.h"

#define DEFAULT_ENDPOINT "tcp://127.0.0.1:7032"
#define DEFAULT_RCVHWM 100000
#define DEFAULT_RESOLVE_S 30

typedef struct endpoint {
    char *given;
    char *host; /* NULL: connected as given */
    char *port;
    char **addrs; /* the last successful resolution */
    size_t n_addrs;
    int failing; /* the last resolution failed (logged once until it works again) */
} endpoint;

struct wl_subscriber {
    void *ctx;
    void *sock;
    char *zone; /* NULL: any */
    char *type; /* NULL: any */
    endpoint *endpoints;
    size_t n_endpoints;
    char **connected;
    size_t n_connected;
    int resolve_interval_s;
    int64_t next_resolve_ms; /* -1: never */
    wl_gap_detector *gaps;
    void (*log)(void *ctx, const char *message);
    void *log_ctx;
    /* The current update's storage. */
    wl_buf topic;
    char zone_buf[256];
    char type_buf[64];
    Waterline__V1__EventUpdate *msg;
    uint64_t undecodable;
    int opened; /* open succeeded: errors are logged from now on (before, they are returned) */
    char error[512];
};

static void logf_(wl_subscriber *s, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 2, 3)))
#endif
    ;

static void logf_(wl_subscriber *s, const char *fmt, ...) {
    if (!s->log) return;
    char line[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(line, sizeof line, fmt, ap);
    va_end(ap);
    s->log(s->log_ctx, line);
}

void wl_subscriber_options_init(wl_subscriber_options *o) {
    memset(o, 0, sizeof *o);
}

const char *wl_subscriber_error(const wl_subscriber *s) { return s ? s->error : "no subscriber"; }
void *wl_subscriber_socket(wl_subscriber *s) { return s ? s->sock : NULL; }
uint64_t wl_subscriber_undecodable(const wl_subscriber *s) { return s ? s->undecodable : 0; }

const char *wl_subscriber_connection(const wl_subscriber *s, size_t i) {
    return (s && i < s->n_connected) ? s->connected[i] : NULL;
}

static int contains(char *const *list, size_t n, const char *s) {
    for (size_t i = 0; i < n; i++)
        if (strcmp(list[i], s) == 0) return 1;
    return 0;
}

/* Connects what should be connected and disconnects what should not, given the
 * endpoints' current addresses. */
static int reconcile(wl_subscriber *s) {
    size_t max = 0;
    for (size_t i = 0; i < s->n_endpoints; i++) max += s->endpoints[i].host ? s->endpoints[i].n_addrs : 1;
    char **want = calloc(max ? max : 1, sizeof *want);
    if (!want) {
        snprintf(s->error, sizeof s->error, "out of memory");
        return WL_ERR_MEMORY;
    }
    size_t n_want = 0;
    for (size_t i = 0; i < s->n_endpoints; i++) {
        endpoint *e = &s->endpoints[i];
        if (!e->host) {
            if (!contains(want, n_want, e->given)) want[n_want++] = e->given;
            continue;
        }
        for (size_t j = 0; j < e->n_addrs; j++)
            if (!contains(want, n_want, e->addrs[j])) want[n_want++] = e->addrs[j];
    }
    int rc = 0;
    /* Vanished addresses. */
    for (size_t i = 0; i < s->n_connected;) {
        if (contains(want, n_want, s->connected[i])) {
            i++;
            continue;
        }
        if (zmq_disconnect(s->sock, s->connected[i]) != 0 && zmq_errno() != ENOENT)
            logf_(s, "disconnecting %s failed: %s", s->connected[i], zmq_strerror(zmq_errno()));
        else
            logf_(s, "disconnected from %s (no longer resolved)", s->connected[i]);
        free(s->connected[i]);
        s->connected[i] = s->connected[--s->n_connected];
    }
    /* New addresses. */
    for (size_t i = 0; i < n_want; i++) {
        if (contains(s->connected, s->n_connected, want[i])) continue;
        char *copy = strdup(want[i]);
        char **grown = realloc(s->connected, (s->n_connected + 1) * sizeof *grown);
        if (!copy || !grown) {
            free(copy);
            if (grown) s->connected = grown;
            snprintf(s->error, sizeof s->error, "out of memory");
            rc = WL_ERR_MEMORY;
            break;
        }
        s->connected = grown;
        if (zmq_connect(s->sock, copy) != 0) {
            snprintf(s->error, sizeof s->error, "cannot connect to endpoint %s: %s", copy, zmq_strerror(zmq_errno()));
            if (s->opened) logf_(s, "%s", s->error);
            free(copy);
            rc = WL_ERR_ZMQ;
            continue;
        }
        logf_(s, "connected to %s", copy);
        s->connected[s->n_connected++] = copy;
    }
    free(want);
    return rc;
}

int wl_subscriber_refresh(wl_subscriber *s) {
    if (!s) return WL_ERR_ARGUMENT;
    for (size_t i = 0; i < s->n_endpoints; i++) {
        endpoint *e = &s->endpoints[i];
        if (!e->host) continue;
        char **addrs;
        size_t n;
        char err[256];
        if (wl_resolver(e->host, e->port, &addrs, &n, err, sizeof err) != 0) {
            /* Keep what it had: a passing DNS failure does not drop live connections. */
            if (!e->failing) logf_(s, "%s: %s (retrying)", e->given, err);
            e->failing = 1;
            continue;
        }
        if (e->failing) logf_(s, "%s resolves again", e->given);
        e->failing = 0;
        wl_free_strings(e->addrs, e->n_addrs);
        e->addrs = addrs;
        e->n_addrs = n;
    }
    if (s->resolve_interval_s > 0) s->next_resolve_ms = wl_monotonic_ms() + (int64_t)s->resolve_interval_s * 1000;
    return reconcile(s);
}

static void fail(char *err, size_t err_size, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 3, 4)))
#endif
    ;

static void fail(char *err, size_t err_size, const char *fmt, ...) {
    if (!err || !err_size) return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err, err_size, fmt, ap);
    va_end(ap);
}

static char *dup_given(const char *s) {
    return (s && s[0]) ? strdup(s) : NULL;
}

wl_subscriber *wl_subscriber_open(const wl_subscriber_options *o, char *err, size_t err_size) {
    wl_subscriber_options defaults;
    if (!o) {
        wl_subscriber_options_init(&defaults);
        o = &defaults;
    }
    char filter[512];
    if (wl_topic_filter(filter, sizeof filter, o->zone, o->type) < 0) {
        fail(err, err_size, "zone or type is too long or contains a '.'");
        return NULL;
    }
    if (o->type && o->type[0] && wl_event_type_from_label(o->type) < 0) {
        fail(err, err_size, "unknown event type '%s' (leak, burst, sensor_fault, data_gap, demand_anomaly, tank_anomaly)",
             o->type);
        return NULL;
    }
    if (o->rcvbuf < 0) {
        fail(err, err_size, "the receive buffer size must be >= 0");
        return NULL;
    }
    if (o->rcvhwm < 0) {
        fail(err, err_size, "the receive high-water mark must be >= 0");
        return NULL;
    }
    wl_subscriber *s = calloc(1, sizeof *s);
    if (!s) {
        fail(err, err_size, "out of memory");
        return NULL;
    }
    wl_buf_init(&s->topic);
    s->log = o->log;
    s->log_ctx = o->log_ctx;
    s->resolve_interval_s = o->resolve_interval_s == 0 ? DEFAULT_RESOLVE_S : o->resolve_interval_s;
    s->next_resolve_ms = -1;
    s->zone = dup_given(o->zone);
    s->type = dup_given(o->type);
    s->gaps = wl_gap_detector_new();
    static const char *const default_endpoints[] = {DEFAULT_ENDPOINT};
    const char *const *given = o->n_endpoints ? o->endpoints : default_endpoints;
    size_t n_given = o->n_endpoints ? o->n_endpoints : 1;
    s->endpoints = calloc(n_given, sizeof *s->endpoints);
    if ((o->zone && o->zone[0] && !s->zone) || (o->type && o->type[0] && !s->type) || !s->gaps || !s->endpoints) {
        fail(err, err_size, "out of memory");
        wl_subscriber_close(s);
        return NULL;
    }
    for (size_t i = 0; i < n_given; i++) {
        endpoint *e = &s->endpoints[s->n_endpoints];
        char why[256];
        if (wl_endpoint_parse(given[i], &e->host, &e->port, why, sizeof why) == WL_ENDPOINT_INVALID) {
            fail(err, err_size, "%s", why);
            wl_subscriber_close(s);
            return NULL;
        }
        e->given = strdup(given[i]);
        s->n_endpoints++;
        if (!e->given) {
            fail(err, err_size, "out of memory");
            wl_subscriber_close(s);
            return NULL;
        }
    }

    s->ctx = zmq_ctx_new();
    s->sock = s->ctx ? zmq_socket(s->ctx, ZMQ_SUB) : NULL;
    if (!s->sock) {
        fail(err, err_size, "cannot create a ZeroMQ SUB socket: %s", zmq_strerror(zmq_errno()));
        wl_subscriber_close(s);
        return NULL;
    }
    int linger = 0, hwm = o->rcvhwm ? o->rcvhwm : DEFAULT_RCVHWM, ipv6 = 1; /* IPv6 literals too */
    if (zmq_setsockopt(s->sock, ZMQ_LINGER, &linger, sizeof linger) != 0 ||
        zmq_setsockopt(s->sock, ZMQ_IPV6, &ipv6, sizeof ipv6) != 0 ||
        zmq_setsockopt(s->sock, ZMQ_RCVHWM, &hwm, sizeof hwm) != 0 ||
        (o->rcvbuf > 0 && zmq_setsockopt(s->sock, ZMQ_RCVBUF, &o->rcvbuf, sizeof o->rcvbuf) != 0) ||
        zmq_setsockopt(s->sock, ZMQ_SUBSCRIBE, filter, strlen(filter)) != 0) {
        fail(err, err_size, "cannot set up the SUB socket: %s", zmq_strerror(zmq_errno()));
        wl_subscriber_close(s);
        return NULL;
    }
    int rc = wl_subscriber_refresh(s);
    if (rc != 0) {
        fail(err, err_size, "%s", s->error);
        wl_subscriber_close(s);
        return NULL;
    }
    s->opened = 1;
    return s;
}

void wl_subscriber_close(wl_subscriber *s) {
    if (!s) return;
    if (s->msg) waterline__v1__event_update__free_unpacked(s->msg, NULL);
    if (s->sock) zmq_close(s->sock);
    if (s->ctx) zmq_ctx_term(s->ctx);
    for (size_t i = 0; i < s->n_endpoints; i++) {
        endpoint *e = &s->endpoints[i];
        free(e->given);
        free(e->host);
        free(e->port);
        wl_free_strings(e->addrs, e->n_addrs);
    }
    free(s->endpoints);
    wl_free_strings(s->connected, s->n_connected);
    wl_gap_detector_free(s->gaps);
    wl_buf_free(&s->topic);
    free(s->zone);
    free(s->type);
    free(s);
}

/* Reads one multipart message: 2 when it had exactly [topic, payload] (payload in
 * `payload`, topic in s->topic), another count otherwise (all frames consumed),
 * -1 on error (errno-style code in *error). */
static int read_message(wl_subscriber *s, zmq_msg_t *payload, int *error) {
    int frames = 0;
    int more = 1;
    wl_buf_reset(&s->topic);
    while (more) {
        zmq_msg_t part;
        zmq_msg_init(&part);
        if (zmq_msg_recv(&part, s->sock, ZMQ_DONTWAIT) < 0) {
            *error = zmq_errno();
            zmq_msg_close(&part);
            if (frames == 0) return -1;
            /* Parts of one message arrive together: this does not happen. */
            return frames;
        }
        more = zmq_msg_more(&part);
        if (frames == 0) {
            wl_buf_append(&s->topic, zmq_msg_data(&part), zmq_msg_size(&part));
            wl_buf_append(&s->topic, "", 0); /* NUL-terminated even when empty */
            zmq_msg_close(&part);
        } else if (frames == 1) {
            zmq_msg_move(payload, &part);
            zmq_msg_close(&part);
        } else {
            zmq_msg_close(&part);
        }
        frames++;
    }
    return frames;
}

int wl_subscriber_recv(wl_subscriber *s, wl_update *out, int timeout_ms) {
    if (!s || !out) return WL_ERR_ARGUMENT;
    memset(out, 0, sizeof *out);
    if (s->msg) {
        waterline__v1__event_update__free_unpacked(s->msg, NULL);
        s->msg = NULL;
    }
    int64_t deadline = timeout_ms < 0 ? -1 : wl_monotonic_ms() + timeout_ms;
    for (;;) {
        int64_t now = wl_monotonic_ms();
        if (s->next_resolve_ms >= 0 && now >= s->next_resolve_ms) {
            wl_subscriber_refresh(s); /* failures are logged; the stream goes on */
            now = wl_monotonic_ms();
        }
        long wait = -1;
        if (deadline >= 0) wait = deadline > now ? (long)(deadline - now) : 0;
        if (s->next_resolve_ms >= 0) {
            long until = s->next_resolve_ms > now ? (long)(s->next_resolve_ms - now) : 0;
            if (wait < 0 || until < wait) wait = until;
        }
        zmq_pollitem_t item = {s->sock, 0, ZMQ_POLLIN, 0};
        int ready = zmq_poll(&item, 1, wait);
        if (ready < 0) {
            if (zmq_errno() == EINTR) return WL_ERR_INTERRUPTED;
            snprintf(s->error, sizeof s->error, "zmq_poll: %s", zmq_strerror(zmq_errno()));
            return WL_ERR_ZMQ;
        }
        if (ready == 0) {
            if (deadline >= 0 && wl_monotonic_ms() >= deadline) return WL_TIMEOUT;
            continue;
        }
        zmq_msg_t payload;
        zmq_msg_init(&payload);
        int error = 0;
        int frames = read_message(s, &payload, &error);
        if (frames < 0) {
            zmq_msg_close(&payload);
            if (error == EAGAIN) continue;
            if (error == EINTR) return WL_ERR_INTERRUPTED;
            snprintf(s->error, sizeof s->error, "receiving: %s", zmq_strerror(error));
            return WL_ERR_ZMQ;
        }
        const char *topic = s->topic.data ? s->topic.data : "";
        if (!wl_topic_matches(topic, s->zone, s->type)) { /* e.g. another type when only a type is asked for */
            zmq_msg_close(&payload);
            continue;
        }
        out->topic = topic;
        if (frames != 2) {
            zmq_msg_close(&payload);
            s->undecodable++;
            snprintf(s->error, sizeof s->error, "message on %s has %d frames, expected 2 [topic, payload]", topic,
                     frames);
            return WL_ERR_DECODE;
        }
        s->msg = waterline__v1__event_update__unpack(NULL, zmq_msg_size(&payload), zmq_msg_data(&payload));
        zmq_msg_close(&payload);
        if (!s->msg) {
            s->undecodable++;
            snprintf(s->error, sizeof s->error, "message on %s is not a waterline.v1.EventUpdate", topic);
            return WL_ERR_DECODE;
        }
        wl_topic_split(topic, s->zone_buf, sizeof s->zone_buf, s->type_buf, sizeof s->type_buf);
        out->zone = s->zone_buf;
        out->type = s->type_buf;
        out->msg = s->msg;
        const char *publisher = s->msg->publisher_id ? s->msg->publisher_id : "";
        /* A heartbeat carries no event and no change: the publisher's latest sequence. */
        out->heartbeat = s->msg->event == NULL && s->msg->change == WATERLINE__V1__EVENT_CHANGE__EVENT_CHANGE_UNSPECIFIED;
        out->seq = out->heartbeat
                       ? wl_gap_detector_heartbeat(s->gaps, publisher, topic, s->msg->sequence, &out->previous_sequence)
                       : wl_gap_detector_observe(s->gaps, publisher, topic, s->msg->sequence, &out->previous_sequence);
        if (out->seq == WL_SEQ_GAP) {
            out->has_gap = 1;
            out->gap.topic = topic;
            out->gap.publisher_id = publisher;
            out->gap.expected = out->previous_sequence + 1;
            /* For a heartbeat, the update after the last missed one. */
            out->gap.received = s->msg->sequence + (out->heartbeat ? 1 : 0);
            out->gap.missing = out->gap.received - out->gap.expected;
        }
        return WL_OK;
    }
}
