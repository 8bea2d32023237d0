// The call chain of a GP TA-to-TA call (decision 0028): the ids of the TA
// instances (apps::TaCaller::app_id) whose entry points wait, over direct
// hops, on the caller, the caller last. A direct call carries it to the
// callee's host (IGPSessionTa.invokeInChain), which answers TEE_ERROR_BUSY
// if its own id is in it; a call through capteed carries it to the wait-for
// graph (IGPSessionCapteeTa, IGPAppClientTa).
//
// On the wire a chain is 8-byte ids in host byte order (the two ends are
// processes of one machine), 1 to kMaxCallChain of them. Anything else is
// malformed: the receiver answers Object_ERROR_INVALID and runs nothing.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <span>

namespace captee::gp {

// A longer chain goes through capteed, which starts a new one.
inline constexpr size_t kMaxCallChain = 16;

class CallChain {
 public:
  // Parses a chain from the wire; false (and `out` left empty) if it is
  // malformed: empty, not a whole number of ids, or more than kMaxCallChain.
  static bool parse(std::span<const std::byte> wire, CallChain &out);

  // A chain of one id (none for 0: a TA with no id starts no chain).
  static CallChain of(uint64_t id);

  bool contains(uint64_t id) const;
  bool full() const { return size_ == kMaxCallChain; }
  bool empty() const { return size_ == 0; }
  // Appends `id`; false (unchanged) when full.
  bool append(uint64_t id);
  std::span<const uint64_t> ids() const { return {ids_.data(), size_}; }
  // The wire form: size() * 8 bytes.
  std::span<const std::byte> bytes() const { return std::as_bytes(ids()); }

 private:
  std::array<uint64_t, kMaxCallChain> ids_{};
  size_t size_ = 0;
};

}  // namespace captee::gp
