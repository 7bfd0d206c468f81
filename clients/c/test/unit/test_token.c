/* Reading the gateway token from a file or WATERLINE_TOKEN. */
#include <stdio.h>
#include <stdlib.h>

#include "check.h"
#include "waterline_client.h"

void test_token(void) {
    char err[512];
    char path[] = "/tmp/wl-token-XXXXXX";
    int fd = mkstemp(path);
    CHECK(fd >= 0);
    FILE *f = fdopen(fd, "w");
    fputs("  abc.def-ghi\n\n", f);
    fclose(f);
    char *t = wl_read_token(path, err, sizeof err);
    CHECK_STR(t, "abc.def-ghi");
    free(t);
    f = fopen(path, "w");
    fputs(" \n", f);
    fclose(f);
    CHECK(wl_read_token(path, err, sizeof err) == NULL);
    CHECK(strstr(err, "empty") != NULL);
    f = fopen(path, "w");
    fputs("two words\n", f);
    fclose(f);
    CHECK(wl_read_token(path, err, sizeof err) == NULL);
    remove(path);
    CHECK(wl_read_token(path, err, sizeof err) == NULL);
    CHECK(strstr(err, "cannot read token file") != NULL);

    setenv("WATERLINE_TOKEN", " from-env ", 1);
    t = wl_read_token(NULL, err, sizeof err);
    CHECK_STR(t, "from-env");
    free(t);
    unsetenv("WATERLINE_TOKEN");
    CHECK(wl_read_token(NULL, err, sizeof err) == NULL);
    CHECK(strstr(err, "WATERLINE_TOKEN") != NULL);
}
