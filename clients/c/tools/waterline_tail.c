/*
 * waterline-tail: prints the insight stream as JSON lines, reports sequence gaps and
 * catches up through the gateway's REST API. See README.md and --help.
 */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "waterline_client.h"

#define EXIT_USAGE 2
#define EXIT_GATEWAY 3
#define CATCH_UP_LIMIT 1000u

static const char usage[] =
    "Usage: waterline-tail [options]\n"
    "Prints the Waterline insight stream (event changes) as JSON lines on stdout.\n"
    "\n"
    "  --endpoint tcp://HOST:PORT  insight PUB endpoint; repeat for several (default tcp://127.0.0.1:7032);\n"
    "                              a host name is connected at every IPv4 address it resolves to\n"
    "  --zone Z                    only zone Z\n"
    "  --type T                    only type T: leak, burst, sensor_fault, data_gap, demand_anomaly,\n"
    "                              tank_anomaly\n"
    "  --count N                   exit after N updates (default: run until Ctrl-C / SIGTERM)\n"
    "  --hwm N                     receive high-water mark, messages per connection (default 100000)\n"
    "  --rcvbuf BYTES              kernel receive buffer per connection (default: the system's)\n"
    "  --resolve-interval S        resolve host names again every S seconds (default 30, 0: never)\n"
    "  --gateway http://HOST:PORT  after a gap, catch up through the gateway's REST API\n"
    "  --token-file FILE           the gateway token (default: $WATERLINE_TOKEN)\n"
    "  --quiet                     no connection messages on stderr\n"
    "  --help                      this text\n"
    "\n"
    "Lines on stdout:\n"
    "  {\"sequence\":\"7\",\"publisher_id\":...,\"change\":\"EVENT_CHANGE_OPENED\",\"event\":{...}}\n"
    "      an update (waterline.v1.EventUpdate in the proto3 JSON mapping, proto field names)\n"
    "  {\"gap\":{\"topic\":...,\"publisher_id\":...,\"expected\":N,\"received\":M,\"missing\":K}}\n"
    "      updates were missed (printed before the update that revealed it)\n"
    "  {\"catch_up\":{...}}\n"
    "      after a gap, with --gateway: an event of that topic changed since the last one printed,\n"
    "      as GET /api/v1/events returns it\n"
    "\n"
    "Exit status: 0 after --count updates or on SIGINT/SIGTERM, 1 on a stream failure, 2 on bad\n"
    "options, 3 when the gateway is unreachable or refuses the token at start.\n";

static volatile sig_atomic_t stopping = 0;

static void on_signal(int sig) {
    (void)sig;
    stopping = 1;
}

static int quiet = 0;

static void log_line(void *ctx, const char *message) {
    (void)ctx;
    if (!quiet) fprintf(stderr, "waterline-tail: %s\n", message);
}

static void usage_error(const char *fmt, const char *arg) {
    fprintf(stderr, "waterline-tail: ");
    fprintf(stderr, fmt, arg);
    fprintf(stderr, "\nTry 'waterline-tail --help'.\n");
    exit(EXIT_USAGE);
}

static long parse_number(const char *option, const char *text, long min, long max) {
    char *end;
    errno = 0;
    long v = strtol(text, &end, 10);
    if (errno || end == text || *end || v < min || v > max) {
        char what[256];
        snprintf(what, sizeof what, "%s needs a whole number from %ld to %ld, not '%%s'", option, min, max);
        usage_error(what, text);
    }
    return v;
}

/* Writes a line to stdout and flushes; exits when stdout is gone. */
static void emit(wl_buf *line) {
    wl_buf_append_char(line, '\n');
    if (line->failed) {
        fprintf(stderr, "waterline-tail: out of memory writing a line\n");
        return;
    }
    if (fwrite(line->data, 1, line->len, stdout) != line->len || fflush(stdout) != 0) {
        if (errno == EPIPE) exit(0); /* the reader went away (e.g. `| head`) */
        fprintf(stderr, "waterline-tail: writing to stdout: %s\n", strerror(errno));
        exit(1);
    }
}

/* The updated_ms of the last update printed per topic. */
typedef struct topic_mark {
    char *topic;
    int64_t updated_ms;
} topic_mark;

static topic_mark *marks = NULL;
static size_t n_marks = 0;

static int64_t last_updated(const char *topic) {
    for (size_t i = 0; i < n_marks; i++)
        if (strcmp(marks[i].topic, topic) == 0) return marks[i].updated_ms;
    return 0;
}

static void set_last_updated(const char *topic, int64_t updated_ms) {
    for (size_t i = 0; i < n_marks; i++)
        if (strcmp(marks[i].topic, topic) == 0) {
            marks[i].updated_ms = updated_ms;
            return;
        }
    topic_mark *grown = realloc(marks, (n_marks + 1) * sizeof *marks);
    char *copy = strdup(topic);
    if (!grown || !copy) {
        if (grown) marks = grown;
        free(copy);
        return; /* a later catch-up then starts from 0: more lines, nothing lost */
    }
    marks = grown;
    marks[n_marks].topic = copy;
    marks[n_marks].updated_ms = updated_ms;
    n_marks++;
}

static int print_catch_up(void *ctx, const char *json, size_t len, int64_t updated_ms) {
    (void)updated_ms;
    wl_buf *line = ctx;
    wl_buf_reset(line);
    wl_buf_append_str(line, "{\"catch_up\":");
    wl_buf_append(line, json, len);
    wl_buf_append_char(line, '}');
    emit(line);
    return stopping; /* stop printing when asked to exit */
}

static void catch_up(wl_gateway *gateway, const char *gateway_url, const wl_update *u, wl_buf *line) {
    int64_t from = last_updated(u->topic);
    size_t count = 0;
    int rc = wl_gateway_events(gateway, u->zone, u->type, from, CATCH_UP_LIMIT, print_catch_up, line, &count);
    if (rc == WL_ERR_INTERRUPTED) return; /* stopping */
    if (rc != WL_OK) {
        fprintf(stderr,
                "waterline-tail: catching up on %s through %s failed: %s; the stream goes on, the missed updates "
                "are not shown\n",
                u->topic, gateway_url, wl_gateway_error(gateway));
        return;
    }
    fprintf(stderr, "waterline-tail: caught up on %s: %zu event%s changed since updated_ms %" PRId64 "\n", u->topic,
            count, count == 1 ? "" : "s", from);
    if (count >= CATCH_UP_LIMIT)
        fprintf(stderr, "waterline-tail: the catch-up hit its limit of %u events: some may be missing\n",
                CATCH_UP_LIMIT);
}

/* --endpoint values (pointers into argv). */
static const char **endpoints = NULL;

static void free_endpoints(void) {
    free(endpoints);
    endpoints = NULL;
}

int main(int argc, char **argv) {
    enum { OPT_ENDPOINT = 256, OPT_ZONE, OPT_TYPE, OPT_COUNT, OPT_HWM, OPT_RCVBUF, OPT_RESOLVE, OPT_GATEWAY, OPT_TOKEN_FILE,
           OPT_QUIET, OPT_HELP };
    static const struct option long_options[] = {
        {"endpoint", required_argument, NULL, OPT_ENDPOINT},
        {"zone", required_argument, NULL, OPT_ZONE},
        {"type", required_argument, NULL, OPT_TYPE},
        {"count", required_argument, NULL, OPT_COUNT},
        {"hwm", required_argument, NULL, OPT_HWM},
        {"rcvbuf", required_argument, NULL, OPT_RCVBUF},
        {"resolve-interval", required_argument, NULL, OPT_RESOLVE},
        {"gateway", required_argument, NULL, OPT_GATEWAY},
        {"token-file", required_argument, NULL, OPT_TOKEN_FILE},
        {"quiet", no_argument, NULL, OPT_QUIET},
        {"help", no_argument, NULL, OPT_HELP},
        {NULL, 0, NULL, 0},
    };
    endpoints = calloc((size_t)argc + 1, sizeof *endpoints);
    if (!endpoints) return 1;
    atexit(free_endpoints); /* also on the exits of usage_error */
    size_t n_endpoints = 0;
    const char *zone = NULL, *type = NULL, *gateway_url = NULL, *token_file = NULL;
    long count = 0, hwm = 0, rcvbuf = 0, resolve = 30;
    opterr = 0;
    int opt;
    while ((opt = getopt_long(argc, argv, ":", long_options, NULL)) != -1) {
        switch (opt) {
        case OPT_ENDPOINT: endpoints[n_endpoints++] = optarg; break;
        case OPT_ZONE:
            if (!optarg[0] || strchr(optarg, '.')) usage_error("--zone '%s': a zone name, without '.'", optarg);
            zone = optarg;
            break;
        case OPT_TYPE:
            if (wl_event_type_from_label(optarg) < 0)
                usage_error("--type '%s' is none of leak, burst, sensor_fault, data_gap, demand_anomaly, tank_anomaly",
                            optarg);
            type = optarg;
            break;
        case OPT_COUNT: count = parse_number("--count", optarg, 1, 2147483647L); break;
        case OPT_HWM: hwm = parse_number("--hwm", optarg, 1, 2147483647L); break;
        case OPT_RCVBUF: rcvbuf = parse_number("--rcvbuf", optarg, 1, 2147483647L); break;
        case OPT_RESOLVE: resolve = parse_number("--resolve-interval", optarg, 0, 86400L); break;
        case OPT_GATEWAY: gateway_url = optarg; break;
        case OPT_TOKEN_FILE: token_file = optarg; break;
        case OPT_QUIET: quiet = 1; break;
        case OPT_HELP: fputs(usage, stdout); return 0;
        case ':': usage_error("%s needs a value", argv[optind - 1]); break;
        default: usage_error("unknown option '%s'", argv[optind - 1]); break;
        }
    }
    if (optind < argc) usage_error("unexpected argument '%s'", argv[optind]);
    if (token_file && !gateway_url) usage_error("%s", "--token-file is only used with --gateway");

    signal(SIGPIPE, SIG_IGN);
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, NULL); /* no SA_RESTART: the wait returns EINTR */
    sigaction(SIGTERM, &sa, NULL);
    /* A parent may have started us with these blocked (the mask is inherited): then they
       would never arrive, and a supervisor's SIGTERM would have to become SIGKILL. */
    sigset_t stop_signals;
    sigemptyset(&stop_signals);
    sigaddset(&stop_signals, SIGINT);
    sigaddset(&stop_signals, SIGTERM);
    sigprocmask(SIG_UNBLOCK, &stop_signals, NULL);

    char err[1024];
    wl_gateway *gateway = NULL;
    if (gateway_url) {
        char *token = wl_read_token(token_file, err, sizeof err);
        if (!token) usage_error("%s", err);
        gateway = wl_gateway_open(gateway_url, token, 0, err, sizeof err);
        free(token);
        if (!gateway) usage_error("--gateway: %s", err);
        wl_gateway_set_cancel_flag(gateway, &stopping);
        int rc = wl_gateway_check(gateway);
        if (rc == WL_ERR_INTERRUPTED) {
            wl_gateway_close(gateway);
            return 0;
        }
        if (rc != WL_OK) {
            fprintf(stderr, "waterline-tail: %s\n", wl_gateway_error(gateway));
            wl_gateway_close(gateway);
            return EXIT_GATEWAY;
        }
    }

    wl_subscriber_options options;
    wl_subscriber_options_init(&options);
    options.endpoints = endpoints;
    options.n_endpoints = n_endpoints;
    options.zone = zone;
    options.type = type;
    options.rcvhwm = (int)hwm;
    options.rcvbuf = (int)rcvbuf;
    options.resolve_interval_s = resolve == 0 ? -1 : (int)resolve;
    options.log = log_line;
    wl_subscriber *sub = wl_subscriber_open(&options, err, sizeof err);
    if (!sub) {
        fprintf(stderr, "waterline-tail: %s\n", err);
        wl_gateway_close(gateway);
        return strstr(err, "endpoint") ? EXIT_USAGE : 1;
    }

    int status = 0;
    long printed = 0;
    wl_buf line = WL_BUF_INIT;
    while (!stopping && (count == 0 || printed < count)) {
        wl_update u;
        int rc = wl_subscriber_recv(sub, &u, 500); /* wake up now and then to see the stop flag */
        if (rc == WL_TIMEOUT || rc == WL_ERR_INTERRUPTED) continue;
        if (rc == WL_ERR_DECODE) {
            fprintf(stderr, "waterline-tail: skipped: %s\n", wl_subscriber_error(sub));
            continue;
        }
        if (rc != WL_OK) {
            fprintf(stderr, "waterline-tail: the stream failed: %s\n", wl_subscriber_error(sub));
            status = 1;
            break;
        }
        if (u.seq == WL_SEQ_RESTART)
            fprintf(stderr, "waterline-tail: publisher %s restarted on %s (sequence %" PRIu64 " after %" PRIu64 ")\n",
                    u.msg->publisher_id, u.topic, u.msg->sequence, u.previous_sequence);
        if (u.has_gap) {
            wl_buf_reset(&line);
            wl_buf_append_str(&line, "{\"gap\":{\"topic\":");
            wl_json_append_string(&line, u.gap.topic, strlen(u.gap.topic));
            wl_buf_append_str(&line, ",\"publisher_id\":");
            wl_json_append_string(&line, u.gap.publisher_id, strlen(u.gap.publisher_id));
            wl_buf_printf(&line, ",\"expected\":%" PRIu64 ",\"received\":%" PRIu64 ",\"missing\":%" PRIu64 "}}",
                          u.gap.expected, u.gap.received, u.gap.missing);
            emit(&line);
            fprintf(stderr,
                    "waterline-tail: gap on %s: publisher %s went from sequence %" PRIu64 " to %" PRIu64
                    ", %" PRIu64 " update%s missed; %s\n",
                    u.gap.topic, u.gap.publisher_id, u.previous_sequence, u.gap.received, u.gap.missing,
                    u.gap.missing == 1 ? "" : "s",
                    gateway ? "catching up through the gateway" : "give --gateway to catch up");
            if (gateway) catch_up(gateway, gateway_url, &u, &line);
        }
        if (u.heartbeat) continue; /* nothing to print: it only shows what was missed */
        wl_buf_reset(&line);
        if (wl_json_append_message(&line, &u.msg->base) != 0) {
            fprintf(stderr, "waterline-tail: out of memory writing an update on %s\n", u.topic);
            continue;
        }
        emit(&line);
        if (u.msg->event) set_last_updated(u.topic, u.msg->event->updated_ms);
        printed++;
    }
    wl_buf_free(&line);
    wl_subscriber_close(sub);
    wl_gateway_close(gateway);
    for (size_t i = 0; i < n_marks; i++) free(marks[i].topic);
    free(marks);
    return status;
}
