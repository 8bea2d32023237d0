// capteed's wait-for graph with the call chains of direct TA-to-TA hops
// (decision 0028): the cycles it must still refuse, and what a TA lying in
// its chain can and cannot do to calls between other TAs.
#include <gtest/gtest.h>

#include <vector>

#include "gp_call_graph.hpp"

namespace captee::tee {
namespace {

using Chain = std::vector<uint64_t>;

// Two chains that cross, one of them over a direct hop: 1 runs with 2
// called directly ([1, 2]); 2 waits for 3 through capteed, and 3 calls 1.
TEST(TaCallGraph, ACrossingChainOverADirectHopIsRefused) {
  TaCallGraph g;
  const Chain two{1, 2};
  auto a = g.enter(2, 3, two);  // 2 (serving 1 directly) waits for 3's entry point
  ASSERT_TRUE(a);
  EXPECT_FALSE(g.enter(3, 1, Chain{3})) << "3 -> 1 closes 1 -> 2 -> 3 -> 1";
  EXPECT_TRUE(g.enter(3, 4, Chain{3})) << "an unrelated call runs";
}

// A chain naming the callee is refused at once; the graph keeps nothing of
// a refused call.
TEST(TaCallGraph, AChainNamingTheCalleeIsRefusedAndLeavesNoEdge) {
  TaCallGraph g;
  EXPECT_FALSE(g.enter(2, 1, Chain{1, 2}));
  EXPECT_EQ(g.size(), 0u);
  {
    auto e = g.enter(2, 3, Chain{1, 2});
    ASSERT_TRUE(e);
    EXPECT_EQ(g.size(), 2u);  // 2 -> 3 and 1 -> 2
  }
  EXPECT_EQ(g.size(), 0u) << "a call's edges leave with it";
}

// A liar (9) names TAs it does not wait for: the edges go into the liar
// alone, so calls between those TAs are not refused.
TEST(TaCallGraph, ALiarsChainReachesNoCallBetweenOthers) {
  TaCallGraph g;
  auto lie = g.enter(9, 5, Chain{1, 2, 3, 9});
  ASSERT_TRUE(lie);
  auto one = g.enter(1, 2, Chain{1});
  EXPECT_TRUE(one);
  auto two = g.enter(2, 3, Chain{2});
  EXPECT_TRUE(two);
  EXPECT_TRUE(g.enter(3, 4, Chain{3}));
  // Calls made on the liar's behalf (its callee calling a TA it named) are
  // what it can spoil: 5 -> 1 would wait for 1 -> 9 -> 5.
  EXPECT_FALSE(g.enter(5, 1, Chain{5}));
}

// More than a chain can hold is refused, never half-added.
TEST(TaCallGraph, AnOverlongChainIsRefused) {
  TaCallGraph g;
  Chain longer(17);
  for (size_t i = 0; i < longer.size(); ++i) {
    longer[i] = 100 + i;
  }
  EXPECT_FALSE(g.enter(1, 2, longer));
  EXPECT_EQ(g.size(), 0u);
}

}  // namespace
}  // namespace captee::tee
