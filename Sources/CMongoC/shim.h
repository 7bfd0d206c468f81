#ifndef WATERLINE_CMONGOC_SHIM_H
#define WATERLINE_CMONGOC_SHIM_H
#include <mongoc/mongoc.h>

// bson_t and bson_iter_t are declared with alignment attributes, so Swift imports
// them as opaque pointers. These helpers give them heap storage Swift can own.

/// Storage for an out-parameter `bson_t` (replies); release with wl_bson_release.
static inline bson_t *wl_bson_alloc(void) { return (bson_t *) bson_malloc0(sizeof(bson_t)); }

/// Destroys a reply filled by libmongoc and frees its storage.
static inline void wl_bson_release(bson_t *b) {
    bson_destroy(b);
    bson_free(b);
}

static inline bson_iter_t *wl_iter_alloc(void) { return (bson_iter_t *) bson_malloc0(sizeof(bson_iter_t)); }
static inline void wl_iter_free(bson_iter_t *it) { bson_free(it); }

#endif
