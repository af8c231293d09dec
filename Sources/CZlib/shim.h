#ifndef IPPGATE_CZLIB_SHIM_H
#define IPPGATE_CZLIB_SHIM_H
#include <zlib.h>

/* inflateInit2 is a macro Swift cannot call; this is the same call as a function. */
static inline int ippgate_inflate_init(z_stream *strm, int window_bits) {
    return inflateInit2(strm, window_bits);
}
#endif
