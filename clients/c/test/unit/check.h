/* A minimal test harness: CHECK* record a failure and go on. */
#ifndef WATERLINE_TEST_CHECK_H
#define WATERLINE_TEST_CHECK_H

#include <stdio.h>
#include <string.h>

extern int check_failures;
extern int check_count;
/* Where conformance pairs (<n>.<message name>.bin / .json) are written; NULL: not. */
extern const char *conformance_dir;

#define CHECK(cond)                                                               \
    do {                                                                          \
        check_count++;                                                            \
        if (!(cond)) {                                                            \
            check_failures++;                                                     \
            fprintf(stderr, "%s:%d: CHECK failed: %s\n", __FILE__, __LINE__, #cond); \
        }                                                                         \
    } while (0)

#define CHECK_STR(actual, expected)                                                                    \
    do {                                                                                               \
        const char *a_ = (actual), *e_ = (expected);                                                   \
        check_count++;                                                                                 \
        if (!a_ || strcmp(a_, e_) != 0) {                                                              \
            check_failures++;                                                                          \
            fprintf(stderr, "%s:%d: CHECK_STR failed: %s\n  got:      %s\n  expected: %s\n", __FILE__, \
                    __LINE__, #actual, a_ ? a_ : "(null)", e_);                                        \
        }                                                                                              \
    } while (0)

#define CHECK_INT(actual, expected)                                                                       \
    do {                                                                                                  \
        long long a_ = (long long)(actual), e_ = (long long)(expected);                                   \
        check_count++;                                                                                    \
        if (a_ != e_) {                                                                                   \
            check_failures++;                                                                             \
            fprintf(stderr, "%s:%d: CHECK_INT failed: %s is %lld, expected %lld\n", __FILE__, __LINE__, #actual, \
                    a_, e_);                                                                              \
        }                                                                                                 \
    } while (0)

void test_json_writer(void);
void test_gap_detector(void);
void test_topic(void);
void test_json_scan(void);
void test_endpoint(void);
void test_subscriber(void);
void test_token(void);

#endif
