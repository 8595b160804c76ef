// The gazetteer table, embedded at build time (C23 #embed) so sevad never reads it from disk
// and never fetches it: data/gazetteer/make-gazetteer.py regenerates the file.
#include "CGazetteer.h"

#pragma clang diagnostic ignored "-Wc23-extensions"
static const unsigned char table[] = {
#embed "../../data/gazetteer/places.tsv"
};

const unsigned char *seva_places_table(void) { return table; }
size_t seva_places_table_size(void) { return sizeof table; }
