// Compiled into every GP TA (an INTERFACE source of captee::gp_ta), with the
// TA's own include directories: turns the OP-TEE property convention of its
// user_ta_header_defines.h into the captee manifest (section .captee_ta),
// as OP-TEE's user_ta_header.c turns it into its TA header.
#include <array>
#include <cstdint>

#include "captee/ta_sdk.h"
#include "tee_internal_api.h"
#include "user_ta_header.h"
#include "user_ta_header_defines.h"

namespace {

constexpr TEE_UUID kUuid = TA_UUID;

constexpr char hex_digit(unsigned v) {
  return static_cast<char>(v < 10 ? '0' + v : 'a' + (v - 10));
}

constexpr captee_ta_manifest make_manifest() {
  captee_ta_manifest m{};
  m.magic = CAPTEE_TA_MANIFEST_MAGIC;
  m.version = CAPTEE_TA_MANIFEST_VERSION;
  uint8_t b[16] = {static_cast<uint8_t>(kUuid.timeLow >> 24),
                   static_cast<uint8_t>(kUuid.timeLow >> 16),
                   static_cast<uint8_t>(kUuid.timeLow >> 8),
                   static_cast<uint8_t>(kUuid.timeLow),
                   static_cast<uint8_t>(kUuid.timeMid >> 8),
                   static_cast<uint8_t>(kUuid.timeMid),
                   static_cast<uint8_t>(kUuid.timeHiAndVersion >> 8),
                   static_cast<uint8_t>(kUuid.timeHiAndVersion),
                   kUuid.clockSeqAndNode[0],
                   kUuid.clockSeqAndNode[1],
                   kUuid.clockSeqAndNode[2],
                   kUuid.clockSeqAndNode[3],
                   kUuid.clockSeqAndNode[4],
                   kUuid.clockSeqAndNode[5],
                   kUuid.clockSeqAndNode[6],
                   kUuid.clockSeqAndNode[7]};
  // The name is the canonical lower-case UUID (also the image's file name).
  unsigned pos = 0;
  for (unsigned i = 0; i < 16; ++i) {
    if (i == 4 || i == 6 || i == 8 || i == 10) {
      m.name[pos++] = '-';
    }
    m.uuid[i] = b[i];
    m.name[pos++] = hex_digit(b[i] >> 4);
    m.name[pos++] = hex_digit(b[i] & 0xF);
  }
  uint32_t flags = 0;
  constexpr uint32_t ta_flags = (TA_FLAGS);
  if (ta_flags & TA_FLAG_SINGLE_INSTANCE) {
    flags |= CAPTEE_TA_FLAG_SINGLE_INSTANCE;
  }
  if (ta_flags & TA_FLAG_MULTI_SESSION) {
    flags |= CAPTEE_TA_FLAG_MULTI_SESSION;
  }
  if (ta_flags & TA_FLAG_INSTANCE_KEEP_ALIVE) {
    flags |= CAPTEE_TA_FLAG_KEEP_ALIVE;
  }
  m.flags = flags;
  m.deadline_ms = 0;
  // TA_STACK_SIZE / TA_DATA_SIZE size OP-TEE's fixed TA heap; a captee TA
  // runs under the loader's default address-space limit instead.
  static_assert((TA_STACK_SIZE) > 0 && (TA_DATA_SIZE) > 0, "TA_STACK_SIZE / TA_DATA_SIZE");
  m.memory_limit = 0;
  return m;
}

}  // namespace

extern "C" __attribute__((used, section(CAPTEE_TA_SECTION), visibility("default")))
const captee_ta_manifest captee_ta_manifest_data = make_manifest();
