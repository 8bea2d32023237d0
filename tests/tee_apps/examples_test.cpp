// The examples run as documented: the C client drives the C and the C++
// counter TAs through the app loader (over a channel, as with capteed).
#include <gtest/gtest.h>

#include "IAppLoader.hpp"
#include "captee/tee/apps/app_loader.h"
#include "captee/tee/apps/manifest.hpp"
#include "counter_client.h"
#include "harness.hpp"

namespace captee::tee::apps {
namespace {

class ExampleTest : public ::testing::TestWithParam<const char *> {};

TEST_P(ExampleTest, TheCClientUsesTheCounterTa) {
  auto image = testing::read_file(GetParam());
  ASSERT_TRUE(read_manifest(image));
  testing::LoaderOverChannel env(testing::test_config());
  uint32_t total = 0;
  ASSERT_EQ(counter_client_run(env.loader.get(), image.data(), image.size(), 100, &total, nullptr),
            Object_OK);
  EXPECT_EQ(total, 5050u);
  // The client released its controller: the TA is gone.
  EXPECT_TRUE(testing::eventually([&] { return env.registry->live_tas() == 0; }));
}

INSTANTIATE_TEST_SUITE_P(Tas, ExampleTest,
                         ::testing::Values(CAPTEE_COUNTER_TA_C, CAPTEE_COUNTER_TA_CPP),
                         [](const auto &info) { return info.index == 0 ? "c" : "cpp"; });

TEST(ExampleCApi, CreatesAnInProcessLoader) {
  Object loader = Object_NULL;
  ASSERT_EQ(captee_app_loader_create(CAPTEE_TAHOST, nullptr, &loader), Object_OK);
  auto image = testing::read_file(CAPTEE_COUNTER_TA_C);
  uint32_t total = 0;
  EXPECT_EQ(counter_client_run(loader, image.data(), image.size(), 3, &total, nullptr), Object_OK);
  EXPECT_EQ(total, 6u);
  Object_ASSIGN_NULL(loader);
  EXPECT_TRUE(testing::eventually([] { return testing::child_count() == 0; }));
}

}  // namespace
}  // namespace captee::tee::apps
