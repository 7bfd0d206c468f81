/* EventUpdates with every field set, shared by the unit tests and the test publisher. */
#ifndef WATERLINE_TEST_FIXTURE_H
#define WATERLINE_TEST_FIXTURE_H

#include <stdint.h>

#include "waterline/v1/event.pb-c.h"

/* Every field of the EventUpdate and its Event set (repeated fields with 2 elements,
 * strings with quotes, backslashes, control characters and non-ASCII). All of it is
 * malloc'd: free with waterline__v1__event_update__free_unpacked(u, NULL). NULL when
 * memory runs out. */
Waterline__V1__EventUpdate *fixture_full_update(uint64_t sequence, const char *publisher_id, const char *zone,
                                                Waterline__V1__EventType type, int64_t updated_ms);

#endif
