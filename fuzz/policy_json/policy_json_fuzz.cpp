// Fuzzes capteed's policy parser. The policy file is the administrator's,
// not a client's, but a typo must still give one sentence, never a crash;
// and whatever parses must answer allows() for any identity.
#include <cstdint>
#include <string>

#include "captee/tee/policy.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  std::string why;
  std::vector<std::string> warnings;
  auto p = captee::tee::Policy::parse(std::string(reinterpret_cast<const char *>(data), size), &why,
                                      &warnings);
  if (!p) {
    if (why.empty()) {
      __builtin_trap();  // every refusal names its reason
    }
    return 0;
  }
  captee::tee::ClientIdentity who;
  who.uid = 1000;
  who.gid = 1000;
  who.groups = {4, 27};
  who.exe_path = "/usr/bin/a";
  who.exe_sha256 = std::string(64, 'a');
  who.process_verified = true;
  for (const auto &rule : p->rules()) {
    (void)p->allows(rule.uid.value_or(0x10001), rule.name, who);
  }
  (void)p->allows(0x999, "unlisted", who);
  return 0;
}
