#include "captee/fwimage/status.hpp"

namespace captee::fwimage {

const char *tee_result_name(TeeResult code) {
  switch (code) {
    case TeeResult::kSuccess:
      return "TEE_SUCCESS";
    case TeeResult::kGeneric:
      return "TEE_ERROR_GENERIC";
    case TeeResult::kAccessDenied:
      return "TEE_ERROR_ACCESS_DENIED";
    case TeeResult::kBadFormat:
      return "TEE_ERROR_BAD_FORMAT";
    case TeeResult::kBadParameters:
      return "TEE_ERROR_BAD_PARAMETERS";
    case TeeResult::kBadState:
      return "TEE_ERROR_BAD_STATE";
    case TeeResult::kNotImplemented:
      return "TEE_ERROR_NOT_IMPLEMENTED";
    case TeeResult::kNotSupported:
      return "TEE_ERROR_NOT_SUPPORTED";
    case TeeResult::kNoData:
      return "TEE_ERROR_NO_DATA";
    case TeeResult::kOutOfMemory:
      return "TEE_ERROR_OUT_OF_MEMORY";
    case TeeResult::kSecurity:
      return "TEE_ERROR_SECURITY";
    case TeeResult::kSignatureInvalid:
      return "TEE_ERROR_SIGNATURE_INVALID";
  }
  return "TEE_ERROR_UNKNOWN";
}

}  // namespace captee::fwimage
