#ifndef IPPGATE_CCUPS_SHIM_H
#define IPPGATE_CCUPS_SHIM_H
#include <cups/cups.h>
#include <cups/ipp.h>
#include <cups/http.h>
#endif
