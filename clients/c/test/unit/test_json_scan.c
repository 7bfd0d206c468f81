/* Reading the gateway's {"events": [...]}. */
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "internal.h"

typedef struct seen {
    int n;
    char items[8][256];
} seen;

static int collect(void *ctx, const char *start, size_t len) {
    seen *s = ctx;
    if (s->n < 8 && len < 256) {
        memcpy(s->items[s->n], start, len);
        s->items[s->n][len] = '\0';
    }
    s->n++;
    return 0;
}

static int stop_after_one(void *ctx, const char *start, size_t len) {
    collect(ctx, start, len);
    return 1;
}

static int scan(const char *json, seen *s) {
    memset(s, 0, sizeof *s);
    char err[128];
    return wl_json_scan_events(json, strlen(json), collect, s, err, sizeof err);
}

void test_json_scan(void) {
    seen s;
    const char *doc = "{\"count\": {\"events\": [9]}, \"events\" : [\n"
                      "  {\"event_id\": \"e1\", \"summary\": \"a ] } \\\" [ {\", \"updated_ms\": 1718000000001},\n"
                      "  {\"event_id\": \"e2\", \"evidence\": [{\"x\": [1, 2.5e-3, -0]}], \"updated_ms\": \"42\"},\n"
                      "  {\"event_id\": \"e3\", \"nested\": {\"updated_ms\": 7}}\n"
                      "], \"next\": null}";
    CHECK_INT(scan(doc, &s), 0);
    CHECK_INT(s.n, 3);
    CHECK_STR(s.items[0], "{\"event_id\": \"e1\", \"summary\": \"a ] } \\\" [ {\", \"updated_ms\": 1718000000001}");
    int64_t v = 0;
    CHECK_INT(wl_json_object_int64(s.items[0], strlen(s.items[0]), "updated_ms", &v), 0);
    CHECK_INT(v, 1718000000001LL);
    CHECK_INT(wl_json_object_int64(s.items[1], strlen(s.items[1]), "updated_ms", &v), 0);
    CHECK_INT(v, 42);
    CHECK_INT(wl_json_object_int64(s.items[2], strlen(s.items[2]), "updated_ms", &v), -1); /* only top level */
    CHECK_INT(wl_json_object_int64("{\"updated_ms\": 1.7e12}", 22, "updated_ms", &v), 0);
    CHECK_INT(v, 1700000000000LL);
    CHECK_INT(wl_json_object_int64("{\"updated_ms\": 1.5}", 19, "updated_ms", &v), -1);
    CHECK_INT(wl_json_object_int64("{\"updated_ms\": \"x\"}", 19, "updated_ms", &v), -1);
    CHECK_INT(wl_json_object_int64("{\"updated_ms\": -9223372036854775808}", 36, "updated_ms", &v), 0);
    CHECK_INT(v, INT64_MIN);

    CHECK_INT(scan("{\"events\":[]}", &s), 0);
    CHECK_INT(s.n, 0);
    CHECK_INT(scan("  {\"events\" : [ ] }  ", &s), 0);
    CHECK_INT(s.n, 0);
    CHECK_INT(scan("{\"events\":[1,\"two\",[3],{\"4\":4},true,null]}", &s), 0);
    CHECK_INT(s.n, 6);
    CHECK_STR(s.items[3], "{\"4\":4}");
    /* Not what the gateway answers. */
    CHECK_INT(scan("{\"error\":{\"message\":\"no\"}}", &s), -1);
    CHECK_INT(scan("{\"events\":{}}", &s), -1);
    CHECK_INT(scan("[]", &s), -1);
    CHECK_INT(scan("{\"events\":[1,]}", &s), -1);
    CHECK_INT(scan("{\"events\":[1]", &s), -1);
    CHECK_INT(scan("{\"events\":[1]} x", &s), -1);
    CHECK_INT(scan("{\"events\":[\"a\nb\"]}", &s), -1); /* raw newline in a string */
    CHECK_INT(scan("{\"events\":[01]}", &s), -1);
    CHECK_INT(scan("{\"events\":[\"\\x\"]}", &s), -1);
    CHECK_INT(scan("", &s), -1);
    CHECK_INT(s.n, 0); /* nothing was passed on for a bad document */
    /* Stopping early. */
    memset(&s, 0, sizeof s);
    CHECK_INT(wl_json_scan_events("{\"events\":[1,2,3]}", 18, stop_after_one, &s, NULL, 0), 0);
    CHECK_INT(s.n, 1);

    const char *member;
    size_t ml;
    const char *err = "{\"error\": {\"status\": 401, \"message\": \"token expired\"}}";
    CHECK_INT(wl_json_member(err, strlen(err), "error", &member, &ml), 0);
    CHECK_INT(wl_json_member(member, ml, "message", &member, &ml), 0);
    CHECK(ml == 15 && strncmp(member, "\"token expired\"", ml) == 0);

    size_t n;
    const char *pretty = "{ \"a\" : [ 1 ,\n 2 ],\t\"b\":\" keep  this \\\" \" }";
    char *c = wl_json_compact(pretty, strlen(pretty), &n);
    CHECK_STR(c, "{\"a\":[1,2],\"b\":\" keep  this \\\" \"}");
    CHECK_INT(n, strlen(c));
    free(c);
}
