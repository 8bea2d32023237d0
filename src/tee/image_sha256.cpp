#include "image_sha256.hpp"

#include <openssl/evp.h>

#include <memory>

#include "captee/detail/openssl_lifetime.hpp"

namespace captee::tee {

std::optional<apps::ImageHash> image_sha256(std::span<const std::byte> image) {
  std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)> ctx(EVP_MD_CTX_new(), &EVP_MD_CTX_free);
  apps::ImageHash out{};
  unsigned int len = 0;
  if (!ctx || EVP_DigestInit_ex(ctx.get(), EVP_sha256(), nullptr) != 1 ||
      EVP_DigestUpdate(ctx.get(), image.data(), image.size()) != 1 ||
      EVP_DigestFinal_ex(ctx.get(), out.data(), &len) != 1 || len != out.size()) {
    return std::nullopt;
  }
  return out;
}

}  // namespace captee::tee
