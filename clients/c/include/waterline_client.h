/*
 * Waterline C client: the insight stream (ZeroMQ PUB/SUB, protobuf EventUpdate),
 * sequence gap detection, proto3 JSON output and catch-up through the gateway's REST API.
 *
 * Build flags (see README.md):
 *   -I clients/c/include -I clients/c/build/gen
 *   clients/c/build/libwaterline_client.a $(pkg-config --libs libzmq libprotobuf-c libcurl) -lm
 *
 * Nothing here is thread-safe per object: use one subscriber / gap detector / gateway
 * per thread (different objects in different threads are fine).
 */
#ifndef WATERLINE_CLIENT_H
#define WATERLINE_CLIENT_H

#include <signal.h>
#include <stddef.h>
#include <stdint.h>

#include <protobuf-c/protobuf-c.h>

#include "waterline/v1/event.pb-c.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ---------------------------------------------------------------- return codes */

enum {
    WL_OK = 0,
    WL_TIMEOUT = 1,            /* nothing arrived within the timeout */
    WL_ERR_INTERRUPTED = -1,   /* a signal interrupted the wait (EINTR): check your flag, call again */
    WL_ERR_DECODE = -2,        /* a message was not a valid [topic, EventUpdate]: skipped, call again */
    WL_ERR_ARGUMENT = -3,      /* bad argument or option */
    WL_ERR_ZMQ = -4,           /* ZeroMQ failed (see wl_subscriber_error) */
    WL_ERR_MEMORY = -5,        /* out of memory */
    WL_ERR_HTTP = -6,          /* gateway unreachable, or it answered an error status */
    WL_ERR_AUTH = -7,          /* gateway answered 401 or 403: token missing, expired or not allowed */
    WL_ERR_RESPONSE = -8       /* gateway answered something that is not {"events": [...]} */
};

/* A short English text for a return code. */
const char *wl_strerror(int code);

/* ---------------------------------------------------------------- growable buffer */

/* A byte buffer that grows as needed; `data` is always NUL-terminated once anything
 * was appended. After an allocation failure `failed` is set and appends do nothing. */
typedef struct wl_buf {
    char *data;
    size_t len;
    size_t cap;
    int failed;
} wl_buf;

#define WL_BUF_INIT {NULL, 0, 0, 0}

void wl_buf_init(wl_buf *b);
void wl_buf_free(wl_buf *b);
/* Empties the buffer, keeping its memory (and clearing `failed`). */
void wl_buf_reset(wl_buf *b);
/* 0 on success, -1 when memory ran out (now or earlier). */
int wl_buf_append(wl_buf *b, const void *data, size_t len);
int wl_buf_append_str(wl_buf *b, const char *s);
int wl_buf_append_char(wl_buf *b, char c);
int wl_buf_printf(wl_buf *b, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 2, 3)))
#endif
    ;

/* ---------------------------------------------------------------- JSON writer */

/*
 * Any protobuf-c message as JSON in the proto3 mapping, on one line, by walking its
 * descriptor: proto field names (event_id, not eventId); fields at their default value
 * left out (proto3), except members of a oneof and proto2 fields that are set;
 * int64/uint64/sint64/fixed64/sfixed64 as strings ("1718000000000"); other integers as
 * numbers; enums by value name ("EVENT_TYPE_BURST", the number if the value is unknown);
 * doubles with the fewest digits (at most 17, as %.17g) that read back to the same
 * bits, floats as the double they convert to (0.1f: 0.10000000149011612), NaN and
 * infinities as "NaN", "Infinity", "-Infinity" (with the quotes), -0.0 as -0.0;
 * bytes as base64 with padding; repeated fields as arrays; map fields as objects;
 * nested messages as objects. Strings: `"` and `\` escaped, control characters as
 * \u00XX, valid UTF-8 passed through, invalid bytes as \ufffd.
 * Well-known types (Timestamp, Duration, wrappers, Struct, Any) are written as
 * ordinary messages, not in their special forms.
 */
/* Appends to `out`; 0 on success, -1 when memory ran out. */
int wl_json_append_message(wl_buf *out, const ProtobufCMessage *message);
/* A malloc'd NUL-terminated string (free() it), NULL when memory ran out. */
char *wl_json_message(const ProtobufCMessage *message);
/* A JSON string literal, quotes included, escaped as above. */
int wl_json_append_string(wl_buf *out, const char *s, size_t len);
/* A double as above (a number, or "NaN" / "Infinity" / "-Infinity" with quotes). */
int wl_json_append_double(wl_buf *out, double value);

/* ---------------------------------------------------------------- topics */

/* Topics are `insight.<zone>.<type>`, type a lower-case label (see below). */
#define WL_TOPIC_PREFIX "insight."

/* The subscription prefix for a zone and/or type (either may be NULL or ""):
 * zone and type: "insight.north.burst", zone: "insight.north.", type alone or
 * nothing: "insight." (a type alone is filtered client-side). Returns the length, or
 * -1 when it does not fit in `size` bytes or zone/type contain a '.'. */
int wl_topic_filter(char *out, size_t size, const char *zone, const char *type);
/* Splits `insight.<zone>.<type>` (the type is the last segment): 0 on success, -1 if
 * the topic does not have that form or a part does not fit. */
int wl_topic_split(const char *topic, char *zone, size_t zone_size, char *type, size_t type_size);
/* 1 when the topic is `insight.<zone>.<type>` with that zone and type (NULL or "":
 * any), else 0. */
int wl_topic_matches(const char *topic, const char *zone, const char *type);
/* "leak", "burst", "sensor_fault", "data_gap", "demand_anomaly", "tank_anomaly";
 * NULL for EVENT_TYPE_UNSPECIFIED and unknown values. */
const char *wl_event_type_label(int event_type);
/* The EventType of a label, or -1 when it is none of the above. */
int wl_event_type_from_label(const char *label);

/* ---------------------------------------------------------------- gap detector */

/* What one sequence number means for its (publisher_id, topic). */
typedef enum wl_seq_result {
    WL_SEQ_FIRST = 0,  /* publisher first seen on this topic: the baseline, not a gap */
    WL_SEQ_NEXT,       /* last + 1 */
    WL_SEQ_GAP,        /* > last + 1: sequence - last - 1 messages were missed */
    WL_SEQ_RESTART,    /* < last: the publisher restarted; new baseline, not a gap */
    WL_SEQ_REPEAT      /* == last: a duplicate (or a restart that had sent one message) */
} wl_seq_result;

/* A gap: sequences expected .. received-1 of this publisher on this topic never arrived. */
typedef struct wl_gap {
    const char *topic;
    const char *publisher_id;
    uint64_t expected;  /* last + 1 */
    uint64_t received;  /* the sequence that arrived */
    uint64_t missing;   /* received - expected */
} wl_gap;

typedef struct wl_gap_detector wl_gap_detector;

wl_gap_detector *wl_gap_detector_new(void);
void wl_gap_detector_free(wl_gap_detector *d);
/* Records `sequence` as the last one of (publisher_id, topic) and says what it was;
 * `previous` (may be NULL) receives the last sequence before it (0 if first). When
 * memory runs out the pair is not tracked and WL_SEQ_FIRST is returned. */
wl_seq_result wl_gap_detector_observe(wl_gap_detector *d, const char *publisher_id, const char *topic,
                                      uint64_t sequence, uint64_t *previous);
/* A heartbeat: the publisher's latest sequence on the topic, sent while it is quiet,
 * so that updates lost at the end of a burst are noticed without waiting for the next
 * one. Returns WL_SEQ_GAP when `latest` is beyond the last sequence seen (`previous`
 * receives it; `latest - previous` updates were missed), WL_SEQ_REPEAT when up to date,
 * WL_SEQ_FIRST / WL_SEQ_RESTART as for an update. Records `latest` as the last. */
wl_seq_result wl_gap_detector_heartbeat(wl_gap_detector *d, const char *publisher_id, const char *topic,
                                        uint64_t latest, uint64_t *previous);
/* How many (publisher_id, topic) pairs are tracked. */
size_t wl_gap_detector_size(const wl_gap_detector *d);

/* ---------------------------------------------------------------- subscriber */

typedef struct wl_subscriber wl_subscriber;

typedef struct wl_subscriber_options {
    /* Endpoints to connect to, e.g. "tcp://insight:7032". A tcp host name is resolved
     * (IPv4) and every address it has is connected; other endpoints (ipc://, IPv6
     * literals, ...) are connected as given. NULL/0: "tcp://127.0.0.1:7032". */
    const char *const *endpoints;
    size_t n_endpoints;
    /* Filters, NULL or "" for all: a zone ("north") and an event type label ("burst"). */
    const char *zone;
    const char *type;
    /* ZMQ_RCVHWM (messages queued per connection before ZeroMQ drops). 0: 100000. */
    int rcvhwm;
    /* ZMQ_RCVBUF: the kernel's receive buffer per connection, in bytes. 0: the system's
     * default (which grows with the traffic). A small one bounds what piles up unseen. */
    int rcvbuf;
    /* Host names are resolved again every this many seconds while receiving: new
     * addresses are connected, vanished ones disconnected. 0: 30 s; < 0: never again. */
    int resolve_interval_s;
    /* Optional: told about connects, disconnects and resolution failures (one line,
     * no newline). */
    void (*log)(void *ctx, const char *message);
    void *log_ctx;
} wl_subscriber_options;

/* One update as received. Everything in it belongs to the subscriber and stays valid
 * until the next wl_subscriber_recv or wl_subscriber_close. */
typedef struct wl_update {
    const char *topic;                /* "insight.north.burst" */
    const char *zone;                 /* "north" */
    const char *type;                 /* "burst" */
    Waterline__V1__EventUpdate *msg;  /* the decoded payload; msg->event may be NULL */
    wl_seq_result seq;                /* what its sequence means (see wl_seq_result) */
    int has_gap;                      /* 1: messages were missed before this one */
    wl_gap gap;                       /* set when has_gap */
    uint64_t previous_sequence;       /* the publisher's last sequence on this topic before (0: none) */
    int heartbeat;                    /* 1: a heartbeat (no event; msg->sequence is the publisher's
                                         latest on the topic): only has_gap matters */
} wl_update;

void wl_subscriber_options_init(wl_subscriber_options *options);
/* Creates the SUB socket (ZMQ_LINGER 0, ZMQ_RCVHWM), subscribes and connects. NULL on
 * failure, with a message in `err` (may be NULL). A host name that does not resolve yet
 * is not an error: it is tried again at every resolution (and logged). */
wl_subscriber *wl_subscriber_open(const wl_subscriber_options *options, char *err, size_t err_size);
/* Waits up to timeout_ms (-1: for ever) for the next update matching the filters.
 * WL_OK: `out` is filled. WL_TIMEOUT, WL_ERR_INTERRUPTED, WL_ERR_DECODE (a bad message
 * was skipped; `out->topic` names its topic): call again. WL_ERR_ZMQ: the socket failed. */
int wl_subscriber_recv(wl_subscriber *s, wl_update *out, int timeout_ms);
/* Resolves the host names now (connecting / disconnecting as needed). 0, or
 * WL_ERR_ZMQ / WL_ERR_MEMORY. */
int wl_subscriber_refresh(wl_subscriber *s);
/* The i-th endpoint currently connected ("tcp://10.0.0.7:7032"), NULL past the end. */
const char *wl_subscriber_connection(const wl_subscriber *s, size_t i);
/* How many messages were skipped as undecodable so far. */
uint64_t wl_subscriber_undecodable(const wl_subscriber *s);
/* The last error's text. */
const char *wl_subscriber_error(const wl_subscriber *s);
/* The ZeroMQ socket, for zmq_poll alongside your own sockets (receive with
 * wl_subscriber_recv(s, &u, 0) when it is readable). */
void *wl_subscriber_socket(wl_subscriber *s);
void wl_subscriber_close(wl_subscriber *s);

/* ---------------------------------------------------------------- gateway (REST) */

typedef struct wl_gateway wl_gateway;

/* base_url like "http://127.0.0.1:8080"; token as returned by POST /api/v1/login.
 * timeout_ms for one whole request (0: 15000). NULL on failure with a message in err.
 * The first call initialises libcurl (curl_global_init): make it before starting
 * other threads that use libcurl. */
wl_gateway *wl_gateway_open(const char *base_url, const char *token, long timeout_ms, char *err, size_t err_size);
/* GET /api/v1/events?limit=1: is the gateway reachable and the token accepted?
 * WL_OK, WL_ERR_HTTP, WL_ERR_AUTH, WL_ERR_RESPONSE or WL_ERR_INTERRUPTED
 * (wl_gateway_error tells more). */
int wl_gateway_check(wl_gateway *g);

/* Called once per event, in the order returned: `json` is the event object exactly as
 * the gateway sent it, with whitespace outside strings removed (so it is one line),
 * NUL-terminated; `updated_ms` its "updated_ms" (number or string; -1 if absent).
 * Return 0 to go on, non-zero to stop. */
typedef int (*wl_event_fn)(void *ctx, const char *json, size_t len, int64_t updated_ms);

/* GET /api/v1/events?zone=Z&type=T&updated_from=MS&limit=N (zone/type left out when
 * NULL or ""; limit 0: 1000). Calls fn for each event; `count` (may be NULL) receives
 * how many. WL_OK or an error as for wl_gateway_check. */
int wl_gateway_events(wl_gateway *g, const char *zone, const char *type, int64_t updated_from, unsigned limit,
                      wl_event_fn fn, void *ctx, size_t *count);
/* A flag (e.g. set by a SIGINT handler) that aborts a request in progress when it
 * becomes non-zero: the call then returns WL_ERR_INTERRUPTED. NULL: none. */
void wl_gateway_set_cancel_flag(wl_gateway *g, const volatile sig_atomic_t *flag);
const char *wl_gateway_error(const wl_gateway *g);
void wl_gateway_close(wl_gateway *g);

/* The token from token_file if given (whitespace around it removed), else from the
 * environment variable WATERLINE_TOKEN. A malloc'd string, or NULL with a message in
 * err (file unreadable or empty, or no token anywhere). */
char *wl_read_token(const char *token_file, char *err, size_t err_size);

#ifdef __cplusplus
}
#endif

#endif
