// Errors of the fwimage layer.
//
// Every check that can fail names what failed in a human sentence ("segment 1
// of image 0: hash mismatch") and carries the GlobalPlatform TEE_Result code
// that the remoteproc TA returns for that failure, so the TA can hand the code
// to its client unchanged and log the sentence.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <variant>

namespace captee::fwimage {

// GP TEE_Result values used by OP-TEE's remoteproc TA.
enum class TeeResult : uint32_t {
  kSuccess = 0x00000000,
  kGeneric = 0xFFFF0000,
  kAccessDenied = 0xFFFF0001,
  kBadFormat = 0xFFFF0005,
  kBadParameters = 0xFFFF0006,
  kBadState = 0xFFFF0007,
  kNotImplemented = 0xFFFF0009,
  kNotSupported = 0xFFFF000A,
  kNoData = 0xFFFF000B,
  kOutOfMemory = 0xFFFF000C,
  kSecurity = 0xFFFF000F,
  kSignatureInvalid = 0xFFFF3072,
};

// Symbolic name, e.g. "TEE_ERROR_SECURITY". Never null.
const char *tee_result_name(TeeResult code);

// One failure: the GP code and a sentence naming the thing that failed.
struct FwError {
  TeeResult code = TeeResult::kGeneric;
  std::string message;
};

// Either a value or an FwError. Small stand-in for C++23 std::expected.
// Accessing value() on an error (or error() on a value) is a programming error
// and throws std::bad_variant_access.
template <typename T>
class Result {
 public:
  Result(T value) : v_(std::move(value)) {}
  Result(FwError error) : v_(std::move(error)) {}

  bool ok() const { return v_.index() == 0; }
  explicit operator bool() const { return ok(); }
  const T &value() const & { return std::get<0>(v_); }
  T &value() & { return std::get<0>(v_); }
  T &&value() && { return std::get<0>(std::move(v_)); }
  const T *operator->() const { return &std::get<0>(v_); }
  T *operator->() { return &std::get<0>(v_); }
  const FwError &error() const { return std::get<1>(v_); }

 private:
  std::variant<T, FwError> v_;
};

// Success or an FwError.
class Status {
 public:
  Status() = default;
  Status(FwError error) : error_(std::move(error)) {}
  static Status success() { return {}; }

  bool ok() const { return !error_.has_value(); }
  explicit operator bool() const { return ok(); }
  const FwError &error() const { return *error_; }
  TeeResult code() const { return error_ ? error_->code : TeeResult::kSuccess; }

 private:
  std::optional<FwError> error_;
};

}  // namespace captee::fwimage
