/* The gap detector: per (publisher, topic) baselines, gaps, restarts. */
#include <stdio.h>
#include <string.h>

#include "check.h"
#include "waterline_client.h"

void test_gap_detector(void) {
    wl_gap_detector *d = wl_gap_detector_new();
    CHECK(d != NULL);
    uint64_t prev = 99;
    const char *t = "insight.north.burst";
    CHECK_INT(wl_gap_detector_observe(d, "a", t, 5, &prev), WL_SEQ_FIRST); /* a late subscriber: baseline */
    CHECK_INT(prev, 0);
    CHECK_INT(wl_gap_detector_observe(d, "a", t, 6, &prev), WL_SEQ_NEXT);
    CHECK_INT(prev, 5);
    CHECK_INT(wl_gap_detector_observe(d, "a", t, 9, &prev), WL_SEQ_GAP); /* 7 and 8 missed */
    CHECK_INT(prev, 6);
    CHECK_INT(wl_gap_detector_observe(d, "a", t, 10, &prev), WL_SEQ_NEXT);
    CHECK_INT(wl_gap_detector_observe(d, "a", t, 1, &prev), WL_SEQ_RESTART); /* went back: restarted */
    CHECK_INT(prev, 10);
    CHECK_INT(wl_gap_detector_observe(d, "a", t, 2, &prev), WL_SEQ_NEXT);
    CHECK_INT(wl_gap_detector_observe(d, "a", t, 2, &prev), WL_SEQ_REPEAT);
    CHECK_INT(wl_gap_detector_observe(d, "a", t, 4, &prev), WL_SEQ_GAP);
    CHECK_INT(prev, 2);
    /* Another publisher on the same topic, and the same publisher on another topic, count apart. */
    CHECK_INT(wl_gap_detector_observe(d, "b", t, 100, &prev), WL_SEQ_FIRST);
    CHECK_INT(wl_gap_detector_observe(d, "a", "insight.north.leak", 1, &prev), WL_SEQ_FIRST);
    CHECK_INT(wl_gap_detector_observe(d, "b", t, 101, &prev), WL_SEQ_NEXT);
    CHECK_INT(wl_gap_detector_observe(d, "a", t, 5, &prev), WL_SEQ_NEXT);
    CHECK_INT(wl_gap_detector_size(d), 3);
    /* The key is not ambiguous: ("a.b", "c") and ("a", "b.c") are different pairs. */
    CHECK_INT(wl_gap_detector_observe(d, "x.y", "z", 1, NULL), WL_SEQ_FIRST);
    CHECK_INT(wl_gap_detector_observe(d, "x", "y.z", 3, NULL), WL_SEQ_FIRST);
    /* Many pairs (the table grows) and long names. */
    char pub[400];
    memset(pub, 'p', sizeof pub - 1);
    pub[sizeof pub - 1] = '\0';
    CHECK_INT(wl_gap_detector_observe(d, pub, t, 1, NULL), WL_SEQ_FIRST);
    CHECK_INT(wl_gap_detector_observe(d, pub, t, 3, &prev), WL_SEQ_GAP);
    CHECK_INT(prev, 1);
    int ok = 1;
    for (int i = 0; i < 5000; i++) {
        char p[32];
        snprintf(p, sizeof p, "pub-%d", i);
        ok &= wl_gap_detector_observe(d, p, t, (uint64_t)i, NULL) == WL_SEQ_FIRST;
    }
    for (int i = 0; i < 5000; i++) {
        char p[32];
        snprintf(p, sizeof p, "pub-%d", i);
        ok &= wl_gap_detector_observe(d, p, t, (uint64_t)i + 1, &prev) == WL_SEQ_NEXT && prev == (uint64_t)i;
    }
    CHECK(ok);
    CHECK_INT(wl_gap_detector_size(d), 5 + 1 + 5000);
    CHECK_INT(wl_gap_detector_observe(NULL, "a", t, 1, NULL), WL_SEQ_FIRST);
    wl_gap_detector_free(d);

    /* Heartbeats: the publisher's latest sequence, to notice a loss at the end of a burst. */
    d = wl_gap_detector_new();
    CHECK_INT(wl_gap_detector_heartbeat(d, "a", t, 7, &prev), WL_SEQ_FIRST); /* baseline */
    CHECK_INT(wl_gap_detector_observe(d, "a", t, 8, &prev), WL_SEQ_NEXT);
    CHECK_INT(wl_gap_detector_heartbeat(d, "a", t, 8, &prev), WL_SEQ_REPEAT); /* up to date */
    CHECK_INT(wl_gap_detector_heartbeat(d, "a", t, 11, &prev), WL_SEQ_GAP);  /* 9, 10, 11 missed */
    CHECK_INT(prev, 8);
    CHECK_INT(wl_gap_detector_observe(d, "a", t, 12, &prev), WL_SEQ_NEXT);   /* and none again */
    CHECK_INT(wl_gap_detector_heartbeat(d, "a", t, 3, &prev), WL_SEQ_REPEAT); /* an overtaking heartbeat */
    CHECK_INT(wl_gap_detector_observe(d, "a", t, 13, &prev), WL_SEQ_NEXT);     /* the mark stayed at 12 */
    CHECK_INT(wl_gap_detector_observe(d, "a", t, 1, &prev), WL_SEQ_RESTART);
    wl_gap_detector_free(d);
}
