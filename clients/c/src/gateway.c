/* The gateway's REST API through libcurl: GET /api/v1/events for catching up. */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <curl/curl.h>

#include "internal.h"
#include "waterline_client.h"

#define DEFAULT_TIMEOUT_MS 15000L
#define CONNECT_TIMEOUT_MS 5000L
#define MAX_BODY (256u * 1024u * 1024u)

struct wl_gateway {
    CURL *curl;
    char *base; /* without a trailing '/' */
    struct curl_slist *headers;
    long timeout_ms;
    const volatile sig_atomic_t *cancel;
    wl_buf body;
    char error[1024];
};

static size_t on_body(char *data, size_t size, size_t n, void *userdata) {
    wl_gateway *g = userdata;
    size_t len = size * n;
    if (g->body.len + len > MAX_BODY || wl_buf_append(&g->body, data, len) != 0) return 0; /* aborts the transfer */
    return len;
}

wl_gateway *wl_gateway_open(const char *base_url, const char *token, long timeout_ms, char *err, size_t err_size) {
    if (!base_url || (strncmp(base_url, "http://", 7) != 0 && strncmp(base_url, "https://", 8) != 0) ||
        strlen(base_url) <= 8) {
        if (err && err_size) snprintf(err, err_size, "gateway '%s' is not like http://host:port", base_url ? base_url : "");
        return NULL;
    }
    if (!token || !token[0] || strpbrk(token, "\r\n")) {
        if (err && err_size) snprintf(err, err_size, "no usable token for the gateway");
        return NULL;
    }
    static int curl_ready = 0;
    if (!curl_ready) {
        if (curl_global_init(CURL_GLOBAL_DEFAULT) != 0) {
            if (err && err_size) snprintf(err, err_size, "libcurl failed to initialise");
            return NULL;
        }
        curl_ready = 1;
    }
    wl_gateway *g = calloc(1, sizeof *g);
    if (!g) goto oom;
    wl_buf_init(&g->body);
    g->timeout_ms = timeout_ms > 0 ? timeout_ms : DEFAULT_TIMEOUT_MS;
    g->base = strdup(base_url);
    if (!g->base) goto oom;
    size_t bl = strlen(g->base);
    while (bl > 0 && g->base[bl - 1] == '/') g->base[--bl] = '\0';
    wl_buf auth = WL_BUF_INIT;
    wl_buf_printf(&auth, "Authorization: Bearer %s", token);
    struct curl_slist *h = auth.failed ? NULL : curl_slist_append(NULL, auth.data);
    wl_buf_free(&auth);
    if (!h) goto oom;
    g->headers = h;
    h = curl_slist_append(g->headers, "Accept: application/json");
    if (!h) goto oom;
    g->headers = h;
    g->curl = curl_easy_init();
    if (!g->curl) goto oom;
    return g;
oom:
    if (err && err_size) snprintf(err, err_size, "out of memory");
    wl_gateway_close(g);
    return NULL;
}

void wl_gateway_close(wl_gateway *g) {
    if (!g) return;
    if (g->curl) curl_easy_cleanup(g->curl);
    curl_slist_free_all(g->headers);
    wl_buf_free(&g->body);
    free(g->base);
    free(g);
}

const char *wl_gateway_error(const wl_gateway *g) { return g ? g->error : "no gateway"; }

void wl_gateway_set_cancel_flag(wl_gateway *g, const volatile sig_atomic_t *flag) {
    if (g) g->cancel = flag;
}

/* libcurl asks this about once a second and at every chunk: non-zero aborts. */
static int on_progress(void *userdata, curl_off_t dltotal, curl_off_t dlnow, curl_off_t ultotal, curl_off_t ulnow) {
    (void)dltotal, (void)dlnow, (void)ultotal, (void)ulnow;
    const wl_gateway *g = userdata;
    return g->cancel && *g->cancel;
}

/* The "message" of an error answer {"error": {"message": ...}}, else the start of the body. */
static void describe_body(const wl_gateway *g, char *out, size_t size) {
    const char *body = g->body.data ? g->body.data : "";
    const char *error, *message;
    size_t el, ml;
    if (wl_json_member(body, g->body.len, "error", &error, &el) == 0 &&
        wl_json_member(error, el, "message", &message, &ml) == 0 && ml >= 2 && message[0] == '"') {
        snprintf(out, size, "%.*s", (int)(ml - 2), message + 1);
        return;
    }
    size_t n = g->body.len < 200 ? g->body.len : 200;
    snprintf(out, size, "%.*s", (int)n, body);
    for (char *c = out; *c; c++)
        if (*c == '\n' || *c == '\r') *c = ' ';
}

/* GET base+path into g->body: WL_OK for a 2xx answer. */
static int get(wl_gateway *g, const char *path) {
    wl_buf url = WL_BUF_INIT;
    wl_buf_printf(&url, "%s%s", g->base, path);
    if (url.failed) {
        snprintf(g->error, sizeof g->error, "out of memory");
        return WL_ERR_MEMORY;
    }
    wl_buf_reset(&g->body);
    char curl_error[CURL_ERROR_SIZE] = "";
    CURL *c = g->curl;
    curl_easy_reset(c);
    curl_easy_setopt(c, CURLOPT_URL, url.data);
    curl_easy_setopt(c, CURLOPT_HTTPHEADER, g->headers);
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_body);
    curl_easy_setopt(c, CURLOPT_WRITEDATA, g);
    curl_easy_setopt(c, CURLOPT_ERRORBUFFER, curl_error);
    curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, g->timeout_ms);
    curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS, g->timeout_ms < CONNECT_TIMEOUT_MS ? g->timeout_ms : CONNECT_TIMEOUT_MS);
    curl_easy_setopt(c, CURLOPT_ACCEPT_ENCODING, "");
    curl_easy_setopt(c, CURLOPT_XFERINFOFUNCTION, on_progress);
    curl_easy_setopt(c, CURLOPT_XFERINFODATA, g);
    curl_easy_setopt(c, CURLOPT_NOPROGRESS, 0L);
    CURLcode rc = curl_easy_perform(c);
    curl_easy_setopt(c, CURLOPT_ERRORBUFFER, NULL);
    if (rc == CURLE_ABORTED_BY_CALLBACK) {
        snprintf(g->error, sizeof g->error, "request to %s interrupted", url.data);
        wl_buf_free(&url);
        return WL_ERR_INTERRUPTED;
    }
    if (rc != CURLE_OK) {
        snprintf(g->error, sizeof g->error, "gateway %s unreachable: %s", url.data,
                 curl_error[0] ? curl_error : curl_easy_strerror(rc));
        wl_buf_free(&url);
        return g->body.failed ? WL_ERR_MEMORY : WL_ERR_HTTP;
    }
    long status = 0;
    curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
    if (status >= 200 && status < 300) {
        wl_buf_free(&url);
        return WL_OK;
    }
    char detail[512];
    describe_body(g, detail, sizeof detail);
    if (status == 401 || status == 403)
        snprintf(g->error, sizeof g->error, "gateway refused the token (HTTP %ld on %s): %s", status, url.data, detail);
    else
        snprintf(g->error, sizeof g->error, "gateway answered HTTP %ld on %s: %s", status, url.data, detail);
    wl_buf_free(&url);
    return (status == 401 || status == 403) ? WL_ERR_AUTH : WL_ERR_HTTP;
}

typedef struct each_ctx {
    wl_event_fn fn;
    void *ctx;
    size_t count;
    int failed; /* out of memory */
} each_ctx;

static int each_event(void *userdata, const char *start, size_t len) {
    each_ctx *e = userdata;
    size_t n;
    char *line = wl_json_compact(start, len, &n);
    if (!line) {
        e->failed = 1;
        return 1;
    }
    int64_t updated = -1;
    if (wl_json_object_int64(line, n, "updated_ms", &updated) != 0) updated = -1;
    e->count++;
    int stop = e->fn ? e->fn(e->ctx, line, n, updated) : 0;
    free(line);
    return stop;
}

static int read_events(wl_gateway *g, wl_event_fn fn, void *ctx, size_t *count) {
    char why[256];
    each_ctx e = {fn, ctx, 0, 0};
    if (wl_json_scan_events(g->body.data ? g->body.data : "", g->body.len, each_event, &e, why, sizeof why) != 0) {
        snprintf(g->error, sizeof g->error, "gateway's answer is not {\"events\": [...]}: %s", why);
        return WL_ERR_RESPONSE;
    }
    if (count) *count = e.count;
    if (e.failed) {
        snprintf(g->error, sizeof g->error, "out of memory");
        return WL_ERR_MEMORY;
    }
    return WL_OK;
}

int wl_gateway_check(wl_gateway *g) {
    if (!g) return WL_ERR_ARGUMENT;
    int rc = get(g, "/api/v1/events?limit=1");
    return rc == WL_OK ? read_events(g, NULL, NULL, NULL) : rc;
}

int wl_gateway_events(wl_gateway *g, const char *zone, const char *type, int64_t updated_from, unsigned limit,
                      wl_event_fn fn, void *ctx, size_t *count) {
    if (count) *count = 0;
    if (!g) return WL_ERR_ARGUMENT;
    wl_buf path = WL_BUF_INIT;
    wl_buf_append_str(&path, "/api/v1/events?");
    const char *names[2] = {"zone", "type"};
    const char *values[2] = {zone, type};
    for (int i = 0; i < 2; i++) {
        if (!values[i] || !values[i][0]) continue;
        char *escaped = curl_easy_escape(g->curl, values[i], 0);
        if (!escaped) {
            path.failed = 1;
            break;
        }
        wl_buf_printf(&path, "%s=%s&", names[i], escaped);
        curl_free(escaped);
    }
    wl_buf_printf(&path, "updated_from=%" PRId64 "&limit=%u", updated_from, limit ? limit : 1000u);
    if (path.failed) {
        wl_buf_free(&path);
        snprintf(g->error, sizeof g->error, "out of memory");
        return WL_ERR_MEMORY;
    }
    int rc = get(g, path.data);
    wl_buf_free(&path);
    return rc == WL_OK ? read_events(g, fn, ctx, count) : rc;
}
