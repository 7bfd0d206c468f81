/* The gateway token: from a file, else from WATERLINE_TOKEN. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "waterline_client.h"

static int is_space(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }

/* A trimmed malloc'd copy of s[0..n), NULL if empty or out of memory. */
static char *trimmed(const char *s, size_t n) {
    while (n > 0 && is_space(*s)) s++, n--;
    while (n > 0 && is_space(s[n - 1])) n--;
    if (n == 0) return NULL;
    char *t = malloc(n + 1);
    if (!t) return NULL;
    memcpy(t, s, n);
    t[n] = '\0';
    return t;
}

char *wl_read_token(const char *token_file, char *err, size_t err_size) {
    if (token_file && token_file[0]) {
        FILE *f = fopen(token_file, "r");
        if (!f) {
            if (err && err_size) snprintf(err, err_size, "cannot read token file %s: %s", token_file, strerror(errno));
            return NULL;
        }
        char data[8192];
        size_t n = fread(data, 1, sizeof data, f);
        int too_long = n == sizeof data && fgetc(f) != EOF;
        int bad = ferror(f);
        fclose(f);
        char *t = (bad || too_long) ? NULL : trimmed(data, n);
        if (!t && err && err_size)
            snprintf(err, err_size, "token file %s is %s", token_file, bad ? "unreadable" : too_long ? "too long" : "empty");
        if (t && strpbrk(t, " \t\r\n")) {
            if (err && err_size) snprintf(err, err_size, "token file %s holds more than one word", token_file);
            free(t);
            return NULL;
        }
        return t;
    }
    const char *env = getenv("WATERLINE_TOKEN");
    char *t = env ? trimmed(env, strlen(env)) : NULL;
    if (!t && err && err_size) snprintf(err, err_size, "no token: give --token-file FILE or set WATERLINE_TOKEN");
    return t;
}
