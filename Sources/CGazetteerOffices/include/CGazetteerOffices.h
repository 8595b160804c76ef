#ifndef SEVA_CGAZETTEER_OFFICES_H
#define SEVA_CGAZETTEER_OFFICES_H
#include <stddef.h>

/// data/gazetteer/offices.tsv, compiled into sevasim: every post office's place, by district.
const unsigned char *seva_offices_table(void);
size_t seva_offices_table_size(void);

#endif
