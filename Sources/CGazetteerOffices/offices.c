// The post-office table, embedded at build time (C23 #embed) for the simulator only:
// data/gazetteer/make-gazetteer.py regenerates the file.
#include "CGazetteerOffices.h"

#pragma clang diagnostic ignored "-Wc23-extensions"
static const unsigned char table[] = {
#embed "../../data/gazetteer/offices.tsv"
};

const unsigned char *seva_offices_table(void) { return table; }
size_t seva_offices_table_size(void) { return sizeof table; }
