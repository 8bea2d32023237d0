/* OP-TEE's internal API extensions header. captee implements none of the
 * extensions yet; the header exists so OP-TEE TA sources that include it
 * build unchanged. */
#ifndef TEE_INTERNAL_API_EXTENSIONS_H
#define TEE_INTERNAL_API_EXTENSIONS_H

#include "tee_internal_api.h"

#endif /* TEE_INTERNAL_API_EXTENSIONS_H */
