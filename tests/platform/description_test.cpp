// The platform description: the built-in default and the JSON front end.
#include <gtest/gtest.h>

#include "captee/platform/description.hpp"

namespace captee::platform {
namespace {

TEST(DefaultPlatform, IsTheStm32mp15M4MemoryMap) {
  PlatformDescription p = default_platform();
  EXPECT_EQ(p.name, "stm32mp15-m4");
  ASSERT_EQ(p.processors.size(), 1u);
  const ProcessorDescription &m4 = p.processors[0];
  EXPECT_EQ(m4.id, 0u);
  EXPECT_EQ(m4.core, CoreType::kCortexM4);
  ASSERT_EQ(m4.regions.size(), 2u);
  EXPECT_EQ(m4.regions[0].da, 0x00000000u);
  EXPECT_EQ(m4.regions[0].size, 64u * 1024);
  EXPECT_EQ(m4.regions[1].da, 0x10000000u);
  EXPECT_EQ(m4.regions[1].size, 384u * 1024);
  EXPECT_EQ(m4.mailbox_da, 0x4C001000u);
  EXPECT_EQ(m4.clock_hz, 209'000'000u) << "the MCU clock of ST's STM32MP15";
  EXPECT_EQ(m4.irqs, 150u);
  EXPECT_EQ(m4.priority_bits, 4u);
  EXPECT_EQ(validate(p), "");
  EXPECT_EQ(p.find(0), &p.processors[0]);
  EXPECT_EQ(p.find(1), nullptr);
}

constexpr const char *kTwoCores = R"({
  "name": "dual",
  "processors": [
    {"id": 1, "name": "m33", "core": "cortex-m33", "mailbox": "0x50000000",
     "clock_hz": 64000000, "irqs": "96", "priority_bits": 3,
     "regions": [{"name": "flash", "da": "0x0", "size": "512K", "access": "rx"},
                 {"name": "ram", "da": 536870912, "size": "0x40000", "secure": false}],
     "public_keys": ["-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----\n"]},
    {"id": 0, "name": "m4", "core": "cortex-m4", "mailbox": "0x4C001000",
     "regions": [{"name": "sram", "da": "0x10000000", "size": "1M"},
                 {"name": "retram", "da": "0", "size": "64K"}]}
  ]
})";

TEST(PlatformJson, ParsesAValidDescription) {
  ParseResult r = parse_platform_json(kTwoCores);
  ASSERT_TRUE(r.platform) << r.error;
  const PlatformDescription &p = *r.platform;
  EXPECT_EQ(p.name, "dual");
  const ProcessorDescription *m33 = p.find(1);
  ASSERT_NE(m33, nullptr);
  EXPECT_EQ(m33->core, CoreType::kCortexM33);
  EXPECT_EQ(m33->mailbox_da, 0x50000000u);
  EXPECT_EQ(m33->regions[0].size, 512u * 1024);
  EXPECT_EQ(m33->regions[0].access, kRead | kExecute);
  EXPECT_EQ(m33->regions[1].da, 0x20000000u);
  EXPECT_FALSE(m33->regions[1].secure);
  EXPECT_EQ(m33->public_keys_pem.size(), 1u);
  EXPECT_EQ(m33->clock_hz, 64'000'000u);
  EXPECT_EQ(m33->irqs, 96u);
  EXPECT_EQ(m33->priority_bits, 3u);
  const ProcessorDescription *m4 = p.find(0);
  ASSERT_NE(m4, nullptr);
  // Regions come back sorted by device address.
  EXPECT_EQ(m4->regions[0].name, "retram");
  EXPECT_EQ(m4->regions[1].size, 1024u * 1024);
}

struct BadCase {
  const char *json;
  const char *error;
};

class PlatformJsonErrors : public ::testing::TestWithParam<BadCase> {};

TEST_P(PlatformJsonErrors, NameTheFieldAtFault) {
  ParseResult r = parse_platform_json(GetParam().json);
  EXPECT_FALSE(r.platform);
  EXPECT_EQ(r.error, GetParam().error);
}

#define PROC(extra)                                                                                                                                               \
  R"({"name": "p", "processors": [{"id": 0, "name": "c", "core": "cortex-m4", "mailbox": "0x4C001000", "regions": [{"name": "r", "da": 0, "size": "64K"}])" extra \
  "}]}"

INSTANTIATE_TEST_SUITE_P(
    Cases, PlatformJsonErrors,
    ::testing::Values(
        BadCase{"", "the platform description is not valid JSON"},
        BadCase{"{\"name\": ", "the platform description is not valid JSON"},
        BadCase{"[1]", "the platform description must be a JSON object"},
        BadCase{R"({"processors": []})", "platform.name is missing"},
        BadCase{R"({"name": "x", "processors": []})",
                "platform.processors must be a list of 1 to 16 processors"},
        BadCase{R"({"name": "x", "processors": [1]})", "platform.processors[0] must be an object"},
        BadCase{R"({"name": "x", "extra": 1, "processors": []})",
                "platform has an unknown field \"extra\""},
        BadCase{PROC(R"(, "core2": 1)"), "platform.processors[0] has an unknown field \"core2\""},
        BadCase{
            R"({"name": "p", "processors": [{"id": 0, "name": "c", "core": "arm7", "mailbox": 0, "regions": []}]})",
            "platform.processors[0].core must be \"cortex-m4\" or \"cortex-m33\", not \"arm7\""},
        BadCase{
            R"({"name": "p", "processors": [{"id": -1, "name": "c", "core": "cortex-m4", "mailbox": 0, "regions": []}]})",
            "platform.processors[0].id must be a non-negative integer or a string such as "
            "\"0x1000\" or \"64K\""},
        BadCase{
            R"({"name": "p", "processors": [{"id": "0x100000000", "name": "c", "core": "cortex-m4", "mailbox": 0, "regions": []}]})",
            "platform.processors[0].id does not fit in 32 bits"},
        BadCase{
            R"({"name": "p", "processors": [{"id": "4096M", "name": "c", "core": "cortex-m4", "mailbox": 0, "regions": []}]})",
            "platform.processors[0].id does not fit in 32 bits"},
        BadCase{
            R"({"name": "p", "processors": [{"id": "12z", "name": "c", "core": "cortex-m4", "mailbox": 0, "regions": []}]})",
            "platform.processors[0].id is not a number: \"12z\""},
        BadCase{
            R"({"name": "p", "processors": [{"id": 0, "name": "c", "core": "cortex-m4", "mailbox": 0, "regions": [{"name": "r", "da": 4, "size": "4K"}]}]})",
            "processor 0 region 'r' must start on and span whole 4 KiB pages"},
        BadCase{
            R"({"name": "p", "processors": [{"id": 0, "name": "c", "core": "cortex-m4", "mailbox": "0x4C001000", "regions": [{"name": "a", "da": 0, "size": "8K"}, {"name": "b", "da": "0x1000", "size": "4K"}]}]})",
            "processor 0 region 'b' overlaps region 'a'"},
        BadCase{
            R"({"name": "p", "processors": [{"id": 0, "name": "c", "core": "cortex-m4", "mailbox": "0x0", "regions": [{"name": "a", "da": 0, "size": "8K"}]}]})",
            "processor 0 region 'a' overlaps the mailbox"},
        BadCase{
            R"({"name": "p", "processors": [{"id": 0, "name": "c", "core": "cortex-m4", "mailbox": "0x4C001000", "regions": [{"name": "a", "da": "0xFFFFF000", "size": "8K"}]}]})",
            "processor 0 region 'a' runs past the 32-bit address space"},
        BadCase{
            R"({"name": "p", "processors": [{"id": 0, "name": "c", "core": "cortex-m4", "mailbox": "0x4C001000", "regions": [{"name": "a", "da": 0, "size": "4K", "access": "rwxw"}]}]})",
            "platform.processors[0].regions[0].access must be 1 to 3 characters"},
        BadCase{
            R"({"name": "p", "processors": [{"id": 0, "name": "c", "core": "cortex-m4", "mailbox": "0x4C001000", "regions": [{"name": "a", "da": 0, "size": "4K", "access": "rr"}]}]})",
            "platform.processors[0].regions[0].access must be letters from \"rwx\", each at "
            "most once"},
        BadCase{
            R"({"name": "p", "processors": [{"id": 0, "name": "c", "core": "cortex-m4", "mailbox": "0x4C001000", "regions": [{"name": "a", "da": 0, "size": "4K", "secure": 1}]}]})",
            "platform.processors[0].regions[0].secure must be true or false"},
        BadCase{
            R"({"name": "p", "processors": [{"id": 0, "name": "c", "core": "cortex-m4", "mailbox": "0x4C001000", "regions": [{"name": "a", "da": 0, "size": "1024M"}, {"name": "b", "da": "0x40000000", "size": "4K"}]}]})",
            "processor 0 has more than 1 GiB of memory"},
        BadCase{R"({"name": "p", "processors": [
                  {"id": 3, "name": "c", "core": "cortex-m4", "mailbox": "0x4C001000", "regions": [{"name": "a", "da": 0, "size": "4K"}]},
                  {"id": 3, "name": "d", "core": "cortex-m4", "mailbox": "0x4C001000", "regions": [{"name": "a", "da": 0, "size": "4K"}]}]})",
                "processor id 3 is used twice"},
        BadCase{
            R"({"name": "p", "processors": [{"id": 0, "name": "c", "core": "cortex-m4", "mailbox": "0x4C001000", "regions": [{"name": "a", "da": 0, "size": "4K"}, {"name": "a", "da": "0x1000", "size": "4K"}]}]})",
            "processor 0 region 'a' is declared twice"},
        BadCase{
            R"({"name": "p", "processors": [{"id": 0, "name": "c", "core": "cortex-m4", "mailbox": "0x4C001000", "clock_hz": 999999, "regions": [{"name": "a", "da": 0, "size": "4K"}]}]})",
            "processor 0 clock must be 1 MHz to 1 GHz"},
        BadCase{
            R"({"name": "p", "processors": [{"id": 0, "name": "c", "core": "cortex-m4", "mailbox": "0x4C001000", "irqs": 481, "regions": [{"name": "a", "da": 0, "size": "4K"}]}]})",
            "processor 0 must have 1 to 480 external interrupts"},
        BadCase{
            R"({"name": "p", "processors": [{"id": 0, "name": "c", "core": "cortex-m4", "mailbox": "0x4C001000", "priority_bits": 9, "regions": [{"name": "a", "da": 0, "size": "4K"}]}]})",
            "platform.processors[0].priority_bits must be 3 to 8"},
        BadCase{
            R"({"name": "p", "processors": [{"id": 0, "name": "c", "core": "cortex-m4", "mailbox": "0x4C001000", "regions": [{"name": "a", "da": "0xE0000000", "size": "4K"}]}]})",
            "processor 0 region 'a' overlaps the core's private peripheral bus "
            "(0xe0000000-0xe00fffff)"},
        BadCase{
            R"({"name": "p", "processors": [{"id": 0, "name": "c", "core": "cortex-m4", "mailbox": "0xE000E000", "regions": [{"name": "a", "da": 0, "size": "4K"}]}]})",
            "processor 0 mailbox overlaps the core's private peripheral bus "
            "(0xe0000000-0xe00fffff)"}));

TEST(PlatformJson, RejectsDeepNestingAndHugeInput) {
  std::string deep(100, '[');
  EXPECT_EQ(parse_platform_json(deep).error, "the platform description is nested too deeply");
  // Brackets inside strings do not count as nesting.
  std::string quoted = R"({"name": ")" + std::string(100, '[') + R"(", "processors": 1})";
  EXPECT_EQ(parse_platform_json(quoted).error, "platform.name must be 1 to 64 characters");
  std::string huge(2 << 20, ' ');
  EXPECT_EQ(parse_platform_json(huge).error, "the platform description is larger than 1 MiB");
}

TEST(PlatformValidate, LimitsTheNumberOfProcessorsAndRegions) {
  PlatformDescription p = default_platform();
  for (uint32_t i = 1; i <= kMaxProcessors; ++i) {
    ProcessorDescription c = p.processors[0];
    c.id = i;
    p.processors.push_back(c);
  }
  EXPECT_EQ(validate(p), "the platform has more than 16 processors");
  PlatformDescription q = default_platform();
  q.processors[0].regions.clear();
  EXPECT_EQ(validate(q), "processor 0 has no memory regions");
}

TEST(DefaultPlatform, KnowsTheStm32mp15PeripheralMapAndTheIpcc) {
  const ProcessorDescription m4 = default_platform().processors[0];
  EXPECT_EQ(m4.mailbox_layout, MailboxLayout::kStm32Ipcc) << "the IPCC at 0x4C001000";
  // Addresses of RM0436's map (and the CMSIS header stm32mp157cxx_cm4.h).
  const struct {
    const char *name;
    uint32_t base;
  } expected[] = {{"TIM2", 0x40000000},   {"USART3", 0x4000F000}, {"HSEM", 0x4C000000},
                  {"RCC", 0x50000000},    {"PWR", 0x50001000},    {"GPIOA", 0x50002000},
                  {"GPIOK", 0x5000C000},  {"EXTI", 0x5000D000},   {"SYSCFG", 0x50020000},
                  {"DBGMCU", 0x50081000}, {"USART1", 0x5C000000}};
  for (const auto &e : expected) {
    const PeripheralDescription *p = find_peripheral(m4, e.base + 0x14);
    ASSERT_NE(p, nullptr) << e.name;
    EXPECT_EQ(p->name, e.name);
    EXPECT_EQ(p->base, e.base);
  }
  EXPECT_EQ(find_peripheral(m4, 0x4C001000), nullptr) << "the IPCC is the mailbox";
  EXPECT_EQ(find_peripheral(m4, 0x4C000000)->model, PeripheralModel::kHsem);
  EXPECT_EQ(find_peripheral(m4, 0x50000000)->model, PeripheralModel::kRcc);
  EXPECT_EQ(find_peripheral(m4, 0x50001000)->model, PeripheralModel::kPwr);
  EXPECT_EQ(find_peripheral(m4, 0x50020000)->model, PeripheralModel::kSyscfg);
  EXPECT_EQ(find_peripheral(m4, 0x4000F000)->model, PeripheralModel::kUsart3);
  EXPECT_EQ(find_peripheral(m4, 0x40000000)->model, PeripheralModel::kTim2);
  EXPECT_EQ(find_peripheral(m4, 0x5000D000)->model, PeripheralModel::kExti);
  EXPECT_EQ(find_peripheral(m4, 0x50004000)->model, PeripheralModel::kGpio) << "GPIOC";
  EXPECT_EQ(find_peripheral(m4, 0x50004000)->port, 2u);
  EXPECT_EQ(find_peripheral(m4, 0x54004000)->port, 11u) << "GPIOZ";
  EXPECT_EQ(find_peripheral(m4, 0x4000B000)->model, PeripheralModel::kNone) << "SPI2";
  EXPECT_EQ(find_peripheral(m4, 0x10000000), nullptr) << "memory is not a peripheral";
  EXPECT_EQ(find_peripheral(m4, 0x4001A000), nullptr) << "a hole in APB1";
  EXPECT_EQ(find_peripheral(m4, 0xFFFFFFFF), nullptr);
  EXPECT_EQ(find_peripheral(m4, 0), nullptr);
}

TEST(PlatformJson, MailboxLayoutAndPeripherals) {
  ParseResult r = parse_platform_json(
      R"({"name": "p", "processors": [{"id": 0, "name": "c", "core": "cortex-m4",
          "mailbox": "0x4C001000", "mailbox_layout": "captee", "peripherals": "stm32mp15",
          "regions": [{"name": "r", "da": 0, "size": "64K"}]}]})");
  ASSERT_TRUE(r.platform) << r.error;
  const ProcessorDescription &c = r.platform->processors[0];
  EXPECT_EQ(c.mailbox_layout, MailboxLayout::kCaptee);
  EXPECT_EQ(c.peripherals.size(), stm32mp15_peripherals().size());
  r = parse_platform_json(
      R"({"name": "p", "processors": [{"id": 0, "name": "c", "core": "cortex-m4",
          "mailbox": "0x4C001000", "peripherals": [{"name": "B", "base": "0x50001000", "size": "4K"},
                                                   {"name": "A", "base": "0x40000000", "size": "8K"}],
          "regions": [{"name": "r", "da": 0, "size": "64K"}]}]})");
  ASSERT_TRUE(r.platform) << r.error;
  const ProcessorDescription &d = r.platform->processors[0];
  EXPECT_EQ(d.mailbox_layout, MailboxLayout::kStm32Ipcc) << "the default layout";
  ASSERT_EQ(d.peripherals.size(), 2u);
  EXPECT_EQ(d.peripherals[0].name, "A") << "sorted by base";
  EXPECT_EQ(find_peripheral(d, 0x40001FFC)->name, "A");
  EXPECT_EQ(find_peripheral(d, 0x40002000), nullptr);
  EXPECT_EQ(d.peripherals[0].model, PeripheralModel::kNone) << "not modelled unless asked";
  r = parse_platform_json(
      R"({"name": "p", "processors": [{"id": 0, "name": "c", "core": "cortex-m4",
          "mailbox": "0x4C001000", "peripherals": [{"name": "S", "base": "0x4C000000", "size": "4K",
                                                    "model": "hsem"}],
          "regions": [{"name": "r", "da": 0, "size": "64K"}]}]})");
  ASSERT_TRUE(r.platform) << r.error;
  EXPECT_EQ(r.platform->processors[0].peripherals[0].model, PeripheralModel::kHsem);
}

INSTANTIATE_TEST_SUITE_P(
    Peripherals, PlatformJsonErrors,
    ::testing::Values(
        BadCase{PROC(R"(, "mailbox_layout": "pl320")"),
                "platform.processors[0].mailbox_layout must be \"stm32-ipcc\" or \"captee\", "
                "not \"pl320\""},
        BadCase{PROC(R"(, "peripherals": "stm32mp13")"),
                "platform.processors[0].peripherals must be \"stm32mp15\" or a list of "
                "peripherals"},
        BadCase{PROC(R"(, "peripherals": [{"name": "X", "base": 4096}])"),
                "platform.processors[0].peripherals[0].size is missing"},
        BadCase{
            PROC(
                R"(, "peripherals": [{"name": "X", "base": "0x40000000", "size": "4K", "irq": 1}])"),
            "platform.processors[0].peripherals[0] has an unknown field \"irq\""},
        BadCase{PROC(R"(, "peripherals": [{"name": "X", "base": "0x40000800", "size": "4K"}])"),
                "processor 0 peripheral 'X' must start on and span whole 4 KiB pages of the "
                "32-bit address space"},
        BadCase{PROC(R"(, "peripherals": [{"name": "X", "base": "0xFFFFF000", "size": "8K"}])"),
                "processor 0 peripheral 'X' must start on and span whole 4 KiB pages of the "
                "32-bit address space"},
        BadCase{PROC(R"(, "peripherals": [{"name": "X", "base": "0x40000000", "size": "8K"},
                                          {"name": "Y", "base": "0x40001000", "size": "4K"}])"),
                "processor 0 peripheral 'Y' is not after peripheral 'X' (sorted by base, "
                "without overlap)"},
        BadCase{PROC(R"(, "peripherals": [{"name": "X", "base": "0x40000000", "size": "4K"},
                                          {"name": "X", "base": "0x40001000", "size": "4K"}])"),
                "processor 0 peripheral 'X' is declared twice"},
        BadCase{PROC(R"(, "peripherals": [{"name": "X", "base": "0x0", "size": "4K"}])"),
                "processor 0 peripheral 'X' overlaps region 'r'"},
        BadCase{PROC(R"(, "peripherals": [{"name": "X", "base": "0x4C000000", "size": "8K"}])"),
                "processor 0 peripheral 'X' overlaps the mailbox"},
        BadCase{PROC(R"(, "peripherals": [{"name": "X", "base": "0xE0000000", "size": "4K"}])"),
                "processor 0 peripheral 'X' overlaps the core's private peripheral bus "
                "(0xe0000000-0xe00fffff)"},
        BadCase{PROC(R"(, "peripherals": [{"name": "", "base": "0x40000000", "size": "4K"}])"),
                "platform.processors[0].peripherals[0].name must be 1 to 32 characters"},
        BadCase{
            PROC(
                R"(, "peripherals": [{"name": "X", "base": "0x40000000", "size": "4K", "model": "spi"}])"),
            "platform.processors[0].peripherals[0].model must be \"hsem\", \"rcc\", "
            "\"syscfg\", \"pwr\", \"usart3\", \"tim2\", \"gpio\" or \"exti\", not "
            "\"spi\""},
        BadCase{
            PROC(
                R"(, "peripherals": [{"name": "X", "base": "0x40000000", "size": "4K", "port": 1}])"),
            "platform.processors[0].peripherals[0].port is only for a \"gpio\" model"},
        BadCase{
            PROC(
                R"(, "peripherals": [{"name": "X", "base": "0x40000000", "size": "4K", "model": "gpio", "port": 12}])"),
            "processor 0 peripheral 'X' is GPIO port 12; ports are 0 to 11"},
        BadCase{
            PROC(
                R"(, "peripherals": [{"name": "X", "base": "0x40000000", "size": "8K", "model": "rcc"}])"),
            "processor 0 peripheral 'X' is modelled as rcc, whose registers fill one 4 KiB "
            "page"}));

TEST(PlatformValidate, LimitsTheNumberOfPeripherals) {
  PlatformDescription p = default_platform();
  std::vector<PeripheralDescription> many;
  for (uint32_t i = 0; i <= kMaxPeripheralsPerProcessor; ++i) {
    many.push_back({"P" + std::to_string(i), 0x60000000 + i * kPageSize, kPageSize});
  }
  p.processors[0].peripherals = many;
  EXPECT_EQ(validate(p), "processor 0 has more than 256 peripherals");
}

}  // namespace
}  // namespace captee::platform
