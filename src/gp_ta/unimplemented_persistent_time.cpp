// TA persistent time (GP 7), not implemented yet: issue 14's time item keeps
// it per TA in capteed's state directory and deletes this file. See
// unimplemented.hpp for what a stand-in does.
#include "tee_internal_api.h"
#include "unimplemented.hpp"

using captee::gp_ta::not_implemented;

extern "C" {

TEE_Result TEE_GetTAPersistentTime(TEE_Time *) {
  return not_implemented(__func__);
}

TEE_Result TEE_SetTAPersistentTime(const TEE_Time *) {
  return not_implemented(__func__);
}

}  // extern "C"
