/* The last sequence per (publisher_id, topic), and what the next one means. */
#include <stdlib.h>
#include <string.h>

#include "waterline_client.h"

typedef struct entry {
    char *key; /* publisher_id \x1f topic; NULL: free slot */
    uint64_t last;
} entry;

struct wl_gap_detector {
    entry *slots;
    size_t cap; /* a power of two */
    size_t used;
};

wl_gap_detector *wl_gap_detector_new(void) {
    wl_gap_detector *d = calloc(1, sizeof *d);
    if (!d) return NULL;
    d->cap = 64;
    d->slots = calloc(d->cap, sizeof *d->slots);
    if (!d->slots) {
        free(d);
        return NULL;
    }
    return d;
}

void wl_gap_detector_free(wl_gap_detector *d) {
    if (!d) return;
    for (size_t i = 0; i < d->cap; i++) free(d->slots[i].key);
    free(d->slots);
    free(d);
}

size_t wl_gap_detector_size(const wl_gap_detector *d) { return d ? d->used : 0; }

static uint64_t fnv1a(const char *s, size_t n) {
    uint64_t h = 1469598103934665603ULL;
    for (size_t i = 0; i < n; i++) {
        h ^= (unsigned char)s[i];
        h *= 1099511628211ULL;
    }
    return h;
}

/* The slot holding key, or the free slot where it belongs. */
static entry *find(entry *slots, size_t cap, const char *key, size_t len) {
    size_t i = (size_t)fnv1a(key, len) & (cap - 1);
    while (slots[i].key && strcmp(slots[i].key, key) != 0) i = (i + 1) & (cap - 1);
    return &slots[i];
}

static int grow(wl_gap_detector *d) {
    size_t cap = d->cap * 2;
    entry *slots = calloc(cap, sizeof *slots);
    if (!slots) return -1;
    for (size_t i = 0; i < d->cap; i++)
        if (d->slots[i].key) *find(slots, cap, d->slots[i].key, strlen(d->slots[i].key)) = d->slots[i];
    free(d->slots);
    d->slots = slots;
    d->cap = cap;
    return 0;
}

static wl_seq_result record(wl_gap_detector *d, const char *publisher_id, const char *topic, uint64_t sequence,
                            uint64_t *previous, int heartbeat);

wl_seq_result wl_gap_detector_observe(wl_gap_detector *d, const char *publisher_id, const char *topic,
                                      uint64_t sequence, uint64_t *previous) {
    return record(d, publisher_id, topic, sequence, previous, 0);
}

wl_seq_result wl_gap_detector_heartbeat(wl_gap_detector *d, const char *publisher_id, const char *topic,
                                        uint64_t latest, uint64_t *previous) {
    return record(d, publisher_id, topic, latest, previous, 1);
}

/* An update with `sequence` follows the last one; a heartbeat with it repeats it. */
static wl_seq_result record(wl_gap_detector *d, const char *publisher_id, const char *topic, uint64_t sequence,
                            uint64_t *previous, int heartbeat) {
    if (previous) *previous = 0;
    if (!d) return WL_SEQ_FIRST;
    if (!publisher_id) publisher_id = "";
    if (!topic) topic = "";
    size_t pl = strlen(publisher_id), tl = strlen(topic);
    char stack[256];
    char *key = pl + tl + 2 <= sizeof stack ? stack : malloc(pl + tl + 2);
    if (!key) return WL_SEQ_FIRST;
    memcpy(key, publisher_id, pl);
    key[pl] = '\x1f';
    memcpy(key + pl + 1, topic, tl + 1);
    size_t len = pl + tl + 1;

    wl_seq_result result = WL_SEQ_FIRST;
    entry *e = find(d->slots, d->cap, key, len);
    if (e->key) {
        uint64_t last = e->last;
        if (previous) *previous = last;
        uint64_t expected = heartbeat ? last : last + 1;
        if (heartbeat && sequence < last) {
            /* A heartbeat may overtake the update it follows: it never lowers the mark. */
            if (previous) *previous = last;
            if (key && key != stack) free(key);
            return WL_SEQ_REPEAT;
        }
        if (sequence == expected)
            result = heartbeat ? WL_SEQ_REPEAT : WL_SEQ_NEXT;
        else if (sequence > expected)
            result = WL_SEQ_GAP;
        else if (sequence < last)
            result = WL_SEQ_RESTART;
        else
            result = WL_SEQ_REPEAT;
        e->last = sequence;
    } else if ((d->used + 1) * 2 <= d->cap || grow(d) == 0) {
        e = find(d->slots, d->cap, key, len);
        e->key = key == stack ? strdup(key) : key;
        if (e->key) {
            e->last = sequence;
            d->used++;
            key = NULL; /* owned by the table now */
        }
    }
    if (key && key != stack && key != e->key) free(key);
    return result;
}
