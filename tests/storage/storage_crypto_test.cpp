// Sealing (captee/tee/storage/storage_crypto.hpp): AES-256-GCM records that
// open only under their key and AAD, and the nonces a Sealer counts.
#include "captee/tee/storage/storage_crypto.hpp"

#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <set>

namespace captee::tee::storage {
namespace {

using Nonce = std::array<uint8_t, kNonceSize>;

Key32 key_of(uint8_t fill) {
  Key32 k;
  k.bytes.fill(fill);
  return k;
}

Nonce nonce_of(const std::vector<uint8_t> &sealed) {
  Nonce n{};
  std::copy(sealed.begin(), sealed.begin() + kNonceSize, n.begin());
  return n;
}

const std::vector<uint8_t> kAad = {1, 2, 3};
const std::vector<uint8_t> kPlain(4096, 0x5a);

TEST(StorageCrypto, ASealedRecordOpensOnlyUnderItsKeyAndAad) {
  Sealer sealer(key_of(1));
  std::vector<uint8_t> sealed;
  ASSERT_TRUE(sealer.seal(kAad, kPlain, &sealed));
  ASSERT_EQ(sealed.size(), kPlain.size() + kSealOverhead);
  SecretBytes plain;
  ASSERT_TRUE(open_sealed(key_of(1), kAad, sealed, &plain));
  EXPECT_TRUE(std::equal(plain.view().begin(), plain.view().end(), kPlain.begin(), kPlain.end()));
  EXPECT_FALSE(open_sealed(key_of(2), kAad, sealed, &plain));
  EXPECT_EQ(plain.size(), 0u);
  EXPECT_FALSE(open_sealed(key_of(1), std::vector<uint8_t>{1, 2, 4}, sealed, &plain));
  for (size_t at : {size_t{0}, kNonceSize, sealed.size() / 2, sealed.size() - 1}) {
    auto flipped = sealed;
    flipped[at] ^= 0x01;
    EXPECT_FALSE(open_sealed(key_of(1), kAad, flipped, &plain)) << "byte " << at;
  }
  EXPECT_FALSE(open_sealed(key_of(1), kAad, std::span(sealed).first(kSealOverhead - 1), &plain));
}

// Within one draw the nonces count up by one, so none repeats; each record
// still opens on its own.
TEST(StorageCrypto, ASealersNoncesCountUpAndNeverRepeat) {
  Sealer sealer(key_of(3));
  std::set<Nonce> seen;
  std::vector<uint8_t> sealed;
  Nonce last{};
  for (int i = 0; i < 5000; ++i) {
    ASSERT_TRUE(sealer.seal(kAad, kPlain, &sealed));
    const Nonce n = nonce_of(sealed);
    ASSERT_TRUE(seen.insert(n).second) << "nonce repeated at record " << i;
    if (i > 0) {
      Nonce next = last;
      for (size_t b = next.size(); b-- > 0;)
        if (++next[b] != 0)
          break;
      ASSERT_EQ(n, next) << "record " << i;
    }
    last = n;
  }
  SecretBytes plain;
  EXPECT_TRUE(open_sealed(key_of(3), kAad, sealed, &plain));
}

// Two Sealers of one key (two capteed runs, or two owners' records made
// under one key by mistake) start from independent random draws.
TEST(StorageCrypto, EachSealerDrawsItsOwnStart) {
  Sealer a(key_of(4)), b(key_of(4));
  std::vector<uint8_t> sa, sb;
  ASSERT_TRUE(a.seal(kAad, kPlain, &sa));
  ASSERT_TRUE(b.seal(kAad, kPlain, &sb));
  EXPECT_NE(nonce_of(sa), nonce_of(sb));
}

// A forked child must not continue its parent's count: its next record
// and the parent's next record would share a nonce under one key.
TEST(StorageCrypto, AForkedChildDrawsNewNonces) {
  Sealer sealer(key_of(5));
  std::vector<uint8_t> sealed;
  ASSERT_TRUE(sealer.seal(kAad, kPlain, &sealed));
  int fds[2];
  ASSERT_EQ(pipe(fds), 0);
  const pid_t child = fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    std::vector<uint8_t> mine;
    const bool ok = sealer.seal(kAad, kPlain, &mine);
    const Nonce n = ok ? nonce_of(mine) : Nonce{};
    _exit(write(fds[1], n.data(), n.size()) == static_cast<ssize_t>(n.size()) && ok ? 0 : 1);
  }
  close(fds[1]);
  Nonce childs{};
  ASSERT_EQ(read(fds[0], childs.data(), childs.size()), static_cast<ssize_t>(childs.size()));
  close(fds[0]);
  int status = 0;
  ASSERT_EQ(waitpid(child, &status, 0), child);
  ASSERT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);
  ASSERT_TRUE(sealer.seal(kAad, kPlain, &sealed));
  EXPECT_NE(childs, nonce_of(sealed));
}

}  // namespace
}  // namespace captee::tee::storage
