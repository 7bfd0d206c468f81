/* Runs every unit test; the argument, if any, is where conformance pairs are written. */
#include <stdio.h>

#include "check.h"

int check_failures = 0;
int check_count = 0;
const char *conformance_dir = NULL;

int main(int argc, char **argv) {
    if (argc > 1) conformance_dir = argv[1];
    struct {
        const char *name;
        void (*run)(void);
    } suites[] = {
        {"json writer", test_json_writer}, {"gap detector", test_gap_detector}, {"topics", test_topic},
        {"json scan", test_json_scan},     {"endpoints", test_endpoint},        {"token", test_token},
        {"subscriber", test_subscriber},
    };
    for (size_t i = 0; i < sizeof suites / sizeof suites[0]; i++) {
        int before = check_failures, checks = check_count;
        suites[i].run();
        printf("%-14s %4d checks, %d failed\n", suites[i].name, check_count - checks, check_failures - before);
    }
    printf("unit tests: %d checks, %s\n", check_count, check_failures ? "FAILED" : "all passed");
    return check_failures ? 1 : 0;
}
