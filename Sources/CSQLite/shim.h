#ifndef IPPGATE_CSQLITE_SHIM_H
#define IPPGATE_CSQLITE_SHIM_H
#include <sqlite3.h>
#endif
