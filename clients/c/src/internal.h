/* Declarations shared between the library's files (not installed). */
#ifndef WATERLINE_CLIENT_INTERNAL_H
#define WATERLINE_CLIENT_INTERNAL_H

#include <stddef.h>
#include <stdint.h>

/* ---- endpoint.c */

/* What an endpoint string is: a tcp endpoint whose host must be resolved (host and
 * port returned, malloc'd), one to connect as given (ipc://, IPv4 or IPv6 literal,
 * tcp with a source address, ...), or invalid (err says why). */
enum { WL_ENDPOINT_INVALID = -1, WL_ENDPOINT_AS_GIVEN = 0, WL_ENDPOINT_RESOLVE = 1 };
int wl_endpoint_parse(const char *endpoint, char **host, char **port, char *err, size_t err_size);

/* The IPv4 addresses of host as "tcp://a.b.c.d:port", sorted and without repeats
 * (malloc'd array of malloc'd strings). 0, or -1 with err set (nothing allocated). */
int wl_resolve_ipv4(const char *host, const char *port, char ***addrs, size_t *n, char *err, size_t err_size);
void wl_free_strings(char **strings, size_t n);
/* The resolver the subscriber uses: wl_resolve_ipv4 (tests put their own). */
extern int (*wl_resolver)(const char *host, const char *port, char ***addrs, size_t *n, char *err, size_t err_size);

/* ---- json_scan.c: reading the gateway's {"events": [...]} */

/* Calls fn(ctx, start, len) for each element of the array under the top-level key
 * "events" of a JSON object (start/len: the element's raw text). 0 on success, -1 if
 * the text is not a JSON object with an "events" array (err says where). fn returns
 * non-zero to stop early (then 0 is returned). */
int wl_json_scan_events(const char *json, size_t len, int (*fn)(void *ctx, const char *start, size_t len), void *ctx,
                        char *err, size_t err_size);
/* The raw text of the value of top-level key `key` of the JSON object in
 * [json, json+len). 0, or -1 if absent. */
int wl_json_member(const char *json, size_t len, const char *key, const char **value, size_t *value_len);
/* The value of top-level key `key` of the JSON object in [json, json+len) as an int64:
 * a number without fraction or exponent, or a string holding one. 0 on success, -1 if
 * absent or not such a value. */
int wl_json_object_int64(const char *json, size_t len, const char *key, int64_t *value);
/* A copy of a JSON text without the whitespace outside strings (one line), malloc'd
 * and NUL-terminated; NULL when memory runs out. */
char *wl_json_compact(const char *json, size_t len, size_t *out_len);

/* ---- clock */
int64_t wl_monotonic_ms(void);

#endif
