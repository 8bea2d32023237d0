// The board's reserved memory and address aliases in the platform
// description: the default platform's (ST's STM32MP157 discovery boards), the
// JSON fields, and descriptions that must be refused.
#include <gtest/gtest.h>

#include "captee/platform/description.hpp"

namespace captee::platform {
namespace {

TEST(ReservedMemory, DefaultPlatformHasTheDiscoveryBoardsRegions) {
  PlatformDescription p = default_platform();
  const ProcessorDescription &m4 = p.processors[0];
  struct Want {
    const char *name;
    uint32_t address, size, da;
  };
  // stm32mp15xx-dkx.dtsi's reserved-memory for the M4, and where the M4 sees it.
  for (const Want &w : {Want{"mcuram2", 0x10000000, 0x40000, 0x10000000},
                        Want{"vdev0vring0", 0x10040000, 0x1000, 0x10040000},
                        Want{"vdev0vring1", 0x10041000, 0x1000, 0x10041000},
                        Want{"vdev0buffer", 0x10042000, 0x4000, 0x10042000},
                        Want{"mcuram", 0x10046000, 0x1a000, 0x10046000},
                        Want{"retram", 0x38000000, 0x10000, 0x00000000}}) {
    const ReservedMemoryDescription *r = find_reserved_memory(m4, w.name);
    ASSERT_NE(r, nullptr) << w.name;
    EXPECT_EQ(r->address, w.address) << w.name;
    EXPECT_EQ(r->size, w.size) << w.name;
    EXPECT_TRUE(r->no_map) << w.name;
    EXPECT_EQ(host_to_da(m4, r->address, r->size), w.da) << w.name;
  }
  EXPECT_EQ(find_reserved_memory(m4, "vdev1vring0"), nullptr);
  // Both of the host's MCU SRAM addresses reach the same memory; the M4's
  // RETRAM is the host's 0x38000000.
  EXPECT_EQ(host_to_da(m4, 0x30040000, 0x1000), 0x10040000u);
  EXPECT_EQ(da_to_host(m4, 0x00001000, 0x100), 0x38001000u);
  EXPECT_EQ(da_to_host(m4, 0x10040000, 0x1000), 0x10040000u);
  EXPECT_EQ(host_to_da(m4, 0x1005F000, 0x2000), std::nullopt) << "runs past MCU SRAM";
  EXPECT_EQ(host_to_da(m4, 0xFFFFF000, 0x2000), std::nullopt) << "wraps";
  EXPECT_EQ(da_to_host(m4, 0x20000000, 4), std::nullopt);
  EXPECT_EQ(validate(p), "");
}

#define RESERVED_PROC(extra)                                                      \
  R"({"name": "p", "processors": [{"id": 0, "name": "c", "core": "cortex-m4", )"  \
  R"("mailbox": "0x4C001000", "regions": [{"name": "sram", "da": "0x10000000", )" \
  R"("size": "64K"}])" extra "}]}"

TEST(ReservedMemory, JsonGivesRegionsAndAliases) {
  ParseResult r = parse_platform_json(RESERVED_PROC(
      R"(, "address_aliases": [{"host": "0x90000000", "da": "0x10000000", "size": "64K"}],
         "reserved_memory": [{"name": "vdev0vring0", "address": "0x90004000", "size": "4K"},
                             {"name": "vdev0buffer", "address": "0x90008000", "size": "16K",
                              "no_map": false}])"));
  ASSERT_TRUE(r.platform) << r.error;
  const ProcessorDescription &p = r.platform->processors[0];
  ASSERT_EQ(p.reserved_memory.size(), 2u);
  EXPECT_TRUE(p.reserved_memory[0].no_map) << "no-map unless the JSON says otherwise";
  EXPECT_FALSE(p.reserved_memory[1].no_map);
  EXPECT_EQ(host_to_da(p, p.reserved_memory[1].address, p.reserved_memory[1].size), 0x10008000u);
}

struct Bad {
  const char *extra;
  const char *error;
};

class ReservedMemoryErrors : public ::testing::TestWithParam<Bad> {};

TEST_P(ReservedMemoryErrors, AreRefusedWithOneSentence) {
  ParseResult r = parse_platform_json(
      std::string(R"({"name": "p", "processors": [{"id": 0, "name": "c", "core": "cortex-m4", )"
                  R"("mailbox": "0x4C001000", "regions": [{"name": "sram", "da": "0x10000000", )"
                  R"("size": "64K"}])") +
      GetParam().extra + "}]}");
  EXPECT_FALSE(r.platform);
  EXPECT_EQ(r.error, GetParam().error);
}

#define ALIAS R"(, "address_aliases": [{"host": "0x90000000", "da": "0x10000000", "size": "64K"}])"

INSTANTIATE_TEST_SUITE_P(
    Cases, ReservedMemoryErrors,
    ::testing::Values(
        Bad{R"(, "reserved_memory": [{"name": "a", "address": 0, "size": "4K"}])",
            "processor 0 reserved-memory region 'a' is not reachable from the processor through "
            "an address alias"},
        Bad{ALIAS R"(, "reserved_memory": [{"name": "a", "address": "0x9000F000", "size": "8K"}])",
            "processor 0 reserved-memory region 'a' is not reachable from the processor through "
            "an address alias"},
        Bad{ALIAS R"(, "reserved_memory": [{"name": "a", "address": "0x90000800", "size": "4K"}])",
            "processor 0 reserved-memory region 'a' must start on and span whole 4 KiB pages of "
            "the 32-bit address space"},
        Bad{ALIAS R"(, "reserved_memory": [{"name": "a", "address": "0xFFFFF000", "size": "8K"}])",
            "processor 0 reserved-memory region 'a' must start on and span whole 4 KiB pages of "
            "the 32-bit address space"},
        Bad{ALIAS R"(, "reserved_memory": [{"name": "a", "address": "0x90000000", "size": 0}])",
            "processor 0 reserved-memory region 'a' must start on and span whole 4 KiB pages of "
            "the 32-bit address space"},
        Bad{ALIAS R"(, "reserved_memory": [{"name": "a", "address": "0x90000000", "size": "4K"},
                                           {"name": "a", "address": "0x90001000", "size": "4K"}])",
            "processor 0 reserved-memory region 'a' is declared twice"},
        Bad{ALIAS R"(, "reserved_memory": [{"name": "0123456789012345678901234567890123",
                                            "address": "0x90000000", "size": "4K"}])",
            "platform.processors[0].reserved_memory[0].name must be 1 to 31 characters"},
        Bad{ALIAS R"(, "reserved_memory": [{"name": "a", "address": "0x90000000", "size": "4K",
                                            "no_map": 1}])",
            "platform.processors[0].reserved_memory[0].no_map must be true or false"},
        Bad{ALIAS R"(, "reserved_memory": [{"name": "a", "address": "0x90000000", "size": "4K",
                                            "reg": 1}])",
            "platform.processors[0].reserved_memory[0] has an unknown field \"reg\""},
        Bad{R"(, "reserved_memory": {})",
            "platform.processors[0].reserved_memory must be a list of at most 32 regions"},
        Bad{R"(, "address_aliases": [{"host": "0x90000000", "da": "0x20000000", "size": "4K"}])",
            "processor 0 address alias 0 does not lead into one memory region of the processor"},
        Bad{R"(, "address_aliases": [{"host": "0x90000000", "da": "0x10000000", "size": "128K"}])",
            "processor 0 address alias 0 does not lead into one memory region of the processor"},
        Bad{R"(, "address_aliases": [{"host": "0xFFFFF000", "da": "0x10000000", "size": "8K"}])",
            "processor 0 address alias 0 must be whole 4 KiB pages of the 32-bit address space on "
            "both sides"},
        Bad{R"(, "address_aliases": [{"host": "0x90000000", "da": "0x10000000"}])",
            "platform.processors[0].address_aliases[0].size is missing"}));

TEST(ReservedMemory, LimitsTheirNumber) {
  PlatformDescription p = default_platform();
  ProcessorDescription &m4 = p.processors[0];
  while (m4.reserved_memory.size() <= kMaxReservedMemoryPerProcessor) {
    m4.reserved_memory.push_back(
        {"r" + std::to_string(m4.reserved_memory.size()), 0x10000000, 0x1000, true});
  }
  EXPECT_EQ(validate(p), "processor 0 has more than 32 reserved-memory regions");
  m4.reserved_memory.resize(1);
  m4.address_aliases.resize(kMaxAddressAliasesPerProcessor + 1, m4.address_aliases[0]);
  EXPECT_EQ(validate(p), "processor 0 has more than 16 address aliases");
}

}  // namespace
}  // namespace captee::platform
