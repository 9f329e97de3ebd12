#ifndef HELDOUT_CZLIB_SHIM_H
#define HELDOUT_CZLIB_SHIM_H
#include <zlib.h>

/// `inflateInit2` is a macro (it passes the library version and struct size): expose it as a function.
static inline int heldout_inflateInit2(z_streamp stream, int windowBits) {
    return inflateInit2(stream, windowBits);
}
#endif
