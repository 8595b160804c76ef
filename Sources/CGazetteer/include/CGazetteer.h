#ifndef SEVA_CGAZETTEER_H
#define SEVA_CGAZETTEER_H
#include <stddef.h>

/// data/gazetteer/places.tsv, compiled into the binary: India's states, districts and PIN codes.
const unsigned char *seva_places_table(void);
size_t seva_places_table_size(void);

#endif
