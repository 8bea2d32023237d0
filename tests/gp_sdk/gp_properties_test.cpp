// The GP property functions as a TA sees them (issue 14): every property of
// each set, the TA's extension properties, enumerators, the conversions and
// errors of every getter, and the calls that panic. The properties test TA
// (ta_props/) hands back what each call answered; it runs in a real capteed
// from the shared teec fixture, built in the v1.3.1 mode and in the GP v1.1
// mode (32-bit lengths, OP-TEE's defaults).
#include <gtest/gtest.h>
#include <sys/utsname.h>

#include <cstring>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include "gp_props_ta.h"
#include "teec_fixture.hpp"

namespace captee::test {
namespace {

constexpr TEEC_UUID kV131 = GP_PROPS_TA_V131_UUID;
constexpr TEEC_UUID kGp11 = GP_PROPS_TA_GP11_UUID;

struct Got {
  TEEC_Result call = TEEC_ERROR_GENERIC;  // the invoke's own result
  uint32_t result = 0;                    // the getter's TEE_Result
  uint32_t len = 0;                       // the length it reported
  std::vector<uint8_t> value;
  std::string str() const {
    return value.empty() ? std::string() : std::string(value.begin(), value.end() - 1);
  }
  uint32_t u32() const {
    uint32_t v = 0;
    std::memcpy(&v, value.data(), std::min(value.size(), sizeof v));
    return v;
  }
  uint64_t u64() const {
    uint64_t v = 0;
    std::memcpy(&v, value.data(), std::min(value.size(), sizeof v));
    return v;
  }
  TEEC_UUID uuid() const {
    TEEC_UUID v{};
    std::memcpy(&v, value.data(), std::min(value.size(), sizeof v));
    return v;
  }
  // A TEE_Identity: login, then the UUID.
  uint32_t login() const { return u32(); }
  TEEC_UUID identity_uuid() const {
    TEEC_UUID v{};
    if (value.size() >= 4 + sizeof v) {
      std::memcpy(&v, value.data() + 4, sizeof v);
    }
    return v;
  }
};

std::string uuid_text(const TEEC_UUID &u) {
  char s[37];
  std::snprintf(s, sizeof s, "%08x-%04x-%04x-%02x%02x-%02x%02x%02x%02x%02x%02x", u.timeLow,
                u.timeMid, u.timeHiAndVersion, u.clockSeqAndNode[0], u.clockSeqAndNode[1],
                u.clockSeqAndNode[2], u.clockSeqAndNode[3], u.clockSeqAndNode[4],
                u.clockSeqAndNode[5], u.clockSeqAndNode[6], u.clockSeqAndNode[7]);
  return s;
}

bool same(const TEEC_UUID &a, const TEEC_UUID &b) {
  return std::memcmp(&a, &b, sizeof a) == 0;
}

class GpProperties : public Teec {
 protected:
  void SetUp() override {
    Teec::SetUp();
    open_ta(kV131, &v131_);
    open_ta(kGp11, &gp11_);
  }
  void TearDown() override {
    TEEC_CloseSession(&v131_);
    TEEC_CloseSession(&gp11_);
    Teec::TearDown();
  }

  void open_ta(const TEEC_UUID &uuid, TEEC_Session *s, uint32_t login = TEEC_LOGIN_PUBLIC) {
    uint32_t origin = 0;
    ASSERT_EQ(TEEC_OpenSession(&ctx_, s, &uuid, login, nullptr, nullptr, &origin), TEEC_SUCCESS)
        << "origin " << origin;
  }

  // Reads `name` of `set` with getter `as`, the value buffer `buffer` bytes.
  static Got get(TEEC_Session *s, uint32_t set, uint32_t as, const std::string &name,
                 size_t buffer = 256) {
    Got g;
    std::vector<uint8_t> out(buffer);
    TEEC_Operation op{};
    op.paramTypes = TEEC_PARAM_TYPES(TEEC_VALUE_INPUT, TEEC_MEMREF_TEMP_INPUT,
                                     TEEC_MEMREF_TEMP_OUTPUT, TEEC_VALUE_OUTPUT);
    op.params[0].value = {set, as};
    op.params[1].tmpref = {const_cast<char *>(name.data()), name.size()};
    op.params[2].tmpref = {out.empty() ? nullptr : out.data(), out.size()};
    g.call = TEEC_InvokeCommand(s, GP_PROPS_CMD_GET, &op, nullptr);
    g.result = op.params[3].value.a;
    g.len = op.params[3].value.b;
    out.resize(std::min(out.size(), op.params[2].tmpref.size));
    g.value = out;
    return g;
  }

  // The same through an enumerator started on `set` and moved `steps` times.
  static Got get_nth(TEEC_Session *s, uint32_t set, uint32_t as, uint32_t steps,
                     size_t buffer = 256) {
    Got g;
    std::vector<uint8_t> out(buffer);
    TEEC_Operation op{};
    op.paramTypes = TEEC_PARAM_TYPES(TEEC_VALUE_INPUT, TEEC_VALUE_INPUT, TEEC_MEMREF_TEMP_OUTPUT,
                                     TEEC_VALUE_OUTPUT);
    op.params[0].value = {set, as};
    op.params[1].value = {steps, 0};
    op.params[2].tmpref = {out.data(), out.size()};
    g.call = TEEC_InvokeCommand(s, GP_PROPS_CMD_GET_NTH, &op, nullptr);
    g.result = op.params[3].value.a;
    g.len = op.params[3].value.b;
    out.resize(std::min(out.size(), op.params[2].tmpref.size));
    g.value = out;
    return g;
  }

  // Every property of `set`, in the order the enumerator gives them.
  static std::vector<std::pair<std::string, std::string>> enumerate(TEEC_Session *s, uint32_t set) {
    std::vector<char> out(16384);
    TEEC_Operation op{};
    op.paramTypes =
        TEEC_PARAM_TYPES(TEEC_VALUE_INPUT, TEEC_MEMREF_TEMP_OUTPUT, TEEC_VALUE_OUTPUT, TEEC_NONE);
    op.params[0].value = {set, 0};
    op.params[1].tmpref = {out.data(), out.size()};
    EXPECT_EQ(TEEC_InvokeCommand(s, GP_PROPS_CMD_ENUMERATE, &op, nullptr), TEEC_SUCCESS);
    std::vector<std::pair<std::string, std::string>> props;
    std::istringstream lines(std::string(out.data(), op.params[1].tmpref.size));
    for (std::string line; std::getline(lines, line);) {
      auto eq = line.find('=');
      props.emplace_back(line.substr(0, eq), line.substr(eq + 1));
    }
    EXPECT_EQ(props.size(), op.params[2].value.a);
    return props;
  }

  static std::string string_of(TEEC_Session *s, uint32_t set, const std::string &name) {
    Got g = get(s, set, GP_PROPS_AS_STRING, name);
    EXPECT_EQ(g.call, TEEC_SUCCESS);
    EXPECT_EQ(g.result, TEEC_SUCCESS) << name;
    return g.str();
  }

  static uint32_t u32_of(TEEC_Session *s, uint32_t set, const std::string &name) {
    Got g = get(s, set, GP_PROPS_AS_U32, name);
    EXPECT_EQ(g.result, TEEC_SUCCESS) << name;
    return g.u32();
  }

  static bool bool_of(TEEC_Session *s, uint32_t set, const std::string &name) {
    Got g = get(s, set, GP_PROPS_AS_BOOL, name);
    EXPECT_EQ(g.result, TEEC_SUCCESS) << name;
    return g.u32() != 0;
  }

  TEEC_Session v131_{};
  TEEC_Session gp11_{};
};

TEST_F(GpProperties, TaSetHoldsWhatItsHeaderSays) {
  Got id = get(&v131_, GP_PROPS_SET_TA, GP_PROPS_AS_UUID, "gpd.ta.appID");
  ASSERT_EQ(id.result, TEEC_SUCCESS);
  EXPECT_TRUE(same(id.uuid(), kV131));
  EXPECT_EQ(string_of(&v131_, GP_PROPS_SET_TA, "gpd.ta.appID"), uuid_text(kV131));
  EXPECT_TRUE(bool_of(&v131_, GP_PROPS_SET_TA, "gpd.ta.singleInstance"));
  EXPECT_TRUE(bool_of(&v131_, GP_PROPS_SET_TA, "gpd.ta.multiSession"));
  EXPECT_TRUE(bool_of(&v131_, GP_PROPS_SET_TA, "gpd.ta.instanceKeepAlive"));
  EXPECT_TRUE(bool_of(&v131_, GP_PROPS_SET_TA, "gpd.ta.doesNotCloseHandleOnCorruptObject"));
  EXPECT_EQ(u32_of(&v131_, GP_PROPS_SET_TA, "gpd.ta.dataSize"), 64u * 1024);
  EXPECT_EQ(u32_of(&v131_, GP_PROPS_SET_TA, "gpd.ta.stackSize"), 4u * 1024);
  EXPECT_EQ(string_of(&v131_, GP_PROPS_SET_TA, "gpd.ta.version"), "2.5.1");
  EXPECT_EQ(string_of(&v131_, GP_PROPS_SET_TA, "gpd.ta.description"), "captee properties test TA");
  EXPECT_EQ(u32_of(&v131_, GP_PROPS_SET_TA, "gpd.ta.endian"), 0u);
}

// Without TA_VERSION / TA_DESCRIPTION and with no flags, a TA gets OP-TEE's
// defaults; its OP-TEE-example-style extension properties are there.
TEST_F(GpProperties, Gp11TaGetsOpteeDefaults) {
  Got id = get(&gp11_, GP_PROPS_SET_TA, GP_PROPS_AS_UUID, "gpd.ta.appID");
  ASSERT_EQ(id.result, TEEC_SUCCESS);
  EXPECT_TRUE(same(id.uuid(), kGp11));
  EXPECT_FALSE(bool_of(&gp11_, GP_PROPS_SET_TA, "gpd.ta.singleInstance"));
  EXPECT_FALSE(bool_of(&gp11_, GP_PROPS_SET_TA, "gpd.ta.multiSession"));
  EXPECT_FALSE(bool_of(&gp11_, GP_PROPS_SET_TA, "gpd.ta.instanceKeepAlive"));
  EXPECT_EQ(u32_of(&gp11_, GP_PROPS_SET_TA, "gpd.ta.dataSize"), 32u * 1024);
  EXPECT_EQ(string_of(&gp11_, GP_PROPS_SET_TA, "gpd.ta.version"), "Undefined version");
  EXPECT_EQ(string_of(&gp11_, GP_PROPS_SET_TA, "gpd.ta.description"), "Undefined description");
  EXPECT_EQ(string_of(&gp11_, GP_PROPS_SET_TA, "gp.ta.description"), "properties test TA (v1.1)");
  EXPECT_EQ(u32_of(&gp11_, GP_PROPS_SET_TA, "gp.ta.version"), 0x10u);
  // v1.1's uint32_t lengths through the __GP11_ functions: SHORT_BUFFER and
  // the size with the zero.
  Got short_string = get(&gp11_, GP_PROPS_SET_TA, GP_PROPS_AS_STRING, "gpd.ta.version", 4);
  EXPECT_EQ(short_string.result, TEEC_ERROR_SHORT_BUFFER);
  EXPECT_EQ(short_string.len, sizeof "Undefined version");
}

TEST_F(GpProperties, ExtensionPropertiesOfEveryType) {
  EXPECT_TRUE(bool_of(&v131_, GP_PROPS_SET_TA, "org.captee.test.bool"));
  EXPECT_EQ(u32_of(&v131_, GP_PROPS_SET_TA, "org.captee.test.u32"), 0x10u);
  Got u64 = get(&v131_, GP_PROPS_SET_TA, GP_PROPS_AS_U64, "org.captee.test.u64");
  EXPECT_EQ(u64.result, TEEC_SUCCESS);
  EXPECT_EQ(u64.u64(), 0x123456789abcdefULL);
  const TEEC_UUID ext = {0x01020304, 0x0506, 0x0708, {9, 10, 11, 12, 13, 14, 15, 16}};
  Got uuid = get(&v131_, GP_PROPS_SET_TA, GP_PROPS_AS_UUID, "org.captee.test.uuid");
  EXPECT_EQ(uuid.result, TEEC_SUCCESS);
  EXPECT_TRUE(same(uuid.uuid(), ext));
  Got identity = get(&v131_, GP_PROPS_SET_TA, GP_PROPS_AS_IDENTITY, "org.captee.test.identity");
  EXPECT_EQ(identity.result, TEEC_SUCCESS);
  EXPECT_EQ(identity.login(), 0xF0000000u);
  EXPECT_TRUE(same(identity.identity_uuid(), ext));
  EXPECT_EQ(string_of(&v131_, GP_PROPS_SET_TA, "org.captee.test.string"), "hello, properties");
  Got binary = get(&v131_, GP_PROPS_SET_TA, GP_PROPS_AS_BINARY_BLOCK, "org.captee.test.binary");
  EXPECT_EQ(binary.result, TEEC_SUCCESS);
  EXPECT_EQ(std::string(binary.value.begin(), binary.value.end()), "captee");
  EXPECT_EQ(binary.len, 6u);
  EXPECT_EQ(string_of(&v131_, GP_PROPS_SET_TA, "org.captee.test.binary"), "Y2FwdGVl");
  EXPECT_EQ(string_of(&v131_, GP_PROPS_SET_TA, "org.captee.test.empty"), "");
  // As OP-TEE's examples declare them.
  EXPECT_EQ(string_of(&v131_, GP_PROPS_SET_TA, "gp.ta.description"),
            "an OP-TEE example's own description");
  EXPECT_EQ(u32_of(&v131_, GP_PROPS_SET_TA, "gp.ta.version"), 0x10u);
}

// Each getter converts another type's printable form (GP's integer, boolean,
// UUID, identity and Base64 notations); what does not convert is BAD_FORMAT.
TEST_F(GpProperties, GettersConvertAndRefuseExactlyAsGpSays) {
  EXPECT_TRUE(bool_of(&v131_, GP_PROPS_SET_TA, "org.captee.test.text.true"));
  EXPECT_EQ(u32_of(&v131_, GP_PROPS_SET_TA, "org.captee.test.text.hex"), 0x10000u);
  EXPECT_EQ(u32_of(&v131_, GP_PROPS_SET_TA, "org.captee.test.text.kilo"), 4096u);
  EXPECT_EQ(u32_of(&v131_, GP_PROPS_SET_TA, "org.captee.test.text.mega"), 3u << 20);
  EXPECT_EQ(u32_of(&v131_, GP_PROPS_SET_TA, "org.captee.test.text.binary"), 0xAAu);
  EXPECT_EQ(get(&v131_, GP_PROPS_SET_TA, GP_PROPS_AS_U32, "org.captee.test.text.big").result,
            TEEC_ERROR_BAD_FORMAT);
  EXPECT_EQ(get(&v131_, GP_PROPS_SET_TA, GP_PROPS_AS_U64, "org.captee.test.text.big").u64(),
            1ull << 32);
  Got uuid = get(&v131_, GP_PROPS_SET_TA, GP_PROPS_AS_UUID, "org.captee.test.text.uuid");
  EXPECT_EQ(uuid.result, TEEC_SUCCESS);
  EXPECT_EQ(uuid_text(uuid.uuid()), "8aaaf200-2450-11e4-abe2-0002a5d5c51b");
  Got identity =
      get(&v131_, GP_PROPS_SET_TA, GP_PROPS_AS_IDENTITY, "org.captee.test.text.identity");
  EXPECT_EQ(identity.result, TEEC_SUCCESS);
  EXPECT_EQ(identity.login(), 0xF0000000u);
  EXPECT_EQ(uuid_text(identity.identity_uuid()), "8aaaf200-2450-11e4-abe2-0002a5d5c51b");
  Got login = get(&v131_, GP_PROPS_SET_TA, GP_PROPS_AS_IDENTITY, "org.captee.test.text.login");
  EXPECT_EQ(login.result, TEEC_SUCCESS);
  EXPECT_EQ(login.login(), 5u);
  EXPECT_TRUE(same(login.identity_uuid(), TEEC_UUID{}));
  Got block = get(&v131_, GP_PROPS_SET_TA, GP_PROPS_AS_BINARY_BLOCK, "org.captee.test.text.base64");
  EXPECT_EQ(block.result, TEEC_SUCCESS);
  EXPECT_EQ(block.value, (std::vector<uint8_t>{0, 1, 2}));

  // Typed values print as GP says.
  EXPECT_EQ(string_of(&v131_, GP_PROPS_SET_TA, "org.captee.test.bool"), "true");
  EXPECT_EQ(string_of(&v131_, GP_PROPS_SET_TA, "org.captee.test.u32"), "16");
  EXPECT_EQ(string_of(&v131_, GP_PROPS_SET_TA, "org.captee.test.u64"), "81985529216486895");
  EXPECT_EQ(string_of(&v131_, GP_PROPS_SET_TA, "org.captee.test.uuid"),
            "01020304-0506-0708-090a-0b0c0d0e0f10");
  EXPECT_EQ(string_of(&v131_, GP_PROPS_SET_TA, "org.captee.test.identity"),
            "4026531840:01020304-0506-0708-090a-0b0c0d0e0f10");
  EXPECT_EQ(get(&v131_, GP_PROPS_SET_TA, GP_PROPS_AS_U64, "org.captee.test.u32").u64(), 16u);

  // BAD_FORMAT: each getter on what is not its type's notation.
  struct Refused {
    uint32_t as;
    const char *name;
  };
  for (const Refused &r : {Refused{GP_PROPS_AS_U32, "org.captee.test.text.notanumber"},
                           Refused{GP_PROPS_AS_U32, "org.captee.test.bool"},
                           Refused{GP_PROPS_AS_U32, "org.captee.test.u64"},  // too big
                           Refused{GP_PROPS_AS_U32, "org.captee.test.string"},
                           Refused{GP_PROPS_AS_U64, "org.captee.test.uuid"},
                           Refused{GP_PROPS_AS_BOOL, "org.captee.test.u32"},
                           Refused{GP_PROPS_AS_BOOL, "org.captee.test.string"},
                           Refused{GP_PROPS_AS_UUID, "org.captee.test.u32"},
                           Refused{GP_PROPS_AS_UUID, "org.captee.test.identity"},
                           Refused{GP_PROPS_AS_IDENTITY, "org.captee.test.uuid"},
                           Refused{GP_PROPS_AS_IDENTITY, "org.captee.test.string"},
                           Refused{GP_PROPS_AS_BINARY_BLOCK, "org.captee.test.binary.bad"},
                           Refused{GP_PROPS_AS_BINARY_BLOCK, "org.captee.test.uuid"},
                           Refused{GP_PROPS_AS_BINARY_BLOCK, "gpd.ta.description"}}) {
    Got g = get(&v131_, GP_PROPS_SET_TA, r.as, r.name);
    EXPECT_EQ(g.call, TEEC_SUCCESS);
    EXPECT_EQ(g.result, TEEC_ERROR_BAD_FORMAT) << r.name << " as " << r.as;
  }
  // A binary block that is not Base64 still reads as its text.
  EXPECT_EQ(string_of(&v131_, GP_PROPS_SET_TA, "org.captee.test.binary.bad"), "not base64!");
}

// Entries the runtime cannot read, and one repeating a gpd.ta name, are not
// in the set, whether looked up or enumerated.
TEST_F(GpProperties, UnreadableAndRepeatedEntriesAreLeftOut) {
  EXPECT_EQ(u32_of(&v131_, GP_PROPS_SET_TA, "gpd.ta.dataSize"), 64u * 1024);
  for (const char *name : {"org.captee.test.invalid", "org.captee.test.novalue"}) {
    EXPECT_EQ(get(&v131_, GP_PROPS_SET_TA, GP_PROPS_AS_STRING, name).result,
              TEEC_ERROR_ITEM_NOT_FOUND)
        << name;
  }
  std::map<std::string, int> seen;
  for (const auto &[name, value] : enumerate(&v131_, GP_PROPS_SET_TA)) {
    ++seen[name];
  }
  EXPECT_EQ(seen["gpd.ta.dataSize"], 1);
  EXPECT_EQ(seen.count("org.captee.test.invalid"), 0u);
  EXPECT_EQ(seen.count("org.captee.test.novalue"), 0u);
  EXPECT_EQ(seen.count(""), 0u);
}

TEST_F(GpProperties, UnknownNamesAreItemNotFound) {
  for (const std::string &name :
       {std::string("org.captee.test.nothing"), std::string(""), std::string("gpd.ta.appid"),
        std::string("gpd.ta.appID "), std::string("gpd.\xff\xfe"), std::string("gpd.\t\n\r")}) {
    for (uint32_t set : {GP_PROPS_SET_TEE, GP_PROPS_SET_CLIENT, GP_PROPS_SET_TA}) {
      Got g = get(&v131_, set, GP_PROPS_AS_STRING, name);
      EXPECT_EQ(g.call, TEEC_SUCCESS);
      EXPECT_EQ(g.result, TEEC_ERROR_ITEM_NOT_FOUND) << name << " in set " << set;
    }
  }
  // A property of another set is not in this one.
  EXPECT_EQ(get(&v131_, GP_PROPS_SET_TEE, GP_PROPS_AS_UUID, "gpd.ta.appID").result,
            TEEC_ERROR_ITEM_NOT_FOUND);
  EXPECT_EQ(get(&v131_, GP_PROPS_SET_TA, GP_PROPS_AS_IDENTITY, "gpd.client.identity").result,
            TEEC_ERROR_ITEM_NOT_FOUND);
}

TEST_F(GpProperties, ShortBuffersGetTheSizeNeeded) {
  const std::string d = "captee properties test TA";
  for (size_t buffer : {size_t(0), size_t(1), d.size()}) {
    Got g = get(&v131_, GP_PROPS_SET_TA, GP_PROPS_AS_STRING, "gpd.ta.description", buffer);
    EXPECT_EQ(g.call, TEEC_SUCCESS);
    EXPECT_EQ(g.result, TEEC_ERROR_SHORT_BUFFER) << buffer;
    EXPECT_EQ(g.len, d.size() + 1) << "the size with its zero";
  }
  Got fits = get(&v131_, GP_PROPS_SET_TA, GP_PROPS_AS_STRING, "gpd.ta.description", d.size() + 1);
  EXPECT_EQ(fits.result, TEEC_SUCCESS);
  EXPECT_EQ(fits.len, d.size() + 1);
  EXPECT_EQ(fits.str(), d);
  for (size_t buffer : {size_t(0), size_t(5)}) {
    Got g =
        get(&v131_, GP_PROPS_SET_TA, GP_PROPS_AS_BINARY_BLOCK, "org.captee.test.binary", buffer);
    EXPECT_EQ(g.result, TEEC_ERROR_SHORT_BUFFER);
    EXPECT_EQ(g.len, 6u);
  }
  // An empty block fits in no buffer at all.
  Got empty = get(&v131_, GP_PROPS_SET_TA, GP_PROPS_AS_BINARY_BLOCK, "org.captee.test.empty", 0);
  EXPECT_EQ(empty.result, TEEC_SUCCESS);
  EXPECT_EQ(empty.len, 0u);
}

TEST_F(GpProperties, TeeImplementationSet) {
  EXPECT_EQ(string_of(&v131_, GP_PROPS_SET_TEE, "gpd.tee.apiversion"), "1.3.1");
  EXPECT_EQ(u32_of(&v131_, GP_PROPS_SET_TEE, "gpd.tee.internalCore.version"), 0x01030100u);
  EXPECT_EQ(string_of(&v131_, GP_PROPS_SET_TEE, "gpd.tee.description").rfind("captee ", 0), 0u);
  Got id = get(&v131_, GP_PROPS_SET_TEE, GP_PROPS_AS_UUID, "gpd.tee.deviceID");
  ASSERT_EQ(id.result, TEEC_SUCCESS);
  const TEEC_UUID device = id.uuid();
  EXPECT_FALSE(same(device, TEEC_UUID{}));
  EXPECT_EQ(device.timeHiAndVersion >> 12, 4) << "a random (version 4) UUID";
  // Every TA sees the same device ID.
  Got other = get(&gp11_, GP_PROPS_SET_TEE, GP_PROPS_AS_UUID, "gpd.tee.deviceID");
  ASSERT_EQ(other.result, TEEC_SUCCESS);
  EXPECT_TRUE(same(other.uuid(), device));
  EXPECT_EQ(u32_of(&v131_, GP_PROPS_SET_TEE, "gpd.tee.systemTime.protectionLevel"), 100u);
  EXPECT_EQ(u32_of(&v131_, GP_PROPS_SET_TEE, "gpd.tee.TAPersistentTime.protectionLevel"), 100u);
  EXPECT_EQ(u32_of(&v131_, GP_PROPS_SET_TEE, "gpd.tee.arith.maxBigIntSize"), 2048u);
  for (const char *crypto : {"ecc", "nist", "bsi-r", "bsi-t", "ietf", "octa"}) {
    EXPECT_FALSE(bool_of(&v131_, GP_PROPS_SET_TEE, std::string("gpd.tee.cryptography.") + crypto))
        << crypto;
  }
  EXPECT_EQ(u32_of(&v131_, GP_PROPS_SET_TEE, "gpd.tee.trustedStorage.antiRollback.protectionLevel"),
            0u);
  EXPECT_EQ(
      u32_of(&v131_, GP_PROPS_SET_TEE, "gpd.tee.trustedStorage.rollbackDetection.protectionLevel"),
      0u);
  EXPECT_EQ(string_of(&v131_, GP_PROPS_SET_TEE, "gpd.tee.trustedos.implementation.version"),
            "0.1.0");
  Got os = get(&v131_, GP_PROPS_SET_TEE, GP_PROPS_AS_BINARY_BLOCK,
               "gpd.tee.trustedos.implementation.binaryversion");
  EXPECT_EQ(os.result, TEEC_SUCCESS);
  EXPECT_EQ(os.value, (std::vector<uint8_t>{0, 1, 0, 0}));
  EXPECT_EQ(string_of(&v131_, GP_PROPS_SET_TEE, "gpd.tee.trustedos.manufacturer"), "captee");
  utsname u{};
  ASSERT_EQ(::uname(&u), 0);
  EXPECT_EQ(string_of(&v131_, GP_PROPS_SET_TEE, "gpd.tee.firmware.implementation.version"),
            u.release);
  Got fw = get(&v131_, GP_PROPS_SET_TEE, GP_PROPS_AS_BINARY_BLOCK,
               "gpd.tee.firmware.implementation.binaryversion");
  EXPECT_EQ(fw.result, TEEC_SUCCESS);
  EXPECT_EQ(fw.value.size(), 4u);
  EXPECT_EQ(string_of(&v131_, GP_PROPS_SET_TEE, "gpd.tee.firmware.manufacturer"),
            "The Linux kernel");
}

TEST_F(GpProperties, ClientSetIsTheSessionsClient) {
  Got id = get(&v131_, GP_PROPS_SET_CLIENT, GP_PROPS_AS_IDENTITY, "gpd.client.identity");
  ASSERT_EQ(id.result, TEEC_SUCCESS);
  EXPECT_EQ(id.login(), TEEC_LOGIN_PUBLIC);
  EXPECT_TRUE(same(id.identity_uuid(), TEEC_UUID{}));
  EXPECT_EQ(string_of(&v131_, GP_PROPS_SET_CLIENT, "gpd.client.identity"),
            "0:00000000-0000-0000-0000-000000000000");
  EXPECT_EQ(u32_of(&v131_, GP_PROPS_SET_CLIENT, "gpd.client.endian"), 0u);

  TEEC_Session user{};
  open_ta(kV131, &user, TEEC_LOGIN_USER);
  Got as_user = get(&user, GP_PROPS_SET_CLIENT, GP_PROPS_AS_IDENTITY, "gpd.client.identity");
  ASSERT_EQ(as_user.result, TEEC_SUCCESS);
  EXPECT_EQ(as_user.login(), TEEC_LOGIN_USER);
  EXPECT_FALSE(same(as_user.identity_uuid(), TEEC_UUID{}));
  EXPECT_EQ(string_of(&user, GP_PROPS_SET_CLIENT, "gpd.client.identity"),
            "1:" + uuid_text(as_user.identity_uuid()));
  // The same single instance answers each session with its own client.
  EXPECT_EQ(get(&v131_, GP_PROPS_SET_CLIENT, GP_PROPS_AS_IDENTITY, "gpd.client.identity").login(),
            TEEC_LOGIN_PUBLIC);
  TEEC_CloseSession(&user);
}

// Each enumeration lists a set in its fixed order, and every value it reads
// through the enumerator is what a lookup by name reads.
TEST_F(GpProperties, EnumeratorsWalkEverySet) {
  const std::vector<std::string> tee = {"gpd.tee.apiversion",
                                        "gpd.tee.internalCore.version",
                                        "gpd.tee.description",
                                        "gpd.tee.deviceID",
                                        "gpd.tee.systemTime.protectionLevel",
                                        "gpd.tee.TAPersistentTime.protectionLevel",
                                        "gpd.tee.arith.maxBigIntSize",
                                        "gpd.tee.cryptography.ecc",
                                        "gpd.tee.cryptography.nist",
                                        "gpd.tee.cryptography.bsi-r",
                                        "gpd.tee.cryptography.bsi-t",
                                        "gpd.tee.cryptography.ietf",
                                        "gpd.tee.cryptography.octa",
                                        "gpd.tee.trustedStorage.antiRollback.protectionLevel",
                                        "gpd.tee.trustedStorage.rollbackDetection.protectionLevel",
                                        "gpd.tee.trustedos.implementation.version",
                                        "gpd.tee.trustedos.implementation.binaryversion",
                                        "gpd.tee.trustedos.manufacturer",
                                        "gpd.tee.firmware.implementation.version",
                                        "gpd.tee.firmware.implementation.binaryversion",
                                        "gpd.tee.firmware.manufacturer"};
  const std::vector<std::string> client = {"gpd.client.identity", "gpd.client.endian"};
  const std::vector<std::string> ta_gp11 = {
      "gpd.ta.appID",        "gpd.ta.singleInstance",
      "gpd.ta.multiSession", "gpd.ta.instanceKeepAlive",
      "gpd.ta.dataSize",     "gpd.ta.stackSize",
      "gpd.ta.version",      "gpd.ta.description",
      "gpd.ta.endian",       "gpd.ta.doesNotCloseHandleOnCorruptObject",
      "gp.ta.description",   "gp.ta.version"};
  struct Case {
    TEEC_Session *s;
    uint32_t set;
    const std::vector<std::string> &names;
  };
  for (const Case &c :
       {Case{&v131_, GP_PROPS_SET_TEE, tee}, Case{&v131_, GP_PROPS_SET_CLIENT, client},
        Case{&gp11_, GP_PROPS_SET_TA, ta_gp11}}) {
    auto props = enumerate(c.s, c.set);
    ASSERT_EQ(props.size(), c.names.size()) << "set " << c.set;
    for (size_t n = 0; n < props.size(); ++n) {
      EXPECT_EQ(props[n].first, c.names[n]);
      EXPECT_EQ(props[n].second, string_of(c.s, c.set, props[n].first)) << props[n].first;
    }
  }
  // The v1.3.1 TA: its built-in properties, then its extension ones (less
  // the entries left out), in its table's order.
  auto ta = enumerate(&v131_, GP_PROPS_SET_TA);
  ASSERT_EQ(ta.size(), 10u + 22u);
  EXPECT_EQ(ta[10].first, "org.captee.test.bool");
  EXPECT_EQ(ta.back().first, "gp.ta.version");
  for (const auto &[name, value] : ta) {
    EXPECT_EQ(value, string_of(&v131_, GP_PROPS_SET_TA, name)) << name;
  }
}

TEST_F(GpProperties, EnumeratorRulesInsideTheTa) {
  for (TEEC_Session *s : {&v131_, &gp11_}) {
    TEEC_Operation op{};
    op.paramTypes = TEEC_PARAM_TYPES(TEEC_VALUE_OUTPUT, TEEC_NONE, TEEC_NONE, TEEC_NONE);
    EXPECT_EQ(TEEC_InvokeCommand(s, GP_PROPS_CMD_ENUMERATOR_RULES, &op, nullptr), TEEC_SUCCESS)
        << "failed check " << op.params[0].value.a;
  }
}

// The getters read an enumerator's current property whatever name they are
// given (the TA passes NULL), and nothing once it is past the end.
TEST_F(GpProperties, GettersThroughAnEnumerator) {
  Got first = get_nth(&v131_, GP_PROPS_SET_TA, GP_PROPS_AS_UUID, 0);
  EXPECT_EQ(first.result, TEEC_SUCCESS);
  EXPECT_TRUE(same(first.uuid(), kV131));
  Got data = get_nth(&v131_, GP_PROPS_SET_TA, GP_PROPS_AS_U32, 4);  // gpd.ta.dataSize
  EXPECT_EQ(data.result, TEEC_SUCCESS);
  EXPECT_EQ(data.u32(), 64u * 1024);
  EXPECT_EQ(get_nth(&v131_, GP_PROPS_SET_TA, GP_PROPS_AS_U32, 0).result, TEEC_ERROR_BAD_FORMAT);
  EXPECT_EQ(get_nth(&v131_, GP_PROPS_SET_CLIENT, GP_PROPS_AS_STRING, 2).result,
            TEEC_ERROR_ITEM_NOT_FOUND);
  EXPECT_EQ(get_nth(&v131_, GP_PROPS_SET_TEE, GP_PROPS_AS_STRING, 1000).result,
            TEEC_ERROR_ITEM_NOT_FOUND);
  Got short_name = get_nth(&gp11_, GP_PROPS_SET_TA, GP_PROPS_AS_STRING, 6, 3);  // gpd.ta.version
  EXPECT_EQ(short_name.result, TEEC_ERROR_SHORT_BUFFER);
  EXPECT_EQ(short_name.len, sizeof "Undefined version");
}

// What GP says panics the TA does: the client sees TARGET_DEAD, and a new
// session works.
TEST_F(GpProperties, BadHandlesAndPointersPanicTheTa) {
  for (uint32_t which = 0; which < GP_PROPS_PANIC_COUNT; ++which) {
    TEEC_Session s{};
    open_ta(kGp11, &s);
    TEEC_Operation op{};
    op.paramTypes = TEEC_PARAM_TYPES(TEEC_VALUE_INPUT, TEEC_NONE, TEEC_NONE, TEEC_NONE);
    op.params[0].value.a = which;
    uint32_t origin = 0;
    EXPECT_EQ(TEEC_InvokeCommand(&s, GP_PROPS_CMD_PANIC, &op, &origin), TEEC_ERROR_TARGET_DEAD)
        << "panic case " << which;
    EXPECT_EQ(origin, TEEC_ORIGIN_TEE);
    TEEC_CloseSession(&s);
  }
  TEEC_CloseSession(&gp11_);
  open_ta(kGp11, &gp11_);
  EXPECT_EQ(u32_of(&gp11_, GP_PROPS_SET_TA, "gpd.ta.dataSize"), 32u * 1024);
}

}  // namespace
}  // namespace captee::test
