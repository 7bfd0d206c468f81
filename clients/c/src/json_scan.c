/*
 * Just enough JSON reading for the gateway's answers: check the text, find the
 * elements of {"events": [...]} as raw text, read an integer member. The events are
 * passed on as the gateway wrote them (no re-encoding, no loss of number precision).
 */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

#define MAX_DEPTH 200

typedef struct scanner {
    const char *begin;
    const char *p;
    const char *end;
    const char *error; /* what went wrong, NULL if nothing */
} scanner;

static int fail(scanner *s, const char *what) {
    if (!s->error) s->error = what;
    return -1;
}

static void skip_ws(scanner *s) {
    while (s->p < s->end && (*s->p == ' ' || *s->p == '\t' || *s->p == '\n' || *s->p == '\r')) s->p++;
}

static int is_hex(char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F'); }

/* At '"': past the closing quote. */
static int skip_string(scanner *s) {
    s->p++;
    while (s->p < s->end) {
        unsigned char c = (unsigned char)*s->p;
        if (c == '"') {
            s->p++;
            return 0;
        }
        if (c < 0x20) return fail(s, "control character in a string");
        if (c == '\\') {
            if (s->end - s->p < 2) break;
            char e = s->p[1];
            if (e == 'u') {
                if (s->end - s->p < 6 || !is_hex(s->p[2]) || !is_hex(s->p[3]) || !is_hex(s->p[4]) || !is_hex(s->p[5]))
                    return fail(s, "bad \\u escape");
                s->p += 6;
                continue;
            }
            if (!strchr("\"\\/bfnrt", e) || e == '\0') return fail(s, "bad escape in a string");
            s->p += 2;
            continue;
        }
        s->p++;
    }
    return fail(s, "unterminated string");
}

static int digits(scanner *s) {
    const char *start = s->p;
    while (s->p < s->end && *s->p >= '0' && *s->p <= '9') s->p++;
    return s->p > start ? 0 : fail(s, "bad number");
}

static int skip_number(scanner *s) {
    if (s->p < s->end && *s->p == '-') s->p++;
    if (s->p < s->end && *s->p == '0')
        s->p++;
    else if (digits(s) != 0)
        return -1;
    if (s->p < s->end && *s->p == '.') {
        s->p++;
        if (digits(s) != 0) return -1;
    }
    if (s->p < s->end && (*s->p == 'e' || *s->p == 'E')) {
        s->p++;
        if (s->p < s->end && (*s->p == '+' || *s->p == '-')) s->p++;
        if (digits(s) != 0) return -1;
    }
    return 0;
}

static int skip_literal(scanner *s, const char *word) {
    size_t n = strlen(word);
    if ((size_t)(s->end - s->p) < n || memcmp(s->p, word, n) != 0) return fail(s, "unexpected character");
    s->p += n;
    return 0;
}

static int skip_value(scanner *s, int depth);

/* At '{' or '[': past the matching close. */
static int skip_container(scanner *s, int depth) {
    if (depth > MAX_DEPTH) return fail(s, "nested too deeply");
    char close = *s->p == '{' ? '}' : ']';
    int object = close == '}';
    s->p++;
    skip_ws(s);
    if (s->p < s->end && *s->p == close) {
        s->p++;
        return 0;
    }
    for (;;) {
        skip_ws(s);
        if (object) {
            if (s->p >= s->end || *s->p != '"') return fail(s, "expected a member name");
            if (skip_string(s) != 0) return -1;
            skip_ws(s);
            if (s->p >= s->end || *s->p != ':') return fail(s, "expected ':'");
            s->p++;
        }
        if (skip_value(s, depth + 1) != 0) return -1;
        skip_ws(s);
        if (s->p < s->end && *s->p == ',') {
            s->p++;
            continue;
        }
        if (s->p < s->end && *s->p == close) {
            s->p++;
            return 0;
        }
        return fail(s, object ? "expected ',' or '}'" : "expected ',' or ']'");
    }
}

static int skip_value(scanner *s, int depth) {
    skip_ws(s);
    if (s->p >= s->end) return fail(s, "unexpected end");
    switch (*s->p) {
    case '"': return skip_string(s);
    case '{':
    case '[': return skip_container(s, depth);
    case 't': return skip_literal(s, "true");
    case 'f': return skip_literal(s, "false");
    case 'n': return skip_literal(s, "null");
    default:
        if (*s->p == '-' || (*s->p >= '0' && *s->p <= '9')) return skip_number(s);
        return fail(s, "unexpected character");
    }
}

/* A whole JSON text: one value and nothing but whitespace after it. */
static int check_document(scanner *s) {
    if (skip_value(s, 0) != 0) return -1;
    skip_ws(s);
    return s->p == s->end ? 0 : fail(s, "text after the JSON value");
}

/* Whether the string token [start, stop) (quotes included) is exactly `key`. Keys with
 * escapes are compared as written (the gateway does not escape plain names). */
static int key_is(const char *start, const char *stop, const char *key) {
    size_t n = strlen(key);
    return (size_t)(stop - start) == n + 2 && memcmp(start + 1, key, n) == 0;
}

/* Finds top-level `key` of the object at s->p; leaves s->p at its value. 0, or -1. */
static int find_member(scanner *s, const char *key) {
    skip_ws(s);
    if (s->p >= s->end || *s->p != '{') return fail(s, "not a JSON object");
    s->p++;
    for (;;) {
        skip_ws(s);
        if (s->p >= s->end || *s->p != '"') return fail(s, "no such member");
        const char *start = s->p;
        if (skip_string(s) != 0) return -1;
        int match = key_is(start, s->p, key);
        skip_ws(s);
        if (s->p >= s->end || *s->p != ':') return fail(s, "expected ':'");
        s->p++;
        skip_ws(s);
        if (match) return 0;
        if (skip_value(s, 1) != 0) return -1;
        skip_ws(s);
        if (s->p < s->end && *s->p == ',') {
            s->p++;
            continue;
        }
        return fail(s, "no such member");
    }
}

static void describe(const scanner *s, char *err, size_t err_size) {
    if (err && err_size) snprintf(err, err_size, "%s at byte %ld", s->error ? s->error : "bad JSON", (long)(s->p - s->begin));
}

int wl_json_scan_events(const char *json, size_t len, int (*fn)(void *ctx, const char *start, size_t len), void *ctx,
                        char *err, size_t err_size) {
    scanner s = {json, json, json + len, NULL};
    if (check_document(&s) != 0) {
        describe(&s, err, err_size);
        return -1;
    }
    s.p = json;
    if (find_member(&s, "events") != 0) {
        if (err && err_size) snprintf(err, err_size, "the answer has no \"events\" member");
        return -1;
    }
    if (s.p >= s.end || *s.p != '[') {
        if (err && err_size) snprintf(err, err_size, "\"events\" is not an array");
        return -1;
    }
    s.p++;
    skip_ws(&s);
    if (s.p < s.end && *s.p == ']') return 0;
    for (;;) {
        skip_ws(&s);
        const char *start = s.p;
        skip_value(&s, 1); /* the document was checked: this succeeds */
        if (fn(ctx, start, (size_t)(s.p - start)) != 0) return 0;
        skip_ws(&s);
        if (s.p < s.end && *s.p == ',') {
            s.p++;
            continue;
        }
        return 0;
    }
}

int wl_json_member(const char *json, size_t len, const char *key, const char **value, size_t *value_len) {
    scanner s = {json, json, json + len, NULL};
    if (find_member(&s, key) != 0) return -1;
    const char *start = s.p;
    if (skip_value(&s, 1) != 0) return -1;
    *value = start;
    *value_len = (size_t)(s.p - start);
    return 0;
}

int wl_json_object_int64(const char *json, size_t len, const char *key, int64_t *value) {
    scanner s = {json, json, json + len, NULL};
    if (find_member(&s, key) != 0) return -1;
    const char *start = s.p, *stop;
    if (s.p < s.end && *s.p == '"') { /* proto3 JSON writes int64 as a string */
        if (skip_string(&s) != 0) return -1;
        start++;
        stop = s.p - 1;
    } else {
        if (skip_number(&s) != 0) return -1;
        stop = s.p;
    }
    char text[64];
    size_t n = (size_t)(stop - start);
    if (n == 0 || n >= sizeof text) return -1;
    memcpy(text, start, n);
    text[n] = '\0';
    char *end;
    errno = 0;
    long long v = strtoll(text, &end, 10);
    if (*end == '\0' && errno == 0) {
        *value = (int64_t)v;
        return 0;
    }
    /* 1.7e12 and the like, if whole and in range. */
    double d = strtod(text, &end);
    if (*end != '\0' || d != floor(d) || d < -9.2e18 || d > 9.2e18) return -1;
    *value = (int64_t)d;
    return 0;
}

char *wl_json_compact(const char *json, size_t len, size_t *out_len) {
    char *out = malloc(len + 1);
    if (!out) return NULL;
    size_t n = 0;
    int in_string = 0;
    for (size_t i = 0; i < len; i++) {
        char c = json[i];
        if (in_string) {
            out[n++] = c;
            if (c == '\\' && i + 1 < len)
                out[n++] = json[++i];
            else if (c == '"')
                in_string = 0;
            continue;
        }
        if (c == ' ' || c == '\t' || c == '\n' || c == '\r') continue;
        if (c == '"') in_string = 1;
        out[n++] = c;
    }
    out[n] = '\0';
    if (out_len) *out_len = n;
    return out;
}
