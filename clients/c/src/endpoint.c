/* Endpoints: which need resolving, and the IPv4 addresses of a host name. */
#include <arpa/inet.h>
#include <netdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>

#include "internal.h"

int64_t wl_monotonic_ms(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

void wl_free_strings(char **strings, size_t n) {
    if (!strings) return;
    for (size_t i = 0; i < n; i++) free(strings[i]);
    free(strings);
}

static char *dup_range(const char *s, size_t n) {
    char *d = malloc(n + 1);
    if (!d) return NULL;
    memcpy(d, s, n);
    d[n] = '\0';
    return d;
}

int wl_endpoint_parse(const char *endpoint, char **host, char **port, char *err, size_t err_size) {
    *host = *port = NULL;
    const char *sep = endpoint ? strstr(endpoint, "://") : NULL;
    if (!sep || sep == endpoint || sep[3] == '\0') {
        snprintf(err, err_size, "endpoint '%s' is not like tcp://host:port", endpoint ? endpoint : "(null)");
        return WL_ENDPOINT_INVALID;
    }
    if (strncmp(endpoint, "tcp://", 6) != 0) return WL_ENDPOINT_AS_GIVEN; /* ipc://, inproc://, ... */
    const char *rest = endpoint + 6;
    if (strchr(rest, ';') || rest[0] == '[') return WL_ENDPOINT_AS_GIVEN; /* source address, IPv6 literal */
    const char *colon = strrchr(rest, ':');
    if (!colon || colon == rest) {
        snprintf(err, err_size, "endpoint '%s' has no host:port", endpoint);
        return WL_ENDPOINT_INVALID;
    }
    const char *p = colon + 1;
    char *end = NULL;
    long n = strtol(p, &end, 10);
    if (*p == '\0' || *end != '\0' || n < 1 || n > 65535) {
        snprintf(err, err_size, "endpoint '%s' has no valid port (1-65535)", endpoint);
        return WL_ENDPOINT_INVALID;
    }
    size_t hl = (size_t)(colon - rest);
    if (hl == 1 && rest[0] == '*') {
        snprintf(err, err_size, "endpoint '%s': '*' is for binding, give the publisher's host", endpoint);
        return WL_ENDPOINT_INVALID;
    }
    char *h = dup_range(rest, hl);
    if (!h) {
        snprintf(err, err_size, "out of memory");
        return WL_ENDPOINT_INVALID;
    }
    struct in_addr a;
    if (inet_pton(AF_INET, h, &a) == 1) { /* already an address */
        free(h);
        return WL_ENDPOINT_AS_GIVEN;
    }
    *host = h;
    *port = dup_range(p, strlen(p));
    if (!*port) {
        free(h);
        *host = NULL;
        snprintf(err, err_size, "out of memory");
        return WL_ENDPOINT_INVALID;
    }
    return WL_ENDPOINT_RESOLVE;
}

static int compare_strings(const void *a, const void *b) { return strcmp(*(char *const *)a, *(char *const *)b); }

int wl_resolve_ipv4(const char *host, const char *port, char ***addrs, size_t *n, char *err, size_t err_size) {
    *addrs = NULL;
    *n = 0;
    struct addrinfo hints;
    memset(&hints, 0, sizeof hints);
    hints.ai_family = AF_INET;
    hints.ai_socktype = SOCK_STREAM;
    struct addrinfo *res = NULL;
    int rc = getaddrinfo(host, port, &hints, &res);
    if (rc != 0) {
        snprintf(err, err_size, "cannot resolve '%s': %s", host, gai_strerror(rc));
        return -1;
    }
    size_t count = 0;
    for (struct addrinfo *ai = res; ai; ai = ai->ai_next) count++;
    char **list = calloc(count ? count : 1, sizeof *list);
    if (!list) {
        freeaddrinfo(res);
        snprintf(err, err_size, "out of memory");
        return -1;
    }
    size_t k = 0;
    for (struct addrinfo *ai = res; ai; ai = ai->ai_next) {
        if (ai->ai_family != AF_INET) continue;
        char ip[INET_ADDRSTRLEN];
        if (!inet_ntop(AF_INET, &((struct sockaddr_in *)ai->ai_addr)->sin_addr, ip, sizeof ip)) continue;
        char text[INET_ADDRSTRLEN + 16];
        snprintf(text, sizeof text, "tcp://%s:%s", ip, port);
        list[k] = dup_range(text, strlen(text));
        if (!list[k]) {
            freeaddrinfo(res);
            wl_free_strings(list, k);
            snprintf(err, err_size, "out of memory");
            return -1;
        }
        k++;
    }
    freeaddrinfo(res);
    if (k == 0) {
        free(list);
        snprintf(err, err_size, "'%s' has no IPv4 address", host);
        return -1;
    }
    qsort(list, k, sizeof *list, compare_strings);
    size_t unique = 1;
    for (size_t i = 1; i < k; i++) {
        if (strcmp(list[i], list[unique - 1]) == 0)
            free(list[i]);
        else
            list[unique++] = list[i];
    }
    *addrs = list;
    *n = unique;
    return 0;
}

int (*wl_resolver)(const char *host, const char *port, char ***addrs, size_t *n, char *err,
                   size_t err_size) = wl_resolve_ipv4;
